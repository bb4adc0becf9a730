"""The matching engine of one process: indexes, embedder and classifier, opened once.

Web processes never call this (it loads torch through the embedder); the worker and the
batch commands do.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from qdrant_client import QdrantClient

from search.indexes.bm25 import BM25Index
from search.indexes.edge import EdgeIndex, EdgeSparseBM25Index, migrate_from_local
from search.indexes.qdrant import QdrantIndex, open_client
from search.indexes.sparse import QdrantSparseBM25Index
from search.models import JobPosting
from search.ranking.personalise import DEFAULT_GRADE

from .artifacts import OCCUPATIONS, PERSONAL, RERANKER, StoredModel, load_domain_model, load_model, serving_path
from .embeddings import DIM

log = logging.getLogger(__name__)
_lock = threading.Lock()
_engine: Engine | None = None


KeywordIndex = BM25Index | QdrantSparseBM25Index | EdgeSparseBM25Index
DOMAIN_IDS_SECONDS = 60.0
clock = time.monotonic


@dataclass
class Engine:
    bm25: KeywordIndex
    vectors: QdrantIndex | EdgeIndex
    domain: StoredModel | None
    reranker: StoredModel | None = None
    # Where titles sit in O*NET-SOC (search.ranking.occupations).
    occupations: StoredModel | None = None
    # The personalised corrections (search.learning): retrained nightly, picked up by every process.
    personal: StoredModel | None = None
    _personal_path: object = None
    skill_idf: dict[str, float] = field(default_factory=dict)
    _idf_mtime: float | None = None
    _resume_bm25: KeywordIndex | None = None
    _resume_vectors: QdrantIndex | EdgeIndex | None = None
    _domain_ids: dict[str, tuple[float, frozenset[int]]] = field(default_factory=dict)  # domain: (read at, ids)

    def close(self) -> None:
        if isinstance(self._resume_vectors, EdgeIndex):
            self._resume_vectors.close()  # a shard of its own; the client's collections share the client
        for keywords in (self._resume_bm25, self.bm25):
            if isinstance(keywords, EdgeSparseBM25Index):
                keywords.close()
        if isinstance(self.bm25, QdrantSparseBM25Index) and not isinstance(self.vectors, QdrantIndex):
            self.bm25.client.close()  # its own client (beside Edge); the resumes' keywords share it
        self.vectors.close()

    # The recruiter direction searches resumes: a second pair of indexes, opened on first use.
    @property
    def resume_bm25(self) -> KeywordIndex:
        if self._resume_bm25 is None:
            self._resume_bm25 = open_keywords(
                f"{settings.QDRANT_COLLECTION}_resumes",
                local_name="bm25_resumes",
                beside=self.bm25 if isinstance(self.bm25, QdrantSparseBM25Index) else self.vectors,
                personal_data=True,
            )
        return self._resume_bm25

    @property
    def resume_vectors(self) -> QdrantIndex | EdgeIndex:
        if self._resume_vectors is None:
            self._resume_vectors = open_vectors(
                f"{settings.QDRANT_COLLECTION}_resumes", beside=self.vectors, personal_data=True
            )
        return self._resume_vectors

    @property
    def models_stamp(self) -> str | None:
        """The versions of the models that classify and place what the indexes hold (None without any):
        when it differs from the index's stamp, build_index classifies and places everything again."""
        if self.domain is None and self.occupations is None:
            return None
        return "|".join(m.version if m is not None else "" for m in (self.domain, self.occupations))

    @property
    def grade(self) -> float:
        """What one grade of the judged set's rubric is worth in the serving re-ranker's score (measured
        when it was trained, `score_per_grade` in its metrics.json); the feedback rules and the place
        preference are set in grades."""
        measured = self.reranker.metrics.get("score_per_grade") if self.reranker is not None else None
        return float(measured) if measured else DEFAULT_GRADE

    def reload_personal(self) -> None:
        """Serve the newest deployed personalised model (a retrain or a rollback changes which)."""
        path = serving_path(PERSONAL)
        if path != self._personal_path:
            self.personal = load_model(PERSONAL) if path is not None else None
            self._personal_path = path

    def domain_postings(self, domain: str) -> frozenset[int]:
        """The ids of the open postings of a domain (as indexing labelled them), each domain read from the
        database (an indexed column) at most once every DOMAIN_IDS_SECONDS: a posting indexed since is
        found by the other retrievers meanwhile, one closed since is dropped with the closed ones before
        ranking. One domain at a time, so no recommendation waits for a read of every posting."""
        return self._postings_where("domain", domain)

    def family_postings(self, family: str) -> frozenset[int]:
        """The ids of the open postings of a job family (as indexing placed them), read as a domain's are."""
        return self._postings_where("family", family)

    def _postings_where(self, column: str, value: str) -> frozenset[int]:
        now = clock()
        read_at, ids = self._domain_ids.get(f"{column}:{value}", (None, frozenset()))
        if read_at is None or now - read_at > DOMAIN_IDS_SECONDS:
            ids = frozenset(JobPosting.objects.open().filter(**{column: value}).values_list("id", flat=True))
            self._domain_ids[f"{column}:{value}"] = (now, ids)
        return ids

    def reload_skill_idf(self) -> None:
        """How specific each posting skill is (written by build_index); read again when rebuilt."""
        path = skill_idf_path()
        mtime = path.stat().st_mtime if path.exists() else None
        if mtime != self._idf_mtime:
            self.skill_idf = json.loads(path.read_text()) if mtime is not None else {}
            self._idf_mtime = mtime


def skill_idf_path() -> Path:
    return settings.INDEX_DIR / "skill_idf.json"


def domain_stamp_path() -> Path:
    return Path(settings.INDEX_DIR) / "domain_model.json"


def domain_stamp_version() -> str | None:
    """The version of the domain model that classified what the indexes hold; None before any did."""
    path = domain_stamp_path()
    return json.loads(path.read_text()).get("version") if path.exists() else None


def _qdrant_client(beside: QdrantIndex | QdrantSparseBM25Index | EdgeIndex | None) -> QdrantClient:
    """The client of `beside` when it has one (qdrant-client's local mode allows one client per folder and
    process), else a new one: the server's, or the local mode's in INDEX_DIR/qdrant."""
    if isinstance(beside, QdrantIndex | QdrantSparseBM25Index):
        return beside.client
    return open_client(url=settings.QDRANT_URL, api_key=settings.QDRANT_API_KEY, path=settings.INDEX_DIR / "qdrant")


def open_vectors(
    collection: str | None = None, *, beside: QdrantIndex | EdgeIndex | None = None, personal_data: bool = False
) -> QdrantIndex | EdgeIndex:
    """The vector index of a collection (the postings' by default) in the configured store. A Qdrant
    client's collections share one client: pass the index already open as `beside`. Deleted points of
    a `personal_data` collection leave the embedded store's files at once."""
    collection = collection or settings.QDRANT_COLLECTION
    if not settings.QDRANT_URL and settings.JOBMATCH_VECTOR_STORE == "edge":
        index = EdgeIndex(settings.INDEX_DIR / "edge" / collection, dim=DIM, erase_deleted=personal_data)
        migrate_from_local(index, settings.INDEX_DIR / "qdrant", collection)
        return index
    return QdrantIndex(
        _qdrant_client(beside),
        collection=collection,
        dim=DIM,
        shards=settings.QDRANT_SHARDS,
        replicas=settings.QDRANT_REPLICAS,
    )


def open_keywords(
    collection: str | None = None,
    *,
    local_name: str = "bm25",
    beside: QdrantIndex | QdrantSparseBM25Index | EdgeIndex | None = None,
    personal_data: bool = False,
) -> KeywordIndex:
    """The keyword index of a collection (the postings' by default): BM25 files in INDEX_DIR/`local_name`,
    or the sparse-vector collection `<collection>_keywords` in Qdrant: on the server, sharing the client of
    `beside`, or without one in an Edge shard beside the dense ones (JOBMATCH_VECTOR_STORE=edge). Deleted
    points of a `personal_data` collection leave the Edge shard's files at once."""
    collection = f"{collection or settings.QDRANT_COLLECTION}_keywords"
    if settings.JOBMATCH_KEYWORD_STORE == "local":
        return BM25Index(settings.INDEX_DIR / local_name)
    if not settings.QDRANT_URL and settings.JOBMATCH_VECTOR_STORE == "edge":
        return EdgeSparseBM25Index(
            settings.INDEX_DIR / "edge" / collection,
            avg_length=settings.QDRANT_BM25_AVG_LENGTH,
            erase_deleted=personal_data,
        )
    return QdrantSparseBM25Index(
        _qdrant_client(beside),
        collection=collection,
        avg_length=settings.QDRANT_BM25_AVG_LENGTH,
        shards=settings.QDRANT_SHARDS,
        replicas=settings.QDRANT_REPLICAS,
    )


def get_engine() -> Engine:
    global _engine
    with _lock:
        if _engine is None:
            vectors = open_vectors()
            _engine = Engine(
                bm25=open_keywords(beside=vectors),
                vectors=vectors,
                domain=load_domain_model(),
                reranker=load_model(RERANKER),
                occupations=load_model(OCCUPATIONS),
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
