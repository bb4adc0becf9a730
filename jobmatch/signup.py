"""Sign-up through django-allauth with JobMatch's roles: the invitation code in the link fills the form,
and the account and its role are made in one transaction (a code used up meanwhile leaves no account)."""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.views import SignupView as AllauthSignupView
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse

from search.models import Invitation
from search.recruiting.invitations import InvitationInvalid

log = logging.getLogger(__name__)


class SignupView(AllauthSignupView):
    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        token = self.request.GET.get("invitation", "")[:64]
        invited = Invitation.objects.filter(token=token).values_list("role", "email").first() if token else None
        if invited:
            initial.update({"invitation": token, "role": invited[0]})
            if invited[1]:
                initial.setdefault("email", invited[1])
        return initial

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except InvitationInvalid as exc:
            form.add_error("invitation", exc.message)
            return self.form_invalid(form)


signup = SignupView.as_view()


class AccountAdapter(DefaultAccountAdapter):
    """allauth's, but a mail server that does not answer never fails the page that sends the mail (sign-up,
    a new address, a reset): the account is kept, the failure logged, and the person told to ask again."""

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        try:
            super().send_mail(template_prefix, email, context)
        except (OSError, smtplib.SMTPException):
            log.exception("mail %s to a user not sent", template_prefix)
            request = getattr(self, "request", None)
            if request is not None:
                messages.warning(
                    request,
                    "We could not send you an email just now. Ask for it again in a few minutes from "
                    "your account page (Email addresses, Re-send verification) or the password reset page.",
                )
