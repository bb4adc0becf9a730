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
from search.evaluation.metrics import K, Table, render
from search.evaluation.stages import recruiter_table, seeker_table
from search.indexes.qdrant import VectorStoreBusy
from search.indexing.engine import Engine, get_engine, reset_engine
from search.ranking.sides import query_text


class Command(BaseCommand):
    help = (
        "P@10, nDCG@10 and MRR of each ranking stage (BM25, vectors, fused, fused + domain, full re-ranker), "
        "overall and per domain, for seekers (jobs for each resume) or recruiters (resumes for each posting)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--resumes",
            type=Path,
            required=True,
            help="parquet (ID, Resume_str, Category) or JSONL {id, text, category}",
        )
        parser.add_argument(
            "--labels", type=Path, required=True, help="JSONL {source, external_id, domain} (label_postings)"
        )
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
