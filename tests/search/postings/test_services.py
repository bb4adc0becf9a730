"""Posting services: closing, reopening and expiry take a posting out of the indexes and every result list."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from search.models import JobPosting, Recommendation
from search.postings.services import postings_expire
from tests.search.personas import NURSE, resume_of


def test_closing_a_posting_takes_it_out_of_the_indexes_and_every_result_list(  # type: ignore[no-untyped-def]
    client, recruiter, seeker, nurse_posting, django_capture_on_commit_callbacks
):
    from search.indexing.engine import get_engine
    from search.matching.seekers import recommendations_refresh
    from search.selectors import recommendations_for_resume

    posting = nurse_posting
    resume = resume_of(seeker, NURSE)
    recommendations_refresh(resume=resume)
    # The posting is in the seeker's ten (put there, as if it had ranked there, when it did not).
    if not Recommendation.objects.filter(resume=resume, posting=posting).exists():
        Recommendation.objects.filter(resume=resume, rank=10).update(posting=posting)
    assert posting.pk in [r.posting_id for r in recommendations_for_resume(resume=resume)]

    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("recruit:posting_close", args=[posting.pk]))
    assert r.status_code == 302
    engine = get_engine()
    assert posting.pk not in engine.bm25.hashes() and posting.pk not in engine.vectors.hashes()
    assert not Recommendation.objects.filter(resume=resume, posting=posting).exists()  # ranked again without it
    assert Recommendation.objects.filter(resume=resume).count() == 10

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("recruit:posting_reopen", args=[posting.pk]))
    assert posting.pk in get_engine().bm25.hashes()


def test_a_posting_past_its_closing_date_expires(recruiter, nurse_posting, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    from search.indexing.engine import get_engine

    posting = nurse_posting
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    JobPosting.objects.filter(pk=posting.pk).update(closes_at=yesterday)
    assert not JobPosting.objects.open().filter(pk=posting.pk).exists()  # gone from lists at once
    with django_capture_on_commit_callbacks(execute=True):
        assert postings_expire() == 1
    posting.refresh_from_db()
    assert posting.active is False and posting.pk not in get_engine().bm25.hashes()


def test_the_stored_ten_hide_a_posting_the_moment_it_closes(seeker, nurse_posting):  # type: ignore[no-untyped-def]
    from search.matching.seekers import recommendations_refresh
    from search.selectors import recommendations_for_resume

    resume = resume_of(seeker, NURSE)
    recommendations_refresh(resume=resume)
    if not Recommendation.objects.filter(resume=resume, posting=nurse_posting).exists():
        Recommendation.objects.filter(resume=resume, rank=10).update(posting=nurse_posting)

    def shown() -> list[int]:
        return [r.posting_id for r in recommendations_for_resume(resume=resume)]

    assert nurse_posting.pk in shown() and len(shown()) == 10
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    JobPosting.objects.filter(pk=nurse_posting.pk).update(closes_at=yesterday)
    assert nurse_posting.pk not in shown() and len(shown()) == 9  # before the expiry task runs
    JobPosting.objects.filter(pk=nurse_posting.pk).update(closes_at=timezone.localdate(), active=False)
    assert nurse_posting.pk not in shown()
    JobPosting.objects.filter(pk=nurse_posting.pk).update(active=True)  # closes today: still open
    assert nurse_posting.pk in shown()


def test_the_admin_open_filter_splits_postings_by_the_same_rule(nurse_posting):  # type: ignore[no-untyped-def]
    from django.contrib import admin as django_admin

    from search.admin import JobPostingAdmin, OpenFilter

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    JobPosting.objects.filter(pk=nurse_posting.pk).update(closes_at=yesterday)

    def split(value: str) -> set[int]:
        f = OpenFilter(None, {"open": [value]}, JobPosting, JobPostingAdmin(JobPosting, django_admin.site))
        return set(f.queryset(None, JobPosting.objects.all()).values_list("id", flat=True))

    open_ids = set(JobPosting.objects.open().values_list("id", flat=True))
    assert nurse_posting.pk not in open_ids and open_ids
    assert split("yes") == open_ids
    assert split("no") == set(JobPosting.objects.values_list("id", flat=True)) - open_ids
    assert nurse_posting.pk in split("no")
