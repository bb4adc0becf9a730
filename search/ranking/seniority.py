"""Seniority on one scale for resumes and postings: LinkedIn's six levels, 0 internship, 1 entry,
2 associate, 3 mid-senior, 4 director, 5 executive; fractions in between; None when nothing says.

A posting's level is the one its poster chose where there is one; else its title's words ("Senior",
"Director", "Intern"); else its pay. A resume's level comes from its years of experience and the words
of its latest titles: someone whose latest title is "Executive Chef" is senior whatever years were read,
and twenty years as a line cook is not a director's experience.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

LEVELS = ("Internship", "Entry level", "Associate", "Mid-Senior level", "Director", "Executive")

# Title words, most senior first: the first pattern that matches a title gives its level.
TITLE_RULES: tuple[tuple[re.Pattern[str], float], ...] = tuple(
    (re.compile(p, re.IGNORECASE), level)
    for p, level in (
        (r"\b(?:chief|ceo|cfo|coo|cto|cio|cmo|president|vp|svp|evp|vice[- ]president|owner|founder)\b", 5.0),
        (r"\b(?:director|head of|executive chef|general manager|partner)\b", 4.0),
        (r"\b(?:senior manager|sr\.? manager|principal|staff engineer)\b", 3.5),
        (r"\b(?:manager|mgr|supervisor|lead|leader|superintendent|foreman|sous chef|chef de cuisine)\b", 3.0),
        (r"\b(?:senior|sr\.?|iii|iv|expert)\b", 3.0),
        (r"\b(?:associate|ii|specialist)\b", 2.0),
        (r"\b(?:junior|jr\.?|entry|graduate|apprentice|trainee|i|crew|crewmember|helper|aide)\b", 1.0),
        (r"\b(?:intern|internship|co-?op|student)\b", 0.0),
    )
)


def title_level(title: str) -> float | None:
    """The level a title's words name, or None when they name none."""
    for pattern, level in TITLE_RULES:
        if pattern.search(title):
            return level
    return None


def pay_level(yearly_pay: float | None) -> float | None:
    """A rough level from yearly pay in US dollars, where nothing else says (bands of LinkedIn 2023)."""
    if yearly_pay is None or yearly_pay <= 0:
        return None
    if yearly_pay < 35_000:
        return 1.0
    if yearly_pay < 60_000:
        return 2.0
    if yearly_pay < 130_000:
        return 3.0
    if yearly_pay < 200_000:
        return 4.0
    return 5.0


def posting_level(experience_level: str, title: str, yearly_pay: float | None = None) -> float | None:
    """The poster's level, else the title's, else the pay's; None when none says."""
    declared = experience_level.strip().lower()
    for n, name in enumerate(LEVELS):
        if declared == name.lower():
            return float(n)
    found = title_level(title)
    return found if found is not None else pay_level(yearly_pay)


def years_level(years: float | None) -> float | None:
    if years is None:
        return None
    if years < 1:
        return 0.5
    if years < 3:
        return 1.0
    if years < 6:
        return 2.0
    if years < 12:
        return 3.0
    if years < 15:
        return 3.5
    return 4.0


def resume_level(years: float | None, titles: Sequence[str]) -> float | None:
    """From the years of experience and the latest titles (the highest level the first two name): the
    mean of the two where both say; either alone where one does."""
    named = [lv for lv in (title_level(t) for t in list(titles)[:2]) if lv is not None]
    by_title = max(named) if named else None
    by_years = years_level(years)
    if by_title is None:
        return by_years
    if by_years is None:
        return by_title
    return (by_title + by_years) / 2


def gaps(resume: float | None, posting: float | None) -> tuple[float, float, float]:
    """(how far the posting is above the person, how far below beyond the one step a person readily
    takes, whether both are known): the first in levels over three, the second in levels beyond one over
    two, each at most 1. A step down is a common move; a job two or three steps below a person's level
    is a poor fit, and any step up is a stretch."""
    if resume is None or posting is None:
        return 0.0, 0.0, 0.0
    return min(1.0, max(0.0, posting - resume) / 3), min(1.0, max(0.0, resume - posting - 1) / 2), 1.0
