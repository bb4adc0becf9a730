"""Judged relevance: (resume, posting) pairs graded by a person, and the metrics of a ranked list over them.

The judged set lives in search/evaluation/judged/ (its README holds the rubric): `queries.jsonl` names
the resumes a seeker's list is judged for and the postings a recruiter's list is judged for, each in the
`dev` split (rankers may be tuned and trained on it) or the `test` split (only ever reported);
`grades.jsonl` holds the grades, one line per grade: 2 good fit, 1 plausible, 0 not a sensible
suggestion. A pair graded more than once is scored by its first grade; the others measure agreement.
The shipped set's resume texts are not stored: they are read from ../shared/data by their ids. A judged
set of an operator's own (another folder, `--judged-dir`) may carry its resumes in `resumes.jsonl`
({"id", "text", "category"}), resumes whose owners agreed to their use.
"""

from __future__ import annotations

import json
import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

JUDGED_DIR = Path(__file__).resolve().parent / "judged"
QUERIES = JUDGED_DIR / "queries.jsonl"
GRADES = JUDGED_DIR / "grades.jsonl"
OWN_RESUMES = "resumes.jsonl"
GAINS = {0: 0.0, 1: 1.0, 2: 3.0}  # nDCG's gains: a good fit counts three plausible ones
K = 10
SEEKER, RECRUITER = "seeker", "recruiter"
BOOTSTRAP_SAMPLES = 2000


@dataclass(frozen=True)
class JudgedQuery:
    """A resume (the seeker direction) or a posting (the recruiter direction) whose list is judged."""

    direction: str
    id: str  # a resume: "kaggle-<ID>" or "sample-<file stem>"; a posting: "<source>:<external id>"
    split: str  # "dev" or "test"
    label: str = ""  # the resume's data-set category, or the posting's labelled domain (for reading only)


def load_queries(path: Path = QUERIES) -> list[JudgedQuery]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            obj = json.loads(line)
            out.append(JudgedQuery(obj["direction"], obj["id"], obj["split"], obj.get("label", "")))
    return out


def write_queries(queries: Iterable[JudgedQuery], path: Path = QUERIES) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [{"direction": q.direction, "id": q.id, "split": q.split, "label": q.label} for q in queries]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


@dataclass
class Grades:
    """Every grade, by (direction, query, item): the first is the one scored."""

    by_pair: dict[tuple[str, str, str], list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    def grade(self, direction: str, query: str, item: str) -> int | None:
        found = self.by_pair.get((direction, query, item))
        return int(found[0]["grade"]) if found else None

    def for_query(self, direction: str, query: str) -> dict[str, int]:
        return {
            item: int(rows[0]["grade"])
            for (d, q, item), rows in self.by_pair.items()
            if d == direction and q == query and rows
        }

    def __len__(self) -> int:
        return len(self.by_pair)


def load_grades(path: Path = GRADES) -> Grades:
    grades = Grades()
    if not path.exists():
        return grades
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        obj = json.loads(line)
        if obj.get("grade") not in (0, 1, 2):
            raise ValueError(f"{path} line {n}: a grade is 0, 1 or 2, not {obj.get('grade')!r}")
        grades.by_pair[(obj["direction"], obj["query"], obj["item"])].append(obj)
    return grades


def append_grades(rows: Iterable[dict[str, Any]], path: Path = GRADES) -> int:
    """Add grades (each {direction, query, item, grade, grader, round, reason}); returns how many."""
    rows = list(rows)
    with path.open("a", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return len(rows)


@dataclass
class ListScore:
    """One judged list's figures."""

    ndcg: float | None  # None when nothing in the judged pool is relevant to the query
    good: float  # share of the top k graded 2
    plausible: float  # share graded 1 or 2
    off: float  # share graded 0
    duplicates: float  # share that repeats an earlier item of the list
    unjudged: int  # items of the top k with no grade (counted in no share above)


def score_list(
    items: Sequence[str],
    grades: Mapping[str, int],
    *,
    same: Callable[[str], str] | None = None,
    k: int = K,
) -> ListScore:
    """The figures of one ranked list: nDCG@k with gains 0/1/3 against the best the judged pool holds,
    the shares of good, plausible-or-better and off-field items among the top k, duplicates (`same`
    gives each item's duplicate key), and how many items are unjudged."""
    top = list(items[:k])
    got = [grades.get(i) for i in top]
    dcg = sum(GAINS[g] / math.log2(n + 2) for n, g in enumerate(got) if g is not None)
    ideal = sorted((GAINS[g] for g in grades.values()), reverse=True)[:k]
    idcg = sum(g / math.log2(n + 2) for n, g in enumerate(ideal))
    seen: set[str] = set()
    dups = 0
    for item in top:
        key = same(item) if same is not None else item
        dups += key in seen
        seen.add(key)
    return ListScore(
        ndcg=dcg / idcg if idcg else None,
        good=sum(g == 2 for g in got) / k,
        plausible=sum(g is not None and g >= 1 for g in got) / k,
        off=sum(g == 0 for g in got) / k,
        duplicates=dups / k,
        unjudged=sum(g is None for g in got),
    )


def bootstrap_interval(
    values: Sequence[float], *, seed: int = 7, samples: int = BOOTSTRAP_SAMPLES
) -> tuple[float, float]:
    """The 95% percentile bootstrap interval of the mean, resampling queries."""
    if not values:
        return (math.nan, math.nan)
    v = np.asarray(values, dtype=np.float64)
    rng = np.random.default_rng(seed)
    means = v[rng.integers(0, len(v), size=(samples, len(v)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


METRICS = ("ndcg", "good", "plausible", "off", "duplicates")


@dataclass
class JudgedTable:
    """Each ranker's list scores over the judged queries."""

    scores: dict[str, list[ListScore]] = field(default_factory=lambda: defaultdict(list))

    def add(self, ranker: str, score: ListScore) -> None:
        self.scores[ranker].append(score)

    def summary(self, ranker: str) -> dict[str, Any]:
        rows = self.scores[ranker]
        out: dict[str, Any] = {"queries": len(rows), "unjudged": sum(r.unjudged for r in rows)}
        for metric in METRICS:
            values = [getattr(r, metric) for r in rows if getattr(r, metric) is not None]
            lo, hi = bootstrap_interval(values)
            out[metric] = {
                "mean": round(float(np.mean(values)), 4) if values else None,
                "low": round(lo, 4),
                "high": round(hi, 4),
            }
        return out

    def as_dict(self) -> dict[str, Any]:
        return {ranker: self.summary(ranker) for ranker in self.scores}


def render_judged(table: JudgedTable, write: Callable[[str], None], *, what: str) -> None:
    write(what)
    write("mean [95% bootstrap interval over queries]; nDCG@10 gains 0/1/3; shares of the top 10")
    header = f"{'ranker':<14}" + "".join(
        f"{m:>22}" for m in ("nDCG@10", "good fit", "plausible+", "off-field", "duplicates")
    )
    write(header + f"{'unjudged':>10}")
    for ranker in table.scores:
        s = table.summary(ranker)
        cells = []
        for metric in METRICS:
            m = s[metric]
            cells.append(
                "—".rjust(22) if m["mean"] is None else f"{m['mean']:.3f} [{m['low']:.2f}, {m['high']:.2f}]".rjust(22)
            )
        write(f"{ranker:<14}" + "".join(cells) + f"{s['unjudged']:>10}")


def agreement(grades: Grades) -> dict[str, Any]:
    """How often two graders of the same pair agree: exact, within one grade, and Cohen's kappa."""
    pairs = [(int(r[0]["grade"]), int(r[1]["grade"])) for r in grades.by_pair.values() if len(r) >= 2]
    if not pairs:
        return {"pairs": 0}
    a = np.asarray(pairs)
    exact = float(np.mean(a[:, 0] == a[:, 1]))
    p_a = np.bincount(a[:, 0], minlength=3) / len(a)
    p_b = np.bincount(a[:, 1], minlength=3) / len(a)
    chance = float(p_a @ p_b)
    kappa = (exact - chance) / (1 - chance) if chance < 1 else 1.0
    return {
        "pairs": len(pairs),
        "exact": round(exact, 3),
        "within_one": round(float(np.mean(np.abs(a[:, 0] - a[:, 1]) <= 1)), 3),
        "kappa": round(kappa, 3),
    }


def split_of(ids: Sequence[str], seed: int = 7) -> dict[str, str]:
    """dev or test for each id, alternating in a seeded order (so each half holds every kind)."""
    order = list(ids)
    random.Random(seed).shuffle(order)
    return {i: ("dev" if n % 2 == 0 else "test") for n, i in enumerate(order)}


@dataclass
class OwnResume:
    text: str
    category: str = ""


@dataclass
class JudgedSet:
    """A judged set's folder: its queries, its grades and the resumes it carries itself."""

    dir: Path
    queries: list[JudgedQuery]
    grades: Grades
    own: dict[str, OwnResume]

    @classmethod
    def load(cls, directory: Path = JUDGED_DIR) -> JudgedSet:
        own: dict[str, OwnResume] = {}
        path = directory / OWN_RESUMES
        if path.exists():
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if line.strip():
                    obj = json.loads(line)
                    if not obj.get("id") or not isinstance(obj.get("text"), str):
                        raise ValueError(f"{path} line {n}: a resume needs an id and a text")
                    own[str(obj["id"])] = OwnResume(obj["text"], str(obj.get("category") or ""))
        return cls(directory, load_queries(directory / QUERIES.name), load_grades(directory / GRADES.name), own)

    @property
    def queries_path(self) -> Path:
        return self.dir / QUERIES.name

    @property
    def grades_path(self) -> Path:
        return self.dir / GRADES.name

    def of(self, direction: str, split: str = "all") -> list[JudgedQuery]:
        return [q for q in self.queries if q.direction == direction and split in ("all", q.split)]


def resume_texts(ids: Iterable[str], shared: Path, own: Mapping[str, OwnResume] | None = None) -> dict[str, str]:
    """The texts of judged resumes: the set's own resumes by their ids, "kaggle-<ID>" from the Kaggle
    set's parquet, "sample-<stem>" from the sample DOCX files (read as an upload is)."""
    from resumes.extract import extract_text, sniff_content_type

    from .datasets import load_resumes

    wanted = set(ids)
    out: dict[str, str] = {i: r.text for i, r in (own or {}).items() if i in wanted}
    if any(i.startswith("kaggle-") for i in wanted - set(out)):
        for r in load_resumes(shared / "kaggle-resume-dataset" / "resumes_train.parquet"):
            if f"kaggle-{r.id}" in wanted:
                out[f"kaggle-{r.id}"] = r.text
    for i in wanted - set(out):
        if i.startswith("sample-"):
            data = (shared / "sample-resumes-docx" / f"{i.removeprefix('sample-')}.docx").read_bytes()
            out[i] = extract_text(data, sniff_content_type(data, "resume.docx"))
    missing = wanted - set(out)
    if missing:
        raise FileNotFoundError(f"{len(missing)} judged resumes not found under {shared}: {sorted(missing)[:5]}")
    return out
