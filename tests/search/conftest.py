"""Fixtures of the search tests."""

from __future__ import annotations

import pytest
from django.urls import reverse

from search.models import JobPosting
from tests.search.personas import POSTING


@pytest.fixture
def nurse_posting(client, recruiter, corpus, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    client.force_login(recruiter)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("recruit:posting_new"), POSTING)
    assert r.status_code == 302, r.content
    posting = JobPosting.objects.get(title="ICU Registered Nurse")
    assert r["Location"] == reverse("recruit:posting", args=[posting.pk])
    return posting
