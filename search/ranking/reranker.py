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
