from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Hit:
    """One retrieved document: its id and the retriever's own score (higher is better)."""

    id: int
    score: float


@dataclass(slots=True)
class Candidate:
    """An item (a posting for a seeker, a resume for a recruiter) on its way through the stages,
    carrying every stage's score."""

    id: int
    bm25_score: float | None = None
    bm25_rank: int | None = None
    vector_score: float | None = None
    vector_rank: int | None = None
    # Rank among the items of the query's domain, for one found there only (add_domain_hits).
    domain_rank: int | None = None
    fused_score: float = 0.0
    domain_score: float | None = None
    final_score: float = 0.0

    @property
    def found_by(self) -> list[str]:
        ranks = (("bm25", self.bm25_rank), ("vector", self.vector_rank), ("domain", self.domain_rank))
        return [n for n, r in ranks if r is not None]


@dataclass(slots=True)
class StageTimings:
    """Milliseconds spent in each stage of one ranking."""

    ms: dict[str, float] = field(default_factory=dict)

    def add(self, stage: str, ms: float) -> None:
        self.ms[stage] = self.ms.get(stage, 0.0) + ms

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block under `name` (added to what the stage took before)."""
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, (time.perf_counter() - t0) * 1000)
