import numpy as np
import pytest

from search.ranking.fusion import reciprocal_rank_fusion
from search.ranking.rerank import domain_agreement, rerank_by_domain
from search.ranking.types import Hit

IT, CHEF = np.array([0.9, 0.1]), np.array([0.05, 0.95])


def test_domain_agreement_is_one_for_the_same_domain_and_low_across_domains():
    assert domain_agreement(IT, IT) == pytest.approx(1.0)
    assert domain_agreement(IT, CHEF) < 0.3


def test_a_posting_in_the_resumes_domain_rises_above_an_off_domain_keyword_match():
    fused = reciprocal_rank_fusion(bm25=[Hit(1, 9), Hit(2, 8)], vector=[Hit(1, 0.5), Hit(2, 0.4)])
    ranked = rerank_by_domain(fused, resume_probs=IT, posting_probs={1: CHEF, 2: IT})
    assert [c.id for c in ranked] == [2, 1]
    assert ranked[0].domain_score == pytest.approx(1.0)
    assert ranked[0].final_score > ranked[1].final_score


def test_without_a_resume_domain_the_fused_order_stands():
    fused = reciprocal_rank_fusion(bm25=[Hit(1, 9), Hit(2, 8)], vector=[])
    ranked = rerank_by_domain(fused, resume_probs=None, posting_probs={1: CHEF, 2: IT})
    assert [c.id for c in ranked] == [1, 2]
    assert all(c.domain_score is None for c in ranked)


def test_an_unclassified_posting_gets_no_domain_credit():
    fused = reciprocal_rank_fusion(bm25=[Hit(1, 9), Hit(2, 8)], vector=[])
    ranked = rerank_by_domain(fused, resume_probs=IT, posting_probs={2: IT})
    assert ranked[0].id == 2
    assert next(c for c in ranked if c.id == 1).domain_score is None
