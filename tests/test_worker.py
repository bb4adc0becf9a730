"""The whole path once through a real Celery worker over Redis (runs in CI)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from jobmatch.celery import app as celery_app
from resumes.models import Resume
from tests.conftest import FIXTURES, ROOT, database_url, drop_broker_connections, require_service

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
FILES = ["it-27295996.pdf", "chef-24673903.pdf", "01-Accountant.docx"]


@pytest.fixture
def redis_broker():
    url = urlparse(REDIS_URL)
    require_service("Redis", url.hostname or "127.0.0.1", url.port or 6379)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    old = dict(celery_app.conf)
    celery_app.conf.update(broker_url=REDIS_URL, task_always_eager=False, broker_transport_options={})
    drop_broker_connections()
    yield
    celery_app.conf.update(
        broker_url=old["broker_url"],
        task_always_eager=old["task_always_eager"],
        broker_transport_options=old["broker_transport_options"],
    )
    drop_broker_connections()


def _start_worker(
    log_name: str = "worker.log", beat: bool = False, pool: str = "solo", queues: str = "", **env_extra: str
) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jobmatch.settings.base",
        "JOBMATCH_DATA_DIR": str(settings.DATA_DIR),
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        **env_extra,
    }
    log = open(settings.DATA_DIR / log_name, "wb")  # noqa: SIM115
    cmd = [sys.executable, "-m", "celery", "-A", "jobmatch", "worker", f"--pool={pool}", "--loglevel=INFO"]
    if pool == "prefork":
        cmd += ["--concurrency=1"]
    if queues:
        cmd += ["--queues", queues, "--hostname", f"{queues.split(',')[0]}@%h"]
    cmd += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    if beat:
        cmd += ["-B", "--schedule", str(settings.DATA_DIR / f"beat-{log_name}.db")]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    proc.log = log  # type: ignore[attr-defined]
    return proc


def _stop_worker(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    proc.log.close()  # type: ignore[attr-defined]


@pytest.fixture
def worker(corpus_committed, redis_broker):
    from search.indexing.engine import reset_engine

    reset_engine()  # the embedded vector store admits one process: hand it to the worker
    proc = _start_worker()
    yield proc
    _stop_worker(proc)


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
    assert message["To"] == "sam.seeker@example.org" and "new job" in message["Subject"]
    assert "/jobs/alerts/unsubscribe/" in message["List-Unsubscribe"]
    sent = list(Interaction.objects.filter(resume=resume, kind="alert").values_list("posting_id", flat=True))
    assert 0 < len(sent) <= 10
    assert "search.send_job_alerts" in log and "succeeded" in log


def _wait_until_finished(resumes, proc, log_name: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(r.is_finished for r in Resume.objects.filter(pk__in=[r.pk for r in resumes])):
            return
        assert proc.poll() is None, (settings.DATA_DIR / log_name).read_text(errors="replace")[-3000:]
        time.sleep(0.5)


def test_a_worker_killed_mid_queue_loses_nothing_and_duplicates_nothing(corpus_committed, redis_broker, client, seeker):
    """20 uploads in flight; the worker is killed with SIGKILL and started again (with its beat, which
    sweeps up the work the dead worker held); every upload ends done, with exactly its ten results."""
    from search.indexing.engine import reset_engine
    from search.models import IndexedResume, Recommendation

    reset_engine()
    first = _start_worker("worker-1.log")
    client.force_login(seeker)
    for n in range(20):
        name = FILES[n % len(FILES)]
        r = client.post(reverse("resumes:list"), {"file": SimpleUploadedFile(name, (FIXTURES / name).read_bytes())})
        assert r.status_code == 302
    resumes = list(Resume.objects.all())
    assert len(resumes) == 20
    deadline = time.monotonic() + 180
    while Resume.objects.filter(status=Resume.Status.DONE).count() < 2 and time.monotonic() < deadline:
        assert first.poll() is None, (settings.DATA_DIR / "worker-1.log").read_text(errors="replace")[-3000:]
        time.sleep(0.2)
    first.send_signal(signal.SIGKILL)
    first.wait()
    _stop_worker(first)
    unfinished = Resume.objects.exclude(status=Resume.Status.DONE).count()
    assert unfinished > 0, "the worker finished everything before it was killed: nothing was tested"
    # What the dead worker held (its message taken, not acknowledged) only the sweeper can send again;
    # the rest still waits in the queue. Killed between two tasks, it held nothing.
    held = list(Resume.objects.filter(status=Resume.Status.PROCESSING).values_list("pk", flat=True))

    second = _start_worker("worker-2.log", beat=True, JOBMATCH_STUCK_AFTER_SECONDS="15", JOBMATCH_SWEEP_SECONDS="5")
    try:
        _wait_until_finished(resumes, second, "worker-2.log", 300)
    finally:
        _stop_worker(second)
    log = (settings.DATA_DIR / "worker-2.log").read_text(errors="replace")
    for pk in held:
        assert f"re-sending resume {pk}," in log  # the sweeper sent again what the dead worker held
    assert Resume.objects.count() == 20
    for resume in Resume.objects.all():
        assert resume.status == Resume.Status.DONE, f"{resume}: {resume.failure_reason}\n{log[-3000:]}"
        assert list(resume.recommendations.values_list("rank", flat=True)) == list(range(1, 11))
        assert resume.attempts <= 3
    assert Recommendation.objects.count() == 200
    pairs = list(Recommendation.objects.values_list("resume_id", "posting_id"))
    assert len(pairs) == len(set(pairs))
    # The recruiter-side index: at most one entry per resume, in the table and in both indexes.
    from search.indexing.engine import get_engine

    ids = set(Resume.objects.values_list("pk", flat=True))
    assert set(IndexedResume.objects.values_list("resume_id", flat=True)) <= ids
    engine = get_engine()
    ours = [i for i in engine.resume_bm25.ids.tolist() if i in ids]  # (the data dir outlives other tests' rows)
    assert len(ours) == len(set(ours))
    assert set(ours) == set(engine.resume_vectors.hashes()) & ids
    reset_engine()


def test_a_prefork_child_killed_mid_task_costs_one_retry_not_the_worker(corpus_committed, redis_broker, client, seeker):
    """The parsing queue on a prefork pool, as the Procfile runs it. Its child is killed (SIGKILL) while it
    reads a resume: the worker starts a new child, which warms up (spaCy) and is not killed for being slow
    to say it is up, the lost task is delivered again, and every upload ends with its ten results."""
    from search.indexing.engine import reset_engine

    if connection.vendor == "sqlite":  # .ci/run runs it on PostgreSQL
        pytest.skip("two workers and the test writing at once need PostgreSQL (SQLite answers 'database is locked')")
    reset_engine()
    parsing = _start_worker("parsing.log", pool="prefork", queues="parsing")
    matching = _start_worker("matching.log", queues="matching,indexing,alerts")
    try:
        client.force_login(seeker)
        for name in FILES:
            data = (FIXTURES / name).read_bytes()
            assert client.post(reverse("resumes:list"), {"file": SimpleUploadedFile(name, data)}).status_code == 302
        resumes = list(Resume.objects.all())
        deadline = time.monotonic() + 180
        while not Resume.objects.filter(status=Resume.Status.PROCESSING).exists():
            assert time.monotonic() < deadline, (settings.DATA_DIR / "parsing.log").read_text(errors="replace")[-3000:]
            assert parsing.poll() is None
            time.sleep(0.05)
        children = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(parsing.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        assert children, "the prefork worker has no child"
        for pid in children:
            os.kill(int(pid), signal.SIGKILL)
        _wait_until_finished(resumes, parsing, "parsing.log", 300)
        assert matching.poll() is None
    finally:
        _stop_worker(parsing)
        _stop_worker(matching)
    log = (settings.DATA_DIR / "parsing.log").read_text(errors="replace")
    assert "WorkerLostError" in log or "exited with 'signal 9 (SIGKILL)'" in log, log[-3000:]
    assert "Timed out waiting for UP message" not in log
    for resume in Resume.objects.all():
        assert resume.status == Resume.Status.DONE, f"{resume}: {resume.failure_reason}\n{log[-3000:]}"
        assert resume.recommendations.count() == 10
    reset_engine()


def test_a_real_worker_takes_the_hostile_corpus_and_stays_up(worker, client, seeker):
    from tests import hostile

    client.force_login(seeker)
    expected = {}
    for name, (builder, upload_name, code) in hostile.HOSTILE.items():
        if code == "unsupported_type":
            continue  # refused at upload, never reaches the worker (tests/resumes/test_hostile.py)
        r = client.post(reverse("resumes:list"), {"file": SimpleUploadedFile(upload_name, builder())})
        assert r.status_code == 302, name
        expected[Resume.objects.latest("created_at").pk] = (name, code)
    t0 = time.monotonic()
    _wait_until_finished(list(Resume.objects.all()), worker, "worker.log", 30 * len(expected))
    assert worker.poll() is None  # alive
    for resume in Resume.objects.all():
        name, code = expected[resume.pk]
        assert (resume.status, resume.failure_code) == (Resume.Status.FAILED, code), name
    assert time.monotonic() - t0 < 30 * len(expected)
    log = (settings.DATA_DIR / "worker.log").read_text(errors="replace")
    assert "Traceback" not in log and "WorkerLostError" not in log
