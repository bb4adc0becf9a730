"""Who may see and do what: the one place the access rules live.

Roles:
- admin: a staff user. Manages every posting and organisation; sees resumes that were shared with
  anyone (discoverable, or applied to a posting).
- recruiter: a user with a Membership. Manages their organisation's postings; sees resumes that are
  discoverable or were applied to one of the organisation's postings.
- seeker: any other signed-in user. Sees their own resumes only.

Views use the decorators and the `*_for` functions below. What a user may not see answers 404,
never 403, so that nobody learns a private thing exists; a page meant for another role answers 403.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from resumes.models import Resume

from .models import JobPosting, Organisation

ADMIN, RECRUITER, SEEKER, ANONYMOUS = "admin", "recruiter", "seeker", "anonymous"

User = AbstractBaseUser | AnonymousUser


def role_of(user: User) -> str:
    if not user.is_authenticated:
        return ANONYMOUS
    if getattr(user, "is_staff", False):
        return ADMIN
    if organisation_of(user) is not None:
        return RECRUITER
    return SEEKER


def organisation_of(user: User) -> Organisation | None:
    membership = getattr(user, "membership", None) if user.is_authenticated else None
    return membership.organisation if membership is not None else None


def role_required(*roles: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Signed in (else a redirect to the login page) and in one of `roles` (else 403)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if role_of(request.user) not in roles:
                raise PermissionDenied("This page is for " + " and ".join(f"{r}s" for r in roles) + ".")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# --- postings -------------------------------------------------------------------------------


def postings_managed_by(user: User) -> QuerySet[JobPosting]:
    """Every posting for an admin; the organisation's for a recruiter; none for anyone else."""
    role = role_of(user)
    if role == ADMIN:
        return JobPosting.objects.all()
    if role == RECRUITER:
        return JobPosting.objects.filter(organisation=organisation_of(user))
    return JobPosting.objects.none()


def posting_managed_by(user: User, pk: int) -> JobPosting:
    posting = postings_managed_by(user).filter(pk=pk).first()
    if posting is None:
        raise Http404("No such posting.")
    return posting


def posting_open_for_seekers(pk: int) -> JobPosting:
    posting = JobPosting.objects.open().filter(pk=pk).first()
    if posting is None:
        raise Http404("This posting is closed or does not exist.")
    return posting


# --- resumes --------------------------------------------------------------------------------


def sharing_posting(prefix: str = "") -> Q:
    """Postings an application still shares a resume through: open, or closed (by hand or by its closing
    date) less than JOBMATCH_SHARING_GRACE_DAYS ago. `prefix` names the relation ("applications__posting__")."""
    now = timezone.now()
    since = now - dt.timedelta(days=settings.SHARING_GRACE_DAYS)
    not_closed_long = Q(**{f"{prefix}closed_at__isnull": True}) | Q(**{f"{prefix}closed_at__gte": since})
    not_past_long = Q(**{f"{prefix}closes_at__isnull": True}) | Q(**{f"{prefix}closes_at__gte": since.date()})
    return not_closed_long & not_past_long


def shared_with_organisation(organisation: Organisation | None) -> Q:
    """Resumes an organisation's recruiters may see: discoverable ones, and those applied to its postings
    (until the grace period after the posting closed). For postings without an organisation (imported
    public data): discoverable ones only."""
    shared = Q(discoverable=True)
    if organisation is not None:
        shared |= Q(applications__posting__organisation=organisation) & sharing_posting("applications__posting__")
    return shared


def resumes_shared_with(user: User) -> QuerySet[Resume]:
    """Processed resumes this user may open as a recruiter or admin (not their own: see resumes.selectors)."""
    role = role_of(user)
    done = Resume.objects.filter(status=Resume.Status.DONE)
    if role == ADMIN:
        return done.filter(
            Q(discoverable=True) | (Q(applications__isnull=False) & sharing_posting("applications__posting__"))
        ).distinct()
    if role == RECRUITER:
        return done.filter(shared_with_organisation(organisation_of(user))).distinct()
    return Resume.objects.none()


def resumes_visible_for_posting(posting: JobPosting) -> QuerySet[Resume]:
    """The candidates a posting may be matched with: processed resumes shared with its organisation,
    or applied to this very posting."""
    return (
        Resume.objects.filter(status=Resume.Status.DONE)
        .filter(
            shared_with_organisation(posting.organisation)
            | (Q(applications__posting=posting) & sharing_posting("applications__posting__"))
        )
        .distinct()
    )


def resume_for_recruiter(user: User, public_id: object) -> Resume:
    resume = resumes_shared_with(user).filter(public_id=public_id).first()
    if resume is None:
        raise Http404("No such resume.")
    return resume


def can_issue_invitation(user: User, *, role: str, organisation: Organisation | None) -> bool:
    """Admins invite admins and recruiters of any organisation; a recruiter, colleagues only."""
    who = role_of(user)
    if who == ADMIN:
        return True
    return who == RECRUITER and role == RECRUITER and organisation == organisation_of(user)


def context(request: HttpRequest) -> dict[str, Any]:
    """Template context processor: the user's role, for the navigation."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"role": role_of(user), "user_organisation": organisation_of(user)}
