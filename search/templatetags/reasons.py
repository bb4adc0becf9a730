"""Template filters that put a result's reasons in words: occupation titles and seniority levels."""

from __future__ import annotations

from django import template

from resumes.understanding.vocabulary import occupation_name
from search.ranking.seniority import LEVELS

register = template.Library()


@register.filter
def occupation_title(code: str) -> str:
    return occupation_name(code) if code else ""


@register.filter
def level_name(level: float | None) -> str:
    """The nearest of LinkedIn's levels to a level on its scale ("" when unknown)."""
    if level is None:
        return ""
    return LEVELS[min(len(LEVELS) - 1, max(0, round(float(level))))]
