"""An application shares a resume with the posting's organisation until the seeker withdraws it (open or
closed posting) or the grace period after the posting closed ends; a closed posting cannot be saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from search import access
from search.models import Application, JobPosting, PostingFeedback
from search.postings.services import posting_set_open
from tests.conftest import make_resume


@pytest.fixture
def applied(seeker, org_a):  # type: ignore[no-untyped-def]
    posting = JobPosting.objects.create(source=org_a.source, external_id="p1", title="ICU Nurse", organisation=org_a)
    resume = make_resume(seeker, text="Registered nurse", profile={"name": "Maria Lopez"})
    Application.objects.create(resume=resume, posting=posting)
    PostingFeedback.objects.create(resume=resume, posting=posting, applied_at=timezone.now())
    return posting, resume


def test_a_seeker_withdraws_an_application_to_a_closed_posting(client, seeker, recruiter, applied):  # type: ignore[no-untyped-def]
    posting, resume = applied
    posting_set_open(posting=posting, open=False)
    client.force_login(seeker)
    page = client.get(reverse("search:applied")).content.decode()
    assert "ICU Nurse" in page and "Withdraw the application" in page
    r = client.post(
        reverse("search:apply", args=[posting.pk]),
        {"resume": str(resume.public_id), "withdraw": "1", "back": "applied"},
    )
    assert r.status_code == 302 and r["Location"] == reverse("search:applied")
    assert not Application.objects.exists()
    assert not access.resumes_shared_with(recruiter).filter(pk=resume.pk).exists()
    # Withdrawing what was never applied to is not found, whatever the posting.
    other = JobPosting.objects.create(source=posting.source, external_id="p2", title="Secret", active=False)
    r = client.post(reverse("search:apply", args=[other.pk]), {"resume": str(resume.public_id), "withdraw": "1"})
    assert r.status_code == 404


def test_a_closed_postings_applicants_stay_visible_for_the_grace_period_only(  # type: ignore[no-untyped-def]
    client, recruiter, admin_user, applied, settings
):
    posting, resume = applied
    client.force_login(recruiter)
    url = reverse("recruit:candidate", args=[posting.pk, resume.public_id])
    assert client.get(url).status_code == 200
    posting_set_open(posting=posting, open=False)
    posting.refresh_from_db()
    assert posting.closed_at is not None
    assert client.get(url).status_code == 200  # closed today: interviews and offers go on
    JobPosting.objects.filter(pk=posting.pk).update(
        closed_at=timezone.now() - dt.timedelta(days=settings.SHARING_GRACE_DAYS + 1)
    )
    assert client.get(url).status_code == 404
    assert not access.resumes_shared_with(recruiter).filter(pk=resume.pk).exists()
    assert not access.resumes_shared_with(admin_user).filter(pk=resume.pk).exists()
    assert not access.resumes_visible_for_posting(posting).filter(pk=resume.pk).exists()
    # Reopened, it shares again; a closing date long past ends the sharing the same way.
    posting_set_open(posting=posting, open=True)
    assert client.get(url).status_code == 200
    JobPosting.objects.filter(pk=posting.pk).update(
        closes_at=timezone.localdate() - dt.timedelta(days=settings.SHARING_GRACE_DAYS + 1)
    )
    assert client.get(url).status_code == 404


def test_a_closed_posting_cannot_be_saved_and_its_title_is_not_shown(client, seeker, org_a):  # type: ignore[no-untyped-def]
    closed = JobPosting.objects.create(source=org_a.source, external_id="c1", title="Unannounced Role", active=False)
    resume = make_resume(seeker, text="Registered nurse")
    client.force_login(seeker)
    for action in ("save", "dismiss", "applied"):
        r = client.post(
            reverse("search:resume_feedback", args=[resume.public_id]), {"posting": closed.pk, "action": action}
        )
        assert r.status_code == 404 and b"Unannounced Role" not in r.content
    assert not PostingFeedback.objects.exists()
    assert "Unannounced Role" not in client.get(reverse("search:saved")).content.decode()
