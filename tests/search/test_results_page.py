"""The results page: filters set in the browser re-rank under them; every result shows its reasons."""

import json
import re

from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from search.models import JobPosting
from tests.test_profile import upload_fixture


def test_results_show_reasons_and_filters_rerank(seeker_client, corpus, django_capture_on_commit_callbacks):
    resume = upload_fixture(seeker_client, "02-Desktop_Support.docx", django_capture_on_commit_callbacks)
    page = seeker_client.get(reverse("search:resume_matches", args=[resume.public_id])).content.decode()
    assert page.count('class="match"') == 10 and page.count('class="why-skills"') == 10
    assert page.count('class="fit-level') == 10 and "Why this job?" in page
    assert "bm25" not in page and "fused_rank" not in page  # reasons in words, never feature names
    assert re.search(r"(Strong|Good|Possible) match", page)
    for rec in resume.recommendations.all():  # each result shows its own skills: those it asks for, at least
        for skill in rec.why["matched_skills"] + rec.why["missing_skills"][:8]:
            assert f">{escape(skill)}</span>" in page
    # An accountant's resume shares skills with accounting postings: the page says which ones it has.
    accountant = upload_fixture(seeker_client, "01-Accountant.docx", django_capture_on_commit_callbacks)
    page = seeker_client.get(reverse("search:resume_matches", args=[accountant.public_id])).content.decode()
    have = {s for rec in accountant.recommendations.all() for s in rec.why["matched_skills"]}
    assert have and "You have:" in page and all(f'<span class="tag matched">{escape(s)}</span>' in page for s in have)
    detail = seeker_client.get(reverse("resumes:detail", args=[resume.public_id])).content.decode()
    assert "Filter the results" in detail and 'value="Little Rock, AR"' in detail  # the profile's location

    with django_capture_on_commit_callbacks(execute=True):
        r = seeker_client.post(
            reverse("search:resume_filters", args=[resume.public_id]),
            {"location_scope": "remote", "location": "Little Rock, AR", "min_salary": ""},
        )
    assert r.status_code == 302
    resume.refresh_from_db()
    assert resume.filters["location_scope"] == "remote" and resume.status == "done"
    recs = list(resume.recommendations.select_related("posting"))
    assert len(recs) == 10 and all(rec.posting.remote for rec in recs)
    assert all(rec.why["matched_skills"] is not None for rec in recs)
    page = seeker_client.get(reverse("search:resume_matches", args=[resume.public_id])).content.decode()
    assert "Filtered: remote only" in page


def test_a_filter_that_cannot_apply_is_refused_with_a_message(
    seeker_client, corpus, django_capture_on_commit_callbacks
):
    resume = upload_fixture(seeker_client, "01-Accountant.docx", django_capture_on_commit_callbacks)
    r = seeker_client.post(
        reverse("search:resume_filters", args=[resume.public_id]),
        {"location_scope": "city", "location": ""},
        follow=True,
    )
    assert "give a location" in r.content.decode()
    resume.refresh_from_db()
    assert resume.filters == {}


def test_another_seeker_cannot_set_filters(client, seeker, other_seeker, corpus, django_capture_on_commit_callbacks):
    client.force_login(seeker)
    resume = upload_fixture(client, "01-Accountant.docx", django_capture_on_commit_callbacks)
    client.force_login(other_seeker)
    r = client.post(reverse("search:resume_filters", args=[resume.public_id]), {"location_scope": "remote"})
    assert r.status_code == 404


def test_recommend_applies_filters_and_explains(corpus, tmp_path, capsys):
    jsonl = tmp_path / "r.jsonl"
    jsonl.write_text(json.dumps({"id": 1, "text": "Registered nurse, ICU, patient care, 6 years."}) + "\n")
    call_command("recommend", "--resumes-jsonl", str(jsonl), "--location-scope", "remote", "--top", "5")
    line = json.loads(capsys.readouterr().out)
    assert line["passed_filters"] == JobPosting.objects.filter(active=True, remote=True).count()
    assert len(line["jobs"]) == 5
    for job in line["jobs"]:
        assert JobPosting.objects.get(source=job["source"], external_id=job["external_id"]).remote
        assert set(job["why"]["contributions"]) == set(job["why"]["features"])
