"""BM25 served from a sparse matrix, with rank_bm25.BM25Okapi's exact scores.

rank_bm25 scores every document in Python for every query term: seconds per query at
100k postings. Here term frequencies live in a CSR matrix; BM25 weights are derived
once per change (same idf, same epsilon floor for negative idf, same k1 and b), and a
query is a sparse column sum. `tests/search/indexes/test_bm25.py` checks the scores
against rank_bm25 itself.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from search.ranking.text import tokenize
from search.ranking.types import Hit

from .base import IndexDoc

K1 = 1.5  # rank_bm25.BM25Okapi defaults, kept so scores match the reference
B = 0.75
EPSILON = 0.25


class BM25Index:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._ids: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._hashes: list[str] = []
        self._vocab: dict[str, int] = {}
        self._tf: sp.csr_matrix = sp.csr_matrix((0, 0), dtype=np.float32)
        self._weights: sp.csc_matrix | None = None
        self._mtime: float | None = None
        if path is not None and (path / "tf.npz").exists():
            self._load()

    # -- the SearchIndex interface ---------------------------------------------------

    def __len__(self) -> int:
        return int(self._ids.size)

    def hashes(self) -> dict[int, str]:
        return dict(zip(self._ids.tolist(), self._hashes, strict=True))

    def upsert(self, docs: Sequence[IndexDoc]) -> None:
        if not docs:
            return
        self.delete(d.id for d in docs)
        rows, cols, vals = [], [], []
        for i, d in enumerate(docs):
            for term, n in Counter(tokenize(d.text)).items():
                col = self._vocab.setdefault(term, len(self._vocab))
                rows.append(i)
                cols.append(col)
                vals.append(n)
        new = sp.csr_matrix((vals, (rows, cols)), shape=(len(docs), len(self._vocab)), dtype=np.float32)
        old = self._tf
        old.resize((old.shape[0], len(self._vocab)))
        self._tf = sp.vstack([old, new], format="csr")
        self._ids = np.concatenate([self._ids, np.array([d.id for d in docs], dtype=np.int64)])
        self._hashes.extend(d.content_hash for d in docs)
        self._weights = None

    def delete(self, ids: Iterable[int]) -> None:
        drop = np.isin(self._ids, np.fromiter(ids, dtype=np.int64))
        if not drop.any():
            return
        keep = np.flatnonzero(~drop)
        self._tf = self._tf[keep]
        self._ids = self._ids[keep]
        self._hashes = [self._hashes[i] for i in keep.tolist()]
        self._weights = None
        self._drop_unused_terms()

    def _drop_unused_terms(self) -> None:
        """Forget the words no remaining document has: a deleted document leaves no term behind
        (privacy: a resume's unique words must not outlive it). Scores are unchanged, since
        rank_bm25 only ever counts terms present in the corpus."""
        tf = self._tf.tocsr()
        used = np.bincount(tf.indices, minlength=tf.shape[1]) > 0
        if used.all():
            return
        cols = np.flatnonzero(used)
        new_col = np.full(tf.shape[1], -1, dtype=np.int64)
        new_col[cols] = np.arange(cols.size)
        self._tf = tf[:, cols].tocsr()
        self._vocab = {t: int(new_col[c]) for t, c in self._vocab.items() if c < used.size and used[c]}

    def search(self, query: str, k: int, allowed: Collection[int] | None = None) -> list[Hit]:
        """The k best documents; `allowed` restricts them to those ids (the hard filters)."""
        scores = self.get_scores(tokenize(query))
        if scores.size == 0:
            return []
        if allowed is not None:
            scores = np.where(np.isin(self._ids, np.fromiter(allowed, dtype=np.int64, count=len(allowed))), scores, 0.0)
        k = min(k, scores.size)
        kth = scores[np.argpartition(-scores, k - 1)[k - 1]]
        # Every document tied at the k-th place is kept until ids break the tie; none that shares no word.
        top = np.flatnonzero(scores >= kth) if kth > 0 else np.flatnonzero(scores > 0)
        top = top[np.lexsort((self._ids[top], -scores[top]))][:k]
        return [Hit(int(self._ids[i]), float(scores[i])) for i in top]

    # -- scoring ----------------------------------------------------------------------

    def get_scores(self, query_tokens: Sequence[str]) -> npt.NDArray[np.float64]:
        """Scores of every document, in index order, as BM25Okapi.get_scores would give."""
        weights = self._bm25_weights()
        counts = Counter(t for t in query_tokens if t in self._vocab)
        if not counts or weights.shape[0] == 0:
            return np.zeros(len(self), dtype=np.float64)
        cols = [self._vocab[t] for t in counts]
        # rank_bm25 adds a term once per occurrence in the query: weight by the count.
        q = np.array(list(counts.values()), dtype=np.float64)
        return np.asarray(weights[:, cols] @ q, dtype=np.float64).ravel()

    @property
    def ids(self) -> npt.NDArray[np.int64]:
        return self._ids

    def _bm25_weights(self) -> sp.csc_matrix:
        if self._weights is not None:
            return self._weights
        n_docs = self._tf.shape[0]
        if n_docs == 0:
            self._weights = sp.csc_matrix(self._tf.shape, dtype=np.float64)
            return self._weights
        doc_len = np.asarray(self._tf.sum(axis=1), dtype=np.float64).ravel()
        avgdl = doc_len.sum() / n_docs
        # Built column by column (a query reads a few columns), in place, sharing the term-frequency
        # matrix's row indices: a row-major build and its conversion double the worker's peak memory.
        tf = self._tf.tocsc()
        df = np.diff(tf.indptr).astype(np.float64)
        idf = np.log(n_docs - df + 0.5) - np.log(df + 0.5)
        # rank_bm25 averages idf over terms present in the corpus, then floors negatives.
        present = df > 0
        average_idf = idf[present].sum() / max(int(present.sum()), 1)
        idf = np.where(idf < 0, EPSILON * average_idf, idf)
        norm = K1 * (1 - B + B * doc_len / avgdl)
        denominator = norm[tf.indices]
        denominator += tf.data
        weights = np.repeat(idf, np.diff(tf.indptr))
        weights *= tf.data
        weights *= K1 + 1
        weights /= denominator
        del denominator
        self._weights = sp.csc_matrix((weights, tf.indices, tf.indptr), shape=tf.shape)
        return self._weights

    # -- persistence ------------------------------------------------------------------

    def save(self) -> None:
        assert self.path is not None
        self.path.mkdir(parents=True, exist_ok=True)
        # Write into a temporary folder and swap, so a reader never sees half an index.
        tmp = Path(tempfile.mkdtemp(dir=self.path, prefix=".tmp-"))
        sp.save_npz(tmp / "tf.npz", self._tf.tocsr(), compressed=False)
        np.save(tmp / "ids.npy", self._ids)
        (tmp / "meta.json").write_text(json.dumps({"vocab": self._vocab, "hashes": self._hashes}))
        for name in ("ids.npy", "meta.json", "tf.npz"):
            os.replace(tmp / name, self.path / name)
        tmp.rmdir()
        self._mtime = self._current_mtime()

    def _load(self) -> None:
        assert self.path is not None
        self._mtime = self._current_mtime()
        meta = json.loads((self.path / "meta.json").read_text())
        self._vocab = meta["vocab"]
        self._hashes = meta["hashes"]
        self._ids = np.load(self.path / "ids.npy")
        self._tf = sp.load_npz(self.path / "tf.npz").tocsr()
        self._weights = None

    def _current_mtime(self) -> float | None:
        assert self.path is not None
        f = self.path / "tf.npz"
        return f.stat().st_mtime if f.exists() else None

    def reload_if_changed(self) -> bool:
        """Pick up an index another process saved (the worker serves while an admin rebuilds)."""
        if self.path is not None and self._current_mtime() != self._mtime and (self.path / "tf.npz").exists():
            self._load()
            return True
        return False
