#!/usr/bin/env python
"""Candidates for a posting among N discoverable resumes: the recruiter direction's speed.

    JOBMATCH_DATA_DIR=<indexed data dir> python bench/candidates.py [--resumes 10000] [--postings 50] [--json]

Loads N discoverable resumes made of the Kaggle resumes (bench/seekers.py) into the recruiter-side
indexes; then ranks candidates for postings drawn from the data dir's indexed
postings and prints p50 / p95 of `resumes_for_posting` (retrieval, features, re-ranking) and of
`candidates_refresh` (the worker task: visibility query, index check, ranking, storing rows), per
stage, plus peak memory. The resumes are deleted again at the end. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobmatch.settings.base")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
from run import pct  # noqa: E402  (bench/ is on the path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--resumes", type=int, default=10_000)
    ap.add_argument("--postings", type=int, default=50)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from seekers import bench_resumes, bench_resumes_delete

    from resumes.models import Resume
    from search.indexing.engine import get_engine, reset_engine
    from search.matching.recruiters import candidates_refresh, resumes_for_posting
    from search.models import JobPosting

    engine = get_engine()
    if len(engine.bm25) == 0:
        sys.exit(f"no postings indexed under {settings.DATA_DIR}: run import_jobs and build_index there first")
    owner, _ = get_user_model().objects.get_or_create(username="bench-candidates")
    bench_resumes_delete(list(Resume.objects.filter(owner=owner).values_list("id", flat=True)))  # left by a crash
    t0 = time.perf_counter()
    made = bench_resumes([owner], args.resumes)
    load_s = time.perf_counter() - t0
    print(f"{len(made)} resumes indexed in {load_s:.0f} s", file=sys.stderr)

    allowed = {r.pk for r in made}
    ids = list(JobPosting.objects.open().values_list("id", flat=True))
    postings = list(JobPosting.objects.filter(id__in=random.Random(7).sample(ids, min(args.postings, len(ids)))))
    resumes_for_posting(posting=postings[0], allowed=allowed)  # warm up
    rank_ms, task_ms, stages = [], [], {}
    for p in postings:
        t = time.perf_counter()
        result = resumes_for_posting(posting=p, allowed=allowed)
        rank_ms.append((time.perf_counter() - t) * 1000)
        for stage, ms in result.timings.ms.items():
            stages.setdefault(stage, []).append(ms)
        t = time.perf_counter()
        candidates_refresh(posting=p)
        task_ms.append((time.perf_counter() - t) * 1000)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    bench_resumes_delete(sorted(allowed))
    owner.delete()
    reset_engine()

    report = {
        "resumes": len(made),
        "postings": len(postings),
        "postings_indexed": len(ids),
        "rank_p50_ms": round(pct(rank_ms, 0.5), 1),
        "rank_p95_ms": round(pct(rank_ms, 0.95), 1),
        "task_p50_ms": round(pct(task_ms, 0.5), 1),
        "task_p95_ms": round(pct(task_ms, 0.95), 1),
        "stages_p50_ms": {k: round(pct(v, 0.5), 1) for k, v in stages.items()},
        "load_seconds": round(load_s, 1),
        "peak_rss_mb": round(rss_mb),
    }
    print(f"candidates among {report['resumes']:,} discoverable resumes, {report['postings']} postings")
    print(f"{'':<28}{'p50 ms':>10}{'p95 ms':>10}")
    print(f"{'resumes_for_posting':<28}{report['rank_p50_ms']:>10}{report['rank_p95_ms']:>10}")
    print(f"{'candidates_refresh (task)':<28}{report['task_p50_ms']:>10}{report['task_p95_ms']:>10}")
    for stage, ms in report["stages_p50_ms"].items():
        print(f"  {stage:<26}{ms:>10}")
    print(f"peak RSS {report['peak_rss_mb']} MB; loading and indexing the resumes took {report['load_seconds']} s")
    if args.json:
        print(json.dumps(report))


if __name__ == "__main__":
    main()
