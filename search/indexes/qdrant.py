"""Dense vectors in Qdrant: embedded on disk by default, a server when QDRANT_URL is set."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path

from qdrant_client import QdrantClient, models

from search.ranking.types import Hit

from .base import IndexDoc

log = logging.getLogger(__name__)

UPSERT_BATCH = 512


class VectorStoreBusy(RuntimeError):
    """The embedded store is open in another process (the embedded mode allows one)."""


def open_client(*, url: str = "", api_key: str = "", path: Path | None = None) -> QdrantClient:
    if url:
        return QdrantClient(url=url, api_key=api_key or None, timeout=30)
    assert path is not None
    path.mkdir(parents=True, exist_ok=True)
    try:
        return QdrantClient(path=str(path))
    except RuntimeError as exc:  # qdrant-client's local mode holds a file lock
        if "already accessed" in str(exc):
            raise VectorStoreBusy(
                f"The vector store at {path} is open in another process (probably the Celery worker). "
                "Stop the worker and run the command again, or set QDRANT_URL to use a Qdrant server."
            ) from exc
        raise


class QdrantIndex:
    def __init__(self, client: QdrantClient, *, collection: str, dim: int) -> None:
        self.client = client
        self.collection = collection
        self.dim = dim
        self._ensure_collection()

    def _ensure_collection(self) -> None:
        if not self.client.collection_exists(self.collection):
            self.client.create_collection(
                self.collection,
                vectors_config=models.VectorParams(size=self.dim, distance=models.Distance.COSINE),
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

    def delete(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        if ids:
            self.client.delete(self.collection, points_selector=models.PointIdsList(points=ids), wait=True)

    def search(self, query: Sequence[float], k: int, allowed: Collection[int] | None = None) -> list[Hit]:
        """The k nearest documents; `allowed` restricts them to those ids (the hard filters)."""
        if allowed is not None and not allowed:
            return []
        where = models.Filter(must=[models.HasIdCondition(has_id=list(allowed))]) if allowed is not None else None
        result = self.client.query_points(
            self.collection, query=list(map(float, query)), limit=k, query_filter=where, with_payload=False
        )
        return [Hit(int(p.id), float(p.score)) for p in result.points]

    def hashes(self) -> dict[int, str]:
        out: dict[int, str] = {}
        offset = None
        while True:
            points, offset = self.client.scroll(
                self.collection, limit=2048, offset=offset, with_payload=["content_hash"], with_vectors=False
            )
            for p in points:
                out[int(p.id)] = str((p.payload or {}).get("content_hash", ""))
            if offset is None:
                return out

    def close(self) -> None:
        self.client.close()
