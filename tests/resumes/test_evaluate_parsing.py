"""evaluate_parsing: the DataTurks format, the matching rule, partly annotated fields."""

import json

from django.core.management import call_command

from resumes.understanding.evaluation import Counts, evaluate, load_dataturks, matches, skill_items
from resumes.understanding.pipeline import understand


def _record(text, labels):
    annotation = []
    for label, value in labels:
        start = text.index(value)
        annotation.append(
            {"label": [label], "points": [{"start": start, "end": start + len(value) - 1, "text": value}]}
        )
    return {"content": text, "annotation": annotation}


RESUME_A = (
    "Asha Rao\nSoftware Engineer - Infosys\n"
    "Bengaluru, Karnataka - Email me on Indeed: indeed.com/r/Asha-Rao/1f2e3d4c5b6a\n"
    "asha@example.com\n\nEDUCATION\n\nB.Tech in Computer Science\nPES University - Bengaluru, Karnataka\n2016\n\n"
    "SKILLS\n\nPython, Zorblax scripting, Team player\n"
)
RESUME_B = "Ravi Kumar\nAccountant\n\nEDUCATION\n\nB.Com\nSt. Xavier's College\n2012\n\nSKILLS\n\nTally, Excel\n"


def _dataset(tmp_path):
    path = tmp_path / "ner.jsonl"
    records = [
        _record(
            RESUME_A,
            [
                ("Name", "Asha Rao"),
                ("Email Address", "indeed.com/r/Asha-Rao/1f2e3d4c5b6a"),
                ("Degree", "B.Tech in Computer Science"),
                ("College Name", "PES University"),
                ("Graduation Year", "2016"),
                ("Skills", "Python, Zorblax scripting, Team player"),
            ],
        ),
        # The annotators marked no graduation year here: the year read is not counted against precision
        # on annotated resumes, but is on all resumes.
        _record(RESUME_B, [("Name", "Ravi Kumar"), ("Degree", "B.Com"), ("College Name", "St. Xavier's College")]),
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return path


def test_the_matching_rule():
    assert matches("Infosys Ltd", "Infosys")  # one contains the other
    assert matches("Senior Software Engineer", "Software Engineer II")  # overlap 2/3
    assert not matches("Data Analyst", "Software Engineer")
    c = Counts()
    c.add(["Infosys", "Wipro"], ["Infosys Limited"])
    assert (c.precision, c.recall) == (0.5, 1.0)


def test_gold_skill_blocks_are_cut_into_items():
    assert skill_items(["TECHNICAL SKILLS:\nLanguages: C, C++ (3 years)\n• Team player"]) == ["C", "C++", "Team player"]


def test_fields_are_scored_on_all_and_on_annotated_resumes(tmp_path):
    records = load_dataturks(_dataset(tmp_path))
    report = evaluate(records, lambda t: understand(t, ner=None))
    assert report.resumes == 2
    assert report.fields["name"].f1 == 1.0
    assert report.fields["email"].precision == 1.0  # the Indeed relay, not the e-mail beside it
    year_all, year_marked = report.fields["year"], report.annotated["year"]
    assert year_all.n_pred == 2 and year_all.precision == 0.5
    assert year_marked.n_pred == 1 and year_marked.precision == 1.0
    assert report.marked["year"] == 1
    assert report.skills_gold == 3 and report.skills_found == 3


def test_the_command_prints_the_rules_and_each_field(tmp_path, capsys):
    call_command("evaluate_parsing", "--dataset", str(_dataset(tmp_path)), "--no-ner", "--json")
    out = capsys.readouterr().out
    assert "matching rule:" in out and "skill items:" in out
    figures = json.loads(out.strip().splitlines()[-1])
    assert set(figures) >= {"name", "email", "location", "titles", "companies", "institution", "degree", "year"}
    assert figures["name"]["f1"] == 1.0 and figures["skills_recall"] == 1.0
