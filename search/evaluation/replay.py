"""Replaying real job-board views (../shared/data/job-recommendation-case-study) against the ranking.

The case study holds 12,370 views of 7,047 jobs by 3,448 applicants (2014-15), the applicants' work
history and the positions they said they want, but no applications and no text for most jobs. What it
can test is the part of personalisation that needs no labels beyond interest: does leaning towards
what a seeker already looked at (`Personal.liked`: look-alikes move up and the vector search moves
towards them) bring the jobs they looked at next into their top ten?

The viewed jobs become postings (title, company, city and state, industry where given). For every
applicant with at least `min_views` distinct viewed jobs and a work history or wanted positions, the
resume is that history as text; the jobs are put in the order the applicant first viewed them, the
first half is the history and the rest the future. Both rankings leave the history out; the
personalised one also treats it as liked. Hits are future jobs in the top ten.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from search.matching.seekers import jobs_for_text
from search.postings.importers import PostingRecord
from search.ranking.personalise import Personal
from search.ranking.sides import query_text

SOURCE = "case-study"
VIEWS, EXPERIENCE, INTERESTS = "job_views.csv.gz", "applicant_experience.csv.gz", "positions_of_interest.csv.gz"


class ReplayDataError(ValueError):
    """The case-study folder is missing a file or a column the replay needs."""


def _rows(folder: Path, name: str, needed: set[str]) -> Iterator[dict[str, str]]:
    path = folder / name
    if not path.exists():
        raise ReplayDataError(f"{path} not found")
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = needed - set(reader.fieldnames or [])
        if missing:
            raise ReplayDataError(f"{path} lacks the column(s) {', '.join(sorted(missing))}")
        yield from reader


@dataclass
class Applicant:
    id: str
    text: str
    jobs: list[str]  # distinct job ids in the order first viewed

    @property
    def split(self) -> tuple[list[str], list[str]]:
        half = len(self.jobs) // 2
        return self.jobs[:half], self.jobs[half:]


def viewed_jobs(folder: Path) -> list[PostingRecord]:
    """One posting per viewed job, from the first view that names it."""
    out: dict[str, PostingRecord] = {}
    need = {"Job.ID", "Position", "Title", "Company", "City", "State.Code", "Industry", "View.Start"}
    for n, row in enumerate(_rows(folder, VIEWS, need), start=2):
        job = row["Job.ID"].strip()
        title = (row["Position"] or row["Title"].split(" @ ")[0]).strip()
        if not job or not title or job in out:
            continue
        city, state = row["City"].strip(), row["State.Code"].strip()
        out[job] = PostingRecord(
            source=SOURCE,
            external_id=job,
            title=title[:200],
            company=row["Company"].strip()[:300],
            location=", ".join(p for p in (city, state) if p),
            industries=[row["Industry"].strip()] if row["Industry"].strip() else [],
            posted_at=_day(row["View.Start"]),
            line=n,
        )
    return list(out.values())


def _day(stamp: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(stamp.strip()[:10])
    except ValueError:
        return None


def applicants(folder: Path, min_views: int) -> list[Applicant]:
    """Applicants with at least `min_views` distinct viewed jobs and something to read as a resume."""
    first_seen: dict[str, dict[str, str]] = defaultdict(dict)
    for row in _rows(folder, VIEWS, {"Applicant.ID", "Job.ID", "View.Start"}):
        seen = first_seen[row["Applicant.ID"]]
        job, at = row["Job.ID"].strip(), row["View.Start"]
        if job and (job not in seen or at < seen[job]):
            seen[job] = at
    lines: dict[str, list[str]] = defaultdict(list)
    need = {"Applicant.ID", "Position.Name", "Employer.Name", "City", "State.Code", "Job.Description"}
    for row in _rows(folder, EXPERIENCE, need):
        head = " at ".join(p for p in (row["Position.Name"].strip(), row["Employer.Name"].strip()) if p)
        place = ", ".join(p for p in (row["City"].strip(), row["State.Code"].strip()) if p)
        lines[row["Applicant.ID"]] += [p for p in (f"{head}, {place}" if place else head, row["Job.Description"]) if p]
    wanted: dict[str, list[str]] = defaultdict(list)
    for row in _rows(folder, INTERESTS, {"Applicant.ID", "Position.Of.Interest"}):
        if row["Position.Of.Interest"].strip():
            wanted[row["Applicant.ID"]].append(row["Position.Of.Interest"].strip())
    out = []
    for aid, seen in sorted(first_seen.items()):
        if len(seen) < min_views or not (lines[aid] or wanted[aid]):
            continue
        text = "\n".join(
            ["Experience", *lines[aid]] + (["Positions of interest", ", ".join(wanted[aid])] if wanted[aid] else [])
        )
        out.append(Applicant(aid, text, sorted(seen, key=lambda j: (seen[j], j))))
    return out


@dataclass
class ReplayResult:
    applicants: int = 0
    future_jobs: int = 0
    hits: dict[str, int] = field(default_factory=lambda: {"baseline": 0, "personalised": 0})
    seekers_hit: dict[str, int] = field(default_factory=lambda: {"baseline": 0, "personalised": 0})

    def as_dict(self) -> dict[str, Any]:
        n, f = max(self.applicants, 1), max(self.future_jobs, 1)
        return {
            "applicants": self.applicants,
            "future_jobs": self.future_jobs,
            **{f"recall10_{k}": round(v / f, 4) for k, v in self.hits.items()},
            **{f"hit_rate10_{k}": round(v / n, 4) for k, v in self.seekers_hit.items()},
        }


def replay(
    people: list[Applicant],
    posting_ids: dict[str, int],
    *,
    profile_of: Callable[[str], dict[str, Any] | None],
    on_progress: Callable[[int, int], None] | None = None,
) -> ReplayResult:
    result = ReplayResult()
    for n, person in enumerate(people, start=1):
        history, future = ([posting_ids[j] for j in part if j in posting_ids] for part in person.split)
        if not history or not future:
            continue
        profile = profile_of(person.text)
        text = query_text(text=person.text, profile=profile)
        result.applicants += 1
        result.future_jobs += len(future)
        for name, personal in (
            ("baseline", Personal(excluded=frozenset(history))),
            ("personalised", Personal(excluded=frozenset(history), liked=tuple(reversed(history)))),
        ):
            shown = {i.posting.pk for i in jobs_for_text(text=text, profile=profile, personal=personal).items}
            got = len(shown & set(future))
            result.hits[name] += got
            result.seekers_hit[name] += got > 0
        if on_progress is not None:
            on_progress(n, len(people))
    return result
