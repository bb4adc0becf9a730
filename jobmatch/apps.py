from django.apps import AppConfig


class JobMatchConfig(AppConfig):
    """The project's own app: what belongs to the running deployment rather than to resumes or search
    (worker heartbeats, health and metrics)."""

    name = "jobmatch"
    verbose_name = "Operations"
    default_auto_field = "django.db.models.BigAutoField"
