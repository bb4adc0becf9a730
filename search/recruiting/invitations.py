"""Invitations: the codes that make a new account a recruiter of an organisation, or an admin."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from search import access
from search.models import Invitation, Membership, Organisation


class InvitationInvalid(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def invitation_issue(
    *, by: AbstractBaseUser, role: str, organisation: Organisation | None = None, email: str = ""
) -> Invitation:
    if role == Invitation.Role.RECRUITER and organisation is None:
        raise ValueError("a recruiter invitation names an organisation")
    if role == Invitation.Role.ADMIN:
        organisation = None
    if not access.can_issue_invitation(by, role=role, organisation=organisation):
        raise PermissionDenied("You may not issue this invitation.")
    return Invitation.objects.create(role=role, organisation=organisation, email=email, created_by=by)


def invitation_find(token: str) -> Invitation:
    invitation = Invitation.objects.filter(token=token.strip()).select_related("organisation").first()
    if invitation is None:
        raise InvitationInvalid("This invitation code is not valid. Ask whoever invited you for a new one.")
    if invitation.accepted_at is not None:
        raise InvitationInvalid("This invitation code was already used. Ask whoever invited you for a new one.")
    if invitation.expires_at <= timezone.now():
        raise InvitationInvalid("This invitation code has expired. Ask whoever invited you for a new one.")
    return invitation


def invitation_accept(*, token: str, user: AbstractBaseUser) -> Invitation:
    """Give the user the invitation's role; each code works once. Call inside the sign-up transaction."""
    with transaction.atomic():
        invitation = invitation_find(token)
        # Claim it with a conditional update, so two sign-ups racing for one code cannot both win.
        claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
            accepted_at=timezone.now(), accepted_by=user
        )
        if not claimed:
            raise InvitationInvalid("This invitation code was already used. Ask whoever invited you for a new one.")
        if invitation.role == Invitation.Role.ADMIN:
            user.is_staff = user.is_superuser = True  # type: ignore[attr-defined]
            user.save(update_fields=["is_staff", "is_superuser"])
        else:
            Membership.objects.create(user=user, organisation=invitation.organisation)
    return invitation
