#!/usr/bin/env python
"""Nightly retraining of the personalised re-ranker on N interactions: the time it takes.

    JOBMATCH_DATA_DIR=<data dir with postings> python bench/retrain.py [--interactions 1000000]
        [--seekers 20000] [--json]

Writes N impressions (with features) of the data dir's postings for `--seekers` resumes, spread over
30 days, and the actions that followed them (about one in eight shown postings opened, saved, applied
to or dismissed, by a hidden taste per seeker), then times `personal_train` end to end: reading the
examples from the database, fitting the candidate, the deployment gate, refitting on everything and
saving. Peak memory is the process's. Everything it wrote (rows and the model versions) is deleted at
the end. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobmatch.settings.base")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
OWNER = "bench-retrain"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--interactions", type=int, default=1_000_000)
    ap.add_argument("--seekers", type=int, default=20_000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    import django

    django.setup()
    import numpy as np
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from resumes.models import Resume
    from search import learning
    from search.indexing.artifacts import PERSONAL
    from search.models import Interaction, JobPosting
    from search.ranking.features import FEATURES

    posting_ids = np.asarray(JobPosting.objects.values_list("id", flat=True))
    if not len(posting_ids):
        sys.exit(f"no postings under {settings.DATA_DIR}: run import_jobs there first")
    model_dir = settings.MODEL_DIR / PERSONAL
    before = {p.name for p in model_dir.glob("*")} if model_dir.exists() else set()
    User = get_user_model()
    User.objects.filter(username=OWNER).delete()  # left by an interrupted run
    owner = User.objects.create(username=OWNER)
    rng = np.random.default_rng(7)
    t0 = time.perf_counter()
    Resume.objects.bulk_create(
        [
            Resume(
                owner=owner,
                original_name=f"r{i}.txt",
                stored_name=f"retrain{i:024d}",
                content_type="text/plain",
                size=1,
                sha256="0" * 64,
                status=Resume.Status.DONE,
                text="",
            )
            for i in range(args.seekers)
        ],
        batch_size=5000,
    )
    resume_ids = np.asarray(Resume.objects.filter(owner=owner).values_list("id", flat=True))
    taste = rng.normal(0, 1.5, (len(resume_ids), len(FEATURES)))
    start = timezone.now() - dt.timedelta(days=30)
    kinds = [Interaction.Kind.OPEN, Interaction.Kind.SAVE, Interaction.Kind.APPLY]
    chunk = 50_000
    written = actions = 0
    while written < args.interactions:
        n = min(chunk, args.interactions - written)
        who = rng.integers(0, len(resume_ids), n)
        X = rng.uniform(0, 1, (n, len(FEATURES))).round(4)
        p = 1 / (1 + np.exp(-((X - 0.5) * taste[who]).sum(axis=1) + 2))
        acted = rng.uniform(0, 1, n) < 0.12
        liked = rng.uniform(0, 1, n) < p
        when = [start + dt.timedelta(seconds=float(s)) for s in np.sort(rng.uniform(0, 30 * 86400, n))]
        pids = posting_ids[rng.integers(0, len(posting_ids), n)]
        rows = [
            Interaction(
                resume_id=int(resume_ids[who[i]]),
                posting_id=int(pids[i]),
                kind=Interaction.Kind.IMPRESSION,
                position=int(i % 10) + 1,
                features=X[i].tolist(),
                created_at=when[i],
            )
            for i in range(n)
        ]
        for i in np.flatnonzero(acted):
            kind = kinds[int(rng.integers(0, 3))] if liked[i] else Interaction.Kind.DISMISS
            rows.append(
                Interaction(
                    resume_id=int(resume_ids[who[i]]),
                    posting_id=int(pids[i]),
                    kind=kind,
                    reason="not_relevant" if kind == Interaction.Kind.DISMISS else "",
                    created_at=when[i] + dt.timedelta(seconds=30),
                )
            )
            actions += 1
        Interaction.objects.bulk_create(rows, batch_size=5000)
        written += n
        print(f"  {written:,} impressions written", file=sys.stderr)
    write_s = time.perf_counter() - t0

    try:
        t = time.perf_counter()
        examples = learning.interaction_examples()
        read_s = time.perf_counter() - t
        t = time.perf_counter()
        report = learning.personal_train(examples=examples)
        train_s = time.perf_counter() - t
    finally:
        Resume.objects.filter(owner=owner).delete()  # interactions cascade
        owner.delete()
        for path in model_dir.glob("*"):
            if path.name not in before:
                shutil.rmtree(path)
    result = {
        "interactions": args.interactions + actions,
        "impressions": args.interactions,
        "actions": actions,
        "seekers": args.seekers,
        "examples": len(examples),
        "read_seconds": round(read_s, 1),
        "train_seconds": round(train_s, 1),
        "total_seconds": round(read_s + train_s, 1),
        "deployed": report.deployed,
        "auc_candidate": report.metrics.get("auc_candidate"),
        "auc_global": report.metrics.get("auc_global"),
        "gate": report.metrics,
        "write_seconds": round(write_s, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(
        f"retraining on {result['interactions']:,} interactions ({result['examples']:,} shown pairs, "
        f"{args.seekers:,} seekers): {result['total_seconds']} s (reading {result['read_seconds']} s, "
        f"fitting and gate {result['train_seconds']} s); deployed={report.deployed} ({report.reason}); "
        f"peak RSS {result['peak_rss_mb']} MB"
    )
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
