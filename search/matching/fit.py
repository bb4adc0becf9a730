"""How well one resume fits one posting (worker side), with the reasons a top-ten card gives: a stored resume
against an open posting ("match my resume to this job"), or a pasted resume text against a pasted job
description, which is read as indexing reads a posting and then forgotten."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np

from resumes.models import Resume, profile_summary
from resumes.understanding.pipeline import skills_in_texts, understand
from search.indexing.documents import posting_embedding_text
from search.indexing.embeddings import embed_texts
from search.indexing.engine import Engine, get_engine
from search.indexing.posting_index import posting_read, posting_text, postings_place
from search.models import JobPosting
from search.ranking.pipeline import TOP_K, Query, explain, pool_for, score
from search.ranking.sides import query_text
from search.ranking.types import Hit, StageTimings

from .seekers import indexed_resume_entry, jobs_for_text, resume_query_text, seeker_query
from .sides import posting_side

MAX_PASTED_CHARS = 30_000  # each text; a resume or a job description is far shorter
PASTED = -1  # the pasted posting's id in its one-posting pool


def resume_fit(*, resume: Resume, posting_id: int) -> dict[str, Any]:
    """A stored resume against one open posting: the seeker's list ranked as the results page ranks it
    (no filters, no feedback), with this posting kept in whatever its place; its reasons and its place
    (None below the top ten, or when it repeats a posting already in the list)."""
    text = resume_query_text(resume=resume)
    indexed = indexed_resume_entry(resume=resume, text=text)
    result = jobs_for_text(
        text=text,
        profile=resume.profile,
        query_vec=indexed.vector,
        domain_probs=indexed.domain_probs,
        occupations=indexed.occupations,
        include=frozenset({posting_id}),
    )
    for position, item in enumerate(result.items, start=1):
        if item.posting.pk == posting_id:
            return {
                "why": item.why,
                "score": round(item.candidate.final_score, 3),
                "position": position if position <= TOP_K else None,
                "of": TOP_K,
            }
    # Left out as a repeat of a posting in the list (same title, employer and place): the pair alone.
    engine = get_engine()
    posting = JobPosting.objects.open().filter(pk=posting_id).first()
    stored = engine.vectors.vectors([posting_id])
    if posting is None or posting_id not in stored:
        raise ValueError("the posting is closed or not indexed yet")
    sq = seeker_query(
        engine,
        text=text,
        profile=resume.profile,
        domain_depth=0,
        query_vec=indexed.vector,
        domain_probs=indexed.domain_probs,
        occupations=indexed.occupations,
    )
    pair = _one_pair(engine, sq.query, posting, np.asarray(stored[posting_id], dtype=np.float32))
    return {"why": pair["why"], "score": pair["score"], "position": None, "of": TOP_K}


class _OnePosting:
    """The retriever and vector store of a pool holding one posting: retrieval finds nothing (the posting
    joins as an included item), its vector is the one given."""

    def __init__(self, key: int, vector: np.ndarray) -> None:
        self.key, self.vector = key, vector

    def search(self, query: Any, k: int, allowed: Collection[int] | None = None) -> list[Hit]:
        return []

    def vectors(self, ids: Sequence[int]) -> Mapping[int, Sequence[float]]:
        return {self.key: self.vector} if self.key in ids else {}


def pasted_fit(*, resume_text: str, posting_text_: str, title: str = "") -> dict[str, Any]:
    """A pasted resume against a pasted job description; nothing is stored. The description's first line
    is its title unless `title` is given."""
    resume_text, posting_text_ = resume_text.strip(), posting_text_.strip()
    if not resume_text or not posting_text_:
        raise ValueError("paste both a resume and a job description")
    if max(len(resume_text), len(posting_text_)) > MAX_PASTED_CHARS:
        raise ValueError(f"each text may be at most {MAX_PASTED_CHARS:,} characters")
    first, _, rest = posting_text_.partition("\n")
    posting = JobPosting(
        title=(title.strip() or first.strip())[:200],
        description=rest.strip() if not title.strip() else posting_text_,
    )
    posting.content_hash = posting.compute_content_hash()
    engine = get_engine()
    posting_read(posting, skills_in_texts([posting_text(posting)])[0])
    vec = embed_texts([posting_embedding_text(posting)])
    postings_place([posting], vec, engine)
    profile = understand(resume_text).to_dict()
    sq = seeker_query(engine, text=query_text(text=resume_text, profile=profile), profile=profile, domain_depth=0)
    pair = _one_pair(engine, sq.query, posting, vec[0])
    pair["title"] = posting.title
    pair["profile"] = profile_summary(profile)
    return pair


def _one_pair(engine: Engine, query: Query, posting: JobPosting, vector: np.ndarray) -> dict[str, Any]:
    """The re-ranker's reasons and score for the query's resume and this one posting, alone in its pool."""
    classes = engine.domain.classes if engine.domain is not None else []
    key = posting.pk or PASTED
    one = _OnePosting(key, vector)
    pool = pool_for(
        Query(keywords=query.keywords, vector=query.vector, side=query.side, allowed=frozenset()),
        keywords=one,
        vectors=one,
        describe=lambda ids: {key: posting_side(posting, classes)} if key in ids else {},
        skill_idf=engine.skill_idf,
        today=dt.date.today(),
        include={key},
        timings=StageTimings(),
    )
    scores, contributions = score(pool, engine.reranker.estimator if engine.reranker is not None else None)
    return {"why": explain(pool, 0, contributions), "score": round(float(scores[0]), 3)}


def text_matches(*, text: str) -> dict[str, Any]:
    """The ten postings for a resume's text, read as an upload is read, with their reasons; nothing stored."""
    text = text.strip()
    if not text:
        raise ValueError("text: give the resume's text")
    if len(text) > MAX_PASTED_CHARS:
        raise ValueError(f"text may be at most {MAX_PASTED_CHARS:,} characters")
    profile = understand(text).to_dict()
    result = jobs_for_text(text=query_text(text=text, profile=profile), profile=profile)
    return {
        "items": [
            {
                "posting_id": item.posting.pk,
                "rank": rank,
                "score": round(item.candidate.final_score, 4),
                "why": item.why,
            }
            for rank, item in enumerate(result.items, start=1)
        ],
        "profile": profile_summary(profile),
        "ms": {k: round(v, 1) for k, v in result.timings.ms.items()},
    }


def fit_answer(body: Mapping[str, Any]) -> dict[str, Any]:
    """The search service's /fit: {"resume_id", "posting_id"} or {"resume_text", "posting_text", "title"?}."""
    if "resume_id" in body:
        resume = Resume.objects.filter(pk=body.get("resume_id"), status="done").first()
        if resume is None or not isinstance(body.get("posting_id"), int):
            raise ValueError("no such processed resume, or no posting id")
        return resume_fit(resume=resume, posting_id=body["posting_id"])
    resume_text, posting_text_ = body.get("resume_text"), body.get("posting_text")
    if not isinstance(resume_text, str) or not isinstance(posting_text_, str):
        raise ValueError("send resume_text and posting_text")
    return pasted_fit(resume_text=resume_text, posting_text_=posting_text_, title=str(body.get("title") or ""))
