"""Occupations: where a resume or a posting sits in O*NET-SOC, with probabilities, and how close two
such placements are.

The model is one centroid per O*NET-SOC occupation: the unit mean of the sentence embeddings of its
title, alternate titles and reported titles. A document's probabilities are a softmax of its embedding's
cosine to every centroid at a temperature chosen on held-out titles, so that a probability of 0.6 is
right about six times in ten; only the likeliest few are kept. A posting is placed by its title, a
resume by its titles (its headline and latest roles, the latest weighing most), each embedded alone.

O*NET-SOC codes nest: "29-1141.00" (Registered Nurses) is in the broad occupation "29-114", the minor
group "29-11" and the major group "29" (Healthcare Practitioners and Technical). The major group is the
job family people see as a result's field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

Placement = dict[str, float]  # O*NET-SOC code -> probability, the likeliest few
KEEP = 8  # occupations kept per placement
TEMPERATURES = (0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.07, 0.1)
RECENCY = (0.5, 0.3, 0.2)  # weights of a resume's first three titles: the headline and latest roles
HEAD_SHARE = 0.4  # the share of a resume's placement its head (the top of the text) decides beside its titles

FAMILIES = {
    "11": "Management",
    "13": "Business and Financial Operations",
    "15": "Computer and Mathematical",
    "17": "Architecture and Engineering",
    "19": "Life, Physical, and Social Science",
    "21": "Community and Social Service",
    "23": "Legal",
    "25": "Educational Instruction and Library",
    "27": "Arts, Design, Entertainment, Sports, and Media",
    "29": "Healthcare Practitioners and Technical",
    "31": "Healthcare Support",
    "33": "Protective Service",
    "35": "Food Preparation and Serving",
    "37": "Building and Grounds Cleaning and Maintenance",
    "39": "Personal Care and Service",
    "41": "Sales",
    "43": "Office and Administrative Support",
    "45": "Farming, Fishing, and Forestry",
    "47": "Construction and Extraction",
    "49": "Installation, Maintenance, and Repair",
    "51": "Production",
    "53": "Transportation and Material Moving",
    "55": "Military",
}


def family_of(code: str) -> str:
    return code[:2]


class OccupationModel:
    """fit / predict_proba over sentence embeddings; learned state ends in an underscore."""

    def __init__(self, temperatures: Sequence[float] = TEMPERATURES, keep: int = KEEP) -> None:
        self.temperatures = tuple(temperatures)
        self.keep = keep

    def fit(
        self,
        X: npt.NDArray[np.floating],
        y: Sequence[str],
        X_val: npt.NDArray[np.floating] | None = None,
        y_val: Sequence[str] | None = None,
    ) -> OccupationModel:
        """Centroids from the training titles' embeddings; the temperature with the lowest log loss on
        the validation titles (the first of TEMPERATURES without them)."""
        codes = np.asarray(y)
        self.classes_ = np.asarray(sorted(set(codes.tolist())))
        X = np.asarray(X, dtype=np.float32)
        centroids = np.zeros((len(self.classes_), X.shape[1]), dtype=np.float32)
        index = {c: i for i, c in enumerate(self.classes_)}
        np.add.at(centroids, np.asarray([index[c] for c in codes]), X)
        centroids /= np.linalg.norm(centroids, axis=1, keepdims=True) + 1e-9
        self.centroids_ = centroids.astype(np.float16)
        self.temperature_ = self.temperatures[0]
        if X_val is not None and y_val is not None and len(y_val):
            losses = {t: self.log_loss(X_val, y_val, t) for t in self.temperatures}
            self.temperature_ = min(losses, key=lambda t: losses[t])
            self.validation_losses_ = {str(t): round(v, 4) for t, v in losses.items()}
        return self

    def cosines(self, V: npt.NDArray[np.floating]) -> npt.NDArray[np.float32]:
        V = np.atleast_2d(np.asarray(V, dtype=np.float32))
        return np.asarray(V @ self.centroids_.astype(np.float32).T)

    def predict_proba(self, V: npt.NDArray[np.floating], temperature: float | None = None) -> npt.NDArray[np.float64]:
        z = self.cosines(V).astype(np.float64) / (temperature or self.temperature_)
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return np.asarray(p / p.sum(axis=1, keepdims=True))

    def log_loss(self, V: npt.NDArray[np.floating], y: Sequence[str], temperature: float) -> float:
        p = self.predict_proba(V, temperature)
        cols = np.searchsorted(self.classes_, np.asarray(y))
        return float(-np.mean(np.log(np.clip(p[np.arange(len(cols)), cols], 1e-12, None))))

    def place(self, V: npt.NDArray[np.floating]) -> list[Placement]:
        """Each row's likeliest occupations with their probabilities."""
        out = []
        for row in self.predict_proba(V):
            top = np.argsort(-row)[: self.keep]
            out.append({str(self.classes_[i]): round(float(row[i]), 5) for i in top})
        return out

    def place_titles(
        self,
        title_vecs: npt.NDArray[np.floating],
        weights: Sequence[float] = RECENCY,
        *,
        head: npt.NDArray[np.floating] | None = None,
        head_share: float = HEAD_SHARE,
    ) -> Placement:
        """One placement from a few titles (a resume's headline and latest roles), the first weighing most,
        and, given the embedding of the text's head, `head_share` of it read from there: a title alone
        ("Director", "Associate") names no occupation."""
        if not len(title_vecs):
            return {}
        w = np.asarray(weights[: len(title_vecs)], dtype=np.float64)
        w = w / w.sum()
        vecs = np.asarray(title_vecs)
        if head is not None:
            w = np.append(w * (1 - head_share), head_share)
            vecs = np.vstack([vecs, np.asarray(head).reshape(1, -1)])
        p = (self.predict_proba(vecs) * w[:, None]).sum(axis=0)
        top = np.argsort(-p)[: self.keep]
        return {str(self.classes_[i]): round(float(p[i]), 5) for i in top}


def prefix_mass(placement: Mapping[str, float], length: int) -> dict[str, float]:
    """The placement's probabilities summed by the first `length` characters of the codes."""
    out: dict[str, float] = {}
    for code, p in placement.items():
        out[code[:length]] = out.get(code[:length], 0.0) + p
    return out


AGREEMENT_LEVELS = (10, 6, 2)  # the occupation, the broad occupation, the job family


def level_masses(placement: Mapping[str, float]) -> tuple[dict[str, float], ...]:
    """The placement's probabilities summed at each of AGREEMENT_LEVELS (read once per side, compared
    with every item of a pool)."""
    return tuple(prefix_mass(placement, length) for length in AGREEMENT_LEVELS)


def agreements(a: Sequence[Mapping[str, float]], b: Sequence[Mapping[str, float]]) -> tuple[float, ...]:
    """From the two sides' level_masses, at each of AGREEMENT_LEVELS: the chance that the two placements
    name the same occupation (the same broad occupation, the same family), each drawn from its placement
    (mass outside the kept occupations counts as no match; an empty placement agrees with nothing)."""
    return tuple(float(sum(p * pb.get(k, 0.0) for k, p in pa.items())) for pa, pb in zip(a, b, strict=True))


def family(placement: Mapping[str, float]) -> tuple[str, float]:
    """The likeliest job family and its probability; ("", 0.0) for an empty placement."""
    mass = prefix_mass(placement, 2)
    if not mass:
        return "", 0.0
    best = max(mass, key=lambda k: mass[k])
    return best, mass[best]


def describe(placement: Mapping[str, float], titles: Mapping[str, str]) -> list[dict[str, Any]]:
    """The placement as shown: each occupation's code, title and probability, likeliest first."""
    return [
        {"code": c, "title": titles.get(c, c), "p": round(p, 3)}
        for c, p in sorted(placement.items(), key=lambda kv: -kv[1])
    ]


NAMED_WEIGHT = 0.5  # the share of a placement given to occupations an exact O*NET title match names


def with_named(placement: Mapping[str, float], named: Sequence[str], weight: float = NAMED_WEIGHT) -> Placement:
    """The placement with `weight` of its mass moved to the occupations the document's titles name exactly
    (an O*NET title or alternate title, read by resume understanding), the first named weighing most;
    unchanged when none is named."""
    codes = [c for c in dict.fromkeys(named) if c][: len(RECENCY)]
    if not codes:
        return dict(placement)
    w = np.asarray(RECENCY[: len(codes)], dtype=np.float64)
    w /= w.sum()
    out = {c: (1 - weight) * p for c, p in placement.items()}
    for c, share in zip(codes, w, strict=True):
        out[c] = out.get(c, 0.0) + weight * float(share)
    return {c: round(p, 5) for c, p in sorted(out.items(), key=lambda kv: -kv[1])[:KEEP]}


FAMILY_SHARE = 0.15  # a job family searched in holds at least this share of the placement ...
FAMILIES_SEARCHED = 3  # ... and at most this many are


def hedged_families(placement: Mapping[str, float]) -> list[str]:
    """The job families a resume's search covers: the likeliest one always, and the next ones while each
    holds FAMILY_SHARE of the placement, so an unsure placement searches each field it may be in."""
    mass = sorted(prefix_mass(placement, 2).items(), key=lambda kv: -kv[1])
    return [f for n, (f, p) in enumerate(mass[:FAMILIES_SEARCHED]) if n == 0 or p >= FAMILY_SHARE]
