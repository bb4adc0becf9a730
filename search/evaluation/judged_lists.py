"""The ranked lists the judged set grades and scores: each stage of the served pipeline and the simple
baseline, for the judged resumes (postings for a seeker) and the judged postings (resumes for a
recruiter), on the data dir's indexes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from search.indexing.documents import posting_keyword_text
from search.indexing.engine import Engine
from search.models import JobPosting
from search.ranking.diversity import duplicate_key
from search.ranking.pipeline import Pool, stage_orders
from search.ranking.sides import query_text

from .baselines import TfidfBlend
from .cache import cached_embeddings, cached_heads, cached_profiles
from .datasets import load_resumes, split_resumes
from .judged import RECRUITER, SEEKER, JudgedQuery, JudgedSet, JudgedTable, resume_texts, score_list
from .stages import posting_key, recruiter_pools, seeker_stage_lists

BLEND_DEPTH = 20
BEST_JUDGED = "best judged"  # the query's graded items, best grade first: the ceiling of the shares


def best_judged(grades: dict[str, int]) -> list[str]:
    """A query's graded items, best grade first: what a list could reach among the items judged (a
    recruiter's pool may hold fewer than ten plausible resumes for a posting)."""
    return sorted(grades, key=lambda item: (-grades[item], item))


@dataclass
class JudgedResumes:
    """The resumes the judged set reads, with their profiles and embeddings (cached)."""

    ids: list[str]
    texts: dict[str, str]
    profiles: list[dict[str, object]]
    queries: list[str]
    vecs: object
    heads: object

    def index(self, rid: str) -> int:
        return self.ids.index(rid)


def kaggle(shared: Path) -> Path:
    return shared / "kaggle-resume-dataset" / "resumes_train.parquet"


def recruiter_pool(shared: Path, judged: JudgedSet) -> list[str]:
    """The resumes a recruiter's judged list is ranked among: our held-out split of the Kaggle set (when
    it is at hand), the judged seekers' resumes and the set's own."""
    ids = []
    if kaggle(shared).exists():
        _, test = split_resumes(load_resumes(kaggle(shared)))
        ids = [f"kaggle-{r.id}" for r in sorted(test, key=lambda r: r.id)]
    return list(dict.fromkeys(ids + [q.id for q in judged.of(SEEKER)] + list(judged.own)))


def read_resumes(ids: Sequence[str], shared: Path, judged: JudgedSet) -> JudgedResumes:
    texts = resume_texts(ids, shared, judged.own)
    cache = settings.DATA_DIR / "cache"
    profiles = cached_profiles([texts[i] for i in ids], cache / "profiles")
    queries = [query_text(text=texts[i], profile=p) for i, p in zip(ids, profiles, strict=True)]
    return JudgedResumes(
        list(ids),
        texts,
        profiles,
        queries,
        cached_embeddings(queries, cache / "embeddings"),
        cached_heads(queries, cache / "embeddings"),
    )


def domain_training(shared: Path, judged: JudgedSet) -> tuple[list[str], list[str]]:
    """The labelled resumes the baseline's domain model learns from: our Kaggle train split when it is at
    hand, else the set's own resumes that carry a category."""
    if kaggle(shared).exists():
        train, _ = split_resumes(load_resumes(kaggle(shared)))
        return [r.text for r in train], [r.category for r in train]
    own = [r for r in judged.own.values() if r.category]
    return [r.text for r in own], [r.category for r in own]


def posting_blend(shared: Path, judged: JudgedSet) -> TfidfBlend:
    """The simple baseline over every open posting."""
    keys, texts = [], []
    fields = ("source", "external_id", "title", "company", "description", "industries", "job_functions")
    for p in JobPosting.objects.open().only(*fields, "skills", "occupation_title").iterator(chunk_size=5000):
        keys.append(posting_key(p))
        texts.append(posting_keyword_text(p))
    return TfidfBlend.fit(keys, texts, *domain_training(shared, judged))


def postings_named(keys: Sequence[str]) -> dict[str, JobPosting]:
    found = {}
    for key in keys:
        source, ext = key.split(":", 1)
        p = JobPosting.objects.filter(source=source, external_id=ext).first()
        if p is not None:
            found[key] = p
    return found


def seeker_lists(
    queries: Sequence[JudgedQuery], resumes: JudgedResumes, engine: Engine, blend: TfidfBlend
) -> Iterator[tuple[JudgedQuery, dict[str, list[str]], dict[str, JobPosting]]]:
    """For each judged resume: each stage's postings (keys), the baseline's, and the postings named."""
    rows = [resumes.index(q.id) for q in queries]
    scorer = engine.reranker.estimator if engine.reranker is not None else None
    lists = seeker_stage_lists(
        [resumes.profiles[i] for i in rows],
        [resumes.queries[i] for i in rows],
        [resumes.vecs[i] for i in rows],  # type: ignore[index]
        [resumes.heads[i] for i in rows],  # type: ignore[index]
        scorer,
    )
    for q, (stages, postings) in zip(queries, lists, strict=True):
        stages["blend"] = blend.rank(resumes.texts[q.id], BLEND_DEPTH)
        missing = [k for k in stages["blend"] if k not in postings]
        postings.update(postings_named(missing))
        yield q, stages, postings


def judged_pools(resumes: JudgedResumes, postings: Sequence[JobPosting], engine: Engine) -> Iterator[Pool]:
    """For each posting, the judged resumes retrieved for it with the features of each pair (the
    recruiter direction's pools, as `recruiter_pools` makes them)."""
    return recruiter_pools(
        resumes.profiles,  # type: ignore[arg-type]
        resumes.queries,
        resumes.vecs,  # type: ignore[arg-type]
        resumes.heads,  # type: ignore[arg-type]
        postings,
        engine,
    )


def recruiter_lists(
    queries: Sequence[JudgedQuery], resumes: JudgedResumes, engine: Engine, shared: Path, judged: JudgedSet
) -> Iterator[tuple[JudgedQuery, dict[str, list[str]], JobPosting]]:
    """For each judged posting: each stage's resumes (ids) among `resumes`, and the baseline's."""
    postings = postings_named([q.id for q in queries])
    chosen = [q for q in queries if q.id in postings]
    blend = TfidfBlend.fit(resumes.ids, resumes.queries, *domain_training(shared, judged))
    scorer = engine.reranker.estimator if engine.reranker is not None else None
    orders = (stage_orders(pool, scorer) for pool in judged_pools(resumes, [postings[q.id] for q in chosen], engine))
    for q, stages in zip(chosen, orders, strict=True):
        named = {s: [resumes.ids[i] for i in order] for s, order in stages.items()}
        named["blend"] = blend.rank(posting_keyword_text(postings[q.id]), BLEND_DEPTH)
        yield q, named, postings[q.id]


def posting_card(p: JobPosting, description_chars: int = 900) -> dict[str, object]:
    """What a grader reads of a posting."""
    pay = ""
    if p.salary_min or p.salary_max:
        pay = f"{p.salary_currency} {p.salary_min or ''}-{p.salary_max or ''} {p.salary_period}".strip()
    return {
        "title": p.title,
        "company": p.company,
        "location": p.location,
        "level": p.experience_level,
        "work_type": p.work_type,
        "functions": p.job_functions,
        "industries": p.industries,
        "pay": pay,
        "description": p.description[:description_chars],
    }


def judged_tables(
    split: str, engine: Engine, shared: Path, judged: JudgedSet, resumes: JudgedResumes | None = None
) -> tuple[JudgedTable, JudgedTable]:
    """Every stage and the simple baseline scored on the judged queries of a split ("dev", "test" or
    "all"): (seekers' lists of postings, recruiters' lists of resumes). `resumes`: the recruiter pool
    already read, if the caller has it."""
    if resumes is None:
        resumes = read_resumes(recruiter_pool(shared, judged), shared, judged)
    seekers = JudgedTable()
    for q, stages, postings in seeker_lists(judged.of(SEEKER, split), resumes, engine, posting_blend(shared, judged)):
        grades = judged.grades.for_query(SEEKER, q.id)
        cards = {k: duplicate_key(p.title, p.company, p.location) for k, p in postings.items()}
        for ranker, items in stages.items():
            seekers.add(ranker, score_list(items, grades, same=lambda k, known=cards: known.get(k, k)))
        seekers.add(BEST_JUDGED, score_list(best_judged(grades), grades))
    recruiters = JudgedTable()
    for q, stages, _ in recruiter_lists(judged.of(RECRUITER, split), resumes, engine, shared, judged):
        grades = judged.grades.for_query(RECRUITER, q.id)
        for ranker, items in stages.items():
            recruiters.add(ranker, score_list(items, grades))
        recruiters.add(BEST_JUDGED, score_list(best_judged(grades), grades))
    return seekers, recruiters
