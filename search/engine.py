"""The matching engine of one process: indexes, embedder and classifier, opened once.

Web views never call this (it imports torch through the embedder); the worker and the
batch commands do.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field

from django.conf import settings

from .indexes.bm25 import BM25Index
from .indexes.qdrant import QdrantIndex, open_client
from .models_store import PERSONAL, RERANKER, StoredModel, load_domain_model, load_model, serving_path

log = logging.getLogger(__name__)
_lock = threading.Lock()
_engine: Engine | None = None


@dataclass
class Engine:
    bm25: BM25Index
    vectors: QdrantIndex
    domain: StoredModel | None
    reranker: StoredModel | None = None
    # The personalised corrections (search.learning): retrained nightly, picked up by every process.
    personal: StoredModel | None = None
    _personal_path: object = None
    skill_idf: dict[str, float] = field(default_factory=dict)
    _idf_mtime: float | None = None
    _resume_bm25: BM25Index | None = None
    _resume_vectors: QdrantIndex | None = None

    def close(self) -> None:
        self.vectors.close()  # the resume collection shares the client

    # The recruiter direction searches resumes: a second pair of indexes, opened on first use.
    @property
    def resume_bm25(self) -> BM25Index:
        if self._resume_bm25 is None:
            self._resume_bm25 = BM25Index(settings.INDEX_DIR / "bm25_resumes")
        return self._resume_bm25

    @property
    def resume_vectors(self) -> QdrantIndex:
        if self._resume_vectors is None:
            from .embeddings import DIM

            self._resume_vectors = QdrantIndex(
                self.vectors.client,
                collection=f"{settings.QDRANT_COLLECTION}_resumes",
                dim=DIM,
                shards=settings.QDRANT_SHARDS,
                replicas=settings.QDRANT_REPLICAS,
            )
        return self._resume_vectors

    def reload_personal(self) -> None:
        """Serve the newest deployed personalised model (a retrain or a rollback changes which)."""
        path = serving_path(PERSONAL)
        if path != self._personal_path:
            self.personal = load_model(PERSONAL) if path is not None else None
            self._personal_path = path

    def reload_skill_idf(self) -> None:
        """How specific each posting skill is (written by build_index); read again when rebuilt."""
        path = skill_idf_path()
        mtime = path.stat().st_mtime if path.exists() else None
        if mtime != self._idf_mtime:
            self.skill_idf = json.loads(path.read_text()) if mtime is not None else {}
            self._idf_mtime = mtime


def bm25_path():  # type: ignore[no-untyped-def]
    return settings.INDEX_DIR / "bm25"


def skill_idf_path():  # type: ignore[no-untyped-def]
    return settings.INDEX_DIR / "skill_idf.json"


def open_vectors() -> QdrantIndex:
    from .embeddings import DIM

    client = open_client(url=settings.QDRANT_URL, api_key=settings.QDRANT_API_KEY, path=settings.INDEX_DIR / "qdrant")
    return QdrantIndex(
        client,
        collection=settings.QDRANT_COLLECTION,
        dim=DIM,
        shards=settings.QDRANT_SHARDS,
        replicas=settings.QDRANT_REPLICAS,
    )


def get_engine() -> Engine:
    global _engine
    with _lock:
        if _engine is None:
            _engine = Engine(
                bm25=BM25Index(bm25_path()),
                vectors=open_vectors(),
                domain=load_domain_model(),
                reranker=load_model(RERANKER),
            )
        else:
            _engine.bm25.reload_if_changed()
        _engine.reload_skill_idf()
        _engine.reload_personal()
        return _engine


def reset_engine() -> None:
    """Close and forget the engine (tests, and commands that rebuild the indexes)."""
    global _engine
    with _lock:
        if _engine is not None:
            _engine.close()
        _engine = None
