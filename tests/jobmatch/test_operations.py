"""Health, readiness, metrics, request ids and error reporting, through Django's test client.

The same endpoints under gunicorn and the Procfile's real processes: tests/test_deploy.py."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time

import pytest
from django.utils import timezone

from jobmatch import observability
from jobmatch.celery import app as celery_app
from jobmatch.heartbeat import Heartbeat, beat_once
from jobmatch.metrics import queue_depths
from jobmatch.models import WorkerHeartbeat

ALL_QUEUES = ["parsing", "matching", "indexing", "alerts"]  # settings.CELERY_QUEUE_NAMES, in pipeline order


def _alive(hostname, queues, *, kind="worker", engine="ok", seen=None):
    beat_once(hostname=hostname, kind=kind, queues=queues, details={"engine": engine}, started_at=timezone.now())
    if seen is not None:
        WorkerHeartbeat.objects.filter(hostname=hostname).update(seen_at=seen)


def test_healthz_answers_without_a_login(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    assert "no-cache" in r["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_red_and_names_every_queue_without_a_worker(client):
    r = client.get("/readyz")
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "fail"
    assert body["checks"]["database"]["ok"] and body["checks"]["cache"]["ok"] and body["checks"]["broker"]["ok"]
    assert body["checks"]["workers"]["missing"] == ALL_QUEUES
    assert "no live worker consumes parsing, matching, indexing, alerts" in body["checks"]["workers"]["error"]
    assert body["checks"]["beat"]["ok"] is False
    assert body["checks"]["vector_store"]["ok"] is False  # embedded: no matching worker holds it


@pytest.mark.django_db
def test_readyz_is_green_with_a_live_worker_per_queue_and_beat(client):
    _alive("parsing@web1", ["parsing"])
    _alive("matching@web1", ["alerts", "indexing", "matching"])
    _alive("beat@web1", [], kind="beat")
    r = client.get("/readyz")
    assert r.status_code == 200, r.content
    checks = r.json()["checks"]
    assert checks["workers"]["queues"]["parsing"] == ["parsing@web1"]
    assert checks["vector_store"] == {"ok": True, "embedded_in": ["matching@web1"], "ms": checks["vector_store"]["ms"]}


@pytest.mark.django_db
def test_readyz_names_the_worker_that_stopped_beating(client, settings):
    settings.JOBMATCH_HEARTBEAT_SECONDS = 10
    _alive("parsing@web1", ["parsing"], seen=timezone.now() - dt.timedelta(seconds=31))
    _alive("matching@web1", ["alerts", "indexing", "matching"])
    _alive("beat@web1", [], kind="beat")
    r = client.get("/readyz")
    assert r.status_code == 503
    workers = r.json()["checks"]["workers"]
    assert workers["missing"] == ["parsing"]
    assert workers["error"] == "no live worker consumes parsing (stopped or not answering: parsing@web1)"


@pytest.mark.django_db
def test_readyz_reports_a_matching_worker_that_could_not_open_the_store(client):
    _alive("parsing@web1", ["parsing"])
    _alive("matching@web1", ["alerts", "indexing", "matching"], engine="no index built yet (manage.py build_index)")
    _alive("beat@web1", [], kind="beat")
    r = client.get("/readyz")
    assert r.status_code == 503
    assert (
        r.json()["checks"]["vector_store"]["error"]
        == "embedded vector store: no index built yet (manage.py build_index)"
    )


@pytest.mark.django_db(transaction=True)
def test_a_heartbeat_thread_renews_its_row_and_removes_it_when_stopped(settings):
    settings.JOBMATCH_HEARTBEAT_SECONDS = 0.2
    beat = Heartbeat(hostname="matching@test", kind="worker", queues=["matching"], details={"engine": "ok"})
    beat.start()
    try:
        deadline = time.time() + 10
        while not WorkerHeartbeat.objects.filter(hostname="matching@test").exists() and time.time() < deadline:
            time.sleep(0.05)
        first = WorkerHeartbeat.objects.get(hostname="matching@test").seen_at
        time.sleep(0.6)
        row = WorkerHeartbeat.objects.get(hostname="matching@test")
        assert row.seen_at > first and row.queues == ["matching"] and row.details == {"engine": "ok"}
    finally:
        beat.stop()
    assert not WorkerHeartbeat.objects.filter(hostname="matching@test").exists()


def test_metrics_count_requests_by_url_name_and_read_the_queues(client, db):
    client.get("/healthz")
    r = client.get("/metrics")
    assert r.status_code == 200
    text = r.content.decode()
    assert r["Content-Type"].startswith("text/plain")
    counts = [x for x in text.splitlines() if x.startswith("jobmatch_http_request_duration_seconds_count")]
    assert any('method="GET"' in x and 'view="healthz"' in x and 'status="2xx"' in x for x in counts), counts
    for queue in ALL_QUEUES:
        assert f'jobmatch_queue_depth{{queue="{queue}"}}' in text


def test_metrics_take_a_bearer_token_when_one_is_set(client, settings):
    settings.JOBMATCH_METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200


def test_queue_depth_counts_the_embedded_brokers_waiting_messages(settings):
    celery_app.conf.task_always_eager = False
    try:
        before = queue_depths()
        with celery_app.connection_for_write() as conn:
            celery_app.send_task("resumes.sweep_stuck", queue="parsing", connection=conn)
            celery_app.send_task("search.send_job_alerts", queue="alerts", connection=conn)
        after = queue_depths()
    finally:
        celery_app.conf.task_always_eager = True
        with celery_app.connection_for_write() as conn:
            for queue in ("parsing", "alerts"):
                conn.default_channel.queue_purge(queue)
    assert after["parsing"] == before["parsing"] + 1 and after["alerts"] == before["alerts"] + 1
    assert after["matching"] == before["matching"]


def test_every_response_carries_a_request_id_and_a_sane_one_from_the_proxy_is_kept(client):
    r = client.get("/healthz")
    assert len(r["X-Request-ID"]) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "lb-7f3a-001"})["X-Request-ID"] == "lb-7f3a-001"
    forged = client.get("/healthz", headers={"X-Request-ID": "x\r\nSet-Cookie: a=b" + "y" * 80})["X-Request-ID"]
    assert len(forged) == 32 and "\n" not in forged


def test_log_lines_carry_the_request_id_and_json_logs_are_one_object_a_line(caplog):
    import io

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    config = observability.logging_config(level="INFO", json=True)
    handler.addFilter(observability.RequestIdFilter())
    from pythonjsonlogger.json import JsonFormatter

    fmt = config["formatters"]["main"]
    handler.setFormatter(JsonFormatter(fmt["format"], rename_fields=fmt["rename_fields"]))
    log = logging.getLogger("jobmatch.test")
    log.addHandler(handler)
    token = observability.request_id.set("rid-123")
    try:
        log.warning("resume %s stored", 42)
    finally:
        observability.request_id.reset(token)
        log.removeHandler(handler)
    record = json.loads(stream.getvalue())
    assert (
        record["request_id"] == "rid-123" and record["message"] == "resume 42 stored" and record["level"] == "WARNING"
    )


def test_a_task_sent_during_a_request_carries_its_id_and_the_task_runs_under_it():
    headers: dict[str, object] = {}
    token = observability.request_id.set("rid-abc")
    try:
        observability.add_request_id_header(headers=headers)
    finally:
        observability.request_id.reset(token)
    assert headers == {"request_id": "rid-abc"}

    class Request:
        request_id = "rid-abc"

    class Task:
        request = Request()

    observability.task_started(task_id="t1", task=Task())
    assert observability.request_id.get() == "rid-abc"
    observability.task_ended(task_id="t1")
    assert observability.request_id.get() == "-"


def test_errors_go_to_sentry_tagged_with_the_request_id_and_without_personal_data(client, seeker, settings):
    import sentry_sdk
    from sentry_sdk.transport import Transport

    events: list[dict] = []

    class Capture(Transport):
        def capture_envelope(self, envelope):  # type: ignore[no-untyped-def]
            for item in envelope.items:
                if item.type == "event":
                    events.append(item.payload.json)

    observability.init_sentry(
        dsn="https://key@sentry.example.org/1", environment="test", traces_sample_rate=0.0, transport=Capture
    )
    try:
        from django.test import override_settings
        from django.urls import path

        def boom(request):  # type: ignore[no-untyped-def]
            raise RuntimeError("the index is gone")

        import jobmatch.urls

        urlconf = type("urls", (), {"urlpatterns": [path("boom", boom), *jobmatch.urls.urlpatterns]})
        client.force_login(seeker)
        client.raise_request_exception = False
        with override_settings(ROOT_URLCONF=urlconf):
            r = client.get("/boom", headers={"X-Request-ID": "rid-boom-1"})
        assert r.status_code == 500
        sentry_sdk.flush()
    finally:
        sentry_sdk.init(dsn=None)
    assert events, "no event reached the transport"
    event = events[-1]
    assert event["tags"]["request_id"] == "rid-boom-1"
    assert event["exception"]["values"][-1]["value"] == "the index is gone"
    assert "sam.seeker" not in json.dumps(event) and "sessionid" not in json.dumps(event)
    assert all("vars" not in frame for frame in event["exception"]["values"][-1]["stacktrace"]["frames"])


@pytest.mark.django_db
def test_readyz_keeps_its_details_for_the_metrics_token_when_one_is_set(client, settings):
    settings.JOBMATCH_METRICS_TOKEN = "s3cret-token"
    _alive("parsing@web1", ["parsing"], seen=timezone.now() - dt.timedelta(minutes=5))
    public = client.get("/readyz").json()
    assert public["status"] == "fail" and public["checks"]["workers"] == {"ok": False}
    assert "web1" not in json.dumps(public)
    detailed = client.get("/readyz", headers={"Authorization": "Bearer s3cret-token"}).json()
    assert "parsing@web1" in detailed["checks"]["workers"]["error"]
