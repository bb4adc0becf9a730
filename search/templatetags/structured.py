"""Structured data in a page: schema.org JSON-LD, escaped like Django's json_script (no "</script>"
can end it early). JSON-LD is data, never run, so the content security policy does not apply to it."""

from __future__ import annotations

import json

from django import template
from django.http import HttpRequest
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from search.models import JobPosting
from search.postings.public import job_posting_schema

register = template.Library()


@register.simple_tag(takes_context=True)
def job_posting_jsonld(context: template.Context, posting: JobPosting) -> SafeString:
    request: HttpRequest = context["request"]
    url = request.build_absolute_uri(reverse("search:posting", args=[posting.pk]))
    body = json.dumps(job_posting_schema(posting, url), ensure_ascii=False)
    body = body.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")
    return mark_safe(f'<script type="application/ld+json">{body}</script>')
