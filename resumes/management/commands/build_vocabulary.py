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
MAX_SKILL_TOKENS = 3  # longer ESCO phrases ("manage musical staff") almost never occur verbatim in resumes


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
        for row in _rows(onet / "technology_skills.csv.gz"):
            hot[row["Example"]] += 1
        exact: set[str] = set()
        for example, _ in hot.most_common():  # most widely used products first
            add(example, example, "onet")
            words = example.split()
            rest = " ".join(words[1:])
            # "Microsoft Excel" is also just "Excel", but "Google Meet" is not just "Meet":
            # keep the short form only when it cannot be an ordinary word.
            if (
                words[0].lower() in VENDORS
                and rest
                and (len(words) > 2 or re.search(r"[A-Z].*[A-Z]|\d", rest) or rest.lower() in VENDOR_SHORT_FORMS)
            ):
                add(rest, example, "onet")
            acronym = re.search(r"\b([A-Z][A-Z0-9+#]{1,5})$", example)
            initials = "".join(w[0] for w in words[:-1] if w[:1].isalpha()).upper()
            if acronym and len(words) > 1 and initials.endswith(acronym.group(1)[:2]):
                add(acronym.group(1), example, "onet")  # "Structured query language SQL" -> "SQL"
                exact.add(normalize_label(acronym.group(1)))  # matched in capitals only: "SQL", not "sql"
        for name in ("skills_en_partial_with_altlabels.csv.gz", "digitalSkillsCollection_en.csv.gz"):
            for row in _rows(esco / name):
                pref = row["preferredLabel"].strip()
                add(pref, pref, "esco")
                for alt in (row.get("altLabels") or "").split("\n"):
                    add(alt.strip(), pref, "esco")
        for row in _rows(esco / "skills_all_labels.csv.gz"):
            add(row["preferredLabel"].strip(), row["preferredLabel"].strip(), "esco")

        occupations = {r["O*NET-SOC Code"]: r["Title"] for r in _rows(onet / "occupation_data.csv.gz")}
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
            gzip.compress(json.dumps({"labels": skills, "exact": sorted(exact)}, sort_keys=True).encode(), mtime=0)
        )
        (ARTIFACTS / "titles.json.gz").write_bytes(
            gzip.compress(json.dumps({"occupations": occupations, "titles": titles}, sort_keys=True).encode(), mtime=0)
        )
        self.stdout.write(
            f"skills: {len(skills)} labels {dict(sources)}; titles: {len(titles)} -> {len(occupations)} occupations"
        )
