"""Domain classifier: 24 resume categories from a document embedding.

Follows scikit-learn's estimator contract: __init__ stores parameters, fit returns
self, learned state ends in an underscore. It reads embeddings rather than words, so
the same fitted model labels long resumes and short postings alike, and the artifact
stays small (24 x 384 weights).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression


class DomainClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    def __init__(self, C: float = 10.0, max_iter: int = 3000) -> None:
        self.C = C
        self.max_iter = max_iter

    def fit(self, X: npt.NDArray[np.floating], y: npt.ArrayLike) -> DomainClassifier:
        self.model_ = LogisticRegression(C=self.C, max_iter=self.max_iter)
        self.model_.fit(np.asarray(X, dtype=np.float64), y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
        return np.asarray(self.model_.predict_proba(np.asarray(X, dtype=np.float64)))

    def predict(self, X: npt.NDArray[np.floating]) -> npt.NDArray[np.str_]:
        return np.asarray(self.classes_[np.argmax(self.predict_proba(X), axis=1)])
