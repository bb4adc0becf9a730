"""What seekers do with their results, and how it changes what they see next.

Every result records its impression (the position shown) and the seeker's actions: open, save,
apply, dismiss with a reason. Dismissed and applied postings leave the list at once and a fresh
ranking replaces them; the reason acts on the rest of the list:

- wrong location: the location filter tightens (anywhere -> the seeker's region -> their city);
- too junior / too senior: the experience levels the seeker accepts move above / below the
  dismissed posting's level; postings outside them lose SENIORITY_PENALTY per level;
- not relevant: postings like the dismissed one (cosine of their vectors) are demoted;
- save and apply: postings like the ones the seeker saved or applied to are promoted (the saved
  ones themselves stay where the ranking puts them: they have their own page);
- salary too low: the minimum pay filter rises above the dismissed posting's pay;
- already applied elsewhere: only that posting goes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from resumes.models import Resume

from .filters import EXPERIENCE_LEVELS, PER_YEAR, FilterError, Filters, _city_region
from .models import Application, DismissReason, Interaction, JobPosting, PostingFeedback, Recommendation

# An impression of the same posting at the same position within this window is the same impression
# (the results fragment is loaded again after every action).
IMPRESSION_WINDOW = dt.timedelta(minutes=30)
# Score (log-odds) taken off a posting identical to one dismissed as not relevant; a posting whose
# vector is less alike than NOT_RELEVANT_FLOOR (cosine) loses nothing, in between linearly.
NOT_RELEVANT_WEIGHT = 3.0
NOT_RELEVANT_FLOOR = 0.6
# Score (log-odds) added to a posting identical to one the seeker saved or applied to (not to that
# posting itself), linearly from LIKED_FLOOR (cosine) as above.
LIKED_WEIGHT = 2.0
LIKED_FLOOR = 0.6
LIKED_KEPT = 50  # the newest saved or applied postings that count (as the newest 50 dismissals do)
# How far the vector search moves from the resume towards the liked postings (Rocchio's beta; the
# resume's own vector has weight 1).
LIKED_QUERY_SHIFT = 0.5
# Score taken off per experience level outside the range the seeker's dismissals set.
SENIORITY_PENALTY = 1.5


class FeedbackRefused(ValueError):
    """The action cannot be taken as asked (the message says why)."""


@dataclass(frozen=True)
class Personal:
    """What one seeker's feedback does to ranking: postings left out, look-alikes demoted, a level range."""

    resume_id: int | None = None  # whose corrections the personalised model adds
    excluded: frozenset[int] = frozenset()  # dismissed or applied
    unwanted: tuple[int, ...] = ()  # dismissed as not relevant, newest first
    levels: tuple[int, int] = (0, len(EXPERIENCE_LEVELS) - 1)  # accepted range, indexes in EXPERIENCE_LEVELS
    notes: Mapping[str, str] = field(default_factory=dict)
    liked: tuple[int, ...] = ()  # saved or applied to, newest first

    @property
    def shifts(self) -> bool:
        return bool(self.unwanted) or bool(self.liked) or self.levels != (0, len(EXPERIENCE_LEVELS) - 1)


def level_index(level: str) -> int | None:
    try:
        return EXPERIENCE_LEVELS.index(level.strip())
    except ValueError:
        return None


def level_range(dismissals: Iterable[tuple[str, str]]) -> tuple[int, int]:
    """The experience levels a seeker accepts after their seniority dismissals, oldest first: "too
    junior" at level i moves the lower end above i, "too senior" the upper end below it; the newer
    dismissal wins where two disagree."""
    lo, hi = 0, len(EXPERIENCE_LEVELS) - 1
    for reason, level in dismissals:
        i = level_index(level)
        if i is None:
            continue
        if reason == DismissReason.TOO_JUNIOR:
            lo = min(i + 1, len(EXPERIENCE_LEVELS) - 1)
            hi = max(hi, lo)
        elif reason == DismissReason.TOO_SENIOR:
            hi = max(i - 1, 0)
            lo = min(lo, hi)
    return lo, hi


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
    notes = {}
    if levels != (0, len(EXPERIENCE_LEVELS) - 1):
        lo, hi = levels
        notes["seniority"] = (
            EXPERIENCE_LEVELS[lo] if lo == hi else f"{EXPERIENCE_LEVELS[lo]} to {EXPERIENCE_LEVELS[hi]}"
        )
    liked = (
        PostingFeedback.objects.filter(resume=resume)
        .exclude(saved_at__isnull=True, applied_at__isnull=True)
        .order_by("-updated_at", "-id")
        .values_list("posting_id", flat=True)[:LIKED_KEPT]
    )
    return Personal(resume.pk, frozenset(r[0] for r in rows) | applied, unwanted[:50], levels, notes, tuple(liked))


def personal_penalties(
    personal: Personal,
    postings: Sequence[JobPosting],
    vectors_of: Callable[[list[int]], Mapping[int, Sequence[float]]],
) -> tuple[np.ndarray, list[dict[str, str]]]:
    """The score each posting loses to the seeker's feedback, and why (one dict per posting)."""
    pen = np.zeros(len(postings))
    why: list[dict[str, str]] = [{} for _ in postings]
    lo, hi = personal.levels
    if (lo, hi) != (0, len(EXPERIENCE_LEVELS) - 1):
        for n, p in enumerate(postings):
            i = level_index(p.experience_level)
            if i is None:
                continue
            out = lo - i if i < lo else i - hi if i > hi else 0
            if out:
                pen[n] += SENIORITY_PENALTY * out
                why[n]["seniority"] = (
                    f"{p.experience_level}, outside the levels you want ({personal.notes['seniority']})"
                )
    if (personal.unwanted or personal.liked) and postings:
        found = vectors_of(list(personal.unwanted) + list(personal.liked) + [p.pk for p in postings])
        for ids, sign, weight, floor, key, note in (
            (personal.unwanted, 1.0, NOT_RELEVANT_WEIGHT, NOT_RELEVANT_FLOOR, "like_dismissed", "marked not relevant"),
            (personal.liked, -1.0, LIKED_WEIGHT, LIKED_FLOOR, "like_liked", "saved or applied to"),
        ):
            rows = [i for i in ids if i in found]
            if not rows:
                continue
            U = np.vstack([np.asarray(found[i], dtype=np.float32) for i in rows])
            U /= np.linalg.norm(U, axis=1, keepdims=True) + 1e-9
            for n, p in enumerate(postings):
                if p.pk not in found:
                    continue
                v = np.asarray(found[p.pk], dtype=np.float32)
                sims = U @ (v / (np.linalg.norm(v) + 1e-9))
                sims[[i == p.pk for i in rows]] = -1.0  # a posting is not its own look-alike
                sim = float(np.max(sims))
                if sim > floor:
                    pen[n] += sign * weight * (sim - floor) / (1 - floor)
                    why[n][key] = f"like a posting you {note} ({sim:.2f})"
    return pen, why


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


def posting_open(*, resume: Resume, posting: JobPosting, position: int | None = None) -> None:
    Interaction.objects.create(
        resume=resume, posting=posting, kind=Interaction.Kind.OPEN, position=_position(resume, posting, position)
    )


def _feedback(resume: Resume, posting: JobPosting) -> PostingFeedback:
    row, _ = PostingFeedback.objects.select_for_update().get_or_create(resume=resume, posting=posting)
    return row


def posting_save(*, resume: Resume, posting: JobPosting, saved: bool = True, position: int | None = None) -> None:
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
    from . import tasks

    Recommendation.objects.filter(resume=resume, posting=posting).delete()
    if refresh:
        resume_id = resume.pk
        transaction.on_commit(lambda: tasks.refresh_recommendations.delay([resume_id]))


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


def yearly_pay(posting: JobPosting) -> float | None:
    top = posting.salary_max if posting.salary_max is not None else posting.salary_min
    if top is None:
        return None
    return float(top) * PER_YEAR.get(posting.salary_period.upper(), 1)


def tightened_filters(filters: Filters, *, reason: str, posting: JobPosting, home: str) -> tuple[Filters, str]:
    """The seeker's filters after a dismissal for `reason`, and a sentence saying what changed."""
    values = filters.as_dict()
    if reason == DismissReason.WRONG_LOCATION:
        place = filters.location or home
        city, region = _city_region(place)
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
            try:
                current = Filters.from_dict(resume.filters)
            except (FilterError, TypeError, ValueError):
                current = Filters()
            home = (resume.profile or {}).get("location") or ""
            new, change = tightened_filters(current, reason=reason, posting=posting, home=home)
            if new != current:
                resume.filters = new.as_dict()
                resume.save(update_fields=["filters", "updated_at"])
        elif reason == DismissReason.NOT_RELEVANT:
            change = "Postings like it move down your list"
        elif reason in {DismissReason.TOO_JUNIOR, DismissReason.TOO_SENIOR}:
            lo, hi = personal_for(resume).levels
            wanted = EXPERIENCE_LEVELS[lo] if lo == hi else f"{EXPERIENCE_LEVELS[lo]} to {EXPERIENCE_LEVELS[hi]}"
            change = f"Postings at {wanted} level come first"
        _leave_list(resume, posting, refresh)
    return change


def posting_undismiss(*, resume: Resume, posting: JobPosting) -> None:
    """Take a dismissal back (the saved page and the list of dismissed postings offer it)."""
    with transaction.atomic():
        PostingFeedback.objects.filter(resume=resume, posting=posting).update(
            dismissed_at=None, dismiss_reason="", updated_at=timezone.now()
        )
        from . import tasks

        resume_id = resume.pk
        transaction.on_commit(lambda: tasks.refresh_recommendations.delay([resume_id]))


# --- reading ----------------------------------------------------------------------------------


def saved_for_owner(*, owner: object) -> QuerySet[PostingFeedback]:
    return (
        PostingFeedback.objects.filter(resume__owner=owner, saved_at__isnull=False)
        .select_related("posting", "resume")
        .order_by("-saved_at")
    )


def applied_for_owner(*, owner: object) -> QuerySet[PostingFeedback]:
    return (
        PostingFeedback.objects.filter(resume__owner=owner, applied_at__isnull=False)
        .select_related("posting", "resume")
        .order_by("-applied_at")
    )


def dismissed_for_owner(*, owner: object) -> QuerySet[PostingFeedback]:
    return (
        PostingFeedback.objects.filter(resume__owner=owner, dismissed_at__isnull=False)
        .select_related("posting", "resume")
        .order_by("-dismissed_at")
    )


def saved_posting_ids(*, resume: Resume) -> set[int]:
    return set(
        PostingFeedback.objects.filter(resume=resume, saved_at__isnull=False).values_list("posting_id", flat=True)
    )
