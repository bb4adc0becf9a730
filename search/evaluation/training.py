"""Training rows for the learned re-ranker from the judged set: the features of each graded pair that
retrieval brings into a query's pool (the only pairs the re-ranker ever scores), with its grade, in
both directions. Only the dev split is ever trained on; the test split is reported."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

from search.indexing.engine import Engine
from search.matching.seekers import candidate_pool
from search.ranking.features import FEATURES
from search.ranking.reranker import PairwiseReranker

from .judged import RECRUITER, SEEKER, Grades, JudgedQuery, score_list
from .judged_lists import JudgedResumes, judged_pools, postings_named
from .stages import posting_key


@dataclass
class GradedRows:
    rows: list[np.ndarray] = field(default_factory=list)
    grades: list[int] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)  # "<direction>:<query>"

    def add(self, x: np.ndarray, grade: int, group: str) -> None:
        self.rows.append(x)
        self.grades.append(grade)
        self.groups.append(group)

    @property
    def X(self) -> np.ndarray:
        return np.vstack(self.rows) if self.rows else np.zeros((0, len(FEATURES)))

    def __len__(self) -> int:
        return len(self.grades)


def graded_rows(
    queries: Sequence[JudgedQuery], grades: Grades, resumes: JudgedResumes, engine: Engine, shared: Path
) -> GradedRows:
    """The features and grade of every graded pair in a query's pool, for the given queries."""
    rows = GradedRows()
    for q in queries:
        if q.direction != SEEKER:
            continue
        i = resumes.index(q.id)
        found = candidate_pool(
            text=resumes.queries[i],
            profile=resumes.profiles[i],  # type: ignore[arg-type]
            query_vec=resumes.vecs[i],  # type: ignore[index]
            head_vec=resumes.heads[i],  # type: ignore[index]
        )
        judged = grades.for_query(SEEKER, q.id)
        for n, c in enumerate(found.pool.candidates):
            grade = judged.get(posting_key(found.postings[c.id]))
            if grade is not None:
                rows.add(found.pool.X[n], grade, f"{SEEKER}:{q.id}")
    wanted = [q for q in queries if q.direction == RECRUITER]
    postings = postings_named([q.id for q in wanted])
    chosen = [q for q in wanted if q.id in postings]
    pools = judged_pools(resumes, [postings[q.id] for q in chosen], engine)
    for q, pool in zip(chosen, pools, strict=True):
        judged = grades.for_query(RECRUITER, q.id)
        for n, c in enumerate(pool.candidates):
            grade = judged.get(resumes.ids[c.id])
            if grade is not None:
                rows.add(pool.X[n], grade, f"{RECRUITER}:{q.id}")
    return rows


def cross_validated_ndcg(X: np.ndarray, y: np.ndarray, groups: np.ndarray, *, C: float, folds: int = 5) -> float:
    """The mean nDCG@10 (gains 0/1/3) of the graded items of held-out queries, each ordered by a model
    fitted on the other folds' queries."""
    scores: list[float] = []
    for train, held in GroupKFold(n_splits=min(folds, len(set(groups)))).split(X, y, groups):
        model = PairwiseReranker(C=C).fit(X[train], y[train], groups[train])
        predicted = model.predict(X[held])
        for g in np.unique(groups[held]):
            rows = np.flatnonzero(groups[held] == g)
            order = rows[np.argsort(-predicted[rows], kind="stable")]
            graded = {str(i): int(y[held][i]) for i in rows}
            s = score_list([str(i) for i in order], graded)
            if s.ndcg is not None:
                scores.append(s.ndcg)
    return float(np.mean(scores)) if scores else 0.0


def score_per_grade(model: PairwiseReranker, X: np.ndarray, y: np.ndarray, groups: np.ndarray) -> float:
    """What one grade is worth in the model's score: the median over queries of the mean score of a good
    fit (2) less that of a plausible item (1), and of a plausible item less an off-field one (0), among
    each query's graded items, averaged. The feedback rules and the place preference are set in grades."""
    predicted = model.predict(X)
    steps: list[list[float]] = [[], []]
    for g in np.unique(groups):
        rows = groups == g
        means = {k: predicted[rows & (y == k)].mean() for k in (0, 1, 2) if np.any(rows & (y == k))}
        for n, (hi, lo) in enumerate(((2, 1), (1, 0))):
            if hi in means and lo in means:
                steps[n].append(float(means[hi] - means[lo]))
    medians = [float(np.median(s)) for s in steps if s]
    return float(np.mean(medians)) if medians else 0.0


THRESHOLDS = (-0.5, 0.0, 0.5, 1.0)


def kept_by_grade(model: PairwiseReranker, X: np.ndarray, y: np.ndarray) -> dict[str, dict[str, float]]:
    """For each score threshold, the share of the graded pairs of each grade scoring at least it: what a
    job alert's JOBMATCH_ALERT_MIN_SCORE keeps (on the pools the model learned from)."""
    predicted = model.predict(X)
    return {
        str(t): {str(g): round(float(np.mean(predicted[y == g] >= t)), 3) for g in (0, 1, 2) if np.any(y == g)}
        for t in THRESHOLDS
    }
