"""The personalisation rules on plain data: level ranges, look-alike penalties and bonuses, the feedback
query, and the one order in which corrections and penalties apply."""

from __future__ import annotations

import numpy as np
import pytest

from search.ranking.features import EXPERIENCE_LEVELS, FEATURES
from search.ranking.personalise import (
    LEARNED_NOTE,
    LIKED_FLOOR,
    LIKED_QUERY_SHIFT,
    LIKED_WEIGHT,
    NOT_RELEVANT_WEIGHT,
    SENIORITY_PENALTY,
    Personal,
    feedback_query,
    level_range,
    levels_wanted,
    penalties,
    personalise,
)


def test_level_range_follows_the_newest_dismissal():
    top = len(EXPERIENCE_LEVELS) - 1
    assert level_range([]) == (0, top)
    assert level_range([("too_junior", "Entry level")]) == (2, top)
    assert level_range([("too_senior", "Director")]) == (0, 3)
    assert level_range([("too_junior", "Entry level"), ("too_senior", "Director")]) == (2, 3)
    assert level_range([("too_junior", "Director"), ("too_senior", "Associate")]) == (1, 1)  # newer wins
    assert level_range([("too_junior", "no such level")]) == (0, top)


def test_penalties_are_zero_without_feedback_and_exact_with_it():
    ids, levels = [1, 2], ["Internship", "Director"]
    pen, why = penalties(Personal(), ids, levels, lambda ids: {}, 1.0)
    assert pen.tolist() == [0.0, 0.0] and why == [{}, {}]
    personal = Personal(levels=(2, 3), notes={"seniority": "Associate to Mid-Senior level"})
    pen, why = penalties(personal, ids, levels, lambda ids: {}, 1.0)
    assert pen.tolist() == [2 * SENIORITY_PENALTY, 1 * SENIORITY_PENALTY]
    # The rules are set in grades: a re-ranker whose grade is worth 0.4 of its score moves 0.4 as far.
    assert penalties(personal, ids, levels, lambda ids: {}, 0.4)[0].tolist() == pytest.approx(
        [0.8 * SENIORITY_PENALTY, 0.4 * SENIORITY_PENALTY]
    )
    vectors = {9: [1.0, 0.0], 1: [1.0, 0.0], 2: [0.0, 1.0]}
    pen, why = penalties(Personal(unwanted=(9,)), ids, levels, lambda ids: vectors, 1.0)
    assert pen.tolist() == [pytest.approx(NOT_RELEVANT_WEIGHT), 0.0] and "like_dismissed" in why[0]


def test_look_alikes_of_liked_postings_move_up_but_not_the_liked_posting_itself():
    ids, levels = [1, 2, 3, 9], [""] * 4
    # 1 is the liked posting's twin, 2 is 0.8 alike (halfway between the floor 0.6 and 1), 3 unlike it.
    vectors = {9: [1.0, 0.0], 1: [1.0, 0.0], 2: [0.8, 0.6], 3: [0.0, 1.0]}
    pen, why = penalties(Personal(liked=(9,)), ids, levels, lambda ids: vectors, 1.0)
    assert Personal(liked=(9,)).shifts
    half = LIKED_WEIGHT * (0.8 - LIKED_FLOOR) / (1 - LIKED_FLOOR)
    assert pen.tolist() == [pytest.approx(-LIKED_WEIGHT), pytest.approx(-half), 0.0, 0.0]
    assert "like_liked" in why[0] and "like_liked" in why[1] and why[2] == {} and why[3] == {}
    # Liked and dismissed together: both act, each against its own look-alikes (4 is the dismissed 3's twin).
    vectors[4] = [0.0, 1.0]
    pen, _ = penalties(Personal(liked=(9,), unwanted=(3,)), [1, 2, 4], [""] * 3, lambda ids: vectors, 1.0)
    assert pen.tolist() == [pytest.approx(-LIKED_WEIGHT), pytest.approx(-half), pytest.approx(NOT_RELEVANT_WEIGHT)]


def test_the_vector_search_moves_towards_the_liked_postings():
    q = np.array([2.0, 0.0], dtype=np.float32)
    assert feedback_query(q, (), lambda ids: {}) is q
    assert feedback_query(q, (7,), lambda ids: {}) is q  # a liked posting no longer indexed changes nothing
    moved = feedback_query(q, (7, 8), lambda ids: {7: [0.0, 3.0], 8: [0.0, 1.0]})
    assert moved.tolist() == pytest.approx([1.0, LIKED_QUERY_SHIFT])


class FixedCorrections:
    """A personalised model that adds a fixed amount per posting."""

    def __init__(self, by_posting: dict[int, float]) -> None:
        self.by_posting = by_posting
        self.asked: list[tuple[list[int], list[int]]] = []

    def corrections(self, X, seekers, postings):  # type: ignore[no-untyped-def]
        self.asked.append((list(seekers), list(postings)))
        return np.asarray([self.by_posting.get(p, 0.0) for p in postings])


def test_personalise_adds_the_learned_correction_then_takes_off_the_rules_penalties():
    scores = np.array([1.0, 1.0, 1.0])
    X = np.zeros((3, len(FEATURES)))
    personal = Personal(resume_id=5, levels=(3, 3), notes={"seniority": levels_wanted((3, 3))})
    model = FixedCorrections({1: 0.5, 2: -0.1})
    out, notes = personalise(
        scores,
        personal=personal,
        ids=[1, 2, 3],
        levels=["Mid-Senior level", "Entry level", "Director"],
        X=X,
        vectors_of=lambda ids: {},
        learned=model,
        grade=1.0,
    )
    assert out.tolist() == pytest.approx([1.5, 1.0 - 0.1 - 2 * SENIORITY_PENALTY, 1.0 - SENIORITY_PENALTY])
    assert model.asked == [([5, 5, 5], [1, 2, 3])]  # the seeker's own corrections, one row per posting
    assert "learned" in notes[0] and "seniority" not in notes[0]
    assert "seniority" in notes[1] and "learned" not in notes[1]  # 0.1 is below LEARNED_NOTE
    assert abs(-0.1) < LEARNED_NOTE
    assert notes[2] == {"seniority": "Director, outside the levels you want (Mid-Senior level)"}


def test_a_seeker_without_feedback_or_model_keeps_the_global_scores_exactly():
    scores = np.array([0.3, -1.2])
    out, notes = personalise(
        scores, personal=Personal(), ids=[1, 2], levels=["", ""], X=np.zeros((2, len(FEATURES))), vectors_of=dict
    )
    assert out.tolist() == scores.tolist() and notes == [{}, {}]


def test_an_anonymous_ranking_asks_the_model_nothing():
    model = FixedCorrections({1: 3.0})
    out, _ = personalise(
        np.array([0.0]),
        personal=Personal(resume_id=None),
        ids=[1],
        levels=[""],
        X=np.zeros((1, len(FEATURES))),
        vectors_of=dict,
        learned=model,
    )
    assert out.tolist() == [0.0] and model.asked == []
