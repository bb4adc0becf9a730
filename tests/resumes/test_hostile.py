"""Hostile files: each ends in its named state, in a sandboxed child, without hurting the process.

The corpus is generated here (tests/hostile.py): a flate bomb, a DOCX zip bomb, billion laughs and
an external entity in a DOCX, a PDF whose xref loops, a 20,000-page PDF, an encrypted PDF,
truncated and garbage files, HTML named .pdf, a PDF named .docx.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from resumes.extract import DOCX, PDF, ExtractionError, sniff_content_type
from resumes.models import Resume
from resumes.sandbox import Limits, extract_sandboxed, run_child
from tests import hostile

ROOT = Path(__file__).resolve().parent.parent.parent
MESSAGES = {  # what the seeker reads for each state: it names what to do
    "too_complex": "too complex",
    "too_large": "limit",
    "unreadable": "damaged",
    "encrypted": "Remove the password",
    "unsupported_type": "",
    "timeout": "took too long",
    "too_short": "only",
}
REFUSED_AT_UPLOAD = {name for name, (_, _, code) in hostile.HOSTILE.items() if code == "unsupported_type"}


@pytest.fixture(scope="module")
def corpus_bytes() -> dict[str, bytes]:
    return {name: builder() for name, (builder, _, _) in hostile.HOSTILE.items()}


@pytest.mark.parametrize("name", list(hostile.HOSTILE))
def test_each_hostile_file_reaches_its_named_state_in_the_sandbox(name, corpus_bytes, settings):
    _, upload_name, code = hostile.HOSTILE[name]
    data = corpus_bytes[name]
    t0 = time.monotonic()
    try:
        answer = run_child(data, sniff_content_type(data, upload_name), Limits.from_settings())
    except ExtractionError as exc:  # refused by its content before any parsing
        answer = {"error": {"code": exc.code, "message": exc.message}}
    assert time.monotonic() - t0 < 30
    assert answer["error"]["code"] == code, answer
    assert MESSAGES[code].lower() in answer["error"]["message"].lower()
    # The child did the parsing and stayed within its memory limit.
    assert answer.get("peak_mb", 0) <= settings.RESUME_PARSE_MEMORY_MB


@pytest.mark.parametrize("name", sorted(set(hostile.HOSTILE) - REFUSED_AT_UPLOAD))
def test_a_hostile_upload_fails_with_its_reason_shown_and_the_process_lives_on(
    name, corpus_bytes, seeker_client, corpus, django_capture_on_commit_callbacks
):
    _, upload_name, code = hostile.HOSTILE[name]
    with django_capture_on_commit_callbacks(execute=True):
        r = seeker_client.post(reverse("resumes:list"), {"file": SimpleUploadedFile(upload_name, corpus_bytes[name])})
    assert r.status_code == 302
    resume = Resume.objects.get()
    assert resume.status == Resume.Status.FAILED and resume.failure_code == code
    page = seeker_client.get(reverse("resumes:detail", args=[resume.public_id])).content.decode()
    assert resume.failure_reason.split(".")[0] in page.replace("&#x27;", "'")
    assert not resume.recommendations.exists()


@pytest.mark.parametrize("name", sorted(REFUSED_AT_UPLOAD))
def test_a_file_whose_content_is_not_what_its_name_says_is_refused_at_upload(
    name, corpus_bytes, seeker_client, corpus, django_capture_on_commit_callbacks, settings
):
    _, upload_name, _ = hostile.HOSTILE[name]
    before = set(settings.UPLOAD_DIR.glob("*")) if settings.UPLOAD_DIR.exists() else set()
    with django_capture_on_commit_callbacks(execute=True):
        r = seeker_client.post(reverse("resumes:list"), {"file": SimpleUploadedFile(upload_name, corpus_bytes[name])})
    assert r.status_code == 400
    assert "We accept PDF" in r.content.decode() or "is named .docx but its content is a PDF" in r.content.decode()
    assert not Resume.objects.exists()
    assert (set(settings.UPLOAD_DIR.glob("*")) if settings.UPLOAD_DIR.exists() else set()) == before


def test_the_batch_commands_print_each_hostile_file_as_an_error_line_and_go_on(tmp_path, corpus_bytes, capsys):
    paths = []
    for name in ["encrypted", "xref-loop", "20000-pages", "docx-zip-bomb"]:
        _, upload_name, _ = hostile.HOSTILE[name]
        path = tmp_path / f"{name}-{upload_name}"
        path.write_bytes(corpus_bytes[name])
        paths.append(path)
    good = tmp_path / "good.pdf"
    good.write_bytes(hostile.text_pdf())
    args = [arg for path in [*paths, good] for arg in ("--resume", str(path))]
    call_command("parse_resume", *args)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["id"] for line in lines] == [*map(str, paths), str(good)]
    assert [line["error"]["code"] for line in lines[:-1]] == ["encrypted", "unreadable", "too_large", "too_large"]
    assert all(line["error"]["message"] for line in lines[:-1])
    assert "error" not in lines[-1] and "years_experience" in lines[-1]


def test_a_parse_that_runs_past_its_time_ends_as_timeout():
    with pytest.raises(ExtractionError) as err:
        extract_sandboxed(hostile.text_pdf(), PDF, Limits(wall_seconds=0.001))
    assert err.value.code == "timeout"


def test_a_parse_past_its_memory_limit_ends_as_too_complex_not_a_crash():
    with pytest.raises(ExtractionError) as err:
        extract_sandboxed(hostile.flate_bomb_pdf(megabytes=300), PDF, Limits(memory_mb=200))
    assert err.value.code == "too_complex"


def test_the_sandbox_still_reads_ordinary_resumes():
    from tests.conftest import FIXTURES

    for name in ["it-27295996.pdf", "01-Accountant.docx"]:
        data = (FIXTURES / name).read_bytes()
        assert len(extract_sandboxed(data, sniff_content_type(data, name)).split()) > 50


# --- XML: the parser python-docx uses keeps lxml's safe defaults -----------------------------------


def test_an_external_entity_in_a_docx_is_never_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(hostile.SECRET)
    data = hostile.docx_external_entity(str(secret))
    try:
        text = extract_sandboxed(data, DOCX)
    except ExtractionError as exc:
        assert exc.code == "unreadable"
    else:
        assert hostile.SECRET not in text


def test_the_docx_xml_parser_neither_expands_entities_nor_accepts_huge_trees():
    from docx.oxml.parser import parse_xml
    from lxml import etree

    laughs = hostile.docx_billion_laughs()
    xml = zipfile.ZipFile(io.BytesIO(laughs)).read("word/document.xml")
    t0 = time.monotonic()
    try:
        root = parse_xml(xml)
    except etree.XMLSyntaxError:
        pass  # refusing the document is as good as not expanding it
    else:
        assert len(etree.tostring(root)) < 100_000  # 10^9 "lol"s would be 3 GB
    assert time.monotonic() - t0 < 5
    # huge_tree off: a single text node over libxml2's 10 MB limit is refused.
    huge = b"<w:document " + hostile.W + b"><w:t>" + b"a" * (11 * 1024 * 1024) + b"</w:t></w:document>"
    with pytest.raises(etree.XMLSyntaxError):
        parse_xml(huge)


def test_no_code_of_ours_switches_on_unsafe_xml_options():
    offenders = []
    for path in [*ROOT.glob("resumes/**/*.py"), *ROOT.glob("search/**/*.py"), *ROOT.glob("jobmatch/**/*.py")]:
        source = path.read_text()
        for needle in ("huge_tree", "resolve_entities=True", "no_network=False", "load_dtd=True"):
            if needle in source:
                offenders.append(f"{path.relative_to(ROOT)}: {needle}")
    assert not offenders


def test_recommend_prints_a_hostile_file_as_an_error_line_and_goes_on(tmp_path, corpus, capsys):
    bad, good = tmp_path / "locked.pdf", tmp_path / "good.pdf"
    bad.write_bytes(hostile.encrypted_pdf())
    good.write_bytes(hostile.text_pdf())
    call_command("recommend", "--resume", str(bad), "--resume", str(good))
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0] == {"id": str(bad), "error": {"code": "encrypted", "message": lines[0]["error"]["message"]}}
    assert "password" in lines[0]["error"]["message"]
    assert "error" not in lines[1] and len(lines[1]["jobs"]) == 10
