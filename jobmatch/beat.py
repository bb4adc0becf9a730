"""One scheduler at a time: Celery beat's scheduler holds a lock for as long as it runs.

Two schedulers send every periodic task twice (two job-alert emails a seeker). That happens when an operator
starts `beat` on two machines, or when a worker started with `-B` is killed with SIGKILL and its beat child
lives on while a new worker starts its own. So the scheduler (CELERY_BEAT_SCHEDULER = LockedScheduler)
takes a lock before it opens its schedule and waits, without sending anything, while another holds it:

- a Redis key when the broker is Redis (a deployment across machines): SET NX with a time to live, renewed
  by a thread; a scheduler that finds its key taken by another stops itself;
- otherwise a file lock (flock) in the data directory (the embedded default: one machine). The kernel
  releases it when its process dies, however it dies.

A beat embedded in a worker (`-B`) also stops when that worker is gone (`watch_parent`).
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import socket
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Protocol

from celery.beat import PersistentScheduler

log = logging.getLogger(__name__)

WAIT_SECONDS = 2.0  # how often a waiting scheduler tries again
REDIS_KEY = "jobmatch:beat:lock"
REDIS_TTL_SECONDS = 20  # a scheduler that died without letting go is replaced within this
RENEW_EVERY_SECONDS = 5


class Lock(Protocol):
    def try_acquire(self) -> bool: ...

    def holder(self) -> str: ...

    def release(self) -> None: ...


def _me() -> str:
    return f"{socket.gethostname()} pid {os.getpid()}"


class FileLock:
    """flock on a file: held until released or until the holding process ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, _me().encode())
        self._fd = fd
        return True

    def holder(self) -> str:
        try:
            return self.path.read_text().strip() or "unknown"
        except OSError:
            return "unknown"

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


# Renew or delete the key only while it is still ours.
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class RedisLock:
    """A Redis key with a time to live, renewed by a thread while held. `on_lost` runs when the key turns
    out to be someone else's (this process stalled past the time to live and another scheduler took over)."""

    def __init__(self, url: str, *, key: str = REDIS_KEY, ttl: float = REDIS_TTL_SECONDS, on_lost: Any = None):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=5)
        self.key, self.ttl = key, ttl
        self.token = f"{_me()} {uuid.uuid4().hex[:8]}"
        self.on_lost = on_lost
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def try_acquire(self) -> bool:
        if not self.client.set(self.key, self.token, nx=True, px=int(self.ttl * 1000)):
            return False
        self._stop.clear()
        self._thread = threading.Thread(target=self._renew, name="beat-lock", daemon=True)
        self._thread.start()
        return True

    def renew(self) -> bool:
        """True while the key is still this scheduler's."""
        return bool(self.client.eval(_RENEW, 1, self.key, self.token, int(self.ttl * 1000)))

    def _renew(self) -> None:
        while not self._stop.wait(min(RENEW_EVERY_SECONDS, self.ttl / 3)):
            try:
                held = self.renew()
            except Exception:  # Redis away for a moment: beat cannot send anything either; try again
                log.warning("could not renew the scheduler lock", exc_info=True)
                continue
            if not held:
                log.error("the scheduler lock is held by %s now; this scheduler stops", self.holder())
                if self.on_lost is not None:
                    self.on_lost()
                return

    def holder(self) -> str:
        value = self.client.get(self.key)
        return value.decode() if value else "nobody"

    def release(self) -> None:
        self._stop.set()
        try:
            self.client.eval(_RELEASE, 1, self.key, self.token)
        except Exception:
            log.warning("could not release the scheduler lock; it expires in %s s", self.ttl, exc_info=True)


def _stop_this_process() -> None:
    os.kill(os.getpid(), signal.SIGTERM)  # beat's own handler saves the schedule and exits


def lock_for(app: Any) -> Lock:
    from django.conf import settings

    broker = str(app.conf.broker_url or "")
    if broker.startswith(("redis://", "rediss://")):
        return RedisLock(broker, on_lost=_stop_this_process)
    return FileLock(Path(settings.DATA_DIR) / "beat.lock")


def acquire(lock: Lock, *, wait: float = WAIT_SECONDS) -> None:
    """Wait until the lock is ours. A SIGTERM or SIGINT while waiting ends the process at once (beat's own
    handlers would try to save a schedule that is not open yet)."""
    restore = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            restore[sig] = signal.signal(sig, _exit_now)
    try:
        said = False
        while not lock.try_acquire():
            if not said:
                log.warning("another scheduler is running (%s); this one waits and sends nothing", lock.holder())
                said = True
            time.sleep(wait)
        log.info("scheduler lock taken (%s)", _me())
    finally:
        for sig, handler in restore.items():
            signal.signal(sig, handler)


def _exit_now(signum: int, frame: Any) -> None:
    raise SystemExit(0)


class LockedScheduler(PersistentScheduler):
    """Celery's file-backed scheduler, opened only by the holder of the scheduler lock."""

    def setup_schedule(self) -> None:
        embedded_in = _embedded_in()
        if embedded_in:  # a beat in a worker (-B): it ends with its worker, waiting or not
            if os.getppid() != embedded_in:
                log.warning("the worker that started this scheduler (pid %s) is gone", embedded_in)
                raise SystemExit(0)
            watch_parent(embedded_in)
        self._lock = lock_for(self.app)
        acquire(self._lock)
        super().setup_schedule()

    def close(self) -> None:
        try:
            super().close()
        finally:
            lock = getattr(self, "_lock", None)
            if lock is not None:
                lock.release()
                self._lock = None


def _embedded_in() -> int | None:
    """The pid of the worker whose -B started this beat process; None for a standalone beat."""
    from billiard.process import current_process

    process = current_process()
    return getattr(process, "_parent_pid", None) if type(process).__module__ == "celery.beat" else None


def watch_parent(parent: int, interval: float = 1.0) -> threading.Thread:
    """Stop this process once `parent`, the worker that started it, is gone (a worker killed with SIGKILL
    cannot stop its children)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        log.warning("the worker that started this scheduler (pid %s) is gone; the scheduler stops", parent)
        _stop_this_process()

    thread = threading.Thread(target=watch, name="beat-parent", daemon=True)
    thread.start()
    return thread


def exit_on_sigterm() -> None:
    """In a beat embedded in a worker, SIGTERM (how the worker stops it) would end the process without the
    beat's own shutdown; raising SystemExit lets it save its schedule and let go of the lock."""
    signal.signal(signal.SIGTERM, _exit_now)
