#!/usr/bin/env python
"""Load test: 50 seekers reading their results pages and 5 uploads a minute, against the site as
`make run` serves it (runserver and a Celery worker with beat, on loopback), bounded in time.

    JOBMATCH_DATA_DIR=<a data dir with postings indexed> python bench/load.py [--users 50] [--seconds 120] [--json]

Needs locust (`pip install -r bench/requirements-load.txt`; not a dependency of the app). Before
the run it creates the seekers, each with a processed resume (a Kaggle resume PDF matched in this
process), and afterwards deletes them. Prints locust's figures per request kind; with --json the
last line is one JSON object. Nothing here is a test: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("JOBMATCH_SHARED_DATA", ROOT.parent / "shared" / "data"))
PREFIX = "load-seeker-"


def setup(users: int, files: list[Path]) -> list[str]:
    """Seekers with a processed resume each; returns "<session key> <resume id>" lines."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.files.uploadedfile import SimpleUploadedFile

    from resumes.models import Resume
    from resumes.services import resume_process, resume_submit
    from search.indexing.engine import reset_engine

    User = get_user_model()
    lines = []
    for i in range(users):
        user, _ = User.objects.get_or_create(username=f"{PREFIX}{i}")
        resume = Resume.objects.filter(owner=user, status=Resume.Status.DONE).first()
        if resume is None:
            path = files[i % len(files)]
            resume = resume_submit(owner=user, upload=SimpleUploadedFile(path.name, path.read_bytes()))
            resume_process(resume_id=resume.pk)
        s = SessionStore()
        s["_auth_user_id"] = str(user.pk)
        s["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        s["_auth_user_hash"] = user.get_session_auth_hash()
        s.create()
        lines.append(f"{s.session_key} {resume.public_id}")
    reset_engine()
    return lines


def teardown() -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from jobmatch.accounts import account_delete

    for user in get_user_model().objects.filter(username__startswith=PREFIX):
        account_delete(user=user)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=120)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--step", choices=["setup", "teardown"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobmatch.settings.base")
    sys.path.insert(0, str(ROOT))
    files = sorted((SHARED / "kaggle-resume-dataset" / "pdf_fixtures").glob("*/*.pdf"))
    if args.step == "setup":
        print("\n".join(setup(args.users, files)))
        return
    if args.step == "teardown":
        teardown()
        return

    work = Path(tempfile.mkdtemp(prefix="jobmatch-load-"))
    env = {**os.environ, "DJANGO_DEBUG": "0", "JOBMATCH_LOG_LEVEL": "WARNING"}
    print(f"creating {args.users} seekers with a processed resume each...", file=sys.stderr)
    out = subprocess.run(
        [sys.executable, __file__, "--step", "setup", "--users", str(args.users)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        sys.exit(out.stderr[-3000:])
    (work / "users.txt").write_text(out.stdout)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    host = f"http://127.0.0.1:{port}"
    web = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(work / "web.log", "wb"),  # noqa: SIM115
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "jobmatch",
            "worker",
            "-B",
            "--pool=solo",
            "--loglevel=WARNING",
            "--schedule",
            str(work / "beat"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(work / "worker.log", "wb"),  # noqa: SIM115
    )
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(host + "/accounts/login/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(15)  # the worker loads its models before the first upload counts
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "-u",
                str(args.users + 1),
                "-r",
                str(args.users),
                "-t",
                f"{args.seconds}s",
                "--host",
                host,
                "--csv",
                str(work / "load"),
                "--only-summary",
                "--stop-timeout",
                "30",
            ],
            cwd=ROOT,
            env={**env, "JOBMATCH_LOAD_USERS": str(work / "users.txt"), "JOBMATCH_LOAD_UPLOAD": str(files[0])},
            capture_output=True,
            text=True,
        )
    finally:
        for proc in (web, worker):
            proc.terminate()
        for proc in (web, worker):
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
    subprocess.run([sys.executable, __file__, "--step", "teardown"], cwd=ROOT, env=env, check=False)
    rows = list(csv.DictReader((work / "load_stats.csv").open()))
    if not rows:
        sys.exit(run.stderr[-3000:])
    report = {}
    print(f"{'request':<16}{'count':>8}{'failures':>10}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'req/s':>8}")
    for row in rows:
        name = row["Name"]
        report[name] = {
            "count": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "p50_ms": float(row["50%"]),
            "p95_ms": float(row["95%"]),
            "max_ms": float(row["Max Response Time"]),
            "rps": round(float(row["Requests/s"]), 1),
        }
        r = report[name]
        print(
            f"{name:<16}{r['count']:>8}{r['failures']:>10}{r['p50_ms']:>9.0f}{r['p95_ms']:>9.0f}"
            f"{r['max_ms']:>9.0f}{r['rps']:>8}"
        )
    failures = (work / "load_failures.csv").read_text() if (work / "load_failures.csv").exists() else ""
    if failures.count("\n") > 1:
        print(failures)
    if args.json:
        print(json.dumps({"users": args.users, "seconds": args.seconds, "requests": report}))


if __name__ == "__main__":
    main()
