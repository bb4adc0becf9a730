"""Per-field precision, recall and F1 of resume understanding against DataTurks annotations."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .pipeline import Profile
from .sections import list_items

MATCH_RULE = (
    "texts are normalised (lower case, punctuation dropped, spaces folded); a prediction matches a gold span "
    "when one contains the other or their token overlap |A∩B| / max(|A|,|B|) is at least 0.5"
)
FIELDS: dict[str, tuple[str, Callable[[Profile], list[str]]]] = {
    "name": ("Name", lambda p: [p.name] if p.name else []),
    # The data set's "Email Address" spans are Indeed relay addresses ("indeed.com/r/<name>/<id>"): Indeed
    # hides the seeker's own address behind them, and where a resume shows both, the annotators marked the
    # relay. The contact compared is the profile's Indeed relay link if it has one, else its e-mail address.
    "email": (
        "Email Address",
        lambda p: [x for x in p.links if "indeed.com/r/" in x][:1] or ([p.email] if p.email else []),
    ),
    "location": ("Location", lambda p: [p.location] if p.location else []),
    "titles": ("Designation", lambda p: p.titles),
    "companies": ("Companies worked at", lambda p: p.companies),
    "institution": ("College Name", lambda p: [e.institution for e in p.education if e.institution]),
    "degree": ("Degree", lambda p: [e.degree for e in p.education if e.degree]),
    "year": ("Graduation Year", lambda p: [str(e.year) for e in p.education if e.year]),
}


def norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w@.+#]+", " ", text.lower()).replace(". ", " ").split()).strip(". ")


def matches(pred: str, gold: str) -> bool:
    a, b = norm(pred), norm(gold)
    if not a or not b:
        return False
    if a in b or b in a:
        return True
    ta, tb = set(a.split()), set(b.split())
    return len(ta & tb) / max(len(ta), len(tb)) >= 0.5


@dataclass
class Counts:
    tp_pred: int = 0
    n_pred: int = 0
    tp_gold: int = 0
    n_gold: int = 0

    def add(self, preds: list[str], golds: list[str]) -> None:
        preds = list(dict.fromkeys(norm(p) for p in preds if norm(p)))
        golds = list(dict.fromkeys(norm(g) for g in golds if norm(g)))
        self.n_pred += len(preds)
        self.n_gold += len(golds)
        self.tp_pred += sum(any(matches(p, g) for g in golds) for p in preds)
        self.tp_gold += sum(any(matches(p, g) for p in preds) for g in golds)

    @property
    def precision(self) -> float:
        return self.tp_pred / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp_gold / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    fields: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in FIELDS})
    # The same counts over the resumes whose annotators marked the field at all: the data set is partly
    # annotated (Graduation Year on 80 of 176 resumes), and a field read from a resume where nobody marked
    # it is not known to be wrong.
    annotated: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in FIELDS})
    skills_found: int = 0
    skills_gold: int = 0
    resumes: int = 0
    marked: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))


def load_dataturks(path: Path) -> list[dict[str, Any]]:
    """Records {text, gold: {label: [span text]}}; the tool's `end` is inclusive."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        obj = json.loads(line)
        text = obj["content"]
        gold: dict[str, list[str]] = {}
        for ann in obj.get("annotation") or []:
            for label in ann.get("label") or []:
                for pt in ann.get("points") or []:
                    gold.setdefault(label, []).append(text[pt["start"] : pt["end"] + 1].strip())
        out.append({"text": text, "gold": gold})
    return out


SKILL_ITEMS_RULE = (
    "annotated Skills spans are whole blocks, cut into items as the pipeline cuts a skills section "
    "(resumes.understanding.sections.list_items: line breaks, commas, semicolons, bullets, slashes, colons, "
    "'&', 'and'; headings, labels before a colon, durations and bare numbers dropped)"
)


def skill_items(spans: Iterable[str]) -> list[str]:
    """An annotated Skills span is often a whole block: split it into items (SKILL_ITEMS_RULE)."""
    return list(dict.fromkeys(item for span in spans for item, _, _ in list_items(span)))


def evaluate(records: list[dict[str, Any]], understand: Callable[[str], Profile]) -> Report:
    report = Report()
    for rec in records:
        profile = understand(rec["text"])
        report.resumes += 1
        for name, (label, get) in FIELDS.items():
            preds, golds = get(profile), rec["gold"].get(label, [])
            report.fields[name].add(preds, golds)
            if golds:
                report.annotated[name].add(preds, golds)
                report.marked[name] += 1
        found = {norm(s.name) for s in profile.skills} | {norm(s.canonical) for s in profile.skills}
        for item in skill_items(rec["gold"].get("Skills", [])):
            report.skills_gold += 1
            report.skills_found += any(matches(f, item) for f in found)
    return report


def merge(parts: list[Report]) -> Report:
    out = Report()
    for part in parts:
        out.resumes += part.resumes
        out.skills_found += part.skills_found
        out.skills_gold += part.skills_gold
        for name, n in part.marked.items():
            out.marked[name] += n
        for mine, theirs in ((out.fields, part.fields), (out.annotated, part.annotated)):
            for name, c in theirs.items():
                o = mine[name]
                o.tp_pred += c.tp_pred
                o.n_pred += c.n_pred
                o.tp_gold += c.tp_gold
                o.n_gold += c.n_gold
    return out
