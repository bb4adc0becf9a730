"""API tokens and what they open: made, listed and revoked on the account page, shown once, kept as a
hash, in the data download without their key, gone with the account; recruiters post, edit and close
through the API and read their candidates; a resume's text or file is matched; scopes are enforced."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jobmatch.api_tokens import MAX_TOKENS, TokenRefused, token_create
from jobmatch.models import ApiToken
from search.models import JobPosting
from tests.conftest import person
from tests.search.test_public_search import ANALYST_RESUME as RESUME


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_token_is_made_on_the_account_page_shown_once_and_revoked(client, seeker):
    client.force_login(seeker)
    r = client.post(reverse("api_token_create"), {"name": "Careers page", "scopes": ["resumes"]})
    assert r.status_code == 201 and r["Cache-Control"] == "no-store"
    key = r.context["new_key"]
    assert key.startswith("jm_") and key in r.content.decode()
    token = ApiToken.objects.get(user=seeker)
    assert token.key_hash != key and key not in json.dumps(list(ApiToken.objects.values()), default=str)
    page = client.get(reverse("account")).content.decode()
    assert "Careers page" in page and key not in page  # listed, never shown again
    client.logout()
    assert client.get("/api/v1/resumes", headers=bearer(key)).status_code == 200
    assert ApiToken.objects.get().last_used_at is not None
    client.force_login(seeker)
    export = json.loads(client.get(reverse("account_data")).content)
    assert export["api_tokens"][0]["name"] == "Careers page" and key not in json.dumps(export)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 302
    client.logout()
    assert client.get("/api/v1/resumes", headers=bearer(key)).status_code == 401


def test_what_a_token_may_hold(seeker, recruiter, settings):
    with pytest.raises(TokenRefused, match="cannot give a token these scopes: candidates"):
        token_create(user=seeker, name="x", scopes=["candidates"])
    with pytest.raises(TokenRefused, match="Choose at least one scope"):
        token_create(user=seeker, name="x", scopes=[])
    with pytest.raises(TokenRefused, match="Give the token a name"):
        token_create(user=seeker, name="  ", scopes=["match"])
    no_2fa = person("nora.no2fa")
    from search.models import Membership

    Membership.objects.create(user=no_2fa, organisation=recruiter.membership.organisation)
    with pytest.raises(TokenRefused, match="two-factor"):
        token_create(user=no_2fa, name="ats", scopes=["postings"])
    token_create(user=no_2fa, name="ats", scopes=["match"])  # a recruiter's own resumes need no second factor
    for i in range(MAX_TOKENS - 1):
        token_create(user=no_2fa, name=f"t{i}", scopes=["match"])
    with pytest.raises(TokenRefused, match="Revoke one first"):
        token_create(user=no_2fa, name="one more", scopes=["match"])


def test_tokens_go_with_the_account(client, seeker):
    token_create(user=seeker, name="x", scopes=["match"])
    from jobmatch.accounts import account_delete

    account_delete(user=seeker)
    assert not ApiToken.objects.exists()


def test_a_recruiter_posts_edits_and_closes_through_the_api(client, recruiter, other_recruiter, corpus):
    _, key = token_create(user=recruiter, name="ats", scopes=["postings", "candidates"])
    _, other = token_create(user=other_recruiter, name="ats", scopes=["postings"])
    body = {
        "title": "Senior Data Analyst",
        "description": "SQL, Python and Power BI; five years of analytics.",
        "location": "Boston, MA",
        "work_type": "Full-time",
        "experience_level": "Mid-Senior level",
        "salary_min": 90000,
        "salary_max": 120000,
        "salary_period": "YEARLY",
        "salary_currency": "USD",
    }
    r = client.post("/api/v1/postings", body, content_type="application/json", headers=bearer(key))
    assert r.status_code == 201, r.content
    created = r.json()
    posting = JobPosting.objects.get(pk=created["id"])
    assert posting.organisation == recruiter.membership.organisation and posting.created_by == recruiter
    assert created["company"] == "Acme Health" and created["apply_here"] is True
    assert client.get(f"/api/v1/postings/{posting.pk}").status_code == 200  # public at once
    bad = client.post(
        "/api/v1/postings", {**body, "salary_max": 10}, content_type="application/json", headers=bearer(key)
    )
    assert bad.status_code == 422 and "maximum is below the minimum" in bad.json()["detail"]
    r = client.patch(
        f"/api/v1/postings/{posting.pk}",
        {"location": "Remote", "remote": True},
        content_type="application/json",
        headers=bearer(key),
    )
    assert r.status_code == 200 and r.json()["remote"] is True and r.json()["title"] == "Senior Data Analyst"
    assert (
        client.patch(
            f"/api/v1/postings/{posting.pk}",
            {"title": "Mine now"},
            content_type="application/json",
            headers=bearer(other),
        ).status_code
        == 404
    )
    assert client.get(f"/api/v1/postings/{posting.pk}/candidates", headers=bearer(key)).json()["posting"] == posting.pk
    assert client.get(f"/api/v1/postings/{posting.pk}/candidates", headers=bearer(other)).status_code == 403
    assert client.post(f"/api/v1/postings/{posting.pk}/close", headers=bearer(key)).json() == {
        "id": posting.pk,
        "open": False,
    }
    assert client.get(f"/api/v1/postings/{posting.pk}").status_code == 404


def test_a_seeker_cannot_post_and_a_token_needs_its_scope(client, seeker, corpus):
    _, key = token_create(user=seeker, name="x", scopes=["resumes"])
    r = client.post("/api/v1/match", {"text": RESUME}, content_type="application/json", headers=bearer(key))
    assert r.status_code == 403 and "match scope" in r.json()["detail"]
    assert client.post("/api/v1/match", {"text": RESUME}, content_type="application/json").status_code == 401
    assert client.get("/api/v1/resumes", headers=bearer("jm_not-a-key")).status_code == 401


def test_a_resume_text_is_matched_to_ten_postings_with_reasons(client, seeker, corpus, search_service):
    _, key = token_create(user=seeker, name="portal", scopes=["match"])
    r = client.post("/api/v1/match", {"text": RESUME}, content_type="application/json", headers=bearer(key))
    assert r.status_code == 200, r.content
    out = r.json()
    assert len(out["results"]) == 10 and [i["rank"] for i in out["results"]] == list(range(1, 11))
    assert all(i["posting"]["url"].startswith("http") and "why" in i for i in out["results"])
    assert any(i["matched_skills"] for i in out["results"]) and "Data Analyst" in out["profile"]["titles"]
    assert not seeker.resumes.exists()  # nothing stored


def test_without_the_service_matching_text_says_so(client, seeker, corpus):
    _, key = token_create(user=seeker, name="portal", scopes=["match"])
    r = client.post("/api/v1/match", {"text": RESUME}, content_type="application/json", headers=bearer(key))
    assert r.status_code == 503 and "not answering" in r.json()["detail"]


def test_a_resume_file_is_matched_in_the_background_with_a_status_url(
    client, seeker, corpus, django_capture_on_commit_callbacks
):
    _, key = token_create(user=seeker, name="portal", scopes=["match"])
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            "/api/v1/match/file", {"file": SimpleUploadedFile("cv.txt", RESUME.encode())}, headers=bearer(key)
        )
    assert r.status_code == 202, r.content
    status = client.get(r.json()["status_url"], headers=bearer(key)).json()
    assert status["finished"] and status["status"] == "done" and "Data Analyst" in status["profile"]["titles"]
    matches = client.get(r.json()["matches_url"], headers=bearer(key)).json()
    assert len(matches["results"]) == 10 and matches["results"][0]["posting"]["id"]
    png = client.post(
        "/api/v1/match/file",
        {"file": SimpleUploadedFile("cv.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")},
        headers=bearer(key),
    )
    assert png.status_code == 415 and "PDF" in png.json()["detail"]
    # another seeker's token does not find it
    _, theirs = token_create(user=person("olga.other"), name="x", scopes=["resumes"])
    assert client.get(r.json()["status_url"], headers=bearer(theirs)).status_code == 404
