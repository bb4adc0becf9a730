"""Golden rankings: for 20 held-out resumes of the Kaggle set (one per category) on the test corpus, the
order every stage gives (evaluate_ranking, both directions), the served top ten with its scores and
reasons, a personalised and a filtered top ten, and a posting's candidates, exactly as recorded in
tests/fixtures/golden/rankings.json.

A change to any part of ranking that moves a result fails it. Embeddings run in fp32 (test settings), and
scores and features are compared to within TOLERANCE, reasons hashed with their numbers rounded: the same
code gives the same lists on any CPU, where float sums differ in their last bits. A deliberate change
records the file again: `GOLDEN_RECORD=1 pytest tests/search/evaluation/test_golden_rankings.py` (then read the diff of
the file before committing it).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.conftest import FIXTURES, make_resume

GOLDEN = FIXTURES / "golden" / "rankings.json"
PARQUET = Path(settings.SHARED_DATA_DIR) / "kaggle-resume-dataset" / "resumes_train.parquet"
RECORD = os.environ.get("GOLDEN_RECORD") == "1"
TOLERANCE = 1e-3  # far below any gap a change to ranking makes, far above float noise across CPUs

pytestmark = pytest.mark.skipif(not PARQUET.exists(), reason="shared data not beside the repository")


def key(p: Any) -> str:
    return f"{p.source}:{p.external_id}"


def rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(v) for v in value]
    return value


def why_hash(why: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(rounded(why), sort_keys=True).encode()).hexdigest()[:16]


def same(got: Any, want: Any) -> bool:
    """Equal, numbers to within TOLERANCE."""
    if isinstance(want, float) or isinstance(got, float):
        return isinstance(got, int | float) and isinstance(want, int | float) and abs(got - want) <= TOLERANCE
    if isinstance(want, dict):
        return isinstance(got, dict) and got.keys() == want.keys() and all(same(got[k], want[k]) for k in want)
    if isinstance(want, list):
        return (
            isinstance(got, list) and len(got) == len(want) and all(same(g, w) for g, w in zip(got, want, strict=True))
        )
    return bool(got == want)


def golden_resumes() -> list[Any]:
    from search.evaluation.datasets import load_resumes, split_resumes

    _, test = split_resumes(load_resumes(PARQUET))
    first: dict[str, Any] = {}
    for r in sorted(test, key=lambda r: r.id):
        first.setdefault(r.category, r)
    return [first[c] for c in sorted(first)][:20]


def rankings(seeker: Any, tmp_path: Path) -> dict[str, Any]:
    import numpy as np

    from resumes.models import Resume
    from search.evaluation.cache import cached_embeddings, cached_heads, cached_profiles
    from search.evaluation.stages import recruiter_rankings
    from search.filters import Filters
    from search.indexing.engine import get_engine
    from search.indexing.resume_index import resumes_index_missing
    from search.matching.recruiters import resumes_for_posting
    from search.matching.seekers import candidate_pool, jobs_for_text
    from search.models import JobPosting
    from search.ranking.personalise import Personal
    from search.ranking.pipeline import MAX_PER_EMPLOYER, stage_orders
    from search.ranking.sides import query_text

    engine = get_engine()
    scorer = engine.reranker.estimator
    resumes = golden_resumes()
    profiles = cached_profiles([r.text for r in resumes], tmp_path / "profiles")
    queries = [query_text(text=r.text, profile=p) for r, p in zip(resumes, profiles, strict=True)]
    vecs = cached_embeddings(queries, tmp_path / "embeddings")
    heads = cached_heads(queries, tmp_path / "embeddings")
    by_id = {p.pk: p for p in JobPosting.objects.all()}
    out: dict[str, Any] = {"resumes": [r.id for r in resumes], "seekers": [], "recruiters": [], "candidates": []}
    for r, profile, q, vec, head in zip(resumes, profiles, queries, vecs, heads, strict=True):
        found = candidate_pool(text=q, profile=profile, query_vec=vec, head_vec=head)
        orders = stage_orders(found.pool, scorer, per_employer=MAX_PER_EMPLOYER)
        plain = jobs_for_text(text=q, profile=profile, query_vec=vec)
        top = [i.posting.pk for i in plain.items]
        personal = Personal(
            resume_id=None,
            excluded=frozenset(top[:1]),
            unwanted=tuple(top[1:2]),
            liked=tuple(top[2:3]),
            levels=(1, 3),
            notes={"seniority": "Entry level to Mid-Senior level"},
        )
        mine = jobs_for_text(text=q, profile=profile, query_vec=vec, personal=personal)
        filtered = jobs_for_text(text=q, profile=profile, query_vec=vec, filters=Filters(work_types=("Full-time",)))
        out["seekers"].append(
            {
                "id": r.id,
                "category": r.category,
                "domain": plain.domain,
                "stages": {s: [key(by_id[i]) for i in o[:10]] for s, o in orders.items()},
                "top": [[key(i.posting), round(i.candidate.final_score, 5)] for i in plain.items],
                "why": [why_hash(i.why) for i in plain.items],
                "features": [i.features for i in plain.items[:3]],
                "personalised": [[key(i.posting), round(i.candidate.final_score, 5)] for i in mine.items],
                "personal_why": [why_hash(i.why) for i in mine.items],
                "filtered": [key(i.posting) for i in filtered.items],
                "passed_filters": filtered.passed_filters,
            }
        )

    # One posting of a declared domain per category of the resumes (at most 12), ranked among the resumes
    # as evaluate_ranking's recruiter direction ranks them.
    cats = Counter(r.category for r in resumes)
    chosen: list[Any] = []
    for p in JobPosting.objects.exclude(declared_domain="").order_by("source", "external_id"):
        if p.declared_domain in cats and all(c.declared_domain != p.declared_domain for c in chosen):
            chosen.append(p)
    chosen = chosen[:12]
    for p, stages in zip(chosen, recruiter_rankings(profiles, queries, vecs, heads, chosen, engine), strict=True):
        out["recruiters"].append({"posting": key(p), "stages": {s: o[:10] for s, o in stages.items()}})

    # The served recruiter path: the resumes indexed for recruiters, candidates for the same postings.
    rows = [
        make_resume(seeker, text=r.text, profile=pr, discoverable=True) for r, pr in zip(resumes, profiles, strict=True)
    ]
    position = {row.pk: n for n, row in enumerate(rows)}
    resumes_index_missing(resumes=Resume.objects.filter(pk__in=list(position)))
    for p in chosen:
        result = resumes_for_posting(posting=p, allowed=set(position), k=10, include={rows[0].pk})
        out["candidates"].append(
            {
                "posting": key(p),
                "ranked": [[position[i.resume_id], round(i.score, 5)] for i in result.items],
                "why": [why_hash(i.why) for i in result.items],
            }
        )
    assert np.isfinite(vecs).all()
    return out


def test_every_stage_and_both_directions_rank_as_recorded(corpus, seeker, tmp_path):
    got = json.loads(json.dumps(rankings(seeker, tmp_path)))  # tuples as lists, as the file holds them
    if RECORD:
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(got, indent=1) + "\n")
    want = json.loads(GOLDEN.read_text())
    assert got["resumes"] == want["resumes"]
    for mine, theirs in zip(got["seekers"], want["seekers"], strict=True):
        differ = [k for k in theirs if not same(mine.get(k), theirs[k])]
        assert not differ, f"seeker {theirs['id']} ({theirs['category']}) ranks differently: {differ}"
    for mine, theirs in zip(got["recruiters"], want["recruiters"], strict=True):
        assert same(mine, theirs), f"posting {theirs['posting']}: the resumes rank differently"
    for mine, theirs in zip(got["candidates"], want["candidates"], strict=True):
        assert same(mine, theirs), f"posting {theirs['posting']}: the candidates rank differently"
    assert len(got["seekers"]) == 20 and len(got["recruiters"]) == len(got["candidates"]) > 0
