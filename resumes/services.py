"""Resume services: submit an upload, process it, delete it."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
import unicodedata
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from jobmatch.files import StorageFull
from jobmatch.metrics import RESUME_FAILURES
from search.tasks import unindex_resumes

from . import storage, tasks
from .extract import MAX_TEXT_CHARS, ExtractionError, sniff_content_type
from .models import Resume
from .sandbox import extract_sandboxed, understand_sandboxed
from .understanding.vocabulary import canonical_skill, occupations_for_titles

log = logging.getLogger(__name__)


class UploadRejected(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _display_name(name: str) -> str:
    """Keep the user's file name for display only: no path, no control or bidi characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co"})
    return (name.strip() or "resume")[:200]


def resume_submit(*, owner: AbstractBaseUser, upload: UploadedFile) -> Resume:
    """Store an uploaded resume and queue it for processing once the row is committed."""
    too_large = UploadRejected("too_large", f"The file is larger than {settings.RESUME_MAX_BYTES // (1024 * 1024)} MB.")
    if upload.size is not None and upload.size > settings.RESUME_MAX_BYTES:
        raise too_large
    data = upload.read(settings.RESUME_MAX_BYTES + 1)  # never more than the limit plus one byte
    if len(data) > settings.RESUME_MAX_BYTES:
        raise too_large
    try:
        content_type = sniff_content_type(data, upload.name)
    except ExtractionError as exc:
        raise UploadRejected(exc.code, exc.message) from None

    stored_name = storage.new_name()
    _store(stored_name, data)
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
            transaction.on_commit(lambda: resume_send(resume))
    except BaseException:
        if not Resume.objects.filter(stored_name=stored_name).exists():
            storage.remove(stored_name)  # no row, no file
        raise
    return resume


def _store(stored_name: str, data: bytes) -> None:
    try:
        storage.write(stored_name, data)
    except StorageFull:
        raise UploadRejected("no_room", StorageFull.message) from None


def resume_send(resume: Resume) -> bool:
    """Queue a stored resume for processing. A broker that does not answer leaves it waiting, file and row
    kept: it is marked as untouched for the sweeper's whole wait, so the next sweep (every
    JOBMATCH_SWEEP_SECONDS) sends it once the broker is back. True when it was sent."""
    try:
        tasks.process_resume.delay(resume.pk, resume.sha256)
    except (BrokerUnreachable, OSError):
        log.warning("resume %s stored but not queued: the broker did not answer", resume.pk, exc_info=True)
        stale = timezone.now() - dt.timedelta(seconds=settings.RESUME_STUCK_AFTER_SECONDS + 1)
        Resume.objects.filter(pk=resume.pk).update(updated_at=stale)
        return False
    return True


class TransientError(Exception):
    """Matching failed for a reason that may pass (the index, the database or the broker down): retry."""


MAX_ATTEMPTS = 3  # deliveries that never finished; a file that kills the worker this often is given up


def resume_process_start(*, resume_id: int, sha256: str | None = None) -> Resume | None:
    """Claim one delivery of a processing stage: count the attempt, or say there is nothing to do.

    None when the resume is gone, when the message is stale (the resume's content changed since it
    was sent) or already done (a redelivery after a worker crash), or when the attempts are used up
    (the resume is then failed with its reason). A delivery that ends, whichever way, gives its
    attempt back (`_attempt_done`): what remains counts deliveries that died with their worker."""
    resume = Resume.objects.filter(pk=resume_id).first()
    if resume is None:
        return None  # deleted before the worker got to it
    if sha256 is not None and (resume.sha256 != sha256 or resume.is_finished):
        return None
    Resume.objects.filter(pk=resume_id).update(attempts=F("attempts") + 1)
    resume.refresh_from_db(fields=["attempts"])
    if resume.attempts > MAX_ATTEMPTS:
        _fail(
            resume,
            "too_complex",
            f"We tried {MAX_ATTEMPTS} times to read this file and could not finish. "
            "Export it again (for example with Save as PDF) and upload it again.",
        )
        return None
    return resume


def _attempt_done(resume: Resume) -> None:
    Resume.objects.filter(pk=resume.pk, attempts__gt=0).update(attempts=F("attempts") - 1)


def resume_give_up(*, resume_id: int, code: str, message: str) -> None:
    resume = Resume.objects.filter(pk=resume_id).first()
    if resume is not None and not resume.is_finished:
        _fail(resume, code, message)


def resumes_sweep(*, older_than: float | None = None) -> int:
    """Re-send processing that has not moved for a while (a lost message, a worker killed mid-task).

    A resume pending or processing untouched for `older_than` seconds is sent again (its attempts
    are counted by the task, which gives up after MAX_ATTEMPTS). Returns how many were re-sent."""
    older_than = settings.RESUME_STUCK_AFTER_SECONDS if older_than is None else older_than
    cutoff = timezone.now() - dt.timedelta(seconds=older_than)
    stuck = list(
        Resume.objects.filter(status__in=[Resume.Status.PENDING, Resume.Status.PROCESSING], updated_at__lt=cutoff).only(
            "pk", "sha256", "status"
        )
    )
    for resume in stuck:
        # Touch it first so the next sweep waits again, then send.
        Resume.objects.filter(pk=resume.pk).update(updated_at=timezone.now())
        log.warning("re-sending resume %s, %s since before %s", resume.pk, resume.status, cutoff.isoformat())
        tasks.process_resume.delay(resume.pk, resume.sha256)
    return len(stuck)


def _fail(resume: Resume, code: str, message: str) -> None:
    RESUME_FAILURES.labels(code=code).inc()
    resume.status = Resume.Status.FAILED
    resume.failure_code = code
    resume.failure_reason = message
    resume.processed_at = timezone.now()
    resume.save(update_fields=["status", "failure_code", "failure_reason", "processed_at", "updated_at"])


def resume_parse(*, resume_id: int, sha256: str | None = None) -> dict[str, float] | None:
    """The parsing stage (queue `parsing`): extract the text in the sandbox and read the profile.

    Returns the milliseconds spent per step when the resume is ready for matching, or None when
    there was nothing to do or the file ended in a named failure."""
    resume = resume_process_start(resume_id=resume_id, sha256=sha256)
    if resume is None:
        return None
    try:
        resume.status = Resume.Status.PROCESSING
        resume.failure_code = resume.failure_reason = ""
        resume.save(update_fields=["status", "failure_code", "failure_reason", "updated_at"])
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        try:
            text = extract_sandboxed(storage.read(resume.stored_name), resume.content_type)
        except ExtractionError as exc:
            _fail(resume, exc.code, exc.message)
            return None
        except FileNotFoundError:
            _fail(resume, "missing_file", "The uploaded file is no longer available. Please upload it again.")
            return None
        timings["extract"] = (time.perf_counter() - t0) * 1000
        resume.text = text
        if resume.profile_edited_at is None:  # a seeker's corrections are never overwritten
            t0 = time.perf_counter()
            try:
                resume.profile = profile_read(text=text)
            except ExtractionError as exc:
                _fail(resume, exc.code, exc.message)
                return None
            timings["understand"] = (time.perf_counter() - t0) * 1000
        resume.save(update_fields=["text", "profile", "updated_at"])
        return timings
    finally:
        _attempt_done(resume)


def resume_match(*, resume_id: int, sha256: str | None = None) -> dict[str, float] | None:
    """The matching stage (queue `matching`): the top ten for the parsed resume.

    Idempotent: a second run stores the same ten, and a message keyed on (resume, content hash) that
    arrives again after the work is done does nothing. Raises TransientError when matching failed in
    a way worth retrying (the resume then waits, pending, with a message saying so)."""
    resume = resume_process_start(resume_id=resume_id, sha256=sha256)
    if resume is None:
        return None
    # The search side's one service, imported here: only the worker's matching queue loads it.
    from search.matching.seekers import NoPostingsIndexed, recommendations_refresh

    try:
        try:
            result = recommendations_refresh(resume=resume)
        except NoPostingsIndexed:
            _fail(resume, "no_postings", "There are no job postings to match against yet. Please try again later.")
            return None
        except Exception as exc:
            log.exception("matching failed for resume %s", resume.pk)
            resume.status = Resume.Status.PENDING
            resume.failure_reason = "Matching is unavailable right now. We are retrying; please check back soon."
            resume.save(update_fields=["status", "failure_reason", "updated_at"])
            raise TransientError(str(exc)) from exc
        resume.status = Resume.Status.DONE
        resume.processed_at = timezone.now()
        resume.save(update_fields=["status", "processed_at", "updated_at"])
        return dict(result.timings.ms)
    finally:
        _attempt_done(resume)


def resume_process(*, resume_id: int, sha256: str | None = None) -> dict[str, float] | None:
    """Both stages in this process (batch use): parse, then match. Milliseconds per step, or None."""
    timings = resume_parse(resume_id=resume_id, sha256=sha256)
    if timings is None:
        return None
    matched = resume_match(resume_id=resume_id, sha256=sha256)
    return None if matched is None else {**timings, **matched}


def profile_read(*, text: str) -> dict[str, Any] | None:
    """The structured profile of a resume text, read in a child with its own limits; None (and a log line)
    if understanding fails. Raises ExtractionError when the child hits its memory or time limit."""
    try:
        return understand_sandboxed(text[:MAX_TEXT_CHARS])  # extraction refuses longer texts; others are cut
    except ExtractionError:
        raise
    except Exception:  # matching can go on from the raw text
        log.exception("resume understanding failed")
        return None


PROFILE_LIST_LIMIT = 100


def profile_update(
    *, resume: Resume, titles: list[str], skills: list[str], location: str, years_experience: float | None
) -> Resume:
    """Store the seeker's corrections and match again with them."""
    profile = dict(resume.profile or {})
    old_skills = {s["canonical"].lower(): s for s in profile.get("skills") or []}
    new_skills = []
    for name in dict.fromkeys(s.strip() for s in skills if s.strip()):
        canonical = canonical_skill(name) or name
        new_skills.append(
            old_skills.get(canonical.lower()) or {"name": name, "canonical": canonical, "start": None, "end": None}
        )
    profile["skills"] = new_skills[:PROFILE_LIST_LIMIT]
    profile["titles"] = list(dict.fromkeys(t.strip() for t in titles if t.strip()))[:PROFILE_LIST_LIMIT]
    profile["occupations"] = occupations_for_titles(profile["titles"])
    profile["location"] = location.strip() or None
    profile["years_experience"] = years_experience
    with transaction.atomic():
        resume.profile = profile
        resume.profile_edited_at = timezone.now()
        resume.status = Resume.Status.PENDING
        resume.attempts = 0
        resume.save(update_fields=["profile", "profile_edited_at", "status", "attempts", "updated_at"])
        tasks.process_resume.delay_on_commit(resume.pk, resume.sha256)
    return resume


def filters_update(*, resume: Resume, filters: dict[str, Any]) -> Resume:
    """Store the seeker's hard filters for this resume's results and match again under them."""
    with transaction.atomic():
        resume.filters = filters
        resume.status = Resume.Status.PENDING
        resume.attempts = 0
        resume.save(update_fields=["filters", "status", "attempts", "updated_at"])
        tasks.process_resume.delay_on_commit(resume.pk, resume.sha256)
    return resume


def resume_delete(*, resume: Resume) -> None:
    """Delete one resume and everything derived from it (see `resumes_delete`)."""
    resumes_delete(resumes=Resume.objects.filter(pk=resume.pk))


def resumes_delete(*, resumes: QuerySet[Resume]) -> None:
    """Delete the rows (recommendations, applications, interactions, candidate rows cascade); once that is
    committed, their files and their entries in the recruiter-side indexes go too (`resume_deleted`, on
    every deletion of a resume row). Call inside a transaction to delete more with them."""
    with transaction.atomic():
        ids = list(resumes.select_for_update().values_list("pk", flat=True))
        if ids:
            Resume.objects.filter(pk__in=ids).delete()


def resume_deleted(sender: Any, instance: Resume, **kwargs: Any) -> None:
    """post_delete of a Resume, whoever deleted it: after the commit, remove its file and its entries in
    the recruiter-side indexes (a task: only the worker opens the indexes)."""
    stored_name, resume_id = instance.stored_name, instance.pk
    transaction.on_commit(lambda: storage.remove(stored_name))
    unindex_resumes.delay_on_commit([resume_id])


def resume_ingest(
    *, owner: AbstractBaseUser, external_id: str, data: bytes, name: str, discoverable: bool = False
) -> Resume:
    """A resume loaded in bulk (manage.py import_resumes): stored like an upload, read by the same
    extraction and understanding, keyed on (owner, external id) so loading a file again updates it.
    Seeker-side matching is left to `resume_process`; the recruiter side indexes it when ranking.

    Raises UploadRejected for a file that is too large, of an unsupported type, or unreadable;
    nothing is stored then.
    """
    if len(data) > settings.RESUME_MAX_BYTES:
        raise UploadRejected("too_large", f"larger than {settings.RESUME_MAX_BYTES // (1024 * 1024)} MB")
    try:
        content_type = sniff_content_type(data, name)
        text = extract_sandboxed(data, content_type)
        profile = profile_read(text=text)
    except ExtractionError as exc:
        raise UploadRejected(exc.code, exc.message) from None
    stored_name = storage.new_name()
    _store(stored_name, data)
    old_file = None
    try:
        with transaction.atomic():
            resume = Resume.objects.select_for_update().filter(owner=owner, external_id=external_id).first()
            if resume is None:
                resume = Resume(owner=owner, external_id=external_id)
            else:
                old_file = resume.stored_name
            resume.original_name = _display_name(name)
            resume.stored_name = stored_name
            resume.content_type = content_type
            resume.size = len(data)
            resume.sha256 = hashlib.sha256(data).hexdigest()
            resume.text = text
            if resume.profile_edited_at is None:
                resume.profile = profile
            resume.discoverable = discoverable
            resume.status = Resume.Status.DONE
            resume.failure_code = resume.failure_reason = ""
            resume.processed_at = timezone.now()
            resume.save()
    except BaseException:
        storage.remove(stored_name)
        raise
    if old_file:
        storage.remove(old_file)
    return resume
