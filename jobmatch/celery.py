import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobmatch.settings.base")

app = Celery("jobmatch")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
