"""Learning from interactions: training examples and the nightly retraining of the personalised re-ranker
behind its deployment gate (what the model adds to a score: search.ranking.personalise).

An example is a (resume, posting) pair the seeker was shown (an impression on the results page, or a
posting sent in an alert) with the pair's features at that moment; its label is what the seeker did
with it afterwards, the strongest action counting: apply or save = 1, open = 1 at half weight,
dismiss = 0, nothing = 0 at UNACTED_WEIGHT (not acting on a shown posting says little).

Retraining (`personal_train`, nightly by Celery beat and `train_models --only personal`) holds out the
newest HOLDOUT_SHARE of the examples, fits a candidate on the rest and compares it with the serving
model (or the global re-ranker alone, before there is one) on that held-out part by weighted AUC. Only
a candidate that is not worse is refitted on all examples and saved as the new serving version; a
worse one is kept as `rejected-<version>` with its metrics. `manage.py models --rollback` stops
serving the newest version.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from .indexing.artifacts import PERSONAL, RERANKER, StoredModel, load_model, save_model
from .models import Interaction
from .ranking.features import FEATURES
from .ranking.personal import GLMix, weighted_auc
from .ranking.pipeline import model_scores

log = logging.getLogger(__name__)

# Label and weight by the strongest thing the seeker did with a shown posting (first match wins).
ACTIONS = (
    (Interaction.Kind.APPLY, 1.0, 1.0),
    (Interaction.Kind.SAVE, 1.0, 1.0),
    (Interaction.Kind.DISMISS, 0.0, 1.0),
    (Interaction.Kind.OPEN, 1.0, 0.5),
)
UNACTED_WEIGHT = 0.2
HOLDOUT_SHARE = 0.2
MIN_EXAMPLES = 50


@dataclass
class Examples:
    X: np.ndarray
    y: np.ndarray
    w: np.ndarray
    seekers: np.ndarray  # resume ids
    postings: np.ndarray
    at: np.ndarray  # when shown (epoch seconds)

    def __len__(self) -> int:
        return len(self.y)

    def part(self, mask: np.ndarray) -> Examples:
        return Examples(
            self.X[mask], self.y[mask], self.w[mask], self.seekers[mask], self.postings[mask], self.at[mask]
        )


def interaction_examples() -> Examples:
    """Every shown pair with features, labelled by what followed (the first time it was shown counts)."""
    rank = {kind: n for n, (kind, _, _) in enumerate(ACTIONS)}
    best: dict[tuple[int, int], int] = {}
    for resume_id, posting_id, kind in (
        Interaction.objects.filter(kind__in=list(rank)).values_list("resume_id", "posting_id", "kind").iterator()
    ):
        key = (resume_id, posting_id)
        if key not in best or rank[kind] < best[key]:
            best[key] = rank[kind]
    shown: dict[tuple[int, int], tuple[list[float], float]] = {}
    for resume_id, posting_id, features, created_at in (
        Interaction.objects.filter(
            kind__in=[Interaction.Kind.IMPRESSION, Interaction.Kind.ALERT], features__isnull=False
        )
        .order_by("created_at", "id")
        .values_list("resume_id", "posting_id", "features", "created_at")
        .iterator(chunk_size=20_000)
    ):
        key = (resume_id, posting_id)
        if key not in shown and isinstance(features, list) and len(features) == len(FEATURES):
            shown[key] = (features, created_at.timestamp())
    n = len(shown)
    X = np.zeros((n, len(FEATURES)))
    y, w, at = np.zeros(n), np.full(n, UNACTED_WEIGHT), np.zeros(n)
    seekers, postings = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    for i, ((resume_id, posting_id), (features, when)) in enumerate(shown.items()):
        X[i], at[i], seekers[i], postings[i] = features, when, resume_id, posting_id
        action = best.get((resume_id, posting_id))
        if action is not None:
            _, y[i], w[i] = ACTIONS[action]
    return Examples(X, y, w, seekers, postings, at)


def global_scores(X: np.ndarray) -> np.ndarray:
    """The global re-ranker's scores (the fixed effect), or zeros without one. Read from the model store,
    not the engine: retraining needs no index."""
    reranker = load_model(RERANKER)
    return model_scores(reranker.estimator, X)[0] if reranker is not None and len(X) else np.zeros(len(X))


def _score(model: GLMix | None, ex: Examples, base: np.ndarray) -> np.ndarray:
    return base if model is None else model.predict(ex.X, ex.seekers, ex.postings, base)


@dataclass
class TrainReport:
    deployed: bool
    reason: str
    metrics: dict[str, Any]
    version: str = ""


def personal_train(*, examples: Examples | None = None) -> TrainReport:
    """Fit a candidate on all but the newest examples, compare it with the serving model on those, and
    deploy it (refitted on everything) only if it is not worse."""
    t0 = time.perf_counter()
    ex = examples if examples is not None else interaction_examples()
    metrics: dict[str, Any] = {"examples": len(ex), "positives": int((ex.y > 0.5).sum())}
    if len(ex) < MIN_EXAMPLES or len(set(ex.y.tolist())) < 2:
        return TrainReport(
            False, f"too few interactions to learn from ({len(ex)} shown, {metrics['positives']} acted on)", metrics
        )
    order = np.argsort(ex.at, kind="stable")
    cut = round(len(ex) * (1 - HOLDOUT_SHARE))
    train_mask = np.zeros(len(ex), dtype=bool)
    train_mask[order[:cut]] = True
    train, hold = ex.part(train_mask), ex.part(~train_mask)
    base = global_scores(ex.X)
    base_train, base_hold = base[train_mask], base[~train_mask]
    candidate = GLMix().fit(train.X, train.y, train.seekers, train.postings, base_train, sample_weight=train.w)
    serving: StoredModel | None = load_model(PERSONAL)
    cand_auc = weighted_auc(_score(candidate, hold, base_hold), hold.y, hold.w)
    serv_auc = weighted_auc(_score(serving.estimator if serving else None, hold, base_hold), hold.y, hold.w)
    global_auc = weighted_auc(base_hold, hold.y, hold.w)
    metrics.update(
        train_examples=len(train),
        holdout_examples=len(hold),
        holdout_from=dt.datetime.fromtimestamp(float(hold.at.min()), tz=dt.UTC).isoformat() if len(hold) else None,
        seekers=len(candidate.seeker_coef_),
        postings=len(candidate.posting_bias_),
        auc_candidate=round(cand_auc, 4),
        auc_serving=round(serv_auc, 4),
        auc_global=round(global_auc, 4),
        serving_version=serving.version if serving else "global re-ranker only",
    )
    if np.isnan(cand_auc) or np.isnan(serv_auc):
        out = save_model(PERSONAL, candidate, {**metrics, "deployed": False}, rejected=True)
        return TrainReport(
            False, "the held-out interactions hold only one kind of label: nothing to compare", metrics, out.name
        )
    if cand_auc < serv_auc:
        out = save_model(PERSONAL, candidate, {**metrics, "deployed": False}, rejected=True)
        return TrainReport(
            False,
            f"worse than the serving model on held-out interactions ({cand_auc:.4f} < {serv_auc:.4f})",
            metrics,
            out.name,
        )
    model = GLMix().fit(ex.X, ex.y, ex.seekers, ex.postings, base, sample_weight=ex.w)
    metrics.update(deployed=True, seconds=round(time.perf_counter() - t0, 1))
    out = save_model(PERSONAL, model, metrics)
    log.info("personalised re-ranker %s deployed: %s", out.name, metrics)
    return TrainReport(
        True, f"not worse on held-out interactions ({cand_auc:.4f} >= {serv_auc:.4f})", metrics, out.name
    )
