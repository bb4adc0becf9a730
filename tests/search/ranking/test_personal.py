"""The GLMix core on synthetic interactions: corrections follow a seeker's taste, shrink with few
actions, leave unseen seekers and postings alone; the weighted AUC."""

from __future__ import annotations

import numpy as np
import pytest

from search.ranking.features import FEATURES
from search.ranking.personal import GLMix, fit_offset_logistic, weighted_auc

LOC = FEATURES.index("location")


def _interactions(rng: np.random.Generator, seeker: int, n: int, likes_location: bool):  # type: ignore[no-untyped-def]
    X = rng.uniform(0, 1, (n, len(FEATURES)))
    p = 1 / (1 + np.exp(-(6 * (X[:, LOC] - 0.5)))) if likes_location else np.full(n, 0.3)
    y = (rng.uniform(0, 1, n) < p).astype(float)
    return X, y, np.full(n, seeker), rng.integers(1000, 1100, n)


def test_a_seeker_who_acts_on_location_gets_a_positive_location_correction():  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(1)
    a = _interactions(rng, 1, 400, likes_location=True)
    b = _interactions(rng, 2, 400, likes_location=False)
    shuffle = rng.permutation(800)  # rows interleaved, as they come from the database
    X, y, s, p = (np.concatenate(parts)[shuffle] for parts in zip(a, b, strict=True))
    model = GLMix().fit(X, y, s, p, base=np.zeros(len(X)))
    assert model.seeker_coef_[1][LOC] > 1.0  # standardised units
    assert abs(model.seeker_coef_[2][LOC]) < 0.3
    near, far = np.full((1, len(FEATURES)), 0.5), np.full((1, len(FEATURES)), 0.5)
    near[0, LOC], far[0, LOC] = 1.0, 0.0
    assert model.corrections(near, [1], [0])[0] > model.corrections(far, [1], [0])[0] + 1
    # A seeker or posting the model never saw gets no correction.
    assert model.corrections(near, [99], [99])[0] == 0.0


def test_every_seeker_and_posting_gets_its_own_correction_in_any_row_order():  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(4)
    seekers = rng.permutation(np.repeat(np.arange(500, 540), 60))
    likes = {int(k): k % 2 == 0 for k in np.unique(seekers)}  # even seekers want location, odd ones do not care
    X = rng.uniform(0, 1, (len(seekers), len(FEATURES)))
    p = np.where([likes[int(k)] for k in seekers], 1 / (1 + np.exp(-(8 * (X[:, LOC] - 0.5)))), 0.3)
    y = (rng.uniform(0, 1, len(X)) < p).astype(float)
    postings = rng.integers(7000, 7300, len(X))
    model = GLMix().fit(X, y, seekers, postings, base=np.zeros(len(X)))
    assert set(model.seeker_coef_) == set(likes)
    assert set(model.posting_bias_) == {int(k) for k in postings}
    for key, wants in likes.items():
        assert (model.seeker_coef_[key][LOC] > 0.5) == wants, key


def test_few_actions_give_small_corrections_many_give_larger_ones():  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(2)
    few = _interactions(rng, 1, 12, likes_location=True)
    many = _interactions(rng, 2, 600, likes_location=True)
    X, y, s, p = (np.concatenate(parts) for parts in zip(few, many, strict=True))
    model = GLMix().fit(X, y, s, p, base=np.zeros(len(X)))
    assert np.linalg.norm(model.seeker_coef_[1]) < np.linalg.norm(model.seeker_coef_[2])


def test_the_global_score_is_an_offset_not_refitted():  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(3)
    X = rng.uniform(0, 1, (300, len(FEATURES)))
    base = 4 * (X[:, 0] - 0.5)
    y = (rng.uniform(0, 1, 300) < 1 / (1 + np.exp(-base))).astype(float)
    model = GLMix().fit(X, y, np.ones(300, dtype=int), np.arange(300), base=base)
    # The global score already explains the labels: the seeker's correction stays near zero.
    assert np.abs(model.seeker_coef_[1]).max() < 0.4
    assert np.allclose(
        model.predict(X, [1] * 300, list(range(300)), base), base + model.corrections(X, [1] * 300, list(range(300)))
    )


def test_offset_logistic_matches_the_closed_form_for_a_bias():  # type: ignore[no-untyped-def]
    y = np.array([1.0, 1.0, 1.0, 0.0])
    beta = fit_offset_logistic(np.ones((4, 1)), y, np.ones(4), np.zeros(4), l2=1e-9, steps=50)
    assert 1 / (1 + np.exp(-beta[0])) == pytest.approx(0.75, abs=1e-4)


def test_weighted_auc():  # type: ignore[no-untyped-def]
    assert weighted_auc([0.1, 0.9], [0, 1]) == 1.0
    assert weighted_auc([0.9, 0.1], [0, 1]) == 0.0
    assert weighted_auc([0.5, 0.5], [0, 1]) == 0.5
    assert weighted_auc([0.2, 0.4, 0.6], [0, 1, 0], [1, 1, 3]) == pytest.approx((1 * 1) / (1 * 4))
    assert np.isnan(weighted_auc([0.1, 0.2], [1, 1]))


def test_rows_must_line_up():  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="one row each"):
        GLMix().fit(np.zeros((3, len(FEATURES))), [0, 1, 0], [1, 1], [1, 2, 3], np.zeros(3))
