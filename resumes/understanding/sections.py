"""Resume sections from their header lines."""

from __future__ import annotations

import re

HEADERS = {
    "summary": [
        "summary",
        "professional summary",
        "profile",
        "professional profile",
        "objective",
        "career objective",
        "about me",
        "executive profile",
        "career overview",
        "executive summary",
        "qualifications summary",
        "summary of qualifications",
        "personal statement",
        "overview",
    ],
    "experience": [
        "experience",
        "work experience",
        "professional experience",
        "employment history",
        "work history",
        "career history",
        "relevant experience",
        "employment",
        "professional background",
        "experience details",
        "internship",
        "internships",
    ],
    "education": [
        "education",
        "education and training",
        "academic background",
        "academic qualifications",
        "educational background",
        "educational qualifications",
        "qualifications",
        "academic details",
        "education details",
        "training",
    ],
    "skills": [
        "skills",
        "technical skills",
        "key skills",
        "core competencies",
        "competencies",
        "areas of expertise",
        "skill highlights",
        "highlights",
        "expertise",
        "skills summary",
        "it skills",
        "computer skills",
        "additional skills",
        "core qualifications",
        "technical proficiencies",
        "software skills",
    ],
    "other": [
        "certifications",
        "certification",
        "certificates",
        "accomplishments",
        "achievements",
        "awards",
        "interests",
        "hobbies",
        "languages",
        "projects",
        "additional information",
        "activities",
        "publications",
        "affiliations",
        "references",
        "volunteer experience",
        "volunteer",
        "personal details",
        "personal information",
        "professional affiliations",
        "honors",
        "licenses",
        "presentations",
    ],
}
_LOOKUP = {h: name for name, hs in HEADERS.items() for h in hs}
_CLEAN = re.compile(r"[^a-z ]+")


def header_of(line: str) -> str | None:
    words = _CLEAN.sub(" ", line.lower().replace("&", " and ")).split()
    if not words or len(words) > 5:
        return None
    return _LOOKUP.get(" ".join(words))


def find_sections(text: str) -> dict[str, list[int]]:
    """{section: [start, end]} in character offsets; a repeated section keeps its first span."""
    starts: list[tuple[int, str]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        name = header_of(line.strip())
        if name:
            starts.append((pos, name))
        pos += len(line)
    out: dict[str, list[int]] = {}
    for i, (start, name) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        out.setdefault(name, [start, end])
    return out


_DURATION = re.compile(r"\((?:less than\s+)?\d*\s*(?:\+\s*)?years?\)", re.I)
_ITEM_SEPARATORS = re.compile(r"[,;•◦|/:]|\.\s|&amp;|&|\band\b")
_ITEM_STRIP = " -*.\t•◦"


def list_items(text: str) -> list[tuple[str, int, int]]:
    """The items of a listed block ("Operating Systems: Linux, Windows\n• Team player") with their
    offsets: lines are cut at commas, semicolons, bullets, slashes, colons, '&' and 'and'; headings,
    category labels before a colon, durations ("(3 years)") and bare numbers are not items; an item
    has at most four words."""
    text = _DURATION.sub(lambda m: " " * len(m.group(0)), text)
    out = []
    pos = 0
    for line in text.splitlines(keepends=True):
        start, body = pos, line
        pos += len(line)
        if header_of(body.strip(_ITEM_STRIP + "\n")):
            continue
        if ":" in body:  # "Operating Systems: Linux, Windows": the items follow the label
            cut = body.index(":") + 1
            start, body = start + cut, body[cut:]
        last = 0
        for sep in [*_ITEM_SEPARATORS.finditer(body), None]:
            end = sep.start() if sep else len(body)
            piece = body[last:end]
            last = sep.end() if sep else len(body)
            item = piece.strip(_ITEM_STRIP + "\n\r")
            if not item or not 1 <= len(item.split()) <= 4 or not re.search(r"[^\W\d]", item) or header_of(item):
                continue
            offset = start + (end - len(piece)) + piece.index(item)
            out.append((item, offset, offset + len(item)))
    return out
