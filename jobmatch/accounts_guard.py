"""Two rules every page obeys, in one place (allauth provides the pages they send people to):

- everyone has an email address: an account from before sign-up asked for one is sent to add it (and
  may still log out, download or delete its data);
- recruiters and admins, who read other people's personal data, have two-factor authentication before
  they open a candidate's resume, a pipeline or the admin; until then those pages send them to set it up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.adapter import get_adapter as mfa_adapter
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from search import access

# Pages that show candidates' resumes or other people's data (the whole admin among them).
NEEDS_MFA = {
    "recruit:posting",
    "recruit:candidate",
    "recruit:candidate_file",
    "recruit:stage",
    "recruit:pipeline",
    "recruit:pipeline_csv",
}
# What a user without an email address may still reach.
WITHOUT_EMAIL = {"account_email", "logout", "account_logout", "account", "account_data", "account_delete"}
ALWAYS = {"healthz", "readyz", "metrics"}
# Set in the session once the user has an address; allauth never lets the primary one be removed.
HAS_EMAIL = "jobmatch.has_email"


class AccountGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        user = request.user
        match = request.resolver_match
        if not user.is_authenticated or match is None or match.view_name in ALWAYS:
            return None
        name = match.view_name
        if name not in WITHOUT_EMAIL and not request.session.get(HAS_EMAIL):
            if not EmailAddress.objects.filter(user=user).exists():
                messages.info(request, "Add your email address: job alerts and password resets are sent to it.")
                return redirect("account_email")
            request.session[HAS_EMAIL] = True
        staff_page = name in NEEDS_MFA or (match.namespace == "admin" and name != "admin:logout")
        if (
            staff_page
            and access.role_of(user) in (access.RECRUITER, access.ADMIN)
            and not mfa_adapter().is_mfa_enabled(user)
        ):
            if not EmailAddress.objects.filter(user=user, verified=True).exists():
                # allauth sets up a second factor only for a verified address
                messages.warning(
                    request,
                    "Verify your email address (the link we mailed you), then set up two-factor authentication: "
                    "recruiters and administrators need both to open candidates' resumes and the admin.",
                )
                return redirect("account_email")
            messages.warning(
                request,
                "Set up two-factor authentication first: recruiters and administrators need it to open "
                "candidates' resumes and the admin.",
            )
            return redirect("mfa_activate_totp")
        return None
