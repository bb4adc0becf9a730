import json

from django.core.management import call_command

from tests.conftest import FIXTURES

KEYS = {
    "id",
    "name",
    "email",
    "phone",
    "links",
    "location",
    "titles",
    "companies",
    "education",
    "skills",
    "years_experience",
    "sections",
}


def test_parse_resume_prints_one_json_line_per_resume_and_names_broken_files(tmp_path, capsys):
    jsonl = tmp_path / "r.jsonl"
    jsonl.write_text(json.dumps({"id": 7, "text": "Jane Roe\nSkills\nPython, SQL\n"}) + "\n{oops\n")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 nothing else")
    call_command(
        "parse_resume",
        "--resume",
        str(FIXTURES / "02-Desktop_Support.pdf"),
        "--resume",
        str(broken),
        "--jsonl",
        str(jsonl),
    )
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(lines) == 4
    first = lines[0]
    assert set(first) == KEYS
    assert first["name"] == "Ebony Moore"
    assert all(set(e) == {"degree", "institution", "year"} for e in first["education"])
    assert all(set(s) == {"name", "canonical", "start", "end"} for s in first["skills"])
    assert lines[1]["error"]["code"] in {"unreadable", "no_text"}
    assert lines[2]["id"] == 7 and lines[2]["name"] == "Jane Roe"
    assert {s["canonical"] for s in lines[2]["skills"]} == {"Python", "Structured query language SQL"}
    assert lines[3]["error"]["code"] == "unreadable"
