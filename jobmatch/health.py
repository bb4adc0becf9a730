"""/healthz: the process answers (liveness). /readyz: what a request or a resume needs is there (readiness):
the database, the cache, the broker, the vector store, a live worker for every queue, and beat.

Both answer JSON; /readyz answers 503 and names what is missing when anything is. Neither needs a login
(an orchestrator probes them). With JOBMATCH_METRICS_TOKEN set, /readyz gives the error messages, host names
and queues only to a request bearing that token; others learn which checks pass.
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .heartbeat import liveness
from .metrics import token_holder

Check = dict[str, Any]


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _timed(check: Callable[[], Check]) -> Check:
    t0 = time.perf_counter()
    try:
        result = check()
    except Exception as exc:  # a check that cannot run is a failed check, named
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    result["ms"] = round((time.perf_counter() - t0) * 1000, 1)
    return result


def check_database() -> Check:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def check_cache() -> Check:
    key = "jobmatch:readyz"
    cache.set(key, "1", timeout=30)
    return {"ok": cache.get(key) == "1"}


def check_broker() -> Check:
    from jobmatch.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    return {"ok": True, "transport": app.conf.broker_url.split("://", 1)[0]}


def check_vector_store(live_engines: dict[str, Any]) -> Check:
    if settings.QDRANT_URL:
        req = urllib.request.Request(settings.QDRANT_URL.rstrip("/") + "/readyz")
        if settings.QDRANT_API_KEY:
            req.add_header("api-key", settings.QDRANT_API_KEY)
        with urllib.request.urlopen(req, timeout=2) as resp:
            return {"ok": resp.status == 200, "server": settings.QDRANT_URL}
    # Embedded: the store lives inside the matching worker; ready when one has it open.
    opened = {host: state for host, state in live_engines.items() if state == "ok"}
    if opened:
        return {"ok": True, "embedded_in": sorted(opened)}
    error = next(iter(live_engines.values()), "no live matching worker has opened it")
    return {"ok": False, "error": f"embedded vector store: {error}"}


def check_workers() -> tuple[Check, Check, dict[str, Any]]:
    alive = liveness()
    queues = {}
    missing = []
    for queue in settings.CELERY_QUEUE_NAMES:
        hosts = alive.workers_for(queue)
        queues[queue] = hosts
        if not hosts:
            missing.append(queue)
    workers: Check = {"ok": not missing, "queues": queues}
    if missing:
        stopped = sorted({h for q in missing for h in alive.stale_for(q)})
        workers["missing"] = missing
        workers["error"] = f"no live worker consumes {', '.join(missing)}" + (
            f" (stopped or not answering: {', '.join(stopped)})" if stopped else ""
        )
    beat: Check = {"ok": bool(alive.beats), "running": alive.beats}
    if not alive.beats:
        beat["error"] = "no beat process: job alerts, expiry and retraining are not scheduled"
    engines = {w.hostname: (w.details or {}).get("engine", "not loaded") for w in alive.live if "matching" in w.queues}
    return workers, beat, engines


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, Check] = {
        "database": _timed(check_database),
        "cache": _timed(check_cache),
        "broker": _timed(check_broker),
    }
    if checks["database"]["ok"]:
        workers, beat, engines = check_workers()
        checks["workers"], checks["beat"] = workers, beat
        checks["vector_store"] = _timed(lambda: check_vector_store(engines))
    else:
        checks["workers"] = {"ok": False, "error": "unknown: the database does not answer"}
    ok = all(c["ok"] for c in checks.values())
    if not token_holder(request):  # which check failed, not its error text, host names or queues
        checks = {name: {"ok": c["ok"]} for name, c in checks.items()}
    return JsonResponse({"status": "ok" if ok else "fail", "checks": checks}, status=200 if ok else 503)
