"""BM25 served by Qdrant's sparse vectors, so keyword retrieval scales out with the dense side.

With a Qdrant server (QDRANT_URL) each document is a sparse vector: one dimension per word (a
stable 32-bit hash of it), valued with BM25's term-frequency part, tf * (k1 + 1) / (tf + k1 *
(1 - b + b * length / avg_length)). The collection's IDF modifier makes Qdrant multiply each query
word by its inverse document frequency over the collection, ln((N - n + 0.5) / (n + 0.5) + 1), so
nothing corpus-wide is kept in the process and any number of workers share one index.

Differences from the in-process index (search.indexes.bm25, rank_bm25's exact scores): Qdrant's
IDF adds one inside the logarithm (no negative weights, so no epsilon floor), and `avg_length` is
a setting (QDRANT_BM25_AVG_LENGTH) rather than the live average, since a document's weights are
fixed when it is written. `tests/search/indexes/test_sparse.py` measures the agreement of the two
top tens on real postings.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Collection, Iterable, Sequence

import numpy as np
import numpy.typing as npt
from qdrant_client import QdrantClient, models

from search.ranking.text import tokenize
from search.ranking.types import Hit

from .base import TIE_MARGIN, IndexDoc, best_first
from .bm25 import K1, B
from .qdrant import UPSERT_BATCH, collection_hashes

VECTOR = "bm25"


def term_id(term: str) -> int:
    """A word's dimension: the same on every process and machine (Python's hash() is salted)."""
    return zlib.crc32(term.encode("utf-8"))


def document_weights(text: str, avg_length: float) -> dict[int, float]:
    """A document's sparse vector: BM25's term-frequency part for each of its words' dimensions."""
    counts = Counter(tokenize(text))
    length = sum(counts.values())
    norm = K1 * (1 - B + B * length / avg_length)
    weights: dict[int, float] = {}
    for term, tf in counts.items():
        i = term_id(term)
        weights[i] = weights.get(i, 0.0) + tf * (K1 + 1) / (tf + norm)
    return weights


def query_weights(text: str) -> dict[int, float]:
    """Each query word once per occurrence, as rank_bm25 counts it."""
    counts: Counter[int] = Counter(term_id(t) for t in tokenize(text))
    return {i: float(n) for i, n in counts.items()}


def document_vector(text: str, avg_length: float) -> models.SparseVector:
    weights = document_weights(text, avg_length)
    return models.SparseVector(indices=list(weights), values=list(weights.values()))


def query_vector(text: str) -> models.SparseVector:
    weights = query_weights(text)
    return models.SparseVector(indices=list(weights), values=list(weights.values()))


class QdrantSparseBM25Index:
    """The keyword index's interface (upsert, delete, search, hashes, ids, save) on a Qdrant collection."""

    path = None  # nothing on local disk; build_index's "save when missing" check reads this

    def __init__(
        self,
        client: QdrantClient,
        *,
        collection: str,
        avg_length: float,
        shards: int = 1,
        replicas: int = 1,
    ) -> None:
        if avg_length <= 0:
            raise ValueError("avg_length must be positive")
        self.client = client
        self.collection = collection
        self.avg_length = avg_length
        if not client.collection_exists(collection):
            client.create_collection(
                collection,
                vectors_config={},
                sparse_vectors_config={VECTOR: models.SparseVectorParams(modifier=models.Modifier.IDF)},
                shard_number=shards,
                replication_factor=replicas,
                write_consistency_factor=max(1, (replicas + 1) // 2) if replicas > 1 else None,
            )

    def __len__(self) -> int:
        return int(self.client.count(self.collection, exact=True).count)

    def upsert(self, docs: Sequence[IndexDoc]) -> None:
        for start in range(0, len(docs), UPSERT_BATCH):
            points = [
                models.PointStruct(
                    id=d.id,
                    vector={VECTOR: document_vector(d.text, self.avg_length)},
                    payload={**(d.payload or {}), "content_hash": d.content_hash},
                )
                for d in docs[start : start + UPSERT_BATCH]
            ]
            self.client.upsert(self.collection, points=points, wait=True)

    def delete(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        if ids:
            self.client.delete(self.collection, points_selector=models.PointIdsList(points=ids), wait=True)

    def search(self, query: str, k: int, allowed: Collection[int] | None = None) -> list[Hit]:
        """The k best documents that share a word with the query; `allowed` restricts them to those ids."""
        vector = query_vector(query)
        if not vector.indices or (allowed is not None and not allowed):
            return []
        where = None if allowed is None else models.Filter(must=[models.HasIdCondition(has_id=list(allowed))])
        result = self.client.query_points(
            self.collection, query=vector, using=VECTOR, limit=k + TIE_MARGIN, query_filter=where, with_payload=False
        )
        return best_first((Hit(int(p.id), float(p.score)) for p in result.points if p.score > 0), k)

    def hashes(self) -> dict[int, str]:
        return collection_hashes(self.client, self.collection)

    @property
    def ids(self) -> npt.NDArray[np.int64]:
        return np.array(sorted(self.hashes()), dtype=np.int64)

    def save(self) -> None:
        """Nothing to do: every write is in Qdrant once upsert or delete returns."""

    def reload_if_changed(self) -> bool:
        return False  # every process reads the same collection
