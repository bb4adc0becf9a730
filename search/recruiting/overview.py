"""The admin's overview of the site: postings, uploads, parse failures by code and job alerts sent, week by
week. Counts only: nothing read from a resume is shown here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from resumes.models import Resume
from search.models import Application, Interaction, JobPosting, open_posting

WEEKS = 12
# Chart geometry (templates/recruit/overview.html): bars in percent of the width, heights in pixels.
CHART_HEIGHT, BAR_ROOM = 120, 100


@dataclass
class Bar:
    label: str  # the week's first day
    value: int
    x: float = 0.0  # percent
    width: float = 0.0  # percent
    height: int = 0  # pixels
    y: int = 0  # pixels from the top


@dataclass
class Series:
    title: str
    bars: list[Bar]
    total: int = 0
    height: int = CHART_HEIGHT

    @property
    def description(self) -> str:
        return f"{self.title}, per week: " + ", ".join(f"week of {b.label} {b.value}" for b in self.bars) + "."


@dataclass
class Overview:
    open_postings: int
    totals: dict[str, int]  # over the last WEEKS weeks
    series: list[Series]
    failures: list[dict[str, object]]  # code, count, share, example message
    failed_share: float | None
    weeks: int = WEEKS
    since: dt.date = field(default_factory=dt.date.today)


def _weekly(dates: dict[dt.date, int], start: dt.date) -> list[Bar]:
    bars = []
    for w in range(WEEKS):
        first = start + dt.timedelta(weeks=w)
        value = sum(n for day, n in dates.items() if first <= day < first + dt.timedelta(weeks=1))
        bars.append(Bar(first.strftime("%d %b"), value))
    top = max((b.value for b in bars), default=0)
    slot = 100 / WEEKS
    for i, b in enumerate(bars):
        b.x, b.width = round(i * slot + slot * 0.15, 2), round(slot * 0.7, 2)
        b.height = round(BAR_ROOM * b.value / top) if top else 0
        b.y = BAR_ROOM - b.height
    return bars


def _per_day(queryset, field_name: str, start: dt.datetime) -> dict[dt.date, int]:  # type: ignore[no-untyped-def]
    rows = (
        queryset.filter(**{f"{field_name}__gte": start})
        .annotate(day=TruncDate(field_name))
        .values("day")
        .annotate(n=Count("pk"))
    )
    return {r["day"]: r["n"] for r in rows}


def site_overview(*, now: dt.datetime | None = None) -> Overview:
    now = now or timezone.now()
    today = timezone.localdate(now)
    start_day = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=WEEKS - 1)  # a Monday
    start = timezone.make_aware(dt.datetime.combine(start_day, dt.time.min))
    postings = _per_day(JobPosting.objects.all(), "created_at", start)
    uploads = _per_day(Resume.objects.all(), "created_at", start)
    failed = _per_day(Resume.objects.filter(status=Resume.Status.FAILED), "created_at", start)
    # One alert email is one seeker's digest on one day: the postings it held are Interaction rows.
    alert_rows = (
        Interaction.objects.filter(kind=Interaction.Kind.ALERT, created_at__gte=start)
        .annotate(day=TruncDate("created_at"))
        .values("day", "resume__owner")
        .order_by()  # the model's ordering would enter the DISTINCT
        .distinct()
    )
    alerts: dict[dt.date, int] = {}
    for row in alert_rows:
        alerts[row["day"]] = alerts.get(row["day"], 0) + 1
    applications = _per_day(Application.objects.all(), "created_at", start)
    signups = _per_day(get_user_model().objects.all(), "date_joined", start)

    series = [
        Series("Postings added", _weekly(postings, start_day)),
        Series("Resumes received", _weekly(uploads, start_day)),
        Series("Job alert emails sent", _weekly(alerts, start_day)),
        Series("Applications", _weekly(applications, start_day)),
        Series("Accounts created", _weekly(signups, start_day)),
    ]
    for s in series:
        s.total = sum(b.value for b in s.bars)

    by_code = list(
        Resume.objects.filter(status=Resume.Status.FAILED, created_at__gte=start)
        .values("failure_code")
        .annotate(n=Count("pk"))
        .order_by("-n", "failure_code")
    )
    total_failed = sum(r["n"] for r in by_code)
    failures = []
    for r in by_code:
        example = (
            Resume.objects.filter(status=Resume.Status.FAILED, failure_code=r["failure_code"])
            .order_by("-created_at")
            .values_list("failure_reason", flat=True)
            .first()
        )
        failures.append(
            {
                "code": r["failure_code"] or "unknown",
                "count": r["n"],
                "share": round(100 * r["n"] / total_failed),
                "bar": max(1, round(10 * r["n"] / total_failed)) * 10,  # the bar-N class of the stylesheet
                "message": example or "",
            }
        )
    uploaded = sum(uploads.values())
    return Overview(
        open_postings=JobPosting.objects.filter(open_posting()).count(),
        totals={s.title: s.total for s in series} | {"Parse failures": sum(failed.values())},
        series=series,
        failures=failures,
        failed_share=round(sum(failed.values()) / uploaded, 3) if uploaded else None,
        since=start_day,
    )
