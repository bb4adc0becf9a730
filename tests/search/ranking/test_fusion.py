from search.ranking.fusion import RRF_K, reciprocal_rank_fusion
from search.ranking.types import Hit


def test_a_document_found_by_both_retrievers_outranks_one_found_by_either():
    fused = reciprocal_rank_fusion(
        bm25=[Hit(1, 9.0), Hit(2, 5.0), Hit(3, 1.0)],
        vector=[Hit(4, 0.9), Hit(3, 0.8), Hit(1, 0.1)],
    )
    assert [c.id for c in fused] == [1, 3, 4, 2]
    top = fused[0]
    assert top.fused_score == 1 / (RRF_K + 1) + 1 / (RRF_K + 3)
    assert (top.bm25_rank, top.vector_rank) == (1, 3)
    assert top.found_by == ["bm25", "vector"]


def test_fusion_uses_ranks_not_raw_scores():
    # BM25 scores in the hundreds must not drown cosine scores below one.
    fused = reciprocal_rank_fusion(bm25=[Hit(1, 500.0)], vector=[Hit(2, 0.2)])
    assert fused[0].fused_score == fused[1].fused_score


def test_ties_are_broken_by_id_so_the_order_is_repeatable():
    a = reciprocal_rank_fusion(bm25=[Hit(7, 1.0)], vector=[Hit(3, 1.0)])
    b = reciprocal_rank_fusion(bm25=[Hit(7, 1.0)], vector=[Hit(3, 1.0)])
    assert [c.id for c in a] == [c.id for c in b] == [3, 7]


def test_only_one_retriever_answering_still_gives_its_order():
    fused = reciprocal_rank_fusion(bm25=[], vector=[Hit(5, 0.9), Hit(6, 0.5)])
    assert [(c.id, c.bm25_rank, c.vector_rank) for c in fused] == [(5, None, 1), (6, None, 2)]


def test_the_domain_search_adds_only_what_neither_retriever_found_after_the_fused_order():
    from search.ranking.fusion import add_domain_hits

    fused = reciprocal_rank_fusion(bm25=[Hit(1, 9.0), Hit(2, 5.0)], vector=[Hit(3, 0.9), Hit(1, 0.8)])
    order = [c.id for c in fused]
    out = add_domain_hits(fused, [Hit(3, 0.95), Hit(8, 0.7), Hit(9, 0.6)])
    assert [c.id for c in out] == [*order, 8, 9]  # the fused order untouched, the new ones after it
    eight = out[-2]
    assert (eight.domain_rank, eight.vector_score, eight.fused_score) == (2, 0.7, 0.0)
    assert (eight.bm25_rank, eight.vector_rank) == (None, None) and eight.found_by == ["domain"]
    assert next(c for c in out if c.id == 3).domain_rank is None  # found by the vectors already
    assert add_domain_hits(fused, []) == fused
