"""The learned re-ranker: one score per (resume, posting) pair from the features in features.py.

A scikit-learn estimator (fit / predict; learned state ends in an underscore): the
features are standardised and a logistic regression learns how much each is worth from
labelled pairs (relevant or not). It is linear on purpose: every score splits exactly
into one contribution per feature, which the results page shows as the reasons. The
feedback issue retrains it with `fit` on pairs labelled by what seekers did (applied,
saved = relevant; dismissed = not), optionally weighted with `sample_weight`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression

from .features import FEATURES

# Features where more evidence may never lower the score: all of them, since each is built so that a
# higher value is a better fit. Trained on domain labels alone, the free model gave BM25 and vector
# similarity, location and seniority fit small negative weights (they correlate with domain agreement,
# which carries the label, or say nothing about it), so a closer resume in the same domain ranked lower.
# Such a weight is fixed at zero instead (an active-set fit: refit without the feature until no
# constrained weight is negative); feedback labels (save, apply) can give it a positive one.
MONOTONE = tuple(FEATURES)


class LinearReranker(BaseEstimator):  # type: ignore[misc]
    def __init__(self, C: float = 1.0, max_iter: int = 2000, monotone: tuple[str, ...] = MONOTONE) -> None:
        self.C = C
        self.max_iter = max_iter
        self.monotone = monotone

    def fit(
        self,
        X: npt.NDArray[np.floating],
        y: npt.ArrayLike,
        sample_weight: npt.ArrayLike | None = None,
    ) -> LinearReranker:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != len(FEATURES):
            raise ValueError(f"expected {len(FEATURES)} features per row ({', '.join(FEATURES)}), got {X.shape}")
        y = np.asarray(y).astype(int)
        if len(set(y.tolist())) < 2:
            raise ValueError("the re-ranker needs both relevant and irrelevant pairs to learn from")
        unknown = set(self.monotone) - set(FEATURES)
        if unknown:
            raise ValueError(f"monotone names unknown features: {', '.join(sorted(unknown))}")
        self.mean_ = X.mean(axis=0)
        self.scale_ = X.std(axis=0)
        self.scale_[self.scale_ == 0] = 1.0
        Z = (X - self.mean_) / self.scale_
        constrained = [FEATURES.index(name) for name in self.monotone]
        active = list(range(len(FEATURES)))
        while True:
            self.model_ = LogisticRegression(C=self.C, max_iter=self.max_iter, class_weight="balanced")
            self.model_.fit(Z[:, active], y, sample_weight=sample_weight)
            coef = dict(zip(active, self.model_.coef_[0], strict=True))
            negative = [i for i in constrained if coef.get(i, 0.0) < 0]
            if not negative:
                break
            active = [i for i in active if i not in negative]
        self.coef_ = np.asarray([coef.get(i, 0.0) for i in range(len(FEATURES))], dtype=np.float64)
        self.intercept_ = float(self.model_.intercept_[0])
        self.feature_names_ = list(FEATURES)
        return self

    def contributions(self, X: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
        """Per row and feature, what the feature added to the score (the score is their sum plus the intercept)."""
        X = np.atleast_2d(np.asarray(X, dtype=np.float64))
        return np.asarray((X - self.mean_) / self.scale_ * self.coef_)

    def predict(self, X: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
        """Scores: higher is a better match (log-odds of relevance)."""
        return np.asarray(self.contributions(X).sum(axis=1) + self.intercept_)

    def predict_proba(self, X: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
        p = 1.0 / (1.0 + np.exp(-self.predict(X)))
        return np.column_stack([1 - p, p])


# The features whose weight may only be positive (more is a better fit) or only negative (more is a
# worse fit) in the pairwise model; the rest may go either way.
POSITIVE = ("domain", "skills", "title", "occupation", "occupation_group", "family")
NEGATIVE = ("level_above", "level_below")
# What the judged set's rubric tells graders to ignore (place, and a posting's age): grades cannot teach
# these weights, and any they learn is an accident of which corpora the pools came from. Held at zero;
# a seeker's place acts through its own preference (pipeline.rank's prefer_near).
UNGRADED = ("location", "recency")


class PairwiseReranker(BaseEstimator):  # type: ignore[misc]
    """Learning to rank from graded pairs: a linear score whose differences, between two items of one
    query graded differently, predict which is graded higher (a logistic regression on standardised
    feature differences, RankNet's pairwise loss with a linear model). Linear on purpose: each score
    still splits into one contribution per feature, the reasons a page shows. Weights of POSITIVE
    features are held at zero or above and of NEGATIVE ones at zero or below (an active-set fit), and
    UNGRADED ones at zero."""

    def __init__(
        self,
        C: float = 1.0,
        max_iter: int = 2000,
        positive: tuple[str, ...] = POSITIVE,
        negative: tuple[str, ...] = NEGATIVE,
        ungraded: tuple[str, ...] = UNGRADED,
    ) -> None:
        self.C = C
        self.max_iter = max_iter
        self.positive = positive
        self.negative = negative
        self.ungraded = ungraded

    def fit(
        self,
        X: npt.NDArray[np.floating],
        y: npt.ArrayLike,
        groups: npt.ArrayLike,
        sample_weight: npt.ArrayLike | None = None,
    ) -> PairwiseReranker:
        """X: one row of FEATURES per (query, item); y: its grade; groups: its query. Every two items of a
        query with different grades make a pair, weighted by the grades' difference (and by the items'
        sample weights, multiplied)."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != len(FEATURES):
            raise ValueError(f"expected {len(FEATURES)} features per row ({', '.join(FEATURES)}), got {X.shape}")
        grades = np.asarray(y, dtype=np.float64)
        queries = np.asarray(groups)
        weights = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        self.mean_ = X.mean(axis=0)
        self.scale_ = X.std(axis=0)
        self.scale_[self.scale_ == 0] = 1.0
        Z = (X - self.mean_) / self.scale_
        diffs, labels, pair_w = [], [], []
        for q in np.unique(queries):
            idx = np.flatnonzero(queries == q)
            for a in range(len(idx)):
                for b in range(a + 1, len(idx)):
                    i, j = idx[a], idx[b]
                    if grades[i] == grades[j]:
                        continue
                    sign = 1 if grades[i] > grades[j] else -1
                    for d, lab in ((Z[i] - Z[j], sign > 0), (Z[j] - Z[i], sign < 0)):
                        diffs.append(d)
                        labels.append(int(lab))
                        pair_w.append(abs(grades[i] - grades[j]) * weights[i] * weights[j])
        if not diffs:
            raise ValueError("no query has two items graded differently: nothing to learn from")
        D, L, W = np.vstack(diffs), np.asarray(labels), np.asarray(pair_w)
        signs = {FEATURES.index(n): 1 for n in self.positive} | {FEATURES.index(n): -1 for n in self.negative}
        held = {FEATURES.index(n) for n in self.ungraded}
        active = [i for i in range(len(FEATURES)) if i not in held]
        while True:
            model = LogisticRegression(C=self.C, max_iter=self.max_iter, fit_intercept=False)
            model.fit(D[:, active], L, sample_weight=W)
            coef = dict(zip(active, model.coef_[0], strict=True))
            wrong = [i for i, s in signs.items() if i in coef and coef[i] * s < 0]
            if not wrong:
                break
            active = [i for i in active if i not in wrong]
        self.coef_ = np.asarray([coef.get(i, 0.0) for i in range(len(FEATURES))], dtype=np.float64)
        self.feature_names_ = list(FEATURES)
        self.pairs_ = len(L) // 2
        return self

    def contributions(self, X: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
        X = np.atleast_2d(np.asarray(X, dtype=np.float64))
        return np.asarray((X - self.mean_) / self.scale_ * self.coef_)

    def predict(self, X: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
        """Scores: higher ranks first (only differences between items of one query mean anything)."""
        return np.asarray(self.contributions(X).sum(axis=1))
