from typing import Any

from django.apps import AppConfig


def _sqlite_secure_delete(sender: Any, connection: Any, **kwargs: Any) -> None:
    """The embedded database overwrites deleted rows with zeros: a deleted resume leaves no bytes
    behind in the file (PostgreSQL reclaims dead rows by VACUUM; see docs/security.md)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")


class ResumesConfig(AppConfig):
    name = "resumes"
    verbose_name = "Resumes"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        connection_created.connect(_sqlite_secure_delete, dispatch_uid="jobmatch-sqlite-secure-delete")

        from django.db.models.signals import post_delete

        from .models import Resume
        from .services import resume_deleted

        # However a resume row goes (the account page, a user or resume deleted in the Django admin, a
        # cascade), its file and its recruiter-side index entries go with it once that is committed.
        post_delete.connect(resume_deleted, sender=Resume, dispatch_uid="jobmatch-resume-deleted")
