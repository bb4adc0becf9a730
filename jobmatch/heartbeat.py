"""Worker and beat heartbeats: each process writes its row every JOBMATCH_HEARTBEAT_SECONDS from a thread of
its own (so a worker busy with a long task still beats), and removes it when it shuts down. A row not
renewed for three intervals is a process that died, hung or was stopped."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from .models import WorkerHeartbeat

log = logging.getLogger(__name__)
STALE_AFTER_BEATS = 3


def beat_once(*, hostname: str, kind: str, queues: list[str], details: dict[str, object], started_at: datetime) -> None:
    WorkerHeartbeat.objects.update_or_create(
        hostname=hostname,
        defaults={
            "kind": kind,
            "queues": sorted(queues),
            "pid": os.getpid(),
            "details": details,
            "started_at": started_at,
            "seen_at": timezone.now(),
        },
    )


def forget(hostname: str) -> None:
    WorkerHeartbeat.objects.filter(hostname=hostname).delete()


class Heartbeat(threading.Thread):
    """Beats until `stop()`; a failed beat (the database away for a moment) is logged and tried again."""

    def __init__(self, *, hostname: str, kind: str, queues: list[str], details: dict[str, object]) -> None:
        super().__init__(name=f"heartbeat-{hostname}", daemon=True)
        self.hostname, self.kind, self.queues, self.details = hostname, kind, queues, details
        self.started_at = timezone.now()
        self._stopped = threading.Event()

    def run(self) -> None:
        while True:
            try:
                close_old_connections()
                beat_once(
                    hostname=self.hostname,
                    kind=self.kind,
                    queues=self.queues,
                    details=self.details,
                    started_at=self.started_at,
                )
            except Exception:
                log.warning("heartbeat of %s not written", self.hostname, exc_info=True)
            if self._stopped.wait(settings.JOBMATCH_HEARTBEAT_SECONDS):
                break
        connection.close()

    def stop(self) -> None:
        self._stopped.set()
        self.join(timeout=5)
        try:
            forget(self.hostname)
        except Exception:
            log.warning("heartbeat of %s not removed", self.hostname, exc_info=True)
        finally:
            connection.close()


@dataclass
class Liveness:
    """Which processes are alive now, by queue; the stale rows name what stopped."""

    live: list[WorkerHeartbeat] = field(default_factory=list)
    stale: list[WorkerHeartbeat] = field(default_factory=list)

    def workers_for(self, queue: str) -> list[str]:
        return [w.hostname for w in self.live if w.kind == WorkerHeartbeat.Kind.WORKER and queue in w.queues]

    def stale_for(self, queue: str) -> list[str]:
        return [w.hostname for w in self.stale if w.kind == WorkerHeartbeat.Kind.WORKER and queue in w.queues]

    @property
    def beats(self) -> list[str]:
        return [w.hostname for w in self.live if w.kind == WorkerHeartbeat.Kind.BEAT]


def liveness(now: datetime | None = None) -> Liveness:
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=STALE_AFTER_BEATS * settings.JOBMATCH_HEARTBEAT_SECONDS)
    result = Liveness()
    for row in WorkerHeartbeat.objects.all():
        (result.live if row.seen_at >= cutoff else result.stale).append(row)
    return result
