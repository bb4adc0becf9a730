"""A resume as ranking reads it: its query text and its side of every pair, from the stored profile."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from .features import SeekerSide
from .seniority import resume_level


def query_text(*, text: str, profile: Mapping[str, Any] | None) -> str:
    """A resume as retrieval reads it: its text plus the profile's canonical skills and titles,
    so a corrected profile changes what is found and synonyms meet the postings' wording."""
    profile = profile or {}
    terms = [s.get("canonical") or s.get("name") or "" for s in profile.get("skills") or []]
    terms += profile.get("titles") or []
    terms += [o.get("title", "") for o in profile.get("occupations") or []]
    extra = "\n".join(dict.fromkeys(t for t in terms if t))
    return f"{text}\n{extra}" if extra else text


def seeker_side(
    profile: Mapping[str, Any] | None,
    domain_probs: npt.NDArray[np.float64] | None,
    *,
    domain: str | None = None,
    occupations: Mapping[str, float] | None = None,
) -> SeekerSide:
    """The resume's side of its pairs: what its profile says, the domain classifier's probabilities
    (`domain`: its likeliest domain as the reasons name it) and its O*NET-SOC placement."""
    profile = profile or {}
    titles = profile.get("titles") or []
    return SeekerSide(
        domain_probs=domain_probs,
        skills=frozenset((s.get("canonical") or s.get("name") or "").lower() for s in profile.get("skills") or [] if s),
        occupation_codes=tuple(o["code"] for o in profile.get("occupations") or [] if o.get("code")),
        years=profile.get("years_experience"),
        location=profile.get("location") or "",
        domain=domain,
        titles=tuple(titles[:3]),
        occupation_titles=tuple(o.get("title") for o in profile.get("occupations") or [])[:2],
        occupations=dict(occupations or {}),
        level=resume_level(profile.get("years_experience"), titles),
    )


def named_occupations(profile: Mapping[str, Any] | None) -> list[str]:
    """The O*NET-SOC codes the profile's titles name exactly, in the order of the titles."""
    return [o["code"] for o in (profile or {}).get("occupations") or [] if o.get("code")]
