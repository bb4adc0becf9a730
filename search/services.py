"""Services write; each takes keyword arguments and says its verb in its name."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, fields

import numpy as np
from django.db import transaction
from django.db.models import F

from resumes.models import Resume

from .documents import INDEX_FIELDS, posting_embedding_text, posting_keyword_text
from .importers import PostingRecord, Rejected
from .indexes.base import IndexDoc
from .models import JobPosting, Recommendation
from .ranking.fusion import reciprocal_rank_fusion
from .ranking.rerank import rerank_by_domain
from .ranking.types import Candidate, StageTimings

log = logging.getLogger(__name__)

IMPORT_BATCH = 1000
RETRIEVAL_DEPTH = 100  # per retriever; the re-ranker sees the union (up to 200)
TOP_K = 10

# --- import -------------------------------------------------------------------------------

_RECORD_FIELDS = [f.name for f in fields(PostingRecord) if f.name not in {"source", "external_id", "line", "active"}]


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.rejected)


def _batches(items: Iterable[PostingRecord | Rejected], size: int) -> Iterator[list[PostingRecord | Rejected]]:
    batch: list[PostingRecord | Rejected] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def postings_import(*, records: Iterable[PostingRecord | Rejected], batch_size: int = IMPORT_BATCH) -> ImportReport:
    """Create or update postings keyed on (source, external_id); rejected rows are reported, not written.

    Importing the same file twice changes nothing the second time. Each batch is one
    transaction, so an interrupted import leaves whole batches, never half a posting.
    """
    report = ImportReport()
    for batch in _batches(records, batch_size):
        good: dict[tuple[str, str], PostingRecord] = {}
        for rec in batch:
            if isinstance(rec, Rejected):
                report.rejected.append(rec)
            else:
                good[(rec.source, rec.external_id)] = rec  # a repeated id within a file: the last row wins
        if not good:
            continue
        existing = {
            (p.source, p.external_id): p
            for p in JobPosting.objects.filter(source__in={k[0] for k in good}, external_id__in={k[1] for k in good})
        }
        to_create, to_update = [], []
        for key, rec in good.items():
            posting = existing.get(key)
            if posting is None:
                posting = JobPosting(source=rec.source, external_id=rec.external_id, active=rec.active)
                for name in _RECORD_FIELDS:
                    setattr(posting, name, getattr(rec, name))
                posting.content_hash = posting.compute_content_hash()
                to_create.append(posting)
                continue
            changed = [n for n in _RECORD_FIELDS if getattr(posting, n) != getattr(rec, n)]
            if changed:
                for name in changed:
                    setattr(posting, name, getattr(rec, name))
                posting.content_hash = posting.compute_content_hash()
                to_update.append(posting)
            else:
                report.unchanged += 1
        with transaction.atomic():
            JobPosting.objects.bulk_create(to_create)
            if to_update:
                JobPosting.objects.bulk_update(to_update, [*_RECORD_FIELDS, "content_hash"])
        report.created += len(to_create)
        report.updated += len(to_update)
    return report


# --- indexing -----------------------------------------------------------------------------


@dataclass
class IndexReport:
    postings: int = 0
    embedded: int = 0
    vectors_removed: int = 0
    bm25_updated: int = 0
    bm25_removed: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def _progress(total: int, desc: str, enabled: bool):  # type: ignore[no-untyped-def]
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="posting", disable=not enabled, dynamic_ncols=True)


def index_build(*, progress: bool = False, batch_size: int = 1024, full: bool = False) -> IndexReport:
    """Bring the vector and BM25 indexes in line with the active postings.

    Only postings whose content hash differs from the indexed one are embedded again
    (`full` re-embeds all, e.g. after a new domain model); closed or deleted postings
    leave both indexes.
    """
    from .embeddings import embed_texts
    from .engine import get_engine

    engine = get_engine()
    report = IndexReport()
    active = dict(JobPosting.objects.filter(active=True).values_list("id", "content_hash"))
    report.postings = len(active)
    unclassified = set(JobPosting.objects.filter(active=True, domain_probs__isnull=True).values_list("id", flat=True))

    # Skills and occupation, in the resumes' vocabulary, for postings not read since they last changed
    t0 = time.perf_counter()
    unread = JobPosting.objects.filter(active=True)
    if not full:
        unread = unread.exclude(vocabulary_hash=F("content_hash"))
    reread = set(unread.values_list("id", flat=True))
    postings_understand(ids=sorted(reread))
    report.seconds["understand"] = time.perf_counter() - t0

    # Dense vectors
    t0 = time.perf_counter()
    have = engine.vectors.hashes()
    gone = [i for i in have if i not in active]
    engine.vectors.delete(gone)
    report.vectors_removed = len(gone)
    stale = sorted(i for i, h in active.items() if full or have.get(i) != h or (engine.domain and i in unclassified))
    # Qdrant upserts run in one background thread while the next batch is embedded
    # (torch releases the GIL); at most one upsert is in flight, so memory stays bounded.
    pending: Future[None] | None = None
    with _progress(len(stale), "embedding", progress) as bar, ThreadPoolExecutor(max_workers=1) as upserter:
        for start in range(0, len(stale), batch_size):
            ids = stale[start : start + batch_size]
            postings = list(JobPosting.objects.filter(id__in=ids).only(*INDEX_FIELDS))
            texts = [posting_embedding_text(p) for p in postings]
            unique = list(dict.fromkeys(texts))  # reposted jobs share a text: embed it once
            t1 = time.perf_counter()
            by_text = dict(zip(unique, embed_texts(unique, batch_size=64), strict=True))
            emb = np.stack([by_text[t] for t in texts])
            report.seconds["embed"] = report.seconds.get("embed", 0.0) + time.perf_counter() - t1
            docs = [
                IndexDoc(
                    id=p.id,
                    content_hash=p.content_hash,
                    vector=emb[i],
                    payload={"source": p.source, "external_id": p.external_id},
                )
                for i, p in enumerate(postings)
            ]
            if pending is not None:
                pending.result()
            pending = upserter.submit(engine.vectors.upsert, docs)
            if engine.domain is not None:
                probs = engine.domain.estimator.predict_proba(emb)
                classes = engine.domain.classes
                for p, row in zip(postings, probs, strict=True):
                    p.domain_probs = [round(float(x), 5) for x in row]
                    p.domain = classes[int(np.argmax(row))]
                JobPosting.objects.bulk_update(postings, ["domain_probs", "domain"])
            report.embedded += len(postings)
            bar.update(len(postings))
        if pending is not None:
            pending.result()
    report.seconds["vectors"] = time.perf_counter() - t0

    # BM25
    t0 = time.perf_counter()
    bm25 = engine.bm25
    have = bm25.hashes()
    gone = [i for i in have if i not in active]
    bm25.delete(gone)
    report.bm25_removed = len(gone)
    # BM25 also reads the skills and occupation: a posting read again is indexed again.
    stale = sorted(i for i, h in active.items() if have.get(i) != h or i in reread)
    with _progress(len(stale), "keyword index", progress) as bar:
        for start in range(0, len(stale), 5000):
            ids = stale[start : start + 5000]
            postings = JobPosting.objects.filter(id__in=ids).only(*INDEX_FIELDS, "skills", "occupation_title")
            bm25.upsert(
                [IndexDoc(id=p.id, content_hash=p.content_hash, text=posting_keyword_text(p)) for p in postings]
            )
            bar.update(len(ids))
    report.bm25_updated = len(stale)
    if stale or gone or not (bm25.path and (bm25.path / "tf.npz").exists()):
        bm25.save()
    report.seconds["bm25"] = time.perf_counter() - t0
    return report


def postings_understand(*, ids: list[int], batch_size: int = 2000) -> None:
    """Read canonical skills (from title and description) and the O*NET occupation of postings."""
    from resumes.understanding.pipeline import skills_in_texts
    from resumes.understanding.vocabulary import occupation_for_title

    for start in range(0, len(ids), batch_size):
        postings = list(
            JobPosting.objects.filter(id__in=ids[start : start + batch_size]).only(
                "id", "title", "description", "content_hash"
            )
        )
        for p, skills in zip(postings, skills_in_texts([f"{p.title}\n{p.description}" for p in postings]), strict=True):
            occ = occupation_for_title(p.title)
            p.skills = skills[:50]
            p.occupation_code, p.occupation_title = (occ.code, occ.title) if occ else ("", "")
            p.vocabulary_hash = p.content_hash
        JobPosting.objects.bulk_update(postings, ["skills", "occupation_code", "occupation_title", "vocabulary_hash"])


# --- recommendations ----------------------------------------------------------------------


@dataclass
class RankedPosting:
    posting: JobPosting
    candidate: Candidate


@dataclass
class RecommendResult:
    items: list[RankedPosting]
    timings: StageTimings
    domain: str | None = None


class NoPostingsIndexed(RuntimeError):
    """Nothing to match against: postings were never imported or indexed."""


@contextmanager
def _timed(timings: StageTimings, stage: str) -> Iterator[None]:
    t0 = time.perf_counter()
    try:
        yield
    finally:
        timings.add(stage, (time.perf_counter() - t0) * 1000)


def jobs_for_text(*, text: str, k: int = TOP_K, depth: int = RETRIEVAL_DEPTH) -> RecommendResult:
    """Hybrid retrieval, fusion and domain re-ranking of the active postings for one resume text."""
    from .embeddings import embed_documents
    from .engine import get_engine

    engine = get_engine()
    if len(engine.bm25) == 0:
        raise NoPostingsIndexed(
            "No job postings are indexed yet. Run `manage.py import_jobs` and `manage.py build_index`."
        )
    timings = StageTimings()
    with _timed(timings, "embed"):
        query_vec = embed_documents([text])[0]
    with _timed(timings, "bm25"):
        bm25_hits = engine.bm25.search(text, depth)
    with _timed(timings, "vectors"):
        vector_hits = engine.vectors.search(query_vec, depth)
    with _timed(timings, "fuse"):
        fused = reciprocal_rank_fusion(bm25=bm25_hits, vector=vector_hits)
    with _timed(timings, "rerank"):
        postings = JobPosting.objects.filter(active=True).in_bulk([c.id for c in fused])
        fused = [c for c in fused if c.id in postings]  # closed since indexing
        resume_probs, domain = None, None
        posting_probs: dict[int, np.ndarray] = {}
        if engine.domain is not None:
            resume_probs = engine.domain.estimator.predict_proba(query_vec[None, :])[0]
            domain = engine.domain.classes[int(np.argmax(resume_probs))]
            n = len(resume_probs)
            posting_probs = {
                pid: np.asarray(p.domain_probs, dtype=np.float64)
                for pid, p in postings.items()
                if p.domain_probs and len(p.domain_probs) == n
            }
        ranked = rerank_by_domain(fused, resume_probs=resume_probs, posting_probs=posting_probs)[:k]
    return RecommendResult([RankedPosting(postings[c.id], c) for c in ranked], timings, domain)


def resume_query_text(*, resume: Resume) -> str:
    """The resume as retrieval reads it: its text plus the profile's canonical skills and titles,
    so a corrected profile changes what is found and synonyms meet the postings' wording."""
    profile = resume.profile or {}
    terms = [s.get("canonical") or s.get("name") or "" for s in profile.get("skills") or []]
    terms += profile.get("titles") or []
    terms += [o.get("title", "") for o in profile.get("occupations") or []]
    extra = "\n".join(dict.fromkeys(t for t in terms if t))
    return f"{resume.text}\n{extra}" if extra else resume.text


def recommendations_refresh(*, resume: Resume, k: int = TOP_K) -> RecommendResult:
    """Replace the resume's stored top-k with a fresh ranking. Running it twice stores the same rows."""
    result = jobs_for_text(text=resume_query_text(resume=resume), k=k)
    rows = [
        Recommendation(
            resume=resume,
            posting=item.posting,
            rank=rank,
            score=item.candidate.final_score,
            bm25_score=item.candidate.bm25_score,
            bm25_rank=item.candidate.bm25_rank,
            vector_score=item.candidate.vector_score,
            vector_rank=item.candidate.vector_rank,
            fused_score=item.candidate.fused_score,
            domain_score=item.candidate.domain_score,
        )
        for rank, item in enumerate(result.items, start=1)
    ]
    with transaction.atomic():
        Recommendation.objects.filter(resume=resume).delete()
        Recommendation.objects.bulk_create(rows)
    return result
