"""BM25 on Qdrant's sparse vectors (the keyword side with a Qdrant server), against qdrant-client's
local mode (the server's calls) and Qdrant Edge (the server's engine in the process): the scores
Qdrant's IDF modifier gives, and agreement with the in-process BM25."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from qdrant_client import QdrantClient

from search.indexes.base import IndexDoc
from search.indexes.bm25 import K1, B, BM25Index
from search.indexes.edge import EdgeSparseBM25Index
from search.indexes.sparse import QdrantSparseBM25Index, document_vector, term_id
from search.ranking.text import tokenize

DOCS = {
    1: "registered nurse intensive care nurse",
    2: "python developer django postgresql",
    3: "senior python engineer machine learning",
    4: "night shift nurse assistant",
    5: "line cook restaurant kitchen",
}


@pytest.fixture(params=["client", "edge"], ids=["qdrant-local", "qdrant-edge"])
def make_index(request, tmp_path):  # type: ignore[no-untyped-def]
    opened: list[EdgeSparseBM25Index] = []

    def make(avg_length: float = 4.0) -> QdrantSparseBM25Index | EdgeSparseBM25Index:
        if request.param == "client":
            return QdrantSparseBM25Index(QdrantClient(":memory:"), collection="kw", avg_length=avg_length)
        opened.append(EdgeSparseBM25Index(tmp_path / f"kw{len(opened)}", avg_length=avg_length))
        return opened[-1]

    yield make
    for index in opened:
        index.close()


def test_scores_are_bm25_with_qdrants_idf(make_index):
    idx = make_index()
    idx.upsert([IndexDoc(id=i, content_hash=f"h{i}", text=t) for i, t in DOCS.items()])
    n = len(DOCS)
    df = Counter(w for t in DOCS.values() for w in set(tokenize(t)))

    def expected(query: str, doc: str) -> float:
        tf, length = Counter(tokenize(doc)), len(tokenize(doc))
        score = 0.0
        for w, q in Counter(tokenize(query)).items():
            if tf[w]:
                idf = math.log((n - df[w] + 0.5) / (df[w] + 0.5) + 1)
                score += q * idf * tf[w] * (K1 + 1) / (tf[w] + K1 * (1 - B + B * length / 4.0))
        return score

    for query in ("nurse", "python django", "nurse nurse care", "kitchen python"):
        hits = idx.search(query, 5)
        want = sorted(((expected(query, t), i) for i, t in DOCS.items() if expected(query, t) > 0), reverse=True)
        assert [h.id for h in hits] == [i for _, i in want]
        assert [h.score for h in hits] == pytest.approx([s for s, _ in want], rel=1e-5)


def test_the_contract_allowed_ids_replace_delete_and_hashes(make_index):
    idx = make_index()
    idx.upsert([IndexDoc(id=i, content_hash=f"h{i}", text=t) for i, t in DOCS.items()])
    assert [h.id for h in idx.search("nurse", 5, allowed={4, 5})] == [4]
    assert idx.search("nurse", 5, allowed=set()) == []
    assert idx.search("the and of", 5) == []  # stop words only: nothing to look for
    idx.upsert([IndexDoc(id=4, content_hash="new", text="pastry chef")])
    assert idx.hashes()[4] == "new" and len(idx) == 5
    assert 4 not in {h.id for h in idx.search("nurse", 5)}
    idx.delete([1, 99])
    assert 1 not in idx.hashes() and idx.ids.tolist() == [2, 3, 4, 5]


def test_document_weights_saturate_with_term_frequency_and_shrink_with_length():
    one, three = document_vector("nurse", 10.0), document_vector("nurse nurse nurse", 10.0)
    assert one.indices == [term_id("nurse")] and 0 < one.values[0] < three.values[0] < K1 + 1
    short, long = document_vector("nurse care", 10.0), document_vector("nurse " + "care " * 30, 10.0)
    assert short.values[0] > long.values[0]


@pytest.mark.django_db
def test_top_ten_agrees_with_the_in_process_bm25_on_real_postings(corpus, make_index):
    """The 600 demo postings, 60 queries from their own titles and skills: Qdrant's sparse BM25 and
    rank_bm25's exact scores (the in-process index) mostly pick the same ten; they differ only in the
    IDF formula and in that the average length is fixed when a document is written."""
    from search.indexing.documents import INDEX_FIELDS, posting_keyword_text
    from search.models import JobPosting

    postings = list(JobPosting.objects.only(*INDEX_FIELDS, "skills", "occupation_title").order_by("id"))
    docs = [IndexDoc(id=p.id, content_hash=p.content_hash, text=posting_keyword_text(p)) for p in postings]
    avg = float(np.mean([len(tokenize(d.text)) for d in docs]))
    exact, sparse = BM25Index(), make_index(avg_length=avg)
    exact.upsert(docs)
    sparse.upsert(docs)
    rng = np.random.default_rng(0)
    position = {int(i): n for n, i in enumerate(exact.ids)}
    overlap, tied = [], []
    for p in rng.choice(postings, 60, replace=False):
        query = " ".join([p.title, *(p.skills or [])[:5]])
        scores = exact.get_scores(tokenize(query))
        a = exact.search(query, 10)
        b = sparse.search(query, 10)
        overlap.append(len({h.id for h in a} & {h.id for h in b}) / max(len(a), 1))
        # Identical postings tie: a pick scoring at least the exact tenth's score is as good a pick.
        tied.append(np.mean([scores[position[h.id]] >= a[-1].score - 1e-9 for h in b]))
    print(f"overlap {np.mean(overlap):.3f}, within the exact top ten's scores {np.mean(tied):.3f}")
    assert np.mean(tied) >= 0.85 and np.mean(overlap) >= 0.75


def test_a_deleted_resumes_keywords_leave_the_erasing_edge_shard(tmp_path):
    """The recruiter side's keyword shard holds resumes (personal data): once one is deleted, its
    payload is in no file of the shard (its segments are rewritten without it, and no write-ahead log
    keeps old writes), its words find nothing, and the others stay findable."""
    idx = EdgeSparseBM25Index(tmp_path / "kw", avg_length=4.0, erase_deleted=True)
    idx.upsert([IndexDoc(id=i, content_hash=f"resume-secret-{i}", text=t) for i, t in DOCS.items()])

    def on_disk(needle: bytes) -> bool:
        return any(needle in f.read_bytes() for f in (tmp_path / "kw").rglob("*") if f.is_file())

    assert on_disk(b"resume-secret-5") and on_disk(b"resume-secret-4")
    idx.delete([5])
    assert not on_disk(b"resume-secret-5") and on_disk(b"resume-secret-4")
    assert idx.search("line cook kitchen", 5) == [] and [h.id for h in idx.search("nurse", 5)] == [1, 4]
    idx.close()
    reopened = EdgeSparseBM25Index(tmp_path / "kw", avg_length=4.0, erase_deleted=True)
    assert len(reopened) == 4
    reopened.close()
