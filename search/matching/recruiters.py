"""Resumes for a posting (worker): the recruiter's query built from the posting, ranked among the resumes
shared with its organisation by search.ranking.pipeline (the same chain as the seeker side, its two sides
swapped), and the best ones stored for the posting's candidates page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from resumes.models import Resume
from search import access
from search.indexing.documents import posting_embedding_text, posting_keyword_text
from search.indexing.embeddings import embed_texts
from search.indexing.engine import get_engine
from search.indexing.resume_index import resumes_index_missing
from search.models import Application, CandidateMatch, IndexedResume, JobPosting
from search.ranking.domain import DOMAIN_SURE, sure_domain
from search.ranking.explain import reasons
from search.ranking.features import PostingSide, SeekerSide, SkillMatch, skill_match
from search.ranking.occupations import family
from search.ranking.pipeline import Query, Ranked, model_scores, rank
from search.ranking.types import Candidate, StageTimings

from .sides import IndexedResumes, ResumeSide, posting_side

CANDIDATES_K = 20  # the best matches kept per posting; applicants are kept whatever their rank
CANDIDATE_DEPTH = 100  # per retriever, as on the seeker side ...
CANDIDATE_DOMAIN_DEPTH = 50  # ... and the resumes of the posting's domain nearest to it


@dataclass
class RankedResume:
    resume_id: int
    candidate: Candidate
    score: float
    why: dict[str, Any] = field(default_factory=dict)
    features: list[float] = field(default_factory=list)  # the pair's FEATURES
    match: SkillMatch | None = None
    contributions: np.ndarray | None = None
    side: SeekerSide | None = None  # the resume as ranking read it


@dataclass
class CandidatesResult:
    items: list[RankedResume]
    timings: StageTimings
    pool: int = 0


def posting_sure_domain(posting: JobPosting, classes: list[str]) -> str | None:
    """The posting's domain when it is known well enough to search in: the one its poster declared,
    else the classifier's when it gives it at least even odds."""
    return posting.declared_domain or sure_domain(posting.domain_probs, classes)


def posting_sure_family(posting: JobPosting) -> str | None:
    """The posting's job family when its placement gives it at least even odds."""
    name, share = family(posting.occupations or {})
    return name if name and share >= DOMAIN_SURE else None


def resumes_of_family(name: str, sides: Mapping[int, ResumeSide] | None = None) -> set[int]:
    """The indexed resumes whose likeliest job family is `name`, at least at even odds (from the sides a
    batch caller read, or one indexed query)."""
    if sides is not None:
        placed = {rid: family(s.seeker.occupations) for rid, s in sides.items()}
        return {rid for rid, (f, share) in placed.items() if f == name and share >= DOMAIN_SURE}
    return set(
        IndexedResume.objects.filter(family=name, family_score__gte=DOMAIN_SURE).values_list("resume_id", flat=True)
    )


def resumes_of_domain(domain: str, sides: Mapping[int, ResumeSide] | None = None) -> set[int]:
    """The indexed resumes whose likeliest domain is `domain`, at least at even odds: one indexed query,
    or none when a batch caller (alerts) read the sides of every resume it ranks already."""
    if sides is not None:
        return {rid for rid, s in sides.items() if s.seeker.domain == domain and (s.domain_score or 0.0) >= DOMAIN_SURE}
    return set(
        IndexedResume.objects.filter(domain=domain, domain_score__gte=DOMAIN_SURE).values_list("resume_id", flat=True)
    )


def ranked_resume(item: Ranked) -> RankedResume:
    assert isinstance(item.side, SeekerSide)
    return RankedResume(
        item.id,
        item.candidate,
        item.score,
        item.why,
        [round(float(v), 5) for v in item.features],
        item.match,
        item.contributions,
        item.side,
    )


def resumes_for_posting(
    *,
    posting: JobPosting,
    allowed: set[int],
    k: int = CANDIDATES_K,
    include: set[int] | None = None,
    depth: int = CANDIDATE_DEPTH,
    domain_depth: int = CANDIDATE_DOMAIN_DEPTH,
    posting_vec: np.ndarray | None = None,
    sides: IndexedResumes | None = None,
    explained: bool = True,
) -> CandidatesResult:
    """The best k of the allowed resumes for a posting (worker): the recruiter's query (the posting's
    keywords and vector, and the resumes of its domain when the domain is sure) through the ranking
    pipeline. Resumes in `include` (applicants) are ranked too, wherever retrieval put them, and kept
    whatever their rank. A caller ranking many postings passes `sides` (the resumes as ranking reads them,
    read once) and may leave the reasons for later (`explained=False`: resume_reasons gives them)."""
    engine = get_engine()
    timings = StageTimings()
    include = (include or set()) & allowed
    if not allowed:
        return CandidatesResult([], timings)
    if posting_vec is None:
        with timings.stage("embed"):
            posting_vec = embed_texts([posting_embedding_text(posting)])[0]
    classes: list[str] = engine.domain.classes if engine.domain is not None else []
    domain, field = posting_sure_domain(posting, classes), posting_sure_family(posting)
    domain_items = None
    if (domain or field) and domain_depth:
        # The resumes of the posting's job family and of its domain, when it is sure of them.
        with timings.stage("domain"):
            known = sides.known if sides is not None else None
            domain_items = resumes_of_family(field, known) if field else set()
            if domain:
                domain_items |= resumes_of_domain(domain, known)
    query = Query(
        keywords=posting_keyword_text(posting),
        vector=posting_vec,
        side=posting_side(posting, classes),
        allowed=allowed,
        domain_items=domain_items,
        depth=depth,
        domain_depth=domain_depth,
    )
    ranking = rank(
        query,
        keywords=engine.resume_bm25,
        vectors=engine.resume_vectors,
        describe=sides if sides is not None else IndexedResumes(),
        scorer=engine.reranker.estimator if engine.reranker is not None else None,
        skill_idf=engine.skill_idf,
        today=dt.date.today(),
        k=k,
        include=include,
        explained=explained,
        timings=timings,
    )
    return CandidatesResult([ranked_resume(r) for r in ranking.items], timings, len(ranking.pool.candidates))


def resume_reasons(posting: PostingSide, resume: SeekerSide, features: Sequence[float]) -> dict[str, Any]:
    """The reasons for a resume ranked with `explained=False`, as the recruiter's list gives them (the
    skills matched and each feature's part read again from the pair)."""
    x = np.asarray(features, dtype=np.float64)
    reranker = get_engine().reranker
    contributions = model_scores(reranker.estimator, x)[1][0] if reranker is not None else np.zeros_like(x)
    match = skill_match(resume.skills, posting.skills)
    return reasons(resume, posting, x, match, contributions, resume_titles=True)


def candidates_refresh(*, posting: JobPosting, k: int = CANDIDATES_K) -> CandidatesResult:
    """Rank the resumes shared with the posting's organisation and store the best k plus every applicant
    (worker). Running it twice stores the same rows."""
    shared = access.resumes_visible_for_posting(posting)
    resumes_index_missing(resumes=Resume.objects.filter(pk__in=shared.values("id")))
    visible = set(shared.values_list("id", flat=True))
    applicants = set(Application.objects.filter(posting=posting).values_list("resume_id", flat=True))
    result = (
        resumes_for_posting(posting=posting, allowed=visible, k=k, include=applicants)
        if posting.is_open
        else CandidatesResult([], StageTimings())
    )
    rows = [
        CandidateMatch(
            posting=posting,
            resume_id=item.resume_id,
            rank=rank,
            score=item.score,
            bm25_rank=item.candidate.bm25_rank,
            vector_rank=item.candidate.vector_rank,
            why=item.why,
        )
        for rank, item in enumerate(result.items, start=1)
    ]
    with transaction.atomic():
        CandidateMatch.objects.filter(posting=posting).delete()
        CandidateMatch.objects.bulk_create(rows)
        JobPosting.objects.filter(pk=posting.pk).update(candidates_ranked_at=timezone.now(), candidates_pending=False)
    return result
