#!/usr/bin/env python
"""JobMatch benchmark suite: import, index, recommend, candidates and memory on real postings.

    python bench/run.py [--postings N] [--resumes M] [--candidates-resumes R] [--json]
    python bench/run.py --show FILE   # the table of a saved --json run, judged again

Builds a fresh data dir with a corpus of N postings from ../shared/data: the 33,246 LinkedIn 2023
postings, then every full-text set (NHS, Adzuna UK, Built In AI, LinkedIn 2024), and, past the
~53,300 real ones, copies of the full-text postings with light variation (a new id and another
posting's location) to fill the count; the output says how many are copies. It imports them,
builds the indexes (embeddings, vectors and BM25 timed separately), then, in a separate process,
runs the worker's matching code over M real resume files (the Kaggle PDF fixtures, then the
sample DOCX files) and prints medians and p95 per stage and that process's peak memory; side by
side in the same process, Qdrant's top 100 against an exact NumPy scan over the same vectors and
the served BM25 query against rank_bm25's own get_scores. Then the web process's peak memory
(runserver serving the pages, torch never imported) and, with --candidates-resumes, the
candidates-for-a-posting latency among R resumes (bench/candidates.py). Last, issue 7's goals, each
met or not, and when not, its cause in the run's own stage figures (bench/goals.py). Nothing here
is a test: numbers depend on the machine. With --json the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from goals import RECOMMEND_STAGES, format_goals, goal_report

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("JOBMATCH_SHARED_DATA", ROOT.parent / "shared" / "data"))
STAGES = ["extract", *RECOMMEND_STAGES]  # the worker's stages, text extraction first


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


FULL_TEXT = ["job-postings-nhs", "job-postings-adzuna-uk", "job-postings-builtin-ai", "job-postings-linkedin-2024"]


def build_corpus(n: int | None, data_dir: Path) -> dict[str, Any]:
    """The files to import for n postings (all real ones when n is None), copies written if needed."""
    linkedin = SHARED / "linkedin-job-postings-2023"
    files: list[tuple[Path, str, list[str]]] = []
    sources: dict[str, int] = {}
    remaining = n if n is not None else 10**9
    with (
        gzip.open(linkedin / "job_postings.csv.gz", "rt")
        if (linkedin / "job_postings.csv.gz").exists()
        else open(linkedin / "job_postings.csv") as fh
    ):
        linkedin_rows = sum(1 for _ in csv.reader(fh)) - 1
    take = min(remaining, linkedin_rows)
    subset = data_dir / "corpus"
    subset.mkdir(parents=True, exist_ok=True)
    records: list[dict[str, Any]] = []
    for name in FULL_TEXT:
        with gzip.open(SHARED / name / "postings.jsonl.gz", "rt", encoding="utf-8") as fh:
            records += [json.loads(line) for line in fh if line.strip()]
    if take < linkedin_rows:  # fewer than the LinkedIn set: only its first rows
        return {
            "files": [(linkedin, "linkedin-2023", ["--limit", str(take)])],
            "sources": {"linkedin-2023": take},
            "copies": 0,
        }
    files.append((linkedin, "linkedin-2023", []))
    sources["linkedin-2023"] = linkedin_rows
    remaining -= linkedin_rows
    real = records[: max(0, remaining)]
    copies: list[dict[str, Any]] = []
    if n is not None and remaining > len(records):
        locations = [r.get("location") for r in records if r.get("location")]
        for i in range(remaining - len(records)):
            r = dict(records[i % len(records)])
            r["id"] = f"{r['id']}~copy{i // len(records) + 1}"
            r["location"] = locations[(i * 7919) % len(locations)]
            copies.append(r)
    path = subset / "full-text.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for r in real + copies:
            out.write(json.dumps(r) + "\n")
    files.append((path, "jsonl", []))
    for r in real:
        sources[str(r.get("source"))] = sources.get(str(r.get("source")), 0) + 1
    return {"files": files, "sources": sources, "copies": len(copies)}


def web_process_memory(env: dict[str, str], requests: int = 200) -> dict[str, Any]:
    """Serve pages from `runserver` (a seeker's list, postings, the login page) and read its peak RSS."""
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    setup = (
        "import django; django.setup()\n"
        "from django.contrib.auth import get_user_model\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "from search.models import JobPosting\n"
        "u, _ = get_user_model().objects.get_or_create(username='bench-web')\n"
        "s = SessionStore(); s['_auth_user_id'] = str(u.pk);"
        " s['_auth_user_backend'] = 'django.contrib.auth.backends.ModelBackend';"
        " s['_auth_user_hash'] = u.get_session_auth_hash(); s.create()\n"
        "print(s.session_key, *JobPosting.objects.values_list('pk', flat=True)[:50])\n"
    )
    out = subprocess.run([sys.executable, "-c", setup], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    session, *posting_ids = out.stdout.split()
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", "--nothreading", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env={**env, "DJANGO_DEBUG": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        paths = ["/resumes/", "/jobs/saved/", "/accounts/login/"] + [f"/jobs/{pk}/" for pk in posting_ids]
        for i in range(requests):
            req = urllib.request.Request(base + paths[i % len(paths)], headers={"Cookie": f"sessionid={session}"})
            urllib.request.urlopen(req, timeout=10).read()
        status = Path(f"/proc/{proc.pid}/status").read_text()
        hwm_kb = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
        torch = "libtorch" in Path(f"/proc/{proc.pid}/maps").read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {"rss_mb": round(hwm_kb / 1024), "torch_loaded": torch}


def last_json_line(script: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run a bench script in a process of its own (its peak memory is then its own); its last line."""
    r = subprocess.run([sys.executable, *script], cwd=ROOT, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{script[0]} failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))] if s else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--postings", type=int, help="import only the first N postings (default: all)")
    ap.add_argument("--resumes", type=int, default=50)
    ap.add_argument("--candidates-resumes", type=int, default=0, help="also time candidates among R resumes")
    ap.add_argument("--data-dir", type=Path, help="default: a new temporary folder")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--show", type=Path, help="print the table of a saved run (the last line of its --json output)")
    args = ap.parse_args()
    if args.show:  # judged again: the goals may have changed since the run
        saved = saved_result(args.show)
        print_table(saved, goal_report(saved))
        return

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="jobmatch-bench-"))
    # The embedded defaults; BM25 in the process, compared with rank_bm25 (bench/sparse.py times the
    # keyword side on Qdrant's sparse vectors).
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "QDRANT_URL", "JOBMATCH_KEYWORD_STORE"}
    }
    env.update(
        JOBMATCH_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="jobmatch.settings.base",
        HF_HUB_OFFLINE="1",
        JOBMATCH_LOG_LEVEL="WARNING",
    )

    manage(["migrate", "--noinput", "-v", "0"], env)
    corpus = build_corpus(args.postings, data_dir)
    import_s, created = 0.0, 0
    for path, fmt, extra in corpus["files"]:
        seconds, out = manage(["import_jobs", str(path), "--format", fmt, *extra], env)
        import_s += seconds
        created += int(out.split("created ")[1].split(",")[0])
    index_s, index_out = manage(["build_index", "--no-progress"], env)
    index_seconds = {
        name: float(re.search(pattern, index_out).group(1))  # type: ignore[union-attr]
        for name, pattern in (
            ("vectors", r"([\d.]+)s vectors"),
            ("embed", r"([\d.]+)s embedding"),
            ("bm25", r"([\d.]+)s BM25"),
            ("understand", r"([\d.]+)s reading skills"),
        )
    }

    files = resume_files(args.resumes)
    t0 = time.perf_counter()
    worker = last_json_line(["bench/recommend_worker.py", *files], env)
    recommend_s = time.perf_counter() - t0
    web = web_process_memory(env)
    candidates = None
    if args.candidates_resumes:
        candidates = last_json_line(["bench/candidates.py", "--resumes", str(args.candidates_resumes), "--json"], env)

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
        "embed_rate": round(created / max(index_seconds["embed"], 1e-9), 1),
        "vectors_rate": round(created / max(index_seconds["vectors"] - index_seconds["embed"], 1e-9), 1),
        "bm25_rate": round(created / max(index_seconds["bm25"], 1e-9), 1),
        "skills_rate": round(created / max(index_seconds["understand"], 1e-9), 1),
        "embed_precision": re.search(r"embedding in (\w+)", index_out).group(1),  # type: ignore[union-attr]
        "index_detail": index_out,
        "copies": corpus["copies"],
        "sources": corpus["sources"],
        "recommend_p50_ms": round(pct(after_extract, 0.5), 1),
        "recommend_p95_ms": round(pct(after_extract, 0.95), 1),
        "ranking_p50_ms": round(pct(ranking, 0.5), 1),
        "ranking_p95_ms": round(pct(ranking, 0.95), 1),
        "stages_ms": {s: {"p50": round(pct(v, 0.5), 1), "p95": round(pct(v, 0.95), 1)} for s, v in stage.items()},
        "worker_startup_s": worker["startup_s"],
        "worker_rss_mb": worker["max_rss_mb"],
        "web_rss_mb": web["rss_mb"],
        "web_torch_loaded": web["torch_loaded"],
        "vector_store": worker["vector_store"],
        "vector_ms": worker["vector_ms"],
        "exact_scan_ms": worker["exact_scan_ms"],
        "vector_recall_at_100": worker["vector_recall_at_100"],
        "vectors_compared": worker["vectors_compared"],
        "bm25_ms": worker["bm25_ms"],
        "rank_bm25_ms": worker["rank_bm25_ms"],
        "bm25_max_score_diff": worker["bm25_max_score_diff"],
        "candidates": candidates,
        "recommend_total_s": round(recommend_s, 1),
        "data_dir": str(data_dir),
    }
    result["goals"] = goal_report(result)
    print_table(result, result["goals"])
    if args.json:
        print(json.dumps(result))


def saved_result(path: Path) -> dict[str, Any]:
    """The result a --json run printed: the last line of the file that is a JSON object."""
    for line in reversed(path.read_text().splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)  # type: ignore[no-any-return]
            except json.JSONDecodeError:
                continue
    sys.exit(f"{path}: no line is a bench/run.py --json result")


def print_table(result: dict[str, Any], goals: list[dict[str, Any]]) -> None:
    n = result["postings"]
    print(f"corpus: {result['sources']}; {result['copies']:,} of them copies with light variation")
    print(f"postings imported        {n:>10,}   in {result['import_s']:7.1f} s  ({result['import_rate']:,.0f}/s)")
    print(
        f"indexes built            {n:>10,}   in {result['index_s']:7.1f} s  ({result['index_rate']:,.0f}/s end to end)"
    )
    print(
        f"  embeddings {result['embed_rate']:,.0f}/s, vector upserts {result['vectors_rate']:,.0f}/s, "
        f"BM25 {result['bm25_rate']:,.0f}/s, reading skills {result['skills_rate']:,.0f}/s  ({result['index_detail']})"
    )
    print(f"recommendations over {result['resumes']} resume files (ms)")
    print(f"  {'stage':<26}{'p50':>9}{'p95':>9}")
    for s in STAGES:
        print(f"  {s:<26}{result['stages_ms'][s]['p50']:>9.1f}{result['stages_ms'][s]['p95']:>9.1f}")
    print(f"  {'ranking (after the profile)':<26}{result['ranking_p50_ms']:>9.1f}{result['ranking_p95_ms']:>9.1f}")
    print(f"  {'total after extraction':<26}{result['recommend_p50_ms']:>9.1f}{result['recommend_p95_ms']:>9.1f}")
    print(f"worker peak RSS          {result['worker_rss_mb']:>10.0f} MB (model load {result['worker_startup_s']} s)")
    print(f"web process peak RSS     {result['web_rss_mb']:>10.0f} MB (torch loaded: {result['web_torch_loaded']})")
    print(
        f"vector top 100: Qdrant ({result['vector_store']}) {result['vector_ms']:.1f} ms "
        f"vs exact NumPy scan {result['exact_scan_ms']:.1f} ms "
        f"over {result.get('vectors_compared', n):,} vectors (recall@100 {result['vector_recall_at_100']:.3f})"
    )
    print(
        f"BM25 query: served {result['bm25_ms']:.1f} ms vs rank_bm25 get_scores {result['rank_bm25_ms']:,.0f} ms "
        f"(x{result['rank_bm25_ms'] / max(result['bm25_ms'], 1e-9):,.0f}; max score difference "
        f"{result['bm25_max_score_diff']:.2e})"
    )
    candidates = result.get("candidates")
    if candidates:
        print(
            f"candidates for a posting among {candidates['resumes']:,} resumes: "
            f"p50 {candidates['rank_p50_ms']} ms, p95 {candidates['rank_p95_ms']} ms"
        )
    for line in format_goals(result, goals):
        print(line)


if __name__ == "__main__":
    main()
