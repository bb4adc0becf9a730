"""The labelled data evaluation and training read: resumes with a category, postings with a domain, and
the one split of the resumes into a part the models learn from and a part held out."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SPLIT_SEED, TEST_SHARE = 7, 0.2


@dataclass
class LabelledResume:
    id: str
    text: str
    category: str


def load_resumes(path: Path) -> list[LabelledResume]:
    """Parquet with ID, Resume_str, Category (the Kaggle layout) or JSON lines {id, text, category}."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        t = pq.read_table(path, columns=["ID", "Resume_str", "Category"]).to_pydict()
        return [LabelledResume(str(i), s, c) for i, s, c in zip(t["ID"], t["Resume_str"], t["Category"], strict=True)]
    out = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if line.strip():
                obj = json.loads(line)
                out.append(LabelledResume(str(obj.get("id", n)), obj["text"], obj["category"]))
    return out


def split_resumes(resumes: Sequence[LabelledResume]) -> tuple[list[LabelledResume], list[LabelledResume]]:
    """(train, test): TEST_SHARE of each category held out, the same split on every run."""
    by_cat: dict[str, list[LabelledResume]] = defaultdict(list)
    for r in sorted(resumes, key=lambda r: r.id):
        by_cat[r.category].append(r)
    train, test = [], []
    rng = random.Random(SPLIT_SEED)
    for cat in sorted(by_cat):
        items = by_cat[cat]
        rng.shuffle(items)
        n_test = max(1, round(len(items) * TEST_SHARE))
        test += items[:n_test]
        train += items[n_test:]
    return train, test


def load_posting_labels(path: Path) -> dict[tuple[str, str], str]:
    """JSON lines {source, external_id, domain}; an empty domain means "no domain"."""
    out = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                obj = json.loads(line)
                out[(str(obj["source"]), str(obj["external_id"]))] = obj.get("domain") or ""
    return out
