"""Upload guards that act before a byte of the file is trusted.

- An upload whose declared length is over the limit is answered 413 before its body is read
  (so nothing is buffered or written to disk), with a message naming the limit.
- One upload at a time per seeker, and at most RESUME_UPLOADS_PER_HOUR an hour (429 with a
  Retry-After). Both live in Django's cache: a process-local one for the embedded default,
  Redis in production, so every web process sees the same counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from jobmatch.limits import quota_spend, quota_wait

# Multipart framing around the file (boundaries, headers, the CSRF token) never comes near this.
MULTIPART_OVERHEAD = 64 * 1024
UPLOAD_REFUSED = "Upload refused"


def limit_message() -> str:
    return f"The file is larger than {settings.RESUME_MAX_BYTES // (1024 * 1024)} MB, the limit for a resume."


def refused(
    request: HttpRequest, status: int, message: str, retry_after: int | None = None, heading: str = UPLOAD_REFUSED
) -> HttpResponse:
    response = render(request, "resumes/refused.html", {"message": message, "heading": heading}, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def body_limit(request: HttpRequest) -> tuple[int, str, str]:
    """The most a request to this path may send, what to say above it, and the page's heading: a resume, a
    postings file, or (everywhere else) a form."""
    if request.path in (reverse("resumes:list"), reverse("api:match_file")):
        return settings.RESUME_MAX_BYTES + MULTIPART_OVERHEAD, limit_message(), UPLOAD_REFUSED
    if request.path == reverse("recruit:import_new"):
        mb = settings.POSTINGS_IMPORT_MAX_BYTES // (1024 * 1024)
        limit = settings.POSTINGS_IMPORT_MAX_BYTES + MULTIPART_OVERHEAD
        return limit, f"The file is larger than {mb} MB, the limit.", UPLOAD_REFUSED
    mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    return (
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE + MULTIPART_OVERHEAD,
        f"The request is larger than {mb} MB, the most a form here takes.",
        "Too large to take",
    )


class UploadLimitMiddleware:
    """Refuse a body over its path's limit on its Content-Length header, before anything reads it: resume
    uploads, postings files, and every other request (a form), signed in or not. A body sent without a
    length (chunked) is refused too: 411, nothing read."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if not length and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            # A body streamed without a length: Django would read none of it (it reads Content-Length bytes),
            # so the form or file would arrive empty. Say what to do instead.
            message = "Send the request with a Content-Length header (a browser does), not as a chunked stream."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=411)
            return refused(request, 411, message, heading="Length required")
        if length:
            limit, message, heading = body_limit(request)
            if length > limit:
                # No "Connection: close" here: a WSGI application may not set hop-by-hop headers (Django's
                # development server refuses the response); the server itself discards the unread body.
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": message}, status=413)
                return refused(request, 413, message, heading=heading)
        return self.get_response(request)


@dataclass
class Throttled(Exception):
    message: str
    retry_after: int


class UploadSlot:
    """The seeker's one upload in progress; `spend()` counts it in the hourly quota once it was accepted."""

    def __init__(self, user_id: int) -> None:
        self.key = f"uploads:{user_id}"

    def spend(self) -> None:
        quota_spend(self.key)


@contextmanager
def upload_slot(user_id: int) -> Iterator[UploadSlot]:
    """Hold the seeker's single upload slot, if the last hour's accepted uploads leave room for one more."""
    lock = f"jobmatch:upload-lock:{user_id}"
    if not cache.add(lock, 1, timeout=120):
        raise Throttled("Another upload of yours is still being received. Wait for it to finish, then retry.", 5)
    try:
        slot = UploadSlot(user_id)
        wait = quota_wait(slot.key, settings.RESUME_UPLOADS_PER_HOUR)
        if wait:
            raise Throttled(
                f"You have uploaded {settings.RESUME_UPLOADS_PER_HOUR} resumes in the past hour, the limit. "
                f"Try again in {max(1, (wait + 59) // 60)} minutes.",
                wait,
            )
        yield slot
    finally:
        cache.delete(lock)
