"""Seekers' feedback on the real engine: impressions and actions logged with positions, each dismissal
reason's immediate effect on the list, the saved / applied / dismissed pages."""

from __future__ import annotations

import numpy as np
import pytest
from django.urls import reverse

from resumes.services import profile_read
from search.feedback import personal_for
from search.filters import Filters, yearly_pay
from search.models import DismissReason, Interaction, JobPosting, PostingFeedback, Recommendation
from search.ranking.features import EXPERIENCE_LEVELS, FEATURES
from search.ranking.personalise import NOT_RELEVANT_FLOOR, NOT_RELEVANT_WEIGHT, SENIORITY_PENALTY, penalties
from tests.conftest import make_resume

pytestmark = pytest.mark.usefixtures("corpus")

ANALYST = """Dana Figures
Chicago, IL
dana.figures@example.com
Financial Analyst
Experience
Financial Analyst, Northwind Traders, 2016 - Present
Budgeting, forecasting, variance analysis, financial reporting, Excel models, SQL queries, month-end close,
accounts payable and receivable, reconciliations, presenting results to management.
Education
Bachelor of Science in Accounting, University of Illinois, 2015
Skills
Financial analysis, Accounting, Microsoft Excel, SQL, Budgeting, Forecasting
"""


@pytest.fixture
def resume(seeker, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    from search.matching.seekers import recommendations_refresh

    r = make_resume(seeker, text=ANALYST, profile=profile_read(text=ANALYST))
    recommendations_refresh(resume=r)
    assert Recommendation.objects.filter(resume=r).count() == 10
    return r


def _ranked(resume) -> list[Recommendation]:  # type: ignore[no-untyped-def]
    return list(Recommendation.objects.filter(resume=resume).select_related("posting").order_by("rank"))


def _act(client, resume, posting, action, capture, **extra):  # type: ignore[no-untyped-def]
    with capture(execute=True):
        return client.post(
            reverse("search:resume_feedback", args=[resume.public_id]),
            {"posting": posting.pk, "action": action, **extra},
        )


# --- logging -----------------------------------------------------------------------------------


def test_showing_the_results_logs_one_impression_per_position(seeker_client, resume):  # type: ignore[no-untyped-def]
    url = reverse("search:resume_matches", args=[resume.public_id])
    assert seeker_client.get(url).status_code == 200
    shown = set(Interaction.objects.filter(resume=resume, kind="impression").values_list("posting_id", "position"))
    assert shown == {(r.posting_id, r.rank) for r in _ranked(resume)}
    stored = {r.posting_id: r.features for r in _ranked(resume)}
    for i in Interaction.objects.filter(resume=resume, kind="impression"):
        assert len(i.features) == len(FEATURES) and i.features == stored[i.posting_id]  # what the learner reads
    seeker_client.get(url)  # the fragment loads again after every action: not a new impression
    assert Interaction.objects.filter(resume=resume, kind="impression").count() == 10


def test_opening_a_result_logs_the_position_it_was_shown_at(seeker_client, resume):  # type: ignore[no-untyped-def]
    third = _ranked(resume)[2]
    r = seeker_client.get(reverse("search:posting", args=[third.posting_id]) + f"?r={resume.public_id}&pos=3")
    assert r.status_code == 200
    opened = Interaction.objects.get(resume=resume, kind="open")
    assert (opened.posting_id, opened.position) == (third.posting_id, 3)
    seeker_client.get(reverse("search:posting", args=[third.posting_id]) + "?r=not-a-uuid")
    assert Interaction.objects.filter(kind="open").count() == 1


def test_someone_elses_resume_takes_no_feedback(client, other_seeker, resume):  # type: ignore[no-untyped-def]
    client.force_login(other_seeker)
    posting = _ranked(resume)[0].posting
    r = client.post(
        reverse("search:resume_feedback", args=[resume.public_id]), {"posting": posting.pk, "action": "save"}
    )
    assert r.status_code == 404
    assert not PostingFeedback.objects.exists() and not Interaction.objects.filter(kind="save").exists()
    from search.feedback import bookmark_save

    bookmark_save(resume=resume, posting=posting)
    assert f'data-posting="{posting.pk}"' not in client.get(reverse("search:saved")).content.decode()


# --- save, apply, dismiss ----------------------------------------------------------------------


def test_a_saved_posting_stays_in_the_list_and_has_its_page(  # type: ignore[no-untyped-def]
    seeker_client, resume, django_capture_on_commit_callbacks
):
    first = _ranked(resume)[0]
    _act(seeker_client, resume, first.posting, "save", django_capture_on_commit_callbacks, position=1)
    assert Interaction.objects.get(resume=resume, kind="save").position == 1
    assert first.posting_id in [r.posting_id for r in _ranked(resume)]
    page = seeker_client.get(reverse("search:saved")).content.decode()
    assert first.posting.title in page and f'data-posting="{first.posting_id}"' in page
    _act(seeker_client, resume, first.posting, "unsave", django_capture_on_commit_callbacks)
    assert f'data-posting="{first.posting_id}"' not in seeker_client.get(reverse("search:saved")).content.decode()


def test_applying_elsewhere_takes_the_posting_out_and_lists_it_under_applications(  # type: ignore[no-untyped-def]
    seeker_client, resume, django_capture_on_commit_callbacks
):
    second = _ranked(resume)[1]
    _act(seeker_client, resume, second.posting, "applied", django_capture_on_commit_callbacks, position=2)
    after = _ranked(resume)
    assert second.posting_id not in [r.posting_id for r in after] and len(after) == 10  # replaced
    assert Interaction.objects.get(resume=resume, kind="apply").position == 2
    assert f'data-posting="{second.posting_id}"' in seeker_client.get(reverse("search:applied")).content.decode()


def test_a_dismissal_needs_a_reason_and_records_nothing_without_one(  # type: ignore[no-untyped-def]
    seeker_client, resume, django_capture_on_commit_callbacks
):
    first = _ranked(resume)[0]
    r = _act(seeker_client, resume, first.posting, "dismiss", django_capture_on_commit_callbacks, reason="meh")
    assert r.status_code == 302
    assert "Choose why" in seeker_client.get(r["Location"]).content.decode()
    assert not Interaction.objects.filter(kind="dismiss").exists()
    assert first.posting_id in [x.posting_id for x in _ranked(resume)]


@pytest.mark.parametrize("reason", DismissReason.values)
def test_every_dismissal_takes_the_posting_out_at_once_and_for_good(  # type: ignore[no-untyped-def]
    seeker_client, resume, reason, django_capture_on_commit_callbacks
):
    victim = _ranked(resume)[3]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # before the refresh runs
        seeker_client.post(
            reverse("search:resume_feedback", args=[resume.public_id]),
            {"posting": victim.posting_id, "action": "dismiss", "reason": reason, "position": 4},
        )
    assert victim.posting_id not in [r.posting_id for r in _ranked(resume)]  # gone before the worker ran
    assert len(callbacks) == 1
    for callback in callbacks:
        callback()
    after = _ranked(resume)
    assert victim.posting_id not in [r.posting_id for r in after]
    logged = Interaction.objects.get(resume=resume, kind="dismiss")
    assert (logged.posting_id, logged.position, logged.reason) == (victim.posting_id, 4, reason)
    if Filters.from_dict(resume.filters) == Filters.from_dict(type(resume).objects.get(pk=resume.pk).filters):
        assert len(after) == 10  # replaced (a tightened filter may leave fewer)
    page = seeker_client.get(reverse("search:dismissed")).content.decode()
    assert f'data-posting="{victim.posting_id}"' in page
    _act(seeker_client, resume, victim.posting, "undismiss", django_capture_on_commit_callbacks, back="dismissed")
    assert not personal_for(resume).excluded


def test_wrong_location_tightens_the_filter_from_anywhere_to_region_to_city(  # type: ignore[no-untyped-def]
    seeker_client, resume, django_capture_on_commit_callbacks
):
    assert resume.profile["location"].startswith("Chicago")
    first = _ranked(resume)[0]
    r = _act(
        seeker_client, resume, first.posting, "dismiss", django_capture_on_commit_callbacks, reason="wrong_location"
    )
    resume.refresh_from_db()
    assert resume.filters["location_scope"] == "region" and resume.filters["location"].startswith("Chicago")
    assert "Only postings in" in seeker_client.get(r["Location"]).content.decode()
    for rec in _ranked(resume):
        assert rec.posting.remote or ", IL" in rec.posting.location or "Illinois" in rec.posting.location
    if _ranked(resume):
        _act(
            seeker_client,
            resume,
            _ranked(resume)[0].posting,
            "dismiss",
            django_capture_on_commit_callbacks,
            reason="wrong_location",
        )
        resume.refresh_from_db()
        assert resume.filters["location_scope"] == "city"
        for rec in _ranked(resume):
            assert rec.posting.location.startswith("Chicago")


def test_salary_too_low_raises_the_minimum_pay_above_that_posting(  # type: ignore[no-untyped-def]
    seeker_client, resume, django_capture_on_commit_callbacks
):
    paid = next((r for r in _ranked(resume) if yearly_pay(r.posting)), None)
    if paid is None:  # make one pay badly, as postings do
        paid = _ranked(resume)[0]
        JobPosting.objects.filter(pk=paid.posting_id).update(salary_min=15, salary_max=18, salary_period="HOURLY")
        paid.posting.refresh_from_db()
    pay = yearly_pay(paid.posting)
    _act(seeker_client, resume, paid.posting, "dismiss", django_capture_on_commit_callbacks, reason="salary_too_low")
    resume.refresh_from_db()
    assert resume.filters["min_salary"] > pay
    for rec in _ranked(resume):
        assert (yearly_pay(rec.posting) or 0) >= resume.filters["min_salary"]


def test_too_junior_moves_lower_levels_down_by_the_seniority_penalty(  # type: ignore[no-untyped-def]
    seeker_client, resume, django_capture_on_commit_callbacks
):
    from search.indexing.engine import get_engine
    from search.matching.seekers import jobs_for_text, resume_query_text

    entry = JobPosting.objects.open().filter(experience_level="Entry level").first()
    _act(seeker_client, resume, entry, "dismiss", django_capture_on_commit_callbacks, reason="too_junior")
    personal = personal_for(resume)
    assert personal.levels == (EXPERIENCE_LEVELS.index("Associate"), len(EXPERIENCE_LEVELS) - 1)
    text = resume_query_text(resume=resume)
    plain = jobs_for_text(text=text, profile=resume.profile, k=50)
    mine = jobs_for_text(text=text, profile=resume.profile, k=50, personal=personal)
    before = {i.posting.pk: i.candidate.final_score for i in plain.items}
    checked = 0
    for item in mine.items:
        if item.posting.pk not in before:
            continue
        level = item.posting.experience_level
        below = {"Internship": 2, "Entry level": 1}.get(level, 0)
        grade = get_engine().grade  # the rules are set in grades of the serving re-ranker's score
        assert item.candidate.final_score == pytest.approx(before[item.posting.pk] - SENIORITY_PENALTY * grade * below)
        assert ("seniority" in item.why.get("personal", {})) == bool(below)
        checked += bool(below)
    assert checked, "no lower-level posting left to compare: the corpus should have some"


def test_not_relevant_demotes_look_alikes_of_the_dismissed_posting(  # type: ignore[no-untyped-def]
    seeker_client, resume, django_capture_on_commit_callbacks
):
    from search.indexing.engine import get_engine

    first = _ranked(resume)[0]
    _act(seeker_client, resume, first.posting, "dismiss", django_capture_on_commit_callbacks, reason="not_relevant")
    personal = personal_for(resume)
    assert personal.unwanted == (first.posting_id,)
    engine = get_engine()
    postings = [r.posting for r in _ranked(resume)]
    ids, levels = [p.pk for p in postings], [p.experience_level for p in postings]
    pen, why = penalties(personal, ids, levels, engine.vectors.vectors, engine.grade)
    vecs = engine.vectors.vectors([first.posting_id] + [p.pk for p in postings])
    u = np.asarray(vecs[first.posting_id])
    for p, got, note in zip(postings, pen, why, strict=True):
        v = np.asarray(vecs[p.pk])
        sim = float(u @ v / np.linalg.norm(u) / np.linalg.norm(v))
        want = NOT_RELEVANT_WEIGHT * engine.grade * max(0.0, sim - NOT_RELEVANT_FLOOR) / (1 - NOT_RELEVANT_FLOOR)
        assert got == pytest.approx(want, abs=1e-4)
        assert ("like_dismissed" in note) == (want > 0)
    stored = {r.posting_id: r.why for r in _ranked(resume)}
    for p, got in zip(postings, pen, strict=True):
        assert ("like_dismissed" in stored[p.pk].get("personal", {})) == (got > 0)


def test_saving_a_posting_brings_more_like_it(  # type: ignore[no-untyped-def]
    seeker_client, resume, django_capture_on_commit_callbacks
):
    """On the real engine: after a save, personal_for lists the posting as liked, and the refreshed list
    holds the look-alikes the bonus moved up, with the reason shown."""
    third = _ranked(resume)[2]
    _act(seeker_client, resume, third.posting, "save", django_capture_on_commit_callbacks)
    personal = personal_for(resume)
    assert personal.liked == (third.posting_id,)
    from search.matching.seekers import recommendations_refresh

    recommendations_refresh(resume=resume)
    ranked = _ranked(resume)
    assert third.posting_id in {r.posting_id for r in ranked}  # the saved posting stays
    lifted = [r for r in ranked if "like_liked" in r.why.get("personal", {})]
    assert lifted and third.posting_id not in {r.posting_id for r in lifted}


def test_the_results_page_acts_in_place_and_gets_an_answer_in_json(  # type: ignore[no-untyped-def]
    seeker_client, resume, django_capture_on_commit_callbacks
):
    first, second = _ranked(resume)[:2]
    url = reverse("search:resume_feedback", args=[resume.public_id])
    fetch = {"X-Requested-With": "fetch"}
    saved = seeker_client.post(url, {"posting": first.posting_id, "action": "save"}, headers=fetch)
    assert saved.json() == {"ok": True, "message": saved.json()["message"], "removed": False, "action": "save"}
    refused = seeker_client.post(
        url, {"posting": second.posting_id, "action": "dismiss", "reason": "meh"}, headers=fetch
    )
    assert refused.status_code == 400 and refused.json()["ok"] is False and "Choose why" in refused.json()["message"]
    with django_capture_on_commit_callbacks(execute=True):
        gone = seeker_client.post(
            url, {"posting": second.posting_id, "action": "dismiss", "reason": "not_relevant"}, headers=fetch
        )
    assert gone.json()["removed"] is True and gone.json()["message"].startswith("Dismissed")
    assert second.posting_id not in [x.posting_id for x in _ranked(resume)]  # the list the page refills from


@pytest.mark.parametrize(
    "posting,position", [("abc", "1"), ("1e5", "1"), ("9" * 30, "1"), (None, "-5"), (None, "40000"), (None, "9" * 30)]
)
def test_malformed_feedback_parameters_are_refused_or_dropped_never_a_500(  # type: ignore[no-untyped-def]
    seeker_client, resume, posting, position
):
    from search.models import Interaction

    target = posting if posting is not None else str(_ranked(resume)[0].posting_id)
    r = seeker_client.post(
        reverse("search:resume_feedback", args=[resume.public_id]),
        {"posting": target, "action": "save", "position": position},
    )
    if posting is not None:
        assert r.status_code == 404
    else:
        assert r.status_code == 302
        # the client's number is dropped; the rank the server stored for the posting stands in
        assert Interaction.objects.filter(resume=resume, kind="save").get().position == 1
    page = seeker_client.get(
        reverse("search:posting", args=[_ranked(resume)[0].posting_id]), {"r": str(resume.public_id), "pos": "99999"}
    )
    assert page.status_code == 200
