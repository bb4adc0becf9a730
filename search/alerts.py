"""Job alerts: an email digest of new postings that fit, daily or weekly, with one-click unsubscribe.

A run (Celery beat, hourly; each seeker is due once per period) ranks the postings that arrived since
the due seekers' last digest in the recruiter direction, among those seekers' resumes only: one
ranking per new posting, not per seeker, so the cost grows with the new postings, not the seekers.
A seeker's digest takes their pairs that score at least ALERT_MIN_SCORE after their own feedback
(hard filters, dismissed look-alikes, refused levels), leaves out postings they were shown, dismissed,
applied to or were already sent, and keeps the best ALERT_MAX.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from resumes.models import Resume

from .feedback import personal_for, personal_penalties
from .filters import FilterError, Filters
from .learning import personal_corrections
from .models import AlertSettings, Application, Interaction, JobPosting, PostingFeedback

log = logging.getLogger(__name__)

ALERT_MAX = 10
# Seekers recorded as done per transaction: a crash loses at most this many records (those seekers get
# the same digest again next run), and 10,000 seekers do not cost 10,000 commits.
RECORD_BATCH = 100
# Resumes ranked per new posting: a posting reaches a seeker only if it ranks this high among the due
# seekers' resumes (and scores above the threshold).
ALERT_DEPTH = 500
# Slack under the period, so a run an hour late does not skip a day.
PERIODS = {
    AlertSettings.Frequency.DAILY: dt.timedelta(hours=23),
    AlertSettings.Frequency.WEEKLY: dt.timedelta(days=6, hours=23),
}
FREQUENCY_MESSAGES = {
    "daily": "Job alerts on: one email a day at most, only when new postings fit.",
    "weekly": "Job alerts on: one email a week at most, only when new postings fit.",
    "off": "Job alerts off: we will not email you about new postings.",
}
UNSUBSCRIBE_SALT = "jobmatch.alerts.unsubscribe"


def min_score() -> float:
    """The re-ranker score (log-odds that a posting fits) a posting needs to be sent."""
    return float(getattr(settings, "JOBMATCH_ALERT_MIN_SCORE", 0.0))


# --- settings and unsubscribe -------------------------------------------------------------------


def settings_for(*, user: Any) -> AlertSettings:
    row, _ = AlertSettings.objects.get_or_create(user=user)
    return row


def frequency_set(*, user: Any, frequency: str) -> AlertSettings:
    if frequency not in AlertSettings.Frequency.values:
        raise ValueError(f"alert frequency must be one of {', '.join(AlertSettings.Frequency.values)}")
    with transaction.atomic():
        row, _ = AlertSettings.objects.select_for_update().get_or_create(user=user)
        if row.frequency == AlertSettings.Frequency.OFF and frequency != AlertSettings.Frequency.OFF:
            row.since = timezone.now()  # the first digest covers what arrives from now on
        row.frequency = frequency
        row.save(update_fields=["frequency", "since", "updated_at"])
    return row


def unsubscribe_token(user: Any) -> str:
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe(*, token: str) -> Any | None:
    """Turn the token's user's alerts off; None for a token that was not signed by us."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    user = get_user_model().objects.filter(pk=data.get("u") if isinstance(data, dict) else None).first()
    if user is not None:
        AlertSettings.objects.update_or_create(user=user, defaults={"frequency": AlertSettings.Frequency.OFF})
    return user


# --- one run ----------------------------------------------------------------------------------


@dataclass
class AlertItem:
    posting: JobPosting
    score: float
    why: dict[str, Any]
    features: list[float] = field(default_factory=list)
    url: str = ""


@dataclass
class AlertRun:
    due: int = 0
    new_postings: int = 0
    sent: int = 0
    empty: int = 0
    failed: int = 0
    digests: dict[int, list[AlertItem]] = field(default_factory=dict)  # resume id -> items (sent or not)


def alerts_due(*, now: dt.datetime) -> list[tuple[AlertSettings, Resume]]:
    """Seekers whose period has passed, each with the resume the alert is for (their latest done one)."""
    due = []
    for row in AlertSettings.objects.exclude(frequency=AlertSettings.Frequency.OFF).select_related("user"):
        if row.last_sent_at is not None and now - row.last_sent_at < PERIODS[row.frequency]:
            continue
        if not row.user.is_active or not row.user.email:
            continue
        due.append(row)
    latest: dict[int, Resume] = {}
    owners = [row.user_id for row in due]
    for i in range(0, len(owners), 900):
        for resume in Resume.objects.filter(owner_id__in=owners[i : i + 900], status=Resume.Status.DONE).order_by(
            "owner_id", "-updated_at"
        ):
            latest.setdefault(resume.owner_id, resume)
    return [(row, latest[row.user_id]) for row in due if row.user_id in latest]


def _excluded_pairs(resume_ids: list[int], posting_ids: list[int]) -> set[tuple[int, int]]:
    """(resume, posting) pairs a digest must not carry: shown, sent, dismissed or applied to."""
    out: set[tuple[int, int]] = set()
    for i in range(0, len(resume_ids), 900):
        chunk = resume_ids[i : i + 900]
        out |= set(
            Interaction.objects.filter(
                resume_id__in=chunk,
                posting_id__in=posting_ids,
                kind__in=[Interaction.Kind.IMPRESSION, Interaction.Kind.ALERT, Interaction.Kind.DISMISS],
            ).values_list("resume_id", "posting_id")
        )
        out |= set(
            PostingFeedback.objects.filter(resume_id__in=chunk, posting_id__in=posting_ids)
            .exclude(dismissed_at__isnull=True, applied_at__isnull=True)
            .values_list("resume_id", "posting_id")
        )
        out |= set(
            Application.objects.filter(resume_id__in=chunk, posting_id__in=posting_ids).values_list(
                "resume_id", "posting_id"
            )
        )
    return out


def digests_build(due: list[tuple[AlertSettings, Resume]]) -> tuple[dict[int, list[AlertItem]], int]:
    """Each due resume's digest (best first, at most ALERT_MAX), and how many new postings were ranked."""
    from .engine import get_engine
    from .recruiting import resume_reasons, resume_sides, resumes_for_posting, resumes_index_missing

    if not due:
        return {}, 0
    # Each seeker's window starts at `since` (alerts switched on, or their last run).
    window = {resume.pk: row.since for row, resume in due}
    new = list(JobPosting.objects.open().filter(created_at__gt=min(window.values())).order_by("id"))
    if not new:
        return {}, 0
    resumes = {resume.pk: resume for _, resume in due}
    ids = list(resumes)
    for i in range(0, len(ids), 5000):  # bound the query's parameters
        resumes_index_missing(resumes=Resume.objects.filter(pk__in=ids[i : i + 5000]))
    engine = get_engine()
    vectors = engine.vectors.vectors([p.pk for p in new])
    excluded = _excluded_pairs(list(resumes), [p.pk for p in new])
    threshold = min_score()
    hits: dict[int, list[AlertItem]] = defaultdict(list)
    allowed = set(resumes)
    sides = resume_sides(list(resumes))  # each profile read once, not once per posting
    found: dict[tuple[int, int], Any] = {}
    for posting in new:
        vec = vectors.get(posting.pk)
        result = resumes_for_posting(
            posting=posting,
            allowed=allowed,
            k=ALERT_DEPTH,
            posting_vec=np.asarray(vec, dtype=np.float32) if vec is not None else None,
            sides=sides,
            reasons=False,  # built below for the postings that make it into an email
        )
        for item in result.items:
            rid = item.resume_id
            if item.score < threshold or (rid, posting.pk) in excluded or posting.created_at <= window[rid]:
                continue
            hits[rid].append(AlertItem(posting, item.score, {}, item.features))
            found[(rid, posting.pk)] = item
    out: dict[int, list[AlertItem]] = {}
    for rid, items in hits.items():
        resume = resumes[rid]
        try:
            filters = Filters.from_dict(resume.filters)
        except (FilterError, TypeError, ValueError):
            filters = Filters()
        if filters.active:
            passing = set(
                filters.apply(JobPosting.objects.filter(pk__in=[i.posting.pk for i in items])).values_list(
                    "id", flat=True
                )
            )
            items = [i for i in items if i.posting.pk in passing]
        personal = personal_for(resume)
        items = [i for i in items if i.posting.pk not in personal.excluded]
        if engine.personal is not None and items:
            learned = personal_corrections(
                engine.personal, np.asarray([i.features for i in items]), rid, [i.posting.pk for i in items]
            )
            for item, value in zip(items, learned, strict=True):
                item.score += float(value)
            items = [i for i in items if i.score >= threshold]
        if personal.shifts and items:
            penalty, notes = personal_penalties(personal, [i.posting for i in items], engine.vectors.vectors)
            for item, pen, note in zip(items, penalty, notes, strict=True):
                item.score -= float(pen)
                if note:
                    item.why["personal"] = note
            items = [i for i in items if i.score >= threshold]
        items.sort(key=lambda i: (-i.score, i.posting.pk))
        for item in items[:ALERT_MAX]:
            ranked = found[(rid, item.posting.pk)]
            note = item.why.get("personal")
            item.why = resume_reasons(
                sides[rid], item.posting, np.asarray(ranked.features), ranked.match, ranked.contributions
            )
            if note:
                item.why["personal"] = note
        if items:
            out[rid] = items[:ALERT_MAX]
    return out, len(new)


def _site() -> str:
    return str(getattr(settings, "JOBMATCH_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


def digest_message(
    *, user: Any, resume: Resume, items: list[AlertItem], connection: Any = None
) -> EmailMultiAlternatives:
    site = _site()
    for n, item in enumerate(items, start=1):
        item.url = f"{site}{reverse('search:posting', args=[item.posting.pk])}?r={resume.public_id}&pos={n}"
    unsubscribe_url = f"{site}{reverse('search:unsubscribe', args=[unsubscribe_token(user)])}"
    context = {
        "user": user,
        "resume": resume,
        "items": items,
        "unsubscribe_url": unsubscribe_url,
        "settings_url": f"{site}{reverse('search:alerts')}",
    }
    subject = f"{len(items)} new job{'s' if len(items) != 1 else ''} for you on JobMatch"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("search/email/alert.txt", context),
        to=[user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        connection=connection,
    )
    message.attach_alternative(render_to_string("search/email/alert.html", context), "text/html")
    return message


def alerts_send(*, now: dt.datetime | None = None) -> AlertRun:
    """Send every due seeker their digest (worker, Celery beat). A seeker with nothing new that fits gets
    no email, but their window moves on; a failed send leaves it where it was, to be tried next run.
    Sends are recorded RECORD_BATCH seekers at a time."""
    now = now or timezone.now()
    due = alerts_due(now=now)
    run = AlertRun(due=len(due))
    digests, run.new_postings = digests_build(due)
    run.digests = digests
    connection = get_connection()
    done: list[int] = []
    logged: list[Interaction] = []

    def record() -> None:
        """What was sent, and that these seekers are done for this period (one transaction a batch)."""
        with transaction.atomic():
            Interaction.objects.bulk_create(logged, batch_size=2000)
            AlertSettings.objects.filter(pk__in=done).update(last_sent_at=now, since=now)
        done.clear()
        logged.clear()

    for row, resume in due:
        items = digests.get(resume.pk, [])
        if items:
            try:
                digest_message(user=row.user, resume=resume, items=items, connection=connection).send()
            except Exception:  # one bad address or a dropped SMTP connection must not stop the others
                log.exception("job alert for user %s not sent", row.user_id)
                run.failed += 1
                continue
            run.sent += 1
        else:
            run.empty += 1
        done.append(row.pk)
        logged += [
            Interaction(
                resume=resume,
                posting=i.posting,
                kind=Interaction.Kind.ALERT,
                position=n,
                features=i.features or None,
                created_at=now,
            )
            for n, i in enumerate(items, start=1)
        ]
        if len(done) >= RECORD_BATCH:
            record()
    record()
    log.info(
        "job alerts: %d due, %d new postings, %d sent, %d with nothing new, %d failed",
        run.due,
        run.new_postings,
        run.sent,
        run.empty,
        run.failed,
    )
    return run
