"""Text extraction on real files, and the named errors for files that are not resumes."""

import difflib
import io
import re

import pyarrow.parquet as pq
import pytest

from resumes.extract import (
    DOCX,
    ODT,
    PDF,
    RTF,
    TXT,
    ExtractionError,
    decode_text,
    extract_text,
    sniff_content_type,
)
from tests.conftest import FIXTURES, ROOT

KAGGLE = ROOT.parent / "shared" / "data" / "kaggle-resume-dataset" / "resumes_train.parquet"
SAMPLE_PAIRS = ["01-Accountant", "02-Desktop_Support"]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


@pytest.mark.parametrize(
    "name",
    ["it-27295996.pdf", "accountant-16237710.pdf", "chef-24673903.pdf", "teacher-22408666.pdf", "01-Accountant.pdf"],
)
def test_real_pdfs_are_sniffed_and_read(name):
    data = (FIXTURES / name).read_bytes()
    assert sniff_content_type(data) == PDF
    text = extract_text(data, PDF)
    assert len(_words(text)) > 150


@pytest.mark.skipif(not KAGGLE.exists(), reason="shared data not beside the repository")
@pytest.mark.parametrize("name", ["it-27295996.pdf", "chef-24673903.pdf"])
def test_pdf_text_matches_the_data_sets_own_extraction(name):
    """The data set's text came from the same PDFs by another extractor; the words must agree."""
    rid = int(name.split("-")[1].split(".")[0])
    table = pq.read_table(KAGGLE, columns=["ID", "Resume_str"]).to_pydict()
    reference = table["Resume_str"][table["ID"].index(rid)]
    ours = extract_text((FIXTURES / name).read_bytes(), PDF)
    ratio = difflib.SequenceMatcher(None, _words(ours), _words(reference), autojunk=False).ratio()
    assert ratio > 0.9


@pytest.mark.parametrize("stem", SAMPLE_PAIRS)
def test_docx_and_pdf_of_the_same_resume_agree(stem):
    docx_data = (FIXTURES / f"{stem}.docx").read_bytes()
    pdf_data = (FIXTURES / f"{stem}.pdf").read_bytes()
    assert sniff_content_type(docx_data) == DOCX
    from_docx = _words(extract_text(docx_data, DOCX))
    from_pdf = _words(extract_text(pdf_data, PDF))
    assert len(from_docx) > 100
    assert difflib.SequenceMatcher(None, from_docx, from_pdf, autojunk=False).ratio() > 0.9
    assert set(from_docx) ^ set(from_pdf) <= set(from_docx) | set(from_pdf)
    assert len(set(from_docx) & set(from_pdf)) / len(set(from_docx) | set(from_pdf)) > 0.9


RESUME = "Jane Doe\nRegistered nurse with ten years in intensive care. Skills: triage, ICU, patient care.\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1", "cp1252"])
def test_text_files_in_common_encodings_are_decoded(encoding):
    text = RESUME + "Café résumé naïve — São Paulo"
    if encoding in {"latin-1"}:
        text = text.replace("—", "-")
    data = text.encode(encoding)
    assert sniff_content_type(data) == TXT
    assert extract_text(data, TXT).endswith(text.strip()[-20:])


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "unsupported_type"),
        (b"PK\x03\x04" + b"\x00" * 100, "unreadable"),
        (b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 4, "unsupported_type"),
    ],
    ids=["empty", "png", "broken-zip", "binary"],
)
def test_files_that_are_not_resumes_are_refused_by_name(data, code):
    with pytest.raises(ExtractionError) as err:
        sniff_content_type(data)
    assert err.value.code == code
    assert err.value.message


def test_a_zip_that_is_not_a_word_document_is_unsupported():
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(ExtractionError) as err:
        sniff_content_type(buf.getvalue())
    assert err.value.code == "unsupported_type"


def test_the_type_comes_from_the_bytes_and_a_name_claiming_another_type_is_refused():
    data = (FIXTURES / "it-27295996.pdf").read_bytes()
    assert sniff_content_type(data) == PDF
    assert sniff_content_type(data, "resume.PDF") == PDF
    assert sniff_content_type(data, "resume") == PDF  # no extension: the bytes decide
    with pytest.raises(ExtractionError) as err:
        sniff_content_type(data, "resume.docx")
    assert err.value.code == "unsupported_type" and "named .docx but its content is a PDF" in err.value.message


def test_a_truncated_pdf_fails_as_unreadable_or_no_text():
    data = (FIXTURES / "it-27295996.pdf").read_bytes()[:600]
    with pytest.raises(ExtractionError) as err:
        extract_text(data, PDF)
    assert err.value.code in {"unreadable", "no_text"}


def test_a_pdf_without_text_says_so():
    # A valid one-page PDF with no text objects, like a scan without OCR.
    pdf = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    with pytest.raises(ExtractionError) as err:
        extract_text(pdf, PDF)
    assert err.value.code == "no_text"
    assert "scanned" in err.value.message


def test_binary_noise_is_not_mistaken_for_text():
    import random

    rng = random.Random(1)
    noise = bytes(rng.randrange(256) for _ in range(4000))
    assert decode_text(noise) is None


def test_a_few_words_are_too_short_not_a_scan():
    with pytest.raises(ExtractionError) as err:
        extract_text(b"Jane Doe, accountant", TXT)
    assert err.value.code == "too_short" and "only 3 words" in err.value.message
    assert "scanned" not in err.value.message


def test_more_text_than_a_resume_holds_is_refused_before_understanding():
    from resumes.extract import MAX_TEXT_CHARS

    line = b"Experienced accountant: ledgers, audits and tax returns.\n"
    long = line * (MAX_TEXT_CHARS // len(line) + 10)
    with pytest.raises(ExtractionError) as err:
        extract_text(long, TXT)
    assert err.value.code == "too_large" and f"limit for a resume is {MAX_TEXT_CHARS:,}" in err.value.message
    fits = line * (MAX_TEXT_CHARS // len(line) - 10)
    assert extract_text(fits, TXT).startswith("Experienced accountant")


# --- DOCX in reading order: headers, tables where they stand, text boxes, footers ----------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _nurse_docx(*, sections: int = 1, text_box: str | None = None) -> bytes:
    """A template-style resume: the name and contacts in the page header, the jobs in a table between
    headings, a footer; as Word writes them."""
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Maria Lopez · maria.lopez@example.com · (555) 201-3344"
    document.add_paragraph("Registered Nurse")
    document.add_paragraph("Experience")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "2018-2023", "Staff Nurse, Tampa General Hospital"
    table.cell(1, 0).text, table.cell(1, 1).text = "2015-2018", "Nurse, St. Joseph's Hospital"
    document.add_paragraph("Education")
    document.add_paragraph("BSN, University of South Florida")
    document.sections[0].footer.paragraphs[0].text = "References on request"
    for _ in range(sections - 1):  # later sections repeat the first one's header (linked)
        document.add_section()
        document.add_paragraph("Certifications: BLS, ACLS")
    if text_box is not None:
        from lxml import etree

        box = f'<w:txbxContent xmlns:w="{W_NS}"><w:p><w:r><w:t>{text_box}</w:t></w:r></w:p></w:txbxContent>'
        run = etree.fromstring(
            f'<w:r xmlns:w="{W_NS}" xmlns:mc="{MC_NS}"><mc:AlternateContent>'
            f"<mc:Choice Requires='wps'><w:drawing>{box}</w:drawing></mc:Choice>"
            f"<mc:Fallback><w:pict>{box}</w:pict></mc:Fallback></mc:AlternateContent></w:r>"
        )
        document.paragraphs[0]._p.append(run)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_a_docx_is_read_in_order_header_first_tables_in_place_footer_last():
    text = extract_text(_nurse_docx(), DOCX)
    assert text.splitlines() == [
        "Maria Lopez · maria.lopez@example.com · (555) 201-3344",
        "Registered Nurse",
        "Experience",
        "2018-2023 | Staff Nurse, Tampa General Hospital",
        "2015-2018 | Nurse, St. Joseph's Hospital",
        "Education",
        "BSN, University of South Florida",
        "References on request",
    ]
    from resumes.understanding.pipeline import understand

    profile = understand(text)
    assert profile.name == "Maria Lopez" and profile.email == "maria.lopez@example.com"


def test_a_header_shared_by_several_sections_is_read_once_and_a_text_box_once():
    text = extract_text(_nurse_docx(sections=3, text_box="Languages: English, Spanish"), DOCX)
    assert text.count("maria.lopez@example.com") == 1
    assert text.count("Certifications: BLS, ACLS") == 2
    assert text.count("Languages: English, Spanish") == 1  # Word writes a text box twice (drawing, fallback)
    assert text.index("Registered Nurse") < text.index("Languages: English, Spanish") < text.index("Experience")


# --- RTF, and the older Word format named ----------------------------------------------------------------

RTF_RESUME = rb"""{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss Calibri;}}{\colortbl;\red0\green0\blue0;}
{\*\generator Riched20 10.0;}\viewkind4\uc1\pard\b\f0\fs32 Jos\'e9 Mart\'ednez\b0\fs22\par
Senior Accountant \endash  jose.martinez@example.com \endash  (555) 201-3344\par
\par
\b Experience\b0\par
Senior Accountant, Acme Corp, 2014-2023\par
Staff Accountant, Beta LLC, 2010-2014\par
\b Skills\b0\par
QuickBooks, Excel, account reconciliations, month-end close \u8212? GAAP\par
}"""


def test_an_rtf_resume_is_read_as_rtf_not_as_text_with_its_control_words():
    assert sniff_content_type(RTF_RESUME, "cv.rtf") == RTF
    assert sniff_content_type(RTF_RESUME) == RTF  # by its bytes, whatever its name
    text = extract_text(RTF_RESUME, RTF)
    assert text.splitlines()[0] == "José Martínez"
    assert "\\" not in text and "Calibri" not in text and "Riched20" not in text
    assert "month-end close — GAAP" in text
    with pytest.raises(ExtractionError) as err:  # named as another type: refused, as for the others
        sniff_content_type(RTF_RESUME, "cv.txt")
    assert "an RTF document" in err.value.message


def test_an_rtf_upload_reaches_ten_results_with_its_name_read(
    seeker_client, corpus, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from resumes.models import Resume

    with django_capture_on_commit_callbacks(execute=True):
        r = seeker_client.post(reverse("resumes:list"), {"file": SimpleUploadedFile("cv.rtf", RTF_RESUME)})
    assert r.status_code == 302
    resume = Resume.objects.get()
    assert resume.status == Resume.Status.DONE and resume.content_type == RTF
    assert resume.profile["name"] == "José Martínez" and resume.profile["email"] == "jose.martinez@example.com"
    assert resume.recommendations.count() == 10
    download = seeker_client.get(reverse("resumes:file", args=[resume.public_id]))
    assert 'filename="cv.rtf"' in download["Content-Disposition"]


def test_an_older_word_document_is_refused_with_what_to_do():
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 16
    with pytest.raises(ExtractionError) as err:
        sniff_content_type(ole2, "cv.doc")
    assert err.value.code == "unsupported_type" and "save it as .docx or PDF" in err.value.message


# --- OpenDocument text ----------------------------------------------------------------------------------

ODT_BODY = (
    b"<text:h>Registered Nurse</text:h>"
    b"<text:p>Experience<draw:frame><draw:text-box><text:p>Languages: English, Spanish</text:p></draw:text-box>"
    b"</draw:frame></text:p>"
    b"<table:table><table:table-row><table:table-cell><text:p>2018-2023</text:p></table:table-cell>"
    b"<table:table-cell><text:p>Staff Nurse, <text:span>Tampa General Hospital</text:span></text:p>"
    b"</table:table-cell></table:table-row></table:table>"
    b'<text:list><text:list-item><text:p>Patient<text:s text:c="2"/>care<text:tab/>triage</text:p>'
    b"</text:list-item></text:list>"
    b"<text:p>Education</text:p><text:p>BSN, University of South Florida</text:p>"
)


def _odt_resume() -> bytes:
    from tests import hostile

    header = b"<text:p>Maria Lopez \xc2\xb7 maria.lopez@example.com \xc2\xb7 (555) 201-3344</text:p>"
    return hostile.odt(ODT_BODY, header=header, footer=b"<text:p>References on request</text:p>")


def test_an_odt_resume_is_read_in_order_with_its_header_tables_lists_and_frames():
    data = _odt_resume()
    assert sniff_content_type(data, "cv.odt") == ODT
    assert extract_text(data, ODT).splitlines() == [
        "Maria Lopez · maria.lopez@example.com · (555) 201-3344",
        "Registered Nurse",
        "Experience",
        "Languages: English, Spanish",
        "2018-2023 | Staff Nurse, Tampa General Hospital",
        "Patient care triage",
        "Education",
        "BSN, University of South Florida",
        "References on request",
    ]


def test_an_odt_upload_reaches_ten_results_with_its_name_read(
    seeker_client, corpus, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from resumes.models import Resume

    with django_capture_on_commit_callbacks(execute=True):
        r = seeker_client.post(reverse("resumes:list"), {"file": SimpleUploadedFile("cv.odt", _odt_resume())})
    assert r.status_code == 302
    resume = Resume.objects.get()
    assert resume.status == Resume.Status.DONE and resume.content_type == ODT
    assert resume.profile["name"] == "Maria Lopez" and resume.profile["email"] == "maria.lopez@example.com"
    assert resume.recommendations.count() == 10


def test_an_odt_with_an_entity_bomb_or_a_broken_body_is_refused_by_name():
    from tests import hostile

    laughs = b'<!DOCTYPE office:document-content [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    laughs += b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
    bomb = hostile.odt(b"<text:p>Jane Doe accountant &d;&d;&d;&d;&d;&d;&d;&d;&d;&d;</text:p>", doctype=laughs)
    try:
        text = extract_text(bomb, ODT)
    except ExtractionError as exc:
        assert exc.code in ("unreadable", "too_short")
    else:
        assert "lol" not in text  # entities are never expanded
    with pytest.raises(ExtractionError) as err:
        extract_text(hostile.odt(b"<text:p>unclosed"), ODT)
    assert err.value.code == "unreadable" and "OpenDocument" in err.value.message
