#!/usr/bin/env python
"""Keyword retrieval on Qdrant's sparse vectors against the in-process BM25, on the same postings.

    JOBMATCH_DATA_DIR=<data dir with imported postings> python bench/sparse.py [--queries 200] [--json]

What a Qdrant server would serve with JOBMATCH_KEYWORD_STORE=qdrant, run by the same engine in the
process (Qdrant Edge, search.indexes.edge.EdgeSparseBM25Index): no network, one shard. It reads the
open postings' keyword texts (search.indexing.documents.posting_keyword_text) from the data dir's database,
builds both indexes from them in a temporary folder (the in-process BM25 matrix, rank_bm25's exact
scores, and an Edge shard of BM25 sparse vectors with Qdrant's IDF modifier, its average length the
corpus's own), then queries both with the raw text of N Kaggle resumes (a seeker's query, less the
profile's skills and titles) for the top 100 and prints build rates, p50 / p95 per query, how many
of the exact top ten / hundred the sparse side returns, and the indexes' size on disk. Nothing here
is a test: numbers depend on the machine. With --json the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobmatch.settings.base")

DEPTH = 100  # the retrieval depth of a seeker's ranking (search.ranking.pipeline.RETRIEVAL_DEPTH)


def folder_mb(path: Path) -> float:
    """Disk the files take (allocated blocks: Qdrant preallocates files it has not filled yet)."""
    return sum(f.stat().st_blocks * 512 for f in path.rglob("*") if f.is_file()) / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    import django

    django.setup()
    import numpy as np
    from django.conf import settings
    from run import pct

    from search.evaluation.datasets import load_resumes
    from search.indexes.base import IndexDoc
    from search.indexes.bm25 import BM25Index
    from search.indexes.edge import EdgeSparseBM25Index
    from search.indexing.documents import INDEX_FIELDS, posting_keyword_text
    from search.models import JobPosting
    from search.ranking.text import tokenize

    t = time.perf_counter()
    docs = [
        IndexDoc(id=p.id, content_hash=p.content_hash, text=posting_keyword_text(p))
        for p in JobPosting.objects.open().only(*INDEX_FIELDS, "skills", "occupation_title").iterator(5000)
    ]
    if not docs:
        sys.exit(f"no open postings under {settings.DATA_DIR}: run import_jobs there first")
    read_s = time.perf_counter() - t
    avg_length = float(np.mean([len(tokenize(d.text)) for d in docs]))
    resumes = load_resumes(settings.SHARED_DATA_DIR / "kaggle-resume-dataset" / "resumes_train.parquet")
    queries = [r.text for r in resumes[: args.queries]]

    with tempfile.TemporaryDirectory(prefix="jobmatch-sparse-") as tmp:
        exact = BM25Index(Path(tmp) / "bm25")
        t = time.perf_counter()
        for start in range(0, len(docs), 5000):
            exact.upsert(docs[start : start + 5000])
        exact.save()
        exact_build_s = time.perf_counter() - t

        sparse = EdgeSparseBM25Index(Path(tmp) / "edge", avg_length=avg_length)
        t = time.perf_counter()
        for start in range(0, len(docs), 5000):
            sparse.upsert(docs[start : start + 5000])
        upsert_s = time.perf_counter() - t
        t = time.perf_counter()
        sparse.save()  # merges the segments written into optimised ones
        optimize_s = time.perf_counter() - t

        for q in queries[:5]:  # warm both (first reads from disk)
            exact.search(q, DEPTH)
            sparse.search(q, DEPTH)
        exact_ms, sparse_ms, top10, top100 = [], [], [], []
        for q in queries:
            t = time.perf_counter()
            a = exact.search(q, DEPTH)
            exact_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            b = sparse.search(q, DEPTH)
            sparse_ms.append((time.perf_counter() - t) * 1000)
            if a:
                top10.append(len({h.id for h in a[:10]} & {h.id for h in b[:10]}) / len(a[:10]))
                top100.append(len({h.id for h in a} & {h.id for h in b}) / len(a))
        result = {
            "postings": len(docs),
            "queries": len(queries),
            "avg_length": round(avg_length, 1),
            "read_s": round(read_s, 1),
            "bm25_build_rate": round(len(docs) / exact_build_s, 1),
            "sparse_upsert_rate": round(len(docs) / upsert_s, 1),
            "sparse_optimize_s": round(optimize_s, 1),
            "sparse_build_rate": round(len(docs) / (upsert_s + optimize_s), 1),
            "bm25_ms": round(pct(exact_ms, 0.5), 2),
            "bm25_p95_ms": round(pct(exact_ms, 0.95), 2),
            "sparse_ms": round(pct(sparse_ms, 0.5), 2),
            "sparse_p95_ms": round(pct(sparse_ms, 0.95), 2),
            "top10_agreement": round(float(np.mean(top10)), 3),
            "top100_agreement": round(float(np.mean(top100)), 3),
            "bm25_disk_mb": round(folder_mb(Path(tmp) / "bm25"), 1),
        }
        sparse.close()  # flushes the write-ahead log into the segments
        result["sparse_disk_mb"] = round(folder_mb(Path(tmp) / "edge"), 1)

    r = result
    print(f"{r['postings']:,} open postings (keyword texts of {r['avg_length']} words), {r['queries']} resume queries")
    print(
        f"build: in-process BM25 {r['bm25_build_rate']:,.0f}/s; Qdrant sparse (Edge) upserts "
        f"{r['sparse_upsert_rate']:,.0f}/s + optimise {r['sparse_optimize_s']} s = {r['sparse_build_rate']:,.0f}/s"
    )
    print(
        f"top {DEPTH} per query: in-process BM25 p50 {r['bm25_ms']} / p95 {r['bm25_p95_ms']} ms; "
        f"Qdrant sparse p50 {r['sparse_ms']} / p95 {r['sparse_p95_ms']} ms"
    )
    print(
        f"Qdrant sparse returns {r['top10_agreement']:.3f} of the exact top ten, {r['top100_agreement']:.3f} "
        f"of the top hundred (its IDF differs: search/indexes/sparse.py)"
    )
    print(f"on disk: BM25 files {r['bm25_disk_mb']} MB, Edge shard {r['sparse_disk_mb']} MB")
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
