"""Runs the worker's matching code over resume files; prints per-stage timings and peak RSS as JSON.

A separate process so its peak memory is the worker's alone (models, indexes, one resume at a time).
"""

from __future__ import annotations

import json
import resource
import statistics
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
    from search.indexing.embeddings import get_model
    from search.indexing.engine import get_engine, reset_engine
    from search.matching.seekers import jobs_for_text
    from search.ranking.sides import query_text

    t0 = time.perf_counter()
    get_engine()
    get_model()
    get_nlp()
    load_ner()
    startup = time.perf_counter() - t0
    jobs_for_text(text="warm up the caches with one query")
    timings = []
    queries: list[str] = []
    for path in paths:
        data = Path(path).read_bytes()
        t = time.perf_counter()
        text = extract_sandboxed(data, sniff_content_type(data, path))
        extract_ms = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        profile = understand(text).to_dict()  # as the worker does: the profile feeds retrieval and ranking
        understand_ms = (time.perf_counter() - t) * 1000
        query = query_text(text=text, profile=profile)
        queries.append(query)
        result = jobs_for_text(text=query, profile=profile)
        assert len(result.items) == 10, path
        timings.append({"extract": extract_ms, "understand": understand_ms, **result.timings.ms})
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    # Side by side, after the worker's own peak is taken: the served searches against the references.
    compare = compare_with_references(get_engine(), queries)
    reset_engine()
    print(json.dumps({"timings": timings, "startup_s": round(startup, 1), "max_rss_mb": round(rss_mb), **compare}))


def compare_with_references(engine, queries: list[str]) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Qdrant's top 100 against an exact NumPy scan over the same vectors, and the served BM25 query
    against rank_bm25's own get_scores over the same tokenised corpus (the ratio is the figure)."""
    import numpy as np
    from rank_bm25 import BM25Okapi

    from search.indexing.embeddings import embed_documents
    from search.ranking.text import tokenize

    k = 100
    ids, matrix = [], []
    for i, v in engine.vectors.all_vectors():
        ids.append(i)
        matrix.append(v)
    id_arr = np.asarray(ids)
    m = np.asarray(matrix, dtype=np.float32)
    m /= np.linalg.norm(m, axis=1, keepdims=True) + 1e-12
    vecs = embed_documents(queries)
    vector_ms, exact_ms, overlap = [], [], []
    for q in vecs:
        t = time.perf_counter()
        hits = engine.vectors.search(q, k)
        vector_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        scores = m @ (q / (np.linalg.norm(q) + 1e-12))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        exact_ms.append((time.perf_counter() - t) * 1000)
        exact_ids = set(id_arr[top].tolist())
        overlap.append(len(exact_ids & {h.id for h in hits}) / k)

    bm25 = engine.bm25
    tokens = [tokenize(q) for q in queries]
    bm25_ms = []
    for query in queries:
        t = time.perf_counter()
        bm25.search(query, k)  # the served query: tokenise, score every posting, take the top 100
        bm25_ms.append((time.perf_counter() - t) * 1000)
    # The same corpus for rank_bm25, rebuilt from the index's term counts.
    vocab = np.empty(len(bm25._vocab), dtype=object)
    for term, col in bm25._vocab.items():
        vocab[col] = term
    tf = bm25._tf.tocsr()
    corpus = [
        [t for t, n in zip(vocab[tf.indices[a:b]], tf.data[a:b].astype(int), strict=True) for _ in range(n)]
        for a, b in zip(tf.indptr[:-1], tf.indptr[1:], strict=True)
    ]
    reference = BM25Okapi(corpus)
    del corpus
    ref_ms, max_diff = [], 0.0
    for toks in tokens[:20]:  # seconds per query at 100k: twenty are enough for a median
        t = time.perf_counter()
        ref = reference.get_scores(toks)
        ref_ms.append((time.perf_counter() - t) * 1000)
        max_diff = max(max_diff, float(np.max(np.abs(ref - bm25.get_scores(toks)))))
    med = statistics.median
    from django.conf import settings

    return {
        "vector_store": "server" if settings.QDRANT_URL else settings.JOBMATCH_VECTOR_STORE,
        "vectors_compared": len(ids),
        "vector_ms": round(med(vector_ms), 2),
        "exact_scan_ms": round(med(exact_ms), 2),
        "vector_recall_at_100": round(float(np.mean(overlap)), 4),
        "bm25_ms": round(med(bm25_ms), 2),
        "rank_bm25_ms": round(med(ref_ms), 1),
        "bm25_max_score_diff": max_diff,
    }


if __name__ == "__main__":
    main(sys.argv[1:])
