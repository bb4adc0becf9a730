import csv
import gzip
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from search.models import JobPosting
from search.postings.importers import PostingRecord, Rejected, read_jsonl, read_linkedin_2023
from tests.conftest import DEMO, ROOT

SHARED = ROOT.parent / "shared" / "data"


def _small_linkedin(tmp_path: Path, n: int = 40, *, gz: bool = True) -> Path:
    """The first n demo postings in the LinkedIn 2023 layout, gzipped or plain."""
    out = tmp_path / "li"
    out.mkdir()
    for src in DEMO.iterdir():
        name = src.name.removesuffix(".gz")
        text = gzip.decompress(src.read_bytes()).decode()
        if name == "job_postings.csv":
            text = "\n".join(text.splitlines()[: n + 1]) + "\n"
        if gz:
            (out / src.name).write_bytes(gzip.compress(text.encode()))
        else:
            (out / name).write_text(text)
    return out


def _import(path, fmt, capsys):
    call_command("import_jobs", str(path), "--format", fmt)
    out = capsys.readouterr()
    return out.out.strip(), out.err


@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "plain"])
def test_linkedin_import_reads_postings_with_industries_functions_and_salaries(db, tmp_path, capsys, gz):
    JobPosting.objects.all().delete()
    folder = _small_linkedin(tmp_path, gz=gz)
    out, _ = _import(folder, "linkedin-2023", capsys)
    assert out == "created 40, updated 0, unchanged 0, rejected 0"
    p = JobPosting.objects.get(source="linkedin-2023", external_id="3757937004")
    assert p.title == "Auto Body Techncian"
    assert p.location == "Daytona Beach, FL"
    assert p.work_type == "Full-time" and p.experience_level == "Entry level"
    assert p.industries and p.job_functions
    with_salary = JobPosting.objects.filter(salary_min__isnull=False).first()
    assert with_salary is not None and with_salary.salary_period in {
        "HOURLY",
        "YEARLY",
        "MONTHLY",
        "WEEKLY",
        "BIWEEKLY",
    }
    assert with_salary.salary_min <= with_salary.salary_max


def test_importing_twice_updates_and_never_duplicates(db, tmp_path, capsys):
    JobPosting.objects.all().delete()
    folder = _small_linkedin(tmp_path)
    _import(folder, "linkedin-2023", capsys)
    out, _ = _import(folder, "linkedin-2023", capsys)
    assert out == "created 0, updated 0, unchanged 40, rejected 0"
    assert JobPosting.objects.count() == 40

    # Change one title at the source: the re-import updates that row and its content hash.
    postings = folder / "job_postings.csv.gz"
    text = gzip.decompress(postings.read_bytes()).decode().replace("Auto Body Techncian", "Auto Body Technician")
    postings.write_bytes(gzip.compress(text.encode()))
    before = JobPosting.objects.get(external_id="3757937004").content_hash
    out, _ = _import(folder, "linkedin-2023", capsys)
    assert out == "created 0, updated 1, unchanged 39, rejected 0"
    after = JobPosting.objects.get(external_id="3757937004")
    assert after.title == "Auto Body Technician" and after.content_hash != before


def test_a_malformed_row_is_skipped_and_reported_with_its_line(db, tmp_path, capsys):
    JobPosting.objects.all().delete()
    folder = _small_linkedin(tmp_path, n=5, gz=False)
    rows = list(csv.reader((folder / "job_postings.csv").open()))
    header = rows[0]
    bad_id = dict.fromkeys(header, "")
    bad_id.update(job_id="not-a-number", title="Welder")
    no_title = dict.fromkeys(header, "")
    no_title.update(job_id="123", title="  ")
    with (folder / "job_postings.csv").open("a", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writerow(bad_id)
        w.writerow(no_title)
    with (folder / "salaries.csv").open("a", newline="") as fh:
        # max 10, min 50: inconsistent pay for a posting that had none, so the posting is rejected
        fh.write(f"99999,{rows[1][0]},10.0,,50.0,HOURLY,USD,BASE_SALARY\n")
    out, err = _import(folder, "linkedin-2023", capsys)
    assert out == "created 4, updated 0, unchanged 0, rejected 3"
    assert f"rejected line 2 (id {rows[1][0]}): salary minimum 50 is above the maximum 10" in err
    assert "rejected line 7 (id not-a-number): job_id is not a LinkedIn id" in err
    assert "rejected line 8 (id 123): title is missing" in err


def test_jsonl_import_reads_the_common_schema(db, tmp_path, capsys):
    JobPosting.objects.all().delete()
    path = tmp_path / "postings.jsonl"
    good = {
        "id": "nhs-1",
        "title": "Staff Nurse",
        "company": "Trust",
        "location": "Leeds, LS1, UK",
        "description": "Ward nurse.\n\nBand 5.",
        "category": None,
        "industry": "Healthcare",
        "posted": "2020-11-01",
        "salary_min": 24907,
        "salary_max": 30615,
        "salary_period": "year",
        "source": "nhs_jobs",
        "employment_type": "FULL_TIME",
        "salary_currency": "GBP",
    }
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps({**good, "id": "nhs-2", "salary_min": 50000, "salary_max": 100}),
        json.dumps({**good, "id": "nhs-3", "posted": "yesterday"}),
        json.dumps({**good, "id": "", "title": "No id"}),
        json.dumps({**good, "id": "nhs-4", "title": "Remote Data Analyst"}),
    ]
    path.write_text("\n".join(lines) + "\n")
    out, err = _import(path, "jsonl", capsys)
    assert out == "created 2, updated 0, unchanged 0, rejected 4"
    assert "line 2: not valid JSON" in err
    assert "line 3 (id nhs-2): salary minimum 50000 is above the maximum 100" in err
    assert "line 4 (id nhs-3): posted is not a date" in err
    assert "line 5: id is missing" in err
    nurse = JobPosting.objects.get(source="nhs_jobs", external_id="nhs-1")
    assert (nurse.salary_min, nurse.salary_max, nurse.salary_period, nurse.salary_currency) == (
        24907,
        30615,
        "YEARLY",
        "GBP",
    )
    assert nurse.industries == ["Healthcare"] and nurse.work_type == "Full-time"
    assert nurse.description == "Ward nurse.\n\nBand 5."
    assert str(nurse.posted_at) == "2020-11-01"
    assert JobPosting.objects.get(external_id="nhs-4").remote
    out, _ = _import(path, "jsonl", capsys)
    assert out == "created 0, updated 0, unchanged 2, rejected 4"


@pytest.mark.skipif(not (SHARED / "job-postings-adzuna-uk").exists(), reason="shared data not beside the repository")
def test_jsonl_import_reads_a_real_gzipped_data_set(db, tmp_path, capsys):
    JobPosting.objects.all().delete()
    src = SHARED / "job-postings-adzuna-uk" / "postings.jsonl.gz"
    path = tmp_path / "adzuna.jsonl.gz"
    with gzip.open(src, "rt") as fh, gzip.open(path, "wt") as out:
        for _, line in zip(range(200), fh, strict=False):
            out.write(line)
    out, _ = _import(path, "jsonl", capsys)
    assert out == "created 200, updated 0, unchanged 0, rejected 0"
    assert JobPosting.objects.filter(source="adzuna_job_salary_prediction_2013").count() == 200
    assert all(p.description for p in JobPosting.objects.all())


def test_a_missing_table_or_wrong_format_is_a_clear_error(db, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(CommandError, match=r"has no job_postings\.csv"):
        call_command("import_jobs", str(tmp_path / "empty"), "--format", "linkedin-2023")
    with pytest.raises(CommandError, match="is not a file"):
        call_command("import_jobs", str(tmp_path / "empty"), "--format", "jsonl")
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_jobs", str(tmp_path / "nope"), "--format", "jsonl")


def test_readers_accept_the_demo_data_without_rejections():
    rows = list(read_linkedin_2023(DEMO))
    assert len(rows) == 8000
    assert not [r for r in rows if not hasattr(r, "title")]
    texts = list(read_jsonl(DEMO.parent / "linkedin-2024.jsonl.gz"))
    assert len(texts) == 1151 and all(isinstance(r, PostingRecord) for r in texts)
    assert all(r.description and r.apply_url.startswith("https://www.linkedin.com/jobs/view/") for r in texts)
    assert sum(bool(r.company) for r in texts) > 1000 and sum(bool(r.experience_level) for r in texts) > 300
    # several job functions and industries to a posting, as LinkedIn lists them
    assert any(len(r.job_functions) > 1 for r in texts) and any(len(r.industries) > 1 for r in texts)


def test_jsonl_labels_levels_and_apply_links(tmp_path):
    path = tmp_path / "acme.jsonl"
    rows = [
        {
            "id": "a1",
            "title": "Baker",
            "category": "Sales | Marketing",
            "industry": ["Food", "Retail"],
            "seniority": "Entry level",
            "url": "https://jobs.example.com/a1",
        },
        {"id": "a2", "title": "Baker", "url": "javascript:alert(1)"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    good, bad = list(read_jsonl(path))
    assert isinstance(good, PostingRecord)
    assert (good.job_functions, good.industries) == (["Marketing", "Sales"], ["Food", "Retail"])
    assert (good.experience_level, good.apply_url) == ("Entry level", "https://jobs.example.com/a1")
    assert isinstance(bad, Rejected) and "url must start with http:// or https://" in bad.reason


def test_jsonl_reader_names_rows_without_a_source_after_the_file(tmp_path):
    path = tmp_path / "acme.jsonl"
    path.write_text(json.dumps({"id": "a1", "title": "Baker"}) + "\n")
    (rec,) = list(read_jsonl(path))
    assert (rec.source, rec.external_id) == ("acme", "a1")
    shutil.rmtree(tmp_path)


def test_a_bad_byte_costs_its_own_line_named_by_its_number_and_the_rest_is_read(tmp_path):
    rows = [json.dumps({"id": f"j{n}", "title": f"Nurse {n}", "source": "t"}).encode() for n in range(1, 1034)]
    rows[500] = b'{"id": "j501", "title": "Caf\xe9 manager", "source": "t"}'  # Latin-1, line 501
    path = tmp_path / "postings.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + b"\n".join(rows) + b"\n")  # a BOM on the first line is fine
    out = list(read_jsonl(path))
    bad = [r for r in out if isinstance(r, Rejected)]
    assert [(r.line, r.reason) for r in bad] == [(501, "not UTF-8 text (byte 29 of the line)")]
    assert len([r for r in out if isinstance(r, PostingRecord)]) == 1032  # the 532 after it too


def test_a_truncated_gzip_is_a_message_after_the_rows_it_holds(tmp_path):
    rows = b"".join(json.dumps({"id": f"j{n}", "title": "Nurse", "source": "t"}).encode() + b"\n" for n in range(500))
    path = tmp_path / "postings.jsonl.gz"
    whole = gzip.compress(rows)
    path.write_bytes(whole[: len(whole) // 2])
    out = list(read_jsonl(path))
    assert isinstance(out[-1], Rejected) and "damaged or cut short" in out[-1].reason
    assert all(isinstance(r, PostingRecord) for r in out[:-1])


def test_an_unclosed_quote_in_a_title_is_named_not_imported_as_a_garbage_title(tmp_path):
    folder = tmp_path / "li"
    folder.mkdir()
    (folder / "job_postings.csv").write_text(
        'job_id,title,location\n101,Staff Nurse,"Boston, MA"\n102,"ICU Nurse,Boston\n103,Chef,NYC\n104,Cook,LA\n'
    )
    out = list(read_linkedin_2023(folder))
    assert [r.title for r in out if isinstance(r, PostingRecord)] == ["Staff Nurse"]
    (bad,) = [r for r in out if isinstance(r, Rejected)]
    assert bad.line == 3 and "from line 3 to 5: a quote is not closed" in bad.reason


def test_a_cut_short_gzipped_table_is_a_message_not_a_traceback(tmp_path):
    folder = _small_linkedin(tmp_path, n=40)
    whole = (folder / "job_postings.csv.gz").read_bytes()
    (folder / "job_postings.csv.gz").write_bytes(whole[: len(whole) // 2])
    out = list(read_linkedin_2023(folder))
    assert isinstance(out[-1], Rejected) and "damaged or cut short" in out[-1].reason
    assert any(isinstance(r, PostingRecord) for r in out)
