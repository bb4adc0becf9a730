"""Background work that survives: transient failures retry with backoff, a poison file stops after
three attempts, stuck work is swept up, and a message delivered twice does nothing the second time.
(The crash test with a real worker killed by SIGKILL is in tests/test_worker.py.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from resumes import services
from resumes.models import Resume
from resumes.services import MAX_ATTEMPTS, resume_process_start, resumes_sweep
from resumes.tasks import MAX_RETRIES, backoff, process_resume
from tests.conftest import make_resume

TEXT = """Jane Doe
Denver, CO
Senior Accountant
Experience
Senior Accountant, Pinnacle Partners, 2015 - Present
General ledger, month-end close, audits, payroll and budgeting for forty clients.
Skills
Accounting, Excel, QuickBooks, Auditing
"""


@pytest.fixture
def pending(seeker):
    resume = make_resume(seeker, text=TEXT)
    Resume.objects.filter(pk=resume.pk).update(status=Resume.Status.PENDING)
    resume.refresh_from_db()
    return resume


@pytest.fixture
def eager_retries():
    """Eager Celery runs a retry at once, but only when it does not re-raise the task's exceptions."""
    from jobmatch.celery import app

    old = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = old


def _flaky(monkeypatch, failures: int):
    import search.matching.seekers

    real = search.matching.seekers.recommendations_refresh
    calls = {"n": 0}

    def flaky(**kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] <= failures:
            raise ConnectionError("qdrant: connection refused")
        return real(**kwargs)

    monkeypatch.setattr(search.matching.seekers, "recommendations_refresh", flaky)
    monkeypatch.setattr("resumes.tasks.backoff", lambda retries: 0)
    return calls


def test_matching_down_for_a_moment_is_retried_and_the_resume_gets_its_results(
    monkeypatch, pending, corpus, eager_retries
):
    calls = _flaky(monkeypatch, failures=2)
    process_resume.delay(pending.pk, pending.sha256)
    pending.refresh_from_db()
    assert calls["n"] == 3
    assert pending.status == Resume.Status.DONE and pending.recommendations.count() == 10


def test_matching_down_for_good_ends_in_a_named_failure_after_the_retries(monkeypatch, pending, corpus, eager_retries):
    calls = _flaky(monkeypatch, failures=100)
    process_resume.delay(pending.pk, pending.sha256)
    pending.refresh_from_db()
    assert calls["n"] == MAX_RETRIES + 1
    assert pending.status == Resume.Status.FAILED and pending.failure_code == "matching_failed"


def test_a_file_that_fails_to_read_is_not_retried(monkeypatch, seeker, corpus):
    calls = _flaky(monkeypatch, failures=0)
    resume = make_resume(seeker, text="too short")
    Resume.objects.filter(pk=resume.pk).update(status=Resume.Status.PENDING)
    process_resume.delay(resume.pk, resume.sha256)
    resume.refresh_from_db()
    assert resume.status == Resume.Status.FAILED and resume.failure_code == "too_short"
    assert calls["n"] == 0 and resume.attempts == 0  # the delivery ended: no attempt left counting


def test_backoff_grows_and_is_jittered():
    draws = [backoff(3) for _ in range(200)]
    assert all(0 <= d <= 80 for d in draws) and len(set(draws)) > 150
    assert max(backoff(20) for _ in range(50)) <= 600


def test_a_poison_file_is_given_up_after_three_attempts(pending):
    # Each delivery that started and never finished (the worker died in it) keeps its attempt.
    for _ in range(MAX_ATTEMPTS):
        assert resume_process_start(resume_id=pending.pk, sha256=pending.sha256) is not None
    assert resume_process_start(resume_id=pending.pk, sha256=pending.sha256) is None
    pending.refresh_from_db()
    assert pending.status == Resume.Status.FAILED and pending.failure_code == "too_complex"
    assert "tried 3 times" in pending.failure_reason


def test_a_message_delivered_again_after_the_work_is_done_does_nothing(pending, corpus):
    process_resume.delay(pending.pk, pending.sha256)
    pending.refresh_from_db()
    first = list(pending.recommendations.values_list("id", "rank", "posting_id"))
    assert pending.status == Resume.Status.DONE and len(first) == 10
    process_resume.delay(pending.pk, pending.sha256)  # the redelivery
    assert list(pending.recommendations.values_list("id", "rank", "posting_id")) == first  # same rows, untouched
    pending.refresh_from_db()
    assert pending.attempts == 0 and pending.status == Resume.Status.DONE
    updated = pending.updated_at
    process_resume.delay(pending.pk, "0" * 64)  # stale: sent for content the resume no longer has
    pending.refresh_from_db()
    assert pending.attempts == 0 and pending.updated_at == updated


def test_the_sweeper_sends_again_what_has_not_moved_and_leaves_the_rest(pending, seeker, corpus):
    fresh = make_resume(seeker, text=TEXT + "\nfresh")
    Resume.objects.filter(pk=fresh.pk).update(status=Resume.Status.PENDING)
    Resume.objects.filter(pk=pending.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    assert resumes_sweep(older_than=600) == 1  # eager: sent and processed at once
    pending.refresh_from_db()
    fresh.refresh_from_db()
    assert pending.status == Resume.Status.DONE and pending.recommendations.count() == 10
    assert fresh.status == Resume.Status.PENDING


def test_the_sweeper_runs_periodically_in_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-stuck-resumes"]
    assert entry["task"] == "resumes.sweep_stuck" and entry["schedule"] <= settings.RESUME_STUCK_AFTER_SECONDS


def test_tasks_are_acknowledged_late_and_given_back_when_their_worker_dies():
    import search.tasks  # noqa: F401
    from jobmatch.celery import app

    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.worker_prefetch_multiplier == 1
    for name, task in app.tasks.items():
        if name.startswith(("resumes.", "search.")):
            assert task.acks_late, name
    assert services.TransientError.__doc__


def test_a_delivery_that_dies_keeps_its_attempt_and_one_that_ends_gives_it_back(pending, corpus):
    from resumes.services import resume_parse

    resume_process_start(resume_id=pending.pk, sha256=pending.sha256)  # a delivery the worker died in
    assert resume_parse(resume_id=pending.pk, sha256=pending.sha256) is not None  # one that ended
    pending.refresh_from_db()
    assert pending.attempts == 1 and pending.status == Resume.Status.PROCESSING


def test_each_task_goes_to_its_queue_and_a_plain_worker_takes_them_all():
    import search.tasks  # noqa: F401  (registers the tasks, as the worker's autodiscovery does)
    from jobmatch.celery import app

    queues = {
        "resumes.process_resume": "parsing",
        "resumes.sweep_stuck": "parsing",
        "resumes.match_resume": "matching",
        "search.refresh_recommendations": "matching",
        "search.rank_candidates": "matching",
        "search.index_postings": "indexing",
        "search.unindex_resumes": "indexing",
        "search.expire_postings": "indexing",
        "search.expire_imports": "indexing",
        "search.retrain_personal": "indexing",
        "search.send_job_alerts": "alerts",
    }
    router = app.amqp.router
    for name, queue in queues.items():
        assert name in app.tasks, name
        assert router.route({}, name)["queue"].name == queue, name
    assert {"parsing", "matching", "indexing", "alerts"} <= set(app.amqp.queues)
    # Each queue has a binding of its own: a message is delivered to one queue, never copied to all.
    bindings = [(q.exchange.name, q.routing_key) for q in app.amqp.queues.values()]
    assert len(bindings) == len(set(bindings))
    # Every task the apps define is routed somewhere on purpose.
    ours = {n for n in app.tasks if n.startswith(("resumes.", "search."))}
    assert ours == set(queues)


def test_an_upload_while_the_broker_is_down_is_kept_and_sent_when_it_is_back(
    seeker_client, settings, django_capture_on_commit_callbacks
):
    """A Redis of the test's own, stopped before the upload: the seeker gets the page (no 500), the row and
    the file are kept, waiting; once Redis is back the next sweep sends it."""
    import shutil
    import socket
    import subprocess
    import time

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from jobmatch.celery import app
    from resumes import storage
    from tests.conftest import drop_broker_connections

    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    def start() -> subprocess.Popen:
        proc = subprocess.Popen(
            [server, "--port", str(port), "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL
        )
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    return proc
            time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    old = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "broker_transport_options")}
    redis = start()
    app.conf.update(broker_url=f"redis://127.0.0.1:{port}/0", task_always_eager=False, broker_transport_options={})
    drop_broker_connections()
    try:
        redis.terminate()
        redis.wait()  # the broker goes down
        with django_capture_on_commit_callbacks(execute=True):
            r = seeker_client.post(reverse("resumes:list"), {"file": SimpleUploadedFile("cv.txt", TEXT.encode())})
        assert r.status_code == 302
        resume = Resume.objects.get()
        assert resume.status == Resume.Status.PENDING and storage.read(resume.stored_name) == TEXT.encode()
        assert "Waiting" in seeker_client.get(reverse("resumes:detail", args=[resume.public_id])).content.decode()

        redis = start()  # back
        drop_broker_connections()
        assert resumes_sweep() == 1  # the first sweep sends it, without waiting the usual ten minutes
        import redis as redis_client

        assert redis_client.Redis(port=port).llen("parsing") == 1
    finally:
        redis.terminate()
        redis.wait()
        app.conf.update(**old)
        drop_broker_connections()
