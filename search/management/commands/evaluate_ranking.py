from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from search.evaluation.cache import cached_embeddings, cached_heads, cached_profiles
from search.evaluation.datasets import LabelledResume, load_posting_labels, load_resumes, split_resumes
from search.evaluation.judged import JUDGED_DIR, JudgedSet, agreement, render_judged
from search.evaluation.judged_lists import judged_tables
from search.evaluation.metrics import K, Table, render
from search.evaluation.stages import recruiter_table, seeker_table
from search.indexes.qdrant import VectorStoreBusy
from search.indexing.engine import Engine, get_engine, reset_engine
from search.ranking.sides import query_text


class Command(BaseCommand):
    help = (
        "Judged relevance (--judged dev|test|all: nDCG@10, good fit, plausible or better, off-field and duplicate "
        "shares with bootstrap intervals, per stage and against the simple baseline, both directions), or "
        "agreement with domain labels (--resumes and --labels: P@10, nDCG@10 and MRR of each stage, overall and "
        "per domain, for seekers or recruiters)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--judged",
            choices=["dev", "test", "all"],
            help="score against the judged set (search/evaluation/judged/): its dev split, its test split, or both",
        )
        parser.add_argument(
            "--judged-dir", type=Path, default=JUDGED_DIR, help="a judged set of your own (queries.jsonl, grades.jsonl)"
        )
        parser.add_argument(
            "--resumes", type=Path, help="parquet (ID, Resume_str, Category) or JSONL {id, text, category}"
        )
        parser.add_argument("--labels", type=Path, help="JSONL {source, external_id, domain} (label_postings)")
        parser.add_argument("--direction", choices=["seeker", "recruiter"], default="seeker")
        parser.add_argument(
            "--split",
            choices=["all", "test", "train"],
            default="all",
            help="all resumes of the file, or our held-out 20%% (test) of it: the models never saw it",
        )
        parser.add_argument("--limit", type=int, help="at most N resumes (seeker) or postings per domain (recruiter)")
        parser.add_argument(
            "--postings-per-domain", type=int, default=20, help="recruiter direction: queries per domain"
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: object, **o: object) -> None:
        if o["judged"]:
            self._judged(JudgedSet.load(Path(str(o["judged_dir"]))), str(o["judged"]), bool(o["json"]))
            return
        if o["resumes"] is None or o["labels"] is None:
            raise CommandError("give --judged dev|test|all, or --resumes FILE and --labels FILE")
        resumes_path, labels_path = Path(str(o["resumes"])), Path(str(o["labels"]))
        for path in (resumes_path, labels_path):
            if not path.exists():
                raise CommandError(f"{path} not found")
        resumes = load_resumes(resumes_path)
        if o["split"] != "all":
            train, test = split_resumes(resumes)
            resumes = test if o["split"] == "test" else train
        labels = load_posting_labels(labels_path)
        try:
            engine = get_engine()
            if o["direction"] == "seeker":
                limit = o["limit"]
                if isinstance(limit, int):
                    resumes = resumes[:limit]
                table = self._seekers(resumes, labels, engine)
                what = f"seekers: {len(resumes)} resumes from {resumes_path.name} ({o['split']}), top {K} jobs each"
            else:
                per_domain = o["limit"] if isinstance(o["limit"], int) else int(str(o["postings_per_domain"]))
                table, n = self._recruiters(resumes, labels, engine, per_domain)
                what = f"recruiters: {n} labelled postings, top {K} of {len(resumes)} resumes from {resumes_path.name}"
        except VectorStoreBusy as exc:
            raise CommandError(str(exc)) from None
        finally:
            reset_engine()
        render(table, self.stdout.write, what=what)
        if o["json"]:
            self.stdout.write(json.dumps(table.as_dict()))

    def _read(self, resumes: list[LabelledResume]) -> tuple[list[dict[str, Any]], list[str], np.ndarray, np.ndarray]:
        """Each resume's profile, query text, and the embeddings of the text and its head (all cached)."""
        cache = settings.DATA_DIR / "cache"
        t0 = time.perf_counter()
        self.stderr.write(f"reading {len(resumes)} resumes (profiles and embeddings are cached under {cache})...")
        profiles = cached_profiles([r.text for r in resumes], cache / "profiles")
        queries = [query_text(text=r.text, profile=p) for r, p in zip(resumes, profiles, strict=True)]
        vecs = cached_embeddings(queries, cache / "embeddings")
        heads = cached_heads(queries, cache / "embeddings")
        self.stderr.write(f"  {time.perf_counter() - t0:.0f} s; ranking...")
        return profiles, queries, vecs, heads

    def _seekers(self, resumes: list[LabelledResume], labels: dict[tuple[str, str], str], engine: Engine) -> Table:
        profiles, queries, vecs, heads = self._read(resumes)
        scorer = engine.reranker.estimator if engine.reranker else None
        return seeker_table(resumes, profiles, queries, list(vecs), labels, scorer, list(heads))

    def _recruiters(
        self, resumes: list[LabelledResume], labels: dict[tuple[str, str], str], engine: Engine, per_domain: int
    ) -> tuple[Table, int]:
        """Rank the file's resumes for labelled postings: the same stages, the roles of the two sides swapped."""
        profiles, queries, vecs, heads = self._read(resumes)
        return recruiter_table(resumes, profiles, queries, vecs, heads, labels, engine, per_domain=per_domain)

    def _judged(self, judged: JudgedSet, split: str, as_json: bool) -> None:
        """Every stage and the simple baseline, scored on the judged set, both directions."""
        if not judged.queries:
            raise CommandError(f"the judged set has no queries ({judged.queries_path})")
        grades = judged.grades
        try:
            seekers, recruiters = judged_tables(split, get_engine(), Path(settings.SHARED_DATA_DIR), judged)
        except VectorStoreBusy as exc:
            raise CommandError(str(exc)) from None
        finally:
            reset_engine()
        render_judged(seekers, self.stdout.write, what=f"seekers: judged resumes ({split}), top {K} postings")
        render_judged(recruiters, self.stdout.write, what=f"recruiters: judged postings ({split}), top {K} resumes")
        self.stdout.write(f"grades: {len(grades)} pairs; agreement of pairs graded twice: {agreement(grades)}")
        if as_json:
            out = {"seekers": seekers.as_dict(), "recruiters": recruiters.as_dict(), "agreement": agreement(grades)}
            self.stdout.write(json.dumps(out))
