"""The audit log of who opened which resume, and asking the worker
for a fresh candidates list."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from resumes.models import Resume
from search import access, tasks
from search.models import Application, JobPosting, ResumeAccess


def resume_access_record(
    *, user: AbstractBaseUser, resume: Resume, action: str, posting: JobPosting | None = None
) -> ResumeAccess:
    return ResumeAccess.objects.create(
        user=user,
        username=user.get_username(),
        resume=resume,
        resume_public_id=resume.public_id,
        posting=posting,
        action=action,
    )


def candidates_request(*, posting: JobPosting) -> None:
    """Ask the worker to rank the posting's candidates again; the page shows them when done."""
    with transaction.atomic():
        JobPosting.objects.filter(pk=posting.pk).update(candidates_pending=True)
        tasks.rank_candidates.delay_on_commit(posting.pk)


def candidates_stale(*, posting: JobPosting) -> bool:
    """Never ranked, or a resume it may be matched with changed since (shared, applied, re-read)."""
    if posting.candidates_ranked_at is None:
        return True
    newer = access.resumes_visible_for_posting(posting).filter(updated_at__gt=posting.candidates_ranked_at)
    applied = Application.objects.filter(posting=posting, created_at__gt=posting.candidates_ranked_at)
    return newer.exists() or applied.exists()
