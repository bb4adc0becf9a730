"""Pages that belong to no one app: the home page and sign-up (which asks for the role)."""

from __future__ import annotations

from django.contrib.auth import login
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from search import access
from search.forms import SignupForm
from search.models import Invitation
from search.recruiting import InvitationInvalid, invitation_accept


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
