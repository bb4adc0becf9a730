#!/usr/bin/env python
"""The hostile corpus through the parsing sandbox, and the oversize-upload refusal, timed.

    python bench/hostile.py [--json]

For each file of tests/hostile.py: the state it ends in, the seconds it took and the peak memory
the sandboxed child reports for itself (VmHWM), each file in a fresh measuring process. Then a
50 MB resume upload is sent through Django's whole WSGI stack (every middleware, a logged-in
seeker) and the time to the 413 is measured over 20 runs. Nothing here
is a test: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobmatch.settings.base")
os.environ.setdefault("JOBMATCH_DATA_DIR", tempfile.mkdtemp(prefix="jobmatch-bench-hostile-"))


def one_file(name: str) -> dict[str, object]:
    import django

    django.setup()
    from resumes.extract import ExtractionError, sniff_content_type
    from resumes.sandbox import Limits, run_child
    from tests import hostile

    builder, upload_name, expected = hostile.HOSTILE[name]
    data = builder()
    t0 = time.perf_counter()
    peak = 0.0
    try:
        answer = run_child(data, sniff_content_type(data, upload_name), Limits.from_settings())
        state = "done" if "text" in answer else str(answer["error"]["code"])  # type: ignore[index]
        peak = float(answer.get("peak_mb", 0.0))  # type: ignore[arg-type]
    except ExtractionError as exc:  # refused by its content, before any parsing
        state = exc.code
    seconds = time.perf_counter() - t0
    return {
        "file": name,
        "bytes": len(data),
        "expected": expected,
        "state": state,
        "seconds": round(seconds, 2),
        "child_peak_mb": round(peak, 1),
    }


def oversize_refusal_ms(runs: int = 20) -> list[float]:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.test import Client

    call_command("migrate", "--noinput", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="bench-oversize")
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    app = get_wsgi_application()
    body = b"x" * (50 * 1024 * 1024)
    times = []
    status: list[str] = []

    def start_response(s: str, headers: object, exc_info: object = None) -> None:
        status.append(s)

    for _ in range(runs):
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/resumes/",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_COOKIE": cookie,
            "CONTENT_TYPE": "multipart/form-data; boundary=BoUnDaRy",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        status.clear()
        t0 = time.perf_counter()
        b"".join(app(environ, start_response))  # type: ignore[arg-type]
        times.append((time.perf_counter() - t0) * 1000)
        assert status[0].startswith("413"), status
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one_file(args.one)))
        return

    from tests import hostile

    rows = []
    for name in hostile.HOSTILE:
        r = subprocess.run([sys.executable, __file__, "--one", name], capture_output=True, text=True, cwd=ROOT)
        if r.returncode != 0:
            sys.exit(r.stderr[-3000:])
        rows.append(json.loads(r.stdout.strip().splitlines()[-1]))
    refusal = oversize_refusal_ms()
    print(f"{'file':<20}{'size':>12}{'state':>18}{'expected':>18}{'seconds':>9}{'child MB':>10}")
    for row in rows:
        print(
            f"{row['file']:<20}{row['bytes']:>12,}{row['state']:>18}{row['expected']:>18}"
            f"{row['seconds']:>9.2f}{row['child_peak_mb']:>10.0f}"
        )
    p50, p95 = statistics.median(refusal), sorted(refusal)[int(0.95 * (len(refusal) - 1))]
    print(f"50 MB upload refused with 413: p50 {p50:.1f} ms, p95 {p95:.1f} ms over {len(refusal)} requests")
    summary = {
        "files": rows,
        "all_as_expected": all(r["state"] == r["expected"] for r in rows),
        "max_seconds": max(r["seconds"] for r in rows),
        "max_child_peak_mb": max(r["child_peak_mb"] for r in rows),
        "oversize_413_p50_ms": round(p50, 2),
        "oversize_413_p95_ms": round(p95, 2),
    }
    if args.json:
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
