from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from resumes.understanding.evaluation import FIELDS, MATCH_RULE, evaluate, load_dataturks
from resumes.understanding.pipeline import get_nlp, understand


class Command(BaseCommand):
    help = "Per-field precision / recall / F1 of resume understanding on DataTurks-annotated resumes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dataset", type=Path, default=settings.SHARED_DATA_DIR / "resume-ner" / "resumes_ner.jsonl"
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: object, dataset: Path, json: bool, **options: object) -> None:
        if not dataset.exists():
            raise CommandError(f"{dataset} not found")
        records = load_dataturks(dataset)
        get_nlp()
        t0 = time.perf_counter()
        report = evaluate(records, understand)
        seconds = time.perf_counter() - t0
        self.stdout.write(f"{report.resumes} resumes from {dataset.name}; no part of the pipeline was trained on them")
        self.stdout.write(f"matching rule: {MATCH_RULE}")
        self.stdout.write(f"{'field':<14}{'precision':>10}{'recall':>9}{'F1':>7}{'gold':>7}{'pred':>7}")
        out: dict[str, object] = {}
        for name in FIELDS:
            c = report.fields[name]
            self.stdout.write(f"{name:<14}{c.precision:>10.3f}{c.recall:>9.3f}{c.f1:>7.3f}{c.n_gold:>7}{c.n_pred:>7}")
            out[name] = {"precision": round(c.precision, 4), "recall": round(c.recall, 4), "f1": round(c.f1, 4)}
        recall = report.skills_found / report.skills_gold if report.skills_gold else 0.0
        self.stdout.write(f"skills recall {recall:.3f} ({report.skills_found} of {report.skills_gold} annotated items)")
        self.stdout.write(f"{report.resumes / seconds:.1f} resumes/s")
        out["skills_recall"] = round(recall, 4)
        if json:
            import json as _json

            self.stdout.write(_json.dumps(out))
