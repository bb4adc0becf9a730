"""The public API, version 1 (django-ninja): open postings to list, filter and read, for careers pages,
university portals and aggregators. OpenAPI schema at /api/v1/openapi.json. Anonymous callers are limited
per IP (JOBMATCH_API_RATE). Resumes and results are not in it yet.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.paginator import InvalidPage
from django.http import HttpRequest
from django.urls import reverse
from ninja import NinjaAPI, Query, Schema
from ninja.errors import HttpError
from ninja.throttling import AnonRateThrottle

from search.filters import FilterError
from search.models import JobPosting
from search.postings.finder import PublicQuery, find
from search.postings.public import summary

api = NinjaAPI(
    title="JobMatch API",
    version="1",
    urls_namespace="api",
    docs_url=None,  # the interactive page loads scripts the content security policy refuses; the schema is served
    throttle=[AnonRateThrottle(settings.JOBMATCH_API_RATE)],
)
PAGE_SIZE = 20


class PostingOut(Schema):
    id: int
    url: str
    title: str
    company: str
    location: str
    remote: bool
    work_type: str
    experience_level: str
    salary_min: float | None
    salary_max: float | None
    salary_period: str
    salary_currency: str
    posted_at: dt.date | None
    listed_at: dt.datetime
    closes_at: dt.date | None
    job_functions: list[str]
    industries: list[str]
    skills: list[str]
    description: str
    apply_here: bool


class PostingPage(Schema):
    count: int
    page: int
    pages: int
    ranked: bool  # best match first (q was searched), else newest first
    notice: str  # why the results are plainer than usual, when they are
    results: list[PostingOut]


class PostingQuery(Schema):
    q: str = ""
    location: str = ""
    remote: bool = False
    work_type: list[str] = []
    level: list[str] = []
    min_pay: float | None = None
    page: int = 1


def _out(request: HttpRequest, p: JobPosting) -> PostingOut:
    return PostingOut(
        id=p.pk,
        url=request.build_absolute_uri(reverse("search:posting", args=[p.pk])),
        title=p.title,
        company=p.company,
        location=p.location,
        remote=p.remote,
        work_type=p.work_type,
        experience_level=p.experience_level,
        salary_min=p.salary_min,
        salary_max=p.salary_max,
        salary_period=p.salary_period,
        salary_currency=p.salary_currency,
        posted_at=p.posted_at,
        listed_at=p.created_at,
        closes_at=p.closes_at,
        job_functions=[str(x) for x in p.job_functions],
        industries=[str(x) for x in p.industries],
        skills=[str(x) for x in p.skills],
        description=summary(p),
        apply_here=bool(p.organisation_id),
    )


@api.get("/postings", response=PostingPage, summary="Search open postings")
def postings_list(request: HttpRequest, query: Query[PostingQuery]) -> PostingPage:
    """`q` is searched as the site's search page searches it (keywords and meaning, best match first; the
    word "remote" keeps remote postings); without `q`, newest first. `location` is matched as text; `remote`
    keeps remote postings; `work_type` and `level` take one or more values; `min_pay` is per year (hourly
    pay counts 2,080 hours). `ranked` says which order the page is in."""
    wanted = PublicQuery.typed(
        query.q,
        location=query.location,
        remote=query.remote,
        work_types=tuple(query.work_type),
        levels=tuple(query.level),
        min_pay=query.min_pay,
    )
    try:
        found = find(wanted, page=query.page, per_page=PAGE_SIZE)
    except FilterError as exc:
        raise HttpError(422, str(exc)) from None
    except InvalidPage:
        raise HttpError(404, f"page {query.page} does not exist") from None
    page = found.page
    return PostingPage(
        count=page.paginator.count,
        page=page.number,
        pages=page.paginator.num_pages,
        ranked=found.ranked,
        notice=found.notice,
        results=[_out(request, p) for p in page.object_list],
    )


@api.get("/postings/{posting_id}", response=PostingOut, summary="One open posting")
def postings_read(request: HttpRequest, posting_id: int) -> PostingOut:
    posting = JobPosting.objects.open().filter(pk=posting_id).first()
    if posting is None:
        raise HttpError(404, "This posting is closed or does not exist.")
    return _out(request, posting)
