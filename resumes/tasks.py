"""Celery tasks of the resumes side: thin, idempotent, taking ids and calling one service.

Every task is acknowledged late and given back to the queue if its worker dies (settings), so a
killed worker loses nothing; the processing task counts its attempts and stops a poison file.
"""

from __future__ import annotations

import random

from celery import Task, shared_task

from .services import TransientError, resume_give_up, resume_process, resumes_sweep

MAX_RETRIES = 5


def backoff(retries: int) -> float:
    """Exponential backoff with full jitter: 0..10 s, 0..20 s, ... capped at 10 minutes."""
    return random.uniform(0, min(600.0, 10.0 * 2**retries))


@shared_task(bind=True, name="resumes.process_resume", acks_late=True, reject_on_worker_lost=True)
def process_resume(self: Task, resume_id: int, sha256: str | None = None) -> None:
    """Extract, understand and match one resume; retried with backoff only when matching is down."""
    try:
        resume_process(resume_id=resume_id, sha256=sha256)
    except TransientError as exc:
        if self.request.retries >= MAX_RETRIES:
            resume_give_up(
                resume_id=resume_id,
                code="matching_failed",
                message="Matching has been unavailable for a while. Please try again later.",
            )
            return
        raise self.retry(exc=exc, countdown=backoff(self.request.retries), max_retries=MAX_RETRIES) from exc


@shared_task(name="resumes.sweep_stuck")
def sweep_stuck() -> int:
    """Periodic: send again the resumes whose processing has not moved for a while."""
    return resumes_sweep()
