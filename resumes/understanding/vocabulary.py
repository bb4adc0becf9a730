"""Shared vocabularies: canonical skills (O*NET technology skills + ESCO) and O*NET job titles.

Resumes and postings are read against the same vocabularies so both sides speak one
language. The files in resumes/artifacts/ are built by `manage.py build_vocabulary`.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"

# Spellings no source lists but resumes use; canonical names follow O*NET where it has one.
MANUAL_SYNONYMS = {
    "js": "JavaScript",
    "javascript": "JavaScript",
    "java script": "JavaScript",
    "ecmascript": "JavaScript",
    "ts": "TypeScript",
    "typescript": "TypeScript",
    "node": "Node.js",
    "nodejs": "Node.js",
    "node.js": "Node.js",
    "react": "React",
    "reactjs": "React",
    "react.js": "React",
    "angularjs": "AngularJS",
    "vue": "Vue.js",
    "py": "Python",
    "python": "Python",
    "golang": "Go",
    "c#": "C#",
    "c++": "C++",
    "cpp": "C++",
    "postgres": "PostgreSQL",
    "postgresql": "PostgreSQL",
    "mysql": "MySQL",
    "mongodb": "MongoDB",
    "mongo": "MongoDB",
    "k8s": "Kubernetes",
    "kubernetes": "Kubernetes",
    "docker": "Docker",
    "aws": "Amazon Web Services AWS",
    "gcp": "Google Cloud Platform",
    "azure": "Microsoft Azure",
    "ms excel": "Microsoft Excel",
    "excel": "Microsoft Excel",
    "ms word": "Microsoft Word",
    "ms office": "Microsoft Office",
    "ms outlook": "Microsoft Outlook",
    "powerpoint": "Microsoft PowerPoint",
    "ms powerpoint": "Microsoft PowerPoint",
    "quickbooks": "Intuit QuickBooks",
    "sql": "Structured query language SQL",
    "html5": "Hypertext markup language HTML",
    "html": "Hypertext markup language HTML",
    "css": "Cascading style sheets CSS",
    "ml": "Machine learning",
    "machine learning": "Machine learning",
    "nlp": "Natural language processing",
    "git": "Git",
    "github": "GitHub",
    "jira": "Atlassian JIRA",
    "tableau": "Tableau",
    "power bi": "Microsoft Power BI",
    "sap": "SAP",
    "c": "C",
    "r": "R",
    "ui": "User interface design",
    "ux": "User experience design",
    "selenium": "Selenium",
    "linux": "Linux",
    "unix": "UNIX",
    "oracle": "Oracle Database",
    "php": "PHP",
    "manual testing": "Software testing",
    "testing": "Software testing",
    "database": "Database management",
    "data structures": "Data structures",
    "ms sql": "Microsoft SQL Server",
    "sql server": "Microsoft SQL Server",
    "salesforce": "Salesforce software",
    "photoshop": "Adobe Photoshop",
    "autocad": "Autodesk AutoCAD",
    # Ordinary words ESCO gives as another name of a broader skill are not read as it (build_vocabulary),
    # except these, which resumes use as the skill's own name.
    "hr": "human resource management",
    "bookkeeping": "accounting",
    "pandas": "pandas",  # the Python library, though postings write "pandas" in lower case a third of the time
}

_SENIORITY = {
    "senior",
    "sr",
    "junior",
    "jr",
    "lead",
    "principal",
    "chief",
    "head",
    "i",
    "ii",
    "iii",
    "iv",
    "entry",
    "level",
    "trainee",
    "associate",
    "staff",
    "intern",
    "assistant",
}
_PUNCT = re.compile(r"[^\w+#./ ]+")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().strip()


def normalize_label(text: str) -> str:
    """How a skill label is compared: case and spacing folded, outer punctuation dropped."""
    return " ".join(_PUNCT.sub(" ", _fold(text)).split()).strip("./ ")


def normalize_title(text: str) -> str:
    text = re.sub(r"\(.*?\)", " ", _fold(text))
    return " ".join(_PUNCT.sub(" ", text).replace("/", " ").split()).strip("./ ")


# Canonical names that O*NET gives twice, one with a generic word added: shown as one, so a person never
# sees "SAP" and "SAP software" as two skills. (Display only: matching reads the vocabulary as built.)
SAME_SKILL = {"SAP software": "SAP"}


def one_name(skill: str) -> str:
    return SAME_SKILL.get(skill, skill)


def shown_once(skills: Any) -> list[str]:
    """Skill names as a person reads them: each once, under one name."""
    return [name for name in dict.fromkeys(one_name(s) for s in skills or ()) if name]


@lru_cache(maxsize=1)
def _skills_file() -> dict[str, Any]:
    return json.loads(gzip.decompress((ARTIFACTS / "skills.json.gz").read_bytes()))  # type: ignore[no-any-return]


def skills_vocabulary() -> dict[str, str]:
    """Normalised surface label -> canonical skill name."""
    return _skills_file()["labels"]  # type: ignore[no-any-return]


def exact_case_labels() -> frozenset[str]:
    """Acronyms that count only in capitals ("SQL", "TAX" is not a skill)."""
    return frozenset(_skills_file()["exact"])


@lru_cache(maxsize=1)
def vocabulary_version() -> str:
    """Changes whenever the shipped vocabularies change: postings read with an older one are read again."""
    import hashlib

    h = hashlib.sha256()
    for name in ("skills.json.gz", "titles.json.gz"):
        h.update((ARTIFACTS / name).read_bytes())
    return h.hexdigest()[:16]


def occupation_skills(code: str) -> list[str]:
    """The technologies O*NET lists as in wide use ("hot") in an occupation, most widespread first."""
    return list(_titles_file().get("occupation_skills", {}).get(code, ()))


def proper_case_labels() -> frozenset[str]:
    """Short forms that name a product only when written with a capital ("Windows", "Splunk")."""
    return frozenset(_skills_file().get("proper", ()))


def listed_labels() -> frozenset[str]:
    """Products named by an ordinary word ("Analyze", "Route", "Chef"): read only where skills are listed."""
    return frozenset(_skills_file().get("listed", ()))


def canonical_skill(text: str) -> str | None:
    """The canonical name of a skill as written, under the same case rules as matching in text: an
    initialism known only in capitals ("EPIC", an erosion model) is not "Epic" (the health-records
    product), so a written form that breaks the rule has no canonical name."""
    text = text.strip()
    key = normalize_label(text)
    if key in exact_case_labels() and not text.isupper():
        return None
    if key in proper_case_labels() and not text[:1].isupper():
        return None
    return skills_vocabulary().get(key)


@lru_cache(maxsize=1)
def _titles_file() -> dict[str, Any]:
    return json.loads(gzip.decompress((ARTIFACTS / "titles.json.gz").read_bytes()))  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def _titles() -> tuple[dict[str, str], dict[str, str], dict[str, list[str]]]:
    data = _titles_file()
    by_head: dict[str, list[str]] = {}
    for title in data["titles"]:
        words = title.split()
        if words:
            by_head.setdefault(words[-1], []).append(title)
    return data["occupations"], data["titles"], by_head


@dataclass(frozen=True)
class Occupation:
    code: str
    title: str


_TITLE_PARTS = re.compile(r"\s+[-–—|/]\s+|[,:;|]\s*|\s+\(|\)\s*")
_TITLE_NOISE = re.compile(
    r"\b(?:\d+(?:st|nd|rd|th)?|shift|full[- ]time|part[- ]time|remote|hybrid|on[- ]site|"
    r"prn|per diem|days?|nights?|weekends?|hiring|immediately|needed|now|urgent|temp|contract)\b",
    re.I,
)


def occupation_for_title(title: str) -> Occupation | None:
    """Map a job title to an O*NET occupation; posting titles are tried whole, then part by part
    ("Shipping & Receiving Associate 2nd shift (Beaver Dam)" -> "Shipping & Receiving Associate")."""
    occ = _occupation_for_phrase(title)
    if occ is not None:
        return occ
    for part in _TITLE_PARTS.split(title):
        part = _TITLE_NOISE.sub(" ", part)
        if len(part.split()) >= 1 and (occ := _occupation_for_phrase(part)) is not None:
            return occ
    return None


def _occupation_for_phrase(title: str) -> Occupation | None:
    """Map a job title to an O*NET occupation through the alternate titles.

    Exact match first (with and without seniority words); else the alternate title
    sharing the head noun with the largest word overlap.
    """
    occupations, titles, by_head = _titles()
    norm = normalize_title(title)
    if not norm:
        return None
    core = " ".join(w for w in norm.split() if w not in _SENIORITY) or norm
    for key in (norm, core):
        if key in titles:
            code = titles[key]
            return Occupation(code, occupations.get(code, key))
    words = core.split()
    best, best_score = None, 0.0
    for candidate in by_head.get(words[-1], []):
        cw = set(candidate.split())
        score = len(cw & set(words)) / len(cw | set(words))
        if score > best_score:
            best, best_score = candidate, score
    if best is None or best_score < 0.5:
        return None
    code = titles[best]
    return Occupation(code, occupations.get(code, best))


def occupation_name(code: str) -> str:
    """An O*NET-SOC occupation's title ("" for an unknown code)."""
    return _titles()[0].get(code, "")


def occupations_for_titles(titles: list[str]) -> list[dict[str, str]]:
    """The distinct O*NET occupations of a list of titles, in order, as {code, title}."""
    out: list[dict[str, str]] = []
    for t in titles:
        occ = occupation_for_title(t)
        if occ and occ.code not in {o["code"] for o in out}:
            out.append({"code": occ.code, "title": occ.title})
    return out


def is_known_title(text: str, *, loose: bool = False) -> bool:
    """Whether text is an O*NET title; `loose` also accepts any short phrase ending in a title's head noun."""
    _, titles, by_head = _titles()
    norm = normalize_title(text)
    if norm in titles or " ".join(w for w in norm.split() if w not in _SENIORITY) in titles:
        return True
    words = norm.split()
    return loose and 2 <= len(words) <= 6 and words[-1] in by_head and len(by_head[words[-1]]) >= 5


GENERIC_HEAD_TITLES = 50  # a word that heads this many O*NET titles names an occupation on its own


def is_title_head(word: str) -> bool:
    """Whether one word is itself a generic occupation ("Consultant", "Coordinator"): the head noun of
    many O*NET titles. A headline of that one word is a title; a section header is not."""
    _, _, by_head = _titles()
    norm = normalize_title(word)
    return len(norm.split()) == 1 and len(by_head.get(norm, [])) >= GENERIC_HEAD_TITLES
