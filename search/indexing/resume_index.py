"""Resumes into the recruiter-side indexes (worker): each processed resume's vector, keywords and domain,
so a posting can be matched with the resumes shared with its organisation. A resume is indexed by its
query text (search.ranking.sides.query_text), the text the seeker side searches with."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from resumes.models import Resume
from search.indexes.base import IndexDoc
from search.models import IndexedResume
from search.ranking.domain import resume_domain_probabilities
from search.ranking.sides import query_text

from .embeddings import embed_documents_and_heads, embed_heads
from .engine import get_engine


def resume_heads(estimator: Any, texts: list[str]) -> np.ndarray | None:
    """The embeddings of the texts' heads, for a domain model that reads heads and a resume known by its
    stored vector (which holds the whole's embedding); None for a model saved before the head part."""
    if not estimator.reads_heads:
        return None
    return embed_heads(texts)


def resume_content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def resume_index_add(*, resume: Resume, text: str, vector: np.ndarray, probs: np.ndarray | None) -> None:
    """Put one resume in the recruiter-side indexes (worker): its vector, its keywords, its domain."""
    resumes_index_write([(resume, text, vector, probs)])


def resumes_index_write(items: list[tuple[Resume, str, np.ndarray, np.ndarray | None]]) -> None:

    if not items:
        return
    engine = get_engine()
    classes = engine.domain.classes if engine.domain is not None else []
    docs = [
        IndexDoc(id=r.pk, content_hash=resume_content_hash(t), text=t, vector=v, payload={"kind": "resume"})
        for r, t, v, _ in items
    ]
    engine.resume_vectors.upsert(docs)
    engine.resume_bm25.upsert(docs)
    engine.resume_bm25.save()
    now = timezone.now()
    IndexedResume.objects.bulk_create(
        [
            IndexedResume(resume=r, content_hash=d.content_hash, indexed_at=now, **domain_fields(p, classes))
            for (r, _t, _v, p), d in zip(items, docs, strict=True)
        ],
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["resume"],
        update_fields=["content_hash", "domain", "domain_score", "domain_probs", "indexed_at"],
    )


def domain_fields(probs: np.ndarray | None, classes: list[str]) -> dict[str, Any]:
    """What an index entry holds of the resume's domain: the likeliest, its probability, all of them."""
    known = probs is not None and bool(classes)
    return {
        "domain": classes[int(np.argmax(probs))] if known else "",
        "domain_score": round(float(np.max(probs)), 5) if known else None,
        "domain_probs": [round(float(x), 5) for x in probs] if probs is not None else None,
    }


def resumes_reclassify(batch_size: int = 1000) -> int:
    """Every indexed resume's domain from the serving domain model, read from the vector the recruiter-side
    index holds and the resume's query text, whose head is embedded for a model that reads heads (worker;
    search.indexing.posting_index.domains_refresh calls it; its speed: docs/benchmarks.md)."""
    engine = get_engine()
    if engine.domain is None:
        return 0
    ids = list(IndexedResume.objects.values_list("resume_id", flat=True))
    done = 0
    for start in range(0, len(ids), batch_size):
        vecs = engine.resume_vectors.vectors(ids[start : start + batch_size])
        resumes = list(Resume.objects.filter(pk__in=list(vecs)).only("id", "text", "profile"))
        if not resumes:
            continue
        texts = [query_text(text=r.text, profile=r.profile) for r in resumes]
        probs = resume_domain_probabilities(
            engine.domain.estimator,
            np.asarray([vecs[r.pk] for r in resumes], dtype=np.float32),
            [r.profile for r in resumes],
            texts,
            resume_heads(engine.domain.estimator, texts),
        )
        entries = [
            IndexedResume(resume_id=r.pk, **domain_fields(p, engine.domain.classes))
            for r, p in zip(resumes, probs, strict=True)
        ]
        IndexedResume.objects.bulk_update(entries, ["domain", "domain_score", "domain_probs"], batch_size=1000)
        done += len(entries)
    return done


def resumes_index_missing(*, resumes: QuerySet[Resume], batch_size: int = 64) -> int:
    """Index processed resumes the recruiter side does not hold yet, or holds an older text of (worker).
    Bulk imports rely on this; so does a candidates ranking that meets a resume indexed before.
    One query finds them: no entry, or the resume changed since it was indexed."""

    changed = resumes.filter(status=Resume.Status.DONE).filter(
        Q(index_entry__isnull=True) | Q(updated_at__gt=F("index_entry__indexed_at"))
    )
    have = dict(IndexedResume.objects.filter(resume__in=changed.values("id")).values_list("resume_id", "content_hash"))
    todo: list[tuple[Resume, str]] = []
    same: list[int] = []
    for resume in changed.only("id", "text", "profile"):
        text = query_text(text=resume.text, profile=resume.profile)
        if have.get(resume.pk) == resume_content_hash(text):
            same.append(resume.pk)  # saved for another reason (visibility): nothing to embed
        else:
            todo.append((resume, text))
    if same:
        IndexedResume.objects.filter(resume_id__in=same).update(indexed_at=timezone.now())
    if not todo:
        return 0
    engine = get_engine()
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        vecs, heads = embed_documents_and_heads([t for _, t in batch])
        probs: list[np.ndarray | None] = [None] * len(batch)
        if engine.domain is not None:
            profiles = [r.profile for r, _ in batch]
            texts = [t for _, t in batch]
            probs = list(resume_domain_probabilities(engine.domain.estimator, vecs, profiles, texts, heads))
        resumes_index_write([(r, t, v, p) for (r, t), v, p in zip(batch, vecs, probs, strict=True)])
    if len(todo) > batch_size:
        engine.resume_vectors.optimize()  # a bulk import: the embedded store indexes what it wrote
    return len(todo)


def resumes_index_repair() -> int:
    """Forget that a resume is indexed when either recruiter-side index lacks it (the index folder was
    rebuilt, or the keyword store switched to Qdrant): the next `resumes_index_missing` over it, which
    every candidates ranking runs for the resumes it may see, writes it again. Returns how many."""

    engine = get_engine()
    listed = set(IndexedResume.objects.values_list("resume_id", flat=True))
    if not listed:
        return 0
    present = set(engine.resume_bm25.hashes()) & set(engine.resume_vectors.hashes())
    lost = sorted(listed - present)
    for start in range(0, len(lost), 5000):
        IndexedResume.objects.filter(resume_id__in=lost[start : start + 5000]).delete()
    return len(lost)


def resume_entries_drop(*, resume_ids: list[int]) -> None:
    """Take resumes out of the recruiter-side indexes (vectors and keywords), leaving the rows alone."""

    engine = get_engine()
    engine.resume_vectors.delete(resume_ids)
    engine.resume_bm25.delete(resume_ids)
    engine.resume_bm25.save()


def resumes_unindex(*, resume_ids: list[int]) -> None:
    """Remove resumes from the recruiter-side indexes (worker). Safe for ids already gone."""
    if not resume_ids:
        return
    resume_entries_drop(resume_ids=resume_ids)
    IndexedResume.objects.filter(resume_id__in=resume_ids).delete()


def resumes_unindex_orphans() -> int:
    """Index entries whose resume no longer exists (a deletion whose task was lost, a row deleted
    around the services): remove them. Returns how many."""
    engine = get_engine()
    indexed = set(engine.resume_bm25.hashes()) | set(engine.resume_vectors.hashes())
    if not indexed:
        return 0
    alive = set(Resume.objects.filter(pk__in=indexed).values_list("id", flat=True))
    orphans = sorted(indexed - alive)
    if orphans:
        resume_entries_drop(resume_ids=orphans)
    return len(orphans)
