"""The fallback order when no learned re-ranker is installed: fused retrieval blended with
domain agreement (hand-set). `manage.py train_models` ships the learned one (reranker.py)."""

from __future__ import annotations

from .fusion import RRF_K
from .types import Candidate

# Share of the score given to domain agreement: enough to lift a posting of the resume's own
# domain over an off-domain keyword match a few ranks above it.
DOMAIN_WEIGHT = 0.5
_MAX_FUSED = 2.0 / (RRF_K + 1)  # a document ranked first by both retrievers


def rerank_score(c: Candidate, domain_agreement: float | None, weight: float = DOMAIN_WEIGHT) -> float:
    """(1 - weight) * normalised fused score + weight * domain agreement; the fused score alone without one."""
    retrieval = c.fused_score / _MAX_FUSED
    if domain_agreement is None:
        return retrieval
    return (1 - weight) * retrieval + weight * domain_agreement
