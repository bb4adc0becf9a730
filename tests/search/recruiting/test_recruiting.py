"""The recruiter side end to end on the real engine: invitations and roles, postings written in the site,
candidates ranked in the other direction, the pipeline and its export, closing and expiry, the commands."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from resumes.models import Resume
from search.models import CandidateMatch, IndexedResume, Invitation, JobPosting, Membership
from search.recruiting.invitations import InvitationInvalid, invitation_accept, invitation_issue
from tests.search.personas import DEVELOPER, NURSE, NURSE_2, POSTING, resume_of

# --- invitations and roles ----------------------------------------------------------------------


def test_an_invited_recruiter_signs_up_into_the_organisation(client, admin_user, org_a):  # type: ignore[no-untyped-def]
    invitation = invitation_issue(by=admin_user, role="recruiter", organisation=org_a)
    form = {
        "email": "newrec@example.org",
        "username": "newrec",
        "password1": "correct horse 42 battery",
        "password2": "correct horse 42 battery",
    }
    r = client.post(reverse("signup"), {**form, "role": "recruiter", "invitation": invitation.token})
    assert r.status_code == 302 and r["Location"] == reverse("home")
    assert client.get(reverse("home"))["Location"] == reverse("recruit:dashboard")
    assert Membership.objects.get(user__username="newrec").organisation == org_a
    invitation.refresh_from_db()
    assert invitation.accepted_by.username == "newrec"

    client.logout()
    second = {**form, "email": "second@example.org", "username": "second"}
    r = client.post(reverse("signup"), {**second, "role": "recruiter", "invitation": invitation.token})
    assert r.status_code == 200 and b"already used" in r.content  # the form again, saying why
    assert not get_user_model().objects.filter(username="second").exists()  # no account without its role


def test_invitation_codes_that_do_not_work_say_why(client, admin_user, org_a):  # type: ignore[no-untyped-def]
    expired = invitation_issue(by=admin_user, role="recruiter", organisation=org_a)
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    admin_code = invitation_issue(by=admin_user, role="admin")
    form = {
        "email": "x@example.org",
        "username": "x",
        "password1": "correct horse 42 battery",
        "password2": "correct horse 42 battery",
    }
    cases = [
        ({"role": "recruiter", "invitation": ""}, b"need an invitation code"),
        ({"role": "recruiter", "invitation": "nope"}, b"not valid"),
        ({"role": "recruiter", "invitation": expired.token}, b"has expired"),
        ({"role": "recruiter", "invitation": admin_code.token}, b"invites an administrator"),
    ]
    for extra, message in cases:
        r = client.post(reverse("signup"), {**form, **extra})
        assert r.status_code == 200 and message in r.content, extra
    assert not get_user_model().objects.filter(username="x").exists()
    r = client.post(reverse("signup"), {**form, "role": "admin", "invitation": admin_code.token})
    assert r.status_code == 302 and get_user_model().objects.get(username="x").is_staff


def test_a_recruiter_invites_colleagues_only(client, recruiter, org_a, org_b):  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        invitation_issue(by=recruiter, role="admin")
    with pytest.raises(PermissionDenied):
        invitation_issue(by=recruiter, role="recruiter", organisation=org_b)
    client.force_login(recruiter)
    r = client.post(reverse("recruit:invitations"), {"role": "admin", "organisation": org_b.pk})
    assert r.status_code == 200 and not Invitation.objects.exists()  # "admin" is not a choice for them
    r = client.post(reverse("recruit:invitations"), {"role": "recruiter"})
    assert r.status_code == 302
    assert Invitation.objects.get().organisation == org_a
    with pytest.raises(InvitationInvalid):
        invitation_accept(token="missing", user=recruiter)


# --- candidates for a posting -------------------------------------------------------------------


def test_candidates_are_shared_resumes_ranked_with_reasons_and_applicants_marked(  # type: ignore[no-untyped-def]
    client, recruiter, seeker, other_seeker, nurse_posting, org_a, django_capture_on_commit_callbacks
):
    from search.indexing.engine import get_engine

    posting = nurse_posting
    assert posting.organisation == org_a and posting.company == "Acme Health" and posting.source == org_a.source
    assert posting.pk in get_engine().bm25.hashes()  # indexed for seekers too

    found = resume_of(seeker, NURSE, discoverable=True)
    hidden = resume_of(other_seeker, NURSE_2)  # private, never applied
    applicant = resume_of(other_seeker, DEVELOPER)
    seeker_client = client.__class__()
    seeker_client.force_login(other_seeker)
    with django_capture_on_commit_callbacks(execute=True):
        r = seeker_client.post(reverse("search:apply", args=[posting.pk]), {"resume": str(applicant.public_id)})
    assert r.status_code == 302

    rows = list(CandidateMatch.objects.filter(posting=posting).order_by("rank"))
    ids = [m.resume_id for m in rows]
    assert ids[0] == found.pk  # the nurse outranks the applicant developer
    assert applicant.pk in ids and hidden.pk not in ids
    why = rows[0].why
    assert {"Epic Systems", "Microsoft Excel"} <= set(why["matched_skills"])
    assert why["seniority"]["years"] is not None and why["location"]["fit"] == 1.0
    assert IndexedResume.objects.filter(resume=found).exists()

    page = client.get(reverse("recruit:posting", args=[posting.pk])).content.decode()
    assert "Maria Lopez" in page and "Tom Byte" in page and "Nadia Private" not in page
    assert page.count('class="tag applied"') == 1

    # Withdrawing takes the applicant off the list at once.
    seeker_client.post(
        reverse("search:apply", args=[posting.pk]), {"resume": str(applicant.public_id), "withdraw": "1"}
    )
    page = client.get(reverse("recruit:posting", args=[posting.pk])).content.decode()
    assert "Tom Byte" not in page and "Maria Lopez" in page


def test_ranked_candidates_read_in_words_and_move_into_the_pipeline(  # type: ignore[no-untyped-def]
    client, recruiter, seeker, other_seeker, nurse_posting, django_capture_on_commit_callbacks
):
    a = resume_of(seeker, NURSE, discoverable=True)
    b = resume_of(other_seeker, NURSE_2, discoverable=True)
    posting = nurse_posting
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("recruit:posting", args=[posting.pk]))  # stale: ranks the shared resumes again
    page = client.get(reverse("recruit:posting", args=[posting.pk])).content.decode()
    card = page[page.index("Maria Lopez") :]
    card = card[: card.index("</li>", card.index('class="reasons"') + 20)]
    assert "Has both skills the posting lists: " in card  # in words, not scores
    assert "match</span>" in card and "Location fit" not in card and "score" not in card.lower()
    r = client.post(
        reverse("recruit:stage", args=[posting.pk, a.public_id]), {"stage": "screening", "note": "=CALL ME"}
    )
    assert r.status_code == 302 and r["Location"] == reverse("recruit:posting", args=[posting.pk])
    client.post(reverse("recruit:stage", args=[posting.pk, b.public_id]), {"stage": "rejected", "note": "no"})
    r = client.get(reverse("recruit:pipeline_csv", args=[posting.pk]))
    assert r["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    assert len(rows) == 1
    assert rows[0]["name"] == "Maria Lopez" and rows[0]["email"] == "maria.lopez@example.com"
    assert rows[0]["stage"] == "screening"
    assert rows[0]["note"] == "'=CALL ME"  # neutralised: a spreadsheet shows it, does not run it
    assert rows[0]["applied"] == "no" and rows[0]["resume_id"] == str(a.public_id)


# --- the batch commands ---------------------------------------------------------------------------


def test_import_resumes_reads_paths_only_inside_the_files_folder(tmp_path, admin_user, capsys):  # type: ignore[no-untyped-def]
    folder = tmp_path / "batch"
    folder.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("Root password list, not a resume: alpha bravo charlie delta echo.")
    lines = [
        json.dumps({"id": "x-1", "path": "../secret.txt"}),
        json.dumps({"id": "x-2", "path": str(secret)}),
        json.dumps({"id": "x-3", "path": "/etc/passwd"}),
    ]
    (folder / "resumes.jsonl").write_text("\n".join(lines) + "\n")
    call_command("import_resumes", "--jsonl", str(folder / "resumes.jsonl"), "--no-index")
    out, err = capsys.readouterr()
    assert "loaded 0, failed 3" in out
    assert err.count("is outside the folder of the JSON lines file") == 3
    assert not Resume.objects.exists()


def test_import_resumes_then_candidates_prints_json_lines(tmp_path, admin_user, corpus, capsys):  # type: ignore[no-untyped-def]
    (tmp_path / "cv.txt").write_text(DEVELOPER)
    lines = [
        json.dumps({"id": "k-1", "text": NURSE}),
        json.dumps({"id": "k-2", "path": "cv.txt"}),
        json.dumps({"id": "k-3", "path": "missing.pdf"}),
        json.dumps({"text": "no id"}),
        "not json",
    ]
    (tmp_path / "resumes.jsonl").write_text("\n".join(lines) + "\n")
    call_command("import_resumes", "--jsonl", str(tmp_path / "resumes.jsonl"), "--discoverable")
    out, err = capsys.readouterr()
    assert "loaded 2, failed 3, indexed 2" in out
    assert "line 3" in err and "line 4: the line has no id" in err and "line 5" in err
    nurse = Resume.objects.get(external_id="k-1")
    assert nurse.owner == admin_user and nurse.discoverable and nurse.status == Resume.Status.DONE
    assert nurse.profile["name"] == "Maria Lopez"

    # Loading the same file again updates, never duplicates.
    call_command("import_resumes", "--jsonl", str(tmp_path / "resumes.jsonl"), "--discoverable")
    capsys.readouterr()
    assert Resume.objects.filter(external_id__startswith="k-").count() == 2

    posting = JobPosting.objects.create(
        source="test", external_id="icu-1", title="ICU Registered Nurse", description=POSTING["description"]
    )
    from search.indexing.posting_index import index_build

    index_build()  # read and classified, as every posting is before it is matched
    (tmp_path / "postings.jsonl").write_text(json.dumps({"source": "test", "external_id": "icu-1"}) + "\n")
    call_command(
        "candidates", "--postings-jsonl", str(tmp_path / "postings.jsonl"), "--posting", "test:nope", "--top", "1"
    )
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert lines[0] == {"posting": "test:nope", "error": {"code": "not_found", "message": "no such posting"}}
    assert lines[1]["posting"] == f"test:{posting.external_id}"
    (best,) = lines[1]["candidates"]
    assert best["resume_external_id"] == "k-1" and isinstance(best["score"], float)
    assert "matched_skills" in best["why"] and "missing_skills" in best["why"]


def test_the_invite_command_starts_a_new_site(client, db, capsys, settings, mailoutbox):  # type: ignore[no-untyped-def]
    settings.JOBMATCH_SITE_URL = "https://jobs.example.org"
    call_command(
        "invite", "--role", "recruiter", "--organisation", "Gamma Care", "--create", "--email", "gina@example.org"
    )
    out = capsys.readouterr().out
    token = out.split("code: ")[1].split()[0]
    link = f"https://jobs.example.org/accounts/signup/?invitation={token}"
    assert link in out and "emailed to gina@example.org" in out
    (mail,) = mailoutbox
    assert mail.to == ["gina@example.org"] and link in mail.body and "a recruiter at Gamma Care" in mail.body
    page = client.get(reverse("signup") + f"?invitation={token}").content.decode()
    assert f'value="{token}"' in page  # the link fills in the code ...
    assert 'value="recruiter" id="id_role_1" checked' in page  # ... and picks the role it invites
    assert 'value="gina@example.org"' in page  # ... and the address it was sent to
    form = {
        "email": "gina@example.org",
        "password1": "correct horse 42 battery",
        "password2": "correct horse 42 battery",
    }
    r = client.post(reverse("signup"), {**form, "username": "gina", "role": "recruiter", "invitation": token})
    assert r.status_code == 302
    assert Membership.objects.get(user__username="gina").organisation.slug == "gamma-care"
    with pytest.raises(Exception, match="give --organisation"):
        call_command("invite", "--role", "recruiter")
