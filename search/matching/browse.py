"""Postings for words a visitor types (worker side): the same BM25 + vector retrieval the matching uses,
fused, within the hard filters. Served to the web processes by search.matching.service."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from search.filters import Filters
from search.indexing.embeddings import embed_texts
from search.indexing.engine import get_engine
from search.models import JobPosting
from search.ranking.fusion import reciprocal_rank_fusion
from search.ranking.types import Hit

# How deep each retriever reads. Everything BM25 finds counts (it shares a word with the query); of the
# vector neighbours only those close to the query: at least MIN_SIMILARITY (cosine) and within
# SIMILARITY_BAND of the nearest, so a query with no good match is not padded with the nearest of
# everything. Short queries sit close to many postings ("truck driver": the truck drivers at 0.60-0.78,
# warehouse and forklift jobs at 0.55-0.56; "chef": chefs 0.64-0.76, cooks and restaurant managers
# 0.51-0.59, on the demo postings), so the band, not the floor, does most of the cutting.
KEYWORD_DEPTH = 1000
VECTOR_DEPTH = 200
MIN_SIMILARITY = 0.5
SIMILARITY_BAND = 0.12
MAX_QUERY_CHARS = 300


@dataclass
class Found:
    ids: list[int]  # best first, open postings only
    keyword_hits: int
    vector_hits: int
    capped: bool  # a retriever reached its depth: there are more than `ids`
    ms: float


def search_postings(*, q: str, filters: Filters | None = None) -> Found:
    """The open postings for the words `q` within `filters`, best first (reciprocal rank fusion of BM25 and
    the vector neighbours, ties by id)."""
    started = time.perf_counter()
    q = " ".join(q.split())[:MAX_QUERY_CHARS]
    if not q:
        raise ValueError("no words to search for")
    engine = get_engine()
    allowed: set[int] | None = None
    if filters is not None and filters.active:
        allowed = set(filters.apply(JobPosting.objects.open()).values_list("id", flat=True))
    keyword_hits = stated(engine.bm25.search(q, KEYWORD_DEPTH, allowed), q)
    vector = embed_texts([q])[0]
    nearest = engine.vectors.search(vector, VECTOR_DEPTH, allowed)
    floor = max(MIN_SIMILARITY, (nearest[0].score if nearest else 0.0) - SIMILARITY_BAND)
    vector_hits = [h for h in nearest if h.score >= floor]
    fused = [c.id for c in reciprocal_rank_fusion(bm25=keyword_hits, vector=vector_hits)]
    open_ids = set(JobPosting.objects.open().filter(id__in=fused).values_list("id", flat=True))
    return Found(
        ids=[i for i in fused if i in open_ids],
        keyword_hits=len(keyword_hits),
        vector_hits=len(vector_hits),
        capped=len(keyword_hits) >= KEYWORD_DEPTH or len(vector_hits) >= VECTOR_DEPTH,
        ms=round((time.perf_counter() - started) * 1000, 1),
    )


WORD = re.compile(r"[\w+#.]+")


def stated(hits: Sequence[Hit], q: str) -> list[Hit]:
    """The keyword hits whose own words hold the query's: all of them where any posting does, else any.
    BM25 also reads a posting's inferred skills (its occupation's usual tools, which the matching needs),
    and a visitor who types "python" means postings that say Python."""
    words = {w.strip(".").lower() for w in WORD.findall(q)} - {""}
    if not hits or not words:
        return list(hits)
    rows = JobPosting.objects.filter(id__in=[h.id for h in hits]).only(
        "id",
        "title",
        "company",
        "description",
        "job_functions",
        "industries",
        "skills",
        "skills_inferred",
        "occupation_title",
    )
    said: dict[int, set[str]] = {}
    for p in rows:
        own = [p.title, p.company, p.description, *p.job_functions, *p.industries, *p.stated_skills, p.occupation_title]
        said[p.pk] = {w.strip(".") for w in WORD.findall(" ".join(own).lower())} & words
    every = [h for h in hits if said.get(h.id) == words]
    return every or [h for h in hits if said.get(h.id)]
