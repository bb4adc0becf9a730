"""Resumes into the recruiter-side indexes (worker): each processed resume's vector, keywords and domain,
so a posting can be matched with the resumes shared with its organisation. A resume is indexed by its
query text (search.ranking.sides.query_text), the text the seeker side searches with."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from resumes.models import Resume
from search.indexes.base import IndexDoc
from search.models import IndexedResume
from search.ranking.domain import resume_domain_probabilities
from search.ranking.occupations import RECENCY, family, with_named
from search.ranking.sides import named_occupations, query_text

from .embeddings import embed_documents_and_heads, embed_heads, embed_texts
from .engine import get_engine


def resume_content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


Entry = tuple[Resume, str, np.ndarray, np.ndarray | None, Mapping[str, float]]  # resume, text, vector, probs, place


def resume_index_add(
    *, resume: Resume, text: str, vector: np.ndarray, probs: np.ndarray | None, occupations: Mapping[str, float]
) -> None:
    """Put one resume in the recruiter-side indexes (worker): its vector, its keywords, its domain and its
    place in O*NET-SOC."""
    resumes_index_write([(resume, text, vector, probs, occupations)])


def resumes_index_write(items: list[Entry]) -> None:

    if not items:
        return
    engine = get_engine()
    classes = engine.domain.classes if engine.domain is not None else []
    docs = [
        IndexDoc(id=r.pk, content_hash=resume_content_hash(t), text=t, vector=v, payload={"kind": "resume"})
        for r, t, v, _, _ in items
    ]
    engine.resume_vectors.upsert(docs)
    engine.resume_bm25.upsert(docs)
    engine.resume_bm25.save()
    now = timezone.now()
    IndexedResume.objects.bulk_create(
        [
            IndexedResume(
                resume=r,
                content_hash=d.content_hash,
                indexed_at=now,
                **occupation_fields(o),
                **domain_fields(p, classes),
            )
            for (r, _t, _v, p, o), d in zip(items, docs, strict=True)
        ],
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["resume"],
        update_fields=[
            "content_hash",
            "domain",
            "domain_score",
            "domain_probs",
            "occupations",
            "family",
            "family_score",
            "indexed_at",
        ],
    )


def occupation_fields(placement: Mapping[str, float]) -> dict[str, Any]:
    """What an index entry holds of the resume's place in O*NET-SOC: the placement, its likeliest job
    family and that family's probability."""
    name, share = family(placement)
    return {"occupations": dict(placement) or None, "family": name, "family_score": round(share, 5) if name else None}


def domain_fields(probs: np.ndarray | None, classes: list[str]) -> dict[str, Any]:
    """What an index entry holds of the resume's domain: the likeliest, its probability, all of them."""
    known = probs is not None and bool(classes)
    return {
        "domain": classes[int(np.argmax(probs))] if known else "",
        "domain_score": round(float(np.max(probs)), 5) if known else None,
        "domain_probs": [float(x) for x in np.round(probs, 5)] if probs is not None else None,
    }


def resumes_reclassify(batch_size: int = 1000) -> int:
    """Every indexed resume's domain and place in O*NET-SOC from the serving models, read from the vector
    the recruiter-side index holds and the resume's query text, whose head is embedded for a domain model
    that reads heads, and its titles for the occupation model (worker; search.indexing.posting_index.
    domains_refresh calls it; its speed: docs/benchmarks.md)."""
    engine = get_engine()
    if engine.domain is None and engine.occupations is None:
        return 0
    ids = list(IndexedResume.objects.values_list("resume_id", flat=True))
    done = 0
    for start in range(0, len(ids), batch_size):
        vecs = engine.resume_vectors.vectors(ids[start : start + batch_size])
        resumes = list(Resume.objects.filter(pk__in=list(vecs)).only("id", "text", "profile"))
        if not resumes:
            continue
        entries = [IndexedResume(resume_id=r.pk) for r in resumes]
        fields = ["occupations", "family", "family_score"]
        texts = [query_text(text=r.text, profile=r.profile) for r in resumes]
        heads = embed_heads(texts)
        if engine.domain is not None:
            probs = resume_domain_probabilities(
                engine.domain.estimator,
                np.asarray([vecs[r.pk] for r in resumes], dtype=np.float32),
                [r.profile for r in resumes],
                texts,
                heads,
            )
            for entry, p in zip(entries, probs, strict=True):
                for name, value in domain_fields(p, engine.domain.classes).items():
                    setattr(entry, name, value)
            fields += ["domain", "domain_score", "domain_probs"]
        for entry, place in zip(entries, resume_placements([r.profile for r in resumes], heads), strict=True):
            for name, value in occupation_fields(place).items():
                setattr(entry, name, value)
        IndexedResume.objects.bulk_update(entries, fields, batch_size=1000)
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
        places = resume_placements([r.profile for r, _ in batch], heads)
        resumes_index_write([(r, t, v, p, o) for (r, t), v, p, o in zip(batch, vecs, probs, places, strict=True)])
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


def resume_placements(
    profiles: Sequence[Mapping[str, object] | None], heads: np.ndarray | None
) -> list[dict[str, float]]:
    """Each resume's place in O*NET-SOC: its first titles embedded one by one (the headline and latest
    roles weighing most) read together with its head (the embedding of the top of its query text, a
    row of `heads` per profile), with the occupations they name exactly; a resume without titles placed
    by its head alone; nothing without an occupation model."""
    engine = get_engine()
    if engine.occupations is None:
        return [{} for _ in profiles]
    model = engine.occupations.estimator
    titles = [[str(t) for t in ((p or {}).get("titles") or [])[: len(RECENCY)]] for p in profiles]
    flat = [t for ts in titles for t in ts]
    vecs = embed_texts(flat) if flat else np.zeros((0, 1), dtype=np.float32)
    out, start = [], 0
    for n, (profile, ts) in enumerate(zip(profiles, titles, strict=True)):
        head = heads[n] if heads is not None else None
        if ts:
            placement = model.place_titles(vecs[start : start + len(ts)], head=head)
        elif head is not None:
            placement = model.place(head[None, :])[0]
        else:
            placement = {}
        start += len(ts)
        out.append(with_named(placement, named_occupations(profile)))
    return out
