"""The reasons shown with a ranked pair: skills matched and missing, and what each feature said."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from .features import FEATURES, PostingSide, SeekerSide, SkillMatch
from .occupations import FAMILIES, family

SKILLS_SHOWN = 15


def contribution_shares(contributions: npt.NDArray[np.float64]) -> dict[str, float]:
    """Each feature's share of one score, signed, shares of absolute size summing to 1."""
    total = float(np.abs(contributions).sum())
    if not total:
        return dict.fromkeys(FEATURES, 0.0)
    return {name: round(float(v) / total, 4) for name, v in zip(FEATURES, contributions, strict=True)}


def likeliest(placement: Mapping[str, float]) -> str:
    """The likeliest occupation's code, or "" for an empty placement."""
    return max(placement, key=lambda c: placement[c]) if placement else ""


def reasons(
    seeker: SeekerSide,
    posting: PostingSide,
    x: npt.NDArray[np.float64],
    match: SkillMatch,
    contributions: npt.NDArray[np.float64],
    *,
    resume_titles: bool = False,
) -> dict[str, Any]:
    """Why this posting and this resume were matched. `resume_titles`: name the resume's titles and
    occupations too (a recruiter reads the reasons about someone else's resume)."""
    f = dict(zip(FEATURES, (round(float(v), 4) for v in x), strict=True))
    inferred = posting.skills_inferred
    field_r, field_p = family(seeker.occupations)[0], family(posting.occupations)[0]
    why: dict[str, Any] = {
        # What the posting states; its occupation's usual tools (never stated by the employer) apart.
        "matched_skills": [s for s in match.matched if s not in inferred][:SKILLS_SHOWN],
        "missing_skills": [s for s in match.missing if s not in inferred][:SKILLS_SHOWN],
        "usual_skills": [s for s in match.matched if s in inferred][:SKILLS_SHOWN],
        "domain": {"resume": seeker.domain, "posting": posting.domain, "agreement": f["domain"]},
        "field": {"resume": FAMILIES.get(field_r, ""), "posting": FAMILIES.get(field_p, ""), "agreement": f["family"]},
        "occupation": {
            "resume": likeliest(seeker.occupations),
            "posting": likeliest(posting.occupations),
            "agreement": f["occupation"],
        },
        "title": {"posting_occupation": posting.occupation_title, "match": f["title"]},
        "seniority": {
            "years": seeker.years,
            "level": posting.experience_level,
            "fit": f["seniority"],
            "resume_level": seeker.level,
            "posting_level": posting.level,
        },
        "location": {
            "resume": seeker.location,
            "posting": posting.location,
            "remote": posting.remote,
            "fit": f["location"],
        },
        "features": f,
        "contributions": contribution_shares(contributions),
    }
    if resume_titles:
        why["title"]["resume_titles"] = list(seeker.titles)
        why["title"]["resume_occupations"] = list(seeker.occupation_titles)
    return why
