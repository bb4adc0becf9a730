from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from resumes.selectors import resume_get_for_owner, resumes_for_owner
from resumes.services import filters_update

from . import access
from .filters import Filters
from .forms import FiltersForm
from .models import Application
from .recruiting import ApplicationRefused, application_submit, application_withdraw, resume_visibility_set
from .selectors import applied_posting_ids, recommendations_for_resume


@login_required
@require_GET
def resume_matches(request: HttpRequest, public_id: str) -> HttpResponse:
    """The ranked postings for one of the user's resumes (a fragment the resume page loads)."""
    resume = resume_get_for_owner(owner=request.user, public_id=public_id)
    return render(
        request,
        "search/_matches.html",
        {
            "resume": resume,
            "recommendations": recommendations_for_resume(resume=resume),
            "filters": Filters.from_dict(resume.filters),
            "applied": applied_posting_ids(resume=resume),
        },
    )


@login_required
@require_POST
def resume_filters(request: HttpRequest, public_id: str) -> HttpResponse:
    """Save the hard filters of a resume's results and rank again under them."""
    resume = resume_get_for_owner(owner=request.user, public_id=public_id)
    form = FiltersForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("__all__", []):
            messages.error(request, error)
        for name, errors in form.errors.items():
            if name != "__all__":
                messages.error(request, f"{form.fields[name].label}: {' '.join(errors)}")
        return redirect("resumes:detail", public_id=resume.public_id)
    filters_update(resume=resume, filters=form.filters.as_dict())
    messages.success(request, "Filters saved. Your matches are being updated.")
    return redirect("resumes:detail", public_id=resume.public_id)


@login_required
@require_POST
def resume_visibility(request: HttpRequest, public_id: str) -> HttpResponse:
    """Let recruiters find this resume, or make it private again."""
    resume = resume_get_for_owner(owner=request.user, public_id=public_id)
    discoverable = request.POST.get("discoverable") == "1"
    resume_visibility_set(resume=resume, discoverable=discoverable)
    messages.success(
        request,
        "Recruiters can now find this resume."
        if discoverable
        else "This resume is private again: only recruiters of postings you applied to can see it.",
    )
    return redirect("resumes:detail", public_id=resume.public_id)


@login_required
@require_GET
def posting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An open posting, with the seeker's resumes to apply with."""
    posting = access.posting_open_for_seekers(pk)
    resumes = resumes_for_owner(owner=request.user).filter(status="done")
    applied = set(
        Application.objects.filter(posting=posting, resume__owner=request.user).values_list("resume_id", flat=True)
    )
    return render(request, "search/posting.html", {"posting": posting, "resumes": resumes, "applied": applied})


@login_required
@require_POST
def posting_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply with one of your resumes (it is shared with the posting's organisation), or withdraw."""
    posting = access.posting_open_for_seekers(pk)
    resume = resume_get_for_owner(owner=request.user, public_id=request.POST.get("resume", ""))
    if request.POST.get("withdraw") == "1":
        application_withdraw(resume=resume, posting=posting)
        messages.success(request, "Application withdrawn: the organisation no longer sees this resume for it.")
    else:
        try:
            application_submit(resume=resume, posting=posting)
        except ApplicationRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Applied to {posting.title}. Its recruiters can now see this resume.")
    if request.POST.get("back") == "resume":
        return redirect("resumes:detail", public_id=resume.public_id)
    return redirect("search:posting", pk=posting.pk)
