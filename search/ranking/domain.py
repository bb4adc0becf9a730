"""Domain classifier: 24 resume categories from a document embedding, what its titles name, and its words.

Follows scikit-learn's estimator contract: __init__ stores parameters, fit returns self, learned state
ends in an underscore. Its main part reads embeddings rather than words, so the same fitted model labels
long resumes and short postings alike. Beside the embedding it reads the title signal: which domains the
title rules of posting_domains.py give the document's first titles, so resumes and postings are read by
one set of rules. Given the texts too, a second part reads the words (TF-IDF of words and word pairs
into a logistic regression) and a third the document's first titles as its understanding read them (the
same, over the titles alone); the parts' probabilities are averaged (how much each part adds on held-out
resumes: metrics.json beside the shipped model, docs/evaluation.md). The title part reads the titles
resume understanding found, in its headline (the line under the name, or the first line) and its
experience section, so it serves uploads that open with a name and address as well as the data set's
resumes that open with their title. Postings are classified by the embedding part and title signal
alone: the word and title parts learn from resumes.

Last, a resume's own words are weighed as evidence of one more kind: how often it names each domain (the
domain's name as a word, "aviation", "teachers", "business development": `name_counts`). How telling a
count is was learnt per domain from the training resumes (a naive Bayes likelihood ratio of the count,
once / twice / three times or more, in the domain's resumes against the others'), and it multiplies the
averaged probabilities, damped by `name_weight`. A domain the text does not name is left as the parts
put it: nearly every resume of the data set names its category (LiveCareer filed them under the word),
but a nurse's upload need not write "healthcare".

For resumes, the embedding part reads the embedding of the resume's head (its first chunk of 180 words:
the summary and latest role under the name; `search.indexing.embeddings.head_of`) rather than of the
whole, whose mean over up to eight chunks blurs what the resume is about: a fifth logistic regression,
`head_model_`, trained on the heads of the training resumes, takes the embedding part's place
(`head_weight`). Postings, one chunk long, keep the embedding part, and a resume given without its head
is read as before.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from .posting_domains import DOMAINS, title_domain


class DomainClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    def __init__(
        self,
        C: float = 10.0,
        max_iter: int = 3000,
        text_weight: float = 0.5,
        text_terms: int = 20000,
        title_weight: float = 0.35,
        name_weight: float = 0.75,
        name_levels: int = 4,
        head_weight: float = 1.0,
    ) -> None:
        self.C = C
        self.max_iter = max_iter
        self.text_weight = text_weight  # the word part's share of the average, when texts are given
        self.text_terms = text_terms  # the most frequent words and word pairs it reads (~2 MB artifact)
        self.title_weight = title_weight  # the title part's share, for documents with titles read
        self.name_weight = name_weight  # how far the domains a text names move the average (0: not read)
        self.name_levels = name_levels  # counts of a name told apart: 0, 1, ..., name_levels - 1 or more
        self.head_weight = head_weight  # the head part's share of the embedding part, for documents with heads

    def fit(
        self,
        X: npt.NDArray[np.floating],
        y: npt.ArrayLike,
        texts: Sequence[str] | None = None,
        titles: Sequence[Sequence[str] | None] | None = None,
        heads: npt.NDArray[np.floating] | None = None,
    ) -> DomainClassifier:
        """`texts` train the word part; `titles` (per row, the titles read from the document in the order
        read; None leaves a row out) train the title part; `heads` (per row, the embedding of the
        document's head, `search.indexing.embeddings.head_of`) the head part."""
        y = np.asarray(y)
        self.model_ = LogisticRegression(C=self.C, max_iter=self.max_iter)
        self.model_.fit(np.asarray(X, dtype=np.float64), y)
        self.classes_ = self.model_.classes_
        self.head_model_: LogisticRegression | None = None
        if heads is not None and self.head_weight > 0:
            if len(heads) != len(y):
                raise ValueError(f"{len(y)} rows but {len(heads)} heads")
            self.head_model_ = LogisticRegression(C=self.C, max_iter=self.max_iter)
            self.head_model_.fit(np.asarray(heads, dtype=np.float64), y)
        self.text_model_: Pipeline | None = None
        if texts is not None and self.text_weight > 0:
            self.text_model_ = make_pipeline(
                TfidfVectorizer(
                    ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=self.text_terms, dtype=np.float32
                ),
                LogisticRegression(C=self.C, max_iter=self.max_iter),
            )
            self.text_model_.fit(list(texts), y)
        self.title_model_: Pipeline | None = None
        if titles is not None and self.title_weight > 0:
            if len(titles) != len(y):
                raise ValueError(f"{len(y)} rows but {len(titles)} title lists")
            read = [(text, label) for t, label in zip(titles, y, strict=True) if t and (text := title_text(t))]
            if len({label for _, label in read}) > 1:
                self.title_model_ = make_pipeline(
                    TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32),
                    LogisticRegression(C=self.C, max_iter=self.max_iter),
                )
                self.title_model_.fit([t for t, _ in read], [label for _, label in read])
        self.name_ratios_: npt.NDArray[np.float64] | None = None
        if texts is not None and self.name_weight > 0:
            if len(texts) != len(y):
                raise ValueError(f"{len(y)} rows but {len(texts)} texts")
            self.name_ratios_ = self._name_ratios(self._name_levels(texts), y)
        return self

    @property
    def reads_heads(self) -> bool:
        """Whether resumes are best given with their heads' embeddings (models saved before the head part
        have none)."""
        return getattr(self, "head_model_", None) is not None

    def _name_levels(self, texts: Sequence[str]) -> npt.NDArray[np.int_]:
        """How often each text names each class, counts from name_levels - 1 up told apart no more."""
        return np.minimum(name_counts(texts, self.classes_), self.name_levels - 1)

    def _name_ratios(self, levels: npt.NDArray[np.int_], y: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
        """Per domain and count level, log P(level | the domain's resumes) - log P(level | the others'),
        add-one smoothed: the naive Bayes evidence a count of the domain's name gives."""
        ratios = np.zeros((len(self.classes_), self.name_levels))
        for k, label in enumerate(self.classes_):
            mine = y == label
            ours = np.bincount(levels[mine, k], minlength=self.name_levels) + 1.0
            theirs = np.bincount(levels[~mine, k], minlength=self.name_levels) + 1.0
            ratios[k] = np.log(ours / ours.sum()) - np.log(theirs / theirs.sum())
        # Not naming a domain says nothing against it. In this data set nearly every resume names its
        # category (LiveCareer filed it under the word), so the learnt ratio would all but rule out
        # Healthcare for a nurse's resume that never writes "healthcare": uploads need not name theirs.
        ratios[:, 0] = 0.0
        return ratios

    def predict_proba(
        self,
        X: npt.NDArray[np.floating],
        texts: Sequence[str] | None = None,
        titles: Sequence[Sequence[str]] | None = None,
        heads: npt.NDArray[np.floating] | None = None,
    ) -> npt.NDArray[np.float64]:
        probs = np.asarray(self.model_.predict_proba(np.asarray(X, dtype=np.float64)))
        head = getattr(self, "head_model_", None)  # models saved before the head part have none
        if heads is not None and head is not None:
            if len(heads) != len(probs):
                raise ValueError(f"{len(probs)} rows but {len(heads)} heads")
            part = np.asarray(head.predict_proba(np.asarray(heads, dtype=np.float64)))
            probs = (1 - self.head_weight) * probs + self.head_weight * part
        words = getattr(self, "text_model_", None)  # models saved before the word part have none
        if texts is not None and words is not None:
            if len(texts) != len(probs):
                raise ValueError(f"{len(probs)} rows but {len(texts)} texts")
            probs = (1 - self.text_weight) * probs + self.text_weight * np.asarray(words.predict_proba(list(texts)))
        named = getattr(self, "title_model_", None)  # nor before the title part
        if titles is not None and named is not None:
            if len(titles) != len(probs):
                raise ValueError(f"{len(probs)} rows but {len(titles)} title lists")
            read = [title_text(t) for t in titles]
            rows = [i for i, t in enumerate(read) if t]  # a document without titles keeps the other parts'
            if rows:
                part = np.zeros((len(rows), len(self.classes_)))
                columns = np.searchsorted(self.classes_, named.classes_)
                part[:, columns] = named.predict_proba([read[i] for i in rows])
                probs[rows] = (1 - self.title_weight) * probs[rows] + self.title_weight * part
        ratios = getattr(self, "name_ratios_", None)  # nor before the names were read
        if texts is not None and ratios is not None and self.name_weight > 0:
            evidence = ratios[np.arange(len(self.classes_)), self._name_levels(texts)]  # rows x domains
            logits = np.log(np.clip(probs, 1e-12, None)) + self.name_weight * evidence
            logits -= logits.max(axis=1, keepdims=True)
            probs = np.exp(logits)
            probs /= probs.sum(axis=1, keepdims=True)
        return probs

    def predict(
        self,
        X: npt.NDArray[np.floating],
        texts: Sequence[str] | None = None,
        titles: Sequence[Sequence[str]] | None = None,
        heads: npt.NDArray[np.floating] | None = None,
    ) -> npt.NDArray[np.str_]:
        return np.asarray(self.classes_[np.argmax(self.predict_proba(X, texts, titles, heads), axis=1)])


@functools.lru_cache(maxsize=8)
def _names(domains: tuple[str, ...]) -> tuple[re.Pattern[str], tuple[int, ...]]:
    """One pattern for every domain's name, read in one pass, and the column of each of its groups. A
    name is the domain's words ("BUSINESS-DEVELOPMENT": "business development", also with a hyphen or
    a line break between them), as whole words, plural allowed: "TEACHER" reads "Teachers", "ARTS"
    does not read "art", nor "HR" "three". Longer names are tried first where one begins another."""
    order = sorted(range(len(domains)), key=lambda i: -len(domains[i]))
    groups = (
        "(" + r"[\s-]+".join(re.escape(w) for w in domains[i].lower().replace("-", " ").split()) + ")" for i in order
    )
    return re.compile(rf"\b(?:{'|'.join(groups)})s?\b", re.IGNORECASE), tuple(order)


def name_counts(texts: Sequence[str], domains: Sequence[str]) -> npt.NDArray[np.int_]:
    """How often each text names each domain (texts x domains)."""
    pattern, columns = _names(tuple(domains))
    out = np.zeros((len(texts), len(columns)), dtype=np.int64)
    for row, text in enumerate(texts):
        for found in pattern.finditer(text):
            out[row, columns[(found.lastindex or 1) - 1]] += 1
    return out


# The likeliest domain is taken as the document's own when the classifier gives it at least even odds.
# A posting's search among the resumes of its domain takes only resumes this sure of it, and runs for a
# posting whose domain is declared or this sure (search.matching.recruiters); a seeker's search among the
# postings of the resume's domain runs for the likeliest one however sure (docs/evaluation.md, "How a top
# ten is ranked": the parts' average is less peaked than one model's, and a threshold left out resumes
# the classifier reads right).
DOMAIN_SURE = 0.5


def sure_domain(probs: npt.ArrayLike | None, classes: Sequence[str], at: float = DOMAIN_SURE) -> str | None:
    """The likeliest of `classes` when its probability is at least `at`; None when unsure or unknown."""
    if probs is None or not len(classes):
        return None
    p = np.asarray(probs, dtype=np.float64)
    best = int(np.argmax(p))
    return str(classes[best]) if p[best] >= at else None


TITLES_READ = 3  # a resume's first titles (its headline and latest roles) say its domain best


def title_signal(titles: Sequence[str]) -> npt.NDArray[np.float64]:
    """What the titles name, in DOMAINS order: the share of the first few titles that each domain's
    title rule claims (search/ranking/posting_domains.py, the rules postings are labelled by)."""
    out = np.zeros(len(DOMAINS))
    named = [d for d in (title_domain(t)[0] for t in list(titles)[:TITLES_READ]) if d]
    for d in named:
        out[DOMAINS.index(d)] += 1.0 / len(named)
    return out


def title_text(titles: Sequence[str]) -> str:
    """What the title part reads: the first few titles, in order."""
    return " | ".join(t.strip() for t in list(titles)[:TITLES_READ] if t and t.strip())


def domain_inputs(vecs: npt.NDArray[np.floating], titles: Sequence[Sequence[str]]) -> npt.NDArray[np.float64]:
    """The classifier's input: each document's embedding beside its title signal."""
    rows: npt.NDArray[np.float64] = np.atleast_2d(np.asarray(vecs, dtype=np.float64))
    return np.hstack([rows, np.vstack([title_signal(t) for t in titles])]) if len(titles) else rows


def domain_probabilities(
    estimator: DomainClassifier,
    vecs: npt.NDArray[np.floating],
    titles: Sequence[Sequence[str]],
    texts: Sequence[str] | None = None,
    heads: npt.NDArray[np.floating] | None = None,
) -> npt.NDArray[np.float64]:
    """Probabilities per document; a model trained on embeddings alone gets the embeddings alone. Resumes
    pass their query texts (search.ranking.sides.query_text), which the word part reads, and their titles
    are then read by the title part too, and the embeddings of their heads; postings pass no texts (the
    embedding part and title signal)."""
    vecs = np.atleast_2d(np.asarray(vecs, dtype=np.float64))
    named = titles if texts is not None else None
    if estimator.model_.n_features_in_ == vecs.shape[1]:
        return estimator.predict_proba(vecs, texts, named, heads)
    return estimator.predict_proba(domain_inputs(vecs, titles), texts, named, heads)


def resume_domain_probabilities(
    estimator: DomainClassifier,
    vecs: npt.NDArray[np.floating],
    profiles: Sequence[dict[str, Any] | None],
    texts: Sequence[str],
    heads: npt.NDArray[np.floating] | None = None,
) -> npt.NDArray[np.float64]:
    """Probabilities per resume, every part reading what it reads in a resume: the embedding of its query
    text (search.ranking.sides.query_text) beside its profile's titles, the embedding of that text's head
    (`heads`, from search.indexing.embeddings: a model that reads heads reads the whole's embedding without them),
    the words of that text, the titles."""
    if len(profiles) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(profiles)} profiles")
    return domain_probabilities(estimator, vecs, [(p or {}).get("titles") or [] for p in profiles], texts, heads)
