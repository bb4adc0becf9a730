"""The feeds of new postings (RSS and Atom), for a search as the search page takes it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from search.filters import FilterError
from search.forms import PublicSearchForm
from search.models import JobPosting

from .finder import PublicQuery, matching
from .public import summary

FEED_SIZE = 50


class NewPostingsFeed(Feed):
    """The newest open postings as RSS, for a search as the search page takes it: q (words, searched as the
    page searches them), location, remote=on, work_type, level, min_pay. /jobs/feed/atom/ gives the same
    as Atom. A query the search page would refuse gives the unfiltered feed."""

    title = "New jobs on JobMatch"
    description = "The newest open postings."

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        form = PublicSearchForm(request.GET)
        return form.query() if form.is_valid() else PublicQuery()

    def link(self, obj: Any) -> str:
        return reverse("search:browse")

    def items(self, obj: Any) -> QuerySet[JobPosting]:
        try:
            postings = matching(obj)
        except FilterError:
            postings = JobPosting.objects.open()
        return postings.order_by("-created_at", "-pk")[:FEED_SIZE]

    def item_title(self, item: JobPosting) -> str:
        return f"{item.title} — {item.company}" if item.company else item.title

    def item_description(self, item: JobPosting) -> str:
        return summary(item)[:1000]

    def item_link(self, item: JobPosting) -> str:
        return reverse("search:posting", args=[item.pk])

    def item_pubdate(self, item: JobPosting) -> dt.datetime:
        return item.created_at


class NewPostingsAtomFeed(NewPostingsFeed):
    feed_type = Atom1Feed
    subtitle = NewPostingsFeed.description
