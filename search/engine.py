"""The matching engine of one process: indexes, embedder and classifier, opened once.

Web views never call this (it imports torch through the embedder); the worker and the
batch commands do.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from django.conf import settings

from .indexes.bm25 import BM25Index
from .indexes.qdrant import QdrantIndex, open_client
from .models_store import DomainModel, load_domain_model

log = logging.getLogger(__name__)
_lock = threading.Lock()
_engine: Engine | None = None


@dataclass
class Engine:
    bm25: BM25Index
    vectors: QdrantIndex
    domain: DomainModel | None

    def close(self) -> None:
        self.vectors.close()


def bm25_path():  # type: ignore[no-untyped-def]
    return settings.INDEX_DIR / "bm25"


def open_vectors() -> QdrantIndex:
    from .embeddings import DIM

    client = open_client(url=settings.QDRANT_URL, api_key=settings.QDRANT_API_KEY, path=settings.INDEX_DIR / "qdrant")
    return QdrantIndex(client, collection=settings.QDRANT_COLLECTION, dim=DIM)


def get_engine() -> Engine:
    global _engine
    with _lock:
        if _engine is None:
            _engine = Engine(bm25=BM25Index(bm25_path()), vectors=open_vectors(), domain=load_domain_model())
        else:
            _engine.bm25.reload_if_changed()
        return _engine


def reset_engine() -> None:
    """Close and forget the engine (tests, and commands that rebuild the indexes)."""
    global _engine
    with _lock:
        if _engine is not None:
            _engine.close()
        _engine = None
