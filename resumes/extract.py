"""Resume files: sniff the type from the bytes, then extract plain text.

Every failure is an ExtractionError with a code the user sees explained, never a crash.
"""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import Any

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TXT = "text/plain"
RTF = "application/rtf"
ODT = "application/vnd.oasis.opendocument.text"
MAX_PDF_PAGES = 50  # resumes run to a few pages; more is not a resume, and costs worker time
# A DOCX is a zip: its declared sizes are checked before anything is inflated.
MAX_DOCX_ENTRIES = 1000
MAX_DOCX_UNCOMPRESSED = 64 * 1024 * 1024
MAX_DOCX_RATIO = 200  # inflated / compressed, for entries over 1 MB inflated (text XML runs 5-20)
# The most text a resume may hold: about three times the longest of the 2,484 Kaggle resumes (35,119
# characters). Understanding costs memory with the length (a 1.9-million-character text took a worker to
# 7 GB), so the text is refused here, in the sandbox, before the language pipeline sees it.
MAX_TEXT_CHARS = 100_000
MIN_WORDS = 5


@dataclass
class ExtractionError(Exception):
    # unsupported_type | empty | encrypted | unreadable | no_text | too_short | too_large | too_complex | timeout
    code: str
    message: str

    def __str__(self) -> str:
        return self.message


UNSUPPORTED = "We accept PDF, Word (.docx), OpenDocument (.odt), RTF or plain-text resumes; this file is none of these."
OLD_WORD = (
    "This is an older Word document (.doc), which we cannot read. Open it in Word or LibreOffice, save it as "
    ".docx or PDF, and upload that."
)
TOO_COMPLEX = "The file is too complex to read safely. Export it again (for example with Save as PDF) and retry."
_EXTENSIONS = {".pdf": PDF, ".docx": DOCX, ".txt": TXT, ".rtf": RTF, ".odt": ODT}
_NAMES = {
    PDF: "a PDF",
    DOCX: "a Word document",
    TXT: "plain text",
    RTF: "an RTF document",
    ODT: "an OpenDocument text",
}
_PAGE_TAGS = rb"!doctype\s+html|html|head|body|script|iframe|svg"
# A web page: one of these tags first (after comments), or markup anywhere in the first kilobyte (a resume's
# text has none).
_HTML = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:" + _PAGE_TAGS + rb")\b", re.I | re.S)
_MARKUP = re.compile(rb"<(?:" + _PAGE_TAGS + rb"|object|embed)\b", re.I)


def sniff_content_type(data: bytes, name: str | None = None) -> str:
    """The type the bytes say they are: PDF, DOCX, ODT, RTF or plain text. The name never decides the type;
    a name whose extension claims another of these types is refused (a PDF named .docx, HTML named .pdf)."""
    content_type = _sniff(data)
    ext = "." + name.rsplit(".", 1)[-1].lower() if name and "." in name else ""
    claimed = _EXTENSIONS.get(ext)
    if claimed is not None and claimed != content_type:
        raise ExtractionError(
            "unsupported_type",
            f"The file is named {ext} but its content is {_NAMES[content_type]}. "
            "Save it again in the format its name says, or rename it, and retry.",
        )
    return content_type


def _sniff(data: bytes) -> str:
    if not data:
        raise ExtractionError("empty", "The file is empty.")
    if data[:1024].lstrip(b"\xef\xbb\xbf\r\n\t ").startswith(b"%PDF-"):
        return PDF
    if data[:1024].lstrip(b"\xef\xbb\xbf\r\n\t ").startswith(b"{\\rtf"):
        return RTF
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # an OLE2 compound file: Word 97-2003
        raise ExtractionError("unsupported_type", OLD_WORD)
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile:
            raise ExtractionError("unreadable", "The file looks like a Word document but is damaged.") from None
        if "word/document.xml" in names:
            return DOCX
        if "content.xml" in names and _zip_member(data, "mimetype").strip() == ODT.encode():
            return ODT
        raise ExtractionError("unsupported_type", UNSUPPORTED)
    head = data[:4096].replace(b"\x00", b"").lstrip(b"\xef\xbb\xbf\xff\xfe")
    if _HTML.match(head) or _MARKUP.search(head[:1024]):
        raise ExtractionError("unsupported_type", "This is a web page (HTML), not a resume file. " + UNSUPPORTED)
    if decode_text(data, strict=False) is not None:
        return TXT
    raise ExtractionError("unsupported_type", UNSUPPORTED)


_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


WESTERN = ("cp1252", "latin_1", "iso8859_15")


def _looks_like_text(text: str) -> bool:
    if not text.strip():
        return False
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t\f")
    return controls / len(text) < 0.01


def decode_text(data: bytes, *, strict: bool = True) -> str | None:
    """Decode a plain-text file: BOM first, then UTF-8, then charset detection."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                break
            return text if _looks_like_text(text) else None
    if b"\x00" in data[:4096]:
        # NULs without a BOM: UTF-16 without a BOM, or binary. Try UTF-16 by the NUL positions.
        even, odd = data[0:4096:2].count(0), data[1:4096:2].count(0)
        encoding = "utf-16-le" if odd > even else "utf-16-be"
        try:
            text = data.decode(encoding)
            return text if _looks_like_text(text) else None
        except UnicodeDecodeError:
            return None
    try:
        text = data.decode("utf-8")
        return text if _looks_like_text(text) else None
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        return None
    best = matches[0]
    # Short Western text is ambiguous between single-byte code pages; prefer Windows-1252
    # (what Word and most résumé tools write) when it reads as cleanly as the top guess.
    for m in matches:
        if m.encoding in WESTERN and m.percent_chaos <= best.percent_chaos + 0.5:
            best = m
            break
    text = str(best)
    return text if _looks_like_text(text) else None


def _pdf_text(data: bytes) -> str:
    from pdfminer.high_level import extract_text
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    try:
        pages = _pdf_page_count(data)
        if pages > MAX_PDF_PAGES:
            raise ExtractionError(
                "too_large",
                f"The PDF has {pages:,} pages; the limit for a resume is {MAX_PDF_PAGES}. "
                "Upload only the pages of your resume.",
            )
        return extract_text(io.BytesIO(data), maxpages=MAX_PDF_PAGES)
    except ExtractionError:
        raise
    except MemoryError:
        raise ExtractionError("too_complex", TOO_COMPLEX) from None
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise ExtractionError(
            "encrypted", "The PDF is password-protected. Remove the password and upload it again."
        ) from None
    except (
        PDFSyntaxError,
        PSException,
        ValueError,
        KeyError,
        TypeError,
        AssertionError,
        IndexError,
        AttributeError,
        RecursionError,
    ):
        raise ExtractionError(
            "unreadable", "The PDF is damaged and cannot be read. Export it again and retry."
        ) from None
    except Exception as exc:  # pdfminer raises many private error types on damaged files
        if "encrypt" in str(exc).lower() or "password" in str(exc).lower():
            raise ExtractionError(
                "encrypted", "The PDF is password-protected. Remove the password and upload it again."
            ) from None
        raise ExtractionError(
            "unreadable", "The PDF is damaged and cannot be read. Export it again and retry."
        ) from None


def _pdf_page_count(data: bytes) -> int:
    """The page count the document's page tree declares (read without walking the pages)."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    document = PDFDocument(PDFParser(io.BytesIO(data)))
    pages = resolve1(document.catalog.get("Pages"))
    count = resolve1(pages.get("Count")) if isinstance(pages, dict) else 0
    return count if isinstance(count, int) else 0


def _zip_member(data: bytes, name: str, limit: int = 256) -> bytes:
    """The first `limit` bytes of one member of a zip (b"" when it has none)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf, zf.open(name) as member:
            return member.read(limit)
    except (KeyError, zipfile.BadZipFile, ValueError, OSError, RuntimeError):
        return b""


def check_docx_package(data: bytes, kind: str = "Word document") -> None:
    """Refuse a zip bomb by what the archive declares, before anything is inflated (a DOCX, an ODT)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ExtractionError("unreadable", f"The {kind} is damaged and cannot be read.") from None
    if len(infos) > MAX_DOCX_ENTRIES:
        raise ExtractionError("too_complex", f"The {kind} has {len(infos):,} parts; {TOO_COMPLEX}")
    total = sum(i.file_size for i in infos)
    if total > MAX_DOCX_UNCOMPRESSED:
        raise ExtractionError(
            "too_large",
            f"The {kind} unpacks to {total // (1024 * 1024):,} MB; "
            f"the limit is {MAX_DOCX_UNCOMPRESSED // (1024 * 1024)} MB. Remove large images and retry.",
        )
    for i in infos:
        if i.file_size > 1024 * 1024 and i.file_size > MAX_DOCX_RATIO * max(i.compress_size, 1):
            raise ExtractionError("too_complex", TOO_COMPLEX)


def _docx_text(data: bytes) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    check_docx_package(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except MemoryError:
        raise ExtractionError("too_complex", TOO_COMPLEX) from None
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError):
        raise ExtractionError("unreadable", "The Word document is damaged and cannot be read.") from None
    except Exception:  # lxml errors on malformed XML parts
        raise ExtractionError("unreadable", "The Word document is damaged and cannot be read.") from None
    # Headers first (templates put the name and contacts there), then the body in reading order with
    # tables and text boxes where they stand, then footers; a header or footer repeated by several
    # sections is read once.
    lines: list[str] = []
    seen: set[str] = set()
    _once(document, ("first_page_header", "header", "even_page_header"), lines, seen)
    lines += _docx_lines(document.iter_inner_content())
    _once(document, ("first_page_footer", "footer", "even_page_footer"), lines, seen)
    return "\n".join(lines)


def _once(document: Any, parts: tuple[str, ...], lines: list[str], seen: set[str]) -> None:
    for part in parts:
        areas = [getattr(section, part) for section in document.sections]
        # A header linked to the previous section's has none of its own (reading it would add an empty one).
        _add_once([_docx_lines(a.iter_inner_content()) for a in areas if not a.is_linked_to_previous], lines, seen)


def _add_once(blocks: list[list[str]], lines: list[str], seen: set[str]) -> None:
    """Add each block of lines (a header, a footer) unless the same text was added already."""
    for block in blocks:
        text = "\n".join(block).strip()
        if text and text not in seen:
            seen.add(text)
            lines += block


_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _docx_lines(blocks: Any) -> list[str]:
    """The lines of paragraphs and tables in document order; a table's row is one line of its cells."""
    from docx.oxml.ns import qn
    from docx.table import Table

    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:
                    if cell.text not in cells:  # merged cells repeat their text
                        cells.append(cell.text)
                lines.append(" | ".join(cells))
            continue
        lines.append(block.text)
        # Text boxes anchored in the paragraph; Word writes each twice (a drawing and its VML fallback).
        for box in block._p.iter(qn("w:txbxContent")):
            if any(a.tag == _MC_FALLBACK for a in box.iterancestors()):
                continue
            for para in box.iter(qn("w:p")):
                lines.append("".join(t.text or "" for t in para.iter(qn("w:t"))))
    return lines


_ODF = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
}


def _odf(tag: str) -> str:
    prefix, name = tag.split(":")
    return f"{{{_ODF[prefix]}}}{name}"


def _odt_text(data: bytes) -> str:
    """An OpenDocument text in reading order, as a DOCX is read: the page headers (in styles.xml), the body
    with tables where they stand and frames' text after their paragraph, the footers. Parsed by lxml with
    entities never resolved and no network, as python-docx parses a DOCX."""
    from lxml import etree

    check_docx_package(data, "OpenDocument text")
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    damaged = ExtractionError("unreadable", "The OpenDocument text is damaged and cannot be read.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            content = etree.fromstring(zf.read("content.xml"), parser)
            styles = etree.fromstring(zf.read("styles.xml"), parser) if "styles.xml" in zf.namelist() else None
    except MemoryError:
        raise ExtractionError("too_complex", TOO_COMPLEX) from None
    except (KeyError, zipfile.BadZipFile, ValueError, OSError, RuntimeError, etree.XMLSyntaxError):
        raise damaged from None
    body = content.find(f"{_odf('office:body')}/{_odf('office:text')}")
    if body is None:
        raise damaged
    pages = [] if styles is None else list(styles.iter(_odf("style:master-page")))
    lines: list[str] = []
    seen: set[str] = set()
    for area in ("style:header-first", "style:header", "style:header-left"):
        _add_once([_odf_lines(header) for page in pages for header in page.iter(_odf(area))], lines, seen)
    lines += _odf_lines(body)
    for area in ("style:footer-first", "style:footer", "style:footer-left"):
        _add_once([_odf_lines(footer) for page in pages for footer in page.iter(_odf(area))], lines, seen)
    return "\n".join(lines)


_ODF_PARAGRAPHS = {_odf("text:p"), _odf("text:h")}
_ODF_CONTAINERS = {
    _odf(t)
    for t in (
        "text:list",
        "text:list-item",
        "text:list-header",
        "text:section",
        "table:table-header-rows",
        "table:table-rows",
        "table:table-row-group",
        "text:index-body",
    )
}


def _odf_lines(element: Any) -> list[str]:
    lines: list[str] = []
    for child in element:
        if child.tag in _ODF_PARAGRAPHS:
            lines.append(_odf_paragraph(child))
            for box in child.iter(_odf("draw:text-box")):  # a frame's text, after the paragraph it sits in
                lines += _odf_lines(box)
        elif child.tag == _odf("table:table"):
            for row in child.iter(_odf("table:table-row")):
                cells = ["\n".join(_odf_lines(cell)).strip() for cell in row if cell.tag == _odf("table:table-cell")]
                lines.append(" | ".join(dict.fromkeys(c for c in cells if c)))
        elif child.tag in _ODF_CONTAINERS:
            lines += _odf_lines(child)
    return lines


def _odf_paragraph(p: Any) -> str:
    """A paragraph's text: spans and links read through, text:s as its count of spaces, tabs and line
    breaks as themselves; frames and notes left to their own lines."""
    out: list[str] = [p.text or ""]
    for child in p:
        if child.tag == _odf("text:s"):
            count = child.get(_odf("text:c"), "1")
            out.append(" " * min(int(count) if count.isdigit() else 1, 100))
        elif child.tag == _odf("text:tab"):
            out.append("\t")
        elif child.tag == _odf("text:line-break"):
            out.append("\n")
        elif child.tag not in (_odf("draw:frame"), _odf("text:note")):
            out.append(_odf_paragraph(child))
        out.append(child.tail or "")
    return "".join(out)


def _rtf_text(data: bytes) -> str:
    """An RTF document's text: control words and groups (fonts, colours, pictures) removed, \\'xx escapes read
    in Windows-1252 and \\u escapes as Unicode. RTF itself is 7-bit text, so Latin-1 reads every byte."""
    from striprtf.striprtf import rtf_to_text

    try:
        return rtf_to_text(data.decode("latin-1"), encoding="cp1252", errors="replace")
    except (ValueError, IndexError, LookupError):
        raise ExtractionError("unreadable", "The RTF document is damaged and cannot be read.") from None


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b]+")
_BLANK_LINES = re.compile(r"\n{3,}")


# UTF-8 read as Windows-1252 somewhere upstream (common in resume-builder PDFs).
_MOJIBAKE = {
    "ï¼\u200b": "-",
    "ï¼": "-",
    "â—\u200b": "•",
    "â—": "•",
    "â€™": "'",
    "â€œ": '"',
    "â€\u009d": '"',
    "â€“": "–",
    "â€”": "—",
    "Â ": " ",
}


def normalize_text(text: str) -> str:
    for bad, good in _MOJIBAKE.items():
        text = text.replace(bad, good)
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def extract_text(data: bytes, content_type: str) -> str:
    if content_type == PDF:
        raw = _pdf_text(data)
    elif content_type == DOCX:
        raw = _docx_text(data)
    elif content_type == RTF:
        raw = _rtf_text(data)
    elif content_type == ODT:
        raw = _odt_text(data)
    elif content_type == TXT:
        decoded = decode_text(data)
        if decoded is None:
            raise ExtractionError("unreadable", "The text file's encoding could not be recognised. Save it as UTF-8.")
        raw = decoded
    else:
        raise ExtractionError("unsupported_type", UNSUPPORTED)
    text = normalize_text(raw)
    if len(text) > MAX_TEXT_CHARS:
        raise ExtractionError(
            "too_large",
            f"The file holds {len(text):,} characters of text; the limit for a resume is {MAX_TEXT_CHARS:,} "
            "(about 30 pages). Upload the resume on its own.",
        )
    words = len(text.split())
    if words == 0:
        raise ExtractionError(
            "no_text", "No text was found in the file. If it is a scanned image, upload a version with selectable text."
        )
    if words < MIN_WORDS:
        raise ExtractionError(
            "too_short",
            f"The file holds only {words} word{'s' if words != 1 else ''}; a resume needs more to be matched. "
            "Upload your full resume.",
        )
    return text
