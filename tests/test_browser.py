"""A person in headless Chromium: sign up, upload a PDF, see ten postings appear without a reload."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from django.db import connections

from tests.conftest import FIXTURES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# `make screenshots` sets this: the pages the README and docs show are taken from this test run.
SCREENSHOTS = os.environ.get("JOBMATCH_SCREENSHOTS")


def screenshot(page, name: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def assert_accessible(page, where: str) -> None:  # type: ignore[no-untyped-def]
    """axe-core on the page as it stands: no serious or critical violation of its rules (WCAG 2 A and AA,
    and best practice)."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not bad, f"{where}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:4]}" for v in bad
    )


def assert_fits(page, where: str) -> None:  # type: ignore[no-untyped-def]
    """Nothing wider than the screen: no horizontal scroll."""
    width = page.viewport_size["width"]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{where}: the page is {scroll} px wide at {width} px"


@pytest.fixture
def browser_page():
    if CHROMIUM is None:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("chromium is required (REQUIRE_SERVICES=1); `make browser` installs it")
        pytest.skip("chromium is not installed (`make browser` installs it)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls made here are synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(60_000)
        yield page
        browser.close()
        # Inside sync_playwright() Django's connections["default"] is another object than outside it (asgiref's
        # Local follows the event loop's context): the connection the test and its later fixtures used here is
        # not the one Django closes at teardown, and PostgreSQL refuses to drop a test database that a
        # session still holds ("test_test is being accessed by other users" at the end of the run).
        connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def test_sign_up_upload_a_pdf_and_see_ten_postings(corpus_committed, live_server, browser_page, tmp_path):
    page = browser_page
    page.goto(live_server.url)
    assert_accessible(page, "home")
    page.get_by_role("link", name="Create an account").click()
    assert_accessible(page, "sign up")
    page.fill("#id_email", "browser.seeker@example.org")
    page.fill("#id_username", "browser.seeker")
    page.fill("#id_password1", "correct horse 42 battery")
    page.fill("#id_password2", "correct horse 42 battery")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/resumes/")

    page.set_input_files("#id_file", str(FIXTURES / "it-27295996.pdf"))
    page.get_by_role("button", name="Upload and match").click()
    page.wait_for_selector("li.match >> nth=9")
    matches = page.locator("li.match")
    assert matches.count() == 10
    assert page.locator("#status-line").inner_text().strip() == "Done."
    first = matches.nth(0).inner_text()
    assert "Found by" in first
    assert_accessible(page, "a resume's results")
    screenshot(page, "seeker-results", tmp_path)
    # On a phone: the header folds into a menu, nothing is wider than the screen, the first result is in
    # the first screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_selector("li.match >> nth=9")
    assert_fits(page, "results at 390 px")
    assert page.locator("li.match").first.bounding_box()["y"] < 844
    page.get_by_text("Menu").click()
    assert page.get_by_role("link", name="Saved jobs").is_visible()
    assert_accessible(page, "results at 390 px, menu open")
    screenshot(page, "seeker-results-390", tmp_path)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    page.wait_for_selector("li.match >> nth=9")

    # Save and Dismiss act on the card in place: no reload, the others keep their order, the list refills.
    page.evaluate("window.stillHere = true")
    order = page.locator("li.match").evaluate_all("els => els.map(e => e.dataset.posting)")
    matches.nth(0).get_by_role("button", name="Save").click()
    page.wait_for_selector("li.match >> nth=0 >> .tag.saved")
    assert matches.nth(0).get_by_role("button", name="Unsave").count() == 1
    second = matches.nth(1)
    second.locator("select[name=reason]").select_option(index=1)
    second.get_by_role("button", name="Dismiss").click()
    from playwright.sync_api import expect

    expect(page.locator(f'li.match[data-posting="{order[1]}"]')).to_have_count(0)
    expect(page.locator("li.match")).to_have_count(10)
    now = page.locator("li.match").evaluate_all("els => els.map(e => e.dataset.posting)")
    assert now[:9] == [order[0], *order[2:]] and now[9] not in order, (
        order,
        now,
    )  # kept in order, a new one at the end
    assert page.evaluate("window.stillHere") and "Dismissed" in page.locator(".feedback-note").inner_text()
    assert page.locator(".match-count").inner_text() == "10"

    # The keyboard alone reaches a result's actions: Tab from the top of the page to the third card's Save,
    # Enter saves it in place.
    third = page.locator("li.match").nth(2)
    page.locator("body").focus()
    for _ in range(150):
        page.keyboard.press("Tab")
        here = page.evaluate(
            "() => { const e = document.activeElement; const card = e.closest('li.match');"
            " return [e.tagName, e.textContent.trim(), card ? [...card.parentNode.children].indexOf(card) : -1]; }"
        )
        if here == ["BUTTON", "Save", 2]:
            break
    else:
        raise AssertionError("Tab never reached the third result's Save button")
    page.keyboard.press("Enter")
    expect(third.locator(".tag.saved")).to_have_count(1)
    third.get_by_role("button", name="Unsave").click()
    expect(third.locator(".tag.saved")).to_have_count(0)

    # The profile read from the resume is shown, and the seeker corrects it.
    assert "What we read" in page.locator("#profile").inner_text()
    page.get_by_role("link", name="Correct your profile").click()
    page.fill("#id_titles", "Network Administrator")
    page.fill("#id_skills", "Cisco\nJS\nfirewalls")
    page.fill("#id_location", "Minneapolis, MN")
    page.fill("#id_years_experience", "18")
    page.get_by_role("button", name="Save and match again").click()
    page.wait_for_selector("li.match >> nth=9")
    profile = page.locator("#profile").inner_text()
    assert "corrected by you" in profile
    assert "Network Administrator" in profile and "JavaScript" in profile and "Minneapolis, MN" in profile
    assert page.locator("li.match").count() == 10

    # Every result says why; the seeker keeps remote postings only and the page ranks again under it.
    first = page.locator("li.match").nth(0)
    assert first.locator(".why").count() == 1
    text = first.inner_text()
    assert re.search(r"(Strong|Good|Possible) match", text) and first.locator("ul.reasons li").count() >= 2
    first.get_by_text("Why this job?").click()
    assert "What put it high:" in first.inner_text() or "What held it back:" in first.inner_text()
    assert not re.search(r"bm25|fused_rank|Location fit|\d\.\d\d", first.locator(".why").inner_text())  # words
    page.locator("#filters summary").click()
    page.select_option("#id_location_scope", "remote")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_selector("p.filters-note")
    page.wait_for_selector("li.match >> nth=9")
    assert "remote only" in page.locator("p.filters-note").inner_text()
    remote_tags = page.locator("li.match .where .tag", has_text="Remote")
    assert remote_tags.count() == 10  # every result is a remote posting

    # The seeker dismisses the first result as not relevant: it leaves at once and another takes its
    # place; then saves the new first one and finds it under Saved jobs.
    gone = page.locator("li.match h3 a").nth(0).inner_text()
    gone_href = page.locator("li.match h3 a").nth(0).get_attribute("href").split("?")[0]
    first = page.locator("li.match").nth(0)
    first.locator("select[name=reason]").select_option("not_relevant")
    first.get_by_role("button", name="Dismiss").click()
    expect(page.locator(".feedback-note")).to_contain_text("Dismissed")
    expect(page.locator("li.match")).to_have_count(10)
    hrefs = [a.get_attribute("href") for a in page.locator("li.match h3 a").all()]
    assert len(hrefs) == 10 and gone_href not in [h.split("?")[0] for h in hrefs]
    kept = page.locator("li.match h3 a").nth(0).inner_text()
    page.locator("li.match").nth(0).get_by_role("button", name="Save").click()
    page.wait_for_selector("li.match >> nth=0 >> .tag.saved")
    page.get_by_role("link", name="Saved jobs").click()
    assert kept in page.locator("ul.my-postings").inner_text()
    assert_accessible(page, "saved jobs")
    page.get_by_role("link", name="Dismissed").click()
    assert gone in page.locator("ul.my-postings").inner_text()

    # A file that is not a resume is refused on the page with a message.
    bad = tmp_path / "photo.pdf"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    page.goto(live_server.url + "/resumes/")
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="Upload and match").click()
    assert "We accept PDF, Word (.docx), OpenDocument (.odt), RTF or plain-text" in page.locator(".error").inner_text()


def _log_in(page, base: str, login: str, password: str, totp_secret: str | None = None) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + "/accounts/login/")
    page.fill("#id_login", login)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Sign In").click()
    if totp_secret is not None:  # the second step: a code from the authenticator app
        page.wait_for_selector("#id_code")
        page.fill("#id_code", _totp_code(totp_secret, fresh=True))
        page.get_by_role("button", name="Sign In").click()


_used_codes: set[str] = set()


def _totp_code(secret: str, *, fresh: bool = False) -> str:
    """What an authenticator app shows now; `fresh`: wait for a code not used yet (each works once)."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    while True:
        code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
        if not fresh or code not in _used_codes:
            _used_codes.add(code)
            return code
        time.sleep(1)


def _verify_email(page, address: str) -> None:  # type: ignore[no-untyped-def]
    """Open the confirmation link of the newest mail to `address` (Django's test outbox) and confirm."""
    import re

    from django.core import mail

    message = [m for m in mail.outbox if address in m.to][-1]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()


def _log_out(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/")


def test_a_recruiter_posts_a_job_and_moves_a_discoverable_seeker_through_the_pipeline(  # type: ignore[no-untyped-def]
    corpus_committed, live_server, browser_page, org_a, tmp_path
):
    from search.models import CandidateDecision, Membership
    from tests.conftest import person
    from tests.search.personas import NURSE, POSTING

    Membership.objects.create(user=person("rita.recruiter"), organisation=org_a)  # no second factor yet
    page, base = browser_page, live_server.url
    _log_in(page, base, "rita.recruiter@example.org", "correct horse battery 9")
    page.wait_for_url("**/recruit/")
    page.get_by_role("link", name="Post a job").click()
    page.fill("#id_title", POSTING["title"])
    page.fill("#id_location", POSTING["location"])
    page.fill("#id_description", POSTING["description"])
    page.select_option("#id_work_type", "Full-time")
    page.get_by_role("button", name="Save posting").click()
    # Candidates are people's resumes: a recruiter sets up two-factor authentication before seeing them
    # (her password asked again first).
    page.wait_for_url("**/accounts/reauthenticate/**")
    assert "two-factor authentication first" in page.content()
    page.fill("#id_password", "correct horse battery 9")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    secret = page.input_value("#authenticator_secret")
    page.fill("#id_code", _totp_code(secret, fresh=True))
    page.get_by_role("button", name="Activate").click()
    page.goto(base + "/recruit/")
    page.locator("a", has_text=POSTING["title"]).first.click()
    page.wait_for_selector("h2:has-text('Best candidates')")
    assert "Acme Health" in page.locator("p.where").inner_text()  # the organisation's name by default
    posting_url = page.url
    _log_out(page)

    # A seeker signs up with her email address, verifies it, uploads a resume and makes it discoverable.
    page.goto(base + "/accounts/signup/")
    page.fill("#id_email", "maria.lopez@example.org")
    page.fill("#id_password1", "correct horse 42 battery")
    page.fill("#id_password2", "correct horse 42 battery")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/resumes/")
    _verify_email(page, "maria.lopez@example.org")
    page.goto(base + "/resumes/")
    cv = tmp_path / "maria.txt"
    cv.write_text(NURSE)
    page.set_input_files("#id_file", str(cv))
    page.get_by_role("button", name="Upload and match").click()
    page.wait_for_selector("li.match >> nth=0")
    assert "Private" in page.locator("#visibility").inner_text()
    page.get_by_role("button", name="Let recruiters find me").click()
    assert "Discoverable" in page.locator("#visibility").inner_text()
    _log_out(page)

    # The recruiter signs in with her password and a code, finds her among the candidates, with reasons in
    # words, and takes her into the pipeline with a note.
    _log_in(page, base, "rita.recruiter", "correct horse battery 9", totp_secret=secret)
    page.wait_for_url("**/recruit/")
    assert_accessible(page, "the recruiter's postings")
    page.goto(posting_url)
    page.wait_for_selector('#candidates-progress[data-pending="0"]')  # the ranking done (the page reloads itself)
    candidate = page.locator("li.candidate", has_text="Maria Lopez")
    candidate.wait_for()
    why = candidate.locator(".why").inner_text()
    assert "Epic Systems" in why and "Registered Nurses" in why and "skills the posting lists" in why
    assert not re.search(r"Location fit|score|\d\.\d\d", why)  # words, not numbers
    candidate.locator("select[name=stage]").select_option("screening")
    candidate.locator("input[name=note]").fill("Strong ICU background; call this week")
    candidate.get_by_role("button", name="Add to pipeline").click()
    page.wait_for_selector("li.candidate .tag.stage-screening")
    decision = CandidateDecision.objects.get()
    assert decision.status == "screening" and decision.note == "Strong ICU background; call this week"
    assert_accessible(page, "a posting's candidates")
    screenshot(page, "recruiter-candidates", tmp_path)

    # The pipeline: a board by stage and the funnel; she moves Maria on with the keyboard alone.
    page.get_by_role("link", name="Pipeline", exact=True).click()
    page.wait_for_selector("svg.chart")
    column = page.locator("section.column.stage-screening")
    assert "Maria Lopez" in column.inner_text()
    stage = column.locator("select[name=stage]")
    stage.focus()
    page.keyboard.press("ArrowDown")  # Screening -> Interview
    assert stage.input_value() == "interview"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("section.column.stage-interview li.board-card")
    assert "Maria Lopez" in page.locator("section.column.stage-interview").inner_text()
    assert "Interview 1" in page.locator("svg.chart desc").text_content()
    assert_accessible(page, "a posting's pipeline")
    screenshot(page, "recruiter-pipeline", tmp_path)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert_fits(page, "the pipeline at 390 px")
    screenshot(page, "recruiter-pipeline-390", tmp_path)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Her page: the stage, a move to Offer and then Hired with a note, the history of every step.
    page.goto(posting_url)
    page.locator("li.candidate", has_text="Maria Lopez").get_by_role("link", name="Maria Lopez").click()
    page.wait_for_selector("h2:has-text('Stage: Interview')")
    for step, note in (("offer", ""), ("hired", "Starts on the 1st")):
        page.select_option("#id_stage", step)
        page.fill("#id_note", note)
        page.get_by_role("button", name="Save").click()
        page.wait_for_selector(f"h2:has-text('Stage: {step.title()}')")
    history = page.locator("ol.history").inner_text()
    assert "to hired" in history and "from interview to offer" in history and "Starts on the 1st" in history
    assert "Strong ICU background; call this week" in history
    assert_accessible(page, "a candidate")
    screenshot(page, "recruiter-candidate", tmp_path)

    # The pipeline downloads as CSV.
    page.goto(posting_url)
    with page.expect_download() as download:
        page.get_by_role("link", name="Export the pipeline (CSV)").click()
    text = download.value.path().read_text()
    assert "Maria Lopez" in text and "hired" in text and "Starts on the 1st" in text
    _log_out(page)

    # An admin's overview of the site, at a desktop's width and a phone's.
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    admin_secret = generate_totp_secret()
    TOTP.activate(person("ada.admin", is_staff=True, is_superuser=True), admin_secret)
    _log_in(page, base, "ada.admin", "correct horse battery 9", totp_secret=admin_secret)
    page.goto(base + "/recruit/overview/")
    page.wait_for_selector("svg.chart.weekly")
    assert "Resumes received" in page.inner_text("main") and "open postings" in page.inner_text("ul.tiles")
    assert_accessible(page, "the admin's overview")
    screenshot(page, "admin-overview", tmp_path)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert_fits(page, "the overview at 390 px")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_visitor_searches_from_the_home_page_and_opens_a_posting(
    corpus_committed, live_server, browser_page, search_service, tmp_path
):
    """No account: search "nurse remote" on the home page, at a desktop's width and a phone's, page through
    nothing wider than the screen, open a result and find its schema.org JobPosting."""
    import json

    page = browser_page
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url)
        page.fill("input[name=q]", "nurse remote")
        page.get_by_role("button", name="Search").click()
        page.wait_for_selector("li.posting-item")
        count = page.inner_text("p.count")
        assert "for “nurse” · remote · best match first" in count, count
        titles = page.locator("li.posting-item h3").all_inner_texts()
        assert titles and "nurse" in titles[0].lower()
        assert all("Remote" in t for t in page.locator("li.posting-item p.where").all_inner_texts())
        assert_fits(page, f"public search at {width} px")
        assert_accessible(page, f"public search at {width} px")
        screenshot(page, f"public-search-{width}", tmp_path)
    page.locator("li.posting-item h3 a").first.click()
    page.wait_for_selector("h1")
    data = json.loads(page.locator("script[type='application/ld+json']").inner_text())
    assert data["@type"] == "JobPosting" and data["title"] == page.inner_text("h1")
    assert data["jobLocationType"] == "TELECOMMUTE"
    assert_accessible(page, "a posting")


def test_the_profile_appears_when_the_resume_has_been_read(corpus_committed, live_server, browser_page):
    """The page drawn while the worker reads the resume shows what was read once it is done, without a reload."""
    from playwright.sync_api import expect

    from resumes.models import Resume
    from tests.conftest import make_resume, person

    seeker = person("paula.pending")
    resume = make_resume(seeker, text="Paula Pending\nRegistered Nurse\nBoston, MA")
    Resume.objects.filter(pk=resume.pk).update(status=Resume.Status.PROCESSING, profile=None)
    page = browser_page
    _log_in(page, live_server.url, "paula.pending", "correct horse battery 9")
    page.goto(f"{live_server.url}/resumes/{resume.public_id}/")
    expect(page.locator("#status-line")).to_contain_text("Processing")
    assert page.locator("#profile").count() == 0
    page.evaluate("window.stillHere = true")
    Resume.objects.filter(pk=resume.pk).update(
        status=Resume.Status.DONE, profile={"name": "Paula Pending", "titles": ["Registered Nurse"], "skills": []}
    )
    expect(page.locator("#profile")).to_contain_text("Registered Nurse", timeout=15_000)
    expect(page.locator(".resume-links")).to_contain_text("What we read")
    assert page.evaluate("window.stillHere") and page.locator("#status-line").inner_text().strip() == "Done."
