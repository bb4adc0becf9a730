"""Celery tasks of the search side: thin, idempotent, taking ids and calling one service.

Services import this module and send tasks once their transaction commits (`delay_on_commit`); each
task imports its service in its body, so the web process that sends a task never loads the worker's."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from resumes.models import Resume

from .models import JobPosting

# Errors that pass (the database, the index server or the broker briefly down; an index server that does
# not answer raises search.indexes.base.IndexUnavailable, a ConnectionError): retried with exponential
# backoff and jitter, five times; anything else is a bug and is logged, not retried.
TRANSIENT: tuple[type[BaseException], ...] = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
RETRY = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": 10,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
    "acks_late": True,
    "reject_on_worker_lost": True,
}


@shared_task(name="search.index_postings", **RETRY)
def index_postings(import_id: int | None = None) -> None:
    """Bring the indexes in line with the open postings (incremental); report progress to an import."""
    from .indexing.posting_index import import_index, index_build

    if import_id is not None:
        import_index(import_id=import_id)
    else:
        index_build()


@shared_task(name="search.rank_candidates", **RETRY)
def rank_candidates(posting_id: int) -> None:
    from .matching.recruiters import candidates_refresh

    posting = JobPosting.objects.filter(pk=posting_id).select_related("organisation").first()
    if posting is not None:
        candidates_refresh(posting=posting)


@shared_task(name="search.refresh_recommendations", **RETRY)
def refresh_recommendations(resume_ids: list[int]) -> None:
    """A fresh top ten for resumes whose results lost a posting (closed, expired)."""
    from .matching.seekers import NoPostingsIndexed, recommendations_refresh

    for resume in Resume.objects.filter(pk__in=resume_ids, status=Resume.Status.DONE):
        try:
            recommendations_refresh(resume=resume)
        except NoPostingsIndexed:
            return


@shared_task(name="search.unindex_resumes", **RETRY)
def unindex_resumes(resume_ids: list[int]) -> None:
    from .indexing.resume_index import resumes_unindex

    resumes_unindex(resume_ids=resume_ids)


@shared_task(name="search.expire_postings", **RETRY)
def expire_postings() -> int:
    from .postings.services import postings_expire

    return postings_expire()


@shared_task(name="search.expire_imports", **RETRY)
def expire_imports() -> int:
    from .postings.bulk import imports_expire

    return imports_expire()


@shared_task(name="search.send_job_alerts", **RETRY)
def send_job_alerts() -> str:
    """Email each seeker whose daily or weekly alert is due the new postings that fit them."""
    from .matching.digests import alerts_send

    return alerts_send().summary()


@shared_task(name="search.retrain_personal", **RETRY)
def retrain_personal() -> None:
    """Nightly: retrain the personalised re-ranker from interactions; deployed only if not worse."""
    from .learning import personal_train

    personal_train()
