"""Accounts through allauth, with mail over real SMTP (aiosmtpd, started here): sign-up and verification,
password reset, alerts only to a verified address, invitations by mail, two-factor authentication for
staff, throttled logins, and accounts made before email addresses were asked for."""

from __future__ import annotations

import re
from email import message_from_bytes
from email.message import Message

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from search.models import Application, JobPosting, Membership
from tests.conftest import free_port, make_resume, person

PASSWORD = "correct horse 42 battery"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        message = message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]

    def body(self, message: Message) -> str:
        part = message.get_body(("plain",)) if hasattr(message, "get_body") else None
        payload = (part or message).get_payload(decode=True)
        if payload is None:
            payload = next(p.get_payload(decode=True) for p in message.walk() if p.get_content_type() == "text/plain")
        return payload.decode()

    def link(self, address: str, pattern: str) -> str:
        body = self.body(self.to(address)[-1])
        return re.search(rf"https?://[^\s]*{pattern}[^\s]*", body).group(0)


@pytest.fixture
def smtp(settings):  # type: ignore[no-untyped-def]
    from aiosmtpd.controller import Controller

    port = free_port()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    yield inbox
    controller.stop()


def _path(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def test_sign_up_sends_a_verification_mail_whose_link_verifies_the_address(client, smtp, db):
    r = client.post(reverse("signup"), {"email": "nina@example.org", "password1": PASSWORD, "password2": PASSWORD})
    assert r.status_code == 302
    address = EmailAddress.objects.get(email="nina@example.org")
    assert not address.verified and address.primary
    link = smtp.link("nina@example.org", "/accounts/confirm-email/")
    assert client.get(_path(link)).status_code == 200  # a page with a button: a mail scanner's GET verifies nothing
    address.refresh_from_db()
    assert not address.verified
    client.post(_path(link))
    address.refresh_from_db()
    assert address.verified


def test_a_forgotten_password_is_reset_from_the_mail(client, smtp, seeker):
    r = client.post(reverse("account_reset_password"), {"email": "sam.seeker@example.org"})
    assert r.status_code == 302
    link = _path(smtp.link("sam.seeker@example.org", "/accounts/password/reset/key/"))
    form_url = client.get(link)["Location"]  # allauth moves the key out of the address into the session
    r = client.post(form_url, {"password1": "a whole new passphrase 7", "password2": "a whole new passphrase 7"})
    assert r.status_code == 302
    client.logout()
    r = client.post(reverse("login"), {"login": "sam.seeker@example.org", "password": "a whole new passphrase 7"})
    assert r.status_code == 302 and client.get(reverse("account")).status_code == 200


def test_job_alerts_reach_the_verified_address_over_smtp(smtp, corpus, seeker):
    from search.matching import digests
    from tests.search.matching.test_digests import arrive_postings, subscribe

    subscribe(seeker)
    arrive_postings()
    run = digests.alerts_send()
    assert run.sent == 1
    (mail,) = smtp.to("sam.seeker@example.org")
    assert "new job" in mail["Subject"] and "unsubscribe" in smtp.body(mail).lower()


def test_an_invitation_made_on_the_page_is_emailed_with_its_link(client, smtp, recruiter, settings):
    settings.JOBMATCH_SITE_URL = "https://jobs.example.org"
    client.force_login(recruiter)
    r = client.post(reverse("recruit:invitations"), {"role": "recruiter", "email": "colleague@example.org"})
    assert r.status_code == 302
    link = smtp.link("colleague@example.org", "/accounts/signup/")
    assert link.startswith("https://jobs.example.org/accounts/signup/?invitation=")
    page = client.get(reverse("recruit:invitations")).content.decode()
    assert "Invitation emailed to colleague@example.org" in page and link in page  # and shown, to copy


def test_a_resume_becomes_discoverable_only_once_the_address_is_verified(client, db):
    seeker = person("new.seeker", verified=False)
    resume = make_resume(seeker, text="Registered nurse, ICU, 6 years")
    client.force_login(seeker)
    r = client.post(reverse("search:resume_visibility", args=[resume.public_id]), {"discoverable": "1"}, follow=True)
    resume.refresh_from_db()
    assert not resume.discoverable and "Verify your email address first" in r.content.decode()
    EmailAddress.objects.filter(user=seeker).update(verified=True)
    client.post(reverse("search:resume_visibility", args=[resume.public_id]), {"discoverable": "1"})
    resume.refresh_from_db()
    assert resume.discoverable


def test_the_alerts_page_says_when_the_address_is_not_verified(client, db):
    seeker = person("new.seeker", verified=False)
    client.force_login(seeker)
    r = client.post(reverse("search:alerts"), {"frequency": "daily"}, follow=True)
    page = r.content.decode()
    assert "no alert is sent until you verify your email address" in page
    assert "Job alerts on" not in page


def test_staff_open_candidates_and_the_admin_only_with_two_factor_authentication(client, org_a, seeker):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    rita = person("rita.nomfa")
    Membership.objects.create(user=rita, organisation=org_a)
    ada = person("ada.nomfa", is_staff=True, is_superuser=True)
    posting = JobPosting.objects.create(source=org_a.source, external_id="m1", title="Nurse", organisation=org_a)
    resume = make_resume(seeker, text="Registered nurse")
    Application.objects.create(resume=resume, posting=posting)
    pages = [
        reverse("recruit:posting", args=[posting.pk]),
        reverse("recruit:candidate", args=[posting.pk, resume.public_id]),
        reverse("recruit:candidate_file", args=[posting.pk, resume.public_id]),
        reverse("recruit:pipeline", args=[posting.pk]),
        reverse("recruit:pipeline_csv", args=[posting.pk]),
    ]
    unverified = person("rex.unverified", verified=False)
    Membership.objects.create(user=unverified, organisation=org_a)
    client.force_login(unverified)  # a second factor needs a verified address first (allauth's rule)
    assert client.get(pages[0])["Location"] == reverse("account_email")
    for user, urls in ((rita, pages), (ada, [*pages, reverse("admin:index")])):
        client.force_login(user)
        for url in urls:
            r = client.get(url)
            assert r.status_code == 302 and r["Location"] == reverse("mfa_activate_totp"), url
        assert client.get(reverse("recruit:dashboard")).status_code == 200  # postings themselves stay open
        TOTP.activate(user, generate_totp_secret())
        for url in urls:
            assert client.get(url).status_code == 200, url


def test_ten_wrong_passwords_lock_the_account_for_a_while_with_a_clear_message(client, seeker, settings):
    for _ in range(10):
        r = client.post(reverse("login"), {"login": "sam.seeker", "password": "wrong"})
        assert r.status_code == 200 and "not correct" in r.content.decode()
    r = client.post(reverse("login"), {"login": "sam.seeker", "password": "correct horse battery 9"})
    assert r.status_code == 200 and "Too many failed login attempts" in r.content.decode()
    assert "_auth_user_id" not in client.session
    from django.core.cache import cache

    cache.clear()  # the window passes
    r = client.post(reverse("login"), {"login": "sam.seeker", "password": "correct horse battery 9"})
    assert r.status_code == 302 and "_auth_user_id" in client.session


def test_the_admin_login_is_the_sites_login(client, db):
    r = client.get("/admin/login/")
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))


def test_an_account_from_before_email_addresses_is_asked_for_one(client, django_user_model):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("jobmatch.migrations.0002_email_addresses")
    old = django_user_model.objects.create_user("old.timer", "Old.Timer@Example.org", "correct horse battery 9")
    bare = django_user_model.objects.create_user("no.mail", password="correct horse battery 9")
    migration.addresses_for_existing_users(apps, None)
    kept = EmailAddress.objects.get(user=old)
    assert (kept.email, kept.verified, kept.primary) == ("old.timer@example.org", False, True)
    assert not EmailAddress.objects.filter(user=bare).exists()

    client.force_login(bare)
    r = client.get(reverse("resumes:list"))
    assert r.status_code == 302 and r["Location"] == reverse("account_email")
    assert client.get(reverse("account_data")).status_code == 200  # their data stays theirs to take
    client.post(reverse("account_email"), {"email": "no.mail@example.org", "action_add": ""})
    assert EmailAddress.objects.filter(user=bare, email="no.mail@example.org").exists()
    assert client.get(reverse("resumes:list")).status_code == 200


def test_the_data_download_holds_addresses_factors_and_sessions_but_no_secret(client, recruiter):
    client.force_login(recruiter)
    client.get(reverse("account"))
    data = client.get(reverse("account_data")).json()
    assert data["email_addresses"] == [{"email": "rita.recruiter@example.org", "verified": True, "primary": True}]
    assert [f["type"] for f in data["two_factor"]] == ["totp"]
    assert "secret" not in str(data["two_factor"]).lower()
    assert data["sessions"] and data["sessions"][0]["ip"] == "127.0.0.1"


def test_send_alerts_sends_what_is_due_and_can_widen_the_window(smtp, corpus, seeker, capsys):
    from django.core.management import call_command

    from search import alerts
    from search.models import AlertSettings

    make_resume(seeker, text="Data analyst, SQL, Excel, Tableau, 5 years of reporting")
    alerts.frequency_set(user=seeker, frequency="daily")  # the corpus arrived before: nothing is new
    call_command("send_alerts")
    assert "1 due" in capsys.readouterr().out and not smtp.to("sam.seeker@example.org")
    AlertSettings.objects.update(last_sent_at=None)  # a day later
    call_command("send_alerts", "--since-days", "3650")
    assert "1 sent" in capsys.readouterr().out
    assert len(smtp.to("sam.seeker@example.org")) == 1


def test_a_mail_server_that_does_not_answer_does_not_fail_the_sign_up(client, settings, db):
    closed_port = free_port()  # nothing listens there
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port, 2
    r = client.post(
        reverse("signup"), {"email": "nina@example.org", "password1": PASSWORD, "password2": PASSWORD}, follow=True
    )
    assert r.status_code == 200 and "We could not send you an email just now" in r.content.decode()
    assert EmailAddress.objects.filter(email="nina@example.org", verified=False).exists()
