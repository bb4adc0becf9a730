"""A hostile corpus, generated on the spot (nothing large is committed): each builder returns
the bytes of one file crafted to hurt a parser, and HOSTILE lists them with the upload name
and the named state each must end in."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable

SECRET = "XXE-SECRET-7c1f9a"  # written to a local file that an external entity points at


def pdf(objects: list[bytes], *, trailer: bytes = b"", root: int = 1, xref: bool = True) -> bytes:
    """A PDF from numbered object bodies (object n is objects[n-1]) with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    start = out.tell()
    if xref:
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
        for off in offsets:
            out.write(b"%010d 00000 n \n" % off)
    size = len(objects) + 1
    out.write(b"trailer\n<</Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (size, root, trailer, start))
    return out.getvalue()


def _page_objects(n_pages: int, content: bytes) -> list[bytes]:
    """Catalog, page tree, one shared content stream, a font, then n_pages pages."""
    first_page = 5
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(n_pages))
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[" + kids + b"]/Count %d>>" % n_pages,
        b"<</Length %d>>stream\n" % len(content) + content + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    page = b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 3 0 R/Resources<</Font<</F1 4 0 R>>>>>>"
    return objects + [page] * n_pages


TEXT = b"BT /F1 12 Tf 72 720 Td (Jane Doe Senior Accountant with ten years of experience) Tj ET"


def text_pdf() -> bytes:
    return pdf(_page_objects(1, TEXT))


def many_pages_pdf(n_pages: int = 20_000) -> bytes:
    return pdf(_page_objects(n_pages, TEXT))


def flate_bomb_pdf(megabytes: int = 1536) -> bytes:
    """One page whose content stream inflates to `megabytes` of spaces (about 1000:1).

    Built in a second: one megabyte is deflated once and its byte-aligned block repeated,
    then the zlib trailer (Adler-32 of the whole) is computed, so the stream is valid."""
    chunk = b" " * (1024 * 1024)
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    z.compress(chunk)
    z.flush(zlib.Z_FULL_FLUSH)  # the first block may differ; the ones after a full flush repeat
    block = z.compress(chunk) + z.flush(zlib.Z_FULL_FLUSH)
    adler = 1
    for _ in range(megabytes):
        adler = zlib.adler32(chunk, adler)
    data = b"\x78\xda" + block * megabytes + z.flush(zlib.Z_FINISH) + adler.to_bytes(4, "big")
    objects = _page_objects(1, b"")
    objects[2] = b"<</Length %d/Filter/FlateDecode>>stream\n" % len(data) + data + b"\nendstream"
    return pdf(objects)


def xref_loop_pdf() -> bytes:
    """Two cross-reference sections whose /Prev point at each other, and no usable objects."""
    head = b"%PDF-1.4\n"
    body = b"1 0 obj\n<</Type/Catalog/Pages 1 0 R>>\nendobj\n"
    first = len(head) + len(body)
    sect_a = b"xref\n0 1\n0000000000 65535 f \ntrailer\n<</Size 2 /Root 1 0 R /Prev %010d>>\n"
    second = first + len(sect_a % 0)
    sect_b = b"xref\n0 1\n0000000000 65535 f \ntrailer\n<</Size 2 /Root 1 0 R /Prev %010d>>\n"
    return head + body + (sect_a % second) + (sect_b % first) + b"startxref\n%d\n%%%%EOF\n" % first


def encrypted_pdf() -> bytes:
    """Standard security handler (RC4 40-bit) with a user password we do not know."""
    objects = _page_objects(1, TEXT)
    objects.append(b"<</Filter/Standard/V 1/R 2/Length 40/P -44/O<" + b"4f" * 32 + b">/U<" + b"55" * 32 + b">>>")
    n = len(objects)
    return pdf(objects, trailer=b"/Encrypt %d 0 R /ID[<%s><%s>]" % (n, b"ab" * 16, b"ab" * 16))


def truncated_pdf() -> bytes:
    return text_pdf()[:120]


def garbage() -> bytes:
    import random

    rng = random.Random(7)
    return bytes(rng.randrange(256) for _ in range(64 * 1024))


def html_named_pdf() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script><h1>Jane Doe</h1></body></html>\n"


def _docx(document_xml: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    content_types = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/word/document.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        b"</Types>"
    )
    rels = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'officeDocument" Target="word/document.xml"/></Relationships>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", content_types)
        zf.writestr("_rels/.rels", rels)
        zf.writestr("word/document.xml", document_xml)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _document(body: bytes, doctype: bytes = b"") -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + doctype + b"<w:document " + W + b"><w:body>"
        b"<w:p><w:r><w:t>" + body + b"</w:t></w:r></w:p>"
        b"<w:p><w:r><w:t>Jane Doe, senior accountant, ten years of ledgers and audits.</w:t></w:r></w:p>"
        b"</w:body></w:document>"
    )


def _padded(package: bytes, member: str) -> bytes:
    """The package with one more member that inflates to 256 MB of spaces (1000:1)."""
    buf = io.BytesIO(package)
    chunk = b" " * (1024 * 1024)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as zf, zf.open(member, "w", force_zip64=True) as fh:
        for _ in range(256):
            fh.write(chunk)
    return buf.getvalue()


def docx_zip_bomb() -> bytes:
    """A part that inflates to 256 MB of spaces (1000:1) inside a valid package."""
    return _padded(_docx(_document(b"Jane")), "word/media/padding.xml")


def docx_many_entries() -> bytes:
    return _docx(_document(b"Jane"), {f"word/media/e{i}.xml": b"<a/>" for i in range(5000)})


def docx_billion_laughs() -> bytes:
    entities = b'<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)
    )
    return _docx(_document(b"&lol9;", b"<!DOCTYPE w:document [" + entities + b"]>"))


def docx_external_entity(secret_path: str) -> bytes:
    doctype = b'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://' + secret_path.encode() + b'">]>'
    return _docx(_document(b"&xxe;", doctype))


def docx_huge_text() -> bytes:
    """A small DOCX (about half a megabyte) that holds 1.9 million characters of varied words, compressed
    as ordinary text is (not a zip bomb): the red team's DOCX that took a worker to 7 GB in the language
    pipeline."""
    import random

    rng = random.Random(7)
    words = [f"{a}{b}" for a in ("ledger", "audit", "budget", "team", "client", "report") for b in range(80)]
    paragraphs, size = [], 0
    while size < 1_900_000:
        text = " ".join(rng.choice(words) for _ in range(60)).encode()
        paragraphs.append(b"<w:p><w:r><w:t>" + text + b"</w:t></w:r></w:p>")
        size += len(text)
    xml = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ' + W + b"><w:body>"
    return _docx(xml + b"".join(paragraphs) + b"</w:body></w:document>")


def text_two_megabytes() -> bytes:
    """A plain-text file just under 2 MB: under the upload limit, far over what a resume holds."""
    line = b"Experienced accountant: ledgers, audits, tax returns, payroll and reporting.\n"
    return line * (1_990_000 // len(line))


def rtf_huge() -> bytes:
    """An RTF document just under the 5 MB upload limit: 140,000 formatted paragraphs of text."""
    return b"{\\rtf1\\ansi " + b"{\\b ledger audit payroll}\\par " * 140_000 + b"}"


ODF_NS = (
    b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    b'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    b'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"'
)


def odt(body: bytes, header: bytes = b"", footer: bytes = b"", doctype: bytes = b"") -> bytes:
    """An OpenDocument text as LibreOffice writes one: the mimetype first and stored, the body in
    content.xml, the page header and footer in styles.xml."""
    content = b'<?xml version="1.0" encoding="UTF-8"?>' + doctype + b"<office:document-content " + ODF_NS
    content += b' office:version="1.3"><office:body><office:text>' + body + b"</office:text></office:body>"
    content += b"</office:document-content>"
    styles = b'<?xml version="1.0" encoding="UTF-8"?><office:document-styles ' + ODF_NS + b"><office:master-styles>"
    styles += b'<style:master-page style:name="Standard">'
    styles += b"<style:header>" + header + b"</style:header><style:footer>" + footer + b"</style:footer>"
    styles += b"</style:master-page></office:master-styles></office:document-styles>"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", content)
        zf.writestr("styles.xml", styles)
        zf.writestr("META-INF/manifest.xml", b'<?xml version="1.0"?><manifest/>')
    return buf.getvalue()


def odt_zip_bomb() -> bytes:
    """An ODT whose picture inflates to 256 MB of spaces (1000:1) beside a valid text."""
    return _padded(odt(b"<text:p>Jane</text:p>"), "Pictures/padding.xml")


def pdf_named_docx() -> bytes:
    return text_pdf()


# (builder, upload name, final state: a failure code, or "done")
HOSTILE: dict[str, tuple[Callable[[], bytes], str, str]] = {
    "flate-bomb": (flate_bomb_pdf, "cv.pdf", "too_complex"),
    "docx-zip-bomb": (docx_zip_bomb, "cv.docx", "too_large"),
    "docx-many-entries": (docx_many_entries, "cv.docx", "too_complex"),
    "billion-laughs": (docx_billion_laughs, "cv.docx", "unreadable"),
    "xref-loop": (xref_loop_pdf, "cv.pdf", "unreadable"),
    "20000-pages": (many_pages_pdf, "cv.pdf", "too_large"),
    "encrypted": (encrypted_pdf, "cv.pdf", "encrypted"),
    "truncated": (truncated_pdf, "cv.pdf", "unreadable"),
    "garbage": (garbage, "cv.pdf", "unsupported_type"),
    "html-named-pdf": (html_named_pdf, "cv.pdf", "unsupported_type"),
    "pdf-named-docx": (pdf_named_docx, "cv.docx", "unsupported_type"),
    "docx-huge-text": (docx_huge_text, "cv.docx", "too_large"),
    "text-2mb": (text_two_megabytes, "cv.txt", "too_large"),
    "rtf-huge": (rtf_huge, "cv.rtf", "too_large"),
    "odt-zip-bomb": (odt_zip_bomb, "cv.odt", "too_large"),
}
