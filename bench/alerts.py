#!/usr/bin/env python
"""One job-alert run for N seekers: the time a daily digest takes.

    JOBMATCH_DATA_DIR=<indexed data dir> python bench/alerts.py [--seekers 10000] [--new 200] [--json]

Creates N seekers with an email address and daily alerts, each with one resume made of the Kaggle
resumes (bench/seekers.py, indexed for the recruiter side), makes `--new` of the data dir's indexed
postings arrive after the seekers' last alert, and times `alerts_send` (ranking each new posting
among the seekers' resumes, filters and feedback, building and sending the emails through Django's
in-memory backend). Everything it created is deleted at the end. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
PREFIX = "bench-alerts-"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seekers", type=int, default=10_000)
    ap.add_argument("--new", type=int, default=200, help="postings that arrived since the last alert")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core import mail
    from django.utils import timezone
    from seekers import bench_resumes, bench_resumes_delete

    from search.indexing.engine import get_engine, reset_engine
    from search.matching import digests
    from search.models import AlertSettings, JobPosting

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    engine = get_engine()
    if len(engine.bm25) == 0:
        sys.exit(f"no postings indexed under {settings.DATA_DIR}: run import_jobs and build_index there first")
    User = get_user_model()
    from resumes.models import Resume

    left = list(Resume.objects.filter(owner__username__startswith=PREFIX).values_list("id", flat=True))
    bench_resumes_delete(left)  # left by an interrupted run: rows and index entries
    User.objects.filter(username__startswith=PREFIX).delete()
    now = timezone.now()
    t0 = time.perf_counter()
    User.objects.bulk_create(
        [User(username=f"{PREFIX}{i}", email=f"seeker{i}@example.org") for i in range(args.seekers)], batch_size=2000
    )
    users = list(User.objects.filter(username__startswith=PREFIX).order_by("id"))
    AlertSettings.objects.bulk_create(
        [AlertSettings(user=u, frequency="daily", since=now - dt.timedelta(hours=1)) for u in users], batch_size=2000
    )
    made = bench_resumes(users, args.seekers)
    load_s = time.perf_counter() - t0
    print(f"{len(made)} seekers and resumes made in {load_s:.0f} s", file=sys.stderr)

    ids = list(JobPosting.objects.open().values_list("id", flat=True))
    new = random.Random(7).sample(ids, min(args.new, len(ids)))
    # Exactly `--new` postings arrive in the window: the chosen ones now, any other posting created
    # inside the window (a data dir imported within the hour) moved before it for the run.
    window_start = now - dt.timedelta(hours=1)
    recent = JobPosting.objects.filter(created_at__gte=window_start).exclude(id__in=new)
    old_created = dict(JobPosting.objects.filter(id__in=new).values_list("id", "created_at"))
    old_created.update(recent.values_list("id", "created_at"))
    recent.update(created_at=window_start - dt.timedelta(days=1))
    JobPosting.objects.filter(id__in=new).update(created_at=now)
    try:
        t = time.perf_counter()
        run = digests.alerts_send(now=now + dt.timedelta(minutes=1))
        run_s = time.perf_counter() - t
    finally:
        for pid, created in old_created.items():
            JobPosting.objects.filter(pk=pid).update(created_at=created)
        bench_resumes_delete([r.pk for r in made])
        User.objects.filter(username__startswith=PREFIX).delete()
        reset_engine()
    sizes = [len(items) for items in run.digests.values()]
    report = {
        "seekers": args.seekers,
        "new_postings": run.new_postings,
        "run_seconds": round(run_s, 1),
        "emails": run.sent,
        "nothing_new": run.empty,
        "items_per_email_mean": round(sum(sizes) / len(sizes), 2) if sizes else 0,
        "load_seconds": round(load_s, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(
        f"job alerts for {report['seekers']:,} daily seekers, {report['new_postings']} new postings: "
        f"{report['run_seconds']} s, {report['emails']:,} emails ({report['items_per_email_mean']} postings each), "
        f"{report['nothing_new']:,} with nothing that fits; peak RSS {report['peak_rss_mb']} MB"
    )
    if args.json:
        print(json.dumps(report))


if __name__ == "__main__":
    main()
