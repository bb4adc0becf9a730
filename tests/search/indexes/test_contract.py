"""One contract, every index adapter: upsert, replace, delete, search, hashes."""

import dataclasses

import numpy as np
import pytest
from qdrant_client import QdrantClient

from search.indexes.base import IndexDoc
from search.indexes.bm25 import BM25Index
from search.indexes.edge import EdgeIndex, migrate_from_local
from search.indexes.memory import NumpyIndex
from search.indexes.qdrant import QdrantIndex, VectorStoreBusy

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


class EdgeAdapter(QdrantAdapter):
    def make(self, tmp_path):
        return EdgeIndex(tmp_path / "edge", dim=len(WORDS))


class NumpyAdapter(QdrantAdapter):
    """The exact in-memory scan evaluation and the pipeline's tests rank with."""

    def make(self, tmp_path):
        return NumpyIndex(len(WORDS))


@pytest.fixture(
    params=[BM25Adapter, QdrantAdapter, EdgeAdapter, NumpyAdapter], ids=["bm25", "qdrant-local", "qdrant-edge", "numpy"]
)
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

    def test_documents_tied_on_score_come_in_id_order_whatever_the_order_written(self, adapter, tmp_path):
        """Reposted postings share a text: the ranking must not depend on the order a store kept them in."""
        idx = adapter.make(tmp_path)
        copies = [30, 10, 40, 20]  # the same document under four ids, written out of order
        idx.upsert([dataclasses.replace(adapter.doc(3), id=i) for i in copies])
        idx.upsert([adapter.doc(i) for i in range(len(WORDS)) if i != 3])
        hits = idx.search(adapter.query(3), 3)
        assert [h.id for h in hits] == [10, 20, 30]


@pytest.mark.filterwarnings("ignore:Failed to obtain server version")  # nothing answers, by design
def test_a_qdrant_server_that_does_not_answer_is_a_connection_error_the_tasks_retry():
    from search.indexes.base import IndexUnavailable
    from search.indexes.qdrant import open_client
    from search.tasks import TRANSIENT

    client = open_client(url="http://127.0.0.1:9")  # the discard port: nothing listens
    with pytest.raises(IndexUnavailable, match="did not answer") as raised:
        QdrantIndex(client, collection="down", dim=4)
    assert isinstance(raised.value, TRANSIENT)


def _local(tmp_path, dim):
    return QdrantIndex(QdrantClient(path=str(tmp_path / "q")), collection="filtered", dim=dim)


def _edge(tmp_path, dim):
    return EdgeIndex(tmp_path / "e", dim=dim)


def _numpy(tmp_path, dim):
    return NumpyIndex(dim)


@pytest.mark.parametrize("make", [_local, _edge, _numpy], ids=["qdrant-local", "qdrant-edge", "numpy"])
@pytest.mark.parametrize("share", [0.05, 0.3, 0.9, 1.0])
def test_qdrant_filtered_search_is_the_exact_top_k_among_the_allowed(tmp_path, share, make):
    """Unfiltered-then-filtered (large allowed sets) and id-filtered (small ones) give the same answer as
    an exact scan of the allowed vectors."""
    rng = np.random.default_rng(3)
    vecs = rng.normal(size=(400, 16))
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    idx = make(tmp_path, 16)
    idx.upsert([IndexDoc(id=i + 1, content_hash="h", vector=v.tolist()) for i, v in enumerate(vecs)])
    allowed = {int(i) + 1 for i in rng.choice(400, int(400 * share), replace=False)}
    for q in rng.normal(size=(5, 16)):
        q /= np.linalg.norm(q)
        exact = sorted(allowed, key=lambda i: -float(vecs[i - 1] @ q))[:20]
        assert [h.id for h in idx.search(q.tolist(), 20, allowed)] == exact
    # New points are seen by the next search (the size used to choose the strategy is refreshed).
    idx.upsert([IndexDoc(id=1000, content_hash="h", vector=vecs[0].tolist())])
    assert idx.search(vecs[0].tolist(), 1, {1000})[0].id == 1000


def test_edge_top_k_after_its_graph_is_built_finds_the_exact_neighbours(tmp_path):
    """Past the size where Qdrant builds an HNSW graph (optimize), the search walks it; on clustered
    vectors, as embeddings are, it still finds (nearly) all of the exact top 100."""
    rng = np.random.default_rng(5)
    # 30,000 x 96 floats (11.5 MB) pass Qdrant's default indexing threshold (10 MB of vectors per segment).
    centres = rng.normal(size=(40, 96))
    vecs = (centres[rng.integers(0, 40, 30_000)] + 0.5 * rng.normal(size=(30_000, 96))).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    idx = EdgeIndex(tmp_path / "e", dim=96)
    idx.upsert([IndexDoc(id=i + 1, content_hash="h", vector=v) for i, v in enumerate(vecs)])
    idx.optimize()
    assert idx.shard.info().indexed_vectors_count == 30_000
    recall = []
    for q in vecs[rng.choice(30_000, 20, replace=False)]:
        exact = {int(i) + 1 for i in np.argsort(-(vecs @ q))[:100]}
        recall.append(len(exact & {h.id for h in idx.search(q, 100)}) / 100)
    assert np.mean(recall) >= 0.95
    idx.close()


@pytest.mark.parametrize("erase_deleted", [False, True], ids=["with-wal", "without-wal"])
def test_edge_store_opened_twice_names_the_other_process(tmp_path, erase_deleted):
    idx = EdgeIndex(tmp_path / "e", dim=4, erase_deleted=erase_deleted)
    with pytest.raises(VectorStoreBusy, match="open in another process"):
        EdgeIndex(tmp_path / "e", dim=4, erase_deleted=erase_deleted)
    idx.close()
    EdgeIndex(tmp_path / "e", dim=4, erase_deleted=erase_deleted).close()  # free again once closed


def test_erasing_store_removes_a_deleted_vector_from_disk(tmp_path):
    """A resume's vector is personal data: once deleted, its bytes are in no file of the shard (its
    segments, and no write-ahead log holding old writes), and the other vectors stay."""
    rng = np.random.default_rng(9)
    vecs = rng.normal(size=(50, 8)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)  # stored as given: cosine stores unit vectors
    idx = EdgeIndex(tmp_path / "e", dim=8, erase_deleted=True)
    idx.upsert([IndexDoc(id=i, content_hash=f"h{i}", vector=v) for i, v in enumerate(vecs)])

    def on_disk(v: np.ndarray) -> bool:
        return any(v.tobytes() in f.read_bytes() for f in (tmp_path / "e").rglob("*") if f.is_file())

    assert on_disk(vecs[7]) and on_disk(vecs[8])
    idx.delete([7])
    assert not on_disk(vecs[7]) and on_disk(vecs[8])
    assert 7 not in idx.hashes() and len(idx) == 49
    idx.close()
    reopened = EdgeIndex(tmp_path / "e", dim=8, erase_deleted=True)  # the writes were durable
    assert len(reopened) == 49 and reopened.search(vecs[8], 1)[0].id == 8
    reopened.close()


def test_vectors_of_the_local_mode_store_move_into_a_new_edge_shard_once(tmp_path):
    local = QdrantIndex(QdrantClient(path=str(tmp_path / "qdrant")), collection="postings", dim=len(WORDS))
    local.upsert([IndexDoc(id=i, content_hash=f"h{i}", vector=_vec(i)) for i in range(5)])
    local.close()
    idx = EdgeIndex(tmp_path / "edge" / "postings", dim=len(WORDS))
    assert migrate_from_local(idx, tmp_path / "qdrant", "postings") == 5
    assert idx.hashes() == {i: f"h{i}" for i in range(5)}
    assert idx.search(_vec(2), 1)[0].id == 2
    idx.delete([2])
    idx.close()
    # The old store no longer holds the collection: a deleted point cannot come back from it.
    again = EdgeIndex(tmp_path / "edge" / "postings", dim=len(WORDS))
    assert migrate_from_local(again, tmp_path / "qdrant", "postings") == 0
    assert 2 not in again.hashes()
    again.close()
    client = QdrantClient(path=str(tmp_path / "qdrant"))
    assert not client.collection_exists("postings")
    client.close()
