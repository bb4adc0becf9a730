"""Upload limits before the bytes are trusted, and the web's security basics (CSRF, login, headers, deploy check)."""

from __future__ import annotations

import io
import os
import re
import secrets
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from resumes.models import Resume
from resumes.uploads import UploadLimitMiddleware
from tests import hostile
from tests.conftest import FIXTURES, ROOT

PDF_BYTES = (FIXTURES / "it-27295996.pdf").read_bytes()


def _upload(client, name, data, capture):
    with capture(execute=True):
        return client.post(reverse("resumes:list"), {"file": SimpleUploadedFile(name, data)})


# --- size: refused on the declared length, before the body is read ----------------------------------


class _Body(io.BytesIO):
    """A request body that records whether anyone read it."""

    read_calls = 0

    def read(self, *args):  # type: ignore[no-untyped-def]
        type(self).read_calls += 1
        return super().read(*args)


def test_a_50_mb_upload_is_refused_with_413_naming_the_limit_and_its_body_is_never_read(seeker, settings):
    body = _Body(b"x" * (50 * 1024 * 1024))
    request = RequestFactory().generic(
        "POST",
        reverse("resumes:list"),
        content_type="multipart/form-data; boundary=BoUnDaRy",
        data=b"",
    )
    request.META["CONTENT_LENGTH"] = str(50 * 1024 * 1024)
    request.META["wsgi.input"] = body
    request._stream = body  # what Django would read the body from
    before = set(settings.UPLOAD_DIR.glob("*")) if settings.UPLOAD_DIR.exists() else set()

    def view(_request):  # pragma: no cover - must not be reached
        raise AssertionError("the view ran")

    response = UploadLimitMiddleware(view)(request)
    assert response.status_code == 413
    assert "larger than 5 MB, the limit for a resume" in response.content.decode()
    assert "Connection" not in response  # a hop-by-hop header: the WSGI server's to set (PEP 3333)
    assert _Body.read_calls == 0
    assert (set(settings.UPLOAD_DIR.glob("*")) if settings.UPLOAD_DIR.exists() else set()) == before


def test_an_oversize_upload_through_the_whole_stack_gets_413_and_nothing_is_stored(seeker_client, corpus):
    r = seeker_client.post(
        reverse("resumes:list"), {"file": SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (6 * 1024 * 1024))}
    )
    assert r.status_code == 413 and "the limit for a resume" in r.content.decode()
    assert not Resume.objects.exists()


def test_other_posts_are_not_held_to_the_resume_limit(admin_user, client):
    client.force_login(admin_user)
    r = client.post(reverse("recruit:import_new"), {"note": "x" * (6 * 1024 * 1024)})
    assert r.status_code != 413


# --- names: never reach the file system, always shown escaped ----------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../../../etc/cron.d/evil.pdf",
        "..\\..\\windows\\evil.pdf",
        "cv\x00.pdf",
        "A" * 300 + ".pdf",
        "resume\u202efdp.exe.pdf",
        '<img src=x onerror="alert(1)">.pdf',
    ],
    ids=["dot-dot", "backslashes", "nul", "300-chars", "rtl-override", "markup"],
)
def test_hostile_file_names_never_reach_the_file_system_and_are_shown_escaped(
    name, seeker_client, corpus, django_capture_on_commit_callbacks, settings
):
    r = _upload(seeker_client, name, PDF_BYTES, django_capture_on_commit_callbacks)
    assert r.status_code == 302, r.content.decode()[:500]
    resume = Resume.objects.get()
    assert re.fullmatch(r"[0-9a-f]{32}", resume.stored_name)
    assert (settings.UPLOAD_DIR / resume.stored_name).is_file()
    shown = resume.original_name
    assert "/" not in shown and "\\" not in shown and "\x00" not in shown and "\u202e" not in shown
    assert 0 < len(shown) <= 200
    page = seeker_client.get(reverse("resumes:list")).content.decode()
    assert "<img src=x" not in page
    if "img" in name:
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;.pdf" in page
    download = seeker_client.get(reverse("resumes:file", args=[resume.public_id]))
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;") and "/" not in disposition and "\u202e" not in disposition


# --- one at a time, and a limit per hour ---------------------------------------------------------------


def test_a_second_upload_while_the_first_is_being_received_gets_429(seeker, seeker_client, corpus):
    cache.add(f"jobmatch:upload-lock:{seeker.pk}", 1, timeout=60)  # the first upload holds the slot
    r = seeker_client.post(reverse("resumes:list"), {"file": SimpleUploadedFile("cv.pdf", PDF_BYTES)})
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    assert "Another upload of yours is still being received" in r.content.decode()
    assert not Resume.objects.exists()


def test_uploads_past_the_hourly_limit_get_429_with_a_retry_time(
    seeker_client, corpus, django_capture_on_commit_callbacks, settings
):
    settings.RESUME_UPLOADS_PER_HOUR = 2
    for _ in range(2):
        assert _upload(seeker_client, "cv.pdf", PDF_BYTES, django_capture_on_commit_callbacks).status_code == 302
    r = _upload(seeker_client, "cv.pdf", PDF_BYTES, django_capture_on_commit_callbacks)
    assert r.status_code == 429
    assert 0 < int(r["Retry-After"]) <= 3600
    assert "You have uploaded 2 resumes in the past hour, the limit" in r.content.decode()
    assert Resume.objects.count() == 2


def test_the_upload_slot_is_released_after_a_refused_upload(seeker_client, corpus, django_capture_on_commit_callbacks):
    assert _upload(seeker_client, "empty.txt", b"", django_capture_on_commit_callbacks).status_code == 400
    assert _upload(seeker_client, "cv.pdf", PDF_BYTES, django_capture_on_commit_callbacks).status_code == 302


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("utf-16", "Zoë Müller, Köln. Senior accountant, ten years."),
        ("latin-1", "José Núñez, Bogotá. Chef de cuisine."),
    ],
)
def test_text_files_in_utf16_or_latin1_are_decoded(
    encoding, text, seeker_client, corpus, django_capture_on_commit_callbacks
):
    body = (text + "\nExperience: ledgers, audits, payroll, budgeting, and reporting for clients.\n").encode(encoding)
    assert _upload(seeker_client, "cv.txt", body, django_capture_on_commit_callbacks).status_code == 302
    resume = Resume.objects.get()
    assert resume.status == Resume.Status.DONE and text.split(",")[0] in resume.text


# --- the web's basics ----------------------------------------------------------------------------------


def test_every_page_carries_the_security_headers(client, seeker_client):
    for c, url in [(client, reverse("login")), (seeker_client, reverse("resumes:list"))]:
        r = c.get(url)
        csp = r["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert r["X-Content-Type-Options"] == "nosniff"
        assert r["X-Frame-Options"] == "DENY"
        assert r["Referrer-Policy"] == "same-origin"


def test_templates_carry_no_inline_script_style_or_event_handler_the_policy_would_block():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        source = path.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"<style\b", r"\sstyle=", r"\son[a-z]+=", r"javascript:"):
            if re.search(pattern, source, re.I):
                offenders.append(f"{path.name}: {pattern}")
    assert not offenders


def test_every_post_form_carries_the_csrf_token_and_only_the_signed_unsubscribe_is_exempt():
    for path in (ROOT / "templates").rglob("*.html"):
        for form in re.findall(r"<form\b[^>]*>.*?</form>", path.read_text(), re.S | re.I):
            if re.search(r'method="post"', form, re.I):
                assert "{% csrf_token %}" in form, f"{path.name}: a POST form without the CSRF token"
    exempt = []
    for path in [*ROOT.glob("resumes/*.py"), *ROOT.glob("search/*.py"), *ROOT.glob("jobmatch/*.py")]:
        for match in re.finditer(r"@csrf_exempt[^\n]*\n(?:@[^\n]*\n)*def (\w+)", path.read_text()):
            exempt.append(match.group(1))
    assert exempt == ["alert_unsubscribe"]


# Probes for an orchestrator and a scraper: they say what is up, nothing about anyone (/metrics takes a
# bearer token when JOBMATCH_METRICS_TOKEN is set).
PUBLIC = {"home", "signup", "login", "logout", "search:unsubscribe", "healthz", "readyz", "metrics"}
# allauth's pages for someone not signed in: logging in, signing up, resetting a password, and the notices
# that follow them (an inactive account, a verification or reset mail sent, a password set).
PUBLIC |= {
    "account_login",
    "account_signup",
    "account_inactive",
    "account_email_verification_sent",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key_done",
    "account_logout",  # someone not signed in is sent home
}
# The public job board: open postings, their feeds, and what crawlers read.
PUBLIC |= {"search:posting", "search:feed", "search:feed_atom", "sitemap", "sitemap_section", "robots"}
# Public search and the pasted fit (tests/search/test_public_search.py).
PUBLIC |= {"search:browse", "search:fit", "favicon"}
# The public API: open postings and its schema (tests/search/test_api.py).
PUBLIC |= {"api:openapi-json", "api:postings_list", "api:postings_read", "api:api-root", "api:openapi-view", "api_docs"}
# The other API operations answer an anonymous caller 401 (checked below), and share their paths with the
# public reads where they write to them.


def _names(resolver: URLResolver, prefix: str = "") -> list[tuple[str, str]]:
    out = []
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue
            out += _names(p, f"{prefix}{p.namespace}:" if p.namespace else prefix)
        elif isinstance(p, URLPattern) and p.name:
            out.append((f"{prefix}{p.name}", str(p.pattern)))
    return out


def test_every_private_page_sends_an_anonymous_visitor_to_the_login(client, db):
    import uuid

    from django.urls import NoReverseMatch

    checked = 0
    for name, pattern in _names(get_resolver()):
        if name in PUBLIC:
            continue
        args = []
        for converter in re.findall(r"<(\w+):\w+>", pattern):
            args.append({"uuid": uuid.uuid4(), "int": 1, "str": "x", "slug": "x"}[converter])
        try:
            url = reverse(name, args=args)
        except NoReverseMatch:
            continue
        if name.startswith("api:"):  # the API refuses with 401 (a token is wanted), not a login page
            public_reads = {reverse("api:postings_list"), reverse("api:postings_read", args=[1])}
            for method in ("get", "post", "patch"):
                r = getattr(client, method)(url, content_type="application/json")
                if method == "get" and url in public_reads:
                    assert r.status_code in (200, 404), f"{method} {name}: {r.status_code}"
                else:
                    assert r.status_code in (401, 405), f"{method} {name}: {r.status_code}"
            checked += 1
            continue
        for method in ("get", "post"):
            r = getattr(client, method)(url)
            assert r.status_code in (302, 405), f"{method} {name}: {r.status_code}"
            if r.status_code == 302:
                assert r["Location"].startswith(reverse("login")), f"{name} -> {r['Location']}"
        checked += 1
    assert checked >= 30


def test_check_deploy_with_the_production_settings_reports_nothing(tmp_path):
    from tests.test_settings import PROD

    env = {**os.environ, **PROD, "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "JOBMATCH_DATA_DIR": str(tmp_path)}
    r = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "System check identified no issues" in r.stdout


def test_the_hostile_corpus_module_builds_valid_pdfs():
    """The generators are part of the tests' truth: an ordinary one must read as a resume would."""
    from resumes.extract import PDF, extract_text

    assert "Senior Accountant" in extract_text(hostile.text_pdf(), PDF)


def test_pages_and_downloads_for_a_signed_in_user_are_never_stored_public_ones_may_be(client, seeker):
    from tests.conftest import make_resume

    resume = make_resume(seeker, text="Registered nurse, ten years in the ICU at Boston General.")
    assert "no-store" not in client.get(reverse("search:browse")).get("Cache-Control", "")
    client.force_login(seeker)
    for url in (
        reverse("resumes:list"),
        reverse("resumes:detail", args=[resume.public_id]),
        reverse("resumes:file", args=[resume.public_id]),
        reverse("search:saved"),
        reverse("account"),
    ):
        r = client.get(url)
        assert r.status_code == 200 and "no-store" in r["Cache-Control"] and "private" in r["Cache-Control"], url


def test_a_refused_request_is_logged_in_one_line_without_a_traceback(client, seeker):
    import logging

    from jobmatch.observability import RefusalWithoutTracebackFilter

    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if RefusalWithoutTracebackFilter().filter(record):
                records.append(record)

    handler = Keep()
    logging.getLogger("django.request").addHandler(handler)
    try:
        client.force_login(seeker)
        assert client.get(reverse("recruit:dashboard")).status_code == 403
    finally:
        logging.getLogger("django.request").removeHandler(handler)
    (refusal,) = [r for r in records if getattr(r, "status_code", None) == 403]
    assert refusal.exc_info is None and "Forbidden" in refusal.getMessage()


def test_markup_anywhere_in_the_first_kilobyte_is_a_web_page_and_downloads_keep_their_real_type():
    from resumes.extract import ExtractionError, sniff_content_type
    from resumes.views import download_name

    page = b"Jane Doe, accountant\nTen years of ledgers.\n<script>alert(1)</script>\n"
    with pytest.raises(ExtractionError) as err:
        sniff_content_type(page, "cv.txt")
    assert err.value.code == "unsupported_type" and "web page" in err.value.message
    assert sniff_content_type(b"Jane Doe <jane@example.com>, accountant: ledgers", "cv.txt") == "text/plain"
    assert download_name("cv.html", "text/plain") == "cv.txt"
    assert download_name("Jane Doe.PDF", "application/pdf") == "Jane Doe.PDF"
    assert download_name("resume", "text/plain") == "resume.txt"


def test_the_upload_quota_slides_over_the_last_hour_and_refusals_do_not_spend_it(
    seeker_client, corpus, django_capture_on_commit_callbacks, settings, monkeypatch
):
    import time

    from jobmatch import limits

    settings.RESUME_UPLOADS_PER_HOUR = 2
    now = [time.time()]
    monkeypatch.setattr(limits, "_now", lambda: now[0])
    for _ in range(3):  # refused uploads (an empty file) cost nothing
        assert _upload(seeker_client, "empty.txt", b"", django_capture_on_commit_callbacks).status_code == 400
    assert _upload(seeker_client, "cv.pdf", PDF_BYTES, django_capture_on_commit_callbacks).status_code == 302
    now[0] += 40 * 60
    assert _upload(seeker_client, "cv.pdf", PDF_BYTES, django_capture_on_commit_callbacks).status_code == 302
    now[0] += 10 * 60  # 50 minutes after the first: a clock hour may have turned, the last hour still holds two
    r = _upload(seeker_client, "cv.pdf", PDF_BYTES, django_capture_on_commit_callbacks)
    assert r.status_code == 429 and 590 <= int(r["Retry-After"]) <= 601  # the first leaves the hour in 10 min
    now[0] += 11 * 60
    assert _upload(seeker_client, "cv.pdf", PDF_BYTES, django_capture_on_commit_callbacks).status_code == 302


def test_a_body_streamed_without_a_length_is_refused_411_and_never_read(client, db):
    body = _Body(b"x" * (1024 * 1024))
    _Body.read_calls = 0
    request = RequestFactory().generic("POST", reverse("login"), data=b"", content_type="text/plain")
    request.META.pop("CONTENT_LENGTH", None)
    request.META["HTTP_TRANSFER_ENCODING"] = "chunked"
    request.META["wsgi.input"] = body
    request._stream = body

    def view(_request):  # pragma: no cover - must not be reached
        raise AssertionError("the view ran")

    response = UploadLimitMiddleware(view)(request)
    assert response.status_code == 411 and "Content-Length" in response.content.decode()
    assert _Body.read_calls == 0
    r = client.post("/api/v1/match", data=b"", content_type="application/json", HTTP_TRANSFER_ENCODING="chunked")
    assert r.status_code == 411 and "chunked" in r.json()["detail"]


def test_every_request_body_has_a_limit_refused_before_it_is_read(client, db, recruiter):
    huge = str(300 * 1024 * 1024)  # what the header claims; the test sends a few bytes, nothing reads them
    r = client.post(reverse("login"), {"login": "x", "password": "y"}, CONTENT_LENGTH=huge)
    assert r.status_code == 413 and "larger than 2 MB, the most a form here takes" in r.content.decode()
    assert "Too large to take" in r.content.decode() and "Back to the start" in r.content.decode()
    r = client.post("/api/v1/match", data=b"{}", content_type="application/json", CONTENT_LENGTH=huge)
    assert r.status_code == 413 and "larger than 2 MB" in r.json()["detail"]
    client.force_login(recruiter)
    r = client.post(
        reverse("recruit:import_new"), {"file": SimpleUploadedFile("p.csv", b"id,title\n")}, CONTENT_LENGTH=huge
    )
    assert r.status_code == 413 and "larger than 20 MB, the limit" in r.content.decode()
    # Each path has its own limit: a postings file may be 20 MB, a resume 5 MB, a form 2 MB.
    from resumes.uploads import MULTIPART_OVERHEAD, body_limit

    factory = RequestFactory()
    limits = {
        path: body_limit(factory.post(path))[0] - MULTIPART_OVERHEAD
        for path in (reverse("recruit:import_new"), reverse("resumes:list"), "/api/v1/match/file", reverse("login"))
    }
    assert list(limits.values()) == [20 * 1024 * 1024, 5 * 1024 * 1024, 5 * 1024 * 1024, 2 * 1024 * 1024]
