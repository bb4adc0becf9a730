"""simulate_feedback on the test corpus: its table and JSON, neutral before any feedback, clean after."""

from __future__ import annotations

import io
import json

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count

from resumes.models import Resume
from search.evaluation.simulation import Preference, region_of
from search.indexing.artifacts import PERSONAL
from search.models import Interaction, JobPosting
from tests.search.personas import DEVELOPER, NURSE
from tests.search.test_feedback import ANALYST

pytestmark = pytest.mark.usefixtures("corpus")


def test_region_of_reads_codes_and_names():  # type: ignore[no-untyped-def]
    assert region_of("Austin, TX") == "TX"
    assert region_of("Raleigh, North Carolina 27601") == "NC"
    assert region_of("United States") == "" and region_of("") == ""


def test_a_posting_is_right_only_when_every_hidden_preference_holds():  # type: ignore[no-untyped-def]
    pref = Preference("FINANCE", "IL", "Chicago", (2, 3), "SAP")
    ok = JobPosting(domain="FINANCE", location="Chicago, IL", experience_level="Associate", skills=["Excel"])
    assert pref.wrong_for(ok) is None
    assert pref.wrong_for(JobPosting(domain="HR", location="Chicago, IL")) == "not_relevant"
    assert pref.wrong_for(JobPosting(domain="FINANCE", location="Austin, TX")) == "wrong_location"
    assert pref.wrong_for(JobPosting(domain="FINANCE", location="Austin, TX", remote=True)) is None
    assert (
        pref.wrong_for(JobPosting(domain="FINANCE", location="Chicago, IL", experience_level="Entry level"))
        == "too_junior"
    )
    assert (
        pref.wrong_for(JobPosting(domain="FINANCE", location="Chicago, IL", experience_level="Director"))
        == "too_senior"
    )
    assert pref.wrong_for(JobPosting(domain="FINANCE", location="Chicago, IL", skills=["SAP"])) == "not_relevant"


def test_simulate_feedback_prints_its_rounds_and_cleans_up(tmp_path):  # type: ignore[no-untyped-def]
    resumes = tmp_path / "resumes.jsonl"
    domains = dict(JobPosting.objects.values_list("domain").order_by().annotate(n=Count("id")))
    texts = {"FINANCE": ANALYST, "INFORMATION-TECHNOLOGY": DEVELOPER, "HEALTHCARE": NURSE}
    lines = [json.dumps({"id": d, "text": t, "category": d}) for d, t in texts.items() if domains.get(d)]
    resumes.write_text("\n".join(lines) + "\n")
    out = io.StringIO()
    call_command(
        "simulate_feedback",
        "--resumes",
        str(resumes),
        "--seekers",
        "3",
        "--rounds",
        "3",
        "--min-right",
        "3",
        "--json",
        stdout=out,
    )
    text = out.getvalue()
    result = json.loads(text.strip().splitlines()[-1])
    assert [r["round"] for r in result["rounds"]] == [1, 2, 3]
    for r in result["rounds"]:
        assert set(r) == {"round", "p10_personalised", "p10_baseline"}
        assert 0 <= r["p10_personalised"] <= 1 and 0 <= r["p10_baseline"] <= 1
    first = result["rounds"][0]
    assert first["p10_personalised"] == first["p10_baseline"]  # no feedback yet: the same ranking
    assert result["gain"] == pytest.approx(
        result["rounds"][-1]["p10_personalised"] - result["rounds"][-1]["p10_baseline"], abs=1e-3
    )
    assert "personalised P@10" in text and "gain in the last round" in text
    # Nothing of the simulation is left: seekers, resumes, interactions, models.
    assert not get_user_model().objects.filter(username__startswith="sim-seeker-").exists()
    assert not Resume.objects.exists() and not Interaction.objects.exists()
    assert not (settings.MODEL_DIR / PERSONAL).exists()


def test_both_lists_are_judged_without_postings_the_seeker_applied_to(seeker, monkeypatch):  # type: ignore[no-untyped-def]
    """The baseline hides what the seeker applied to (as any board does) but learns nothing else: a
    baseline that kept showing applied postings would be credited with right postings forever."""
    import random

    from search.evaluation import simulation as services
    from search.evaluation.simulation import SimSeeker, simulate
    from search.feedback import applied_postings

    # Every posting is right for this seeker, so each one shown is applied to or saved.
    monkeypatch.setattr(Preference, "wrong_for", lambda self, p: None)
    resume = Resume.objects.create(
        owner=seeker,
        original_name="a.txt",
        stored_name="simtest" + "0" * 20,
        content_type="text/plain",
        size=len(ANALYST),
        sha256="0" * 64,
        status=Resume.Status.DONE,
        text=ANALYST,
        profile={},
    )
    baseline_calls = []
    real = services.jobs_for_text

    def spy(**kwargs):  # type: ignore[no-untyped-def]
        applied = set(applied_postings(resume))
        result = real(**kwargs)
        if kwargs["personal"].resume_id is None:
            baseline_calls.append((kwargs["personal"], applied, {i.posting.pk for i in result.items}))
        return result

    monkeypatch.setattr(services, "jobs_for_text", spy)
    pref = Preference("FINANCE", "", "", (0, 6), "")
    simulate([SimSeeker(resume, ANALYST, None, pref)], rounds=2, rng=random.Random(3))  # type: ignore[arg-type]
    assert len(baseline_calls) == 2
    (first, applied1, _), (second, applied2, shown2) = baseline_calls
    assert not applied1 and first.excluded == frozenset()
    assert applied2, "round 1 applied to nothing"
    # Round 2: the baseline leaves out exactly what was applied to, learns nothing else, shows none of it.
    assert second.excluded == frozenset(applied2) and not second.shifts
    assert not (shown2 & applied2) and len(shown2) == 10
