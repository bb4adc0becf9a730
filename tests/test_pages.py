"""The site's own chrome: error pages in its style (never Django's), a favicon, the admin's names."""

from __future__ import annotations

from django.contrib import admin
from django.template.loader import render_to_string
from django.urls import reverse

from search.models import AlertSettings, ResumeAccess


def test_not_found_and_not_allowed_are_the_sites_pages(client, seeker):
    r = client.get("/jobs/987654321/")
    html = r.content.decode()
    assert r.status_code == 404 and "We could not find that" in html and 'href="/jobs/"' in html
    assert "Traceback" not in html and "Using the URLconf" not in html
    client.force_login(seeker)
    r = client.get(reverse("recruit:dashboard"))
    assert r.status_code == 403 and "This page is not for your account" in r.content.decode()
    assert "recruiters" in r.content.decode()  # the reason the access rule gives


def test_a_server_error_page_stands_alone():
    html = render_to_string("500.html")
    assert "Something went wrong on our side" in html and "{%" not in html and "<link" not in html


def test_the_favicon_is_served_and_linked(client, db):
    r = client.get("/favicon.ico")
    assert r.status_code == 301 and r["Location"].endswith("favicon.svg")
    assert 'rel="icon"' in client.get(reverse("search:browse")).content.decode()


def test_the_admin_names_its_tables_in_english():
    assert str(ResumeAccess._meta.verbose_name_plural) == "resume accesses"
    assert str(AlertSettings._meta.verbose_name_plural) == "alert settings"
    assert admin.site.is_registered(ResumeAccess)


def test_a_postings_pay_must_fit_its_period():
    from search.forms import PostingForm

    base = {"title": "Staff Nurse", "description": "Nights.", "salary_currency": "USD"}
    hourly_fortune = PostingForm(data={**base, "salary_min": 150000, "salary_max": 180000, "salary_period": "HOURLY"})
    assert not hourly_fortune.is_valid()
    assert "Pay per hour is usually between 1 and 1,000: check the period." in hourly_fortune.errors["salary_period"]
    no_period = PostingForm(data={**base, "salary_min": 60000})
    assert not no_period.is_valid() and "per hour, week, month or year" in no_period.errors["salary_period"][0]
    assert PostingForm(data={**base, "salary_min": 60000, "salary_max": 80000, "salary_period": "YEARLY"}).is_valid()
    assert PostingForm(data={**base, "salary_min": 32, "salary_period": "HOURLY"}).is_valid()


def test_a_seekers_minimum_pay_is_given_per_period_and_kept_per_year():
    from search.forms import FiltersForm

    hourly = FiltersForm(data={"min_salary": "40", "pay_period": "HOURLY"})
    assert hourly.is_valid() and hourly.filters.min_salary == 83_200  # 2,080 hours a year
    monthly = FiltersForm(data={"min_salary": "5000", "pay_period": "MONTHLY"})
    assert monthly.is_valid() and monthly.filters.min_salary == 60_000
    yearly = FiltersForm(data={"min_salary": "60000"})
    assert yearly.is_valid() and yearly.filters.min_salary == 60_000  # a year unless told
    fortune = FiltersForm(data={"min_salary": "150000", "pay_period": "HOURLY"})
    assert not fortune.is_valid()
    assert "Pay per hour is between 1 and 1,000: check the amount or the period." in fortune.non_field_errors()
    empty = FiltersForm(data={})
    assert empty.is_valid() and empty.filters.min_salary is None


def test_a_form_too_large_to_read_gets_the_sites_page(client, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    r = client.post(reverse("login"), {"login": "x" * 5000, "password": "y"})
    html = r.content.decode()
    assert r.status_code == 400 and "We could not read that request" in html and "Bad Request" not in html
