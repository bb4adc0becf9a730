"""Ranking quality against domain labels: P@10, nDCG@10 and MRR for each stage of the ranking.

A result is relevant when the posting's domain (from the labels file, written by
`manage.py label_postings` from search/ranking/posting_domains.py) is the resume's category.
The resume side reads the same labelled resumes the domain classifier learns from; our own
held-out split (`split_resumes`) keeps the resumes the models never saw.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

STAGES = ("bm25", "vectors", "fused", "fused+domain", "full")
K = 10
SPLIT_SEED, TEST_SHARE = 7, 0.2


@dataclass
class LabelledResume:
    id: str
    text: str
    category: str


def load_resumes(path: Path) -> list[LabelledResume]:
    """Parquet with ID, Resume_str, Category (the Kaggle layout) or JSON lines {id, text, category}."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        t = pq.read_table(path, columns=["ID", "Resume_str", "Category"]).to_pydict()
        return [LabelledResume(str(i), s, c) for i, s, c in zip(t["ID"], t["Resume_str"], t["Category"], strict=True)]
    out = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if line.strip():
                obj = json.loads(line)
                out.append(LabelledResume(str(obj.get("id", n)), obj["text"], obj["category"]))
    return out


def split_resumes(resumes: Sequence[LabelledResume]) -> tuple[list[LabelledResume], list[LabelledResume]]:
    """(train, test): TEST_SHARE of each category held out, the same split on every run."""
    by_cat: dict[str, list[LabelledResume]] = defaultdict(list)
    for r in sorted(resumes, key=lambda r: r.id):
        by_cat[r.category].append(r)
    train, test = [], []
    rng = random.Random(SPLIT_SEED)
    for cat in sorted(by_cat):
        items = by_cat[cat]
        rng.shuffle(items)
        n_test = max(1, round(len(items) * TEST_SHARE))
        test += items[:n_test]
        train += items[n_test:]
    return train, test


def load_posting_labels(path: Path) -> dict[tuple[str, str], str]:
    """JSON lines {source, external_id, domain}; an empty domain means "no domain"."""
    out = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                obj = json.loads(line)
                out[(str(obj["source"]), str(obj["external_id"]))] = obj.get("domain") or ""
    return out


def precision_at(rels: Sequence[int], k: int = K) -> float:
    return sum(rels[:k]) / k


def ndcg_at(rels: Sequence[int], k: int = K, n_relevant: int | None = None) -> float:
    dcg = sum(r / math.log2(i + 2) for i, r in enumerate(rels[:k]))
    ideal_n = min(k, n_relevant if n_relevant is not None else k)
    idcg = sum(1 / math.log2(i + 2) for i in range(ideal_n))
    return dcg / idcg if idcg else 0.0


def reciprocal_rank(rels: Sequence[int]) -> float:
    return next((1.0 / (i + 1) for i, r in enumerate(rels) if r), 0.0)


@dataclass
class StageScores:
    p10: list[float] = field(default_factory=list)
    ndcg: list[float] = field(default_factory=list)
    mrr: list[float] = field(default_factory=list)

    def add(self, rels: Sequence[int], n_relevant: int | None = None) -> None:
        self.p10.append(precision_at(rels))
        self.ndcg.append(ndcg_at(rels, n_relevant=n_relevant))
        self.mrr.append(reciprocal_rank(rels))

    def summary(self) -> dict[str, float]:
        return {
            "p@10": round(float(np.mean(self.p10)), 4) if self.p10 else 0.0,
            "ndcg@10": round(float(np.mean(self.ndcg)), 4) if self.ndcg else 0.0,
            "mrr": round(float(np.mean(self.mrr)), 4) if self.mrr else 0.0,
            "n": len(self.p10),
        }


@dataclass
class Table:
    """Scores per stage, overall and per domain."""

    overall: dict[str, StageScores] = field(default_factory=lambda: {s: StageScores() for s in STAGES})
    per_domain: dict[str, dict[str, StageScores]] = field(
        default_factory=lambda: defaultdict(lambda: {s: StageScores() for s in STAGES})
    )

    def add(self, domain: str, stage: str, rels: Sequence[int], n_relevant: int | None = None) -> None:
        self.overall[stage].add(rels, n_relevant)
        self.per_domain[domain][stage].add(rels, n_relevant)

    def as_dict(self) -> dict[str, Any]:
        return {
            "overall": {s: v.summary() for s, v in self.overall.items()},
            "per_domain": {d: {s: v.summary() for s, v in st.items()} for d, st in sorted(self.per_domain.items())},
        }


def render(table: Table, write: Callable[[str], None], *, what: str) -> None:
    write(f"{what}; relevant = the posting's labelled domain is the resume's category")
    write(f"{'stage':<14}{'P@10':>8}{'nDCG@10':>9}{'MRR':>8}")
    for stage in STAGES:
        s = table.overall[stage].summary()
        write(f"{stage:<14}{s['p@10']:>8.3f}{s['ndcg@10']:>9.3f}{s['mrr']:>8.3f}")
    write("per domain, P@10 by stage (n = queries):")
    write(f"{'domain':<24}{'n':>5}" + "".join(f"{s:>14}" for s in STAGES))
    for domain, stages in sorted(table.per_domain.items()):
        n = stages[STAGES[0]].summary()["n"]
        write(f"{domain:<24}{n:>5}" + "".join(f"{stages[s].summary()['p@10']:>14.3f}" for s in STAGES))


def stage_orders(pool: Any, reranker: Any | None) -> dict[str, list[int]]:
    """Posting ids in the order each stage ranks the pool's candidates (search.services.CandidatePool)."""
    from .services import _diverse, pool_scores, rank_pool

    cands = pool.candidates
    by_domain = rank_pool(pool, pool_scores(pool, None)[0])  # fused blended with domain agreement
    orders = {
        "bm25": [c.id for c in sorted((c for c in cands if c.bm25_rank), key=lambda c: c.bm25_rank)],
        "vectors": [c.id for c in sorted((c for c in cands if c.vector_rank), key=lambda c: c.vector_rank)],
        "fused": [c.id for c in cands],
        "fused+domain": [r.candidate.id for r in by_domain],
    }
    if reranker is not None and len(cands):
        # the same order and diversity rule as the results page
        full = _diverse(rank_pool(pool, pool_scores(pool, reranker)[0]), len(cands))
        orders["full"] = [r.candidate.id for r in full]
    else:
        orders["full"] = orders["fused+domain"]
    return orders


def seeker_table(
    resumes: Sequence[LabelledResume],
    profiles: Sequence[dict[str, Any]],
    queries: Sequence[str],
    vecs: Sequence[np.ndarray],
    labels: dict[tuple[str, str], str],
    reranker: Any | None,
    heads: Sequence[np.ndarray] | None = None,
) -> Table:
    """Rank the postings for each resume and score every stage against the posting labels. `heads` are
    the embeddings of the queries' heads (cached_heads); without them the domain classifier embeds them."""
    from collections import Counter

    from .services import candidate_pool

    n_relevant = Counter(labels.values())
    table = Table()
    for i, (r, profile, q, vec) in enumerate(zip(resumes, profiles, queries, vecs, strict=True)):
        head = None if heads is None else heads[i]
        pool = candidate_pool(text=q, profile=profile, query_vec=vec, head_vec=head)
        key = {pid: labels.get((p.source, p.external_id), "") for pid, p in pool.postings.items()}
        for stage, order in stage_orders(pool, reranker).items():
            table.add(r.category, stage, [int(key.get(pid) == r.category) for pid in order], n_relevant[r.category])
    return table


# --- cached resume work: embeddings and profiles are the slow part and never change for a text ----------


def _key(text: str, salt: str) -> str:
    return hashlib.sha256((salt + "\0" + text).encode()).hexdigest()[:32]


def cached_embeddings(texts: Sequence[str], cache_dir: Path) -> np.ndarray:
    from .embeddings import CHUNK_WORDS, MAX_CHUNKS, embed_documents

    # The chunking is part of the key: another chunk size or count embeds every text again.
    salt = f"minilm-chunked-{CHUNK_WORDS}x{MAX_CHUNKS}"
    cache_dir.mkdir(parents=True, exist_ok=True)
    out: list[np.ndarray | None] = []
    todo = []
    for i, t in enumerate(texts):
        path = cache_dir / f"{_key(t, salt)}.npy"
        if path.exists():
            out.append(np.load(path))
        else:
            out.append(None)
            todo.append(i)
    for start in range(0, len(todo), 64):
        batch = todo[start : start + 64]
        emb = embed_documents([texts[i] for i in batch])
        for i, row in zip(batch, emb, strict=True):
            np.save(cache_dir / f"{_key(texts[i], salt)}.npy", row)
            out[i] = row
    return np.vstack([o for o in out if o is not None])


def cached_heads(texts: Sequence[str], cache_dir: Path) -> np.ndarray:
    """The embeddings of the texts' heads (search.embeddings.head_of): one chunk each, so the cached
    embedding of the head is the head's own."""
    from .embeddings import head_of

    return cached_embeddings([head_of(t) for t in texts], cache_dir)


def understanding_version() -> str:
    """Changes when the shipped vocabularies, the NER model or the understanding's code change, so cached
    profiles are read again."""
    from resumes.understanding.vocabulary import ARTIFACTS

    h = hashlib.sha256()
    for code in sorted(Path(__file__).resolve().parents[1].joinpath("resumes", "understanding").glob("*.py")):
        h.update(code.read_bytes())
    for path in sorted([*ARTIFACTS.glob("*.json.gz"), *ARTIFACTS.glob("ner/**/*")]):
        if path.is_file():
            h.update(path.name.encode())
            h.update(str(path.stat().st_size).encode())
            h.update(str(int(path.stat().st_mtime)).encode())
    return h.hexdigest()[:16]


def cached_profiles(texts: Iterable[str], cache_dir: Path) -> list[dict[str, Any]]:
    from resumes.understanding.pipeline import understand

    cache_dir.mkdir(parents=True, exist_ok=True)
    salt = "profile-" + understanding_version()
    out = []
    for t in texts:
        path = cache_dir / f"{_key(t, salt)}.json"
        if path.exists():
            out.append(json.loads(path.read_text()))
        else:
            profile = understand(t).to_dict()
            path.write_text(json.dumps(profile))
            out.append(profile)
    return out
