"""Resume services: submit an upload, process it, delete it."""

from __future__ import annotations

import hashlib
import logging
import time

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from . import storage
from .extract import ExtractionError, extract_text, sniff_content_type
from .models import Resume

log = logging.getLogger(__name__)


class UploadRejected(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _display_name(name: str) -> str:
    """Keep the user's file name for display only: no path, no control or bidi characters."""
    import unicodedata

    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co"})
    return (name.strip() or "resume")[:200]


def resume_submit(*, owner: AbstractBaseUser, upload: UploadedFile) -> Resume:
    """Store an uploaded resume and queue it for processing once the row is committed."""
    if upload.size is not None and upload.size > settings.RESUME_MAX_BYTES:
        raise UploadRejected("too_large", f"The file is larger than {settings.RESUME_MAX_BYTES // (1024 * 1024)} MB.")
    data = upload.read(settings.RESUME_MAX_BYTES + 1)
    if len(data) > settings.RESUME_MAX_BYTES:
        raise UploadRejected("too_large", f"The file is larger than {settings.RESUME_MAX_BYTES // (1024 * 1024)} MB.")
    try:
        content_type = sniff_content_type(data)
    except ExtractionError as exc:
        raise UploadRejected(exc.code, exc.message) from None

    stored_name = storage.new_name()
    storage.write(stored_name, data)
    try:
        with transaction.atomic():
            resume = Resume.objects.create(
                owner=owner,
                original_name=_display_name(upload.name or "resume"),
                stored_name=stored_name,
                content_type=content_type,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
            )
            transaction.on_commit(lambda: _send_process(resume.pk))
    except BaseException:
        storage.remove(stored_name)  # no row, no file
        raise
    return resume


def _send_process(resume_id: int) -> None:
    from .tasks import process_resume

    process_resume.delay(resume_id)


def _fail(resume: Resume, code: str, message: str) -> None:
    resume.status = Resume.Status.FAILED
    resume.failure_code = code
    resume.failure_reason = message
    resume.processed_at = timezone.now()
    resume.save(update_fields=["status", "failure_code", "failure_reason", "processed_at", "updated_at"])


def resume_process(*, resume_id: int) -> dict[str, float] | None:
    """Extract, understand and match one resume. Idempotent: a second run stores the same result.

    Returns the milliseconds spent per stage, or None when the resume is gone or failed.
    """
    resume = Resume.objects.filter(pk=resume_id).first()
    if resume is None:
        return None  # deleted before the worker got to it
    resume.status = Resume.Status.PROCESSING
    resume.failure_code = resume.failure_reason = ""
    resume.save(update_fields=["status", "failure_code", "failure_reason", "updated_at"])

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        text = extract_text(storage.read(resume.stored_name), resume.content_type)
    except ExtractionError as exc:
        _fail(resume, exc.code, exc.message)
        return None
    except FileNotFoundError:
        _fail(resume, "missing_file", "The uploaded file is no longer available. Please upload it again.")
        return None
    timings["extract"] = (time.perf_counter() - t0) * 1000
    resume.text = text
    resume.save(update_fields=["text", "updated_at"])

    from search.services import NoPostingsIndexed, recommendations_refresh  # the search side's public service

    try:
        result = recommendations_refresh(resume=resume)
    except NoPostingsIndexed:
        _fail(resume, "no_postings", "There are no job postings to match against yet. Please try again later.")
        return None
    except Exception:
        log.exception("matching failed for resume %s", resume.pk)
        _fail(resume, "matching_failed", "Matching is unavailable right now. We will retry; please check back soon.")
        raise
    timings.update(result.timings.ms)
    resume.status = Resume.Status.DONE
    resume.processed_at = timezone.now()
    resume.save(update_fields=["status", "processed_at", "updated_at"])
    return timings


def resume_delete(*, resume: Resume) -> None:
    """Delete the row (recommendations cascade) and then its file."""
    stored_name = resume.stored_name
    with transaction.atomic():
        resume.delete()
        transaction.on_commit(lambda: storage.remove(stored_name))
