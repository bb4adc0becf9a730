"""Invitations: the codes that make a new account a recruiter of an organisation, or an admin."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
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


def invitation_link(invitation: Invitation) -> str:
    """The sign-up link with the code filled in, on the public site (JOBMATCH_SITE_URL)."""
    return f"{settings.JOBMATCH_SITE_URL.rstrip('/')}{reverse('signup')}?invitation={invitation.token}"


def invitation_send(invitation: Invitation, *, by: str = "") -> None:
    """Email the invitation to the address it was made for (Django's email backend: SMTP in production,
    files under DATA_DIR/mail by default). Raises what the backend raises when it cannot send."""
    if not invitation.email:
        raise ValueError("this invitation names no email address")
    where = f" at {invitation.organisation.name}" if invitation.organisation else ""
    role = "an administrator" if invitation.role == Invitation.Role.ADMIN else f"a recruiter{where}"
    body = (
        f"You are invited to JobMatch as {role}{f' by {by}' if by else ''}.\n\n"
        f"Create your account here (the link works once, until {invitation.expires_at:%Y-%m-%d}):\n"
        f"{invitation_link(invitation)}\n\n"
        f"Or sign up and enter this invitation code: {invitation.token}\n"
    )
    send_mail("JobMatch: your invitation", body, None, [invitation.email])


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
