#!/usr/bin/env python
"""JobMatch benchmark: import, index and recommend on the real LinkedIn 2023 postings.

    python bench/run.py [--postings N] [--resumes M] [--json]

Builds a fresh data dir, imports the postings (all 33,246 by default), builds the
indexes, then runs the worker's matching code over M real resume files (the Kaggle
PDF fixtures, then the sample DOCX files) in a separate process, and prints medians
and p95 per stage plus that process's peak memory. Nothing here is a test: numbers
depend on the machine. With --json the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("JOBMATCH_SHARED_DATA", ROOT.parent / "shared" / "data"))
STAGES = ["extract", "understand", "embed", "bm25", "vectors", "fuse", "features", "rerank"]


def manage(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{r.stderr[-3000:]}")
    return time.perf_counter() - t0, r.stdout.strip()


def resume_files(n: int) -> list[str]:
    pdfs = sorted((SHARED / "kaggle-resume-dataset" / "pdf_fixtures").glob("*/*.pdf"))
    docx = sorted((SHARED / "sample-resumes-docx").glob("*.docx"))
    files = [str(p) for p in pdfs + docx]
    return (files * (n // max(len(files), 1) + 1))[:n]


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))] if s else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--postings", type=int, help="import only the first N postings (default: all)")
    ap.add_argument("--resumes", type=int, default=50)
    ap.add_argument("--data-dir", type=Path, help="default: a new temporary folder")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="jobmatch-bench-"))
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "QDRANT_URL"}}
    env.update(
        JOBMATCH_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="jobmatch.settings.base",
        HF_HUB_OFFLINE="1",
        JOBMATCH_LOG_LEVEL="WARNING",
    )

    manage(["migrate", "--noinput", "-v", "0"], env)
    limit = ["--limit", str(args.postings)] if args.postings else []
    import_s, import_out = manage(
        ["import_jobs", str(SHARED / "linkedin-job-postings-2023"), "--format", "linkedin-2023", *limit], env
    )
    created = int(import_out.split("created ")[1].split(",")[0])
    index_s, index_out = manage(["build_index", "--no-progress"], env)

    files = resume_files(args.resumes)
    t0 = time.perf_counter()
    r = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "recommend_worker.py"), *files],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        sys.exit(f"recommend worker failed:\n{r.stderr[-3000:]}")
    worker = json.loads(r.stdout.strip().splitlines()[-1])
    recommend_s = time.perf_counter() - t0

    stage = {s: [t.get(s, 0.0) for t in worker["timings"]] for s in STAGES}
    after_extract = [sum(t.get(s, 0.0) for s in STAGES if s != "extract") for t in worker["timings"]]
    ranking = [sum(t.get(s, 0.0) for s in STAGES if s not in {"extract", "understand"}) for t in worker["timings"]]
    result = {
        "postings": created,
        "resumes": len(worker["timings"]),
        "import_s": round(import_s, 1),
        "import_rate": round(created / import_s, 1),
        "index_s": round(index_s, 1),
        "index_rate": round(created / index_s, 1),
        "index_detail": index_out,
        "recommend_p50_ms": round(pct(after_extract, 0.5), 1),
        "recommend_p95_ms": round(pct(after_extract, 0.95), 1),
        "ranking_p50_ms": round(pct(ranking, 0.5), 1),
        "ranking_p95_ms": round(pct(ranking, 0.95), 1),
        "stages_ms": {s: {"p50": round(pct(v, 0.5), 1), "p95": round(pct(v, 0.95), 1)} for s, v in stage.items()},
        "worker_startup_s": worker["startup_s"],
        "worker_rss_mb": worker["max_rss_mb"],
        "recommend_total_s": round(recommend_s, 1),
        "data_dir": str(data_dir),
    }
    print(f"postings imported        {created:>10,}   in {import_s:7.1f} s  ({result['import_rate']:,.0f}/s)")
    print(f"indexes built            {created:>10,}   in {index_s:7.1f} s  ({result['index_rate']:,.0f}/s)")
    print(f"  {index_out}")
    print(f"recommendations over {result['resumes']} resume files (ms)")
    print(f"  {'stage':<26}{'p50':>9}{'p95':>9}")
    for s in STAGES:
        print(f"  {s:<26}{result['stages_ms'][s]['p50']:>9.1f}{result['stages_ms'][s]['p95']:>9.1f}")
    print(f"  {'ranking (after the profile)':<26}{result['ranking_p50_ms']:>9.1f}{result['ranking_p95_ms']:>9.1f}")
    print(f"  {'total after extraction':<26}{result['recommend_p50_ms']:>9.1f}{result['recommend_p95_ms']:>9.1f}")
    print(f"worker peak RSS          {result['worker_rss_mb']:>10.0f} MB (model load {worker['startup_s']} s)")
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
