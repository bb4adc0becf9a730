"""The judged metrics on plain lists: nDCG@10 with gains 0/1/3 against the judged pool's best, the shares,
duplicates, unjudged items counted and never relevant, bootstrap intervals, graders' agreement; and the
judged set in the repository reads."""

from __future__ import annotations

import math

import pytest

from search.evaluation.judged import (
    GRADES,
    QUERIES,
    Grades,
    agreement,
    bootstrap_interval,
    load_grades,
    load_queries,
    score_list,
)


def test_a_list_of_the_best_judged_items_in_order_scores_one():
    grades = {"a": 2, "b": 2, "c": 1, "d": 0}
    s = score_list(["a", "b", "c", "d"], grades)
    assert s.ndcg == pytest.approx(1.0) and s.unjudged == 0
    assert (s.good, s.plausible, s.off) == (0.2, 0.3, 0.1)  # shares of the top ten


def test_unjudged_items_count_as_nothing_and_are_counted():
    grades = {"a": 2, "b": 1}
    s = score_list(["x", "a", "y", "b"], grades)
    ideal = 3 + 1 / math.log2(3)
    assert s.ndcg == pytest.approx((3 / math.log2(3) + 1 / math.log2(5)) / ideal)
    assert s.unjudged == 2 and s.good == 0.1 and s.off == 0.0


def test_a_query_with_nothing_relevant_has_no_ndcg_and_duplicates_are_measured():
    s = score_list(["a", "b"], {"a": 0, "b": 0})
    assert s.ndcg is None and s.off == 0.2
    same = {"a": "cook|acme|boston", "b": "cook|acme|boston", "c": "chef|acme|boston"}
    assert score_list(["a", "b", "c"], {}, same=same.get).duplicates == 0.1


def test_the_bootstrap_interval_holds_the_mean_and_narrows_with_more_queries():
    lo, hi = bootstrap_interval([0.2, 0.4, 0.6, 0.8] * 3)
    wide = bootstrap_interval([0.2, 0.8])
    assert lo < 0.5 < hi and (hi - lo) < (wide[1] - wide[0])
    assert all(math.isnan(x) for x in bootstrap_interval([]))


def test_agreement_of_two_graders():
    grades = Grades()
    for item, (a, b) in enumerate([(2, 2), (1, 1), (0, 0), (2, 1), (0, 0), (1, 0)]):
        grades.by_pair[("seeker", "q", str(item))] = [{"grade": a}, {"grade": b}]
    out = agreement(grades)
    assert out["pairs"] == 6 and out["exact"] == pytest.approx(4 / 6, abs=1e-3) and out["within_one"] == 1.0
    assert 0 < out["kappa"] < 1


def test_the_judged_set_in_the_repository_reads_and_holds_both_splits_and_directions():
    queries = load_queries(QUERIES)
    grades = load_grades(GRADES)
    assert {(q.direction, q.split) for q in queries} == {
        (d, s) for d in ("seeker", "recruiter") for s in ("dev", "test")
    }
    ids = {(q.direction, q.id) for q in queries}
    assert all((d, q) in ids for d, q, _ in grades.by_pair)  # every grade is of a judged query
    assert len(grades) >= 5000


def test_merge_adds_checked_grades_once_and_refuses_a_grade_of_no_judged_query(tmp_path):  # type: ignore[no-untyped-def]
    import json

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from search.evaluation.judged import JudgedSet

    folder = tmp_path / "judged"
    folder.mkdir()
    (folder / "queries.jsonl").write_text(json.dumps({"direction": "seeker", "id": "own-1", "split": "dev"}) + "\n")
    graded = tmp_path / "graded.jsonl"
    line = {"direction": "seeker", "query": "own-1", "item": "x:1", "grade": 2, "reason": "same job", "round": 1}
    graded.write_text(json.dumps(line) + "\n")
    call_command("judge", "merge", str(graded), "--grader", "grader-Z", "--judged-dir", str(folder))
    call_command("judge", "merge", str(graded), "--grader", "grader-Z", "--judged-dir", str(folder))  # again
    judged = JudgedSet.load(folder)
    assert judged.grades.for_query("seeker", "own-1") == {"x:1": 2}
    assert len(judged.grades.by_pair[("seeker", "own-1", "x:1")]) == 1  # the same grader's grade, once
    graded.write_text(json.dumps({**line, "query": "own-2"}) + "\n")
    with pytest.raises(CommandError, match="not a grade of a judged query"):
        call_command("judge", "merge", str(graded), "--judged-dir", str(folder))
    (folder / "resumes.jsonl").write_text(json.dumps({"id": "own-1"}) + "\n")
    with pytest.raises(ValueError, match="needs an id and a text"):
        JudgedSet.load(folder)
