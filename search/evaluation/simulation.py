"""Simulated seekers for evaluating feedback: hidden preferences decide what they do with what they see.

Each simulated seeker is a labelled resume (its category is the domain it wants) with hidden
preferences the ranking cannot read from the resume: a region (US state), a band of two adjacent
experience levels, and a disliked skill. A posting is *right* for the seeker when its domain is the
seeker's, it is in that region or remote, its level is in the band (or not stated) and it does not ask
for the disliked skill. The seeker's profile carries a city in that region, as a real seeker's would.

Per round, every seeker sees two top tens: the non-personalised ranking (the global re-ranker, no
feedback) and the personalised one (feedback rules, their filters, look-alikes of what they saved or
applied to, the GLMix corrections). P@10 of each is the share of right postings. Neither list shows
a posting the seeker has already applied to: any job board hides those, and a baseline that kept
showing them would be credited, round after round, with right postings the seeker is done with
(the personalised list would lose them instead). The seeker then acts on the personalised ten, as
people do: a right posting is opened and then applied to or saved; a wrong one is, with probability
DISMISS_RATE, dismissed with the reason it is wrong for (the first that applies: domain -> not
relevant, region -> wrong location, level -> too junior / too senior, disliked skill -> not
relevant), else left alone. Between rounds the personalised re-ranker is retrained (the nightly job,
with its deployment gate).
"""

from __future__ import annotations

import logging
import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.db import transaction

from resumes.models import Resume
from search.feedback import (
    applied_postings,
    bookmark_save,
    impressions_record,
    personal_for,
    posting_applied,
    posting_dismiss,
    posting_open_record,
)
from search.filters import Filters
from search.learning import personal_train
from search.matching.seekers import jobs_for_text
from search.models import DismissReason, JobPosting
from search.ranking.features import EXPERIENCE_LEVELS, STATES
from search.ranking.personalise import Personal
from search.ranking.sides import query_text

from .datasets import LabelledResume

log = logging.getLogger(__name__)

DISMISS_RATE = 0.7
APPLY_RATE = 0.5  # of right postings: applied to, else saved
USER_PREFIX = "sim-seeker-"
MIN_RIGHT = 20  # a seeker's hidden preference must leave at least this many right postings


def region_of(location: str) -> str:
    """ "TX" from "Austin, TX" (the state, as a two-letter code where known); "" when unreadable."""
    parts = [p.strip() for p in location.split(",") if p.strip()]
    if len(parts) < 2:
        return ""
    region = re.sub(r"[^a-z ]+", " ", parts[1].lower()).strip()
    code = STATES.get(region, region)
    return code.upper() if len(code) == 2 else ""


@dataclass(frozen=True)
class Preference:
    domain: str
    region: str
    city: str
    levels: tuple[int, int]  # indexes into EXPERIENCE_LEVELS, inclusive
    disliked: str  # a canonical skill

    def wrong_for(self, p: JobPosting) -> str | None:
        """Why a posting is wrong for this seeker (a dismissal reason), or None when it is right."""
        if p.domain != self.domain:
            return DismissReason.NOT_RELEVANT
        if not p.remote and region_of(p.location) != self.region:
            return DismissReason.WRONG_LOCATION
        if p.experience_level in EXPERIENCE_LEVELS:
            i = EXPERIENCE_LEVELS.index(p.experience_level)
            if i < self.levels[0]:
                return DismissReason.TOO_JUNIOR
            if i > self.levels[1]:
                return DismissReason.TOO_SENIOR
        if self.disliked and self.disliked in (p.skills or []):
            return DismissReason.NOT_RELEVANT
        return None


@dataclass
class SimSeeker:
    resume: Resume
    text: str
    query_vec: np.ndarray
    preference: Preference


@dataclass
class RoundResult:
    round: int
    p10_personalised: float
    p10_baseline: float
    actions: Counter[str] = field(default_factory=Counter)
    model: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "p10_personalised": round(self.p10_personalised, 4),
            "p10_baseline": round(self.p10_baseline, 4),
            "actions": dict(self.actions),
            "model": self.model,
        }


def preferences_for(
    resumes: Sequence[LabelledResume], n: int, rng: random.Random, min_right: int = MIN_RIGHT
) -> list[tuple[LabelledResume, Preference]]:
    """Up to n seekers whose hidden preference leaves at least `min_right` right postings."""
    by_domain: dict[str, list[tuple[str, str, str, list[str]]]] = {}
    for domain, location, level, skills in JobPosting.objects.open().values_list(
        "domain", "location", "experience_level", "skills"
    ):
        by_domain.setdefault(domain, []).append((location, region_of(location), level, skills or []))
    out: list[tuple[LabelledResume, Preference]] = []
    pool = list(resumes)
    rng.shuffle(pool)
    for r in pool:
        rows = by_domain.get(r.category, [])
        regions = Counter(region for _, region, _, _ in rows if region)
        feasible = [reg for reg, count in regions.most_common() if count >= min_right]
        if not feasible:
            continue
        region = rng.choice(feasible[:5])
        in_region = [row for row in rows if row[1] == region]
        city = Counter(loc.split(",")[0].strip() for loc, _, _, _ in in_region).most_common(1)[0][0]
        levels = Counter(EXPERIENCE_LEVELS.index(lv) for _, _, lv, _ in in_region if lv in EXPERIENCE_LEVELS)
        top = levels.most_common(1)[0][0] if levels else 3
        band = (top, min(top + 1, len(EXPERIENCE_LEVELS) - 1)) if rng.random() < 0.5 else (max(top - 1, 0), top)
        skills = Counter(s for _, _, _, sk in in_region for s in sk).most_common(12)
        disliked = rng.choice(skills[6:])[0] if len(skills) > 6 else ""
        pref = Preference(r.category, region, city, band, disliked)
        right = sum(
            1
            for loc, reg, lv, sk in rows
            if reg == region
            and (lv not in EXPERIENCE_LEVELS or band[0] <= EXPERIENCE_LEVELS.index(lv) <= band[1])
            and disliked not in sk
        )
        if right >= min_right:
            out.append((r, pref))
        if len(out) == n:
            break
    return out


def seekers_create(
    chosen: Sequence[tuple[LabelledResume, Preference]],
    profiles: Sequence[dict[str, Any]],
    vecs: np.ndarray,
    tag: str,
) -> list[SimSeeker]:
    User = get_user_model()
    out = []
    with transaction.atomic():
        for n, ((r, pref), profile, vec) in enumerate(zip(chosen, profiles, vecs, strict=True)):
            user = User.objects.create(username=f"{USER_PREFIX}{tag}-{n}", email=f"sim{n}@example.org")
            profile = {**profile, "location": f"{pref.city}, {pref.region}"}
            resume = Resume.objects.create(
                owner=user,
                original_name=f"{r.id}.txt",
                stored_name=f"sim{tag}{n:020d}",
                content_type="text/plain",
                size=len(r.text),
                sha256="0" * 64,
                status=Resume.Status.DONE,
                text=r.text,
                profile=profile,
            )
            out.append(SimSeeker(resume, r.text, vec, pref))
    return out


def seekers_delete(tag: str) -> None:
    get_user_model().objects.filter(username__startswith=f"{USER_PREFIX}{tag}-").delete()


def share_right(items: Sequence[Any], pref: Preference) -> float:
    return sum(pref.wrong_for(i.posting) is None for i in items) / 10


def simulate(
    seekers: Sequence[SimSeeker],
    *,
    rounds: int,
    rng: random.Random,
    on_round: Callable[[RoundResult], None] | None = None,
) -> list[RoundResult]:
    results = []
    for number in range(1, rounds + 1):
        base_p, pers_p, actions = [], [], Counter[str]()
        for s in seekers:
            s.resume.refresh_from_db(fields=["filters"])
            text = query_text(text=s.text, profile=s.resume.profile)
            plain = jobs_for_text(
                text=text,
                profile=s.resume.profile,
                personal=Personal(excluded=applied_postings(s.resume)),
                query_vec=s.query_vec,
            )
            filters = Filters.saved(s.resume.filters)
            mine = jobs_for_text(
                text=text,
                profile=s.resume.profile,
                filters=filters,
                personal=personal_for(s.resume),
                query_vec=s.query_vec,
            )
            base_p.append(share_right(plain.items, s.preference))
            pers_p.append(share_right(mine.items, s.preference))
            impressions_record(
                resume=s.resume,
                shown=[(i.posting.pk, n) for n, i in enumerate(mine.items, start=1)],
                features={i.posting.pk: i.features for i in mine.items},
            )
            for n, item in enumerate(mine.items, start=1):
                reason = s.preference.wrong_for(item.posting)
                if reason is None:
                    posting_open_record(resume=s.resume, posting=item.posting, position=n)
                    if rng.random() < APPLY_RATE:
                        posting_applied(resume=s.resume, posting=item.posting, position=n, refresh=False)
                        actions["apply"] += 1
                    else:
                        bookmark_save(resume=s.resume, posting=item.posting, position=n)
                        actions["save"] += 1
                elif rng.random() < DISMISS_RATE:
                    posting_dismiss(resume=s.resume, posting=item.posting, reason=reason, position=n, refresh=False)
                    actions[f"dismiss:{reason}"] += 1
        report = personal_train()  # the nightly retraining, gate included
        result = RoundResult(
            number,
            float(np.mean(pers_p)) if pers_p else 0.0,
            float(np.mean(base_p)) if base_p else 0.0,
            actions,
            report.version if report.deployed else f"kept ({report.reason})",
        )
        results.append(result)
        if on_round is not None:
            on_round(result)
    return results
