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
