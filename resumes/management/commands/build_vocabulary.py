"""Build the skills and job-title vocabularies shipped in resumes/artifacts/ from O*NET and ESCO.

Run once when the source data changes; the app reads only the shipped files.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from resumes.understanding.vocabulary import ARTIFACTS, MANUAL_SYNONYMS, normalize_label, normalize_title

VENDOR_SHORT_FORMS = {
    "excel",
    "word",
    "access",
    "outlook",
    "powerpoint",
    "project",
    "visio",
    "java",
    "teams",
    "photoshop",
    "illustrator",
    "dynamics",
    "sharepoint",
    "quickbooks",
    "autocad",
    "acrobat",
}
VENDORS = ("microsoft", "oracle", "adobe", "apple", "google", "ibm", "sap", "amazon", "autodesk", "intuit", "atlassian")
# What the rest of a product's name may say for its brand alone to name it ("Splunk Enterprise").
PRODUCT_KINDS = {
    "enterprise",
    "database",
    "orm",
    "software",
    "server",
    "cloud",
    "platform",
    "studio",
    "suite",
    "framework",
    "db",
    "ci",
    "desktop",
    "simulation",
    "analytics",
}
# A word postings write in lower case at least this often is an ordinary word ("lead", "claims", "design"),
# not a product's name nor an initialism.
ORDINARY_SHARE = 0.3
MAX_SKILL_TOKENS = 3
OCCUPATION_SKILLS = 12  # longer ESCO phrases ("manage musical staff") almost never occur verbatim in resumes


def _posting_descriptions(data: Path) -> Iterator[str]:
    """Full-text postings in the shared data (Built In AI, Adzuna UK, the LinkedIn 2024 sample)."""
    for name in ("job-postings-builtin-ai", "job-postings-adzuna-uk"):
        with gzip.open(data / name / "postings.jsonl.gz", "rt", encoding="utf-8") as fh:
            for line in fh:
                yield json.loads(line).get("description") or ""
    import pyarrow.parquet as pq

    table = pq.read_table(
        data / "linkedin-job-postings-2024-sample" / "postings_sample.parquet", columns=["description"]
    )
    yield from (d or "" for d in table.column("description").to_pylist())


def _lower_case_share(data: Path) -> dict[str, float]:
    """How often postings write a word in lower case: product names ("Splunk", "Windows") nearly
    never are, ordinary words ("database", "project") mostly are. Lower-cased keys seen at least 5 times."""
    capital: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    word = re.compile(r"(?<![\w.])[A-Za-z][A-Za-z0-9]+\b")
    for description in _posting_descriptions(data):
        for w in word.findall(description):
            (lower if w.islower() else capital)[w.lower()] += 1
    return {w: lower[w] / (n + lower[w]) for w, n in capital.items() if n + lower[w] >= 5}


def singular_too(words: set[str]) -> set[str]:
    """O*NET names its occupations in the plural ("Art Directors"): the words and their singulars."""
    return words | {w[:-1] for w in words if len(w) > 3 and w.endswith("s") and not w.endswith("ss")}


def is_ordinary_word(word: str, lower_share: dict[str, float], occupation_words: set[str]) -> bool:
    """Whether a word is an ordinary one, in capitals or not: postings mostly write it in lower case
    ("LEAD", "ARTS", "CLAIMS" are not the initialisms O*NET lists; "design" is not "think creatively"),
    or it names occupations ("Director" is not Adobe Director, "Designer" not Oracle Designer)."""
    key = word.lower()
    return lower_share.get(key, 0.0) >= ORDINARY_SHARE or key in occupation_words


def esco_alternative_kept(alt: str, preferred: str, lower_share: dict[str, float], occupation_words: set[str]) -> bool:
    """ESCO gives some skills one-word alternative labels that are ordinary words standing for something
    broader ("design" for "think creatively", "banking" for "economics", "press" for "journalism", "CALL"
    for computer-assisted language learning, "lead" for "lead others"): such a word is kept only as
    another form of a one-word preferred label ("troubleshooting" for "troubleshoot", "stats" for
    "statistics"). Tools and initialisms ("Wunderlist", "PBX") and labels of two words or more are kept."""
    key = normalize_label(alt)
    if " " in key or not is_ordinary_word(key, lower_share, occupation_words):
        return True
    words = normalize_label(preferred).split()
    return len(words) == 1 and words[0][:4] == key[:4]


def _place_words(data: Path) -> set[str]:
    """Words of the LinkedIn 2023 posting locations ("Boston", "California"), lower-cased."""
    out: set[str] = set()
    for row in _rows(data / "linkedin-job-postings-2023" / "job_postings.csv.gz"):
        out.update(w.lower() for w in re.findall(r"[A-Za-z]+", row.get("location") or ""))
    return out


def _is_initialism(acronym: str, words: list[str]) -> bool:
    """Whether the acronym's letters occur in order through the words before it:
    "XML" in "Extensible markup language", "SVN" in "Apache Subversion", "J2EE" in "Java 2 Platform
    Enterprise Edition"; the first letter must start a word or be in the first one."""
    text = " ".join(words).lower()
    letters = acronym.lower()
    if letters[0] not in words[0].lower() and not any(w.lower().startswith(letters[0]) for w in words):
        return False
    pos = 0
    for ch in letters:
        if not ch.isalnum():
            continue
        pos = text.find(ch, pos)
        if pos < 0:
            return False
        pos += 1
    return True


def _rows(path: Path) -> list[dict[str, str]]:
    with io.TextIOWrapper(gzip.open(path), encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


class Command(BaseCommand):
    help = "Write resumes/artifacts/{skills,titles}.json.gz from O*NET 29.2 and ESCO."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data", type=Path, default=settings.SHARED_DATA_DIR)

    def handle(self, *args: object, data: Path, **options: object) -> None:
        onet, esco = data / "onet-29.2", data / "esco-skills"
        skills: dict[str, str] = {}  # surface label (normalised) -> canonical name
        sources: Counter[str] = Counter()

        def add(label: str, canonical: str, source: str) -> None:
            key = normalize_label(label)
            if (
                key
                and (len(key) >= 2 or source == "manual")
                and len(key.split()) <= MAX_SKILL_TOKENS
                and key not in skills
            ):
                skills[key] = canonical
                sources[source] += 1

        for label, canonical in MANUAL_SYNONYMS.items():
            add(label, canonical, "manual")
        hot = Counter()
        first_words: Counter[str] = Counter()
        for row in _rows(onet / "technology_skills.csv.gz"):
            hot[row["Example"]] += 1
        for example in hot:
            first_words[example.split()[0].lower()] += 1
        lower_share = _lower_case_share(data)
        places = _place_words(data)
        occupation_words = singular_too(
            {w.lower() for r in _rows(onet / "occupation_data.csv.gz") for w in re.findall(r"[A-Za-z]+", r["Title"])}
        )
        exact: set[str] = set()
        proper: set[str] = set()  # short forms that name the product only when written with a capital

        def add_proper(label: str, canonical: str) -> None:
            key = normalize_label(label)
            if key not in skills:
                add(label, canonical, "onet-short")
                proper.add(key)

        listed: set[str] = set()  # products named by an ordinary word: read only where skills are listed
        for example, _ in hot.most_common():  # most widely used products first
            key = normalize_label(example)
            if " " not in key and key not in skills and is_ordinary_word(key, lower_share, occupation_words):
                listed.add(key)  # "Analyze", "REDUCE", "Route", "Act!", "Chef" (the tools of those names)
            add(example, example, "onet")
            words = example.split()
            rest = " ".join(words[1:])
            # "Microsoft Excel" is also just "Excel", but "Google Meet" is not just "Meet":
            # keep the short form only when it cannot be an ordinary word.
            if words[0].lower() in VENDORS and rest:
                if rest.lower() in VENDOR_SHORT_FORMS or (
                    (len(words) > 2 or re.search(r"[A-Z].*[A-Z]|\d", rest))
                    and not is_ordinary_word(rest, lower_share, occupation_words)  # "Adobe AIR" is not just "air"
                ):
                    add(rest, example, "onet")
                elif lower_share.get(rest.lower(), 1.0) <= 0.3 and rest.lower() not in occupation_words:
                    # "Microsoft Windows" -> "Windows"; never "Autodesk Designer" -> "Designer"
                    add_proper(rest, example)
            # A product's own brand ("Splunk Enterprise" -> "Splunk", "Teradata Database" -> "Teradata"):
            # the rest only says what kind of product it is, the brand names no more than two products,
            # postings write it as a name, and it is not a place ("Boston Software").
            brand = words[0]
            if (
                len(words) > 1
                and all(w.lower() in PRODUCT_KINDS for w in words[1:])
                and brand.lower() not in places | occupation_words
                and brand[:1].isupper()
                and brand.lower() not in VENDORS
                and first_words[brand.lower()] <= 2
                and lower_share.get(brand.lower(), 1.0) <= 0.1
                and len(brand) >= 3
            ):
                add_proper(brand, example)
            acronym = re.search(r"\b([A-Z][A-Z0-9+#]{1,5})$", example)
            if (
                acronym
                and len(words) > 1
                and _is_initialism(acronym.group(1), words[:-1])
                and not is_ordinary_word(acronym.group(1), lower_share, occupation_words)
            ):
                add(acronym.group(1), example, "onet")  # "Structured query language SQL" -> "SQL"
                exact.add(normalize_label(acronym.group(1)))  # matched in capitals only: "SQL", not "sql"
        for name in ("skills_en_partial_with_altlabels.csv.gz", "digitalSkillsCollection_en.csv.gz"):
            for row in _rows(esco / name):
                pref = row["preferredLabel"].strip()
                add(pref, pref, "esco")
                for alt in (row.get("altLabels") or "").split("\n"):
                    if esco_alternative_kept(alt.strip(), pref, lower_share, occupation_words):
                        add(alt.strip(), pref, "esco")
        for row in _rows(esco / "skills_all_labels.csv.gz"):
            add(row["preferredLabel"].strip(), row["preferredLabel"].strip(), "esco")

        occupations = {r["O*NET-SOC Code"]: r["Title"] for r in _rows(onet / "occupation_data.csv.gz")}
        # What postings without a description are taken to ask for: the occupation's hot technologies.
        occupation_skills: dict[str, list[str]] = {}
        for row in _rows(onet / "technology_skills.csv.gz"):
            if row["Hot Technology"] == "Y":
                occupation_skills.setdefault(row["O*NET-SOC Code"], []).append(row["Example"])
        occupation_skills = {
            code: sorted(dict.fromkeys(names), key=lambda n: (-hot[n], n))[:OCCUPATION_SKILLS]
            for code, names in occupation_skills.items()
        }
        titles: dict[str, str] = {}
        for code, title in occupations.items():
            titles.setdefault(normalize_title(title), code)
        for row in _rows(onet / "alternate_titles.csv.gz"):
            for t in (row["Alternate Title"], row["Short Title"]):
                if t and t != "n/a":
                    titles.setdefault(normalize_title(t), row["O*NET-SOC Code"])
        for row in _rows(onet / "sample_of_reported_titles.csv.gz"):
            titles.setdefault(normalize_title(row["Reported Job Title"]), row["O*NET-SOC Code"])
        titles.pop("", None)

        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "skills.json.gz").write_bytes(
            gzip.compress(
                json.dumps(
                    {"labels": skills, "exact": sorted(exact), "proper": sorted(proper), "listed": sorted(listed)},
                    sort_keys=True,
                ).encode(),
                mtime=0,
            )
        )
        (ARTIFACTS / "titles.json.gz").write_bytes(
            gzip.compress(
                json.dumps(
                    {"occupations": occupations, "titles": titles, "occupation_skills": occupation_skills},
                    sort_keys=True,
                ).encode(),
                mtime=0,
            )
        )
        self.stdout.write(
            f"skills: {len(skills)} labels {dict(sources)} ({len(proper)} only with a capital, {len(listed)} only "
            "where skills are listed); "
            f"titles: {len(titles)} -> {len(occupations)} occupations"
        )
