"""The simple baseline every judged figure is compared with: TF-IDF similarity blended with a TF-IDF +
logistic-regression domain agreement (the shape of a first job matcher). No embeddings, no profile, no
learned re-ranker: what a careful afternoon's work gives.

    score(resume, posting) = (1 - w) * cosine(tfidf(resume), tfidf(posting))
                             + w * P(resume's domain = the posting's likeliest domain)

The domain model is a logistic regression over the TF-IDF of the training resumes' texts (the Kaggle
categories); it labels postings by the same words. Without labelled resumes of two categories or more
the blend is the TF-IDF cosine alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

BLEND_WEIGHT = 0.5  # the domain agreement's share of the score
CANDIDATES = 200  # the items the TF-IDF cosine puts first are the ones blended


@dataclass
class TfidfBlend:
    """Ranks items (postings, or resumes for a posting) for query texts."""

    items: list[str]  # the items' keys, in the order of their texts
    vectorizer: TfidfVectorizer
    matrix: object  # the items' TF-IDF rows (sparse)
    domains: LogisticRegression | None
    domain_words: TfidfVectorizer | None
    item_domain: npt.NDArray[np.int_]  # each item's likeliest domain (a column of domains.classes_)
    weight: float = BLEND_WEIGHT

    @classmethod
    def fit(
        cls,
        keys: Sequence[str],
        texts: Sequence[str],
        train_texts: Sequence[str],
        train_labels: Sequence[str],
        weight: float = BLEND_WEIGHT,
    ) -> TfidfBlend:
        vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=2, max_df=0.5, stop_words="english", dtype=np.float32)
        matrix = vectorizer.fit_transform(texts)
        if len(set(train_labels)) < 2:
            return cls(list(keys), vectorizer, matrix, None, None, np.zeros(len(keys), dtype=np.int_), 0.0)
        words = TfidfVectorizer(sublinear_tf=True, min_df=2, stop_words="english", max_features=50000, dtype=np.float32)
        domains = LogisticRegression(C=10.0, max_iter=2000).fit(words.fit_transform(train_texts), list(train_labels))
        item_domain = np.asarray(domains.predict_proba(words.transform(texts)).argmax(axis=1))
        return cls(list(keys), vectorizer, matrix, domains, words, item_domain, weight)

    def rank(self, text: str, k: int) -> list[str]:
        q = self.vectorizer.transform([text])
        cosine = np.asarray((self.matrix @ q.T).todense()).ravel()  # type: ignore[attr-defined]
        depth = min(CANDIDATES, len(cosine))
        top = np.argpartition(-cosine, depth - 1)[:depth]
        score = cosine[top]
        if self.domains is not None and self.domain_words is not None:
            probs = self.domains.predict_proba(self.domain_words.transform([text]))[0]
            score = (1 - self.weight) * score + self.weight * probs[self.item_domain[top]]
        order = top[np.lexsort((top, -score))]
        return [self.items[i] for i in order[:k]]
