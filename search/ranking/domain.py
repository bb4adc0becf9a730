"""Domain classifier: 24 resume categories from a document embedding and what its titles name.

Follows scikit-learn's estimator contract: __init__ stores parameters, fit returns
self, learned state ends in an underscore. It reads embeddings rather than words, so
the same fitted model labels long resumes and short postings alike, and the artifact
stays small (24 x 408 weights). Beside the embedding it reads the title signal: which
domains the title rules of posting_domains.py give the document's first titles, so
resumes and postings are read by one set of rules.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from .posting_domains import DOMAINS, title_domain


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


TITLES_READ = 3  # a resume's first titles (its headline and latest roles) say its domain best


def title_signal(titles: Sequence[str]) -> npt.NDArray[np.float64]:
    """What the titles name, in DOMAINS order: the share of the first few titles that each domain's
    title rule claims (search/ranking/posting_domains.py, the rules postings are labelled by)."""
    out = np.zeros(len(DOMAINS))
    named = [d for d in (title_domain(t)[0] for t in list(titles)[:TITLES_READ]) if d]
    for d in named:
        out[DOMAINS.index(d)] += 1.0 / len(named)
    return out


def domain_inputs(vecs: npt.NDArray[np.floating], titles: Sequence[Sequence[str]]) -> npt.NDArray[np.float64]:
    """The classifier's input: each document's embedding beside its title signal."""
    rows: npt.NDArray[np.float64] = np.atleast_2d(np.asarray(vecs, dtype=np.float64))
    return np.hstack([rows, np.vstack([title_signal(t) for t in titles])]) if len(titles) else rows


def domain_probabilities(
    estimator: DomainClassifier, vecs: npt.NDArray[np.floating], titles: Sequence[Sequence[str]]
) -> npt.NDArray[np.float64]:
    """Probabilities per document; a model trained on embeddings alone gets the embeddings alone."""
    vecs = np.atleast_2d(np.asarray(vecs, dtype=np.float64))
    if estimator.model_.n_features_in_ == vecs.shape[1]:
        return estimator.predict_proba(vecs)
    return estimator.predict_proba(domain_inputs(vecs, titles))
