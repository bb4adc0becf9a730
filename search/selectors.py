from __future__ import annotations

from django.db.models import QuerySet

from resumes.models import Resume

from . import access
from .models import (
    Application,
    CandidateDecision,
    CandidateMatch,
    JobPosting,
    PostingFeedback,
    Recommendation,
    open_posting,
)
from .recruiting.pipeline import stage_of


def recommendations_for_resume(*, resume: Resume) -> QuerySet[Recommendation]:
    """The stored top ten, without postings closed or expired since they were ranked."""
    return (
        Recommendation.objects.filter(open_posting("posting__"), resume=resume)
        .select_related("posting")
        .order_by("rank")
    )


def applied_posting_ids(*, resume: Resume) -> set[int]:
    return set(Application.objects.filter(resume=resume).values_list("posting_id", flat=True))


def candidates_for_posting(*, posting: JobPosting) -> list[CandidateMatch]:
    """The ranked candidates still shared with the posting's organisation, each with `applied`, `decision`
    and `stage` set."""
    visible = access.resumes_visible_for_posting(posting).values("id")
    rows = list(
        CandidateMatch.objects.filter(posting=posting, resume__in=visible).select_related("resume").order_by("rank")
    )
    applicants = set(Application.objects.filter(posting=posting).values_list("resume_id", flat=True))
    decisions = {d.resume_id: d for d in CandidateDecision.objects.filter(posting=posting)}
    for row in rows:
        row.applied = row.resume_id in applicants  # type: ignore[attr-defined]
        row.decision = decisions.get(row.resume_id)  # type: ignore[attr-defined]
        row.stage = stage_of(row.decision, row.applied)  # type: ignore[attr-defined]
    return rows


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
