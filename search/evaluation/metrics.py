"""Ranking quality against domain labels: P@10, nDCG@10 and MRR for each stage of the ranking.

A result is relevant when the posting's domain (from the labels file, written by `manage.py
label_postings` from search/ranking/posting_domains.py) is the resume's category. Agreement of domains
is a guard, not a judgment of the lists: a posting of the right domain at the wrong seniority, or a
duplicate, counts as relevant here.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from search.ranking.pipeline import EVALUATED_STAGES as STAGES

K = 10


def precision_at(rels: Sequence[int], k: int = K) -> float:
    return sum(rels[:k]) / k


def ndcg_at(rels: Sequence[int], k: int = K, n_relevant: int | None = None) -> float:
    dcg = sum(r / math.log2(i + 2) for i, r in enumerate(rels[:k]))
    ideal_n = min(k, n_relevant if n_relevant is not None else k)
    idcg = sum(1 / math.log2(i + 2) for i in range(ideal_n))
    return dcg / idcg if idcg else 0.0


def reciprocal_rank(rels: Sequence[int]) -> float:
    return next((1.0 / (i + 1) for i, r in enumerate(rels) if r), 0.0)


@dataclass
class StageScores:
    p10: list[float] = field(default_factory=list)
    ndcg: list[float] = field(default_factory=list)
    mrr: list[float] = field(default_factory=list)

    def add(self, rels: Sequence[int], n_relevant: int | None = None) -> None:
        self.p10.append(precision_at(rels))
        self.ndcg.append(ndcg_at(rels, n_relevant=n_relevant))
        self.mrr.append(reciprocal_rank(rels))

    def summary(self) -> dict[str, float]:
        return {
            "p@10": round(float(np.mean(self.p10)), 4) if self.p10 else 0.0,
            "ndcg@10": round(float(np.mean(self.ndcg)), 4) if self.ndcg else 0.0,
            "mrr": round(float(np.mean(self.mrr)), 4) if self.mrr else 0.0,
            "n": len(self.p10),
        }


@dataclass
class Table:
    """Scores per stage, overall and per domain."""

    overall: dict[str, StageScores] = field(default_factory=lambda: {s: StageScores() for s in STAGES})
    per_domain: dict[str, dict[str, StageScores]] = field(
        default_factory=lambda: defaultdict(lambda: {s: StageScores() for s in STAGES})
    )

    def add(self, domain: str, stage: str, rels: Sequence[int], n_relevant: int | None = None) -> None:
        self.overall[stage].add(rels, n_relevant)
        self.per_domain[domain][stage].add(rels, n_relevant)

    def as_dict(self) -> dict[str, Any]:
        return {
            "overall": {s: v.summary() for s, v in self.overall.items()},
            "per_domain": {d: {s: v.summary() for s, v in st.items()} for d, st in sorted(self.per_domain.items())},
        }


def render(table: Table, write: Callable[[str], None], *, what: str) -> None:
    write(f"{what}; relevant = the posting's labelled domain is the resume's category")
    write(f"{'stage':<14}{'P@10':>8}{'nDCG@10':>9}{'MRR':>8}")
    for stage in STAGES:
        s = table.overall[stage].summary()
        write(f"{stage:<14}{s['p@10']:>8.3f}{s['ndcg@10']:>9.3f}{s['mrr']:>8.3f}")
    write("per domain, P@10 by stage (n = queries):")
    write(f"{'domain':<24}{'n':>5}" + "".join(f"{s:>14}" for s in STAGES))
    for domain, stages in sorted(table.per_domain.items()):
        n = stages[STAGES[0]].summary()["n"]
        write(f"{domain:<24}{n:>5}" + "".join(f"{stages[s].summary()['p@10']:>14.3f}" for s in STAGES))
