#!/usr/bin/env python
"""The fresh top ten of resumes already matched: what `search.refresh_recommendations` does for every
resume whose results lost a posting (closed, expired) or whose seeker gave feedback.

    JOBMATCH_DATA_DIR=<indexed data dir> python bench/refresh.py [--resumes 100] [--json]

Makes N done resumes of the Kaggle resumes (../shared/data/kaggle-resume-dataset, profiles read
here), matches each once (`recommendations_refresh`: the first match, as the worker's matching
stage does it), then refreshes each one, its text unchanged, and prints both passes' latency per
stage at p50/p95. Everything it created is deleted at the end. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobmatch.settings.base")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
USERNAME = "bench-refresh"
from run import pct  # noqa: E402  (bench/ is on the path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--resumes", type=int, default=100)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    import django

    django.setup()
    import secrets

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from seekers import bench_resumes_delete

    from resumes.models import Resume
    from resumes.services import profile_read
    from search.evaluation.datasets import load_resumes
    from search.indexing.engine import get_engine, reset_engine
    from search.matching.seekers import jobs_for_text, recommendations_refresh

    if len(get_engine().bm25) == 0:
        sys.exit(f"no postings indexed under {settings.DATA_DIR}: run import_jobs and build_index there first")
    User = get_user_model()
    left = list(Resume.objects.filter(owner__username=USERNAME).values_list("id", flat=True))
    bench_resumes_delete(left)  # left by an interrupted run: rows and index entries
    owner, _ = User.objects.get_or_create(username=USERNAME)
    source = load_resumes(settings.SHARED_DATA_DIR / "kaggle-resume-dataset" / "resumes_train.parquet")
    source = source[:: max(1, len(source) // args.resumes)][: args.resumes]  # every category, spread out
    run = secrets.token_hex(6)
    made = [
        Resume.objects.create(
            owner=owner,
            original_name=f"{r.id}.txt",
            stored_name=f"{run}{k:020x}",
            content_type="text/plain",
            size=len(r.text),
            sha256="0" * 64,
            status=Resume.Status.DONE,
            text=r.text,
            profile=profile_read(text=r.text),
        )
        for k, r in enumerate(source)
    ]
    jobs_for_text(text="warm up the models and indexes before timing")
    passes: dict[str, list[dict[str, float]]] = {"first match": [], "refresh": []}
    try:
        for timings in passes.values():
            for resume in made:
                t = time.perf_counter()
                result = recommendations_refresh(resume=resume)
                timings.append({**result.timings.ms, "total": (time.perf_counter() - t) * 1000})
    finally:
        bench_resumes_delete([r.pk for r in made])
        User.objects.filter(username=USERNAME).delete()
        reset_engine()
    report: dict[str, object] = {"resumes": len(made)}
    for name, timings in passes.items():
        stages = sorted({s for t in timings for s in t}, key=lambda s: (s == "total", s))
        p50 = {s: round(pct([t.get(s, 0.0) for t in timings], 0.5), 1) for s in stages}
        total_p95 = round(pct([t["total"] for t in timings], 0.95), 1)
        report[name] = {"p50_ms": p50, "total_p95_ms": total_p95}
        print(f"{name} of {len(made)} resumes (ms at p50; a stage a resume skipped counts 0)")
        for s in stages:
            print(f"  {s:<18}{p50[s]:>9.1f}" + (f"   p95 {total_p95:.1f}" if s == "total" else ""))
    if args.json:
        print(json.dumps(report))


if __name__ == "__main__":
    main()
