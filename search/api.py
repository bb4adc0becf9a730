"""The API, version 1 (django-ninja), for careers pages, portals, aggregators and applicant tracking systems.

Open postings are public: search, list, read. The rest takes a token made on the account page
(`Authorization: Bearer jm_...`, jobmatch.api_tokens) and the scope it names: `match` (a resume's text, or a
file, to its ten postings), `resumes` (the caller's own resumes and their ten), `postings` (create, edit,
close the caller's organisation's postings), `candidates` (a posting's candidates, as the recruiter pages
show them). Who may touch what is decided by search.access, as for the pages. Anonymous callers are
limited per IP (JOBMATCH_API_RATE), tokens each (JOBMATCH_API_TOKEN_RATE). Schema: /api/v1/openapi.json;
docs page: /api/docs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from uuid import UUID

from django.conf import settings
from django.core.paginator import InvalidPage
from django.forms.models import model_to_dict
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, File, NinjaAPI, Query, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.responses import Status
from ninja.security import HttpBearer
from ninja.throttling import AnonRateThrottle, AuthRateThrottle

from jobmatch.api_tokens import STAFF_SCOPES, token_authenticate
from jobmatch.models import ApiToken
from resumes.models import Resume, profile_summary
from resumes.selectors import resumes_for_owner
from resumes.services import UploadRejected, resume_submit
from resumes.uploads import Throttled, upload_slot
from search import access
from search.filters import WORK_TYPES, FilterError
from search.forms import PostingForm
from search.models import JobPosting, Organisation
from search.postings.finder import PublicQuery, SearchUnavailable, ask_service, find
from search.postings.public import summary
from search.postings.services import POSTING_FORM_FIELDS, posting_set_open, posting_update
from search.ranking.features import EXPERIENCE_LEVELS
from search.selectors import candidates_for_posting, recommendations_for_resume


class TokenAuth(HttpBearer):
    """A token made on the account page; the request then acts as its user."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = token_authenticate(token)
        if found is not None:
            request.user = found.user
        return found


def needs(request: HttpRequest, *scopes: str) -> ApiToken:
    """The request's token, if it holds one of `scopes` (403 otherwise). A token for postings or candidates
    also needs its user's two-factor authentication, as the recruiter pages do."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    held = set(token.scopes) & set(scopes)
    if not held:
        raise HttpError(403, f"This token does not have the {' or '.join(scopes)} scope.")
    if held <= STAFF_SCOPES:
        from allauth.mfa.adapter import get_adapter as mfa_adapter

        if not mfa_adapter().is_mfa_enabled(token.user):
            raise HttpError(403, "Set up two-factor authentication on your account to use this token.")
    return token


api = NinjaAPI(
    title="JobMatch API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",  # Swagger UI from django-ninja's own static files (no CDN)
    throttle=[AnonRateThrottle(settings.JOBMATCH_API_RATE), AuthRateThrottle(settings.JOBMATCH_API_TOKEN_RATE)],
)
token_auth = TokenAuth()
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


class Problem(Schema):
    detail: Any  # what went wrong, in words (or, for a request the schema refuses, where)


# What every operation may answer besides its result: a refused request (422: its parameters or body do not
# fit the schema), too many requests (429), and for token operations a body that is not JSON (400), a missing
# or unknown token (401), a token without the scope (403), and something not found or not the caller's (404).
PUBLIC_ERRORS: dict[int, Any] = {404: Problem, 422: Problem, 429: Problem}
TOKEN_ERRORS: dict[int, Any] = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem, 429: Problem}


WorkType = Literal[WORK_TYPES]  # type: ignore[valid-type]
Level = Literal[EXPERIENCE_LEVELS]  # type: ignore[valid-type]


class PostingQuery(Schema):
    q: str = Field("", max_length=200)
    location: str = Field("", max_length=100)
    remote: bool = False
    work_type: list[WorkType] = []
    level: list[Level] = []
    min_pay: float | None = Field(None, ge=0, le=10_000_000)  # a year
    page: int = Field(1, ge=1, le=100_000)


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
        skills=[str(x) for x in p.stated_skills],
        description=summary(p),
        apply_here=bool(p.organisation_id),
    )


@api.get("/postings", response={200: PostingPage, **PUBLIC_ERRORS}, summary="Search open postings")
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


@api.get("/postings/{posting_id}", response={200: PostingOut, **PUBLIC_ERRORS}, summary="One open posting")
def postings_read(request: HttpRequest, posting_id: int) -> PostingOut:
    posting = JobPosting.objects.open().filter(pk=posting_id).first()
    if posting is None:
        raise HttpError(404, "This posting is closed or does not exist.")
    return _out(request, posting)


# --- postings of the caller's organisation (scope: postings) ------------------------------------


Period = Literal["", "YEARLY", "MONTHLY", "WEEKLY", "HOURLY"]
Money = Field(None, ge=0, le=100_000_000)


class PostingIn(Schema):
    """A posting as the recruiter pages' form takes it (and checks it: a maximum pay below the minimum, or an
    organisation that does not exist, is refused with 422)."""

    title: str = Field(..., min_length=1, max_length=200, pattern=r"\S")
    description: str = Field(..., min_length=1, max_length=100_000, pattern=r"\S")
    company: str = Field("", max_length=300)
    location: str = Field("", max_length=300)
    remote: bool = False
    work_type: Literal[("", *WORK_TYPES)] = ""  # type: ignore[valid-type]
    experience_level: Literal[("", *EXPERIENCE_LEVELS)] = ""  # type: ignore[valid-type]
    salary_min: float | None = Money
    salary_max: float | None = Money
    salary_period: Period = ""
    salary_currency: str = Field("", max_length=8)
    closes_at: dt.date | None = None
    organisation: int | None = None  # admins: whose posting it is


class PostingPatch(Schema):
    """Only the fields to change."""

    title: str | None = Field(None, min_length=1, max_length=200, pattern=r"\S")
    description: str | None = Field(None, min_length=1, max_length=100_000, pattern=r"\S")
    company: str | None = Field(None, max_length=300)
    location: str | None = Field(None, max_length=300)
    remote: bool | None = None
    work_type: Literal[("", *WORK_TYPES)] | None = None  # type: ignore[valid-type]
    experience_level: Literal[("", *EXPERIENCE_LEVELS)] | None = None  # type: ignore[valid-type]
    salary_min: float | None = Money
    salary_max: float | None = Money
    salary_period: Period | None = None
    salary_currency: str | None = Field(None, max_length=8)
    closes_at: dt.date | None = None


def _save_posting(request: HttpRequest, data: dict[str, Any], posting: JobPosting | None) -> JobPosting:
    """Validated as the recruiter pages' form validates it, saved by the same service."""
    admin = access.role_of(request.user) == access.ADMIN
    organisations = Organisation.objects.all() if admin else None
    form = PostingForm(
        data={k: v for k, v in data.items() if v is not None}, instance=posting, organisations=organisations
    )
    if not form.is_valid():
        raise HttpError(422, "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()))
    organisation = form.cleaned_data.get("organisation") if admin else access.organisation_of(request.user)
    if organisation is None and posting is None:
        raise HttpError(403, "Only an organisation's recruiters (or an admin naming the organisation) post jobs.")
    values = {name: form.cleaned_data[name] for name in POSTING_FORM_FIELDS if name in form.cleaned_data}
    return posting_update(by=request.user, organisation=organisation, values=values, posting=posting)


@api.post(
    "/postings",
    auth=token_auth,
    response={201: PostingOut, **TOKEN_ERRORS},
    summary="Create a posting for your organisation",
)
def postings_create(request: HttpRequest, payload: PostingIn) -> Status[PostingOut]:
    needs(request, "postings")
    if access.role_of(request.user) not in (access.RECRUITER, access.ADMIN):
        raise HttpError(403, "Only recruiters and admins post jobs.")
    posting = _save_posting(request, payload.dict(), None)
    return Status(201, _out(request, posting))


@api.patch(
    "/postings/{posting_id}",
    auth=token_auth,
    response={200: PostingOut, **TOKEN_ERRORS},
    summary="Edit one of your organisation's postings",
)
def postings_update(request: HttpRequest, posting_id: int, payload: PostingPatch) -> PostingOut:
    needs(request, "postings")
    posting = access.posting_managed_by(request.user, posting_id)
    current = model_to_dict(posting, fields=list(PostingIn.model_fields))
    current.update(payload.dict(exclude_unset=True))
    return _out(request, _save_posting(request, current, posting))


class Closed(Schema):
    id: int
    open: bool


def _set_open(request: HttpRequest, posting_id: int, open: bool) -> Closed:
    needs(request, "postings")
    posting = posting_set_open(posting=access.posting_managed_by(request.user, posting_id), open=open)
    return Closed(id=posting.pk, open=posting.is_open)


@api.post(
    "/postings/{posting_id}/close",
    auth=token_auth,
    response={200: Closed, **TOKEN_ERRORS},
    summary="Close one of your organisation's postings",
)
def postings_close(request: HttpRequest, posting_id: int) -> Closed:
    return _set_open(request, posting_id, open=False)


@api.post(
    "/postings/{posting_id}/reopen",
    auth=token_auth,
    response={200: Closed, **TOKEN_ERRORS},
    summary="Reopen one of your organisation's postings",
)
def postings_reopen(request: HttpRequest, posting_id: int) -> Closed:
    return _set_open(request, posting_id, open=True)


# --- candidates for a posting (scope: candidates) -------------------------------------------------


class CandidateOut(Schema):
    resume: UUID
    rank: int
    score: float
    applied: bool
    decision: str
    titles: list[str]
    skills: list[str]
    years_experience: float | None
    location: str | None
    url: str


class CandidateList(Schema):
    posting: int
    pending: bool  # a new ranking is on its way
    ranked_at: dt.datetime | None
    results: list[CandidateOut]


@api.get(
    "/postings/{posting_id}/candidates",
    auth=token_auth,
    response={200: CandidateList, **TOKEN_ERRORS},
    summary="The ranked candidates for one of your organisation's postings",
)
def candidates_list(request: HttpRequest, posting_id: int) -> CandidateList:
    """The resumes the recruiter pages show for the posting: discoverable ones and applicants, no contact
    details (open a candidate in the site for those)."""
    needs(request, "candidates")
    posting = access.posting_managed_by(request.user, posting_id)
    rows = candidates_for_posting(posting=posting)
    return CandidateList(
        posting=posting.pk,
        pending=posting.candidates_pending,
        ranked_at=posting.candidates_ranked_at,
        results=[
            CandidateOut(
                resume=row.resume.public_id,
                rank=row.rank,
                score=round(row.score, 4),
                applied=row.applied,  # type: ignore[attr-defined]
                decision=row.decision.status if row.decision else "",  # type: ignore[attr-defined]
                url=request.build_absolute_uri(reverse("recruit:candidate", args=[posting.pk, row.resume.public_id])),
                **profile_summary(row.resume.profile),
            )
            for row in rows
        ],
    )


# --- matching and the caller's resumes (scopes: match, resumes) -----------------------------------


class MatchIn(Schema):
    text: str = Field(..., min_length=1, max_length=30_000, pattern=r"\S")


class MatchItem(Schema):
    rank: int
    score: float
    posting: PostingOut
    matched_skills: list[str]
    missing_skills: list[str]
    why: dict[str, Any]


class MatchOut(Schema):
    results: list[MatchItem]
    profile: dict[str, Any]


class ResumeOut(Schema):
    id: UUID
    file_name: str
    status: str
    finished: bool
    failure_code: str
    failure_reason: str
    uploaded_at: dt.datetime
    processed_at: dt.datetime | None
    profile: dict[str, Any] | None
    status_url: str
    matches_url: str


def _match_item(request: HttpRequest, rank: int, score: float, posting: JobPosting, why: dict[str, Any]) -> MatchItem:
    return MatchItem(
        rank=rank,
        score=round(score, 4),
        posting=_out(request, posting),
        matched_skills=list(why.get("matched_skills") or []),
        missing_skills=list(why.get("missing_skills") or []),
        why=why,
    )


@api.post(
    "/match",
    auth=token_auth,
    response={200: MatchOut, 503: Problem, **TOKEN_ERRORS},
    summary="A resume's text to its ten postings, with the reasons",
)
def match_text(request: HttpRequest, payload: MatchIn) -> MatchOut:
    """The text is read as an upload is read and matched as the results page matches; nothing is stored.
    For a file, POST it to /match/file."""
    needs(request, "match")
    try:
        found = ask_service("/match", {"text": payload.text})
    except SearchUnavailable:
        raise HttpError(503, "The matching service is not answering just now. Try again in a minute.") from None
    except ValueError as exc:
        raise HttpError(400, str(exc)) from None
    postings = JobPosting.objects.open().in_bulk([item["posting_id"] for item in found["items"]])
    results = [
        _match_item(request, item["rank"], item["score"], postings[item["posting_id"]], item["why"])
        for item in found["items"]
        if item["posting_id"] in postings
    ]
    return MatchOut(results=results, profile=found.get("profile") or {})


def _resume_out(request: HttpRequest, r: Resume) -> ResumeOut:
    return ResumeOut(
        id=r.public_id,
        file_name=r.original_name,
        status=r.status,
        finished=r.is_finished,
        failure_code=r.failure_code,
        failure_reason=r.failure_reason,
        uploaded_at=r.created_at,
        processed_at=r.processed_at,
        profile=r.profile if r.status == Resume.Status.DONE else None,
        status_url=request.build_absolute_uri(reverse("api:resumes_read", args=[r.public_id])),
        matches_url=request.build_absolute_uri(reverse("api:resumes_matches", args=[r.public_id])),
    )


@api.post(
    "/match/file",
    auth=token_auth,
    response={202: ResumeOut, 413: Problem, 415: Problem, 507: Problem, **TOKEN_ERRORS},
    summary="Upload a resume file to be matched",
)
def match_file(request: HttpRequest, file: File[UploadedFile]) -> Status[ResumeOut]:
    """The file (PDF, DOCX or text) becomes one of your resumes, read and matched in the background:
    poll `status_url` until `finished`, then read `matches_url`. Same limits as the upload page."""
    needs(request, "match")
    try:
        with upload_slot(request.user.pk) as slot:
            resume = resume_submit(owner=request.user, upload=file)
            slot.spend()
    except Throttled as exc:
        raise HttpError(429, exc.message) from None
    except UploadRejected as exc:
        raise HttpError(
            {"too_large": 413, "unsupported_type": 415, "no_room": 507}.get(exc.code, 400), exc.message
        ) from None
    return Status(202, _resume_out(request, resume))


def _own_resume(request: HttpRequest, resume_id: UUID) -> Resume:
    resume = resumes_for_owner(owner=request.user).filter(public_id=resume_id).first()
    if resume is None:
        raise HttpError(404, "No such resume of yours.")
    return resume


@api.get("/resumes", auth=token_auth, response={200: list[ResumeOut], **TOKEN_ERRORS}, summary="Your resumes")
def resumes_list(request: HttpRequest) -> list[ResumeOut]:
    needs(request, "resumes", "match")
    return [_resume_out(request, r) for r in resumes_for_owner(owner=request.user)]


@api.get(
    "/resumes/{resume_id}",
    auth=token_auth,
    response={200: ResumeOut, **TOKEN_ERRORS},
    url_name="resumes_read",
    summary="One of your resumes: its status and profile",
)
def resumes_read(request: HttpRequest, resume_id: UUID) -> ResumeOut:
    needs(request, "resumes", "match")
    return _resume_out(request, _own_resume(request, resume_id))


@api.get(
    "/resumes/{resume_id}/matches",
    auth=token_auth,
    response={200: MatchOut, 409: Problem, **TOKEN_ERRORS},
    url_name="resumes_matches",
    summary="One of your resumes' ten postings, with the reasons",
)
def resumes_matches(request: HttpRequest, resume_id: UUID) -> MatchOut:
    needs(request, "resumes", "match")
    resume = _own_resume(request, resume_id)
    if resume.status != Resume.Status.DONE:
        raise HttpError(409, f"The resume is {resume.get_status_display().lower()}: its matches are not ready.")
    rows = recommendations_for_resume(resume=resume)
    results = [_match_item(request, r.rank, r.score, r.posting, r.why or {}) for r in rows]
    return MatchOut(results=results, profile=profile_summary(resume.profile))
