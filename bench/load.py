#!/usr/bin/env python
"""Load test: 50 seekers reading their results pages and 5 uploads a minute (each timed until its ten
results are stored), bounded in time, against one of two stacks on loopback:

- production (the default): the Procfile under honcho with production settings: gunicorn (WEB_CONCURRENCY
  workers, 4 here), a parsing worker, a matching worker (which also takes indexing and alerts when the
  vector store is embedded) and beat, on the PostgreSQL and Redis named by the environment;
- embedded: `make run`'s runserver and one worker with beat, on SQLite and the filesystem broker.

    DATABASE_URL=postgres://... CELERY_BROKER_URL=redis://.../0 CACHE_URL=redis://.../1 \
      JOBMATCH_DATA_DIR=<postings indexed> python bench/load.py [--users 50] [--seconds 120] [--json]
    JOBMATCH_DATA_DIR=<postings indexed> python bench/load.py --stack embedded

Needs locust (`pip install -r bench/requirements-load.txt`; not a dependency of the app). Before the run it
creates the seekers, each with a processed resume (a Kaggle resume PDF matched in this process), and
afterwards deletes them. Prints locust's figures per request kind and the web workers' resident memory;
with --json the last line is one JSON object. Nothing here is a test: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SHARED = Path(os.environ.get("JOBMATCH_SHARED_DATA", ROOT.parent / "shared" / "data"))
PREFIX = "load-seeker-"


def setup(users: int, files: list[Path]) -> list[str]:
    """Seekers with a processed resume each; returns "<session key> <resume id>" lines."""
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.files.uploadedfile import SimpleUploadedFile

    from resumes.models import Resume
    from resumes.services import resume_process, resume_submit
    from search.indexing.engine import reset_engine

    User = get_user_model()
    lines = []
    for i in range(users):
        user, _ = User.objects.get_or_create(username=f"{PREFIX}{i}", defaults={"email": f"{PREFIX}{i}@example.org"})
        EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
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


def stack_env(stack: str) -> dict[str, str]:
    env = {**os.environ, "JOBMATCH_LOG_LEVEL": "WARNING", "HF_HUB_OFFLINE": "1"}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    if stack == "embedded":
        return {**env, "DJANGO_SETTINGS_MODULE": "jobmatch.settings.base", "DJANGO_DEBUG": "0"}
    missing = [n for n in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "JOBMATCH_DATA_DIR") if not env.get(n)]
    if missing:
        sys.exit(f"the production stack needs {', '.join(missing)} (see the docstring)")
    env.setdefault("JOBMATCH_VECTOR_STORE", "edge" if not env.get("QDRANT_URL") else "")
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "jobmatch.settings.prod",
        "DJANGO_SECRET_KEY": env.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "JOBMATCH_SITE_URL": "http://127.0.0.1",
        "EMAIL_BACKEND": env.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"),
        "WEB_CONCURRENCY": env.get("WEB_CONCURRENCY", "4"),
        "PARSING_CONCURRENCY": env.get("PARSING_CONCURRENCY", "1"),
        "MATCHING_QUEUES": "matching" if env.get("QDRANT_URL") else "matching,indexing,alerts",
        "PROMETHEUS_MULTIPROC_DIR": env.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="jobmatch-metrics-"),
    }


def start_stack(stack: str, env: dict[str, str], port: int, work: Path) -> subprocess.Popen:
    log = open(work / "site.log", "wb")  # noqa: SIM115
    if stack == "embedded":
        cmd = (
            f"{sys.executable} -m celery -A jobmatch worker -B --pool=solo --loglevel=WARNING"
            f" --schedule {work / 'beat'} &"
            f" exec {sys.executable} manage.py runserver --noreload 127.0.0.1:{port}"
        )
        return subprocess.Popen(
            ["sh", "-c", cmd], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    cmd = [str(BIN / "honcho"), "--no-colour", "-f", "Procfile", "start", "web", "parsing", "matching", "beat"]
    env = {**env, "PORT": str(port), "HOST": "127.0.0.1"}
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_ready(host: str) -> None:
    """Until /readyz is green (every queue has a live worker that loaded its models), at most 5 minutes."""
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(host + "/readyz", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    sys.exit(f"{host}/readyz did not turn green in 5 minutes")


def descendants(pid: int) -> list[int]:
    """Every process started under `pid` (honcho starts each of its processes in a session of its own)."""
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [c for child in map(int, out) for c in (child, *descendants(child))]


def web_rss_mib(root: int) -> list[int]:
    """Resident memory of each web process (gunicorn master and workers, or runserver)."""
    sizes = []
    for pid in descendants(root):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        if "gunicorn" in cmdline or "runserver" in cmdline:
            kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
            sizes.append(round(kb / 1024))
    return sorted(sizes)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=120)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--stack", choices=["production", "embedded"], default="production")
    ap.add_argument("--step", choices=["setup", "teardown"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    files = sorted((SHARED / "kaggle-resume-dataset" / "pdf_fixtures").glob("*/*.pdf"))
    if args.step == "setup":
        print("\n".join(setup(args.users, files)))
        return
    if args.step == "teardown":
        teardown()
        return

    work = Path(tempfile.mkdtemp(prefix="jobmatch-load-"))
    env = stack_env(args.stack)
    print(f"creating {args.users} seekers with a processed resume each...", file=sys.stderr)
    out = subprocess.run(
        [sys.executable, __file__, "--step", "setup", "--users", str(args.users), "--stack", args.stack],
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
    site = start_stack(args.stack, env, port, work)
    try:
        wait_ready(host)
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
        memory = web_rss_mib(site.pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(site.pid, signal.SIGTERM)  # honcho stops its processes; sh passes it to both
        try:
            site.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(site.pid, signal.SIGKILL)
    subprocess.run(
        [sys.executable, __file__, "--step", "teardown", "--stack", args.stack], cwd=ROOT, env=env, check=False
    )
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
    print(f"web processes' resident memory (MiB), one per process: {memory}")
    if args.json:
        print(
            json.dumps(
                {
                    "stack": args.stack,
                    "users": args.users,
                    "seconds": args.seconds,
                    "requests": report,
                    "web_rss_mib": memory,
                }
            )
        )


if __name__ == "__main__":
    main()
