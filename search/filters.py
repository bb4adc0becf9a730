"""Hard filters a seeker sets before ranking: location, work type, experience level, minimum pay."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When

from .models import JobPosting
from .ranking.features import STATES

log = logging.getLogger(__name__)

LOCATION_SCOPES = ("", "city", "region", "remote")
WORK_TYPES = ("Full-time", "Part-time", "Contract", "Temporary", "Internship", "Volunteer", "Other")
# Pay is compared per year; hourly pay counts 2,080 hours.
PER_YEAR = {"YEARLY": 1, "MONTHLY": 12, "BIWEEKLY": 26, "WEEKLY": 52, "HOURLY": 2080}


class FilterError(ValueError):
    """A filter the seeker set cannot be applied as given (the message says why)."""


@dataclass(frozen=True)
class Filters:
    location_scope: str = ""  # "" any, "city", "region" (state), "remote" only
    location: str = ""  # "Austin, TX": the city and region the scope refers to
    work_types: tuple[str, ...] = ()
    experience_levels: tuple[str, ...] = ()
    min_salary: float | None = None  # per year

    def __post_init__(self) -> None:
        if self.location_scope not in LOCATION_SCOPES:
            raise FilterError(f"location scope must be one of city, region, remote (got {self.location_scope!r})")
        if self.location_scope in {"city", "region"} and not city_region(self.location)[1]:
            raise FilterError(f"to filter by {self.location_scope}, give a location such as 'Austin, TX'")
        if self.min_salary is not None and self.min_salary < 0:
            raise FilterError("minimum salary cannot be negative")

    @property
    def active(self) -> bool:
        return bool(self.location_scope or self.work_types or self.experience_levels or self.min_salary)

    def as_dict(self) -> dict[str, Any]:
        return {
            "location_scope": self.location_scope,
            "location": self.location,
            "work_types": list(self.work_types),
            "experience_levels": list(self.experience_levels),
            "min_salary": self.min_salary,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Filters:
        data = data or {}
        return cls(
            location_scope=data.get("location_scope") or "",
            location=data.get("location") or "",
            work_types=tuple(data.get("work_types") or ()),
            experience_levels=tuple(data.get("experience_levels") or ()),
            min_salary=data.get("min_salary"),
        )

    @classmethod
    def saved(cls, data: dict[str, Any] | None, *, owner: str = "") -> Filters:
        """The filters saved with a resume; none (logged) when they no longer apply, as filters saved by an
        older version may not: ranking goes on without them."""
        try:
            return cls.from_dict(data)
        except (FilterError, TypeError, ValueError, AttributeError):
            log.warning("%s has filters that no longer apply; ranking without them", owner or "a resume")
            return cls()

    def apply(self, postings: QuerySet[JobPosting]) -> QuerySet[JobPosting]:
        if self.location_scope == "remote":
            postings = postings.filter(remote=True)
        elif self.location_scope in {"city", "region"}:
            city, region = city_region(self.location)
            names = [re.escape(n) for n in region_names(region)]
            # No \b: PostgreSQL's regex spells a word boundary differently from Python's (SQLite's).
            in_region = rf",\s*(?:{'|'.join(names)})(?:$|[^A-Za-z])"
            if self.location_scope == "city" and city:
                postings = postings.filter(location__iregex=rf"^\s*{re.escape(city)}{in_region}")
            else:
                postings = postings.filter(location__iregex=in_region)
        if self.work_types:
            postings = postings.filter(work_type__in=self.work_types)
        if self.experience_levels:
            postings = postings.filter(experience_level__in=self.experience_levels)
        if self.min_salary:
            factor = Case(
                *[When(salary_period__iexact=p, then=Value(float(n))) for p, n in PER_YEAR.items()],
                default=Value(1.0),
                output_field=FloatField(),
            )
            top = Case(
                When(salary_max__isnull=False, then=F("salary_max")),
                default=F("salary_min"),
                output_field=FloatField(),
            )
            postings = postings.annotate(_yearly_top=top * factor).filter(
                Q(_yearly_top__gte=self.min_salary) & Q(_yearly_top__isnull=False)
            )
        return postings


def yearly_pay(posting: JobPosting) -> float | None:
    """The most a posting pays in a year (hourly pay counts 2,080 hours); None when it says nothing."""
    top = posting.salary_max if posting.salary_max is not None else posting.salary_min
    if top is None:
        return None
    return float(top) * PER_YEAR.get(posting.salary_period.upper(), 1)


def city_region(text: str) -> tuple[str, str]:
    parts = [p.strip() for p in re.sub(r"\d+", " ", text).split(",") if p.strip()]
    if len(parts) >= 2:
        return parts[0], parts[1]
    return "", parts[0] if parts else ""


def region_names(region: str) -> list[str]:
    """Both spellings of a US state ("TX", "Texas"); other regions as given."""
    key = region.strip().lower()
    codes = {v: k for k, v in STATES.items()}
    if key in STATES:
        return [region.strip(), STATES[key].upper()]
    if key in codes:
        return [region.strip(), codes[key].title()]
    return [region.strip()]
