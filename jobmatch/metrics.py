"""Prometheus metrics, served at /metrics.

With PROMETHEUS_MULTIPROC_DIR set (gunicorn.conf.py, the Procfile and `make run` set it), every process
of a machine writes its samples under that folder and /metrics adds them up: the web workers' request
latencies and the Celery workers' task and stage durations in one scrape. A worker on another machine
serves its own at JOBMATCH_WORKER_METRICS_PORT. Queue depths are read from the broker at scrape time.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # each process writes its samples here: make sure it exists
    Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)

# Seconds: a page is a few ms to a second; a task stage ms to minutes (an index build).
PAGE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0)
TASK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0)

REQUEST_LATENCY = Histogram(
    "jobmatch_http_request_duration_seconds",
    "Time to answer a request, by URL name, method and status class.",
    ["view", "method", "status"],
    buckets=PAGE_BUCKETS,
)
TASK_DURATION = Histogram(
    "jobmatch_task_duration_seconds",
    "Time a Celery task took, by task and outcome.",
    ["task", "outcome"],
    buckets=TASK_BUCKETS,
)
STAGE_DURATION = Histogram(
    "jobmatch_task_stage_duration_seconds",
    "Time one stage of a task took (extract, understand, embed, bm25, rerank, ...).",
    ["task", "stage"],
    buckets=TASK_BUCKETS,
)
RECOMMENDATIONS_SERVED = Counter(
    "jobmatch_recommendations_served_total",
    "Recommendations shown to people, by where (results page, recruiter candidates, job alert).",
    ["surface"],
)
RESUME_FAILURES = Counter(
    "jobmatch_resume_failures_total", "Resumes that ended failed, by the error code the seeker was shown.", ["code"]
)


def observe_stages(task: str, timings_ms: Mapping[str, float]) -> None:
    for stage, ms in timings_ms.items():
        STAGE_DURATION.labels(task=task, stage=stage).observe(ms / 1000)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def registry() -> CollectorRegistry:
    """What /metrics reports: every process of this machine when they share a folder, else this one."""
    if multiprocess_dir():
        reg = CollectorRegistry()
        multiprocess.MultiProcessCollector(reg)
    else:
        reg = REGISTRY
    return reg


def queue_depths() -> dict[str, int]:
    """Messages waiting in each queue of the broker (Redis lists, or the embedded broker's files)."""
    url: str = settings.CELERY_BROKER_URL
    queues = settings.CELERY_QUEUE_NAMES
    if url.startswith("filesystem://"):
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_out"])
        counts = dict.fromkeys(queues, 0)
        for f in folder.glob("*.msg"):
            queue = f.name.rsplit(".", 2)[-2] if f.name.count(".") >= 2 else ""
            if queue in counts:
                counts[queue] += 1
        return counts
    if url.startswith(("redis://", "rediss://")):
        import redis

        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        try:
            # kombu keeps one list per priority step: "name", "name\x06\x163", "name\x06\x166", ...
            sep = "\x06\x16"
            return {q: sum(int(client.llen(k)) for k in [q, *(f"{q}{sep}{p}" for p in range(1, 10))]) for q in queues}
        finally:
            client.close()
    return {}


class QueueDepthCollector(Collector):
    def collect(self) -> Iterable[GaugeMetricFamily]:
        gauge = GaugeMetricFamily("jobmatch_queue_depth", "Tasks waiting in each queue.", labels=["queue"])
        try:
            depths = queue_depths()
        except Exception:  # the broker away: /readyz says so; the scrape still answers
            depths = {}
        for queue, depth in depths.items():
            gauge.add_metric([queue], depth)
        yield gauge


def token_holder(request: HttpRequest) -> bool:
    """Whether the request may see what JOBMATCH_METRICS_TOKEN guards (anyone, when no token is set)."""
    token = settings.JOBMATCH_METRICS_TOKEN
    return not token or hmac.compare_digest(request.headers.get("Authorization", ""), f"Bearer {token}")


def metrics(request: HttpRequest) -> HttpResponse:
    if not token_holder(request):
        return HttpResponse("A bearer token is required.\n", status=401, content_type="text/plain")
    reg = registry()
    body = generate_latest(reg)
    queues = CollectorRegistry()
    queues.register(QueueDepthCollector())
    body += generate_latest(queues)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


class RequestMetricsMiddleware:
    """Time every request under its URL name (never the raw path: ids would make a series each)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        t0 = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is None:
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
        view = match.view_name if match is not None else "unmatched"
        REQUEST_LATENCY.labels(view=view, method=request.method, status=f"{response.status_code // 100}xx").observe(
            time.perf_counter() - t0
        )
        return response


def serve_worker_metrics(port: int) -> None:
    """A worker on a machine of its own serves its samples over HTTP for Prometheus to scrape."""
    from prometheus_client import start_http_server

    start_http_server(port, registry=registry())
