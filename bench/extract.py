#!/usr/bin/env python
"""Speed of text extraction in the sandbox, as a parsing worker runs it, over the Kaggle PDF fixtures.

    python bench/extract.py [--rounds N] [--json]

Every PDF under ../shared/data/kaggle-resume-dataset/pdf_fixtures (and the DOCX fixtures in
tests/fixtures) goes through `resumes.sandbox.extract_sandboxed` N times (default 3), after one
file to start the sandbox server. Prints p50 / p95 milliseconds for all files and for two-page PDFs
alone (issue 35's yardstick: p50 <= 100 ms), and the first file's time (the server's start-up).
A benchmark, not a test.
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
SHARED = Path(os.environ.get("JOBMATCH_SHARED_DATA", ROOT.parent / "shared" / "data"))
from run import pct  # noqa: E402  (bench/ is on the path)


def _pages(data: bytes) -> int:
    import io

    from pdfminer.pdfpage import PDFPage

    return sum(1 for _ in PDFPage.get_pages(io.BytesIO(data)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobmatch.settings.base")
    import django

    django.setup()
    from resumes.extract import sniff_content_type
    from resumes.sandbox import extract_sandboxed

    files = sorted((SHARED / "kaggle-resume-dataset" / "pdf_fixtures").rglob("*.pdf"))
    files += sorted((ROOT / "tests" / "fixtures").glob("*.docx"))
    if not files:
        sys.exit(f"no fixtures under {SHARED}")
    blobs = [(p.name, p.read_bytes()) for p in files]
    two_page = {name for name, data in blobs if name.endswith(".pdf") and _pages(data) == 2}
    t = time.perf_counter()
    extract_sandboxed(blobs[0][1], sniff_content_type(blobs[0][1], blobs[0][0]))
    first_ms = (time.perf_counter() - t) * 1000
    ms: list[float] = []
    two: list[float] = []
    for _ in range(args.rounds):
        for name, data in blobs:
            t = time.perf_counter()
            extract_sandboxed(data, sniff_content_type(data, name))
            took = (time.perf_counter() - t) * 1000
            ms.append(took)
            if name in two_page:
                two.append(took)
    result = {
        "files": len(blobs),
        "rounds": args.rounds,
        "first_ms": round(first_ms, 1),
        "p50_ms": round(pct(ms, 0.5), 1),
        "p95_ms": round(pct(ms, 0.95), 1),
        "two_page_pdfs": len(two_page),
        "two_page_p50_ms": round(pct(two, 0.5), 1) if two else None,
        "two_page_p95_ms": round(pct(two, 0.95), 1) if two else None,
    }
    print(f"extracted {len(ms)} files ({len(blobs)} x {args.rounds}); the first (server start-up) {first_ms:.1f} ms")
    print(f"  all files         p50 {result['p50_ms']:7.1f} ms   p95 {result['p95_ms']:7.1f} ms")
    if two:
        print(
            f"  two-page PDFs     p50 {result['two_page_p50_ms']:7.1f} ms   p95 {result['two_page_p95_ms']:7.1f} ms"
            f"   ({len(two_page)} files; goal p50 <= 100 ms)"
        )
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
