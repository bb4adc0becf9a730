from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Resume


@admin.register(Resume)
class ResumeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Operations only: where each resume is in processing and why one failed. What a resume says (its
    file name, text, profile and filters) belongs to the seeker and is shown to no admin here, and who may
    see it is the seeker's choice alone: nothing is editable. Deleting runs the same clean-up as the
    seeker's own deletion (resumes.services.resume_deleted)."""

    list_display = ("public_id", "owner", "status", "failure_code", "discoverable", "created_at")
    list_filter = ("status", "failure_code", "discoverable")
    fields = (
        "public_id",
        "owner",
        "status",
        "failure_code",
        "failure_reason",
        "attempts",
        "content_type",
        "size",
        "discoverable",
        "created_at",
        "processed_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
