"""Public search (web side): the open postings for what a visitor typed and the filters they set, for the
home page, the feeds and the API. Words are searched by the matching worker's search service (BM25 and
vectors, fused: search.matching.service); the web process loads no index and no model. When the service
does not answer, the words are matched in titles and employers instead, and the page says so."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import F, Q, QuerySet

from search.filters import Filters
from search.models import JobPosting

log = logging.getLogger(__name__)
PAGE_SIZE = 20
CACHE_SECONDS = 60  # the next page of a search reads the same ids
FALLBACK = "Matching words in titles and employers only: the full search is not answering just now."
REMOTE_WORD = re.compile(r"(?i)(?<!\w)(remote|work from home|wfh)(?!\w)")


class SearchUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class PublicQuery:
    q: str = ""
    location: str = ""
    remote: bool = False
    work_types: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    min_pay: float | None = None  # per year

    @classmethod
    def typed(cls, q: str = "", **rest: Any) -> PublicQuery:
        """As a person types it: "nurse remote" searches "nurse" among remote postings."""
        q = " ".join(q.split())[:200]
        remote = bool(rest.pop("remote", False)) or bool(REMOTE_WORD.search(q))
        words = " ".join(REMOTE_WORD.sub(" ", q).split())
        return cls(q=words, remote=remote, **{k: v for k, v in rest.items() if v not in (None, "", ())})

    def filters(self) -> Filters:
        """The hard filters (FilterError when one cannot apply)."""
        return Filters(
            location_scope="remote" if self.remote else "",
            work_types=self.work_types,
            experience_levels=self.levels,
            min_salary=self.min_pay,
        )

    @property
    def active(self) -> bool:
        return bool(self.q or self.location or self.filters().active)


@dataclass
class Results:
    page: Page[Any]
    query: PublicQuery
    notice: str = ""  # why the results are fewer or plainer than usual
    capped: bool = False  # more postings match than were read
    ranked: bool = False  # best first (the words were searched), else newest first
    timings: dict[str, float] = field(default_factory=dict)


def newest_first(postings: QuerySet[JobPosting]) -> QuerySet[JobPosting]:
    return postings.order_by(F("posted_at").desc(nulls_last=True), "-created_at", "-pk")


def _narrowed(query: PublicQuery) -> QuerySet[JobPosting]:
    postings = query.filters().apply(JobPosting.objects.open())
    if query.location.strip():
        postings = postings.filter(location__icontains=query.location.strip()[:100])
    return postings


def ask_service(path: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST to the matching worker's search service; SearchUnavailable when it does not answer or fails,
    ValueError (its message) when it refuses the request."""
    request = urllib.request.Request(
        settings.JOBMATCH_SEARCH_URL.rstrip("/") + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    if settings.JOBMATCH_SEARCH_TOKEN:
        request.add_header("Authorization", f"Bearer {settings.JOBMATCH_SEARCH_TOKEN}")
    try:
        with urllib.request.urlopen(request, timeout=settings.JOBMATCH_SEARCH_TIMEOUT) as response:
            return json.loads(response.read())  # type: ignore[no-any-return]
    except urllib.error.HTTPError as exc:
        try:
            message = json.loads(exc.read()).get("error", "")
        except (ValueError, AttributeError):
            message = ""
        if exc.code == 400:
            raise ValueError(message or "the search service refused the request") from None
        raise SearchUnavailable(f"search service answered {exc.code} {message}".strip()) from None
    except (OSError, ValueError) as exc:  # refused, timed out, not JSON
        raise SearchUnavailable(str(exc)) from None


def ranked_ids(query: PublicQuery) -> tuple[list[int], bool]:
    """The ids the service finds for the words within the hard filters, best first, and whether a retriever
    reached its depth (cached a minute per query)."""
    body = {"q": query.q, "filters": query.filters().as_dict()}
    key = "public-search:" + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = ask_service("/search", body)
        cache.set(key, found, CACHE_SECONDS)
    return [int(i) for i in found["ids"]], bool(found.get("capped"))


def _searched(query: PublicQuery) -> tuple[list[int], bool] | None:
    """ranked_ids, or None when the service does not answer (the caller matches words in titles instead)."""
    try:
        return ranked_ids(query)
    except SearchUnavailable as exc:
        log.warning("public search falls back to matching words: %s", exc)
        return None


def _in_titles(narrowed: QuerySet[JobPosting], query: PublicQuery) -> QuerySet[JobPosting]:
    """The fallback: every word (at most 8) in the title or the employer."""
    for word in query.q.split()[:8]:
        narrowed = narrowed.filter(Q(title__icontains=word) | Q(company__icontains=word))
    return narrowed


def find(query: PublicQuery, *, page: int | str = 1, per_page: int = PAGE_SIZE) -> Results:
    """One page of the open postings for the query: best first when it has words, newest first otherwise.
    Raises FilterError for a filter that cannot apply, EmptyPage/PageNotAnInteger for a page out of range."""
    narrowed = _narrowed(query)
    if not query.q:
        paginator: Paginator[Any] = Paginator(newest_first(narrowed), per_page)
        return Results(paginator.page(page), query)
    searched = _searched(query)
    if searched is None:
        fallback = newest_first(_in_titles(narrowed, query))
        return Results(Paginator(fallback, per_page).page(page), query, notice=FALLBACK)
    ids, capped = searched
    if query.location.strip():  # the service filtered the rest; the place is matched as text here
        within = set(narrowed.filter(id__in=ids).values_list("id", flat=True))
        ids = [i for i in ids if i in within]
    paginator = Paginator(ids, per_page)
    current = paginator.page(page)
    rows = JobPosting.objects.open().in_bulk(list(current.object_list))
    current.object_list = [rows[i] for i in current.object_list if i in rows]
    return Results(current, query, capped=capped, ranked=True)


def matching(query: PublicQuery) -> QuerySet[JobPosting]:
    """Every open posting the query finds, unordered (the feeds order them by when they were listed)."""
    narrowed = _narrowed(query)
    if not query.q:
        return narrowed
    searched = _searched(query)
    return _in_titles(narrowed, query) if searched is None else narrowed.filter(id__in=searched[0])
