"""Template filters that put a result's reasons in words: the fit level and its bar, the reasons a person
would give, what raised and lowered the score, occupation titles and seniority levels."""

from __future__ import annotations

from typing import Any

from django import template

from resumes.understanding.vocabulary import occupation_name, shown_once
from search.ranking import explain
from search.recruiting.pipeline import stage_label

register = template.Library()


@register.filter
def occupation_title(code: str) -> str:
    return occupation_name(code) if code else ""


@register.filter
def skills_shown(skills: list[str] | None) -> list[str]:
    """A list of skills as chips: each once, under one name ("SAP", never also "SAP software")."""
    return shown_once(skills)


@register.filter
def level_name(level: float | None) -> str:
    return explain.level_name(level)


@register.filter
def fit_level(score: float | None) -> str:
    return explain.fit_level(score)


@register.filter
def fit_percent(score: float | None) -> int:
    return explain.fit_percent(score)


@register.filter
def fit_class(score: float | None) -> str:
    return explain.fit_level(score).split()[0].lower()  # strong, good, possible


@register.filter
def plain_reasons(why: dict[str, Any] | None) -> list[str]:
    return explain.plain_reasons(why or {}, occupation_name=occupation_title)


@register.filter
def stage_name(stage: str) -> str:
    return stage_label(stage).lower()


@register.filter
def candidate_reasons(why: dict[str, Any] | None) -> list[str]:
    return explain.candidate_reasons(why or {}, occupation_name=occupation_title)


@register.filter
def score_in_words(why: dict[str, Any] | None) -> dict[str, list[str]]:
    return explain.score_in_words((why or {}).get("contributions") or {})
