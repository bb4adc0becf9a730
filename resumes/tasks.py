"""Celery tasks of the resumes side: thin, idempotent, taking ids and calling one service.

A resume goes through two stages on two queues: `parsing` (text extraction in the sandbox and the
profile; spaCy, no torch) and `matching` (retrieval and ranking; the embedder and the indexes), so
each can have its own workers. Every task is acknowledged late and given back to the queue if its
worker dies (settings); each stage counts its attempts and stops a poison file. Services import this
module and send tasks once their transaction commits; each task imports its service in its body.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping

from celery import Task, shared_task

log = logging.getLogger(__name__)

MAX_RETRIES = 5


def _stages(timings: Mapping[str, float]) -> str:
    return ", ".join(f"{stage} {ms:.0f} ms" for stage, ms in timings.items())


def backoff(retries: int) -> float:
    """Exponential backoff with full jitter: 0..10 s, 0..20 s, ... capped at 10 minutes."""
    return random.uniform(0, min(600.0, 10.0 * 2**retries))


@shared_task(name="resumes.process_resume", acks_late=True, reject_on_worker_lost=True)
def process_resume(resume_id: int, sha256: str | None = None) -> None:
    """Parse one resume, then hand it to the matching queue."""
    from jobmatch.metrics import observe_stages

    from .services import resume_parse

    timings = resume_parse(resume_id=resume_id, sha256=sha256)
    if timings is not None:
        observe_stages("resumes.process_resume", timings)
        log.info("resume %s read: %s", resume_id, _stages(timings))
        match_resume.delay(resume_id, sha256)


@shared_task(bind=True, name="resumes.match_resume", acks_late=True, reject_on_worker_lost=True)
def match_resume(self: Task, resume_id: int, sha256: str | None = None) -> None:
    """Match one parsed resume; retried with backoff and jitter only when matching is down."""
    from jobmatch.metrics import observe_stages

    from .services import TransientError, resume_give_up, resume_match

    try:
        timings = resume_match(resume_id=resume_id, sha256=sha256)
        if timings is not None:
            observe_stages("resumes.match_resume", timings)
            log.info("resume %s matched: %s", resume_id, _stages(timings))
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
    from .services import resumes_sweep

    return resumes_sweep()
