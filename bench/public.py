#!/usr/bin/env python
"""Public search and API matching, timed as a visitor and an API client meet them.

    JOBMATCH_DATA_DIR=<a data dir with postings indexed> python bench/public.py [--queries N] [--matches M] [--json]

Two processes, as deployed: a search service process (what the matching worker runs: the engine, the
embedder and search.matching.service on a free port) and this one, the web side, which loads no model
and no index (checked: torch is never imported here). This process serves the real views through
Django's WSGI handler (django.test.Client, no network in between) and asks the service over HTTP, as a
web process does.

- Public search: GET /?q=<words> for N distinct queries (each a cache miss), made from the titles of
  open postings (one to three words; a quarter with "remote", a quarter with a work type), timed from
  request to rendered page; the service's own time beside it.
- API matching: POST /api/v1/match with M real resume texts (the Kaggle resume set), timed end to end.

Nothing here is a test: the numbers depend on the machine. Prints medians and p95; --json ends with one
JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("JOBMATCH_SHARED_DATA", ROOT.parent / "shared" / "data"))
sys.path.insert(0, str(ROOT))


def serve(port: int) -> None:
    """The search service process: warm the engine and embedder, answer until killed."""
    import django

    django.setup()
    from search.indexing.embeddings import embed_texts
    from search.indexing.engine import get_engine
    from search.matching.service import serve as start
    from search.matching.service import warm_up

    get_engine()
    embed_texts(["warm up"])
    warm_up()  # as the worker's service does in the background before its first request
    start(port)
    print("ready", flush=True)
    while True:
        time.sleep(3600)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values), 1),
        "p95_ms": round(percentile(values, 95), 1),
        "mean_ms": round(statistics.fmean(values), 1),
        "max_ms": round(max(values), 1),
    }


def queries(n: int, seed: int = 7) -> list[dict[str, str]]:
    from search.filters import WORK_TYPES
    from search.models import JobPosting

    titles = list(JobPosting.objects.open().values_list("title", flat=True))
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[dict[str, str]] = []
    while len(out) < n:
        words = [w for w in rng.choice(titles).lower().replace("-", " ").split() if w.isalpha()][:3]
        if not words:
            continue
        q = " ".join(words[: rng.randint(1, len(words))])
        params = {"q": q}
        kind = rng.random()
        if kind < 0.25:
            params["q"] = f"{q} remote"
        elif kind < 0.5:
            params["work_type"] = rng.choice(WORK_TYPES[:3])
        key = json.dumps(params, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(params)
    return out


def resume_texts(m: int) -> list[str]:
    import pyarrow.parquet as pq

    table = pq.read_table(SHARED / "kaggle-resume-dataset" / "resumes_train.parquet", columns=["Resume_str"])
    texts = [t for t in table.column("Resume_str").to_pylist() if t and len(t) < 30_000]
    return random.Random(11).sample(texts, min(m, len(texts)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--matches", type=int, default=30)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--serve", type=int, help=argparse.SUPPRESS)  # the service process
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobmatch.settings.base")
    if args.serve:
        serve(args.serve)
        return
    if not os.environ.get("JOBMATCH_DATA_DIR"):
        sys.exit("set JOBMATCH_DATA_DIR to a data dir with postings imported and indexed")

    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    service = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        assert service.stdout is not None
        if service.stdout.readline().strip() != "ready":
            sys.exit("the search service did not start")
        os.environ["JOBMATCH_SEARCH_URL"] = f"http://127.0.0.1:{port}"
        report = run(args)
    finally:
        service.terminate()
        service.wait()
    if args.json:
        print(json.dumps(report))


def run(args: argparse.Namespace) -> dict[str, object]:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from jobmatch.api_tokens import token_create
    from search.models import JobPosting

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    postings = JobPosting.objects.open().count()
    asked = queries(args.queries)
    client.get("/", {"q": "warm up"})  # the first request loads the URL conf and templates
    page_ms, service_ms, counts = [], [], []
    for params in asked:
        t0 = time.perf_counter()
        r = client.get("/", params)
        page_ms.append((time.perf_counter() - t0) * 1000)
        if r.status_code != 200 or b"not answering" in r.content:
            sys.exit(f"search failed for {params}: {r.status_code}")
        found = re.search(rb'data-count="(\d+)"', r.content)
        if found is None:
            sys.exit(f"no count on the page for {params}")
        counts.append(int(found.group(1)))
    from django.core.cache import cache

    for params in asked[:50]:  # the service's own time, asked again without the page's cache
        cache.clear()
        from search.postings.finder import PublicQuery, ask_service

        query = PublicQuery.typed(params["q"], work_types=(params["work_type"],) if "work_type" in params else ())
        service_ms.append(ask_service("/search", {"q": query.q, "filters": query.filters().as_dict()})["ms"])

    user, _ = get_user_model().objects.get_or_create(username="bench.public")
    key = token_create(user=user, name=f"bench {time.time()}", scopes=["match"])[1]
    match_ms = []
    try:
        for text in resume_texts(args.matches):
            t0 = time.perf_counter()
            r = client.post(
                "/api/v1/match", {"text": text}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
            )
            match_ms.append((time.perf_counter() - t0) * 1000)
            if r.status_code != 200 or len(r.json()["results"]) != 10:
                sys.exit(f"/api/v1/match answered {r.status_code}: {r.content[:300]!r}")
    finally:
        user.delete()
    assert "torch" not in sys.modules, "the web side imported torch"
    report = {
        "postings": postings,
        "search_page": summary(page_ms),
        "search_service": summary(service_ms),
        "results_per_query_median": statistics.median(counts),
        "api_match_text": summary(match_ms),
        "torch_in_web_process": "torch" in sys.modules,
    }
    print(f"open postings: {postings:,}")
    for name in ("search_page", "search_service", "api_match_text"):
        s = report[name]
        print(f"{name:16} n={s['n']:4}  p50 {s['p50_ms']:7.1f} ms  p95 {s['p95_ms']:7.1f} ms", end="")
        print(f"  max {s['max_ms']:7.1f} ms")
    print(f"results per query (median): {report['results_per_query_median']}; torch in the web process: no")
    return report


if __name__ == "__main__":
    main()
