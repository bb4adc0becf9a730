"""Privacy promises: a deleted account leaves no trace, a seeker can take all their data, recruiters'
views are logged for admins, and nothing sensitive beyond the resume's purpose is extracted."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from resumes.models import Resume
from resumes.services import profile_read
from search.models import Application, Interaction, JobPosting, PostingFeedback, ResumeAccess
from tests.conftest import person
from tests.resumes.test_parse_command import KEYS as PROFILE_KEYS

TOKEN = "Qorvathine"  # appears in no posting, no vocabulary, nowhere but this resume
RESUME = f"""Sam {TOKEN}
Seattle, WA
sam.{TOKEN.lower()}@example.com | (206) 555-0188
Registered Nurse
Experience
Registered Nurse, Harborview Medical Center, 2016 - Present
Critical care nursing in a trauma ICU: patient assessment, medication administration, {TOKEN} protocol lead.
Education
Bachelor of Science in Nursing, University of Washington, 2015
Skills
Patient care, Critical care, Medication administration, Epic Systems, Wound care
"""


def _everything_in_the_database() -> str:
    rows = []
    for model in apps.get_models():
        rows.append(serializers.serialize("json", model._default_manager.all()))
    return "\n".join(rows)


def _files_containing(root, needle: bytes) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and needle in path.read_bytes():
            found.append(str(path.relative_to(root)))
    return found


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("where", ["account page", "django admin"])
def test_deleting_an_account_leaves_no_trace_of_its_resumes_anywhere(
    client, corpus_committed, django_capture_on_commit_callbacks, settings, where
):
    import random
    import string

    from search.indexing.engine import get_engine
    from search.matching.recruiters import candidates_refresh

    # A token of its own: files other tests left in the shared data dir must not be mistaken for traces.
    token = "Qor" + "".join(random.choices(string.ascii_lowercase, k=10))
    text = RESUME.replace(TOKEN, token)
    seeker = person("sam.private", two_factor=True)  # an email address, a second factor ...
    client.force_login(seeker)
    client.get(reverse("account"))  # ... and a session record
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("resumes:list"), {"file": SimpleUploadedFile("sam.txt", text.encode())})
    assert r.status_code == 302
    resume = Resume.objects.get(owner=seeker)
    assert resume.status == Resume.Status.DONE and token in resume.text
    Resume.objects.filter(pk=resume.pk).update(discoverable=True)
    posting = resume.recommendations.first().posting
    # Feedback, an application, an alert setting, a recruiter's view: rows in every table that can hold them.
    client.post(reverse("search:resume_feedback", args=[resume.public_id]), {"posting": posting.pk, "action": "save"})
    Application.objects.create(resume=resume, posting=posting)
    ResumeAccess.objects.create(username="rita", resume=resume, resume_public_id=resume.public_id, action="view")
    client.post(reverse("search:alerts"), {"frequency": "daily"})
    candidates_refresh(posting=JobPosting.objects.get(pk=posting.pk))  # indexes the resume on the recruiter side
    engine = get_engine()
    assert resume.pk in engine.resume_bm25.hashes() and resume.pk in engine.resume_vectors.hashes()
    assert token.lower() in engine.resume_bm25._vocab
    assert token in _everything_in_the_database()
    assert Interaction.objects.filter(resume=resume).exists() and PostingFeedback.objects.filter(resume=resume)

    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.usersessions.models import UserSession

    assert EmailAddress.objects.filter(user=seeker).exists() and Authenticator.objects.filter(user=seeker).exists()
    assert UserSession.objects.filter(user=seeker).exists()
    if where == "account page":
        with django_capture_on_commit_callbacks(execute=True):
            r = client.post(reverse("account_delete"), {"password": "correct horse battery 9"})
        assert r.status_code == 302 and r["Location"] == reverse("home")
    else:  # an admin deletes the user in the Django admin: the same clean-up, nothing left behind
        client.force_login(person("ada.admin", is_staff=True, is_superuser=True, two_factor=True))
        with django_capture_on_commit_callbacks(execute=True):
            r = client.post(reverse("admin:auth_user_delete", args=[seeker.pk]), {"post": "yes"})
        assert r.status_code == 302, r.content[:500]

    assert not get_user_model().objects.filter(username="sam.private").exists()
    database = _everything_in_the_database()
    assert token not in database and token.lower() not in database and "sam.private@example.org" not in database
    # (Django's admin log keeps the deleted user's name, as it does for every deletion made there.)
    assert not EmailAddress.objects.filter(user_id=seeker.pk).exists()
    assert not Authenticator.objects.filter(user_id=seeker.pk).exists()
    assert not UserSession.objects.filter(user_id=seeker.pk).exists()
    assert ResumeAccess.objects.filter(resume_public_id=resume.public_id, resume=None).exists()  # the log stays
    assert resume.pk not in engine.resume_bm25.hashes() and resume.pk not in engine.resume_vectors.hashes()
    assert token.lower() not in engine.resume_bm25._vocab
    # Files: the upload, the indexes on disk, the embedded database (SQLite overwrites deleted rows).
    assert _files_containing(settings.DATA_DIR, token.encode()) == []
    assert _files_containing(settings.DATA_DIR, token.lower().encode()) == []
    assert not (settings.UPLOAD_DIR / resume.stored_name).exists()


def test_deleting_an_account_needs_the_password(seeker_client, seeker):
    r = seeker_client.post(reverse("account_delete"), {"password": "wrong"})
    assert r.status_code == 400 and "That is not your password" in r.content.decode()
    assert get_user_model().objects.filter(pk=seeker.pk).exists()
    assert seeker_client.get(reverse("account_delete")).status_code == 405  # never by a link


def test_a_seeker_downloads_all_their_data_as_json(seeker, other_seeker, client, corpus):
    from tests.conftest import make_resume

    mine = make_resume(seeker, text=RESUME, profile=profile_read(text=RESUME))
    make_resume(other_seeker, text="Olga Other, accountant. Ledgers and audits for ten years.")
    posting = JobPosting.objects.first()
    PostingFeedback.objects.create(resume=mine, posting=posting)
    Interaction.objects.create(resume=mine, posting=posting, kind="save")
    ResumeAccess.objects.create(username="rita", resume=mine, resume_public_id=mine.public_id, action="download")
    client.force_login(seeker)
    r = client.get(reverse("account_data"))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
    assert r["Content-Disposition"].startswith("attachment;")
    data = json.loads(r.content)
    assert data["account"]["username"] == "sam.seeker"
    (resume,) = data["resumes"]
    assert TOKEN in resume["text"] and resume["file_name"] == "cv.txt"
    assert resume["profile"]["titles"] and resume["interactions"][0]["kind"] == "save"
    assert resume["feedback"][0]["posting"]["title"] == posting.title
    assert resume["viewed_by_recruiters"] == [
        {"who": "rita", "action": "download", "at": resume["viewed_by_recruiters"][0]["at"]}
    ]
    assert "Olga" not in r.content.decode()


def test_admins_see_the_audit_log_of_recruiter_views_and_recruiters_do_not(client, admin_user, recruiter, seeker):
    from tests.conftest import make_resume

    resume = make_resume(seeker, text=RESUME)
    ResumeAccess.objects.create(
        user=recruiter, username=recruiter.username, resume=resume, resume_public_id=resume.public_id, action="view"
    )
    url = reverse("admin:search_resumeaccess_changelist")
    client.force_login(admin_user)
    page = client.get(url)
    assert page.status_code == 200 and recruiter.username in page.content.decode()
    client.force_login(recruiter)
    assert client.get(url).status_code == 302  # to the admin login: not staff


def test_no_date_of_birth_or_other_sensitive_field_is_extracted():
    text = RESUME.replace(
        "Seattle, WA\n",
        "Seattle, WA\nDate of Birth: 14/03/1987\nNationality: Atlantian\nMarital status: Married\n"
        "Religion: Pastafarian\nGender: Female\nSSN: 123-45-6789\n",
    )
    profile = profile_read(text=text)
    assert profile is not None
    dumped = json.dumps(profile)
    for sensitive in ("1987", "14/03", "Atlantian", "Married", "Pastafarian", "Female", "123-45-6789"):
        assert sensitive not in dumped, sensitive
    # Only the fields `parse_resume` documents, plus the occupations the titles map to.
    assert set(profile) <= (PROFILE_KEYS - {"id"}) | {"occupations"}


def test_the_django_admin_shows_no_resume_content_and_changes_no_visibility(client, seeker, admin_user):
    from tests.conftest import make_resume

    resume = make_resume(seeker, text="Nadia Private\nnadia@example.com", name="Nadia_Private_CV.txt")
    Resume.objects.filter(pk=resume.pk).update(profile={"name": "Nadia Private", "email": "nadia@example.com"})
    client.force_login(admin_user)
    url = reverse("admin:resumes_resume_change", args=[resume.pk])
    page = client.get(url).content.decode()
    assert str(resume.public_id) in page
    assert "Nadia" not in page and "nadia@example.com" not in page  # neither the profile, the text nor the name
    listing = client.get(reverse("admin:resumes_resume_changelist")).content.decode()
    assert "Nadia" not in listing
    r = client.post(url, {"discoverable": "on"})
    assert r.status_code == 403
    resume.refresh_from_db()
    assert resume.discoverable is False
