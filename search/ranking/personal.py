"""Personalised re-ranking after LinkedIn's GLMix: the global re-ranker plus per-seeker and per-posting
corrections learned from interactions.

    score(seeker s, posting p, features x) = g(x) + w_s . z(x) + b_p

g is the global model's score (the fixed effect, passed in as an offset: it is not refitted here),
z(x) the features standardised on the training interactions with a constant 1 appended (the seeker's
own bias), w_s one coefficient vector per seeker and b_p one bias per posting (the random effects).
Each is an L2-regularised logistic regression on that seeker's (posting's) interactions with every
other term as its offset, so the prior pulls it to zero: a seeker with a few actions gets small
corrections, one with many larger ones. Fitted by coordinate descent: `passes` rounds of updating
every seeker, then every posting, each by a few Newton steps (the problems are tiny: 10 numbers for a
seeker, 1 for a posting).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from .features import FEATURES

Array = npt.NDArray[np.float64]


def _sigmoid(m: Array) -> Array:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(m, -30, 30))))


def fit_offset_logistic(Z: Array, y: Array, w: Array, offset: Array, l2: float, steps: int = 6) -> Array:
    """argmin_b  sum_i w_i logloss(y_i, offset_i + Z_i b) + l2/2 |b|^2, by Newton's method."""
    d = Z.shape[1]
    beta = np.zeros(d)
    eye = np.eye(d) * l2
    for _ in range(steps):
        p = _sigmoid(offset + Z @ beta)
        grad = Z.T @ (w * (p - y)) + l2 * beta
        hess = (Z * (w * p * (1 - p))[:, None]).T @ Z + eye
        step = np.linalg.solve(hess, grad)
        beta -= step
        if float(np.abs(step).max()) < 1e-6:
            break
    return beta


def _groups(keys: npt.NDArray[np.int64]) -> list[tuple[int, npt.NDArray[np.intp]]]:
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    cuts = np.flatnonzero(np.diff(sorted_keys)) + 1
    return [(int(keys[idx[0]]), idx) for idx in np.split(order, cuts) if len(idx)]


class GLMix:
    """fit / predict on (features, seeker key, posting key, global score) rows; keys are ints."""

    def __init__(self, seeker_l2: float = 3.0, posting_l2: float = 10.0, passes: int = 2) -> None:
        self.seeker_l2 = seeker_l2
        self.posting_l2 = posting_l2
        self.passes = passes

    def _z(self, X: npt.ArrayLike) -> Array:
        X = np.atleast_2d(np.asarray(X, dtype=np.float64))
        return np.hstack([(X - self.mean_) / self.scale_, np.ones((len(X), 1))])

    def fit(
        self,
        X: npt.ArrayLike,
        y: npt.ArrayLike,
        seekers: Sequence[int] | npt.NDArray[np.int64],
        postings: Sequence[int] | npt.NDArray[np.int64],
        base: npt.ArrayLike,
        sample_weight: npt.ArrayLike | None = None,
    ) -> GLMix:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != len(FEATURES):
            raise ValueError(f"expected {len(FEATURES)} features per row ({', '.join(FEATURES)}), got {X.shape}")
        yv = np.asarray(y, dtype=np.float64)
        s = np.asarray(seekers, dtype=np.int64)
        p = np.asarray(postings, dtype=np.int64)
        g = np.asarray(base, dtype=np.float64)
        w = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        if not (len(yv) == len(s) == len(p) == len(g) == len(w) == len(X)):
            raise ValueError("X, y, seekers, postings, base and sample_weight must have one row each")
        self.mean_ = X.mean(axis=0) if len(X) else np.zeros(len(FEATURES))
        self.scale_ = X.std(axis=0) if len(X) else np.ones(len(FEATURES))
        self.scale_[self.scale_ == 0] = 1.0
        Z = self._z(X)
        seeker_part = np.zeros(len(X))
        posting_part = np.zeros(len(X))
        self.seeker_coef_: dict[int, Array] = {}
        self.posting_bias_: dict[int, float] = {}
        seeker_groups, posting_groups = _groups(s), _groups(p)
        for _ in range(self.passes):
            for key, idx in seeker_groups:
                beta = fit_offset_logistic(Z[idx], yv[idx], w[idx], g[idx] + posting_part[idx], self.seeker_l2)
                self.seeker_coef_[key] = beta
                seeker_part[idx] = Z[idx] @ beta
            ones = np.ones((len(X), 1))
            for key, idx in posting_groups:
                b = fit_offset_logistic(ones[idx], yv[idx], w[idx], g[idx] + seeker_part[idx], self.posting_l2)
                self.posting_bias_[key] = float(b[0])
                posting_part[idx] = b[0]
        self.n_interactions_ = len(X)
        return self

    def corrections(
        self, X: npt.ArrayLike, seekers: Sequence[int] | npt.NDArray[np.int64], postings: Sequence[int]
    ) -> Array:
        """w_s . z(x) + b_p per row: zero for a seeker or posting the model never saw."""
        Z = self._z(X)
        out = np.zeros(len(Z))
        for n, (key_s, key_p) in enumerate(zip(seekers, postings, strict=True)):
            coef = self.seeker_coef_.get(int(key_s))
            if coef is not None:
                out[n] += float(Z[n] @ coef)
            out[n] += self.posting_bias_.get(int(key_p), 0.0)
        return out

    def predict(
        self,
        X: npt.ArrayLike,
        seekers: Sequence[int] | npt.NDArray[np.int64],
        postings: Sequence[int],
        base: npt.ArrayLike,
    ) -> Array:
        return np.asarray(np.asarray(base, dtype=np.float64) + self.corrections(X, seekers, postings))


def weighted_auc(scores: npt.ArrayLike, y: npt.ArrayLike, w: npt.ArrayLike | None = None) -> float:
    """Probability that a positive outranks a negative (ties count half), weighted; nan without both."""
    sc, yv = np.asarray(scores, dtype=np.float64), np.asarray(y) > 0.5
    wv = np.ones(len(sc)) if w is None else np.asarray(w, dtype=np.float64)
    if not yv.any() or yv.all():
        return float("nan")
    order = np.argsort(sc, kind="stable")
    sc, yv, wv = sc[order], yv[order], wv[order]
    neg_below = 0.0
    total = 0.0
    i = 0
    while i < len(sc):
        j = i
        while j < len(sc) and sc[j] == sc[i]:
            j += 1
        pos_w = float(wv[i:j][yv[i:j]].sum())
        neg_w = float(wv[i:j][~yv[i:j]].sum())
        total += pos_w * (neg_below + neg_w / 2)
        neg_below += neg_w
        i = j
    return total / (float(wv[yv].sum()) * float(wv[~yv].sum()))
