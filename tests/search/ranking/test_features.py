"""Feature functions of the re-ranker: pure, each in [0, 1]."""

import datetime as dt

import numpy as np
import pytest

from search.ranking.features import (
    FEATURES,
    PostingSide,
    SeekerSide,
    SkillMatch,
    candidate_features,
    domain_vector,
    location_fit,
    recency,
    seniority_fit,
    skill_match,
    skill_overlap,
    title_similarity,
)
from search.ranking.types import Candidate

TODAY = dt.date(2026, 11, 22)


def test_skill_overlap_weighs_specific_skills_more():
    idf = {"kubernetes": 5.0, "communication": 1.0}
    has_rare = skill_overlap(SkillMatch(matched=["Kubernetes"], missing=["communication"]), idf)
    has_common = skill_overlap(SkillMatch(matched=["communication"], missing=["Kubernetes"]), idf)
    assert has_rare == pytest.approx(5 / 6) and has_common == pytest.approx(1 / 6)
    assert skill_overlap(SkillMatch(), idf) == 0.0


def test_skill_match_splits_the_postings_skills_by_the_seekers():
    m = skill_match(frozenset({"python", "sql"}), ["Python", "Docker", "Python"])
    assert (m.matched, m.missing) == (["Python"], ["Docker"])


def test_title_similarity_follows_the_onet_code_hierarchy():
    assert title_similarity(["15-1252.00"], "15-1252.00") == 1.0
    assert title_similarity(["15-1252.00"], "15-1253.00") == 0.75  # same broad group
    assert title_similarity(["15-1211.00"], "15-1252.00") == 0.5  # same minor group
    assert title_similarity(["15-2011.00"], "15-1252.00") == 0.25  # same major group
    assert title_similarity(["35-1011.00"], "15-1252.00") == 0.0
    assert title_similarity([], "15-1252.00") == 0.0


@pytest.mark.parametrize(
    ("years", "level", "fit"),
    [
        (1, "Entry level", 1.0),
        (6, "Mid-Senior level", 1.0),
        (0, "Director", 0.5 ** (8 / 3)),  # far too junior
        (15, "Entry level", 0.5 ** (12 / 3)),  # far too senior
        (None, "Director", 0.5),  # unknown
        (5, "", 0.5),
    ],
)
def test_seniority_fit(years, level, fit):
    assert seniority_fit(years, level) == pytest.approx(fit)


@pytest.mark.parametrize(
    ("seeker", "posting", "remote", "fit"),
    [
        ("Austin, TX", "Austin, TX", False, 1.0),
        ("Austin, Texas", "Austin, TX 78701", False, 1.0),
        ("Austin, TX", "Dallas, TX", False, 0.7),
        ("Austin, TX", "Boston, MA", False, 0.0),
        ("Austin, TX", "Boston, MA", True, 1.0),  # remote work is anywhere
        ("", "Boston, MA", False, 0.5),
        ("Austin, TX", "United States", False, 0.5),
    ],
)
def test_location_fit(seeker, posting, remote, fit):
    assert location_fit(seeker, posting, remote) == fit


def test_recency_halves_every_month_and_is_neutral_without_a_date():
    assert recency(TODAY, TODAY) == 1.0
    assert recency(TODAY - dt.timedelta(days=30), TODAY) == pytest.approx(0.5)
    assert recency(None, TODAY) == 0.5


def test_a_declared_domain_is_one_hot_else_the_classifiers_probabilities():
    classes = ["CHEF", "HR", "SALES"]
    assert domain_vector(classes, "HR", [0.5, 0.2, 0.3]).tolist() == [0, 1, 0]
    assert domain_vector(classes, "", [0.5, 0.2, 0.3]).tolist() == [0.5, 0.2, 0.3]
    assert domain_vector(classes, "", None) is None


def test_candidate_features_lie_in_the_unit_interval_in_feature_order():
    c = Candidate(id=1, bm25_score=4.0, bm25_rank=2, vector_score=0.6, vector_rank=1, fused_score=0.03)
    seeker = SeekerSide(
        domain_probs=np.array([0.8, 0.2]),
        skills=frozenset({"python"}),
        occupation_codes=("15-1252.00",),
        years=5,
        location="Austin, TX",
    )
    posting = PostingSide(
        domain_probs=np.array([1.0, 0.0]),
        skills=("Python", "Docker"),
        occupation_code="15-1252.00",
        experience_level="Mid-Senior level",
        location="Austin, TX",
    )
    x, match = candidate_features(c, seeker, posting, skill_idf={}, bm25_max=8.0, today=TODAY)
    f = dict(zip(FEATURES, x, strict=True))
    assert f["bm25"] == 0.5 and f["vector"] == pytest.approx(0.6) and f["fused_rank"] == 1.0
    assert f["domain"] == 1.0 and f["skills"] == 0.5 and f["title"] == 1.0
    assert f["seniority"] == 1.0 and f["location"] == 1.0 and f["recency"] == 0.5
    assert match.matched == ["Python"] and match.missing == ["Docker"]
    assert ((x >= 0) & (x <= 1)).all()
