"""The public side: posting pages without an account, their schema.org JobPosting, the sitemap, the
feeds of new postings, robots.txt. Closed postings are nowhere."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from search.models import JobPosting

GOOGLE_REQUIRED = ("title", "description", "datePosted", "hiringOrganization")
EMPLOYMENT_TYPES = {"FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER", "PER_DIEM", "OTHER"}


@pytest.fixture
def postings(db, org_a):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    site = JobPosting.objects.create(
        source=org_a.source,
        external_id="p1",
        title="Night Charge Nurse </script><b>",
        company="Acme Health",
        location="Boston, MA",
        description="Lead the night shift on a 30-bed ICU.",
        organisation=org_a,
        work_type="Full-time",
        experience_level="Mid-Senior level",
        salary_min=90000,
        salary_max=120000,
        salary_period="YEARLY",
        salary_currency="USD",
        closes_at=today + dt.timedelta(days=20),
        job_functions=["Health Care Provider"],
        industries=["Hospitals and Health Care"],
    )
    data_set = JobPosting.objects.create(
        source="linkedin-2023",
        external_id="d1",
        title="Data Analyst",
        company="Borealis Bank",
        location="United States",
        remote=True,
        work_type="Contract",
        salary_min=45,
        salary_period="HOURLY",
        skills=["SQL", "Tableau", "Microsoft Outlook"],
        skills_inferred=["Microsoft Outlook"],  # its occupation's usual tool, which the posting never named
    )
    closed = JobPosting.objects.create(
        source="linkedin-2023", external_id="c1", title="Closed Role", closes_at=today - dt.timedelta(days=1)
    )
    withdrawn = JobPosting.objects.create(source="linkedin-2023", external_id="w1", title="Withdrawn", active=False)
    return {"site": site, "data_set": data_set, "closed": closed, "withdrawn": withdrawn}


def _jsonld(html: str) -> dict:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(found) == 1, "one JobPosting per page"
    return json.loads(found[0])


def test_anyone_reads_an_open_posting_with_everything_it_carries(client, postings):
    page = client.get(reverse("search:posting", args=[postings["site"].pk]))
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("Acme Health", "Boston, MA", "90,000 – 120,000", "Health Care Provider", "Hospitals and Health Care"):
        assert text in html, text
    assert "Lead the night shift" in html and "Sign up to apply" in html
    other = client.get(reverse("search:posting", args=[postings["data_set"].pk])).content.decode()
    assert "apply on the employer" in other and "SQL, Tableau" in other


def test_closed_and_withdrawn_postings_are_not_found(client, postings):
    for key in ("closed", "withdrawn"):
        assert client.get(reverse("search:posting", args=[postings[key].pk])).status_code == 404


def test_posting_pages_carry_a_jobposting_with_the_fields_google_requires(client, postings):
    for key in ("site", "data_set"):
        p = postings[key]
        data = _jsonld(client.get(reverse("search:posting", args=[p.pk])).content.decode())
        assert data["@context"] == "https://schema.org/" and data["@type"] == "JobPosting"
        for field in GOOGLE_REQUIRED:
            assert data.get(field), field
        assert data["title"] == p.title
        dt.date.fromisoformat(data["datePosted"])
        assert data["hiringOrganization"]["@type"] == "Organization" and data["hiringOrganization"]["name"]
        # a place, or remote work with where applicants may live
        assert data.get("jobLocation", {}).get("address") or (
            data.get("jobLocationType") == "TELECOMMUTE" and data.get("applicantLocationRequirements")
        )
        assert data["employmentType"] in EMPLOYMENT_TYPES
        assert data["url"].endswith(reverse("search:posting", args=[p.pk]))
        assert data["identifier"] == {"@type": "PropertyValue", "name": p.source, "value": p.external_id}
    site = _jsonld(client.get(reverse("search:posting", args=[postings["site"].pk])).content.decode())
    assert site["jobLocation"]["address"] == {
        "@type": "PostalAddress",
        "addressLocality": "Boston",
        "addressRegion": "MA",
    }
    assert site["baseSalary"]["value"] == {
        "@type": "QuantitativeValue",
        "unitText": "YEAR",
        "minValue": 90000,
        "maxValue": 120000,
    }
    dt.datetime.fromisoformat(site["validThrough"])
    assert site["directApply"] is True
    remote = _jsonld(client.get(reverse("search:posting", args=[postings["data_set"].pk])).content.decode())
    assert remote["baseSalary"]["value"]["unitText"] == "HOUR" and remote["baseSalary"]["value"]["value"] == 45
    assert "Skills: SQL, Tableau" in remote["description"]  # a data set without descriptions: its fields in words


def test_a_title_cannot_end_the_structured_data_early(client, postings):
    html = client.get(reverse("search:posting", args=[postings["site"].pk])).content.decode()
    block = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<b>" not in block and json.loads(block)["title"] == "Night Charge Nurse </script><b>"


def test_the_sitemap_lists_open_postings_only(client, postings):
    index = ET.fromstring(client.get(reverse("sitemap")).content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    (section,) = [loc.text for loc in index.findall("s:sitemap/s:loc", ns)]
    urls = ET.fromstring(client.get(re.sub(r"^https?://[^/]+", "", section)).content)
    listed = {int(loc.text.rsplit("/jobs/", 1)[1].strip("/")) for loc in urls.findall("s:url/s:loc", ns)}
    assert listed == set(JobPosting.objects.open().values_list("pk", flat=True))
    assert {postings["site"].pk, postings["data_set"].pk} <= listed
    assert not {postings["closed"].pk, postings["withdrawn"].pk} & listed


def test_the_feed_holds_new_open_postings_and_narrows_by_the_query(client, postings):
    r = client.get(reverse("search:feed"))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/rss+xml")
    items = ET.fromstring(r.content).findall("channel/item")
    titles = [i.findtext("title") for i in items]
    assert titles[:2] == ["Data Analyst — Borealis Bank", "Night Charge Nurse </script><b> — Acme Health"]  # newest
    assert len(items) == min(50, JobPosting.objects.open().count())
    assert not any(t.startswith(("Closed Role", "Withdrawn")) for t in titles)

    def linked(url):  # type: ignore[no-untyped-def]
        feed = ET.fromstring(client.get(url).content)
        ids = [int(link.text.rstrip("/").rsplit("/", 1)[1]) for link in feed.findall("channel/item/link")]
        return list(JobPosting.objects.filter(pk__in=ids))

    remote = linked(reverse("search:feed") + "?remote=1")
    assert postings["data_set"] in remote and all(p.remote for p in remote)
    nurses = linked(reverse("search:feed") + "?q=nurse&location=boston")
    assert postings["site"] in nurses
    assert all("nurse" in (p.title + p.company).lower() and "boston" in p.location.lower() for p in nurses)
    atom = client.get(reverse("search:feed_atom"))
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert len(ET.fromstring(atom.content).findall("{http://www.w3.org/2005/Atom}entry")) == len(items)


def test_robots_txt_points_crawlers_at_the_sitemap_and_away_from_private_pages(client, db):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text and "Disallow: /resumes/" in text


def test_a_postings_inferred_skills_are_never_shown_as_asked_for(client, postings):
    data_set = postings["data_set"]
    html = client.get(reverse("search:posting", args=[data_set.pk])).content.decode()
    assert "Skills this posting lists: SQL, Tableau</p>" in html and "Outlook" not in html
    assert _jsonld(html)["skills"] == "SQL, Tableau"
    assert client.get(f"/api/v1/postings/{data_set.pk}").json()["skills"] == ["SQL", "Tableau"]
