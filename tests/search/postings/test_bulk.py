"""Bulk import in the browser: a dry run first, then one transaction; bad files and rows are named."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from search.models import JobPosting, PostingImport
from search.postings.bulk import ImportNotConfirmable, import_check, import_commit, parse_postings_file
from search.recruiting.exports import csv_safe, rejected_rows_csv

HEADER = "id,title,company,location,description,salary_min,salary_max,remote,closes_at\n"


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(r + "\n" for r in rows)).encode()


def _check(user, org, data: bytes, name: str = "postings.csv", admin: bool = False) -> PostingImport:  # type: ignore[no-untyped-def]
    return import_check(user=user, organisation=org, name=name, data=data, admin=admin)


def test_the_dry_run_counts_and_writes_nothing_then_confirm_writes_all_valid_rows(recruiter, org_a):  # type: ignore[no-untyped-def]
    before = JobPosting.objects.count()
    data = _csv(
        'n1,Staff Nurse,,"Boston, MA",Care for patients.,60000,80000,no,2030-01-31',
        "n2,Ward Clerk,,Boston MA,Front desk.,,,yes,",
        "n3,,,Boston,No title here.,,,,",
        "n4,Pharmacist,,Boston,Dispense.,90000,70000,,",
    )
    record = _check(recruiter, org_a, data)
    assert record.status == PostingImport.Status.CHECKED
    assert record.counts == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 2}
    assert [(r["line"], r["external_id"], r["reason"]) for r in record.rejected] == [
        (4, "n3", "title is missing"),
        (5, "n4", "salary_min 90000 is above salary_max 70000"),
    ]
    assert JobPosting.objects.count() == before  # the dry run wrote nothing

    import_commit(record=record, user=recruiter)
    made = {p.external_id: p for p in JobPosting.objects.filter(organisation=org_a)}
    assert set(made) == {"n1", "n2"}
    assert made["n1"].source == "org-acme-health" and made["n1"].company == "Acme Health"
    assert str(made["n1"].closes_at) == "2030-01-31" and made["n2"].remote is True
    record.refresh_from_db()
    assert record.status == PostingImport.Status.COMMITTED and sorted(record.posting_ids) == sorted(
        p.pk for p in made.values()
    )
    with pytest.raises(ImportNotConfirmable):  # a second click commits nothing more
        import_commit(record=record, user=recruiter)

    # The same file again, one row changed: an update, not a duplicate.
    again = _check(recruiter, org_a, data.replace(b"Front desk.", b"Front desk and phones."))
    assert again.counts == {"created": 0, "updated": 1, "unchanged": 1, "rejected": 2}


def test_an_unterminated_quote_refuses_the_whole_file(recruiter, org_a):  # type: ignore[no-untyped-def]
    data = _csv("q1,Nurse,,Boston,Fine.,,,,", 'q2,"Doctor,,Boston,never closed,,,,', "q3,Porter,,Boston,Fine.,,,,")
    record = _check(recruiter, org_a, data)
    assert record.status == PostingImport.Status.INVALID
    assert "Line 3" in record.error and "unterminated quote" in record.error
    assert not JobPosting.objects.filter(organisation=org_a).exists()
    with pytest.raises(ImportNotConfirmable):
        import_commit(record=record, user=recruiter)
    assert not JobPosting.objects.filter(organisation=org_a).exists()


@pytest.mark.parametrize(
    "header,message",
    [
        ("id,title,colour\n", "Unknown column 'colour'"),
        ("title,description\n", "no id column"),
        ("id,title,title\n", "Column title appears more than once"),
    ],
)
def test_wrong_columns_refuse_the_file_with_the_columns_named(recruiter, org_a, header, message):  # type: ignore[no-untyped-def]
    record = _check(recruiter, org_a, _csv("x1,Nurse,blue", header=header))
    assert record.status == PostingImport.Status.INVALID and message in record.error


def test_a_row_with_too_many_or_too_few_cells_is_rejected_alone(recruiter, org_a):  # type: ignore[no-untyped-def]
    record = _check(recruiter, org_a, _csv("c1,Nurse,,Boston,Ok.,,,,", "c2,Porter", "c3,Clerk,,Boston,Ok.,,,,,extra"))
    assert record.counts["created"] == 1
    assert [r["reason"] for r in record.rejected] == [
        "the row has 2 cells; the header has 9",
        "the row has 10 cells; the header has 9",
    ]


def test_a_byte_order_mark_and_windows_1252_text_are_read(recruiter, org_a):  # type: ignore[no-untyped-def]
    bom = b"\xef\xbb\xbf" + _csv("b1,Café Manager,,Lyon,Run the café.,,,,")
    parsed = parse_postings_file(bom, name="p.csv", source="s", admin=False)
    assert parsed.records[0].external_id == "b1"  # the header's first column is "id", not "\ufeffid"
    cp1252 = _csv("w1,Café Manager,,Lyon,Run the café – and smile.,,,,").decode().encode("cp1252")
    record = _check(recruiter, org_a, cp1252)
    assert record.status == PostingImport.Status.CHECKED and record.encoding == "windows-1252"
    import_commit(record=record, user=recruiter)
    assert JobPosting.objects.get(external_id="w1").description == "Run the café – and smile."


def test_a_200_kb_cell_rejects_its_row_and_keeps_the_others(recruiter, org_a):  # type: ignore[no-untyped-def]
    huge = "x" * 200_000
    record = _check(recruiter, org_a, _csv(f"h1,Nurse,,Boston,{huge},,,,", "h2,Porter,,Boston,Ok.,,,,"))
    assert record.counts["created"] == 1 and record.counts["rejected"] == 1
    assert record.rejected[0]["line"] == 2 and "200,000 characters" in record.rejected[0]["reason"]


def test_formula_cells_are_stored_as_text_and_neutralised_on_export(recruiter, org_a):  # type: ignore[no-untyped-def]
    record = _check(
        recruiter, org_a, _csv('f1,=HYPERLINK("http://evil"),,Boston,@SUM(A1),,,,', "f2,+Nurse,,Boston,-1,abc,,,")
    )
    import_commit(record=record, user=recruiter)
    posting = JobPosting.objects.get(external_id="f1")
    assert posting.title == '=HYPERLINK("http://evil")'  # kept as the poster wrote it; escaped in HTML
    assert [csv_safe(v) for v in ("=1+2", "+1", "-1", "@x", "plain", "\t=1")] == [
        "'=1+2",
        "'+1",
        "'-1",
        "'@x",
        "plain",
        "'\t=1",
    ]
    exported = list(csv.reader(io.StringIO(rejected_rows_csv(record.rejected))))
    assert exported[0] == ["line", "id", "reason"]
    assert exported[1][2].startswith("salary_min is not a number")
    bad = rejected_rows_csv([{"line": 3, "external_id": "=cmd|' /C calc'!A0", "reason": "@x"}])
    assert list(csv.reader(io.StringIO(bad)))[1] == ["3", "'=cmd|' /C calc'!A0", "'@x"]


def test_a_failure_while_writing_commits_nothing(recruiter, org_a, monkeypatch):  # type: ignore[no-untyped-def]
    record = _check(recruiter, org_a, _csv("t1,Nurse,,Boston,Ok.,,,,", "t2,Porter,,Boston,Ok.,,,,"))
    from search.postings import bulk

    real = bulk.postings_write

    def write_then_fail(plan):  # type: ignore[no-untyped-def]
        real(plan)
        raise RuntimeError("disk full")

    monkeypatch.setattr(bulk, "postings_write", write_then_fail)
    with pytest.raises(RuntimeError):
        import_commit(record=record, user=recruiter)
    assert not JobPosting.objects.filter(organisation=org_a).exists()
    record.refresh_from_db()
    assert record.status == PostingImport.Status.CHECKED  # can be confirmed again


def test_jsonl_rows_are_checked_like_csv_rows(admin_user):  # type: ignore[no-untyped-def]
    data = b'{"id": "j1", "title": "Nurse", "source": "acme-feed"}\nnot json\n{"id": "j2"}\n[1]\n'
    record = _check(admin_user, None, data, name="p.jsonl", admin=True)
    assert record.counts["created"] == 1
    assert [r["line"] for r in record.rejected] == [2, 3, 4]
    import_commit(record=record, user=admin_user)
    assert JobPosting.objects.get(external_id="j1").source == "acme-feed"  # admins may name the source


def test_a_recruiter_cannot_name_a_source(recruiter, org_a):  # type: ignore[no-untyped-def]
    record = _check(recruiter, org_a, _csv("s1,Nurse,linkedin-2023", header="id,title,source\n"))
    assert record.status == PostingImport.Status.INVALID and "Unknown column 'source'" in record.error


def test_not_a_text_file_or_wrong_type_is_refused(recruiter, org_a):  # type: ignore[no-untyped-def]
    assert "not a text file" in _check(recruiter, org_a, b"%PDF-1.4\x00\x01", name="x.csv").error
    assert ".csv or a .jsonl" in _check(recruiter, org_a, b"id,title\n1,a\n", name="x.xlsx").error
    assert "empty" in _check(recruiter, org_a, b"", name="x.csv").error


def test_the_browser_flow_checks_confirms_and_indexes(  # type: ignore[no-untyped-def]
    client, recruiter, org_a, corpus, django_capture_on_commit_callbacks
):
    client.force_login(recruiter)
    upload = SimpleUploadedFile("jobs.csv", _csv("u1,Registered Nurse,,Boston,Patient care on a surgical ward.,,,,"))
    r = client.post(reverse("recruit:import_new"), {"file": upload})
    record = PostingImport.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("recruit:import", args=[record.public_id])
    page = client.get(r["Location"]).content.decode()
    assert 'data-count="created">1<' in page and "Import 1 posting<" in page
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("recruit:import_confirm", args=[record.public_id]))
    assert r.status_code == 302
    status = client.get(reverse("recruit:import_status", args=[record.public_id])).json()
    assert status == {"status": "done", "status_display": "Done", "indexed": 1, "total": 1, "finished": True}
    from search.indexing.engine import get_engine

    posting = JobPosting.objects.get(external_id="u1")
    assert posting.pk in get_engine().bm25.hashes()
    # Another organisation's recruiter cannot see the import.
    from search.models import Membership, Organisation

    other = Organisation.objects.create(name="Other", slug="other")
    Membership.objects.filter(user=recruiter).update(organisation=other)
    assert client.get(reverse("recruit:import", args=[record.public_id])).status_code == 404


def test_unconfirmed_files_are_not_kept_a_newer_dry_run_and_a_day_discard_them(recruiter, org_a, settings):  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.utils import timezone

    from search.postings.bulk import CHECKED_KEPT_HOURS, import_store, imports_expire

    rows = _csv("n1,Staff Nurse,,Boston,Care.,,,,")
    first = _check(recruiter, org_a, rows)
    second = _check(recruiter, org_a, rows)
    first.refresh_from_db()
    assert first.status == PostingImport.Status.INVALID and "A newer file was checked" in first.error
    assert not import_store().exists(first.stored_name) and import_store().exists(second.stored_name)
    with pytest.raises(ImportNotConfirmable):
        import_commit(record=first, user=recruiter)

    PostingImport.objects.filter(pk=second.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=CHECKED_KEPT_HOURS + 1)
    )
    assert imports_expire() == 1
    second.refresh_from_db()
    assert second.status == PostingImport.Status.INVALID and "Not confirmed within 24 hours" in second.error
    assert not import_store().exists(second.stored_name)
