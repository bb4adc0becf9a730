"""The admin's overview: postings, resumes received, parse failures by code and alert emails, week by week."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from resumes.models import Resume
from search.models import Interaction, JobPosting
from search.recruiting.overview import WEEKS, site_overview
from tests.conftest import make_resume, person


def test_the_overview_counts_what_happened_week_by_week(client, admin_user, recruiter, org_a):  # type: ignore[no-untyped-def]
    now = timezone.now()
    before = site_overview(now=now)  # the demo postings the test database holds
    added_before = {s.title: s for s in before.series}["Postings added"].total
    for i in range(3):
        JobPosting.objects.create(source=org_a.source, external_id=f"p{i}", title="Nurse", organisation=org_a)
    old = JobPosting.objects.create(source=org_a.source, external_id="old", title="Old", organisation=org_a)
    JobPosting.objects.filter(pk=old.pk).update(created_at=now - dt.timedelta(weeks=WEEKS + 2))  # outside
    seeker = person("sam.seeker")
    done = make_resume(seeker, text="Registered nurse", profile={"name": "Secret Name"})
    for code, n in (("no_text", 2), ("encrypted", 1)):
        for _ in range(n):
            r = make_resume(seeker, text="x")
            Resume.objects.filter(pk=r.pk).update(
                status=Resume.Status.FAILED, failure_code=code, failure_reason=f"We could not read it ({code})."
            )
    a_posting = JobPosting.objects.get(external_id="p0")
    # Two postings in one alert email, and one more email a week earlier.
    Interaction.objects.create(resume=done, posting=a_posting, kind=Interaction.Kind.ALERT, created_at=now)
    Interaction.objects.create(
        resume=done, posting=JobPosting.objects.get(external_id="p1"), kind=Interaction.Kind.ALERT, created_at=now
    )
    Interaction.objects.create(
        resume=done, posting=a_posting, kind=Interaction.Kind.ALERT, created_at=now - dt.timedelta(weeks=1)
    )

    overview = site_overview(now=now)
    series = {s.title: s for s in overview.series}
    assert overview.open_postings == before.open_postings + 4
    assert series["Postings added"].total == added_before + 3 and len(series["Postings added"].bars) == WEEKS
    assert series["Resumes received"].total == 4 and overview.totals["Parse failures"] == 3
    assert series["Job alert emails sent"].total == 2
    assert [b.value for b in series["Job alert emails sent"].bars[-2:]] == [1, 1]
    by_code = [(f["code"], f["count"], f["share"]) for f in overview.failures]
    assert by_code == [("no_text", 2, 67), ("encrypted", 1, 33)]
    assert overview.failed_share == 0.75
    tallest = max(series["Job alert emails sent"].bars, key=lambda b: b.value)
    assert tallest.height == 100 and tallest.y == 0 and series["Job alert emails sent"].bars[0].height == 0

    client.force_login(recruiter)
    assert client.get(reverse("recruit:overview")).status_code == 403
    client.force_login(admin_user)
    page = client.get(reverse("recruit:overview")).content.decode()
    assert "<svg" in page and "no_text" in page and "We could not read it (no_text)." in page
    assert "Secret Name" not in page and "style=" not in page
