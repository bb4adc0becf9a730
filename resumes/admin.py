from django.contrib import admin

from .models import Resume


@admin.register(Resume)
class ResumeAdmin(admin.ModelAdmin):
    list_display = ("original_name", "owner", "status", "failure_code", "created_at")
    list_filter = ("status",)
    # The text and file are the seeker's personal data: not shown in the admin list.
    exclude = ("text",)
    readonly_fields = (
        "public_id",
        "stored_name",
        "sha256",
        "content_type",
        "size",
        "status",
        "failure_code",
        "failure_reason",
        "processed_at",
    )
