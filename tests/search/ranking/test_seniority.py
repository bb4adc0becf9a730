"""Levels of postings and resumes on LinkedIn's scale, and the gaps the re-ranker reads."""

from __future__ import annotations

import pytest

from search.ranking.seniority import gaps, posting_level, resume_level, title_level


@pytest.mark.parametrize(
    ("title", "level"),
    [
        ("Executive Chef", 4.0),
        ("Sous Chef", 3.0),
        ("Restaurant Crewmember - Cook, Cashier", 1.0),
        ("Senior Accountant", 3.0),
        ("VP of Engineering", 5.0),
        ("Marketing Intern", 0.0),
        ("Registered Nurse", None),
    ],
)
def test_a_titles_words_name_its_level(title, level):
    assert title_level(title) == level


def test_a_posting_takes_its_posters_level_else_its_titles_else_its_pay():
    assert posting_level("Entry level", "Senior Cook") == 1.0  # the poster said so
    assert posting_level("", "Senior Cook") == 3.0
    assert posting_level("", "Cook", 180_000) == 4.0
    assert posting_level("", "Cook") is None


def test_a_resume_reads_years_and_latest_titles_together():
    assert resume_level(23.4, ["Executive Chef", "Sous Chef"]) == 4.0
    assert resume_level(1.0, ["Line Cook"]) == 1.0
    assert resume_level(None, ["Director of Nursing"]) == 4.0
    assert resume_level(None, []) is None


def test_the_gaps_say_how_far_above_or_below_the_posting_is():
    assert gaps(4.0, 1.0) == (0.0, 1.0, 1.0)  # a senior chef, a crew job: three steps down
    assert gaps(3.0, 2.0) == (0.0, 0.0, 1.0)  # one step down is a common move
    assert gaps(1.0, 4.0) == (1.0, 0.0, 1.0)
    assert gaps(None, 2.0) == (0.0, 0.0, 0.0)
