"""The judged relevance set (search/evaluation/judged/): choose its queries, pool the pairs still to grade
from several rankers, add the grades, and measure how far two graders agree.

    manage.py judge select                       # writes queries.jsonl (once; committed)
    manage.py judge pool --round 1 --out DIR     # DIR/seeker-*.jsonl, DIR/recruiter-*.jsonl: pairs to grade
    manage.py judge merge DIR/graded-*.jsonl     # appends checked grades to grades.jsonl
    manage.py judge agreement                    # pairs graded twice: exact agreement and kappa

`pool` ranks with the served pipeline's stages and the simple baseline on the data dir's indexes (the
judged set's corpus: the LinkedIn 2023 postings and the full-text sets), for the dev and the test split
alike, and writes only pairs not graded yet, with what a grader reads: the resume's text and the
posting's fields.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from search.evaluation.datasets import load_resumes, split_resumes
from search.evaluation.judged import (
    JUDGED_DIR,
    RECRUITER,
    SEEKER,
    JudgedQuery,
    JudgedSet,
    agreement,
    append_grades,
    split_of,
    write_queries,
)
from search.evaluation.judged_lists import (
    posting_blend,
    posting_card,
    read_resumes,
    recruiter_lists,
    recruiter_pool,
    seeker_lists,
)
from search.evaluation.stages import posting_key
from search.indexing.engine import get_engine, reset_engine
from search.models import JobPosting

RESUMES_PER_CATEGORY = 4
POSTINGS_PER_DOMAIN = 2
SAMPLES = (
    "01-Accountant",
    "01-Desktop_Support",
    "01-Office_Coordinator",
    "02-Accountant",
    "02-Desktop_Support",
    "02-Office_Coordinator",
)
# Pool depth per ranker: what a grader reads for each query.
POOL = {"full": 20, "bm25": 20, "blend": 20, "vectors": 10, "fused+domain": 10}
RESUME_CHARS = 3000
DESCRIPTION_CHARS = 900


class Command(BaseCommand):
    help = "The judged relevance set: select its queries, pool pairs to grade, merge grades, measure agreement."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["select", "pool", "merge", "agreement"])
        parser.add_argument("files", nargs="*", type=Path, help="merge: graded JSONL files")
        parser.add_argument("--out", type=Path, help="pool: the folder the batches are written to")
        parser.add_argument("--round", type=int, default=1, help="pool: the round the batches belong to")
        parser.add_argument("--batch", type=int, default=6, help="pool: queries per batch file")
        parser.add_argument("--rankers", default=",".join(POOL), help="pool: which rankers' lists to pool")
        parser.add_argument("--grader", default="", help="merge: who graded (kept with each grade)")
        parser.add_argument(
            "--judged-dir", type=Path, default=JUDGED_DIR, help="the judged set's folder (default: the shipped one)"
        )

    def handle(self, *args: Any, **o: Any) -> None:
        shared = Path(settings.SHARED_DATA_DIR)
        judged = JudgedSet.load(o["judged_dir"])
        if o["action"] == "select":
            self._select(shared, judged)
        elif o["action"] == "pool":
            if o["out"] is None:
                raise CommandError("pool writes batches: give --out DIR")
            try:
                self._pool(shared, judged, o["out"], o["round"], o["batch"], o["rankers"].split(","))
            finally:
                reset_engine()
        elif o["action"] == "merge":
            self._merge(judged, o["files"], o["grader"])
        else:
            self.stdout.write(json.dumps(agreement(judged.grades)))

    # --- select -------------------------------------------------------------------------------------

    def _select(self, shared: Path, judged: JudgedSet) -> None:
        """Resumes of our held-out split (RESUMES_PER_CATEGORY of each category) and the sample DOCX
        files; postings of each labelled domain (one with a description where there is one)."""
        if judged.queries:
            raise CommandError("queries.jsonl exists: the judged set's queries are chosen once")
        _, test = split_resumes(load_resumes(shared / "kaggle-resume-dataset" / "resumes_train.parquet"))
        by_category: dict[str, list[str]] = defaultdict(list)
        for r in sorted(test, key=lambda r: r.id):
            by_category[r.category].append(r.id)
        rng = random.Random(30)
        queries = []
        for category in sorted(by_category):
            chosen = rng.sample(by_category[category], min(RESUMES_PER_CATEGORY, len(by_category[category])))
            splits = split_of([f"kaggle-{i}" for i in chosen], seed=len(queries))
            queries += [JudgedQuery(SEEKER, f"kaggle-{i}", splits[f"kaggle-{i}"], category) for i in chosen]
        queries += [
            JudgedQuery(SEEKER, f"sample-{s}", "dev" if s.startswith("01") else "test", s.split("-", 1)[1].upper())
            for s in SAMPLES
        ]
        postings = []
        for domain in sorted(by_category):
            pool = list(JobPosting.objects.open().filter(declared_domain=domain).order_by("id"))
            described = [p for p in pool if len(p.description) > 200]
            plain = [p for p in pool if len(p.description) <= 200]
            picked = rng.sample(described, min(1, len(described))) + rng.sample(plain, min(1, len(plain)))
            for p in picked[:POSTINGS_PER_DOMAIN]:
                postings.append((posting_key(p), domain))
        splits = split_of([k for k, _ in postings], seed=30)
        queries += [JudgedQuery(RECRUITER, k, splits[k], d) for k, d in postings]
        write_queries(queries, judged.queries_path)
        counts = defaultdict(int)
        for q in queries:
            counts[(q.direction, q.split)] += 1
        self.stdout.write(
            f"{len(queries)} queries: " + ", ".join(f"{d} {s} {n}" for (d, s), n in sorted(counts.items()))
        )

    # --- pool ---------------------------------------------------------------------------------------

    def _pool(self, shared: Path, judged: JudgedSet, out: Path, round_: int, batch: int, rankers: list[str]) -> None:
        if not judged.queries:
            raise CommandError("no queries yet: run `manage.py judge select`")
        grades = judged.grades
        resumes = read_resumes(recruiter_pool(shared, judged), shared, judged)
        engine = get_engine()
        tasks: list[dict[str, Any]] = []
        blend = posting_blend(shared, judged)
        for q, stages, postings in seeker_lists(judged.of(SEEKER), resumes, engine, blend):
            todo = [k for k in self._pooled(stages, rankers) if grades.grade(SEEKER, q.id, k) is None]
            if todo:
                tasks.append(
                    {
                        "direction": SEEKER,
                        "query": q.id,
                        "resume": resumes.texts[q.id][:RESUME_CHARS],
                        "items": [{"item": k, "posting": posting_card(postings[k])} for k in todo],
                    }
                )
        for q, stages, posting in recruiter_lists(judged.of(RECRUITER), resumes, engine, shared, judged):
            todo = [k for k in self._pooled(stages, rankers) if grades.grade(RECRUITER, q.id, k) is None]
            if todo:
                tasks.append(
                    {
                        "direction": RECRUITER,
                        "query": q.id,
                        "posting": posting_card(posting),
                        "items": [{"item": k, "resume": resumes.texts[k][: RESUME_CHARS // 2]} for k in todo],
                    }
                )
        out.mkdir(parents=True, exist_ok=True)
        for n in range(0, len(tasks), batch):
            path = out / f"round{round_}-{n // batch + 1:03d}.jsonl"
            path.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in tasks[n : n + batch]))
        pairs = sum(len(t["items"]) for t in tasks)
        self.stdout.write(
            f"{pairs} pairs to grade in {len(tasks)} queries, {-(-len(tasks) // batch)} files under {out}"
        )

    @staticmethod
    def _pooled(stages: dict[str, list[str]], rankers: list[str]) -> list[str]:
        wanted: list[str] = []
        for ranker in rankers:
            wanted += stages.get(ranker, [])[: POOL.get(ranker, 20)]
        return list(dict.fromkeys(wanted))

    # --- merge --------------------------------------------------------------------------------------

    def _merge(self, judged: JudgedSet, files: list[Path], grader: str) -> None:
        """Append graded lines {direction, query, item, grade, reason[, round]}: each checked against the
        queries, and a pair this grader graded already is skipped."""
        if not files:
            raise CommandError("give the graded JSONL files to merge")
        known = {(q.direction, q.id) for q in judged.queries}
        grades = judged.grades
        rows, skipped = [], 0
        for path in files:
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if not line.strip():
                    continue
                obj = json.loads(line)
                if (obj.get("direction"), obj.get("query")) not in known or obj.get("grade") not in (0, 1, 2):
                    raise CommandError(f"{path} line {n}: not a grade of a judged query: {line[:120]}")
                who = obj.get("grader") or grader
                previous = grades.by_pair.get((obj["direction"], obj["query"], obj["item"]), [])
                if any(r.get("grader") == who for r in previous):
                    skipped += 1
                    continue
                rows.append(
                    {
                        "direction": obj["direction"],
                        "query": obj["query"],
                        "item": obj["item"],
                        "grade": obj["grade"],
                        "grader": who,
                        "round": obj.get("round"),
                        "reason": str(obj.get("reason", ""))[:200],
                    }
                )
        added = append_grades(rows, judged.grades_path)
        self.stdout.write(f"{added} grades added, {skipped} already there")
