"""The seeker sees the profile read from the resume, corrects it, and the next match uses it."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from resumes.models import Resume
from search.matching.seekers import resume_query_text
from tests.conftest import FIXTURES


def upload_fixture(client, name, capture):
    with capture(execute=True):
        client.post(reverse("resumes:list"), {"file": SimpleUploadedFile(name, (FIXTURES / name).read_bytes())})
    return Resume.objects.latest("created_at")


def test_the_profile_is_stored_and_shown_after_upload(seeker_client, corpus, django_capture_on_commit_callbacks):
    resume = upload_fixture(seeker_client, "02-Desktop_Support.docx", django_capture_on_commit_callbacks)
    assert resume.profile["email"] == "emoore@email.com"
    assert "Desktop Support Technician" in resume.profile["titles"]
    page = seeker_client.get(reverse("resumes:detail", args=[resume.public_id])).content.decode()
    assert "What we read" in page and "Desktop Support Technician" in page and "customer service" in page
    assert "Correct your profile" in page


def test_editing_the_profile_persists_it_and_reruns_the_match(
    seeker_client, corpus, django_capture_on_commit_callbacks
):
    resume = upload_fixture(seeker_client, "02-Desktop_Support.docx", django_capture_on_commit_callbacks)
    before = list(resume.recommendations.values_list("posting_id", flat=True))
    form = seeker_client.get(reverse("resumes:profile", args=[resume.public_id])).content.decode()
    assert "Desktop Support Technician" in form
    with django_capture_on_commit_callbacks(execute=True):
        r = seeker_client.post(
            reverse("resumes:profile", args=[resume.public_id]),
            {
                "titles": "Registered Nurse\nCharge Nurse",
                "skills": "patient care\nJS\ntriage",
                "location": "Seattle, WA",
                "years_experience": "12.5",
            },
        )
    assert r.status_code == 302
    resume.refresh_from_db()
    assert resume.profile_edited_at is not None and resume.status == "done"
    assert resume.profile["titles"] == ["Registered Nurse", "Charge Nurse"]
    assert [s["canonical"] for s in resume.profile["skills"]] == ["patient care", "JavaScript", "triage"]
    assert resume.profile["occupations"][0]["code"] == "29-1141.00"
    assert (resume.profile["location"], resume.profile["years_experience"]) == ("Seattle, WA", 12.5)
    query = resume_query_text(resume=resume)
    assert "Registered Nurse" in query and "JavaScript" in query
    after = list(resume.recommendations.values_list("posting_id", flat=True))
    assert len(after) == 10 and after != before  # the corrected profile changed what matched

    # Processing the same file again keeps the seeker's corrections.
    from resumes.tasks import process_resume

    process_resume.delay(resume.pk)
    resume.refresh_from_db()
    assert resume.profile["titles"] == ["Registered Nurse", "Charge Nurse"]


def test_another_seeker_cannot_open_or_edit_the_profile(
    client, seeker, other_seeker, corpus, django_capture_on_commit_callbacks
):
    client.force_login(seeker)
    resume = upload_fixture(client, "01-Accountant.docx", django_capture_on_commit_callbacks)
    client.force_login(other_seeker)
    url = reverse("resumes:profile", args=[resume.public_id])
    assert client.get(url).status_code == 404
    assert client.post(url, {"titles": "Hacker", "skills": "", "location": ""}).status_code == 404
    resume.refresh_from_db()
    assert resume.profile_edited_at is None


def test_an_invalid_profile_edit_is_refused_with_a_message(seeker_client, corpus, django_capture_on_commit_callbacks):
    resume = upload_fixture(seeker_client, "01-Accountant.docx", django_capture_on_commit_callbacks)
    r = seeker_client.post(
        reverse("resumes:profile", args=[resume.public_id]),
        {"titles": "", "skills": "", "location": "", "years_experience": "-3"},
    )
    assert r.status_code == 200
    assert "greater than or equal to 0" in r.content.decode()
    resume.refresh_from_db()
    assert resume.profile_edited_at is None
