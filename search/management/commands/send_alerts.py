from __future__ import annotations

import datetime as dt

from celery.result import EagerResult
from django.core.management.base import BaseCommand, CommandParser
from django.db.models import F

from search import tasks
from search.models import AlertSettings


class Command(BaseCommand):
    help = (
        "Send the job alerts that are due now (what the hourly beat task does), to verified addresses only: "
        "the worker sends them, since it holds the indexes. --since-days N first widens every subscribed "
        "seeker's window by N days: postings that arrived up to N days before they subscribed count as new "
        "(to try alerts on the demo postings, or after an outage)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since-days", type=float, default=0.0)

    def handle(self, *args: object, since_days: float, **options: object) -> None:
        if since_days > 0:
            subscribed = AlertSettings.objects.exclude(frequency=AlertSettings.Frequency.OFF)
            subscribed.update(since=F("since") - dt.timedelta(days=since_days))
        result = tasks.send_job_alerts.delay()
        if isinstance(result, EagerResult):  # run here (CELERY_TASK_ALWAYS_EAGER)
            self.stdout.write(str(result.get()))
        else:
            self.stdout.write("queued: the worker sends the alerts that are due (its log says how many)")
