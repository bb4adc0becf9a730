"""The real-views replay: reading the case-study files, the history / future split, the two rankings it
compares, and its refusals."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from search.evaluation.replay import (
    EXPERIENCE,
    INTERESTS,
    VIEWS,
    Applicant,
    ReplayDataError,
    applicants,
    replay,
    viewed_jobs,
)

VIEW_COLUMNS = [
    "Applicant.ID",
    "Job.ID",
    "Title",
    "Position",
    "Company",
    "City",
    "State.Code",
    "Industry",
    "View.Start",
]


def _write(path: Path, columns: list[str], rows: list[list[str]]) -> None:
    with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        w.writerows(rows)


@pytest.fixture
def folder(tmp_path):  # type: ignore[no-untyped-def]
    views = [
        # applicant 1: four jobs, 30 viewed twice (its first view counts), out of order in the file
        ["1", "30", "Cook @ Diner", "Cook", "Diner", "Austin", "TX", "", "2014-12-12 10:03:00 UTC"],
        ["1", "10", "Cashier @ Mart", "Cashier", "Mart", "Austin", "TX", "Retail", "2014-12-12 10:00:00 UTC"],
        ["1", "20", "Clerk @ Mart", "", "Mart", "Austin", "TX", "", "2014-12-12 10:01:00 UTC"],
        ["1", "30", "Cook @ Diner", "Cook", "Diner", "Austin", "TX", "", "2014-12-12 10:02:00 UTC"],
        ["1", "40", "Server @ Diner", "Server", "Diner", "Austin", "TX", "", "2014-12-12 10:04:00 UTC"],
        # applicant 2: enough views but nothing to read as a resume
        *[["2", str(j), "Job", "Job", "", "", "", "", f"2014-12-12 11:0{j}:00 UTC"] for j in range(5)],
        # applicant 3: too few views
        ["3", "10", "Cashier @ Mart", "Cashier", "Mart", "Austin", "TX", "", "2014-12-12 12:00:00 UTC"],
    ]
    _write(tmp_path / VIEWS, VIEW_COLUMNS, views)
    _write(
        tmp_path / EXPERIENCE,
        ["Applicant.ID", "Position.Name", "Employer.Name", "City", "State.Code", "Job.Description"],
        [["1", "Cashier", "Corner Shop", "Austin", "TX", "Till, stock"], ["3", "Cook", "Cafe", "", "", ""]],
    )
    _write(tmp_path / INTERESTS, ["Applicant.ID", "Position.Of.Interest"], [["1", "Cook"], ["1", "Server"]])
    return tmp_path


def test_viewed_jobs_become_postings_once_each(folder):  # type: ignore[no-untyped-def]
    jobs = {j.external_id: j for j in viewed_jobs(folder)}
    assert {"10", "20", "30", "40"} <= set(jobs)
    assert jobs["10"].title == "Cashier" and jobs["10"].location == "Austin, TX" and jobs["10"].industries == ["Retail"]
    assert jobs["20"].title == "Clerk"  # no Position: the Title before " @ "
    assert jobs["10"].posted_at is not None and jobs["10"].posted_at.isoformat() == "2014-12-12"


def test_applicants_are_read_in_viewing_order_and_split_in_half(folder):  # type: ignore[no-untyped-def]
    people = applicants(folder, min_views=4)
    assert [p.id for p in people] == ["1"]  # 2 has no history to read, 3 too few views
    person = people[0]
    assert person.jobs == ["10", "20", "30", "40"]
    assert person.split == (["10", "20"], ["30", "40"])
    assert "Cashier at Corner Shop, Austin, TX" in person.text and "Cook, Server" in person.text


def test_a_missing_file_or_column_is_named(folder):  # type: ignore[no-untyped-def]
    (folder / INTERESTS).unlink()
    with pytest.raises(ReplayDataError, match=INTERESTS):
        applicants(folder, min_views=4)
    _write(folder / VIEWS, ["Applicant.ID", "Job.ID"], [["1", "10"]])
    with pytest.raises(ReplayDataError, match=r"View\.Start"):
        viewed_jobs(folder)


def test_both_rankings_leave_the_history_out_and_only_one_leans_on_it(monkeypatch):  # type: ignore[no-untyped-def]
    from search.evaluation import replay as services

    calls = []

    def fake(**kw):  # type: ignore[no-untyped-def]
        calls.append(kw["personal"])
        shown = [103, 7, 8] if kw["personal"].liked else [7, 8, 9]  # 103 is a future job
        return SimpleNamespace(items=[SimpleNamespace(posting=SimpleNamespace(pk=pk)) for pk in shown])

    monkeypatch.setattr(services, "jobs_for_text", fake)
    monkeypatch.setattr(services, "query_text", lambda text, profile: text)
    person = Applicant("1", "Cashier", ["a", "b", "c", "d"])
    result = replay([person], {"a": 101, "b": 102, "c": 103, "d": 104}, profile_of=lambda text: {})
    base, mine = calls
    assert base.excluded == mine.excluded == frozenset({101, 102})
    assert base.liked == () and mine.liked == (102, 101)  # newest first
    assert result.hits == {"baseline": 0, "personalised": 1} and result.future_jobs == 2
    assert result.as_dict()["recall10_personalised"] == 0.5 and result.as_dict()["hit_rate10_baseline"] == 0.0


@pytest.mark.usefixtures("corpus")
def test_the_command_wants_a_data_dir_of_its_own(folder):  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="JOBMATCH_DATA_DIR of its own"):
        call_command("replay_views", "--dir", str(folder))
