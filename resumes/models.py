from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models


class Resume(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be processed"
        PROCESSING = "processing", "Processing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resumes")
    # Shown to the owner only, always escaped; never used to build a path.
    original_name = models.CharField(max_length=255)
    # Random name of the file under settings.UPLOAD_DIR.
    stored_name = models.CharField(max_length=64, unique=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    failure_code = models.CharField(max_length=30, blank=True)
    # Deliveries of the current processing round that started and never ended (their worker died):
    # resumes.services.MAX_ATTEMPTS of them stop a poison file.
    attempts = models.PositiveSmallIntegerField(default=0)
    failure_reason = models.TextField(blank=True)
    text = models.TextField(blank=True)
    # What resume understanding read (resumes.understanding.pipeline.Profile as a dict),
    # or the seeker's corrected version once they edited it.
    profile = models.JSONField(null=True, blank=True)
    profile_edited_at = models.DateTimeField(null=True, blank=True)
    # The seeker's hard filters for this resume's results (search.filters.Filters.as_dict()).
    filters = models.JSONField(default=dict, blank=True)
    # Private by default. Discoverable: every recruiter may find it among the candidates for their
    # postings. Applying to a posting shares it with that posting's organisation only (search.Application).
    discoverable = models.BooleanField(default=False, db_index=True)
    # The id a bulk import gave it (manage.py import_resumes); blank for uploads.
    external_id = models.CharField(max_length=128, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "external_id"], condition=~models.Q(external_id=""), name="resume_owner_external_id"
            )
        ]

    def __str__(self) -> str:
        # No file name: it often holds the person's name, and this string reaches logs and the admin.
        return f"Resume {str(self.public_id)[:8]} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def profile_skills(self) -> list[str]:
        """Canonical skills of the profile, each once, in reading order."""
        return profile_skills(self.profile)


def profile_skills(profile: dict[str, Any] | None) -> list[str]:
    """Canonical skills of a profile (resumes.understanding.pipeline.Profile as a dict), each once, in order."""
    from resumes.understanding.vocabulary import shown_once

    skills = (profile or {}).get("skills") or []
    return shown_once(s.get("canonical") or s.get("name") or "" for s in skills if s)


def profile_summary(profile: dict[str, Any] | None) -> dict[str, Any]:
    """What a profile says about the work, without contacts: titles, canonical skills, years, place."""
    profile = profile or {}
    return {
        "titles": [str(t) for t in profile.get("titles") or []][:10],
        "skills": profile_skills(profile)[:30],
        "years_experience": profile.get("years_experience"),
        "location": profile.get("location"),
    }
