"""Runs the worker's matching code over resume files; prints per-stage timings and peak RSS as JSON.

A separate process so its peak memory is the worker's alone (models, indexes, one resume at a time).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(paths: list[str]) -> None:
    import django

    django.setup()
    from resumes.extract import sniff_content_type
    from resumes.sandbox import extract_sandboxed
    from resumes.understanding.ner import load_ner
    from resumes.understanding.pipeline import get_nlp, understand
    from search.embeddings import get_model
    from search.engine import get_engine, reset_engine
    from search.services import jobs_for_text, query_text

    t0 = time.perf_counter()
    get_engine()
    get_model()
    get_nlp()
    load_ner()
    startup = time.perf_counter() - t0
    jobs_for_text(text="warm up the caches with one query")
    timings = []
    for path in paths:
        data = Path(path).read_bytes()
        t = time.perf_counter()
        text = extract_sandboxed(data, sniff_content_type(data, path))
        extract_ms = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        profile = understand(text).to_dict()  # as the worker does: the profile feeds retrieval and ranking
        understand_ms = (time.perf_counter() - t) * 1000
        result = jobs_for_text(text=query_text(text=text, profile=profile), profile=profile)
        assert len(result.items) == 10, path
        timings.append({"extract": extract_ms, "understand": understand_ms, **result.timings.ms})
    reset_engine()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    print(json.dumps({"timings": timings, "startup_s": round(startup, 1), "max_rss_mb": round(rss_mb)}))


if __name__ == "__main__":
    main(sys.argv[1:])
