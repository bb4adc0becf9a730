"""Pages that belong to no one app: the home page and sign-up (which asks for the role)."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from search import access
from search.views import browse

from .accounts import account_delete, account_export
from .api_tokens import TokenRefused, scopes_for, token_create, token_revoke
from .models import ApiToken


@require_GET
def robots(request: HttpRequest) -> HttpResponse:
    """Crawlers may read the public postings; nothing behind a login is theirs to try."""
    lines = [
        "User-agent: *",
        "Disallow: /accounts/",
        "Disallow: /resumes/",
        "Disallow: /recruit/",
        "Disallow: /admin/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    role = access.role_of(request.user)
    if role in (access.RECRUITER, access.ADMIN):
        return redirect("recruit:dashboard")
    if role == access.SEEKER:
        return redirect("resumes:list")
    return browse(request, home=True)


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
    return render(request, "registration/account.html", _account_context(request, DeleteAccountForm(user=request.user)))


def _account_context(request: HttpRequest, form: DeleteAccountForm) -> dict[str, object]:
    from allauth.account.models import EmailAddress
    from allauth.mfa.adapter import get_adapter as mfa_adapter

    return {
        "form": form,
        "tokens": ApiToken.objects.filter(user=request.user),
        "token_scopes": scopes_for(request.user),
        "emails": EmailAddress.objects.filter(user=request.user).order_by("-primary", "email"),
        "mfa_enabled": mfa_adapter().is_mfa_enabled(request.user),
        "staff": access.role_of(request.user) in (access.RECRUITER, access.ADMIN),
    }


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
        return render(request, "registration/account.html", _account_context(request, form), status=400)
    user = request.user
    logout(request)
    account_delete(user=user)
    messages.success(request, "Your account and everything derived from it were deleted.")
    return redirect("home")


@login_required
@require_POST
def api_token_create(request: HttpRequest) -> HttpResponse:
    """Make a token; its key is on this one response and nowhere else."""
    context = _account_context(request, DeleteAccountForm(user=request.user))
    try:
        token, key = token_create(
            user=request.user, name=request.POST.get("name", ""), scopes=request.POST.getlist("scopes")
        )
    except TokenRefused as exc:
        context["token_error"] = str(exc)
        return render(request, "registration/account.html", context, status=400)
    context.update(new_token=token, new_key=key)
    response = render(request, "registration/account.html", context, status=201)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    if token_revoke(user=request.user, token_id=pk):
        messages.success(request, "Token revoked: systems using it are refused from now on.")
    return redirect(reverse("account") + "#api-tokens")


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask /favicon.ico before reading the page's icon link."""
    return redirect(static("favicon.svg"), permanent=True)
