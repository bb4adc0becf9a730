"""Reciprocal rank fusion of several ranked lists."""

from __future__ import annotations

from collections.abc import Sequence

from .types import Candidate, Hit

RRF_K = 60  # Cormack et al. 2009; fuses ranks, not raw scores, so BM25 and cosine need no calibration


def reciprocal_rank_fusion(*, bm25: Sequence[Hit], vector: Sequence[Hit], k: int = RRF_K) -> list[Candidate]:
    """Fuse two ranked lists: score = sum over lists of 1 / (k + rank), ranks from 1.

    Ties are broken by id so the order is deterministic (the task must be repeatable).
    """
    by_id: dict[int, Candidate] = {}
    for rank, hit in enumerate(bm25, start=1):
        c = by_id.setdefault(hit.id, Candidate(id=hit.id))
        c.bm25_score, c.bm25_rank = hit.score, rank
        c.fused_score += 1.0 / (k + rank)
    for rank, hit in enumerate(vector, start=1):
        c = by_id.setdefault(hit.id, Candidate(id=hit.id))
        c.vector_score, c.vector_rank = hit.score, rank
        c.fused_score += 1.0 / (k + rank)
    return sorted(by_id.values(), key=lambda c: (-c.fused_score, c.id))


def add_domain_hits(fused: list[Candidate], hits: Sequence[Hit]) -> list[Candidate]:
    """The fused list, then the hits of the search in the query's domain (postings of the resume's
    likeliest domain, or resumes of the posting's) that neither retriever found, in their order: the
    re-ranker sees them (domain agreement, skills, title...), the fused order does not change.
    Short postings of a rare domain seldom rank high for either retriever
    (on the 33,246 LinkedIn ones, held-out agriculture resumes had none right in the top ten of BM25,
    of the vectors or of the two fused), yet they are the right ones."""
    seen = {c.id for c in fused}
    extra = [
        Candidate(id=h.id, vector_score=h.score, domain_rank=rank)
        for rank, h in enumerate(hits, start=1)
        if h.id not in seen
    ]
    return fused + extra
