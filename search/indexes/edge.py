"""Dense vectors in Qdrant Edge: Qdrant's engine inside the process, one shard directory per collection.

The embedded default. qdrant-client's local mode scans every point in Python, an order of magnitude
slower than a NumPy scan of the same vectors (docs/benchmarks.md); Edge runs Qdrant's own segments,
exact scan and HNSW graph in Rust. Points written since the last `optimize` sit in an appendable
segment that is scanned exactly; `optimize` (build_index calls it) builds the HNSW graph over them.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
from collections.abc import Collection, Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from qdrant_edge import (
    CountRequest,
    Distance,
    EdgeConfig,
    EdgeOptimizersConfig,
    EdgeShard,
    EdgeSparseVectorParams,
    EdgeVectorParams,
    Filter,
    HasIdCondition,
    Modifier,
    Point,
    Query,
    QueryRequest,
    ScrollRequest,
    SearchParams,
    SparseVector,
    UpdateOperation,
)

from search.ranking.types import Hit

from .base import TIE_MARGIN, IndexDoc, best_first
from .qdrant import UPSERT_BATCH, VectorStoreBusy, open_client, scroll_all
from .sparse import VECTOR as SPARSE
from .sparse import document_weights, query_weights

log = logging.getLogger(__name__)

# Candidates the HNSW search keeps while it walks the graph; at least the depth asked for (the
# retrieval asks for 100): enough to find nearly all of the exact top 100 in a couple of milliseconds
# (bench/run.py measures recall and time against an exact scan).
HNSW_EF = 1024


class EdgeIndex:
    def __init__(self, path: Path, *, dim: int, erase_deleted: bool = False) -> None:
        """`erase_deleted`: a deletion rewrites the segments that held the points, so their vectors and
        payloads leave the disk at once (personal data: the resumes' collection). Otherwise deleted points
        are only marked, and their space is reclaimed when a fifth of a segment is deleted."""
        self.path = path
        self.dim = dim
        self.erase_deleted = erase_deleted
        config = EdgeConfig(
            **self._vector_config(),
            optimizers=EdgeOptimizersConfig(deleted_threshold=0.0, vacuum_min_vector_number=1)
            if erase_deleted
            else None,
            # The write-ahead log keeps every write, deleted points' included, until it is full; without it
            # each write is flushed to the segments instead.
            wal_enabled=not erase_deleted,
        )
        self.created = not (path / "edge_config.json").exists()  # a new, empty shard
        path.mkdir(parents=True, exist_ok=True)
        # One process at a time: Edge locks its write-ahead log, but a shard without one has no lock.
        self._lock = os.open(path / "jobmatch.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(self._lock)
            raise VectorStoreBusy.at(path) from exc
        try:
            self.shard = EdgeShard.load(str(path)) if not self.created else EdgeShard.create(str(path), config)
        except BaseException:
            os.close(self._lock)
            raise

    def _vector_config(self) -> dict[str, object]:
        return {"vectors": {"": EdgeVectorParams(size=self.dim, distance=Distance.Cosine)}}

    def __len__(self) -> int:
        return int(self.shard.count(CountRequest(exact=True)))

    def _vector(self, doc: IndexDoc) -> object:
        """What a document is stored as: its dense vector."""
        if doc.vector is None:
            raise ValueError(f"document {doc.id} has no vector")
        return list(map(float, doc.vector))

    def upsert(self, docs: Sequence[IndexDoc]) -> None:
        for start in range(0, len(docs), UPSERT_BATCH):
            points = [
                Point(id=d.id, vector=self._vector(d), payload={**(d.payload or {}), "content_hash": d.content_hash})
                for d in docs[start : start + UPSERT_BATCH]
            ]
            self.shard.update(UpdateOperation.upsert_points(points))
        if self.erase_deleted:
            self.shard.flush()  # no write-ahead log: a write is durable once flushed

    def delete(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        if ids:
            self.shard.update(UpdateOperation.delete_points(ids))
            if self.erase_deleted:
                self.shard.optimize()  # rewrites every segment with a deleted point, without it
                self.shard.flush()

    def search(self, query: Sequence[float], k: int, allowed: Collection[int] | None = None) -> list[Hit]:
        """The k nearest documents; `allowed` restricts them to those ids (Qdrant's planner scans a small
        allowed set exactly and walks the graph with the filter for a large one)."""
        if allowed is not None and not allowed:
            return []
        return self._query(Query.Nearest(list(map(float, query))), k, allowed, SearchParams(hnsw_ef=max(HNSW_EF, k)))

    def _query(
        self, query: Query, k: int, allowed: Collection[int] | None, params: SearchParams | None = None
    ) -> list[Hit]:
        where = None
        if allowed is not None:
            where = Filter(must=[HasIdCondition(point_ids=allowed if isinstance(allowed, set) else set(allowed))])
        points = self.shard.query(
            QueryRequest(
                limit=k + TIE_MARGIN, query=query, filter=where, params=params, with_payload=False, with_vector=False
            )
        )
        return best_first((Hit(int(p.id), float(p.score)) for p in points), k)

    def vectors(self, ids: Iterable[int]) -> dict[int, list[float]]:
        """The stored (unit-length) vectors of those ids that are in the index."""
        ids = list(ids)
        if not ids:
            return {}
        return {int(r.id): list(r.vector) for r in self.shard.retrieve(ids, False, True) if r.vector is not None}

    def _scroll(self, *, with_vector: bool) -> Iterator[object]:
        offset = None
        while True:
            records, offset = self.shard.scroll(
                ScrollRequest(offset=offset, limit=2048, with_payload=not with_vector, with_vector=with_vector)
            )
            yield from records
            if offset is None:
                return

    def hashes(self) -> dict[int, str]:
        return {int(r.id): str((r.payload or {}).get("content_hash", "")) for r in self._scroll(with_vector=False)}

    def all_vectors(self) -> Iterator[tuple[int, list[float]]]:
        """Every stored id and vector (the benchmark's exact scan reads them)."""
        for r in self._scroll(with_vector=True):
            yield int(r.id), list(r.vector)

    def optimize(self) -> None:
        """Merge the appendable segments and build the HNSW graph over what was written since."""
        self.shard.optimize()

    def close(self) -> None:
        self.shard.close()
        os.close(self._lock)  # and with it the lock


class EdgeSparseBM25Index(EdgeIndex):
    """BM25 on Qdrant's sparse vectors (search.indexes.sparse) in an Edge shard: the keyword side of a
    Qdrant server, run by the same engine in the process (JOBMATCH_KEYWORD_STORE=qdrant without
    QDRANT_URL). Each document's vector holds BM25's term-frequency part per word; the shard's IDF
    modifier supplies the inverse document frequencies at query time, so nothing corpus-wide is held
    in Python. The keyword index's interface: upsert, delete, search, hashes, ids, save."""

    def __init__(self, path: Path, *, avg_length: float, erase_deleted: bool = False) -> None:
        if avg_length <= 0:
            raise ValueError("avg_length must be positive")
        self.avg_length = avg_length
        super().__init__(path, dim=0, erase_deleted=erase_deleted)

    def _vector_config(self) -> dict[str, object]:
        return {"vectors": {}, "sparse_vectors": {SPARSE: EdgeSparseVectorParams(modifier=Modifier.Idf)}}

    def _vector(self, doc: IndexDoc) -> object:
        weights = document_weights(doc.text, self.avg_length)
        return {SPARSE: SparseVector(indices=list(weights), values=list(weights.values()))}

    def search(self, query: str, k: int, allowed: Collection[int] | None = None) -> list[Hit]:  # type: ignore[override]
        """The k best documents that share a word with the query; `allowed` restricts them to those ids."""
        weights = query_weights(query)
        if not weights or (allowed is not None and not allowed):
            return []
        query_vector = SparseVector(indices=list(weights), values=list(weights.values()))
        return [h for h in self._query(Query.Nearest(query_vector, using=SPARSE), k, allowed) if h.score > 0]

    @property
    def ids(self) -> npt.NDArray[np.int64]:
        return np.array(sorted(self.hashes()), dtype=np.int64)

    def save(self) -> None:
        """Merge what was written since into optimised segments (every write is durable on return)."""
        self.optimize()

    def reload_if_changed(self) -> bool:
        return False  # one process holds the shard (its lock); build_index does not run beside a worker


def migrate_from_local(index: EdgeIndex, local_path: Path, collection: str) -> int:
    """Move a collection of qdrant-client's local mode (the embedded store before Edge) into a shard just
    created, vectors and payloads as they are, so an upgrade does not embed every posting again. Returns
    how many points were moved. The collection then leaves the old store, so nothing deleted later
    (a posting, an account's resume vectors) can come back from it."""
    if not index.created or not (local_path / "collection" / collection).exists():
        return 0
    try:
        client = open_client(path=local_path)
    except BaseException:
        index.close()
        shutil.rmtree(index.path)  # created for the move: the next open tries again
        raise
    copied = 0
    try:
        if not client.collection_exists(collection):
            return 0
        batch: list[IndexDoc] = []
        for p in scroll_all(client, collection, with_payload=True, with_vectors=True):
            payload = dict(p.payload or {})
            batch.append(
                IndexDoc(
                    id=int(p.id), content_hash=str(payload.get("content_hash", "")), vector=p.vector, payload=payload
                )
            )
            if len(batch) == UPSERT_BATCH:
                index.upsert(batch)
                copied, batch = copied + len(batch), []
        index.upsert(batch)
        copied += len(batch)
        client.delete_collection(collection)
    except BaseException:
        index.close()
        shutil.rmtree(index.path)
        raise
    finally:
        client.close()
    index.optimize()
    index.shard.flush()  # a shard without a write-ahead log keeps only what is flushed
    log.info("moved %d vectors of %s from the local-mode store at %s into Qdrant Edge", copied, collection, local_path)
    return copied
