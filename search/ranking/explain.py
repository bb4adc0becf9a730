"""The reasons shown with a ranked pair: skills matched and missing, and what each feature said."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .features import FEATURES, PostingSide, SeekerSide, SkillMatch

SKILLS_SHOWN = 15


def contribution_shares(contributions: npt.NDArray[np.float64]) -> dict[str, float]:
    """Each feature's share of one score, signed, shares of absolute size summing to 1."""
    total = float(np.abs(contributions).sum())
    if not total:
        return dict.fromkeys(FEATURES, 0.0)
    return {name: round(float(v) / total, 4) for name, v in zip(FEATURES, contributions, strict=True)}


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
    why: dict[str, Any] = {
        "matched_skills": match.matched[:SKILLS_SHOWN],
        "missing_skills": match.missing[:SKILLS_SHOWN],
        "domain": {"resume": seeker.domain, "posting": posting.domain, "agreement": f["domain"]},
        "title": {"posting_occupation": posting.occupation_title, "match": f["title"]},
        "seniority": {"years": seeker.years, "level": posting.experience_level, "fit": f["seniority"]},
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
