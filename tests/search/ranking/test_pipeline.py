"""The ranking chain on plain data: an in-memory BM25 index and an exact NumPy scan, no database, no
embedder. Each test builds a handful of postings or resumes by hand and ranks them in milliseconds."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from search.indexes.base import IndexDoc
from search.indexes.bm25 import BM25Index
from search.indexes.memory import NumpyIndex
from search.ranking.features import FEATURES, PostingSide, SeekerSide
from search.ranking.personalise import Personal
from search.ranking.pipeline import Query, keep, rank, retrieve, stage_orders
from search.ranking.types import StageTimings

TODAY = dt.date(2026, 12, 7)
DOMAINS = ["CHEF", "NURSE"]
CHEF, NURSE = np.array([1.0, 0.0]), np.array([0.0, 1.0])


def unit(*xs: float) -> np.ndarray:
    v = np.asarray(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


# id: (text, vector, side)
POSTINGS = {
    1: ("sous chef kitchen menu", unit(1, 0.1, 0), PostingSide(CHEF, ("menu planning",), employer="bistro")),
    2: ("line cook kitchen grill", unit(1, 0.2, 0), PostingSide(CHEF, ("grill",), employer="bistro")),
    3: ("pastry chef kitchen", unit(1, 0.3, 0), PostingSide(CHEF, ("baking",), employer="bistro")),
    4: ("executive chef restaurant", unit(1, 0.4, 0), PostingSide(CHEF, ("menu planning",), employer="hotel")),
    5: ("registered nurse ward", unit(0, 0.1, 1), PostingSide(NURSE, ("patient care",), employer="clinic")),
    6: ("nurse practitioner clinic", unit(0, 0.2, 1), PostingSide(NURSE, ("patient care",), employer="")),
    7: ("kitchen porter", unit(0.5, 1, 0), PostingSide(CHEF, (), experience_level="Entry level", employer="")),
}


@pytest.fixture
def indexes() -> tuple[BM25Index, NumpyIndex]:
    keywords, vectors = BM25Index(None), NumpyIndex(3)
    keywords.upsert([IndexDoc(id=i, content_hash="h", text=t) for i, (t, _, _) in POSTINGS.items()])
    vectors.upsert([IndexDoc(id=i, content_hash="h", vector=v) for i, (_, v, _) in POSTINGS.items()])
    return keywords, vectors


def describe(ids: list[int]) -> dict[int, PostingSide]:
    return {i: POSTINGS[i][2] for i in ids if i in POSTINGS}


def chef_query(**kw: object) -> Query:
    seeker = SeekerSide(domain_probs=np.array([0.9, 0.1]), skills=frozenset({"menu planning"}), domain="CHEF")
    return Query(keywords="chef kitchen menu", vector=unit(1, 0.15, 0), side=seeker, **kw)  # type: ignore[arg-type]


class LinearScorer:
    """Scores a pair by its features' weighted sum (the learned re-ranker's shape)."""

    def __init__(self, **weights: float) -> None:
        self.w = np.asarray([weights.get(f, 0.0) for f in FEATURES])

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(X @ self.w)

    def contributions(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(X * self.w)


def test_retrieval_fuses_both_lists_and_adds_the_domain_hits_neither_found(indexes):
    keywords, vectors = indexes
    query = chef_query(depth=2, domain_items={5, 6}, domain_depth=1)
    found = retrieve(query, keywords=keywords, vectors=vectors, timings=StageTimings())
    ids = [c.id for c in found]
    assert set(ids[:-1]) <= {1, 2, 3, 4} and len(ids[:-1]) <= 4  # the two retrievers' top two, fused
    assert ids[-1] == 6 and found[-1].found_by == ["domain"]  # the nearest of the domain's items, last


def test_hard_filters_bound_every_retriever_including_the_domain_search(indexes):
    keywords, vectors = indexes
    query = chef_query(allowed={2, 5}, domain_items={5, 6})
    found = retrieve(query, keywords=keywords, vectors=vectors, timings=StageTimings())
    assert {c.id for c in found} == {2, 5}


def test_the_full_chain_ranks_explains_and_times_each_stage(indexes):
    keywords, vectors = indexes
    ranking = rank(
        chef_query(),
        keywords=keywords,
        vectors=vectors,
        describe=describe,
        scorer=LinearScorer(domain=2.0, skills=1.0, vector=1.0),
        skill_idf={},
        today=TODAY,
        k=3,
    )
    ids = [r.id for r in ranking.items]
    assert ids[0] in {1, 4}  # the two postings asking for the seeker's one skill, in the right domain
    assert all(POSTINGS[i][2].domain_probs is CHEF for i in ids)
    scores = [r.score for r in ranking.items]
    assert scores == sorted(scores, reverse=True)
    why = ranking.items[0].why
    assert why["matched_skills"] == ["menu planning"] and why["domain"]["resume"] == "CHEF"
    assert "resume_titles" not in why["title"]  # a seeker reads about the posting, not about themselves
    assert set(ranking.timings.ms) >= {"bm25", "vectors", "fuse", "features", "rerank"}


def test_without_a_learned_scorer_domain_agreement_is_blended_with_retrieval(indexes):
    keywords, vectors = indexes
    ranking = rank(
        chef_query(), keywords=keywords, vectors=vectors, describe=describe, scorer=None, skill_idf={}, today=TODAY
    )
    assert [r.id for r in ranking.items][:1] != [5] and 5 not in [r.id for r in ranking.items[:4]]
    assert all(not any(r.contributions) for r in ranking.items)  # no learned parts to show


def test_excluded_and_undescribable_items_leave_and_included_ones_stay_whatever_their_rank(indexes):
    keywords, vectors = indexes
    closed = {3}

    def open_only(ids: list[int]) -> dict[int, PostingSide]:
        return {i: s for i, s in describe(ids).items() if i not in closed}

    ranking = rank(
        chef_query(depth=7),
        keywords=keywords,
        vectors=vectors,
        describe=open_only,
        scorer=LinearScorer(domain=1.0),
        skill_idf={},
        today=TODAY,
        k=2,
        exclude={1},
    )
    assert {r.id for r in ranking.items}.isdisjoint({1, 3})
    ranking = rank(
        chef_query(depth=1),
        keywords=keywords,
        vectors=vectors,
        describe=describe,
        scorer=LinearScorer(domain=1.0),
        skill_idf={},
        today=TODAY,
        k=1,
        include={6},
    )
    assert 6 in [r.id for r in ranking.items] and len(ranking.items) == 2  # the best one, and the one included


def test_at_most_two_postings_of_one_employer_reach_the_top(indexes):
    keywords, vectors = indexes
    ranking = rank(
        chef_query(depth=7),
        keywords=keywords,
        vectors=vectors,
        describe=describe,
        scorer=LinearScorer(vector=1.0),
        skill_idf={},
        today=TODAY,
        k=4,
        per_employer=2,
    )
    employers = [POSTINGS[r.id][2].employer for r in ranking.items]
    assert employers.count("bistro") == 2 and len(ranking.items) == 4
    order = [r.id for r in ranking.items]
    assert 3 not in order  # the third bistro posting gave way to the next employer's


def test_keep_caps_per_employer_but_never_caps_items_without_one():
    from search.ranking.pipeline import Pool

    sides = {
        i: PostingSide(employer=e) for i, e in zip(range(1, 7), ["acme", "acme", "acme", "other", "", ""], strict=True)
    }
    from search.ranking.types import Candidate

    pool = Pool(chef_query(), [Candidate(id=i) for i in range(1, 7)], sides, np.zeros((6, len(FEATURES))), [])
    order = list(range(6))
    assert [i + 1 for i in keep(pool, order, k=10, per_employer=2)] == [1, 2, 4, 5, 6]
    assert [i + 1 for i in keep(pool, order, k=3, per_employer=2)] == [1, 2, 4]


def test_personalisation_moves_a_refused_level_down_and_says_why(indexes):
    keywords, vectors = indexes
    common = {
        "keywords": keywords,
        "vectors": vectors,
        "describe": describe,
        "scorer": LinearScorer(vector=1.0),
        "skill_idf": {},
        "today": TODAY,
        "k": 7,
    }
    plain = rank(chef_query(depth=7), **common)  # type: ignore[arg-type]
    personal = Personal(levels=(3, 5), notes={"seniority": "Mid-Senior level to Executive"})
    mine = rank(chef_query(depth=7), personal=personal, **common)  # type: ignore[arg-type]
    before = {r.id: r.score for r in plain.items}
    after = {r.id: r for r in mine.items}
    assert after[7].score < before[7] and "seniority" in after[7].why["personal"]  # the entry-level porter
    assert all(after[i].score == before[i] for i in before if i != 7)


def test_the_recruiter_direction_ranks_resumes_for_a_posting_and_names_their_titles():
    resumes = {
        10: ("sous chef menu planning kitchen", unit(1, 0, 0), SeekerSide(CHEF, frozenset({"menu planning"}))),
        11: ("registered nurse ward", unit(0, 0, 1), SeekerSide(NURSE, frozenset({"patient care"}))),
        12: ("cook grill kitchen", unit(1, 0.5, 0), SeekerSide(CHEF, frozenset(), titles=("Cook",))),
    }
    keywords, vectors = BM25Index(None), NumpyIndex(3)
    keywords.upsert([IndexDoc(id=i, content_hash="", text=t) for i, (t, _, _) in resumes.items()])
    vectors.upsert([IndexDoc(id=i, content_hash="", vector=v) for i, (_, v, _) in resumes.items()])
    posting = PostingSide(CHEF, ("menu planning",), domain="CHEF")
    query = Query(keywords="chef kitchen menu planning", vector=unit(1, 0.1, 0), side=posting, allowed={10, 11, 12})
    ranking = rank(
        query,
        keywords=keywords,
        vectors=vectors,
        describe=lambda ids: {i: resumes[i][2] for i in ids},
        scorer=LinearScorer(domain=1.0, skills=1.0),
        skill_idf={},
        today=TODAY,
        k=2,
    )
    assert [r.id for r in ranking.items] == [10, 12]
    assert ranking.items[1].why["title"]["resume_titles"] == ["Cook"]


def test_stage_orders_give_each_retriever_the_fused_list_and_the_full_chain(indexes):
    keywords, vectors = indexes
    ranking = rank(
        chef_query(depth=3),
        keywords=keywords,
        vectors=vectors,
        describe=describe,
        scorer=None,
        skill_idf={},
        today=TODAY,
    )
    orders = stage_orders(ranking.pool, LinearScorer(vector=1.0))
    assert set(orders) == {"bm25", "vectors", "fused", "fused+domain", "full"}
    nearest = sorted(POSTINGS, key=lambda i: -float(POSTINGS[i][1] @ chef_query().vector))[:3]
    assert orders["vectors"] == nearest
    assert sorted(orders["full"]) == sorted(orders["fused"])


def test_a_reposted_job_is_shown_once_the_freshest_posting_in_the_best_place(indexes):
    keywords, vectors = indexes
    reposts = {
        1: dt.date(2026, 11, 1),  # the best match, posted first
        2: dt.date(2026, 12, 1),  # the same job posted again: it takes the first's place
    }

    def describe_reposts(ids: list[int]) -> dict[int, PostingSide]:
        out = {}
        for i, side in describe(ids).items():
            if i in reposts:
                side = PostingSide(CHEF, ("menu planning",), posted_at=reposts[i], same_as="sous chef|bistro|boston")
            out[i] = side
        return out

    ranking = rank(
        chef_query(depth=7),
        keywords=keywords,
        vectors=vectors,
        describe=describe_reposts,
        scorer=LinearScorer(skills=1.0, vector=1.0),
        skill_idf={},
        today=TODAY,
        k=5,
    )
    ids = [r.id for r in ranking.items]
    assert 2 in ids and 1 not in ids
    assert ids.index(2) == 0  # where the better-scored original stood


def test_the_place_preference_reorders_close_scores_only():
    """prefer_near moves a near item up and a far one down by half of it each: a far item ahead by less
    than prefer_near falls behind a near one, one ahead by more stays ahead, and none leaves the list."""
    near = {"location": "Chicago, IL"}
    jobs = {  # id: (vector, place): far and a little ahead, near, near and far behind, far and well ahead
        1: (unit(1, 0.65, 0), "Boston, MA"),
        2: (unit(1, 0.75, 0), "Chicago, IL"),
        3: (unit(1, 2.5, 0), "Chicago, IL"),
        4: (unit(1, 0, 0), "Denver, CO"),
    }
    keywords, vectors = BM25Index(None), NumpyIndex(3)
    keywords.upsert([IndexDoc(id=i, content_hash="h", text="accountant") for i in jobs])
    vectors.upsert([IndexDoc(id=i, content_hash="h", vector=v) for i, (v, _) in jobs.items()])
    sides = {i: PostingSide(NURSE, location=place, employer=str(i)) for i, (_, place) in jobs.items()}
    seeker = SeekerSide(domain_probs=np.array([0.1, 0.9]), location=near["location"])

    def order(prefer_near: float) -> list[int]:
        ranking = rank(
            Query(keywords="accountant", vector=unit(1, 0, 0), side=seeker),
            keywords=keywords,
            vectors=vectors,
            describe=lambda ids: {i: sides[i] for i in ids},
            scorer=LinearScorer(vector=1.0),
            skill_idf={},
            today=TODAY,
            k=4,
            prefer_near=prefer_near,
        )
        return [r.id for r in ranking.items]

    scores = {i: float(v @ unit(1, 0, 0)) for i, (v, _) in jobs.items()}
    assert scores[4] - scores[2] > 0.1 > scores[1] - scores[2] > 0
    assert order(0.0) == [4, 1, 2, 3]
    assert order(0.1) == [4, 2, 1, 3]


def test_a_tie_goes_to_the_fresher_posting():
    jobs = {1: dt.date(2026, 10, 1), 2: dt.date(2026, 12, 1), 3: dt.date(2026, 11, 1)}
    keywords, vectors = BM25Index(None), NumpyIndex(3)
    keywords.upsert([IndexDoc(id=i, content_hash="h", text="sous chef") for i in jobs])
    vectors.upsert([IndexDoc(id=i, content_hash="h", vector=unit(1, 0, 0)) for i in jobs])
    sides = {i: PostingSide(CHEF, posted_at=day, employer=str(i)) for i, day in jobs.items()}
    ranking = rank(
        chef_query(),
        keywords=keywords,
        vectors=vectors,
        describe=lambda ids: {i: sides[i] for i in ids},
        scorer=LinearScorer(domain=1.0),  # the three score alike
        skill_idf={},
        today=TODAY,
        k=3,
    )
    assert len({r.score for r in ranking.items}) == 1
    assert [r.id for r in ranking.items] == [2, 3, 1]
