"""Dense vectors in Qdrant: embedded on disk by default, a server when QDRANT_URL is set."""

from __future__ import annotations

import functools
import logging
from collections.abc import Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import ResponseHandlingException

from search.ranking.types import Hit

from .base import TIE_MARGIN, IndexDoc, IndexUnavailable, best_first

log = logging.getLogger(__name__)

UPSERT_BATCH = 512


class VectorStoreBusy(RuntimeError):
    """The embedded store is open in another process (the embedded mode allows one)."""

    @classmethod
    def at(cls, path: Path) -> VectorStoreBusy:
        return cls(
            f"The vector store at {path} is open in another process (probably the Celery worker). "
            "Stop the worker and run the command again, or set QDRANT_URL to use a Qdrant server."
        )


class ServerClient:
    """A Qdrant server's client whose calls raise IndexUnavailable when the server does not answer."""

    def __init__(self, client: QdrantClient) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if not callable(attr):
            return attr

        @functools.wraps(attr)
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return attr(*args, **kwargs)
            except ResponseHandlingException as exc:
                raise IndexUnavailable(f"The Qdrant server did not answer: {exc}") from exc

        return call


def open_client(*, url: str = "", api_key: str = "", path: Path | None = None) -> QdrantClient:
    if url:
        return ServerClient(QdrantClient(url=url, api_key=api_key or None, timeout=30))  # type: ignore[return-value]
    assert path is not None
    path.mkdir(parents=True, exist_ok=True)
    try:
        return QdrantClient(path=str(path))
    except RuntimeError as exc:  # qdrant-client's local mode holds a file lock
        if "already accessed" in str(exc):
            raise VectorStoreBusy.at(path) from exc
        raise


def scroll_all(
    client: QdrantClient, collection: str, *, with_payload: bool | list[str], with_vectors: bool
) -> Iterator[models.Record]:
    """Every point of a collection, page by page."""
    offset = None
    while True:
        points, offset = client.scroll(
            collection, limit=2048, offset=offset, with_payload=with_payload, with_vectors=with_vectors
        )
        yield from points
        if offset is None:
            return


def collection_hashes(client: QdrantClient, collection: str) -> dict[int, str]:
    """The content hash in every point's payload, by id."""
    return {
        int(p.id): str((p.payload or {}).get("content_hash", ""))
        for p in scroll_all(client, collection, with_payload=["content_hash"], with_vectors=False)
    }


# Allowed ids at least this share of the collection: search unfiltered and filter after (see search).
OVERSAMPLE_MIN_SHARE = 0.2


class QdrantIndex:
    def __init__(self, client: QdrantClient, *, collection: str, dim: int, shards: int = 1, replicas: int = 1) -> None:
        self.client = client
        self.collection = collection
        self.dim = dim
        # A Qdrant cluster spreads the collection over `shards` and keeps `replicas` copies of each
        # (the embedded store accepts and ignores both); set once, when the collection is created.
        self.shards = shards
        self.replicas = replicas
        self._count: int | None = None  # points, for choosing how to filter (refreshed on writes)
        self._ensure_collection()

    def _ensure_collection(self) -> None:
        if not self.client.collection_exists(self.collection):
            self.client.create_collection(
                self.collection,
                vectors_config=models.VectorParams(size=self.dim, distance=models.Distance.COSINE),
                shard_number=self.shards,
                replication_factor=self.replicas,
                write_consistency_factor=max(1, (self.replicas + 1) // 2) if self.replicas > 1 else None,
            )

    def __len__(self) -> int:
        return int(self.client.count(self.collection, exact=True).count)

    def upsert(self, docs: Sequence[IndexDoc]) -> None:
        for start in range(0, len(docs), UPSERT_BATCH):
            batch = docs[start : start + UPSERT_BATCH]
            points = []
            for d in batch:
                if d.vector is None:
                    raise ValueError(f"document {d.id} has no vector")
                points.append(
                    models.PointStruct(
                        id=d.id,
                        vector=list(map(float, d.vector)),
                        payload={**(d.payload or {}), "content_hash": d.content_hash},
                    )
                )
            self.client.upsert(self.collection, points=points, wait=True)
        self._count = None

    def delete(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        if ids:
            self.client.delete(self.collection, points_selector=models.PointIdsList(points=ids), wait=True)
            self._count = None

    def _query(self, query: Sequence[float], k: int, where: models.Filter | None) -> list[Hit]:
        result = self.client.query_points(
            self.collection, query=list(map(float, query)), limit=k + TIE_MARGIN, query_filter=where, with_payload=False
        )
        return best_first((Hit(int(p.id), float(p.score)) for p in result.points), k)

    def _size(self) -> int:
        if self._count is None:
            self._count = len(self)
        return self._count

    def search(self, query: Sequence[float], k: int, allowed: Collection[int] | None = None) -> list[Hit]:
        """The k nearest documents; `allowed` restricts them to those ids (the hard filters, who may see a
        resume). When the allowed ids are a large share of the collection, an id filter costs more than it
        saves (embedded Qdrant checks it point by point, seconds over ten thousand resumes), so the search runs
        unfiltered and deep enough to expect k allowed hits, and filters after; the id filter is the
        fallback when too few pass."""
        if allowed is None:
            return self._query(query, k, None)
        if not allowed:
            return []
        ids = allowed if isinstance(allowed, set | frozenset) else set(allowed)
        size = self._size()
        share = len(ids) / max(size, 1)
        if share >= OVERSAMPLE_MIN_SHARE:
            depth = min(size, int(2 * k / share) + k)
            hits = [h for h in self._query(query, depth, None) if h.id in ids]
            if len(hits) >= k:
                return hits[:k]
        return self._query(query, k, models.Filter(must=[models.HasIdCondition(has_id=list(ids))]))

    def vectors(self, ids: Iterable[int]) -> dict[int, list[float]]:
        """The stored vectors of those ids that are in the index."""
        ids = list(ids)
        if not ids:
            return {}
        points = self.client.retrieve(self.collection, ids=ids, with_payload=False, with_vectors=True)
        return {int(p.id): list(p.vector) for p in points if isinstance(p.vector, list)}

    def all_vectors(self) -> Iterator[tuple[int, list[float]]]:
        """Every stored id and vector (the benchmark's exact scan reads them)."""
        for p in scroll_all(self.client, self.collection, with_payload=False, with_vectors=True):
            yield int(p.id), list(p.vector)  # type: ignore[arg-type]

    def optimize(self) -> None:
        """Nothing to do: a Qdrant server indexes in the background, the local mode has no index."""

    def hashes(self) -> dict[int, str]:
        return collection_hashes(self.client, self.collection)

    def close(self) -> None:
        self.client.close()
