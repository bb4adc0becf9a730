"""The public API (/api/v1/): open postings listed, filtered, paged and read; closed ones nowhere; an
OpenAPI schema; anonymous callers limited per IP."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from search.models import JobPosting
from tests.search.test_public import postings  # noqa: F401  (the fixture)


def test_the_list_holds_open_postings_newest_first_in_pages_with_counts(client, postings):  # noqa: F811
    r = client.get("/api/v1/postings")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == JobPosting.objects.open().count() and body["page"] == 1
    assert body["pages"] == -(-body["count"] // 20) and len(body["results"]) == min(20, body["count"])
    ids = [p["id"] for p in body["results"]]
    assert ids[:2] == [postings["data_set"].pk, postings["site"].pk]
    assert postings["closed"].pk not in ids and postings["withdrawn"].pk not in ids
    last = client.get(f"/api/v1/postings?page={body['pages']}").json()
    assert len(last["results"]) == body["count"] - 20 * (body["pages"] - 1)
    assert client.get(f"/api/v1/postings?page={body['pages'] + 1}").status_code == 404


def test_filters_narrow_the_list(client, postings):  # noqa: F811
    def ids(query):  # type: ignore[no-untyped-def]
        return {p["id"] for p in client.get("/api/v1/postings?" + query).json()["results"]}

    assert postings["data_set"].pk in ids("remote=true&work_type=Contract")
    assert all(JobPosting.objects.get(pk=i).remote for i in ids("remote=true"))
    nurses = ids("q=nurse&location=boston")
    assert postings["site"].pk in nurses
    assert all("nurse" in JobPosting.objects.get(pk=i).title.lower() for i in nurses)
    assert all("boston" in JobPosting.objects.get(pk=i).location.lower() for i in nurses)
    assert postings["site"].pk in ids("min_pay=95000&q=nurse")  # 90,000-120,000 a year reaches 95,000
    assert postings["site"].pk not in ids("min_pay=150000&q=nurse")
    assert postings["site"].pk in ids("level=Mid-Senior%20level&level=Director")


def test_one_posting_reads_with_its_fields_and_a_closed_one_is_not_found(client, postings):  # noqa: F811
    site = client.get(f"/api/v1/postings/{postings['site'].pk}").json()
    assert site["company"] == "Acme Health" and site["salary_max"] == 120000 and site["apply_here"] is True
    assert site["url"] == f"http://testserver/jobs/{postings['site'].pk}/"
    assert site["job_functions"] == ["Health Care Provider"]
    assert client.get(f"/api/v1/postings/{postings['closed'].pk}").status_code == 404
    assert client.get("/api/v1/postings/999999").status_code == 404


def test_the_openapi_schema_describes_the_endpoints(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "JobMatch API"
    assert {"/api/v1/postings", "/api/v1/postings/{posting_id}"} <= set(schema["paths"])


def test_anonymous_callers_are_limited_per_ip(client, db, monkeypatch):
    from search import api

    throttle = api.api.throttle[0]
    monkeypatch.setattr(throttle, "num_requests", 3)
    cache.clear()
    codes = [client.get("/api/v1/postings").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


@pytest.mark.parametrize("bad", ["page=0", "min_pay=abc", "remote=maybe"])
def test_bad_parameters_get_a_named_error_not_a_500(client, db, bad):
    r = client.get("/api/v1/postings?" + bad)
    assert r.status_code in (404, 422) and r.json().get("detail")
