"""The recruiter side end to end on the real engine: invitations and roles, postings written in the site,
candidates ranked in the other direction, decisions and the shortlist, closing and expiry, the commands."""

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
from resumes.services import profile_read
from search.models import CandidateMatch, IndexedResume, Invitation, JobPosting, Membership, Recommendation
from search.postings.services import postings_expire
from search.recruiting.invitations import InvitationInvalid, invitation_accept, invitation_issue
from tests.conftest import make_resume

NURSE = """Maria Lopez
Boston, MA
maria.lopez@example.com
Registered Nurse
Experience
Registered Nurse, Massachusetts General Hospital, 2015 - Present
Critical care nursing in a surgical ICU: patient assessment, medication administration, wound care,
electronic health records (Epic), BLS and ACLS certified, patient education, care plans.
Education
Bachelor of Science in Nursing, Boston College, 2014
Skills
Patient care, Critical care, Medication administration, Epic Systems, Microsoft Excel, Wound care
"""
NURSE_2 = NURSE.replace("Maria Lopez", "Nadia Private").replace("maria.lopez", "nadia.private")
DEVELOPER = """Tom Byte
Austin, TX
Software Engineer
Experience
Software Engineer, Initech, 2018 - Present
Python, Django, PostgreSQL, REST APIs, Docker, Kubernetes, continuous integration.
Skills
Python, Django, SQL, Docker
"""
POSTING = {
    "title": "ICU Registered Nurse",
    "company": "",
    "location": "Boston, MA",
    "remote": "",
    "work_type": "Full-time",
    "experience_level": "Mid-Senior level",
    "description": "Acme Health seeks a registered nurse for its surgical intensive care unit. Patient assessment, "
    "medication administration, wound care; charting in Epic Systems, shift reports in Microsoft Excel. "
    "BLS and ACLS required.",
    "salary_min": "70000",
    "salary_max": "95000",
    "salary_period": "YEARLY",
    "salary_currency": "USD",
    "closes_at": "",
}


def _resume(owner, text, **kw):  # type: ignore[no-untyped-def]
    return make_resume(owner, text=text, profile=profile_read(text=text), **kw)


# --- invitations and roles ----------------------------------------------------------------------


def test_an_invited_recruiter_signs_up_into_the_organisation(client, admin_user, org_a):  # type: ignore[no-untyped-def]
    invitation = invitation_issue(by=admin_user, role="recruiter", organisation=org_a)
    form = {"username": "newrec", "password1": "correct horse 42 battery", "password2": "correct horse 42 battery"}
    r = client.post(reverse("signup"), {**form, "role": "recruiter", "invitation": invitation.token})
    assert r.status_code == 302 and r["Location"] == reverse("home")
    assert client.get(reverse("home"))["Location"] == reverse("recruit:dashboard")
    assert Membership.objects.get(user__username="newrec").organisation == org_a
    invitation.refresh_from_db()
    assert invitation.accepted_by.username == "newrec"

    client.logout()
    r = client.post(
        reverse("signup"), {**form, "username": "second", "role": "recruiter", "invitation": invitation.token}
    )
    assert r.status_code == 400 and b"already used" in r.content
    assert not get_user_model().objects.filter(username="second").exists()  # no account without its role


def test_invitation_codes_that_do_not_work_say_why(client, admin_user, org_a):  # type: ignore[no-untyped-def]
    expired = invitation_issue(by=admin_user, role="recruiter", organisation=org_a)
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    admin_code = invitation_issue(by=admin_user, role="admin")
    form = {"username": "x", "password1": "correct horse 42 battery", "password2": "correct horse 42 battery"}
    cases = [
        ({"role": "recruiter", "invitation": ""}, b"need an invitation code"),
        ({"role": "recruiter", "invitation": "nope"}, b"not valid"),
        ({"role": "recruiter", "invitation": expired.token}, b"has expired"),
        ({"role": "recruiter", "invitation": admin_code.token}, b"invites an administrator"),
    ]
    for extra, message in cases:
        r = client.post(reverse("signup"), {**form, **extra})
        assert r.status_code == 400 and message in r.content, extra
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


@pytest.fixture
def nurse_posting(client, recruiter, corpus, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    client.force_login(recruiter)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("recruit:posting_new"), POSTING)
    assert r.status_code == 302, r.content
    posting = JobPosting.objects.get(title="ICU Registered Nurse")
    assert r["Location"] == reverse("recruit:posting", args=[posting.pk])
    return posting


def test_candidates_are_shared_resumes_ranked_with_reasons_and_applicants_marked(  # type: ignore[no-untyped-def]
    client, recruiter, seeker, other_seeker, nurse_posting, org_a, django_capture_on_commit_callbacks
):
    from search.indexing.engine import get_engine

    posting = nurse_posting
    assert posting.organisation == org_a and posting.company == "Acme Health" and posting.source == org_a.source
    assert posting.pk in get_engine().bm25.hashes()  # indexed for seekers too

    found = _resume(seeker, NURSE, discoverable=True)
    hidden = _resume(other_seeker, NURSE_2)  # private, never applied
    applicant = _resume(other_seeker, DEVELOPER)
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


def test_shortlist_and_reject_with_notes_and_export_the_shortlist(  # type: ignore[no-untyped-def]
    client, recruiter, seeker, other_seeker, nurse_posting
):
    a = _resume(seeker, NURSE, discoverable=True)
    b = _resume(other_seeker, NURSE_2, discoverable=True)
    posting = nurse_posting
    r = client.post(
        reverse("recruit:decision", args=[posting.pk, a.public_id]), {"status": "shortlisted", "note": "=CALL ME"}
    )
    assert r.status_code == 302
    client.post(reverse("recruit:decision", args=[posting.pk, b.public_id]), {"status": "rejected", "note": "no"})
    r = client.get(reverse("recruit:shortlist_csv", args=[posting.pk]))
    assert r["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    assert len(rows) == 1
    assert rows[0]["name"] == "Maria Lopez" and rows[0]["email"] == "maria.lopez@example.com"
    assert rows[0]["note"] == "'=CALL ME"  # neutralised: a spreadsheet shows it, does not run it
    assert rows[0]["applied"] == "no" and rows[0]["resume_id"] == str(a.public_id)


def test_closing_a_posting_takes_it_out_of_the_indexes_and_every_result_list(  # type: ignore[no-untyped-def]
    client, recruiter, seeker, nurse_posting, django_capture_on_commit_callbacks
):
    from search.indexing.engine import get_engine
    from search.matching.seekers import recommendations_refresh
    from search.selectors import recommendations_for_resume

    posting = nurse_posting
    resume = _resume(seeker, NURSE)
    recommendations_refresh(resume=resume)
    # The posting is in the seeker's ten (put there, as if it had ranked there, when it did not).
    if not Recommendation.objects.filter(resume=resume, posting=posting).exists():
        Recommendation.objects.filter(resume=resume, rank=10).update(posting=posting)
    assert posting.pk in [r.posting_id for r in recommendations_for_resume(resume=resume)]

    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("recruit:posting_close", args=[posting.pk]))
    assert r.status_code == 302
    engine = get_engine()
    assert posting.pk not in engine.bm25.hashes() and posting.pk not in engine.vectors.hashes()
    assert not Recommendation.objects.filter(resume=resume, posting=posting).exists()  # ranked again without it
    assert Recommendation.objects.filter(resume=resume).count() == 10

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("recruit:posting_reopen", args=[posting.pk]))
    assert posting.pk in get_engine().bm25.hashes()


def test_a_posting_past_its_closing_date_expires(recruiter, nurse_posting, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    from search.indexing.engine import get_engine

    posting = nurse_posting
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    JobPosting.objects.filter(pk=posting.pk).update(closes_at=yesterday)
    assert not JobPosting.objects.open().filter(pk=posting.pk).exists()  # gone from lists at once
    with django_capture_on_commit_callbacks(execute=True):
        assert postings_expire() == 1
    posting.refresh_from_db()
    assert posting.active is False and posting.pk not in get_engine().bm25.hashes()


def test_the_stored_ten_hide_a_posting_the_moment_it_closes(seeker, nurse_posting):  # type: ignore[no-untyped-def]
    from search.matching.seekers import recommendations_refresh
    from search.selectors import recommendations_for_resume

    resume = _resume(seeker, NURSE)
    recommendations_refresh(resume=resume)
    if not Recommendation.objects.filter(resume=resume, posting=nurse_posting).exists():
        Recommendation.objects.filter(resume=resume, rank=10).update(posting=nurse_posting)

    def shown() -> list[int]:
        return [r.posting_id for r in recommendations_for_resume(resume=resume)]

    assert nurse_posting.pk in shown() and len(shown()) == 10
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    JobPosting.objects.filter(pk=nurse_posting.pk).update(closes_at=yesterday)
    assert nurse_posting.pk not in shown() and len(shown()) == 9  # before the expiry task runs
    JobPosting.objects.filter(pk=nurse_posting.pk).update(closes_at=timezone.localdate(), active=False)
    assert nurse_posting.pk not in shown()
    JobPosting.objects.filter(pk=nurse_posting.pk).update(active=True)  # closes today: still open
    assert nurse_posting.pk in shown()


def test_the_admin_open_filter_splits_postings_by_the_same_rule(nurse_posting):  # type: ignore[no-untyped-def]
    from django.contrib import admin as django_admin

    from search.admin import JobPostingAdmin, OpenFilter

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    JobPosting.objects.filter(pk=nurse_posting.pk).update(closes_at=yesterday)

    def split(value: str) -> set[int]:
        f = OpenFilter(None, {"open": [value]}, JobPosting, JobPostingAdmin(JobPosting, django_admin.site))
        return set(f.queryset(None, JobPosting.objects.all()).values_list("id", flat=True))

    open_ids = set(JobPosting.objects.open().values_list("id", flat=True))
    assert nurse_posting.pk not in open_ids and open_ids
    assert split("yes") == open_ids
    assert split("no") == set(JobPosting.objects.values_list("id", flat=True)) - open_ids
    assert nurse_posting.pk in split("no")


def test_a_postings_candidates_take_in_the_sure_resumes_of_its_domain_that_retrieval_missed(  # type: ignore[no-untyped-def]
    seeker, other_seeker, nurse_posting
):
    """The posting's own domain (declared by its title here) is searched among the resumes the classifier
    puts in it at even odds or better; those neither retriever found join after the fused ones."""
    from search.indexing.resumes import resumes_index_missing
    from search.matching.recruiters import posting_sure_domain, resume_sides, resumes_for_posting, resumes_of_domain
    from search.ranking.domain import DOMAIN_SURE

    nurse = _resume(seeker, NURSE, discoverable=True)
    developer = _resume(other_seeker, DEVELOPER, discoverable=True)
    unsure = _resume(other_seeker, DEVELOPER.replace("Tom Byte", "Ada Unsure"), discoverable=True)
    hidden = _resume(other_seeker, DEVELOPER.replace("Tom Byte", "Hal Hidden"), discoverable=True)
    resumes_index_missing(resumes=Resume.objects.all())
    entry = IndexedResume.objects.get(resume=nurse)
    assert entry.domain_score == pytest.approx(max(entry.domain_probs)) and entry.domain == "HEALTHCARE"

    assert nurse_posting.declared_domain == "HEALTHCARE"
    assert posting_sure_domain(nurse_posting, []) == "HEALTHCARE"
    # As if the classifier had read these: two sure of the posting's domain, one under even odds.
    IndexedResume.objects.filter(resume__in=[developer, hidden]).update(domain="HEALTHCARE", domain_score=0.9)
    IndexedResume.objects.filter(resume=unsure).update(domain="HEALTHCARE", domain_score=DOMAIN_SURE - 0.01)
    IndexedResume.objects.filter(resume=nurse).update(domain_score=0.8)
    assert resumes_of_domain("HEALTHCARE") == {nurse.pk, developer.pk, hidden.pk}
    # Alerts read every ranked resume's side once; the same set comes from them, without a query.
    sides = resume_sides([nurse.pk, developer.pk, unsure.pk])
    assert resumes_of_domain("HEALTHCARE", sides) == {nurse.pk, developer.pk}

    allowed = {nurse.pk, developer.pk, unsure.pk}  # the hidden one is not shared with this organisation
    plain = resumes_for_posting(posting=nurse_posting, allowed=allowed, depth=1, domain_depth=0, k=10)
    assert [i.resume_id for i in plain.items] == [nurse.pk]  # each retriever's best is the nurse
    result = resumes_for_posting(posting=nurse_posting, allowed=allowed, depth=1, k=10)
    found = {i.resume_id: i.candidate for i in result.items}
    assert set(found) == {nurse.pk, developer.pk} and "domain" in result.timings.ms
    assert found[developer.pk].domain_rank and found[developer.pk].bm25_rank is None
    assert found[nurse.pk].bm25_rank == 1 and found[nurse.pk].domain_rank is None  # found already: not twice
    assert result.items[0].resume_id == nurse.pk  # joined the pool; the re-ranker still orders it

    # A posting whose domain nobody declared is searched in only when the classifier is sure of it.
    nurse_posting.declared_domain = ""
    classes = sorted({"HEALTHCARE", "CHEF", "ARTS"})
    nurse_posting.domain_probs = [0.2, 0.2, 0.6]  # classes order: ARTS, CHEF, HEALTHCARE
    assert posting_sure_domain(nurse_posting, classes) == "HEALTHCARE"
    nurse_posting.domain_probs = [0.3, 0.3, 0.4]
    assert posting_sure_domain(nurse_posting, classes) is None


def test_a_new_domain_model_classifies_postings_and_indexed_resumes_again_from_their_vectors(seeker, corpus):  # type: ignore[no-untyped-def]
    """A retrained or newly shipped classifier: build_index gives what the indexes hold its probabilities
    without embedding anything again, once."""
    import json

    from search.indexing.postings import domain_stamp_path, index_build
    from search.indexing.resumes import resumes_index_missing

    resume = _resume(seeker, NURSE, discoverable=True)
    resumes_index_missing(resumes=Resume.objects.all())
    assert index_build().postings_reclassified == 0  # classified by the serving model already
    entry = IndexedResume.objects.get(resume=resume)
    undeclared = JobPosting.objects.open().filter(declared_domain="").first()
    assert undeclared is not None and entry.domain == "HEALTHCARE"
    right = (undeclared.domain, undeclared.domain_probs, entry.domain_probs)

    # As an older model left them: other probabilities, stamped with another version.
    wrong = [1.0] + [0.0] * (len(entry.domain_probs) - 1)
    JobPosting.objects.filter(pk=undeclared.pk).update(domain="ACCOUNTANT", domain_probs=wrong)
    IndexedResume.objects.filter(pk=entry.pk).update(domain="ACCOUNTANT", domain_score=1.0, domain_probs=wrong)
    domain_stamp_path().write_text(json.dumps({"version": "an older model"}))
    report = index_build()
    assert report.embedded == 0
    assert report.postings_reclassified == JobPosting.objects.open().count() and report.resumes_reclassified == 1
    undeclared.refresh_from_db()
    entry.refresh_from_db()
    assert undeclared.domain == right[0] and undeclared.domain_probs == pytest.approx(right[1], abs=1e-4)
    assert entry.domain == "HEALTHCARE" and entry.domain_probs == pytest.approx(right[2], abs=1e-4)
    assert entry.domain_score == pytest.approx(max(entry.domain_probs))
    again = index_build()
    assert (again.postings_reclassified, again.resumes_reclassified) == (0, 0)


def test_deleting_a_resume_removes_it_from_the_recruiter_indexes(  # type: ignore[no-untyped-def]
    client, seeker, nurse_posting, django_capture_on_commit_callbacks
):
    from search.indexing.engine import get_engine

    resume = _resume(seeker, NURSE, discoverable=True)
    from search.matching.recruiters import candidates_refresh

    candidates_refresh(posting=nurse_posting)
    engine = get_engine()
    assert resume.pk in engine.resume_bm25.hashes() and resume.pk in engine.resume_vectors.hashes()
    client.force_login(seeker)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("resumes:delete", args=[resume.public_id]))
    assert resume.pk not in engine.resume_bm25.hashes() and resume.pk not in engine.resume_vectors.hashes()
    assert not IndexedResume.objects.exists() and not CandidateMatch.objects.exists()


def test_resumes_an_index_lost_are_written_again_by_the_next_ranking(seeker, nurse_posting):  # type: ignore[no-untyped-def]
    """The index folder rebuilt, or the keyword store switched: build_index notices the resumes the
    recruiter-side indexes lack, and the next candidates ranking indexes them again."""
    from search.indexing.engine import get_engine
    from search.indexing.postings import index_build
    from search.matching.recruiters import candidates_refresh

    resume = _resume(seeker, NURSE, discoverable=True)
    candidates_refresh(posting=nurse_posting)
    engine = get_engine()
    engine.resume_bm25.delete([resume.pk])  # as if its keyword index had been lost
    engine.resume_bm25.save()
    assert index_build().resumes_lost == 1
    assert not IndexedResume.objects.filter(resume=resume).exists()
    assert index_build().resumes_lost == 0
    candidates_refresh(posting=nurse_posting)
    assert resume.pk in engine.resume_bm25.hashes() and resume.pk in engine.resume_vectors.hashes()
    assert IndexedResume.objects.filter(resume=resume).exists()


def test_a_refresh_of_an_unchanged_resume_embeds_nothing_and_a_changed_one_is_embedded_again(  # type: ignore[no-untyped-def]
    seeker, corpus, monkeypatch
):
    """Postings closed or feedback given: the fresh top ten reuses the vector and the domain the
    recruiter-side index holds for the same query text. A corrected profile (a new query text) or a lost
    vector embeds again."""
    import numpy as np

    from search.indexing import resumes as resume_index
    from search.indexing.engine import get_engine
    from search.indexing.postings import domain_stamp_path
    from search.indexing.resumes import resume_content_hash
    from search.matching import seekers
    from search.matching.seekers import recommendations_refresh, resume_query_text

    embedded: list[str] = []
    real, real_heads = seekers.embed_documents_and_heads, resume_index.embed_heads
    monkeypatch.setattr(seekers, "embed_documents_and_heads", lambda texts: embedded.extend(texts) or real(texts))
    monkeypatch.setattr(resume_index, "embed_heads", lambda texts: embedded.extend(texts) or real_heads(texts))
    resume = _resume(seeker, NURSE)
    first = recommendations_refresh(resume=resume)
    assert len(embedded) == 1 and "embed" in first.timings.ms and "index resume" in first.timings.ms
    ten = list(resume.recommendations.values_list("posting_id", flat=True))

    second = recommendations_refresh(resume=resume)
    assert len(embedded) == 1 and "embed" not in second.timings.ms and "index resume" not in second.timings.ms
    np.testing.assert_allclose(second.query_vec, first.query_vec, atol=1e-6)
    # Nor is it classified again: its index entry holds the serving model's probabilities (rounded).
    assert "classify" in first.timings.ms and "classify" not in second.timings.ms
    np.testing.assert_allclose(second.resume_probs, first.resume_probs, atol=1e-5)
    assert list(resume.recommendations.values_list("posting_id", flat=True)) == ten
    stamp = domain_stamp_path()
    served = stamp.read_text()
    stamp.write_text('{"version": "a model before"}')  # a new model, its refresh of the indexes to come
    try:
        assert "classify" in recommendations_refresh(resume=resume).timings.ms
    finally:
        stamp.write_text(served)
    assert len(embedded) == 2  # the vector reused; the head embedded for the classifier

    resume.profile = {**resume.profile, "titles": ["Charge Nurse"]}  # the seeker corrects the profile
    resume.save()
    third = recommendations_refresh(resume=resume)
    assert len(embedded) == 3 and "Charge Nurse" in embedded[-1] and "index resume" in third.timings.ms
    indexed = IndexedResume.objects.get(resume=resume).content_hash
    assert indexed == resume_content_hash(resume_query_text(resume=resume))
    assert float(third.query_vec @ first.query_vec) < 0.99999  # not the old vector

    get_engine().resume_vectors.delete([resume.pk])  # the vector index lost it
    recommendations_refresh(resume=resume)
    assert len(embedded) == 4 and resume.pk in get_engine().resume_vectors.hashes()


# --- the batch commands ---------------------------------------------------------------------------


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
    from search.indexing.postings import index_build

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


def test_the_invite_command_starts_a_new_site(client, db, capsys):  # type: ignore[no-untyped-def]
    call_command("invite", "--role", "recruiter", "--organisation", "Gamma Care", "--create")
    out = capsys.readouterr().out
    token = out.split("code: ")[1].split()[0]
    assert f"/accounts/signup/?invitation={token}" in out
    page = client.get(reverse("signup") + f"?invitation={token}").content.decode()
    assert f'value="{token}"' in page  # the link fills in the code ...
    assert 'value="recruiter" id="id_role_1" checked' in page  # ... and picks the role it invites
    form = {"username": "gina", "password1": "correct horse 42 battery", "password2": "correct horse 42 battery"}
    r = client.post(reverse("signup"), {**form, "role": "recruiter", "invitation": token})
    assert r.status_code == 302
    assert Membership.objects.get(user__username="gina").organisation.slug == "gamma-care"
    with pytest.raises(Exception, match="give --organisation"):
        call_command("invite", "--role", "recruiter")
