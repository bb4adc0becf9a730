from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from resumes.selectors import resume_get_for_owner
from resumes.services import filters_update

from .filters import Filters
from .forms import FiltersForm
from .selectors import recommendations_for_resume


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
