from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from sklearn.model_selection import StratifiedKFold

from search.models_store import DOMAIN, save_model
from search.ranking.domain import DomainClassifier


def drop_first_line(text: str) -> str:
    """The first line of most of these resumes is the job title, which nearly names the label."""
    head, _, rest = text.strip().partition("\n")
    return rest if rest.strip() else head


class Command(BaseCommand):
    help = "Train the domain classifier on the Kaggle resume dataset and save it as a new model version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--resumes",
            type=Path,
            default=settings.SHARED_DATA_DIR / "kaggle-resume-dataset" / "resumes_train.parquet",
        )
        parser.add_argument(
            "--ship",
            action="store_true",
            help="write to search/artifacts/domain (the model committed with the repository)",
        )
        parser.add_argument("--folds", type=int, default=5)
        parser.add_argument("--limit", type=int, help="train on the first N resumes only (smoke runs)")

    def handle(
        self, *args: object, resumes: Path, ship: bool, folds: int, limit: int | None, **options: object
    ) -> None:
        import pyarrow.parquet as pq

        from search.embeddings import embed_documents

        if not resumes.exists():
            raise CommandError(f"{resumes} not found (set JOBMATCH_SHARED_DATA or pass --resumes)")
        table = pq.read_table(resumes, columns=["Resume_str", "Category"]).to_pydict()
        texts, labels = table["Resume_str"], np.asarray(table["Category"])
        if limit:
            texts, labels = texts[:limit], labels[:limit]
        t0 = time.perf_counter()
        self.stderr.write(f"embedding {len(texts)} resumes twice (with and without the first line)...")
        x_full = embed_documents(texts)
        x_body = embed_documents([drop_first_line(t) for t in texts])
        embed_s = time.perf_counter() - t0

        # Each fold trains as the shipped model does (both views of its training resumes)
        # and is scored on the held-out resumes with and without their first line.
        cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=7)
        pred = {
            "with_first_line": np.empty(len(labels), dtype=object),
            "without_first_line": np.empty(len(labels), dtype=object),
        }
        for train, test in cv.split(x_full, labels):
            fold = DomainClassifier().fit(
                np.vstack([x_full[train], x_body[train]]), np.concatenate([labels[train], labels[train]])
            )
            pred["with_first_line"][test] = fold.predict(x_full[test])
            pred["without_first_line"][test] = fold.predict(x_body[test])
        metrics: dict[str, object] = {
            "data": str(resumes.name),
            "n": len(texts),
            "folds": folds,
            "features": "all-MiniLM-L6-v2, mean of 180-word chunks",
        }
        for name, p in pred.items():
            acc = float(np.mean(p == labels))
            metrics[f"cv_accuracy_{name}"] = round(acc, 4)
            metrics[f"cv_recall_per_domain_{name}"] = {
                c: round(float(np.mean(p[labels == c] == c)), 3) for c in sorted(set(labels))
            }
            self.stdout.write(f"{folds}-fold accuracy {name.replace('_', ' ')}: {acc:.3f}")
        # Train on both views so the model does not lean on the title line alone.
        model = DomainClassifier().fit(np.vstack([x_full, x_body]), np.concatenate([labels, labels]))
        out = save_model(DOMAIN, model, metrics, out_dir=settings.SHIPPED_MODEL_DIR / DOMAIN if ship else None)
        self.stdout.write(f"saved {out} (embedding took {embed_s:.0f}s)")
        self.stdout.write(json.dumps({k: v for k, v in metrics.items() if k.startswith("cv_accuracy")}))
