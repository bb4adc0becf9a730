from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from resumes.understanding.evaluation import FIELDS, MATCH_RULE, SKILL_ITEMS_RULE, Report, evaluate, load_dataturks
from resumes.understanding.pipeline import NER_FIELDS, NER_USE, get_nlp, understand


class Command(BaseCommand):
    help = "Per-field precision / recall / F1 of resume understanding on DataTurks-annotated resumes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dataset", type=Path, default=settings.SHARED_DATA_DIR / "resume-ner" / "resumes_ner.jsonl"
        )
        parser.add_argument("--json", action="store_true")
        parser.add_argument(
            "--cv",
            type=int,
            default=0,
            help="train the title/company NER on K-1 folds and score the held-out fold, K times",
        )
        parser.add_argument("--epochs", type=int, default=15)
        parser.add_argument("--no-ner", action="store_true", help="rules and the general English model only")
        parser.add_argument(
            "--compare",
            action="store_true",
            help="with --cv: also score each fold with the rules instead of the model, field group by field group",
        )

    def handle(
        self,
        *args: object,
        dataset: Path,
        json: bool,
        cv: int,
        epochs: int,
        no_ner: bool,
        compare: bool,
        **options: object,
    ) -> None:
        if not dataset.exists():
            raise CommandError(f"{dataset} not found")
        records = load_dataturks(dataset)
        get_nlp()
        seconds = 0.0
        if cv:
            import random

            from resumes.understanding.evaluation import merge
            from resumes.understanding.ner import train_ner

            raw = [__import__("json").loads(x) for x in dataset.read_text().splitlines() if x.strip()]
            order = list(range(len(records)))
            random.Random(7).shuffle(order)
            folds = [order[i::cv] for i in range(cv)]
            parts = []
            # Each field group the model can give, swapped: used ones go to the rules, unused ones to the model.
            swaps = {
                (f"rules for {g}" if g in NER_USE else f"model for {g}"): NER_USE ^ {g} for g in sorted(NER_FIELDS)
            }
            variants: dict[str, list[Report]] = {name: [] for name in swaps} if compare else {}
            for k, held in enumerate(folds):
                held_set = set(held)
                self.stderr.write(f"fold {k + 1}/{cv}: training on {len(records) - len(held)} resumes")
                model = train_ner([raw[i] for i in order if i not in held_set], epochs=epochs)
                t0 = time.perf_counter()
                parts.append(evaluate([records[i] for i in held], lambda t, m=model: understand(t, ner=m)))
                seconds += time.perf_counter() - t0
                for name, use in swaps.items() if compare else ():
                    variants[name].append(
                        evaluate([records[i] for i in held], lambda t, m=model, u=use: understand(t, ner=m, ner_use=u))
                    )
            report = merge(parts)
            if variants:
                self._compare(merge(parts), {name: merge(v) for name, v in variants.items()})
            how = f"{cv}-fold cross-validation: each resume scored by a NER model that never saw it"
        else:
            t0 = time.perf_counter()
            report = evaluate(records, (lambda t: understand(t, ner=None)) if no_ner else understand)
            seconds = time.perf_counter() - t0
            how = (
                "rules and the general English model only"
                if no_ner
                else "the shipped NER model (trained on this file if it is the DataTurks set: use --cv)"
            )
        self.stdout.write(f"{report.resumes} resumes from {dataset.name}; {how}")
        self.stdout.write(f"matching rule: {MATCH_RULE}")
        self.stdout.write(f"skill items: {SKILL_ITEMS_RULE}")
        self.stdout.write(
            "all resumes: a field read where the annotators marked nothing counts against precision; "
            "annotated: only the resumes where the field was marked at least once"
        )
        self.stdout.write(
            f"{'field':<14}{'precision':>10}{'recall':>9}{'F1':>7}{'gold':>7}{'pred':>7}"
            f"  |{'annotated':>10}{'P':>7}{'F1':>7}"
        )
        out: dict[str, object] = {}
        for name in FIELDS:
            c, a = report.fields[name], report.annotated[name]
            self.stdout.write(
                f"{name:<14}{c.precision:>10.3f}{c.recall:>9.3f}{c.f1:>7.3f}{c.n_gold:>7}{c.n_pred:>7}"
                f"  |{report.marked[name]:>10}{a.precision:>7.3f}{a.f1:>7.3f}"
            )
            out[name] = {
                "precision": round(c.precision, 4),
                "recall": round(c.recall, 4),
                "f1": round(c.f1, 4),
                "annotated_resumes": report.marked[name],
                "annotated_precision": round(a.precision, 4),
                "annotated_f1": round(a.f1, 4),
            }
        recall = report.skills_found / report.skills_gold if report.skills_gold else 0.0
        self.stdout.write(f"skills recall {recall:.3f} ({report.skills_found} of {report.skills_gold} annotated items)")
        self.stdout.write(f"{report.resumes / seconds:.1f} resumes/s")
        out["skills_recall"] = round(recall, 4)
        if json:
            import json as _json

            self.stdout.write(_json.dumps(out))

    def _compare(self, model: Report, variants: dict[str, Report]) -> None:
        """F1 on annotated resumes (skills: recall) as shipped, then with each field group's source swapped."""
        names = ["as shipped", *variants]
        self.stdout.write("comparison (F1 on annotated resumes; skills: recall), same folds and models:")
        self.stdout.write(f"{'field':<14}" + "".join(f"{n:>24}" for n in names))
        reports = [model, *variants.values()]
        for name in FIELDS:
            self.stdout.write(f"{name:<14}" + "".join(f"{r.annotated[name].f1:>24.3f}" for r in reports))
        self.stdout.write(
            f"{'skills recall':<14}"
            + "".join(f"{(r.skills_found / r.skills_gold if r.skills_gold else 0):>24.3f}" for r in reports)
        )
