"""Request ids in logs and in the tasks a request sends, JSON logs, and error reporting to Sentry.

Every request gets an id (the proxy's X-Request-ID when it is a sane token, else a new one), answered
in the X-Request-ID header and written on every log line of the request; a task sent while handling it
carries the id in its message headers, so the worker's log lines of that task carry it too.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

request_id: ContextVar[str] = ContextVar("request_id", default="-")
HEADER = "X-Request-ID"
_SANE = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(HEADER, "")
        rid = given if _SANE.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response[HEADER] = rid
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (the request's, or the task's that is running) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class RefusalWithoutTracebackFilter(logging.Filter):
    """A refused request (403, 404) is an ordinary answer, not an error: Django logs it with the exception
    attached, which prints a traceback per refusal. Keep the one line, drop the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in (403, 404) and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True


# Celery: the id travels in the message headers and is set around the task body.
def add_request_id_header(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    if headers is not None and request_id.get() != "-":
        headers.setdefault("request_id", request_id.get())


_task_tokens: dict[str, Any] = {}


def task_started(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    rid = getattr(getattr(task, "request", None), "request_id", None) or f"task-{task_id}"
    _task_tokens[str(task_id)] = request_id.set(str(rid))


def task_ended(task_id: str | None = None, **kwargs: Any) -> None:
    token = _task_tokens.pop(str(task_id), None)
    if token is not None:
        request_id.reset(token)


def logging_config(*, level: str, json: bool) -> dict[str, Any]:
    fields = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"
    formatter: dict[str, Any] = (
        {"()": "pythonjsonlogger.json.JsonFormatter", "format": fields, "rename_fields": {"levelname": "level"}}
        if json
        else {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "jobmatch.observability.RequestIdFilter"},
            "refusals": {"()": "jobmatch.observability.RefusalWithoutTracebackFilter"},
        },
        "formatters": {"main": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "main",
                "filters": ["request_id", "refusals"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"httpx": {"level": "WARNING"}},
    }


def _tag_request(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    if request_id.get() != "-":
        event.setdefault("tags", {})["request_id"] = request_id.get()
    return event


def init_sentry(*, dsn: str, environment: str, traces_sample_rate: float, transport: Any = None) -> None:
    """Errors of the web processes and the workers to Sentry, tagged with the request id; no personal data
    (no user names, emails, cookies or request bodies: resumes are personal data)."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    options: dict[str, Any] = {}
    if transport is not None:
        options["transport"] = transport
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "stack_frame_variables": False,  # a frame's variables may hold a resume's text
            "database_query_data": False,
        },
        traces_sample_rate=traces_sample_rate,
        before_send=_tag_request,
        **options,
    )
