"""Pages that belong to no one app: the home page and sign-up (which asks for the role)."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from search import access
from search.forms import SignupForm
from search.models import Invitation
from search.recruiting.invitations import InvitationInvalid, invitation_accept

from .accounts import account_delete, account_export


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    role = access.role_of(request.user)
    if role in (access.RECRUITER, access.ADMIN):
        return redirect("recruit:dashboard")
    if role == access.SEEKER:
        return redirect("resumes:list")
    return render(request, "home.html")


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    token = request.GET.get("invitation", "")[:64]
    invited = Invitation.objects.filter(token=token).values_list("role", flat=True).first() if token else None
    form = SignupForm(request.POST or None, initial={"invitation": token, "role": invited or access.SEEKER})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # no account without its role
                user = form.save()
                if form.cleaned_data["role"] != access.SEEKER:
                    invitation_accept(token=form.cleaned_data["invitation"], user=user)
        except InvitationInvalid as exc:
            form.add_error("invitation", exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("home")
    status = 400 if request.method == "POST" else 200
    return render(request, "registration/signup.html", {"form": form}, status=status)


class DeleteAccountForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput, help_text="Your password, to confirm.")

    def __init__(self, *args: object, user: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):  # type: ignore[attr-defined]
            raise forms.ValidationError("That is not your password.")
        return str(password)


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/account.html", {"form": DeleteAccountForm(user=request.user)})


@login_required
@require_GET
def account_data(request: HttpRequest) -> HttpResponse:
    """All the user's data as one JSON file (a download, never rendered)."""
    body = json.dumps(account_export(user=request.user), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="jobmatch-data.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["POST"])
def account_remove(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, "registration/account.html", {"form": form}, status=400)
    user = request.user
    logout(request)
    account_delete(user=user)
    messages.success(request, "Your account and everything derived from it were deleted.")
    return redirect("home")
