"""Each ranking stage scored against domain labels, both directions, through the one ranking pipeline.

The seeker direction ranks the served postings for labelled resumes, as the results page does. The
recruiter direction ranks a file of labelled resumes (which nobody uploaded, so the served resume
indexes do not hold them) for labelled postings: the same pipeline over an in-memory BM25 index and an
exact vector scan of those resumes.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from search.indexes.base import IndexDoc
from search.indexes.bm25 import BM25Index
from search.indexes.memory import NumpyIndex
from search.indexing.documents import posting_embedding_text, posting_keyword_text
from search.indexing.embeddings import embed_texts
from search.indexing.engine import Engine
from search.indexing.resume_index import resume_placements
from search.matching.recruiters import CANDIDATE_DOMAIN_DEPTH, posting_sure_domain, posting_sure_family
from search.matching.seekers import candidate_pool
from search.matching.sides import posting_side
from search.models import JobPosting
from search.ranking.domain import DOMAIN_SURE, resume_domain_probabilities, sure_domain
from search.ranking.features import SeekerSide
from search.ranking.occupations import family
from search.ranking.pipeline import MAX_PER_EMPLOYER, RETRIEVAL_DEPTH, Pool, Query, Scorer, pool_for, stage_orders
from search.ranking.sides import seeker_side
from search.ranking.types import StageTimings

from .datasets import LabelledResume
from .metrics import Table


def seeker_table(
    resumes: Sequence[LabelledResume],
    profiles: Sequence[dict[str, Any]],
    queries: Sequence[str],
    vecs: Sequence[np.ndarray],
    labels: Mapping[tuple[str, str], str],
    scorer: Scorer | None,
    heads: Sequence[np.ndarray] | None = None,
) -> Table:
    """Rank the postings for each resume and score every stage against the posting labels. `heads` are
    the embeddings of the queries' heads (cached_heads); without them the domain classifier embeds them."""
    n_relevant = Counter(labels.values())
    table = Table()
    for i, (r, profile, q, vec) in enumerate(zip(resumes, profiles, queries, vecs, strict=True)):
        head = None if heads is None else heads[i]
        found = candidate_pool(text=q, profile=profile, query_vec=vec, head_vec=head)
        key = {pid: labels.get((p.source, p.external_id), "") for pid, p in found.postings.items()}
        for stage, order in stage_orders(found.pool, scorer, per_employer=MAX_PER_EMPLOYER).items():
            table.add(r.category, stage, [int(key.get(pid) == r.category) for pid in order], n_relevant[r.category])
    return table


def recruiter_pools(
    profiles: Sequence[dict[str, Any]],
    queries: Sequence[str],
    vecs: np.ndarray,
    heads: np.ndarray,
    postings: Sequence[JobPosting],
    engine: Engine,
) -> Iterator[Pool]:
    """For each posting, the resumes (their positions in `queries`) retrieved for it, with the features of
    each pair: what the recruiter direction ranks."""
    classes = engine.domain.classes if engine.domain is not None else []
    if engine.domain is not None:
        probs: list[Any] = list(resume_domain_probabilities(engine.domain.estimator, vecs, profiles, queries, heads))
    else:
        probs = [None] * len(queries)
    # Each resume's likeliest domain when the classifier gives it even odds, as the served index holds it.
    domains = [sure_domain(p, classes) for p in probs]
    places = resume_placements(profiles, heads)
    sides: dict[int, SeekerSide] = {
        i: seeker_side(profile, p, domain=d, occupations=o)
        for i, (profile, p, d, o) in enumerate(zip(profiles, probs, domains, places, strict=True))
    }
    keywords = BM25Index(None)
    keywords.upsert([IndexDoc(id=i, content_hash="", text=q) for i, q in enumerate(queries)])
    vectors = NumpyIndex(vecs.shape[1])
    vectors.upsert([IndexDoc(id=i, content_hash="", vector=v) for i, v in enumerate(vecs)])
    today = dt.date.today()
    posting_vecs = embed_texts([posting_embedding_text(p) for p in postings])
    families = [family(o) for o in places]
    for p, vec in zip(postings, posting_vecs, strict=True):
        wanted, field = posting_sure_domain(p, classes), posting_sure_family(p)
        within = {i for i, d in enumerate(domains) if wanted and d == wanted}
        within |= {i for i, (f, share) in enumerate(families) if field and f == field and share >= DOMAIN_SURE}
        query = Query(
            keywords=posting_keyword_text(p),
            vector=vec,
            side=posting_side(p, classes),
            domain_items=within if (wanted or field) else None,
            depth=RETRIEVAL_DEPTH,
            domain_depth=CANDIDATE_DOMAIN_DEPTH,
        )
        pool = pool_for(
            query,
            keywords=keywords,
            vectors=vectors,
            describe=lambda ids: {i: sides[i] for i in ids},
            skill_idf=engine.skill_idf,
            today=today,
            timings=StageTimings(),
        )
        yield pool


def recruiter_rankings(
    profiles: Sequence[dict[str, Any]],
    queries: Sequence[str],
    vecs: np.ndarray,
    heads: np.ndarray,
    postings: Sequence[JobPosting],
    engine: Engine,
) -> Iterator[dict[str, list[int]]]:
    """For each posting, the order each stage ranks the resumes in (their positions in `queries`)."""
    scorer = engine.reranker.estimator if engine.reranker is not None else None
    for pool in recruiter_pools(profiles, queries, vecs, heads, postings, engine):
        yield stage_orders(pool, scorer)


def recruiter_table(
    resumes: Sequence[LabelledResume],
    profiles: Sequence[dict[str, Any]],
    queries: Sequence[str],
    vecs: np.ndarray,
    heads: np.ndarray,
    labels: Mapping[tuple[str, str], str],
    engine: Engine,
    *,
    per_domain: int,
) -> tuple[Table, int]:
    """Rank the file's resumes for labelled postings (the same number per domain the resumes have a
    category for, chosen by a fixed seed): the same stages, the two sides swapped. Returns the table and
    how many postings were ranked."""
    n_relevant = Counter(r.category for r in resumes)
    by_domain: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key, domain in sorted(labels.items()):
        if domain in n_relevant:
            by_domain[domain].append(key)
    rng = random.Random(7)
    wanted = [k for d in sorted(by_domain) for k in rng.sample(by_domain[d], min(per_domain, len(by_domain[d])))]
    postings = []
    for source, ext in wanted:
        p = JobPosting.objects.filter(source=source, external_id=ext).first()
        if p is not None:
            postings.append(p)
    table = Table()
    orders = recruiter_rankings(profiles, queries, vecs, heads, postings, engine)
    for p, stages in zip(postings, orders, strict=True):
        domain = labels[(p.source, p.external_id)]
        for stage, order in stages.items():
            table.add(domain, stage, [int(resumes[i].category == domain) for i in order], n_relevant[domain])
    return table, len(postings)


def posting_key(p: JobPosting) -> str:
    return f"{p.source}:{p.external_id}"


def seeker_stage_lists(
    profiles: Sequence[dict[str, Any]],
    queries: Sequence[str],
    vecs: Sequence[np.ndarray],
    heads: Sequence[np.ndarray],
    scorer: Scorer | None,
) -> Iterator[tuple[dict[str, list[str]], dict[str, JobPosting]]]:
    """For each resume, the postings each stage ranks first (as "source:external_id" keys), and the
    postings those keys name."""
    for profile, q, vec, head in zip(profiles, queries, vecs, heads, strict=True):
        found = candidate_pool(text=q, profile=profile, query_vec=vec, head_vec=head)
        orders = stage_orders(found.pool, scorer, per_employer=MAX_PER_EMPLOYER)
        rows = {posting_key(p): p for p in found.postings.values()}
        yield {s: [posting_key(found.postings[i]) for i in order] for s, order in orders.items()}, rows
