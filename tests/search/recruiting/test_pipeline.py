"""A posting's hiring pipeline: stages, notes and history, the board, the funnel, the export, who may move
whom. The ranking itself is not needed here (tests/search/recruiting/test_recruiting.py ranks)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from search.models import Application, CandidateDecision, CandidateEvent, CandidateMatch, JobPosting
from search.recruiting.pipeline import NotACandidate, board_for_posting, history, note_add, stage_move
from tests.conftest import make_resume, person

PROFILE = {"name": "Maria Lopez", "email": "maria.lopez@example.com", "titles": ["Registered Nurse"]}


@pytest.fixture
def posting(org_a):  # type: ignore[no-untyped-def]
    return JobPosting.objects.create(
        source=org_a.source, external_id="p1", title="ICU Registered Nurse", organisation=org_a
    )


@pytest.fixture
def applicant(posting):  # type: ignore[no-untyped-def]
    resume = make_resume(person("amy.applicant"), text="ICU nurse", profile={**PROFILE, "name": "Amy Applicant"})
    Application.objects.create(resume=resume, posting=posting)
    return resume


@pytest.fixture
def discoverable(posting):  # type: ignore[no-untyped-def]
    resume = make_resume(person("maria.lopez"), text="Registered nurse", profile=PROFILE, discoverable=True)
    CandidateMatch.objects.create(posting=posting, resume=resume, rank=1, score=0.7)
    return resume


def test_a_candidate_moves_through_every_stage_with_notes_and_history(  # type: ignore[no-untyped-def]
    client, recruiter, posting, applicant, discoverable
):
    client.force_login(recruiter)
    board = client.get(reverse("recruit:pipeline", args=[posting.pk]))
    assert board.status_code == 200
    columns = {stage: [c.resume for c in cards] for stage, cards in board.context["board"].columns.items()}
    assert columns["applied"] == [applicant] and columns["suggested"] == [discoverable]

    url = reverse("recruit:stage", args=[posting.pk, discoverable.public_id])
    for stage, note in (("screening", "Called her"), ("interview", ""), ("offer", "=HYPERLINK(x)"), ("hired", "")):
        r = client.post(url, {"stage": stage, "note": note, "next": "pipeline"})
        assert r.status_code == 302 and r["Location"] == reverse("recruit:pipeline", args=[posting.pk])
    decision = CandidateDecision.objects.get(posting=posting, resume=discoverable)
    assert decision.status == "hired" and decision.note == "=HYPERLINK(x)" and decision.decided_by == recruiter

    moves = [(e.from_stage, e.to_stage) for e in history(posting=posting, resume=discoverable)]
    assert moves == [("offer", "hired"), ("interview", "offer"), ("screening", "interview"), ("suggested", "screening")]
    assert [e.by_name for e in CandidateEvent.objects.all()] == ["rita.recruiter"] * 4

    page = client.get(reverse("recruit:candidate", args=[posting.pk, discoverable.public_id])).content.decode()
    assert "Stage: Hired" in page and "Called her" in page
    assert "moved them from offer to <strong>hired</strong>" in page

    # A note alone is history, not a move: the time in stage keeps running.
    since = decision.stage_since
    client.post(url, {"stage": "hired", "note": "Starts on the 1st"})
    decision.refresh_from_db()
    assert decision.stage_since == since and decision.note == "Starts on the 1st"
    assert CandidateEvent.objects.filter(to_stage="", note="Starts on the 1st").count() == 1

    funnel = {s.stage: s for s in board_for_posting(posting=posting).funnel}
    assert [funnel[s].reached for s in ("applied", "screening", "interview", "offer", "hired")] == [2, 1, 1, 1, 1]
    assert funnel["applied"].now == 1 and funnel["hired"].now == 1 and funnel["screening"].now == 0

    # The export: everyone in the pipeline, not the rejected, each cell safe for a spreadsheet.
    client.post(reverse("recruit:stage", args=[posting.pk, applicant.public_id]), {"stage": "rejected"})
    export = client.get(reverse("recruit:pipeline_csv", args=[posting.pk])).content.decode()
    rows = list(csv.DictReader(io.StringIO(export)))
    assert [(r["name"], r["stage"]) for r in rows] == [("Maria Lopez", "hired")]
    assert rows[0]["note"] == "Starts on the 1st" and rows[0]["email"] == "maria.lopez@example.com"


def test_funnel_reports_the_median_days_in_each_stage(recruiter, posting, applicant, discoverable):  # type: ignore[no-untyped-def]
    start = timezone.now() - dt.timedelta(days=10)
    Application.objects.filter(resume=applicant).update(created_at=start)
    stage_move(posting=posting, resume=applicant, stage="screening", by=recruiter)
    stage_move(posting=posting, resume=applicant, stage="interview", by=recruiter)
    events = CandidateEvent.objects.filter(resume=applicant).order_by("at")
    CandidateEvent.objects.filter(pk=events[0].pk).update(at=start + dt.timedelta(days=2))  # applied for 2 days
    CandidateEvent.objects.filter(pk=events[1].pk).update(at=start + dt.timedelta(days=6))  # screened for 4
    funnel = {s.stage: s for s in board_for_posting(posting=posting).funnel}
    assert funnel["applied"].median_days == 2.0 and funnel["screening"].median_days == 4.0
    assert funnel["interview"].median_days == 4.0  # still there: 4 days so far
    assert funnel["offer"].median_days is None and funnel["offer"].reached == 0
    assert funnel["applied"].share == 1.0 and funnel["offer"].bar_width == 0.0


def test_the_chart_and_board_render_without_inline_styles(client, recruiter, posting, applicant):  # type: ignore[no-untyped-def]
    client.force_login(recruiter)
    stage_move(posting=posting, resume=applicant, stage="interview", note="Tuesday 10:00", by=recruiter)
    page = client.get(reverse("recruit:pipeline", args=[posting.pk])).content.decode()
    assert "<svg" in page and "Applied 1, Screening 1, Interview 1, Offer 0, Hired 0" in page
    assert 'width="62.0%"' in page  # the widest bar spans the chart
    assert "style=" not in page  # the content security policy forbids inline styles


def test_only_shared_resumes_move_and_a_note_on_a_suggestion_takes_it_in(  # type: ignore[no-untyped-def]
    client, recruiter, other_recruiter, posting, discoverable
):
    private = make_resume(person("pat.private"), text="Nurse", profile={"name": "Pat Private"})
    with pytest.raises(NotACandidate):
        stage_move(posting=posting, resume=private, stage="screening", by=recruiter)
    client.force_login(recruiter)
    r = client.post(reverse("recruit:stage", args=[posting.pk, private.public_id]), {"stage": "hired"})
    assert r.status_code == 404
    client.force_login(other_recruiter)
    r = client.post(reverse("recruit:stage", args=[posting.pk, discoverable.public_id]), {"stage": "hired"})
    assert r.status_code == 404 and not CandidateDecision.objects.exists()
    with pytest.raises(ValueError):
        stage_move(posting=posting, resume=discoverable, stage="shortlisted", by=recruiter)

    event = note_add(posting=posting, resume=discoverable, note="Worth a call", by=recruiter)
    assert event is not None and event.to_stage == "screening" and event.note == "Worth a call"
    assert note_add(posting=posting, resume=discoverable, note="   ", by=recruiter) is None


def test_deleting_the_resume_deletes_its_pipeline_history(recruiter, posting, discoverable):  # type: ignore[no-untyped-def]
    stage_move(posting=posting, resume=discoverable, stage="interview", note="Strong ICU background", by=recruiter)
    discoverable.delete()
    assert not CandidateEvent.objects.exists() and not CandidateDecision.objects.exists()
