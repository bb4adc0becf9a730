"""Job alerts (worker): an email digest of new postings that fit, daily or weekly.

A run (Celery beat, hourly; each seeker is due once per period) ranks the postings that arrived since
the due seekers' last digest in the recruiter direction, among those seekers' resumes only: one
ranking per new posting, not per seeker, so the cost grows with the new postings, not the seekers.
Each seeker's pairs then go through the same personalisation as their results page (hard filters,
feedback rules, learned corrections: search.ranking.personalise), and a digest takes those that score
at least ALERT_MIN_SCORE afterwards, leaves out postings they were shown, dismissed, applied to or were
already sent, and keeps the best ALERT_MAX.
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from jobmatch.metrics import RECOMMENDATIONS_SERVED
from resumes.models import Resume
from search.alerts import PERIODS, unsubscribe_token, verified_users
from search.feedback import personal_for
from search.filters import Filters
from search.indexing.engine import get_engine
from search.indexing.resume_index import resumes_index_missing
from search.models import AlertSettings, Application, Interaction, JobPosting, PostingFeedback
from search.ranking.personalise import DEFAULT_GRADE, LIKED_WEIGHT, Corrections, Personal, VectorsOf, personalise

from .recruiters import resume_reasons, resumes_for_posting
from .sides import IndexedResumes, posting_side, resume_sides

log = logging.getLogger(__name__)

ALERT_MAX = 10
# Seekers recorded as done per transaction: a crash loses at most this many records (those seekers get
# the same digest again next run), and 10,000 seekers do not cost 10,000 commits.
RECORD_BATCH = 100
# Resumes ranked per new posting: a posting reaches a seeker only if it ranks this high among the due
# seekers' resumes (and scores above the threshold).
ALERT_DEPTH = 500
# What a seeker's feedback can add to a pair's global score at most, in grades (the look-alike bonus, and
# as much again for the personalised model's correction): a pair further below the threshold is
# dropped at once.
PERSONAL_HEADROOM = 2 * LIKED_WEIGHT
# The pairs kept per seeker before personalising, best by the global score: memory stays bounded by the
# seekers, not by the seekers times the new postings.
DIGEST_POOL = 100


def min_score() -> float:
    """The re-ranker score a posting needs to be sent (0 is the average pair of the judged pools the
    re-ranker learned from; its metrics.json says what share of each grade a threshold keeps)."""
    return float(getattr(settings, "JOBMATCH_ALERT_MIN_SCORE", 0.0))


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

    def summary(self) -> str:
        return (
            f"{self.due} due, {self.new_postings} new postings, {self.sent} sent, {self.empty} with nothing new, "
            f"{self.failed} failed"
        )


def alerts_due(*, now: dt.datetime) -> list[tuple[AlertSettings, Resume]]:
    """Seekers whose period has passed, each with the resume the alert is for (their latest done one)."""
    due = []
    for row in AlertSettings.objects.exclude(frequency=AlertSettings.Frequency.OFF).select_related("user"):
        if row.last_sent_at is not None and now - row.last_sent_at < PERIODS[row.frequency]:
            continue
        if not row.user.is_active:
            continue
        due.append(row)
    addresses = verified_users([row.user_id for row in due])  # only to a verified address
    due = [row for row in due if row.user_id in addresses]
    for row in due:
        row.user.email = addresses[row.user_id]
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


@dataclass(frozen=True)
class Pair:
    """A new posting ranked for one seeker's resume, as a digest keeps it until it picks."""

    posting: JobPosting
    score: float  # the global re-ranker's
    features: tuple[float, ...]


def digest_pick(
    pairs: Sequence[Pair],
    *,
    personal: Personal,
    threshold: float,
    vectors_of: VectorsOf,
    learned: Corrections | None = None,
    grade: float = DEFAULT_GRADE,
    k: int = ALERT_MAX,
) -> list[tuple[Pair, float, dict[str, str]]]:
    """The best k pairs for one seeker, as (pair, personalised score, what moved it): personalised as
    their results page is, then kept when the personalised score reaches the threshold (read once, so a
    posting their feedback lifts can reach them and one it sinks cannot)."""
    pairs = [p for p in pairs if p.posting.pk not in personal.excluded]
    if not pairs:
        return []
    scores, notes = personalise(
        np.asarray([p.score for p in pairs]),
        personal=personal,
        ids=[p.posting.pk for p in pairs],
        levels=[p.posting.experience_level for p in pairs],
        X=np.asarray([p.features for p in pairs], dtype=np.float64),
        vectors_of=vectors_of,
        learned=learned,
        grade=grade,
    )
    kept = [(p, float(s), note) for p, s, note in zip(pairs, scores, notes, strict=True) if s >= threshold]
    return sorted(kept, key=lambda t: (-t[1], t[0].posting.pk))[:k]


def digests_build(due: list[tuple[AlertSettings, Resume]]) -> tuple[dict[int, list[AlertItem]], int]:
    """Each due resume's digest (best first, at most ALERT_MAX), and how many new postings were ranked."""
    if not due:
        return {}, 0
    # Each seeker's window starts at `since` (alerts switched on, or their last run).
    window = {resume.pk: row.since for row, resume in due}
    new = list(JobPosting.objects.open().filter(created_at__gt=min(window.values())).order_by("id"))
    if not new:
        return {}, 0
    resumes = {resume.pk: resume for _, resume in due}
    ids = set(resumes)
    for start in range(0, len(resumes), 5000):  # bound the query's parameters
        resumes_index_missing(resumes=Resume.objects.filter(pk__in=list(resumes)[start : start + 5000]))
    engine = get_engine()
    vectors = engine.vectors.vectors([p.pk for p in new])
    excluded = _excluded_pairs(list(resumes), [p.pk for p in new])
    sides = IndexedResumes(resume_sides(list(resumes)))  # each profile read once, not once per posting
    threshold = min_score()
    # Each seeker's best pairs by the global score (a heap per seeker; personalisation reorders them).
    found: dict[int, list[tuple[float, int, Pair]]] = defaultdict(list)
    for posting in new:
        vec = vectors.get(posting.pk)
        result = resumes_for_posting(
            posting=posting,
            allowed=ids,
            k=ALERT_DEPTH,
            posting_vec=np.asarray(vec, dtype=np.float32) if vec is not None else None,
            sides=sides,
            explained=False,  # given below to the postings that make it into an email
        )
        for item in result.items:
            rid = item.resume_id
            if item.score < threshold - PERSONAL_HEADROOM * engine.grade:
                continue  # below what feedback could lift to the threshold
            if (rid, posting.pk) in excluded or posting.created_at <= window[rid]:
                continue
            entry = (item.score, -posting.pk, Pair(posting, item.score, tuple(item.features)))
            if len(found[rid]) < DIGEST_POOL:
                heapq.heappush(found[rid], entry)
            else:
                heapq.heappushpop(found[rid], entry)
    classes = engine.domain.classes if engine.domain is not None else []
    learned = engine.personal.estimator if engine.personal is not None else None
    out: dict[int, list[AlertItem]] = {}
    for rid, heap in found.items():
        resume = resumes[rid]
        pairs = [pair for _, _, pair in heap]
        filters = Filters.saved(resume.filters, owner=f"resume {rid}")
        if filters.active:
            passing = set(
                filters.apply(JobPosting.objects.filter(pk__in=[p.posting.pk for p in pairs])).values_list(
                    "id", flat=True
                )
            )
            pairs = [p for p in pairs if p.posting.pk in passing]
        picked = digest_pick(
            pairs,
            personal=personal_for(resume),
            threshold=threshold,
            vectors_of=engine.vectors.vectors,
            learned=learned,
            grade=engine.grade,
        )
        items = []
        for pair, score, note in picked:
            why = resume_reasons(posting_side(pair.posting, classes), sides.known[rid].seeker, pair.features)
            if note:
                why["personal"] = note
            items.append(AlertItem(pair.posting, score, why, list(pair.features)))
        if items:
            out[rid] = items
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
                RECOMMENDATIONS_SERVED.labels(surface="job_alert").inc(len(items))
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
    log.info("job alerts: %s", run.summary())
    return run
