"""First re-ranker: fused retrieval score blended with domain agreement.

The learned re-ranker (issue 4) replaces the hand-set blend; this one keeps the
same shape: candidates in, candidates with `final_score` out, best first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from .fusion import RRF_K
from .types import Candidate

# Share of the final score given to domain agreement. Hand-set: large enough to lift
# a posting of the resume's own domain over an off-domain keyword match a few ranks
# above it, small enough that retrieval still orders postings within a domain.
DOMAIN_WEIGHT = 0.5
_MAX_FUSED = 2.0 / (RRF_K + 1)  # a document ranked first by both retrievers


def domain_agreement(resume_probs: npt.NDArray[np.float64], posting_probs: npt.NDArray[np.float64]) -> float:
    """Cosine of two domain probability vectors: 1 when both put their mass on the same domains."""
    denom = float(np.linalg.norm(resume_probs) * np.linalg.norm(posting_probs))
    return float(resume_probs @ posting_probs) / denom if denom else 0.0


def rerank_by_domain(
    candidates: Sequence[Candidate],
    *,
    resume_probs: npt.NDArray[np.float64] | None,
    posting_probs: Mapping[int, npt.NDArray[np.float64]],
    weight: float = DOMAIN_WEIGHT,
) -> list[Candidate]:
    """Order candidates by (1 - weight) * normalised fused score + weight * domain agreement.

    A candidate without domain probabilities (not yet classified) gets no domain credit;
    without a resume domain the order is the fused order.
    """
    out = []
    for c in candidates:
        retrieval = c.fused_score / _MAX_FUSED
        probs = posting_probs.get(c.id)
        if resume_probs is None or probs is None:
            c.domain_score = None
            c.final_score = (1 - weight) * retrieval if resume_probs is not None else retrieval
        else:
            c.domain_score = domain_agreement(resume_probs, probs)
            c.final_score = (1 - weight) * retrieval + weight * c.domain_score
        out.append(c)
    return sorted(out, key=lambda c: (-c.final_score, c.id))
