"""Postings and resumes as ranking reads them, from their rows: the pipeline's `describe` adapters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from resumes.models import Resume
from search.models import IndexedResume, JobPosting
from search.ranking.diversity import duplicate_key
from search.ranking.features import PostingSide, SeekerSide, domain_vector
from search.ranking.sides import seeker_side


def employer_key(p: JobPosting) -> str:
    return (p.company_ref or p.company).strip().lower()


def posting_side(p: JobPosting, classes: Sequence[str]) -> PostingSide:
    """A posting as ranking reads it."""
    return PostingSide(
        domain_probs=domain_vector(classes, p.declared_domain, p.domain_probs) if classes else None,
        skills=tuple(p.skills or ()),
        occupation_code=p.occupation_code,
        experience_level=p.experience_level,
        location=p.location,
        remote=p.remote,
        posted_at=p.posted_at,
        domain=p.domain,
        occupation_title=p.occupation_title,
        employer=employer_key(p),
        occupations=p.occupations or {},
        level=p.seniority,
        same_as=duplicate_key(p.title, p.company, p.location),
        skills_inferred=frozenset(p.skills_inferred or ()),
    )


class OpenPostings:
    """The pipeline's `describe` for postings: the open ones among the ids, as ranking reads them; the
    rows read are kept (`rows`) for the results."""

    def __init__(self, classes: Sequence[str]) -> None:
        self.classes = classes
        self.rows: dict[int, JobPosting] = {}

    def __call__(self, ids: list[int]) -> Mapping[int, PostingSide]:
        found = JobPosting.objects.open().in_bulk(ids)
        self.rows.update(found)
        return {i: posting_side(p, self.classes) for i, p in found.items()}


@dataclass
class ResumeSide:
    """What ranking reads of one indexed resume in the recruiter direction (profile decoded once)."""

    seeker: SeekerSide
    domain_score: float | None = None  # the classifier's probability of the resume's likeliest domain


def resume_sides(ids: list[int]) -> dict[int, ResumeSide]:
    out: dict[int, ResumeSide] = {}
    for i in range(0, len(ids), 5000):  # bound the query's parameters
        chunk = ids[i : i + 5000]
        resumes = Resume.objects.filter(pk__in=chunk).only("id", "profile").in_bulk()
        entries = IndexedResume.objects.filter(resume_id__in=list(resumes)).in_bulk()
        for rid, resume in resumes.items():
            entry = entries.get(rid)
            probs = np.asarray(entry.domain_probs) if entry is not None and entry.domain_probs else None
            out[rid] = ResumeSide(
                seeker_side(
                    resume.profile,
                    probs,
                    domain=entry.domain if entry is not None else None,
                    occupations=(entry.occupations or {}) if entry is not None else {},
                ),
                entry.domain_score if entry is not None else None,
            )
    return out


class IndexedResumes:
    """The pipeline's `describe` for resumes: each as ranking reads it, from the sides a batch caller
    read already, else from the database."""

    def __init__(self, known: dict[int, ResumeSide] | None = None) -> None:
        self.known = known if known is not None else {}

    def __call__(self, ids: list[int]) -> Mapping[int, SeekerSide]:
        missing = [i for i in ids if i not in self.known]
        if missing:
            self.known.update(resume_sides(missing))
        return {i: self.known[i].seeker for i in ids if i in self.known}
