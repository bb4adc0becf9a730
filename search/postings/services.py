"""Posting services (web-safe): postings imported in bulk, written or edited in the site, closed,
reopened and expired. Indexing and the seekers' fresh rankings follow in the worker, sent once the
transaction commits."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from search import tasks
from search.models import JobPosting, Organisation, Recommendation

from .importers import PostingRecord, Rejected

IMPORT_BATCH = 1000
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


@dataclass
class ImportPlan:
    """What writing a batch of records would do, computed without writing."""

    to_create: list[JobPosting] = field(default_factory=list)
    to_update: list[JobPosting] = field(default_factory=list)
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)


def postings_plan(
    batch: Iterable[PostingRecord | Rejected], *, organisation_id: int | None = None, created_by_id: int | None = None
) -> ImportPlan:
    """Which records create a posting, which change one (keyed on source + external id), which change nothing."""
    plan = ImportPlan()
    good: dict[tuple[str, str], PostingRecord] = {}
    for rec in batch:
        if isinstance(rec, Rejected):
            plan.rejected.append(rec)
        else:
            good[(rec.source, rec.external_id)] = rec  # a repeated id within a file: the last row wins
    if not good:
        return plan
    existing = {
        (p.source, p.external_id): p
        for p in JobPosting.objects.filter(source__in={k[0] for k in good}, external_id__in={k[1] for k in good})
    }
    for key, rec in good.items():
        posting = existing.get(key)
        if posting is None:
            posting = JobPosting(
                source=rec.source,
                external_id=rec.external_id,
                active=rec.active,
                organisation_id=organisation_id,
                created_by_id=created_by_id,
            )
            for name in _RECORD_FIELDS:
                setattr(posting, name, getattr(rec, name))
            posting.content_hash = posting.compute_content_hash()
            plan.to_create.append(posting)
            continue
        changed = [n for n in _RECORD_FIELDS if getattr(posting, n) != getattr(rec, n)]
        if changed:
            for name in changed:
                setattr(posting, name, getattr(rec, name))
            posting.content_hash = posting.compute_content_hash()
            plan.to_update.append(posting)
        else:
            plan.unchanged += 1
    return plan


def postings_write(plan: ImportPlan) -> list[int]:
    """Write a plan; the caller holds the transaction. Returns the ids written."""
    JobPosting.objects.bulk_create(plan.to_create)
    if plan.to_update:
        JobPosting.objects.bulk_update(plan.to_update, [*_RECORD_FIELDS, "content_hash"])
    return [p.pk for p in plan.to_create + plan.to_update]


def postings_import(*, records: Iterable[PostingRecord | Rejected], batch_size: int = IMPORT_BATCH) -> ImportReport:
    """Create or update postings keyed on (source, external_id); rejected rows are reported, not written.

    Importing the same file twice changes nothing the second time. Each batch is one
    transaction, so an interrupted import leaves whole batches, never half a posting.
    """
    report = ImportReport()
    for batch in _batches(records, batch_size):
        plan = postings_plan(batch)
        report.rejected.extend(plan.rejected)
        report.unchanged += plan.unchanged
        with transaction.atomic():
            postings_write(plan)
        report.created += len(plan.to_create)
        report.updated += len(plan.to_update)
    return report


POSTING_FORM_FIELDS = (
    "title",
    "company",
    "location",
    "description",
    "work_type",
    "experience_level",
    "salary_min",
    "salary_max",
    "salary_period",
    "salary_currency",
    "remote",
    "closes_at",
)


def posting_update(
    *,
    by: AbstractBaseUser,
    organisation: Organisation | None,
    values: dict[str, Any],
    posting: JobPosting | None = None,
) -> JobPosting:
    """Create or edit an organisation's posting; it is indexed and its candidates ranked in the background.
    A new posting needs an organisation; an edit keeps the posting's unless another is given."""
    with transaction.atomic():
        if posting is None:
            if organisation is None:
                raise ValueError("a new posting belongs to an organisation")
            posting = JobPosting(
                source=organisation.source,
                external_id=secrets.token_hex(6),
                organisation=organisation,
                created_by=by,
            )
        elif organisation is not None:
            posting.organisation = organisation
        for name in POSTING_FORM_FIELDS:
            if name in values:
                setattr(posting, name, values[name])
        if not posting.company and posting.organisation is not None:
            posting.company = posting.organisation.name
        posting.candidates_pending = True
        posting.save()
        tasks.index_postings.delay_on_commit()
        tasks.rank_candidates.delay_on_commit(posting.pk)
    return posting


def posting_set_open(*, posting: JobPosting, open: bool) -> JobPosting:
    """Close one posting (it leaves every result list and the indexes) or reopen it."""
    postings_set_open(posting_ids=[posting.pk], open=open)
    posting.refresh_from_db(fields=["active", "updated_at"])
    return posting


def postings_set_open(*, posting_ids: list[int], open: bool) -> int:
    """Close or reopen many postings at once (the admin's actions)."""
    with transaction.atomic():
        now = timezone.now()
        postings = JobPosting.objects.filter(id__in=posting_ids)
        if open:
            changed = postings.update(active=True, closed_at=None, updated_at=now)
        else:  # a posting closed again keeps the date it was first closed
            changed = postings.filter(active=True).update(active=False, closed_at=now, updated_at=now)
        tasks.index_postings.delay_on_commit()
        if not open:
            seekers_rematch(posting_ids=posting_ids)
    return changed


def postings_reindex(*, posting_ids: list[int]) -> int:
    """Read, embed and index postings again on the next index run (their vocabulary stamp and domain
    cleared)."""
    with transaction.atomic():
        changed = JobPosting.objects.filter(id__in=posting_ids).update(vocabulary_hash="", domain_probs=None)
        tasks.index_postings.delay_on_commit()
    return changed


def seekers_rematch(*, posting_ids: list[int]) -> None:
    """Seekers who had these postings in their top ten get a fresh ten without them."""
    resume_ids = sorted(
        set(Recommendation.objects.filter(posting_id__in=posting_ids).values_list("resume_id", flat=True))
    )
    if resume_ids:
        tasks.refresh_recommendations.delay_on_commit(resume_ids)


def postings_expire(*, today: dt.date | None = None) -> int:
    """Close every active posting past its closing date (Celery beat runs it hourly in `make run`)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        ids = list(JobPosting.objects.filter(active=True, closes_at__lt=today).values_list("id", flat=True))
        if ids:
            now = timezone.now()
            JobPosting.objects.filter(id__in=ids).update(active=False, closed_at=now, updated_at=now)
            tasks.index_postings.delay_on_commit()
            seekers_rematch(posting_ids=ids)
    return len(ids)
