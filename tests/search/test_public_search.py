"""Public search and fit: the home page searches open postings through the matching worker's search
service (BM25 + vectors, fused) without loading a model in the web process; the feeds and the API search
the same way; a pasted resume and job description, or a seeker's resume and a posting, get the reasons a
result card gives. The service runs here in a thread on a free port, as the worker runs it."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from resumes.models import Resume
from search.models import JobPosting
from tests.conftest import make_resume, person

ANALYST_RESUME = """Jane Doe
Data Analyst
Boston, MA · jane@example.com
Skills
Microsoft Excel, SQL, Python, Tableau
Experience
Data Analyst, Fidelity Investments, 2016 - 2024
Built weekly sales dashboards in Tableau from SQL queries; automated reports in Python and Excel.
Education
Bachelor of Science in Economics, Boston College, 2016
"""
ANALYST_JOB = """Senior Data Analyst
We need a data analyst who writes SQL and Python, models data in Microsoft Excel and builds dashboards
in Microsoft Power BI. Five years of analytics experience. Full-time, hybrid in Boston, MA."""


def posting_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li class="posting-item">\s*<h3><a href="/jobs/(\d+)/"', html)]


def test_a_visitor_searches_nurse_remote_on_the_home_page(client, corpus, search_service):
    r = client.get(reverse("home"), {"q": "nurse remote"})
    assert r.status_code == 200
    html = r.content.decode()
    ids = posting_ids(html)
    rows = JobPosting.objects.in_bulk(ids)
    assert ids and all(rows[i].remote for i in ids)  # "remote" is taken as the filter
    nurses = set(JobPosting.objects.open().filter(remote=True, title__icontains="nurse").values_list("id", flat=True))
    assert nurses and nurses <= set(ids)  # every remote nurse posting is found
    assert "nurse" in rows[ids[0]].title.lower()  # best match first
    count = int(re.search(r'data-count="(\d+)"', html).group(1))
    assert count == len(ids) and "best match first" in html
    assert "the full search is not answering" not in html


def test_search_pages_and_counts_and_filters(client, corpus, search_service):
    first = client.get(reverse("search:browse"), {"q": "manager"})
    count = int(re.search(r'data-count="(\d+)"', first.content.decode()).group(1))
    assert count > 20  # more than a page
    page1 = posting_ids(first.content.decode())
    page2 = posting_ids(client.get(reverse("search:browse"), {"q": "manager", "page": 2}).content.decode())
    assert len(page1) == 20 and page2 and not set(page1) & set(page2)
    assert 'rel="next"' in first.content.decode()
    full_time = posting_ids(
        client.get(reverse("search:browse"), {"q": "manager", "work_type": "Full-time"}).content.decode()
    )
    assert full_time and all(p.work_type == "Full-time" for p in JobPosting.objects.filter(id__in=full_time))
    paid = client.get(reverse("search:browse"), {"q": "manager", "min_pay": 100000}).content.decode()
    for p in JobPosting.objects.filter(id__in=posting_ids(paid)):
        assert p.salary_min is not None or p.salary_max is not None
    bad = client.get(reverse("search:browse"), {"q": "manager", "page": 999})
    assert bad.status_code == 400 and "That page of results does not exist" in bad.content.decode()
    negative = client.get(reverse("search:browse"), {"min_pay": -5})
    assert negative.status_code == 400 and "Pay at least" in negative.content.decode()


def test_without_words_newest_first_and_closed_postings_never_show(client, corpus, search_service):
    newest = JobPosting.objects.open().order_by("-posted_at", "-created_at", "-pk").first()
    r = client.get(reverse("search:browse"))
    assert r.status_code == 200 and "open jobs, newest first" in r.content.decode()
    nurse = JobPosting.objects.open().filter(title__icontains="nurse", remote=True).first()
    nurse.active = False
    nurse.save()
    ids = posting_ids(client.get(reverse("search:browse"), {"q": "nurse remote"}).content.decode())
    assert nurse.pk not in ids and newest is not None


def test_without_the_service_the_words_are_matched_and_the_page_says_so(client, corpus):
    r = client.get(reverse("home"), {"q": "nurse remote"})
    html = r.content.decode()
    assert r.status_code == 200 and "the full search is not answering" in html
    rows = JobPosting.objects.in_bulk(posting_ids(html))
    assert rows and all("nurse" in p.title.lower() and p.remote for p in rows.values())


def test_the_feed_and_the_api_search_as_the_page_does(client, corpus, search_service):
    page = posting_ids(client.get(reverse("search:browse"), {"q": "pharmacist"}).content.decode())
    feed = ET.fromstring(client.get(reverse("search:feed"), {"q": "pharmacist"}).content)
    in_feed = {int(link.text.rstrip("/").rsplit("/", 1)[1]) for link in feed.findall("channel/item/link")}
    assert in_feed and in_feed == set(page[:50])
    api = client.get("/api/v1/postings", {"q": "pharmacist"}).json()
    assert api["ranked"] is True and [p["id"] for p in api["results"]] == page[:20]
    assert api["count"] == len(page) if len(page) < 20 else api["count"] >= 20


def test_the_service_refuses_what_it_should(corpus, search_service, settings):
    def post(body: object, token: str = "") -> tuple[int, dict]:
        req = urllib.request.Request(search_service + "/search", data=json.dumps(body).encode(), method="POST")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    assert post({"q": ""}) == (400, {"error": "q: give the words to search for"})
    assert post({"q": "nurse", "filters": {"location_scope": "moon"}})[0] == 400
    assert post([1, 2])[0] == 400
    settings.JOBMATCH_SEARCH_TOKEN = "s3cret"
    assert post({"q": "nurse"})[0] == 401
    status, body = post({"q": "nurse"}, token="s3cret")
    assert status == 200 and body["ids"]


def test_anyone_may_paste_a_resume_and_a_job_and_nothing_is_kept(client, corpus, search_service):
    postings, resumes = JobPosting.objects.count(), Resume.objects.count()
    r = client.post(reverse("search:fit"), {"resume_text": ANALYST_RESUME, "job_text": ANALYST_JOB})
    html = r.content.decode()
    assert r.status_code == 200, html
    assert "Senior Data Analyst" in html
    matched = re.findall(r'class="tag matched">([^<]+)<', html)
    missing = re.findall(r'class="tag missing">([^<]+)<', html)
    assert {"Python", "Microsoft Excel"} <= set(matched) and any("Power BI" in m for m in missing), (matched, missing)
    assert "Data Analyst" in html.split("Read from the resume:")[1]
    assert (JobPosting.objects.count(), Resume.objects.count()) == (postings, resumes)
    empty = client.post(reverse("search:fit"), {"resume_text": "", "job_text": ANALYST_JOB})
    assert empty.status_code == 400 and "Your resume: This field is required." in empty.content.decode()


def test_pasting_without_the_service_says_so(client, db):
    r = client.post(reverse("search:fit"), {"resume_text": ANALYST_RESUME, "job_text": ANALYST_JOB})
    assert r.status_code == 503 and "not answering" in r.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_seeker_sees_how_their_resume_fits_one_posting(client, corpus_committed, search_service):
    seeker = person("sam.seeker")
    resume = make_resume(seeker, text=ANALYST_RESUME, profile={"titles": ["Data Analyst"], "location": "Boston, MA"})
    other = make_resume(person("olga.other"), text=ANALYST_RESUME)
    nurse = JobPosting.objects.open().filter(title__icontains="analyst").first()
    client.force_login(seeker)
    page = client.get(reverse("search:posting", args=[nurse.pk])).content.decode()
    assert "How does my resume fit this job?" in page
    r = client.post(reverse("search:posting_fit", args=[nurse.pk]), {"resume": str(resume.public_id)})
    html = r.content.decode()
    assert r.status_code == 200 and 'class="why"' in html
    assert re.search(r"This job is (<strong>#\d+</strong> of your top 10|not among your top 10)", html)
    # someone else's resume is not found, and anonymous visitors are sent to log in
    assert (
        client.post(reverse("search:posting_fit", args=[nurse.pk]), {"resume": str(other.public_id)}).status_code == 404
    )
    client.logout()
    assert (
        client.post(reverse("search:posting_fit", args=[nurse.pk]), {"resume": str(resume.public_id)}).status_code
        == 302
    )


def test_without_the_service_every_filter_still_applies(client, corpus):
    r = client.get(reverse("search:browse"), {"q": "manager", "min_pay": 50000, "work_type": "Full-time"})
    assert r.status_code == 200 and "the full search is not answering" in r.content.decode()
    found = JobPosting.objects.filter(id__in=posting_ids(r.content.decode()))
    assert found and all("manager" in p.title.lower() and p.work_type == "Full-time" for p in found)


def test_pasted_fits_are_limited_per_address_and_hour(client, db, monkeypatch):
    monkeypatch.setattr("search.views.FITS_PER_HOUR", 1)
    first = client.post(reverse("search:fit"), {"resume_text": ANALYST_RESUME, "job_text": ANALYST_JOB})
    assert first.status_code == 503  # counted, though no service answers here
    again = client.post(reverse("search:fit"), {"resume_text": ANALYST_RESUME, "job_text": ANALYST_JOB})
    assert again.status_code == 429 and "At most 1 comparisons an hour" in again.content.decode()
