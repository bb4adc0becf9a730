"""The search side's parts of the resume page: the filters form of a resume's results."""

from __future__ import annotations

from typing import Any

from django import template

from resumes.models import Resume
from search.forms import FiltersForm

register = template.Library()


@register.inclusion_tag("search/_filters.html")
def resume_filters(resume: Resume) -> dict[str, Any]:
    return {"resume": resume, "filters_form": FiltersForm.for_resume(resume)}
