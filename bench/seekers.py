"""Many processed resumes, fast, for the benchmarks that need thousands of seekers (candidates, alerts).

The Kaggle resumes (../shared/data/kaggle-resume-dataset) with their profiles and embeddings from the
evaluation cache under the data dir (computed on first use), repeated until there are N, each repeat's
vector jittered so no two are equal, written as done resumes and put in the recruiter-side indexes.
Call after django.setup().
"""

from __future__ import annotations

import secrets
import sys
from typing import Any

import numpy as np


def bench_resumes(owners: list[Any], n: int, *, discoverable: bool = True) -> list[Any]:
    """n done resumes, the i-th owned by owners[i % len(owners)], indexed for the recruiter side."""
    from django.conf import settings

    from resumes.models import Resume
    from search.evaluation.cache import cached_embeddings, cached_heads, cached_profiles
    from search.evaluation.datasets import load_resumes
    from search.indexing.engine import get_engine
    from search.indexing.resume_index import resume_placements, resumes_index_write
    from search.ranking.domain import resume_domain_probabilities
    from search.ranking.sides import query_text

    engine = get_engine()
    source = load_resumes(settings.SHARED_DATA_DIR / "kaggle-resume-dataset" / "resumes_train.parquet")
    cache = settings.DATA_DIR / "cache"
    print(f"reading {len(source)} resumes (cached under {cache})...", file=sys.stderr)
    profiles = cached_profiles([r.text for r in source], cache / "profiles")
    queries = [query_text(text=r.text, profile=p) for r, p in zip(source, profiles, strict=True)]
    vecs = cached_embeddings(queries, cache / "embeddings")
    heads = cached_heads(queries, cache / "embeddings")
    probs = (
        resume_domain_probabilities(engine.domain.estimator, vecs, profiles, queries, heads)
        if engine.domain is not None
        else [None] * len(source)
    )
    run = secrets.token_hex(6)  # stored names are unique across runs and benchmarks
    rows = []
    for k in range(n):
        i = k % len(source)
        rows.append(
            Resume(
                owner=owners[k % len(owners)],
                original_name=f"{source[i].id}.txt",
                stored_name=f"{run}{k:020x}",
                content_type="text/plain",
                size=len(source[i].text),
                sha256="0" * 64,
                status=Resume.Status.DONE,
                text=source[i].text,
                profile=profiles[i],
                discoverable=discoverable,
                external_id=f"bench-{k}",
            )
        )
    Resume.objects.bulk_create(rows, batch_size=2000)
    made = list(Resume.objects.filter(external_id__startswith="bench-", owner__in=owners).order_by("id"))
    rng = np.random.default_rng(7)
    places = resume_placements(profiles, heads)
    items = []
    for k, resume in enumerate(made):
        i = k % len(source)
        v = vecs[i] if k < len(source) else vecs[i] + rng.normal(0, 0.01, vecs.shape[1]).astype(np.float32)
        items.append((resume, queries[i], v / np.linalg.norm(v), probs[i], places[i]))
    resumes_index_write(items)
    return made


def bench_resumes_delete(resume_ids: list[int]) -> None:
    from resumes.models import Resume
    from search.indexing.resume_index import resumes_unindex

    resumes_unindex(resume_ids=sorted(resume_ids))
    Resume.objects.filter(pk__in=resume_ids).delete()
