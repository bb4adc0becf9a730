"""One scheduler at a time (jobmatch.beat): a second beat waits and sends nothing; a beat embedded in a
worker that is killed with SIGKILL stops with it, and the waiting one takes over."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime
from urllib.parse import urlparse

import pytest
from django.conf import settings

from jobmatch.beat import FileLock, RedisLock
from tests.conftest import ROOT, database_url, require_service, running

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SENT = re.compile(r"^(\S+ \S+) INFO celery\.beat .*Sending due task sweep-stuck-resumes", re.M)


def test_a_file_lock_is_held_by_one_and_named_to_the_others(tmp_path):
    first, second = FileLock(tmp_path / "beat.lock"), FileLock(tmp_path / "beat.lock")
    assert first.try_acquire()
    assert not second.try_acquire()
    assert f"pid {os.getpid()}" in second.holder()
    first.release()
    assert second.try_acquire()
    second.release()


@pytest.mark.services
def test_a_redis_lock_is_renewed_while_held_and_its_loss_stops_the_holder():
    url = urlparse(REDIS_URL)
    require_service("Redis", url.hostname or "127.0.0.1", url.port or 6379)
    key = f"jobmatch:test:beat:{uuid.uuid4().hex}"
    lost = threading.Event()
    first = RedisLock(REDIS_URL, key=key, ttl=0.6, on_lost=lost.set)
    second = RedisLock(REDIS_URL, key=key, ttl=0.6)
    try:
        assert first.try_acquire()
        assert not second.try_acquire()
        time.sleep(1.5)  # more than the time to live: the holder's thread kept it
        assert not second.try_acquire() and first.holder() == first.token
        first.client.set(key, "someone else")  # as if this process had stalled past its time to live
        assert lost.wait(3), "the holder did not notice it lost the lock"
    finally:
        first.release()
        second.release()
        first.client.delete(key)
    assert second.try_acquire()  # released: the next one takes it at once
    second.release()
    assert second.client.get(key) is None


def _beat_env() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jobmatch.settings.base",
        "JOBMATCH_DATA_DIR": str(settings.DATA_DIR),
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": "filesystem://",  # the embedded default
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "JOBMATCH_SWEEP_SECONDS": "1",  # a periodic task every second, to count who sends it
    }


def _start(name: str, *args: str) -> subprocess.Popen:
    log = open(settings.DATA_DIR / f"{name}.log", "wb")  # noqa: SIM115
    schedule = str(settings.DATA_DIR / f"{name}-schedule")
    cmd = [sys.executable, "-m", "celery", "-A", "jobmatch", *args, "--schedule", schedule, "--loglevel=INFO"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=_beat_env(), stdout=log, stderr=subprocess.STDOUT)
    proc.log = log  # type: ignore[attr-defined]
    return proc


def _log(name: str) -> str:
    return (settings.DATA_DIR / f"{name}.log").read_text(errors="replace")


def _wait_for(what: str, test, seconds: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not test():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def _sends(name: str) -> list[datetime]:
    return [datetime.strptime(t, "%Y-%m-%d %H:%M:%S,%f") for t in SENT.findall(_log(name))]


@pytest.mark.django_db(transaction=True)
def test_a_second_scheduler_waits_and_takes_over_when_a_killed_workers_beat_stops():
    worker = _start("worker", "worker", "-B", "--pool=solo", "--queues=alerts", "--hostname=alerts@beat-test")
    standby = None
    beat_child = 0
    try:
        _wait_for("the worker's beat to send", lambda: len(_sends("worker")) >= 2)
        children = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True).stdout.split()
        assert len(children) == 1, children
        beat_child = int(children[0])

        standby = _start("standby", "beat")
        _wait_for("the second beat to wait", lambda: "another scheduler is running" in _log("standby"))
        time.sleep(3)  # three periods: the standby sends nothing
        assert _sends("standby") == []

        worker.send_signal(signal.SIGKILL)
        worker.wait()
        _wait_for("the killed worker's beat to stop", lambda: not running(beat_child), seconds=15)
        _wait_for("the standby to take over and send", lambda: len(_sends("standby")) >= 1, seconds=20)
        assert "scheduler lock taken" in _log("standby")
        assert max(_sends("worker")) < min(_sends("standby"))  # never two senders at once

        standby.send_signal(signal.SIGTERM)
        assert standby.wait(timeout=20) == 0
    finally:
        for proc in (worker, standby):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
            if proc is not None:
                proc.log.close()  # type: ignore[attr-defined]
        if beat_child and running(beat_child):
            os.kill(beat_child, signal.SIGKILL)
