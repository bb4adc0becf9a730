"""Jobs for a resume (worker): the seeker's query built from the stored resume and the indexes, ranked by
search.ranking.pipeline, and the top ten stored for the results page."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import transaction

from resumes.models import Resume
from search.feedback import personal_for
from search.filters import Filters
from search.indexing.embeddings import embed_documents_and_heads, embed_heads
from search.indexing.engine import Engine, domain_stamp_version, get_engine
from search.indexing.resume_index import resume_content_hash, resume_index_add, resume_placements
from search.models import IndexedResume, JobPosting, Recommendation
from search.ranking.domain import resume_domain_probabilities
from search.ranking.features import SeekerSide
from search.ranking.occupations import hedged_families
from search.ranking.personalise import Personal, feedback_query
from search.ranking.pipeline import (
    DOMAIN_DEPTH,
    MAX_PER_EMPLOYER,
    RETRIEVAL_DEPTH,
    TOP_K,
    Pool,
    Query,
    pool_for,
    rank,
)
from search.ranking.sides import query_text, seeker_side
from search.ranking.types import Candidate, StageTimings

from .sides import OpenPostings

log = logging.getLogger(__name__)

# How far a seeker's place moves their default list, in grades of the judged set's rubric (rank's
# prefer_near: a posting in their city or remote gains half of it, one elsewhere loses as much): a third
# of a grade, so a good fit far away still outranks a plausible one nearby, and of two alike the near
# one comes first.
NEAR_PREFERENCE = 1 / 3


class NoPostingsIndexed(RuntimeError):
    """Nothing to match against: postings were never imported or indexed."""


@dataclass
class RankedPosting:
    posting: JobPosting
    candidate: Candidate
    why: dict[str, Any] = field(default_factory=dict)
    features: list[float] = field(default_factory=list)  # the pair's FEATURES, kept for learning from feedback


@dataclass
class RecommendResult:
    items: list[RankedPosting]
    timings: StageTimings
    domain: str | None = None
    passed_filters: int | None = None  # postings that pass the hard filters, when any are set
    query_vec: np.ndarray | None = None  # the resume's embedding, kept for the recruiter-side index
    resume_probs: np.ndarray | None = None
    occupations: dict[str, float] = field(default_factory=dict)  # its place in O*NET-SOC, for the index too


@dataclass
class SeekerQuery:
    """A resume's query, with what building it learnt."""

    query: Query
    timings: StageTimings
    domain: str | None
    passed_filters: int | None
    resume_vec: np.ndarray
    resume_probs: np.ndarray | None


def seeker_query(
    engine: Engine,
    *,
    text: str,
    profile: dict[str, Any] | None = None,
    filters: Filters | None = None,
    depth: int = RETRIEVAL_DEPTH,
    domain_depth: int = DOMAIN_DEPTH,
    query_vec: np.ndarray | None = None,
    head_vec: np.ndarray | None = None,
    domain_probs: np.ndarray | None = None,
    occupations: Mapping[str, float] | None = None,
    liked: Sequence[int] = (),
) -> SeekerQuery:
    """The query for one resume's query text: the postings that pass the hard filters, its embedding
    (`query_vec` skips embedding the text; `head_vec`, the embedding of the text's head, which the domain
    classifier and the occupation model read), its domain probabilities and its place in O*NET-SOC
    (`domain_probs` and `occupations` skip reading them again: a refresh passes those the recruiter-side
    index holds), the vector moved towards the postings in `liked` (saved,
    applied to: Rocchio's relevance feedback), and the postings of its likeliest domain, searched for
    more, however sure the classifier is (docs/evaluation.md, Domains)."""
    if len(engine.bm25) == 0:
        raise NoPostingsIndexed(
            "No job postings are indexed yet. Run `manage.py import_jobs` and `manage.py build_index`."
        )
    timings = StageTimings()
    allowed: set[int] | None = None
    if filters is not None and filters.active:
        with timings.stage("filter"):
            allowed = set(filters.apply(JobPosting.objects.open()).values_list("id", flat=True))
    heads = None if head_vec is None else head_vec[None, :]
    if query_vec is None:
        with timings.stage("embed"):
            vecs, heads = embed_documents_and_heads([text])
            query_vec = vecs[0]
    classes: list[str] = engine.domain.classes if engine.domain is not None else []
    resume_probs, domain = domain_probs, None
    classify = engine.domain is not None and (resume_probs is None or len(resume_probs) != len(classes))
    if heads is None and (classify or (engine.occupations is not None and occupations is None)):
        with timings.stage("embed"):  # given a vector without its head
            heads = embed_heads([text])
    if engine.domain is not None:
        if classify:
            with timings.stage("classify"):
                probs = resume_domain_probabilities(
                    engine.domain.estimator, query_vec[None, :], [profile], [text], heads
                )
                resume_probs = np.round(probs[0], 5)  # as the index entry keeps them: a refresh ranks the same
        domain = classes[int(np.argmax(resume_probs))]
    if occupations is None:
        with timings.stage("occupations"):
            occupations = resume_placements([profile], heads)[0]
    with timings.stage("vectors"):
        looking_for = feedback_query(query_vec, liked, engine.vectors.vectors)
    domain_items = None
    if domain_depth and (occupations or domain is not None):
        # The postings of the resume's likely job families (each family holding a fair share of its
        # placement: an unsure placement searches each field it may be in) and of its likeliest domain.
        with timings.stage("domain"):
            families = hedged_families(occupations) if occupations else []
            domain_items = frozenset().union(*(engine.family_postings(f) for f in families))
            if domain is not None:
                domain_items = domain_items | engine.domain_postings(domain)
    query = Query(
        keywords=text,
        vector=looking_for,
        side=seeker_side(profile, resume_probs, domain=domain, occupations=occupations),
        allowed=allowed,
        domain_items=domain_items,
        depth=depth,
        domain_depth=domain_depth,
    )
    return SeekerQuery(query, timings, domain, len(allowed) if allowed is not None else None, query_vec, resume_probs)


@dataclass
class SeekerPool:
    """One resume's candidates before scoring (evaluation and training read them)."""

    pool: Pool
    postings: dict[int, JobPosting]
    domain: str | None


def candidate_pool(
    *,
    text: str,
    profile: dict[str, Any] | None = None,
    filters: Filters | None = None,
    query_vec: np.ndarray | None = None,
    head_vec: np.ndarray | None = None,
    depth: int = RETRIEVAL_DEPTH,
    domain_depth: int = DOMAIN_DEPTH,
) -> SeekerPool:
    """Retrieval and pair features for one resume's query text, as the results page ranks it."""
    engine = get_engine()
    sq = seeker_query(
        engine,
        text=text,
        profile=profile,
        filters=filters,
        depth=depth,
        domain_depth=domain_depth,
        query_vec=query_vec,
        head_vec=head_vec,
    )
    postings = OpenPostings(engine.domain.classes if engine.domain is not None else [])
    pool = pool_for(
        sq.query,
        keywords=engine.bm25,
        vectors=engine.vectors,
        describe=postings,
        skill_idf=engine.skill_idf,
        today=dt.date.today(),
        timings=sq.timings,
    )
    return SeekerPool(pool, postings.rows, sq.domain)


def jobs_for_text(
    *,
    text: str,
    profile: dict[str, Any] | None = None,
    filters: Filters | None = None,
    k: int = TOP_K,
    depth: int = RETRIEVAL_DEPTH,
    personal: Personal | None = None,
    query_vec: np.ndarray | None = None,
    domain_probs: np.ndarray | None = None,
    occupations: Mapping[str, float] | None = None,
    include: frozenset[int] = frozenset(),
) -> RecommendResult:
    """The top k postings for one resume's query text (the profile gives skills, occupations, years and
    location), after the seeker's own feedback (`personal`: postings left out, look-alikes of dismissed
    ones and levels they refused moved down, the personalised model's corrections), at most a few per
    employer, with the reasons. `query_vec`, `domain_probs` and `occupations`: the resume's embedding,
    domain and place in O*NET-SOC, when known. Postings in `include` stay in the list, after the k if
    they rank lower (one posting's fit)."""
    engine = get_engine()
    personal = personal or Personal()
    sq = seeker_query(
        engine,
        text=text,
        profile=profile,
        filters=filters,
        depth=depth,
        query_vec=query_vec,
        domain_probs=domain_probs,
        occupations=occupations,
        liked=personal.liked,
    )
    postings = OpenPostings(engine.domain.classes if engine.domain is not None else [])
    ranking = rank(
        sq.query,
        keywords=engine.bm25,
        vectors=engine.vectors,
        describe=postings,
        scorer=engine.reranker.estimator if engine.reranker is not None else None,
        skill_idf=engine.skill_idf,
        today=dt.date.today(),
        k=k,
        exclude=personal.excluded,
        include=include,
        personal=personal,
        learned=engine.personal.estimator if engine.personal is not None else None,
        per_employer=MAX_PER_EMPLOYER,
        grade=engine.grade,
        prefer_near=NEAR_PREFERENCE * engine.grade,
        timings=sq.timings,
    )
    items = [
        RankedPosting(postings.rows[r.id], r.candidate, r.why, [round(float(v), 5) for v in r.features])
        for r in ranking.items
    ]
    occupations = dict(sq.query.side.occupations) if isinstance(sq.query.side, SeekerSide) else {}
    return RecommendResult(items, sq.timings, sq.domain, sq.passed_filters, sq.resume_vec, sq.resume_probs, occupations)


def resume_query_text(*, resume: Resume) -> str:
    return query_text(text=resume.text, profile=resume.profile)


@dataclass
class IndexedEntry:
    """What the recruiter-side index holds of a resume's current query text (each None when it holds
    nothing usable)."""

    vector: np.ndarray | None = None
    domain_probs: np.ndarray | None = None
    occupations: dict[str, float] | None = None


def indexed_resume_entry(*, resume: Resume, text: str) -> IndexedEntry:
    """The resume's vector as the recruiter-side index holds it, when it was made from this same query
    text, and the domain probabilities and place in O*NET-SOC its entry holds when the serving models
    gave them (the index's stamp names those models: search.indexing.posting_index.domains_refresh): a
    refresh (postings closed, feedback given) then embeds and classifies nothing."""
    indexed = (
        IndexedResume.objects.filter(resume=resume).values_list("content_hash", "domain_probs", "occupations").first()
    )
    if indexed is None or indexed[0] != resume_content_hash(text):  # none indexed, or an older text
        return IndexedEntry()
    engine = get_engine()
    found = engine.resume_vectors.vectors([resume.pk])
    if resume.pk not in found:
        return IndexedEntry()
    entry = IndexedEntry(np.asarray(found[resume.pk], dtype=np.float32))
    if domain_stamp_version() == engine.models_stamp:
        if indexed[1] and engine.domain is not None:
            entry.domain_probs = np.asarray(indexed[1], dtype=np.float64)
        if indexed[2] and engine.occupations is not None:
            entry.occupations = dict(indexed[2])
    return entry


def recommendations_refresh(*, resume: Resume, k: int = TOP_K) -> RecommendResult:
    """Replace the resume's stored top-k with a fresh ranking under the seeker's saved filters.
    Running it twice stores the same rows; the second time, the resume's text unchanged, it embeds and
    classifies nothing and leaves the recruiter-side indexes as they are."""
    text = resume_query_text(resume=resume)
    timings = StageTimings()
    with timings.stage("indexed vector"):
        indexed = indexed_resume_entry(resume=resume, text=text)
    result = jobs_for_text(
        text=text,
        profile=resume.profile,
        filters=Filters.saved(resume.filters, owner=f"resume {resume.pk}"),
        k=k,
        personal=personal_for(resume),
        query_vec=indexed.vector,
        domain_probs=indexed.domain_probs,
        occupations=indexed.occupations,
    )
    result.timings.ms.update(timings.ms)
    rows = [
        Recommendation(
            resume=resume,
            posting=item.posting,
            rank=position,
            score=item.candidate.final_score,
            bm25_score=item.candidate.bm25_score,
            bm25_rank=item.candidate.bm25_rank,
            vector_score=item.candidate.vector_score,
            vector_rank=item.candidate.vector_rank,
            fused_score=item.candidate.fused_score,
            domain_score=item.candidate.domain_score,
            why=item.why,
            features=item.features,
        )
        for position, item in enumerate(result.items, start=1)
    ]
    with transaction.atomic():
        Recommendation.objects.filter(resume=resume).delete()
        Recommendation.objects.bulk_create(rows)
    if indexed.vector is None and result.query_vec is not None:  # a new text: the recruiter side takes it too
        with result.timings.stage("index resume"):
            resume_index_add(
                resume=resume,
                text=text,
                vector=result.query_vec,
                probs=result.resume_probs,
                occupations=result.occupations,
            )
    return result
