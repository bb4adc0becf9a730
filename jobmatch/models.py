from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """A running worker or beat process, as it last said it was alive (jobmatch.heartbeat).

    Kept in the database because it is the one thing every process of a deployment shares, on one
    machine or many: /readyz reads it to tell which queue has no live worker.
    """

    class Kind(models.TextChoices):
        WORKER = "worker", "Worker"
        BEAT = "beat", "Beat"

    hostname = models.CharField(max_length=255, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.WORKER)
    queues = models.JSONField(default=list, blank=True)
    pid = models.PositiveIntegerField(default=0)
    # What the process loaded when it started (models, indexes), and any it could not.
    details = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["hostname"]

    def __str__(self) -> str:
        return f"{self.hostname} ({', '.join(self.queues) or self.kind})"
