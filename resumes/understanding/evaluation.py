"""Per-field precision, recall and F1 of resume understanding against DataTurks annotations."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .pipeline import Profile

MATCH_RULE = (
    "texts are normalised (lower case, punctuation dropped, spaces folded); a prediction matches a gold span "
    "when one contains the other or their token overlap |A∩B| / max(|A|,|B|) is at least 0.5"
)
FIELDS: dict[str, tuple[str, Callable[[Profile], list[str]]]] = {
    "name": ("Name", lambda p: [p.name] if p.name else []),
    # The data set's "Email Address" spans are Indeed relay addresses ("indeed.com/r/<name>/<id>"), the
    # contact the resume gives; a found e-mail address or Indeed relay link counts as the contact.
    "email": ("Email Address", lambda p: [p.email] if p.email else [x for x in p.links if "indeed.com/r/" in x][:1]),
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
    skills_found: int = 0
    skills_gold: int = 0
    resumes: int = 0


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


def skill_items(spans: Iterable[str]) -> list[str]:
    """An annotated Skills span is often a whole block: split it into items."""
    items = []
    for span in spans:
        span = re.sub(r"\((?:less than )?\d*\s*(?:\+\s*)?years?\)|\(less than 1 year\)", " ", span, flags=re.I)
        for item in re.split(r"[\n,;•|/]|\band\b|:", span):
            item = item.strip(" -*.\t")
            if 1 <= len(item.split()) <= 4 and len(item) >= 1:
                items.append(item)
    return list(dict.fromkeys(items))


def evaluate(records: list[dict[str, Any]], understand: Callable[[str], Profile]) -> Report:
    report = Report()
    for rec in records:
        profile = understand(rec["text"])
        report.resumes += 1
        for name, (label, get) in FIELDS.items():
            report.fields[name].add(get(profile), rec["gold"].get(label, []))
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
        for name, c in part.fields.items():
            o = out.fields[name]
            o.tp_pred += c.tp_pred
            o.n_pred += c.n_pred
            o.tp_gold += c.tp_gold
            o.n_gold += c.n_gold
    return out
