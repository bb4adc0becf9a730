"""What the re-ranker knows about one (resume, posting) pair: pure functions, no Django.

Every feature lies in [0, 1]. For the first twelve higher is a better match, and 0.5 means "not known"
for those whose input may be missing (years, experience level, location, posting date); the
occupation features are chances that the two sides name the same occupation (or group, or family) of
O*NET-SOC; the last three say how far the posting's level is above or below the person's, and whether
both are known.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt

from .occupations import agreements, level_masses
from .seniority import gaps
from .types import Candidate

FEATURES = (
    "bm25",
    "vector",
    "fused_rank",
    "domain",
    "skills",
    "title",
    "seniority",
    "location",
    "recency",
    "occupation",
    "occupation_group",
    "family",
    "level_above",
    "level_below",
    "levels_known",
)
UNKNOWN = 0.5


@dataclass
class SeekerSide:
    """The resume as ranking reads it (the features read the first five fields; the reasons all)."""

    domain_probs: npt.NDArray[np.float64] | None = None
    skills: frozenset[str] = frozenset()  # canonical names, lower case
    occupation_codes: tuple[str, ...] = ()
    years: float | None = None
    location: str = ""
    domain: str | None = None  # its likeliest domain, as the reasons name it
    titles: tuple[str, ...] = ()  # as resume understanding read them, latest first
    occupation_titles: tuple[str | None, ...] = ()
    occupations: Mapping[str, float] = field(default_factory=dict)  # O*NET-SOC placement (occupations.py)
    level: float | None = None  # on LinkedIn's scale (seniority.py)

    @cached_property
    def occupation_masses(self) -> tuple[dict[str, float], ...]:
        return level_masses(self.occupations)


@dataclass
class PostingSide:
    """The posting as ranking reads it (the features read the first seven fields; reasons and diversity
    the rest)."""

    domain_probs: npt.NDArray[np.float64] | None = None  # one-hot when the poster declared the domain
    skills: tuple[str, ...] = ()  # canonical names as indexed
    occupation_code: str = ""
    experience_level: str = ""
    location: str = ""
    remote: bool = False
    posted_at: dt.date | None = None
    domain: str = ""  # the domain shown: the declared one, else the likeliest
    occupation_title: str = ""
    employer: str = ""  # the employer's name, lower case: a seeker's list keeps few of one (diversity)
    occupations: Mapping[str, float] = field(default_factory=dict)  # O*NET-SOC placement (occupations.py)
    level: float | None = None  # on LinkedIn's scale (seniority.py)
    same_as: str = ""  # postings with the same key are one job to a reader (a repost): one is shown
    skills_inferred: frozenset[str] = frozenset()  # of `skills`, those the posting does not state

    @cached_property
    def occupation_masses(self) -> tuple[dict[str, float], ...]:
        return level_masses(self.occupations)


# LinkedIn's experience levels, junior to senior.
EXPERIENCE_LEVELS = ("Internship", "Entry level", "Associate", "Mid-Senior level", "Director", "Executive")


@dataclass
class SkillMatch:
    matched: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def domain_vector(
    classes: Sequence[str], declared: str, probs: Sequence[float] | None
) -> npt.NDArray[np.float64] | None:
    """A posting's domain distribution: one-hot on the declared domain, else the classifier's."""
    if declared and declared in classes:
        v = np.zeros(len(classes))
        v[list(classes).index(declared)] = 1.0
        return v
    if probs is not None and len(probs) == len(classes):
        return np.asarray(probs, dtype=np.float64)
    return None


def domain_agreement(seeker: npt.NDArray[np.float64] | None, posting: npt.NDArray[np.float64] | None) -> float:
    """The seeker's probability mass on the posting's domains, relative to the seeker's likeliest domain:
    1 when the posting sits in the domain the resume most likely belongs to."""
    if seeker is None or posting is None or not seeker.max():
        return UNKNOWN
    return float(min(1.0, (seeker @ posting) / seeker.max()))


def skill_match(seeker: frozenset[str], posting: Sequence[str]) -> SkillMatch:
    out = SkillMatch()
    for s in dict.fromkeys(posting):
        (out.matched if s.lower() in seeker else out.missing).append(s)
    return out


def skill_overlap(match: SkillMatch, idf: Mapping[str, float]) -> float:
    """Share of the posting's skills the seeker has, each weighted by how specific it is (its idf over
    postings): holding "Kubernetes" says more than holding "communication"."""
    weight = [idf.get(s.lower(), 1.0) for s in match.matched]
    total = sum(weight) + sum(idf.get(s.lower(), 1.0) for s in match.missing)
    return float(sum(weight) / total) if total else 0.0


def title_similarity(seeker_codes: Sequence[str], posting_code: str) -> float:
    """O*NET-SOC codes: the same occupation 1, the same broad group ("15-125") 0.75, minor group
    ("15-12") 0.5, major group ("15") 0.25."""
    if not posting_code or not seeker_codes:
        return 0.0
    best = 0.0
    for code in seeker_codes:
        if code == posting_code:
            return 1.0
        for prefix, score in ((6, 0.75), (5, 0.5), (2, 0.25)):
            if code[:prefix] == posting_code[:prefix]:
                best = max(best, score)
                break
    return best


# LinkedIn experience levels -> the years of experience they usually ask for (low, high).
LEVEL_YEARS: dict[str, tuple[float, float]] = {
    "internship": (0, 1),
    "entry level": (0, 3),
    "associate": (1, 6),
    "mid-senior level": (4, 20),
    "director": (8, 30),
    "executive": (10, 40),
}


def seniority_fit(years: float | None, level: str) -> float:
    """1 inside the level's usual years, falling by half for every three years outside them."""
    band = LEVEL_YEARS.get(level.strip().lower())
    if years is None or band is None:
        return UNKNOWN
    lo, hi = band
    gap = lo - years if years < lo else years - hi if years > hi else 0.0
    return float(0.5 ** (gap / 3))


_PLACE = re.compile(r"[^a-z ,]+")


def _place(text: str) -> tuple[str, str]:
    """("austin", "tx") from "Austin, TX" / "Austin, Texas 78701"; ("", "") when unreadable."""
    parts = [p.strip() for p in _PLACE.sub(" ", text.lower()).split(",") if p.strip()]
    if not parts:
        return "", ""
    city = parts[0] if len(parts) > 1 else ""
    region = parts[1] if len(parts) > 1 else parts[0]
    return city, STATES.get(region, region)


def location_fit(seeker: str, posting: str, remote: bool) -> float:
    """Same city 1, remote 1, same region 0.7, elsewhere 0; 0.5 when either side is unknown."""
    if remote:
        return 1.0
    (sc, sr), (pc, pr) = _place(seeker), _place(posting)
    if not sr or not pr or pr in {"united states", "us", "usa"}:
        return UNKNOWN
    if sc and sc == pc and sr == pr:
        return 1.0
    return 0.7 if sr == pr else 0.0


def recency(posted_at: dt.date | None, today: dt.date, half_life_days: float = 30.0) -> float:
    if posted_at is None:
        return UNKNOWN
    age = max(0, (today - posted_at).days)
    return float(0.5 ** (age / half_life_days))


def candidate_features(
    c: Candidate,
    seeker: SeekerSide,
    posting: PostingSide,
    *,
    skill_idf: Mapping[str, float],
    bm25_max: float,
    today: dt.date,
) -> tuple[npt.NDArray[np.float64], SkillMatch]:
    """The feature vector (in FEATURES order) and the skills behind the skills feature."""
    match = skill_match(seeker.skills, posting.skills)
    rank = min((r for r in (c.bm25_rank, c.vector_rank) if r is not None), default=None)
    values = [
        (c.bm25_score or 0.0) / bm25_max if bm25_max > 0 else 0.0,
        max(0.0, c.vector_score or 0.0),
        1.0 / math.log2(1 + rank) if rank else 0.0,
        domain_agreement(seeker.domain_probs, posting.domain_probs),
        skill_overlap(match, skill_idf),
        title_similarity(seeker.occupation_codes, posting.occupation_code),
        seniority_fit(seeker.years, posting.experience_level),
        location_fit(seeker.location, posting.location, posting.remote),
        recency(posting.posted_at, today),
        *agreements(seeker.occupation_masses, posting.occupation_masses),
        *gaps(seeker.level, posting.level),
    ]
    return np.asarray(values, dtype=np.float64), match


STATES = {
    "alabama": "al",
    "alaska": "ak",
    "arizona": "az",
    "arkansas": "ar",
    "california": "ca",
    "colorado": "co",
    "connecticut": "ct",
    "delaware": "de",
    "district of columbia": "dc",
    "florida": "fl",
    "georgia": "ga",
    "hawaii": "hi",
    "idaho": "id",
    "illinois": "il",
    "indiana": "in",
    "iowa": "ia",
    "kansas": "ks",
    "kentucky": "ky",
    "louisiana": "la",
    "maine": "me",
    "maryland": "md",
    "massachusetts": "ma",
    "michigan": "mi",
    "minnesota": "mn",
    "mississippi": "ms",
    "missouri": "mo",
    "montana": "mt",
    "nebraska": "ne",
    "nevada": "nv",
    "new hampshire": "nh",
    "new jersey": "nj",
    "new mexico": "nm",
    "new york": "ny",
    "north carolina": "nc",
    "north dakota": "nd",
    "ohio": "oh",
    "oklahoma": "ok",
    "oregon": "or",
    "pennsylvania": "pa",
    "rhode island": "ri",
    "south carolina": "sc",
    "south dakota": "sd",
    "tennessee": "tn",
    "texas": "tx",
    "utah": "ut",
    "vermont": "vt",
    "virginia": "va",
    "washington": "wa",
    "west virginia": "wv",
    "wisconsin": "wi",
    "wyoming": "wy",
}
