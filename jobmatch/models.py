from __future__ import annotations

from django.conf import settings
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


class ApiToken(models.Model):
    """A key to the API (/api/v1/) for one user, named by them, with the scopes they chose. Only a hash of
    the key is kept: it is shown once, when made. Deleting it revokes it (jobmatch.api_tokens)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)  # the key's first characters, to tell keys apart on the page
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:  # also the key ninja's AuthRateThrottle counts requests under
        return f"api-token {self.pk}"
