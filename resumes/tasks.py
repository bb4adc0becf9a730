from __future__ import annotations

from celery import shared_task

from .services import resume_process


@shared_task(name="resumes.process_resume", acks_late=True)
def process_resume(resume_id: int) -> None:
    """Thin wrapper: takes an id, calls the service. Safe to run twice."""
    resume_process(resume_id=resume_id)
