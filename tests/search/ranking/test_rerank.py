import numpy as np
import pytest

from search.ranking.features import domain_agreement
from search.ranking.fusion import reciprocal_rank_fusion
from search.ranking.rerank import rerank_score
from search.ranking.types import Hit

IT, CHEF = np.array([0.9, 0.1]), np.array([0.05, 0.95])


def test_domain_agreement_is_one_for_the_resumes_likeliest_domain_and_low_across_domains():
    assert domain_agreement(IT, np.array([1.0, 0.0])) == pytest.approx(1.0)
    assert domain_agreement(IT, np.array([0.0, 1.0])) == pytest.approx(0.1 / 0.9)
    assert domain_agreement(IT, CHEF) < 0.2
    assert domain_agreement(None, CHEF) == 0.5  # unknown


def test_the_fallback_lifts_a_posting_in_the_resumes_domain_above_an_off_domain_keyword_match():
    fused = reciprocal_rank_fusion(bm25=[Hit(1, 9), Hit(2, 8)], vector=[Hit(1, 0.5), Hit(2, 0.4)])
    by_id = {c.id: c for c in fused}
    assert rerank_score(by_id[2], 1.0) > rerank_score(by_id[1], 0.1)
    assert rerank_score(by_id[1], None) > rerank_score(by_id[2], None)  # without domains, the fused order
