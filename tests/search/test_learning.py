"""Learning from interactions: examples labelled by what followed, the deployment gate, versions and
rollback, and the corrections reaching the seeker's ranking."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from resumes.services import profile_read
from search.feedback import bookmark_save, impressions_record, posting_dismiss, posting_open_record
from search.indexing.artifacts import PERSONAL, load_model, save_model, serving_path, versions
from search.learning import UNACTED_WEIGHT, Examples, interaction_examples, personal_train
from search.ranking.features import FEATURES
from search.ranking.personal import GLMix
from tests.conftest import make_resume

from .test_feedback import ANALYST

LOC = FEATURES.index("location")
SEEKER = 10**9  # no real resume has this id


@pytest.fixture(autouse=True)
def _no_personal_model_left():  # type: ignore[no-untyped-def]
    yield
    shutil.rmtree(settings.MODEL_DIR / PERSONAL, ignore_errors=True)


def _examples(likes_location: list[bool], n: int = 1000, seed: int = 0) -> Examples:
    """Interactions of one seeker in time order; part k of len(likes_location) follows that taste."""
    rng = np.random.default_rng(seed)
    X = np.full((n, len(FEATURES)), 0.5)  # the global score is the same for all: only taste separates them
    X[:, LOC] = rng.uniform(0, 1, n)
    parts = np.array_split(np.arange(n), len(likes_location))
    y = np.zeros(n)
    for idx, likes in zip(parts, likes_location, strict=True):
        logit = 6 * (X[idx, LOC] - 0.5) * (1 if likes else -1)
        y[idx] = rng.uniform(0, 1, len(idx)) < 1 / (1 + np.exp(-logit))
    return Examples(X, y, np.ones(n), np.full(n, SEEKER), rng.integers(1, 50, n), np.arange(n, dtype=float))


def test_the_gate_deploys_a_better_model_and_refuses_a_worse_one(db):  # type: ignore[no-untyped-def]
    first = personal_train(examples=_examples([True]))
    assert first.deployed, first.reason
    assert first.metrics["auc_candidate"] > first.metrics["auc_global"]
    serving = load_model(PERSONAL)
    assert serving is not None and serving.version == first.version
    assert serving.metrics["holdout_examples"] == 200 and serving.metrics["deployed"] is True

    # The seeker's taste turned: trained on the old (reversed) part, the candidate loses on the newest part,
    # which the serving model still gets right.
    second = personal_train(examples=_examples([False, False, False, False, True], seed=1))
    assert not second.deployed and "worse than the serving model" in second.reason
    assert load_model(PERSONAL).version == first.version  # still serving
    states = {v["version"]: v["state"] for v in versions(PERSONAL)}
    assert states[first.version] == "serving" and states[second.version] == "rejected"
    assert (
        json.loads((settings.MODEL_DIR / PERSONAL / second.version / "metrics.json").read_text())["deployed"] is False
    )


def test_rollback_returns_to_the_previous_version(db, capsys):  # type: ignore[no-untyped-def]
    ex = _examples([True])
    fitted = GLMix().fit(ex.X, ex.y, ex.seekers, ex.postings, np.zeros(len(ex)))
    a = save_model(PERSONAL, fitted, {"deployed": True}).name
    b = save_model(PERSONAL, fitted, {"deployed": True}).name
    assert a < b and serving_path(PERSONAL).name == b
    call_command("models", "--rollback")
    assert serving_path(PERSONAL).name == a
    assert f"{b} rolled back; now serving {a}" in capsys.readouterr().out
    call_command("models")
    listing = capsys.readouterr().out
    assert "rolled back" in listing and "serving" in listing
    call_command("models", "--rollback")
    assert serving_path(PERSONAL) is None
    with pytest.raises(CommandError, match="no personal model trained on this machine"):
        call_command("models", "--rollback")


def test_too_few_interactions_train_nothing(db, capsys):  # type: ignore[no-untyped-def]
    call_command("train_models", "--only", "personal")
    assert "not deployed: too few interactions" in capsys.readouterr().out
    assert serving_path(PERSONAL) is None


def test_examples_are_labelled_by_the_strongest_action_that_followed(seeker, corpus):  # type: ignore[no-untyped-def]
    from search.models import JobPosting

    resume = make_resume(seeker, text=ANALYST, profile=profile_read(text=ANALYST))
    p = list(JobPosting.objects.order_by("id")[:5])
    feats = {x.pk: [0.1 * n] * len(FEATURES) for n, x in enumerate(p)}
    impressions_record(resume=resume, shown=[(x.pk, n + 1) for n, x in enumerate(p)], features=feats)
    bookmark_save(resume=resume, posting=p[0])
    posting_open_record(resume=resume, posting=p[0])
    posting_open_record(resume=resume, posting=p[1])
    posting_dismiss(resume=resume, posting=p[2], reason="not_relevant")
    posting_open_record(resume=resume, posting=p[4])  # opened, then dismissed: a no
    posting_dismiss(resume=resume, posting=p[4], reason="too_senior")
    ex = interaction_examples()
    got = {int(pid): (y, w) for pid, y, w in zip(ex.postings, ex.y, ex.w, strict=True)}
    assert got == {
        p[0].pk: (1.0, 1.0),
        p[1].pk: (1.0, 0.5),
        p[2].pk: (0.0, 1.0),
        p[3].pk: (0.0, UNACTED_WEIGHT),
        p[4].pk: (0.0, 1.0),
    }
    assert ex.X[list(ex.postings).index(p[3].pk)].tolist() == feats[p[3].pk]


def test_a_deployed_model_moves_that_seekers_results(seeker, corpus):  # type: ignore[no-untyped-def]
    from search.feedback import personal_for
    from search.indexing.engine import get_engine
    from search.matching.seekers import jobs_for_text, resume_query_text

    resume = make_resume(seeker, text=ANALYST, profile=profile_read(text=ANALYST))
    ex = _examples([True])
    ex.seekers[:] = resume.pk
    assert personal_train(examples=ex).deployed
    engine = get_engine()
    assert engine.personal is not None  # picked up without a restart
    text = resume_query_text(resume=resume)
    plain = jobs_for_text(text=text, profile=resume.profile, k=30)
    mine = jobs_for_text(text=text, profile=resume.profile, k=30, personal=personal_for(resume))
    before = {i.posting.pk: i.candidate.final_score for i in plain.items}
    moved = 0
    for item in mine.items:
        if item.posting.pk in before:
            x = np.asarray([item.features])
            want = engine.personal.estimator.corrections(x, [resume.pk], [item.posting.pk])[0]
            assert item.candidate.final_score == pytest.approx(before[item.posting.pk] + want, abs=1e-3)
            moved += abs(want) > 0.01
    assert moved
