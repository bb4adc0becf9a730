"""What the public side says about a posting to machines: schema.org JobPosting (the structured data job
search engines read, Google for Jobs among them) and the sitemap. The feeds: search.postings.feeds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from search.models import JobPosting

EMPLOYMENT_TYPES = {
    "Full-time": "FULL_TIME",
    "Part-time": "PART_TIME",
    "Contract": "CONTRACTOR",
    "Temporary": "TEMPORARY",
    "Internship": "INTERN",
    "Volunteer": "VOLUNTEER",
    "Other": "OTHER",
}
SALARY_UNITS = {
    "HOURLY": "HOUR",
    "DAILY": "DAY",
    "WEEKLY": "WEEK",
    "BIWEEKLY": "WEEK",
    "MONTHLY": "MONTH",
    "YEARLY": "YEAR",
}
# Google for Jobs: https://developers.google.com/search/docs/appearance/structured-data/job-posting
REQUIRED = ("title", "description", "datePosted", "hiringOrganization")


def summary(posting: JobPosting) -> str:
    """The posting's own text, or for a data set that carries none, what it does carry, in words."""
    if posting.description.strip():
        return posting.description
    parts = [f"{posting.title}" + (f" at {posting.company}" if posting.company else "") + "."]
    where = ", ".join(p for p in (posting.location, "remote" if posting.remote else "") if p)
    if where:
        parts.append(f"Location: {where}.")
    kind = ", ".join(p for p in (posting.work_type, posting.experience_level) if p)
    if kind:
        parts.append(f"{kind}.")
    if posting.stated_skills:
        parts.append("Skills: " + ", ".join(str(s) for s in posting.stated_skills[:15]) + ".")
    if posting.job_functions:
        parts.append("Job functions: " + ", ".join(posting.job_functions) + ".")
    if posting.industries:
        parts.append("Industries: " + ", ".join(posting.industries) + ".")
    return " ".join(parts)


def _address(location: str) -> dict[str, Any]:
    """A location ("City, ST", "City, Region, Country" or "Country") as a schema.org PostalAddress."""
    parts = [p.strip() for p in location.split(",") if p.strip()]
    address: dict[str, Any] = {"@type": "PostalAddress"}
    if len(parts) == 1:
        address[
            "addressCountry" if parts[0] in {"United States", "United Kingdom", "Canada"} else "addressLocality"
        ] = parts[0]
    elif parts:
        address["addressLocality"], address["addressRegion"] = parts[0], parts[1]
        if len(parts) > 2:
            address["addressCountry"] = parts[-1]
    return address


def job_posting_schema(posting: JobPosting, url: str) -> dict[str, Any]:
    """schema.org JobPosting for one open posting, with every field Google requires and those it
    recommends that the posting carries."""
    posted = posting.posted_at or posting.created_at.date()
    organisation = posting.organisation.name if posting.organisation_id else ""
    employer = posting.company or organisation or "Employer not named"
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": posting.title,
        "description": summary(posting),
        "datePosted": posted.isoformat(),
        "hiringOrganization": {"@type": "Organization", "name": employer},
        "identifier": {"@type": "PropertyValue", "name": posting.source, "value": posting.external_id},
        "url": url,
        "directApply": bool(posting.organisation_id),  # applied to on this site
    }
    if posting.location:
        data["jobLocation"] = {"@type": "Place", "address": _address(posting.location)}
    if posting.remote:
        data["jobLocationType"] = "TELECOMMUTE"
        data["applicantLocationRequirements"] = {"@type": "Country", "name": posting.location or "United States"}
    if posting.closes_at:
        data["validThrough"] = dt.datetime.combine(posting.closes_at, dt.time(23, 59)).isoformat()
    if posting.work_type in EMPLOYMENT_TYPES:
        data["employmentType"] = EMPLOYMENT_TYPES[posting.work_type]
    lo, hi = posting.salary_min, posting.salary_max
    if lo is not None or hi is not None:
        value: dict[str, Any] = {
            "@type": "QuantitativeValue",
            "unitText": SALARY_UNITS.get(posting.salary_period, "YEAR"),
        }
        if lo is not None and hi is not None and lo != hi:
            value.update(minValue=lo, maxValue=hi)
        else:
            value["value"] = lo if lo is not None else hi
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": posting.salary_currency or "USD", "value": value}
    if posting.experience_level:
        data["experienceRequirements"] = posting.experience_level
    if posting.industries:
        data["industry"] = ", ".join(posting.industries)
    if posting.occupation_code:
        data["occupationalCategory"] = f"{posting.occupation_code} {posting.occupation_title}".strip()
    if posting.stated_skills:
        data["skills"] = ", ".join(str(s) for s in posting.stated_skills)
    return data


class PostingSitemap(Sitemap):
    """Every open posting's public page (Django splits the list into pages of 50,000 under one index)."""

    changefreq = "daily"
    protocol = None  # the request's

    def items(self) -> QuerySet[JobPosting]:
        return JobPosting.objects.open().order_by("pk").only("pk", "updated_at")

    def location(self, item: JobPosting) -> str:
        return reverse("search:posting", args=[item.pk])

    def lastmod(self, item: JobPosting) -> dt.datetime:
        return item.updated_at
