"""The learned re-ranker's contract: fit, predict, save, load gives the same scores; scores split into contributions."""

import joblib
import numpy as np
import pytest

from search.ranking.explain import contribution_shares
from search.ranking.features import FEATURES
from search.ranking.reranker import LinearReranker


def _pairs(n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, len(FEATURES)))
    d = FEATURES.index("domain")
    y = (X[:, d] + 0.1 * rng.standard_normal(n) > 0.5).astype(int)  # relevance follows domain agreement
    return X, y


def test_fit_predict_save_load_give_the_same_scores(tmp_path):
    X, y = _pairs()
    model = LinearReranker().fit(X, y)
    scores = model.predict(X)
    joblib.dump(model, tmp_path / "model.joblib")
    again = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(again.predict(X), scores)
    # It learned what the labels follow: domain agreement carries the largest weight.
    assert int(np.argmax(model.coef_)) == FEATURES.index("domain")
    assert (model.predict_proba(X)[:, 1] > 0.5).mean() == pytest.approx((scores > 0).mean())


def test_a_score_is_the_sum_of_its_contributions():
    X, y = _pairs()
    model = LinearReranker().fit(X, y)
    np.testing.assert_allclose(model.contributions(X).sum(axis=1) + model.intercept_, model.predict(X))
    shares = contribution_shares(model.contributions(X[:1])[0])
    assert set(shares) == set(FEATURES)
    assert sum(abs(v) for v in shares.values()) == pytest.approx(1.0, abs=1e-3)


def test_it_refuses_what_it_cannot_learn_from():
    X, y = _pairs()
    with pytest.raises(ValueError, match="features per row"):
        LinearReranker().fit(X[:, :3], y)
    with pytest.raises(ValueError, match="both relevant and irrelevant"):
        LinearReranker().fit(X, np.ones(len(y)))


def test_feedback_can_weigh_pairs():
    X, y = _pairs()
    weights = np.where(y == 1, 2.0, 1.0)  # e.g. applications count twice
    a, b = LinearReranker().fit(X, y), LinearReranker().fit(X, y, sample_weight=weights)
    assert not np.allclose(a.coef_, b.coef_)


def test_more_retrieval_evidence_never_lowers_the_score():
    """The labels follow domain; the vector score is collinear with it, so a free fit may weigh it
    negatively. The constrained fit keeps it at zero or above, and other weights are free."""
    rng = np.random.default_rng(3)
    n = 2000
    X = rng.random((n, len(FEATURES)))
    d, v, s = FEATURES.index("domain"), FEATURES.index("vector"), FEATURES.index("seniority")
    X[:, v] = 0.8 * X[:, d] + 0.2 * rng.random(n)
    y = (X[:, d] - 0.4 * X[:, v] - 0.3 * X[:, s] + 0.05 * rng.standard_normal(n) > 0.1).astype(int)
    free = LinearReranker(monotone=()).fit(X, y)
    assert free.coef_[v] < 0 and free.coef_[s] < 0  # what the constraint is for
    model = LinearReranker().fit(X, y)
    assert model.coef_[v] == 0.0 and model.coef_[s] == 0.0 and model.coef_[d] > 0
    assert (model.coef_ >= 0).all()
    partial = LinearReranker(monotone=("vector",)).fit(X, y)
    assert partial.coef_[v] == 0.0 and partial.coef_[s] < 0  # only the named features are held
    better = X[:50].copy()
    better[:, v] += 0.1
    assert (model.predict(better) >= model.predict(X[:50]) - 1e-12).all()
    with pytest.raises(ValueError, match="unknown features"):
        LinearReranker(monotone=("nope",)).fit(X, y)


def _graded(queries=30, per=12, seed=1):
    """Items whose grade follows occupation agreement and falls with the level gap above the person."""
    rng = np.random.default_rng(seed)
    X = rng.random((queries * per, len(FEATURES)))
    occ, above = FEATURES.index("occupation"), FEATURES.index("level_above")
    truth = 2 * X[:, occ] - 1.5 * X[:, above] + 0.2 * rng.standard_normal(len(X))
    grades = np.digitize(truth, np.quantile(truth, [0.4, 0.75]))
    return X, grades, np.repeat(np.arange(queries), per)


def test_the_pairwise_reranker_orders_items_of_a_query_by_their_grades():
    from search.ranking.reranker import PairwiseReranker

    X, grades, groups = _graded()
    model = PairwiseReranker().fit(X, grades, groups)
    assert model.coef_[FEATURES.index("occupation")] > 0 and model.coef_[FEATURES.index("level_above")] < 0
    held_X, held_grades, held_groups = _graded(seed=2)
    scores = model.predict(held_X)
    agree = []
    for g in np.unique(held_groups):
        rows = np.flatnonzero(held_groups == g)
        for i in rows:
            for j in rows:
                if held_grades[i] > held_grades[j]:
                    agree.append(scores[i] > scores[j])
    assert np.mean(agree) > 0.85
    parts = model.contributions(held_X[:3])
    assert np.allclose(parts.sum(axis=1), scores[:3])


def test_the_pairwise_reranker_holds_a_signed_features_weight_at_zero_rather_than_the_wrong_way():
    from search.ranking.reranker import PairwiseReranker

    X, grades, groups = _graded()
    d = FEATURES.index("domain")
    X[:, d] = 1 - X[:, FEATURES.index("occupation")]  # domain agreement here says the opposite
    model = PairwiseReranker().fit(X, grades, groups)
    assert model.coef_[d] == 0.0  # domain agreement may only raise a score
    where = FEATURES.index("location")
    X[:, where] = X[:, FEATURES.index("occupation")]  # graders ignore place: a link in the pools is an accident
    assert PairwiseReranker().fit(X, grades, groups).coef_[where] == 0.0
    with pytest.raises(ValueError, match="graded differently"):
        PairwiseReranker().fit(X[:3], [1, 1, 1], [0, 0, 0])


def test_a_reranker_saved_with_fewer_features_reads_its_own_columns():
    from search.ranking.features import SeekerSide
    from search.ranking.pipeline import Pool, Query, score
    from search.ranking.types import Candidate

    old = LinearReranker().fit(*_pairs())
    old.feature_names_ = list(FEATURES[:9])  # as saved before the occupation and level features
    old.mean_, old.scale_, old.coef_ = old.mean_[:9], old.scale_[:9], old.coef_[:9]
    X = np.random.default_rng(3).random((4, len(FEATURES)))
    pool = Pool(Query("", np.zeros(3, dtype=np.float32), SeekerSide()), [Candidate(id=i) for i in range(4)], {}, X, [])
    scores, parts = score(pool, old)
    np.testing.assert_allclose(scores, old.predict(X[:, :9]))
    assert parts.shape == X.shape and not parts[:, 9:].any()
