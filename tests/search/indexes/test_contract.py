"""One contract, every index adapter: upsert, replace, delete, search, hashes."""

import numpy as np
import pytest
from qdrant_client import QdrantClient

from search.indexes.base import IndexDoc
from search.indexes.bm25 import BM25Index
from search.indexes.qdrant import QdrantIndex

WORDS = ["nurse", "chef", "pilot", "teacher", "welder", "banker", "lawyer", "farmer"]


def _vec(i: int) -> list[float]:
    v = np.zeros(len(WORDS))
    v[i] = 1.0
    v[(i + 1) % len(WORDS)] = 0.1
    return (v / np.linalg.norm(v)).tolist()


class BM25Adapter:
    def make(self, tmp_path):
        return BM25Index(tmp_path / "bm25")

    def doc(self, i, h="h"):
        return IndexDoc(id=i, content_hash=h, text=f"{WORDS[i]} {WORDS[i]} job")

    def query(self, i):
        return WORDS[i]


class QdrantAdapter:
    def make(self, tmp_path):
        return QdrantIndex(QdrantClient(path=str(tmp_path / "qdrant")), collection="contract", dim=len(WORDS))

    def doc(self, i, h="h"):
        return IndexDoc(id=i, content_hash=h, vector=_vec(i), payload={"source": "t", "external_id": str(i)})

    def query(self, i):
        return _vec(i)


@pytest.fixture(params=[BM25Adapter, QdrantAdapter], ids=["bm25", "qdrant"])
def adapter(request):
    return request.param()


class TestIndexContract:
    def test_upserted_documents_are_found_best_first(self, adapter, tmp_path):
        idx = adapter.make(tmp_path)
        idx.upsert([adapter.doc(i) for i in range(len(WORDS))])
        assert len(idx) == len(WORDS)
        hits = idx.search(adapter.query(3), 3)
        assert hits[0].id == 3
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)

    def test_upserting_an_existing_id_replaces_it(self, adapter, tmp_path):
        idx = adapter.make(tmp_path)
        idx.upsert([adapter.doc(i) for i in range(4)])
        idx.upsert([adapter.doc(2, h="new")])
        assert len(idx) == 4
        assert idx.hashes()[2] == "new"
        assert idx.hashes()[1] == "h"

    def test_deleted_documents_are_no_longer_found(self, adapter, tmp_path):
        idx = adapter.make(tmp_path)
        idx.upsert([adapter.doc(i) for i in range(4)])
        idx.delete([3])
        assert 3 not in idx.hashes()
        assert all(h.id != 3 for h in idx.search(adapter.query(3), 4))
        idx.delete([42])  # deleting an unknown id is a no-op
        assert len(idx) == 3

    def test_search_returns_at_most_k(self, adapter, tmp_path):
        idx = adapter.make(tmp_path)
        idx.upsert([adapter.doc(i) for i in range(len(WORDS))])
        assert len(idx.search(adapter.query(0), 2)) <= 2


@pytest.mark.parametrize("share", [0.05, 0.3, 0.9, 1.0])
def test_qdrant_filtered_search_is_the_exact_top_k_among_the_allowed(tmp_path, share):
    """Unfiltered-then-filtered (large allowed sets) and id-filtered (small ones) give the same answer as
    an exact scan of the allowed vectors."""
    rng = np.random.default_rng(3)
    vecs = rng.normal(size=(400, 16))
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    idx = QdrantIndex(QdrantClient(path=str(tmp_path / "q")), collection="filtered", dim=16)
    idx.upsert([IndexDoc(id=i + 1, content_hash="h", vector=v.tolist()) for i, v in enumerate(vecs)])
    allowed = {int(i) + 1 for i in rng.choice(400, int(400 * share), replace=False)}
    for q in rng.normal(size=(5, 16)):
        q /= np.linalg.norm(q)
        exact = sorted(allowed, key=lambda i: -float(vecs[i - 1] @ q))[:20]
        assert [h.id for h in idx.search(q.tolist(), 20, allowed)] == exact
    # New points are seen by the next search (the size used to choose the strategy is refreshed).
    idx.upsert([IndexDoc(id=1000, content_hash="h", vector=vecs[0].tolist())])
    assert idx.search(vecs[0].tolist(), 1, {1000})[0].id == 1000
