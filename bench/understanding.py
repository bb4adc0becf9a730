#!/usr/bin/env python
"""Speed of resume understanding (after text extraction) over the Kaggle resumes.

    python bench/understanding.py [--limit N] [--forked] [--json]

Prints p50 / p95 milliseconds per resume, resumes per second, and the same for
two-page resumes alone (the issue's yardstick). With --forked, each resume is read again as the
parsing worker reads it, by a reader child forked with its limits (resumes.sandbox.understand_sandboxed),
and what that adds is printed beside the same resumes read in this process. A benchmark, not a test.
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int)
    ap.add_argument("--forked", action="store_true", help="also time the worker's reader child per resume")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobmatch.settings.base")
    import django

    django.setup()
    import pyarrow.parquet as pq

    from resumes.understanding.ner import load_ner
    from resumes.understanding.pipeline import get_nlp, understand

    table = pq.read_table(
        SHARED / "kaggle-resume-dataset" / "resumes_train.parquet", columns=["Resume_str", "n_pages"]
    ).to_pydict()
    texts, pages = table["Resume_str"][: args.limit], table["n_pages"][: args.limit]
    t0 = time.perf_counter()
    get_nlp()
    ner = load_ner()
    load_s = time.perf_counter() - t0
    understand(texts[0])
    ms = []
    t0 = time.perf_counter()
    for text in texts:
        t = time.perf_counter()
        understand(text)
        ms.append((time.perf_counter() - t) * 1000)
    total = time.perf_counter() - t0
    two = [m for m, p in zip(ms, pages, strict=True) if p == 2]
    result = {
        "resumes": len(ms),
        "resumes_per_s": round(len(ms) / total, 1),
        "p50_ms": round(pct(ms, 0.5), 1),
        "p95_ms": round(pct(ms, 0.95), 1),
        "two_page_resumes": len(two),
        "two_page_p50_ms": round(pct(two, 0.5), 1) if two else None,
        "two_page_p95_ms": round(pct(two, 0.95), 1) if two else None,
        "load_s": round(load_s, 1),
        "ner_model": ner is not None,
    }
    print(
        f"understood {result['resumes']} resumes at {result['resumes_per_s']} resumes/s "
        f"(models loaded in {result['load_s']} s; trained NER: {'yes' if ner else 'no'})"
    )
    print(f"  all resumes        p50 {result['p50_ms']:7.1f} ms   p95 {result['p95_ms']:7.1f} ms")
    if two:
        print(
            f"  two-page resumes   p50 {result['two_page_p50_ms']:7.1f} ms   p95 {result['two_page_p95_ms']:7.1f} ms"
            f"   ({len(two)} resumes)"
        )
    if args.forked:
        from resumes.sandbox import understand_sandboxed

        forked = []
        for text in texts:
            t = time.perf_counter()
            understand_sandboxed(text)
            forked.append((time.perf_counter() - t) * 1000)
        extra = sorted(f - m for f, m in zip(forked, ms, strict=True))
        result |= {
            "forked_p50_ms": round(pct(forked, 0.5), 1),
            "forked_p95_ms": round(pct(forked, 0.95), 1),
            "child_cost_p50_ms": round(pct(extra, 0.5), 1),
        }
        print(
            f"  in the reader child p50 {result['forked_p50_ms']:7.1f} ms   p95 {result['forked_p95_ms']:7.1f} ms"
            f"   (the child adds {result['child_cost_p50_ms']} ms at p50)"
        )
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
