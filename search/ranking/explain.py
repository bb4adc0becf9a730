"""The reasons shown with a ranked pair: skills matched and missing, and what each feature said."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from .features import FEATURES, PostingSide, SeekerSide, SkillMatch
from .occupations import FAMILIES, family
from .seniority import LEVELS

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


# --- the reasons in words, for the cards people read -------------------------------------------------------

# Fit levels by the re-ranker's score, read off its judged pairs (`kept_at_score_by_grade` in
# search/artifacts/reranker/metrics.json): at 0.5 and above it keeps about two thirds of the good fits and
# under a tenth of the pairs that made no sense; at 0 and above, over three quarters of the good fits.
FIT_LEVELS = ((0.5, "Strong match"), (0.0, "Good match"))
WEAK_FIT = "Possible match"
# What each feature means, for "Why this job?".
FEATURE_WORDS = {
    "bm25": "the words you share",
    "vector": "how alike the two read",
    "fused_rank": "how high both searches found it",
    "domain": "its field against yours",
    "skills": "the skills it asks for that you have",
    "title": "its job title against yours",
    "seniority": "its level against your years",
    "location": "where it is",
    "recency": "how new it is",
    "occupation": "how close its occupation is to yours",
    "occupation_group": "how close its occupation group is to yours",
    "family": "how close its job family is to yours",
    "level_above": "whether it is a level above yours",
    "level_below": "whether it is a level below yours",
    "levels_known": "whether both levels are known",
}


def fit_level(score: float | None) -> str:
    if score is None:
        return WEAK_FIT
    return next((name for floor, name in FIT_LEVELS if score >= floor), WEAK_FIT)


def fit_percent(score: float | None) -> int:
    """The width of a card's fit bar in tenths (10 to 100; the stylesheet has a class for each): the "Good
    match" floor at 60, "Strong" at 80."""
    if score is None:
        return 10
    return int(max(1, min(10, round(6 + 4 * score)))) * 10


def level_name(level: Any) -> str:
    """The nearest of LinkedIn's levels to a level on its scale ("" when unknown)."""
    if level is None:
        return ""
    return LEVELS[min(len(LEVELS) - 1, max(0, round(float(level))))]


def _years(years: Any) -> str:
    y = float(years)
    return "less than a year" if y < 1 else f"{y:.0f} year{'s' if round(y) != 1 else ''}"


def _how_many(have: int, listed: int) -> str:
    if have == listed:
        return "both" if listed == 2 else "the one" if listed == 1 else f"all {listed}"
    return f"{have} of the {listed}"


def _skills_said(why: Mapping[str, Any]) -> tuple[int, int, str] | None:
    """How many of the skills a posting states the resume has, how many it states, the first three named;
    None when it states none."""
    matched, missing = list(why.get("matched_skills") or []), list(why.get("missing_skills") or [])
    if not matched and not missing:
        return None
    return len(matched), len(matched) + len(missing), ", ".join(matched[:3]) + ("…" if len(matched) > 3 else "")


def plain_reasons(why: Mapping[str, Any], *, occupation_name: Any = None) -> list[str]:
    """Two to four reasons a person would give, from a pair's reasons: skills, occupation, level, place.
    `occupation_name` turns an O*NET code into its title (the vocabulary lives outside the ranking core)."""
    out: list[str] = []
    skills = _skills_said(why)
    if skills is not None:
        have, listed, names = skills
        out.append(
            f"You have {_how_many(have, listed)} skills it lists: {names}"
            if have
            else f"It asks for {listed} skill{'s' if listed != 1 else ''} your resume does not name"
        )
    occupation = why.get("occupation") or {}
    name = occupation_name or (lambda code: "")
    mine, theirs = occupation.get("resume") or "", occupation.get("posting") or ""
    field = why.get("field") or {}
    if theirs and theirs == mine:
        out.append(f"Your occupation: {name(theirs) or 'the same as yours'}")
    elif field.get("posting") and field.get("posting") == field.get("resume"):
        out.append(f"In your field ({field['posting']})" + (f": {name(theirs)}" if name(theirs) else ""))
    elif field.get("posting"):
        out.append(
            f"Another field: {field['posting']}" + (f" (yours: {field['resume']})" if field.get("resume") else "")
        )
    seniority = why.get("seniority") or {}
    posting_level, resume_level = seniority.get("posting_level"), seniority.get("resume_level")
    years = seniority.get("years")
    if posting_level is not None:
        said = f"{level_name(posting_level)} role"
        if years is not None:
            said += f" — you have {_years(years)}"
        if resume_level is not None and round(float(posting_level)) > round(float(resume_level)):
            said += ", a step up"
        elif resume_level is not None and round(float(posting_level)) < round(float(resume_level)):
            said += ", below your level"
        out.append(said)
    location = why.get("location") or {}
    if location.get("remote"):
        out.append("Remote")
    elif location.get("posting"):
        same = (location.get("fit") or 0) >= 0.99 and location.get("resume")
        out.append(f"In {location['posting']}" + (", where you are" if same else ""))
    return out


def candidate_reasons(why: Mapping[str, Any], *, occupation_name: Any = None) -> list[str]:
    """The same reasons read by a recruiter about a candidate: skills, occupation, level, place."""
    out: list[str] = []
    skills = _skills_said(why)
    if skills is not None:
        have, listed, names = skills
        out.append(
            f"Has {_how_many(have, listed)} skills the posting lists: {names}"
            if have
            else f"Names none of the {listed} skill{'s' if listed != 1 else ''} the posting lists"
        )
    name = occupation_name or (lambda code: "")
    occupation, field = why.get("occupation") or {}, why.get("field") or {}
    mine, theirs = occupation.get("resume") or "", occupation.get("posting") or ""
    if theirs and theirs == mine:
        out.append(f"Works as {name(mine) or 'the posting’s occupation'}, the posting’s occupation")
    elif mine and field.get("resume") and field.get("resume") == field.get("posting"):
        out.append(f"Same field ({field['resume']})" + (f": {name(mine)}" if name(mine) else ""))
    elif field.get("resume"):
        out.append(
            f"Another field: {field['resume']}" + (f" (posting: {field['posting']})" if field.get("posting") else "")
        )
    seniority = why.get("seniority") or {}
    resume_level, posting_level, years = (
        seniority.get("resume_level"),
        seniority.get("posting_level"),
        seniority.get("years"),
    )
    if resume_level is not None or years is not None:
        said = f"{level_name(resume_level)} level" if resume_level is not None else "Level not known"
        if years is not None:
            said += f", {_years(years)}"
        if posting_level is not None:
            said += f" (posting: {level_name(posting_level)})"
        out.append(said)
    location = why.get("location") or {}
    if location.get("remote"):
        out.append("Remote role" + (f"; lives in {location['resume']}" if location.get("resume") else ""))
    elif location.get("resume"):
        same = (location.get("fit") or 0) >= 0.99
        out.append(f"In {location['resume']}" + (", the posting’s place" if same else ""))
    return out


def score_in_words(contributions: Mapping[str, float], *, shown: int = 4) -> dict[str, list[str]]:
    """What raised a pair's score and what lowered it, largest first, in words ("Why this job?")."""
    ranked = sorted(((share, name) for name, share in contributions.items() if abs(share) >= 0.03), reverse=True)
    raised = [FEATURE_WORDS.get(n, n) for share, n in ranked if share > 0][:shown]
    lowered = [FEATURE_WORDS.get(n, n) for share, n in reversed(ranked) if share < 0][:shown]
    return {"raised": raised, "lowered": lowered}
