from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from resumes.selectors import resume_get_for_owner

from .selectors import recommendations_for_resume


@login_required
@require_GET
def resume_matches(request: HttpRequest, public_id: str) -> HttpResponse:
    """The ranked postings for one of the user's resumes (a fragment the resume page loads)."""
    resume = resume_get_for_owner(owner=request.user, public_id=public_id)
    return render(
        request,
        "search/_matches.html",
        {"resume": resume, "recommendations": recommendations_for_resume(resume=resume)},
    )
