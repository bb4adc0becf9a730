"""The whole path once through a real Celery worker over Redis (runs in CI)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from urllib.parse import quote, urlparse

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from jobmatch.celery import app as celery_app
from resumes.models import Resume
from tests.conftest import FIXTURES, ROOT, require_service

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
FILES = ["it-27295996.pdf", "chef-24673903.pdf", "01-Accountant.docx"]


def _database_url() -> str:
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    auth = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def redis_broker():
    url = urlparse(REDIS_URL)
    require_service("Redis", url.hostname or "127.0.0.1", url.port or 6379)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    old = dict(celery_app.conf)
    celery_app.conf.update(broker_url=REDIS_URL, task_always_eager=False, broker_transport_options={})
    _drop_connections()
    yield
    celery_app.conf.update(
        broker_url=old["broker_url"],
        task_always_eager=old["task_always_eager"],
        broker_transport_options=old["broker_transport_options"],
    )
    _drop_connections()


def _drop_connections() -> None:
    """Make the app connect afresh to the broker now configured (Celery caches its pools)."""
    from kombu import pools

    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    pools.reset()  # kombu keeps producer pools per connection across apps: a closed one would be reused


@pytest.fixture
def worker(corpus_committed, redis_broker):
    from search.engine import reset_engine

    reset_engine()  # the embedded vector store admits one process: hand it to the worker
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jobmatch.settings.base",
        "JOBMATCH_DATA_DIR": str(settings.DATA_DIR),
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    log = open(settings.DATA_DIR / "worker.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "jobmatch",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield proc
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def test_uploads_return_at_once_and_a_real_worker_ranks_ten_postings_for_each(worker, client, seeker):
    client.force_login(seeker)
    for name in FILES:
        t0 = time.perf_counter()
        r = client.post(reverse("resumes:list"), {"file": SimpleUploadedFile(name, (FIXTURES / name).read_bytes())})
        assert r.status_code == 302
        assert time.perf_counter() - t0 < 2  # the request only stores the file and sends the task
    assert Resume.objects.count() == 3

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if all(r.is_finished for r in Resume.objects.all()):
            break
        assert worker.poll() is None, (settings.DATA_DIR / "worker.log").read_text()[-3000:]
        time.sleep(0.5)
    log = (settings.DATA_DIR / "worker.log").read_text(errors="replace")
    for resume in Resume.objects.all():
        assert resume.status == Resume.Status.DONE, f"{resume}: {resume.failure_reason}\n{log[-3000:]}"
        assert list(resume.recommendations.values_list("rank", flat=True)) == list(range(1, 11))
        status = client.get(reverse("resumes:status", args=[resume.public_id])).json()
        assert status["status"] == "done"
    assert "resumes.process_resume" in log and "succeeded" in log


def test_a_real_worker_sends_the_job_alerts_by_email(worker, seeker):
    import datetime as dt
    from email import message_from_bytes

    from django.utils import timezone

    from resumes.services import profile_read
    from search import alerts
    from search.models import AlertSettings, Interaction, JobPosting
    from search.tasks import send_job_alerts
    from tests.conftest import make_resume
    from tests.search.test_feedback import ANALYST

    seeker.email = "sam@example.com"
    seeker.save()
    resume = make_resume(seeker, text=ANALYST, profile=profile_read(text=ANALYST))
    alerts.frequency_set(user=seeker, frequency="daily")
    JobPosting.objects.update(created_at=timezone.now() - dt.timedelta(days=2))
    AlertSettings.objects.filter(user=seeker).update(since=timezone.now() - dt.timedelta(hours=1))
    JobPosting.objects.filter(id__in=list(JobPosting.objects.values_list("id", flat=True)[:300])).update(
        created_at=timezone.now()
    )
    mail_dir = settings.DATA_DIR / "mail"
    before = set(mail_dir.glob("*.log")) if mail_dir.exists() else set()
    send_job_alerts.delay()
    deadline = time.monotonic() + 180
    while AlertSettings.objects.get(user=seeker).last_sent_at is None and time.monotonic() < deadline:
        assert worker.poll() is None, (settings.DATA_DIR / "worker.log").read_text()[-3000:]
        time.sleep(0.5)
    log = (settings.DATA_DIR / "worker.log").read_text(errors="replace")
    assert AlertSettings.objects.get(user=seeker).last_sent_at is not None, log[-3000:]
    (written,) = set(mail_dir.glob("*.log")) - before
    message = message_from_bytes(written.read_bytes().split(b"\n" + b"-" * 79 + b"\n")[0])
    assert message["To"] == "sam@example.com" and "new job" in message["Subject"]
    assert "/jobs/alerts/unsubscribe/" in message["List-Unsubscribe"]
    sent = list(Interaction.objects.filter(resume=resume, kind="alert").values_list("posting_id", flat=True))
    assert 0 < len(sent) <= 10
    assert "search.send_job_alerts" in log and "succeeded" in log
