"""What seekers do with their results, and how it changes what they see next.

Every result records its impression (the position shown) and the seeker's actions: open, save,
apply, dismiss with a reason. Dismissed and applied postings leave the list at once and a fresh
ranking replaces them; the reason acts on the rest of the list:

- wrong location: the location filter tightens (anywhere -> the seeker's region -> their city);
- too junior / too senior: the experience levels the seeker accepts move above / below the
  dismissed posting's level; postings outside them move down (search.ranking.personalise);
- not relevant: postings like the dismissed one (cosine of their vectors) are demoted;
- save and apply: postings like the ones the seeker saved or applied to are promoted (the saved
  ones themselves stay where the ranking puts them: they have their own page);
- salary too low: the minimum pay filter rises above the dismissed posting's pay;
- already applied elsewhere: only that posting goes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence

from django.db import transaction
from django.utils import timezone

from resumes.models import Resume

from . import tasks
from .filters import FilterError, Filters, city_region, yearly_pay
from .models import Application, DismissReason, Interaction, JobPosting, PostingFeedback, Recommendation
from .ranking.personalise import ALL_LEVELS, Personal, level_range, levels_wanted

# An impression of the same posting at the same position within this window is the same impression
# (the results fragment is loaded again after every action).
IMPRESSION_WINDOW = dt.timedelta(minutes=30)
LIKED_KEPT = 50  # the newest saved or applied postings that count (as the newest 50 dismissals do)


class FeedbackRefused(ValueError):
    """The action cannot be taken as asked (the message says why)."""


def applied_postings(resume: Resume) -> frozenset[int]:
    """Postings the seeker applied to: through JobMatch, or marked as applied for an imported posting."""
    marked = PostingFeedback.objects.filter(resume=resume, applied_at__isnull=False).values_list(
        "posting_id", flat=True
    )
    return frozenset(marked) | frozenset(Application.objects.filter(resume=resume).values_list("posting_id", flat=True))


def personal_for(resume: Resume) -> Personal:
    rows = list(
        PostingFeedback.objects.filter(resume=resume)
        .exclude(dismissed_at__isnull=True, applied_at__isnull=True)
        .order_by("dismissed_at", "id")
        .values_list("posting_id", "dismissed_at", "dismiss_reason", "posting__experience_level")
    )
    applied = applied_postings(resume)
    dismissed = [r for r in rows if r[1] is not None]
    unwanted = tuple(pid for pid, _, reason, _ in reversed(dismissed) if reason == DismissReason.NOT_RELEVANT)
    levels = level_range((reason, level) for _, _, reason, level in dismissed)
    notes = {"seniority": levels_wanted(levels)} if levels != ALL_LEVELS else {}
    liked = (
        PostingFeedback.objects.filter(resume=resume)
        .exclude(saved_at__isnull=True, applied_at__isnull=True)
        .order_by("-updated_at", "-id")
        .values_list("posting_id", flat=True)[:LIKED_KEPT]
    )
    return Personal(resume.pk, frozenset(r[0] for r in rows) | applied, unwanted[:50], levels, notes, tuple(liked))


# --- recording --------------------------------------------------------------------------------


def impressions_record(
    *,
    resume: Resume,
    shown: Sequence[tuple[int, int]],
    features: Mapping[int, Sequence[float]] | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Log (posting id, position) pairs shown to the seeker, once per IMPRESSION_WINDOW, with the
    pair's ranking features where known."""
    now = now or timezone.now()
    features = features or {}
    recent = set(
        Interaction.objects.filter(
            resume=resume, kind=Interaction.Kind.IMPRESSION, created_at__gte=now - IMPRESSION_WINDOW
        ).values_list("posting_id", "position")
    )
    rows = [
        Interaction(
            resume=resume,
            posting_id=pid,
            kind=Interaction.Kind.IMPRESSION,
            position=pos,
            features=list(features[pid]) if features.get(pid) else None,
            created_at=now,
        )
        for pid, pos in shown
        if (pid, pos) not in recent
    ]
    Interaction.objects.bulk_create(rows)
    return len(rows)


def _position(resume: Resume, posting: JobPosting, position: int | None) -> int | None:
    if position is not None:
        return position
    return Recommendation.objects.filter(resume=resume, posting=posting).values_list("rank", flat=True).first()


def posting_open_record(*, resume: Resume, posting: JobPosting, position: int | None = None) -> None:
    Interaction.objects.create(
        resume=resume, posting=posting, kind=Interaction.Kind.OPEN, position=_position(resume, posting, position)
    )


def _feedback(resume: Resume, posting: JobPosting) -> PostingFeedback:
    row, _ = PostingFeedback.objects.select_for_update().get_or_create(resume=resume, posting=posting)
    return row


def bookmark_save(*, resume: Resume, posting: JobPosting, saved: bool = True, position: int | None = None) -> None:
    """Save a posting for later (or unsave it); it stays in the list."""
    with transaction.atomic():
        row = _feedback(resume, posting)
        row.saved_at = timezone.now() if saved else None
        row.save(update_fields=["saved_at", "updated_at"])
        Interaction.objects.create(
            resume=resume,
            posting=posting,
            kind=Interaction.Kind.SAVE if saved else Interaction.Kind.UNSAVE,
            position=_position(resume, posting, position),
        )


def _leave_list(resume: Resume, posting: JobPosting, refresh: bool) -> None:
    """The posting leaves the seeker's list now; a fresh ranking fills the gap in the background
    (unless the caller ranks itself: `refresh=False`, the simulation)."""
    Recommendation.objects.filter(resume=resume, posting=posting).delete()
    if refresh:
        tasks.refresh_recommendations.delay_on_commit([resume.pk])


def posting_applied(*, resume: Resume, posting: JobPosting, position: int | None = None, refresh: bool = True) -> None:
    """Record an application (through JobMatch, or marked by the seeker for an imported posting)."""
    with transaction.atomic():
        row = _feedback(resume, posting)
        if row.applied_at is None:
            row.applied_at = timezone.now()
            row.save(update_fields=["applied_at", "updated_at"])
        Interaction.objects.create(
            resume=resume, posting=posting, kind=Interaction.Kind.APPLY, position=_position(resume, posting, position)
        )
        _leave_list(resume, posting, refresh)


def tightened_filters(filters: Filters, *, reason: str, posting: JobPosting, home: str) -> tuple[Filters, str]:
    """The seeker's filters after a dismissal for `reason`, and a sentence saying what changed."""
    values = filters.as_dict()
    if reason == DismissReason.WRONG_LOCATION:
        place = filters.location or home
        city, region = city_region(place)
        if filters.location_scope == "" and region:
            values.update(location_scope="region", location=place)
            change = f"Only postings in {region} (or remote) from now on"
        elif filters.location_scope == "region" and city:
            values.update(location_scope="city", location=place)
            change = f"Only postings in {city}, {region} from now on"
        elif filters.location_scope in {"city", "remote"}:
            return filters, "Your location filter is already as tight as it goes"
        else:
            return filters, "Add your location to your profile (or set a location filter) so we can keep to it"
    elif reason == DismissReason.SALARY_TOO_LOW:
        pay = yearly_pay(posting)
        if pay is None:
            return filters, "This posting states no pay, so the minimum pay filter stays as it was"
        floor = math.floor(pay / 1000) * 1000 + 1000
        if filters.min_salary and filters.min_salary >= floor:
            return filters, "Your minimum pay filter was already above this posting's pay"
        values["min_salary"] = float(floor)
        change = f"Only postings paying at least {floor:,} a year from now on"
    else:
        return filters, ""
    try:
        return Filters.from_dict(values), change
    except FilterError as exc:
        return filters, str(exc)


def posting_dismiss(
    *, resume: Resume, posting: JobPosting, reason: str, position: int | None = None, refresh: bool = True
) -> str:
    """Dismiss a posting with a reason; it leaves the list at once and the reason acts on the rest.
    Returns what changed, for the seeker."""
    if reason not in DismissReason.values:
        raise FeedbackRefused(
            "Choose why you are dismissing this posting: " + ", ".join(str(label) for label in DismissReason.labels)
        )
    with transaction.atomic():
        resume = Resume.objects.select_for_update().get(pk=resume.pk)
        row = _feedback(resume, posting)
        row.dismissed_at, row.dismiss_reason = timezone.now(), reason
        row.save(update_fields=["dismissed_at", "dismiss_reason", "updated_at"])
        Interaction.objects.create(
            resume=resume,
            posting=posting,
            kind=Interaction.Kind.DISMISS,
            reason=reason,
            position=_position(resume, posting, position),
        )
        change = ""
        if reason in {DismissReason.WRONG_LOCATION, DismissReason.SALARY_TOO_LOW}:
            current = Filters.saved(resume.filters, owner=f"resume {resume.pk}")
            home = (resume.profile or {}).get("location") or ""
            new, change = tightened_filters(current, reason=reason, posting=posting, home=home)
            if new != current:
                resume.filters = new.as_dict()
                resume.save(update_fields=["filters", "updated_at"])
        elif reason == DismissReason.NOT_RELEVANT:
            change = "Postings like it move down your list"
        elif reason in {DismissReason.TOO_JUNIOR, DismissReason.TOO_SENIOR}:
            change = f"Postings at {levels_wanted(personal_for(resume).levels)} level come first"
        _leave_list(resume, posting, refresh)
    return change


def posting_undismiss(*, resume: Resume, posting: JobPosting) -> None:
    """Take a dismissal back (the saved page and the list of dismissed postings offer it)."""
    with transaction.atomic():
        PostingFeedback.objects.filter(resume=resume, posting=posting).update(
            dismissed_at=None, dismiss_reason="", updated_at=timezone.now()
        )
        tasks.refresh_recommendations.delay_on_commit([resume.pk])
