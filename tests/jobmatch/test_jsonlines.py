"""A JSON line from someone else's file: nested 50,000 deep or holding an unpaired surrogate, it is a named
bad line; the bulk import and the batch commands go on with the next."""

from __future__ import annotations

import json

import pytest

from jobmatch.jsonlines import MAX_DEPTH, json_line

DEEP = "[" * 50_000 + "]" * 50_000
SURROGATE = '{"id": "s1", "title": "Nurse \\ud800"}'


def test_a_line_is_parsed_or_named_bad():
    assert json_line('{"id": "n1", "title": "Nurse"}') == {"id": "n1", "title": "Nurse"}
    with pytest.raises(ValueError, match="nests deeper"):
        json_line(DEEP)
    with pytest.raises(ValueError, match="nests deeper"):
        json_line("[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2))
    with pytest.raises(ValueError, match=r"\\ud800, an unpaired surrogate"):
        json_line(SURROGATE)
    with pytest.raises(ValueError, match="not valid JSON"):
        json_line("{nope")


def test_the_bulk_import_rejects_such_lines_and_keeps_the_rest(recruiter, org_a):  # type: ignore[no-untyped-def]
    from search.postings.bulk import import_check

    good = json.dumps({"id": "n1", "title": "Staff Nurse", "description": "Care for patients."})
    data = "\n".join([DEEP, SURROGATE, good]).encode()
    record = import_check(user=recruiter, organisation=org_a, name="postings.jsonl", data=data, admin=False)
    assert record.counts["created"] == 1 and record.counts["rejected"] == 2
    reasons = {r["line"]: r["reason"] for r in record.rejected}
    assert "nests deeper" in reasons[1] and "unpaired surrogate" in reasons[2]


def test_import_resumes_names_the_bad_lines_and_goes_on(tmp_path, admin_user, capsys):  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    (tmp_path / "resumes.jsonl").write_text("\n".join([DEEP, SURROGATE]) + "\n")
    call_command("import_resumes", "--jsonl", str(tmp_path / "resumes.jsonl"), "--no-index")
    out, err = capsys.readouterr()
    assert "loaded 0, failed 2" in out and "line 1: the JSON nests deeper" in err and "line 2: the line holds" in err
