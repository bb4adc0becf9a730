"""Build the occupation model (search.ranking.occupations) from O*NET 29.2's titles and ship it.

Each O*NET-SOC occupation's title, alternate titles and reported titles are embedded; a tenth of each
occupation's alternate titles (for occupations with ten or more) is held out to choose the softmax
temperature and to measure the model; the rest make the centroids. The metrics (held-out accuracy at 1
and 5, log loss, calibration) are written to metrics.json beside the model.
"""

from __future__ import annotations

import csv
import gzip
import itertools
import json
import random
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from search.indexing.artifacts import OCCUPATIONS, save_model
from search.indexing.embeddings import embed_texts
from search.ranking.occupations import OccupationModel

HELD_OUT = 0.1
MIN_ALTERNATES = 10
BINS = 10


def calibration_error(top_p: np.ndarray, right: np.ndarray) -> float:
    """Expected calibration error of the top-1 probabilities over BINS equal-width bins."""
    edges = np.linspace(0, 1, BINS + 1)
    total = 0.0
    for lo, hi in itertools.pairwise(edges):
        inside = (top_p > lo) & (top_p <= hi)
        if inside.any():
            total += inside.mean() * abs(float(top_p[inside].mean()) - float(right[inside].mean()))
    return total


class Command(BaseCommand):
    help = "Build the occupation model from O*NET's titles (held-out accuracy and calibration in metrics.json)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--onet", type=Path, default=Path(settings.SHARED_DATA_DIR) / "onet-29.2")
        parser.add_argument("--ship", action="store_true", help="write to search/artifacts/occupations")

    def handle(self, *args: Any, onet: Path, ship: bool, **o: Any) -> None:
        if not (onet / "occupation_data.csv.gz").exists():
            raise CommandError(f"{onet} holds no O*NET tables (occupation_data.csv.gz)")
        t0 = time.perf_counter()
        titles = {r["O*NET-SOC Code"]: r["Title"] for r in self._rows(onet / "occupation_data.csv.gz")}
        strings: dict[str, list[str]] = defaultdict(list)
        for code, title in titles.items():
            strings[code].append(title)
        alternates: dict[str, list[str]] = defaultdict(list)
        for r in self._rows(onet / "alternate_titles.csv.gz"):
            alternates[r["O*NET-SOC Code"]].append(r["Alternate Title"])
        for r in self._rows(onet / "sample_of_reported_titles.csv.gz"):
            strings[r["O*NET-SOC Code"]].append(r["Reported Job Title"])
        rng = random.Random(29)
        train: list[tuple[str, str]] = []
        held: list[tuple[str, str]] = []
        for code in sorted(titles):
            alts = sorted(set(alternates.get(code, [])))
            rng.shuffle(alts)
            n_held = round(len(alts) * HELD_OUT) if len(alts) >= MIN_ALTERNATES else 0
            held += [(a, code) for a in alts[:n_held]]
            seen: set[str] = set()
            for s in [*strings[code], *alts[n_held:]]:
                if s.lower() not in seen:
                    seen.add(s.lower())
                    train.append((s, code))
        self.stderr.write(f"embedding {len(train)} training and {len(held)} held-out titles...")
        x_train = embed_texts([s for s, _ in train], batch_size=256)
        x_held = embed_texts([s for s, _ in held], batch_size=256)
        model = OccupationModel().fit(x_train, [c for _, c in train], x_held, [c for _, c in held])
        model.titles_ = titles
        p = model.predict_proba(x_held)
        cols = np.searchsorted(model.classes_, np.asarray([c for _, c in held]))
        order = np.argsort(-p, axis=1)
        right1 = order[:, 0] == cols
        right5 = (order[:, :5] == cols[:, None]).any(axis=1)
        families_right = np.asarray(
            [model.classes_[o][:2] == c[:2] for o, (_, c) in zip(order[:, 0], held, strict=True)]
        )
        metrics = {
            "data": "O*NET 29.2: occupation titles, alternate titles, sample of reported titles",
            "occupations": len(model.classes_),
            "train_titles": len(train),
            "held_out_titles": len(held),
            "temperature": model.temperature_,
            "held_out_log_loss_by_temperature": model.validation_losses_,
            "held_out_accuracy_at_1": round(float(right1.mean()), 4),
            "held_out_accuracy_at_5": round(float(right5.mean()), 4),
            "held_out_family_accuracy": round(float(families_right.mean()), 4),
            "held_out_calibration_error": round(calibration_error(p.max(axis=1), right1), 4),
            "seconds": round(time.perf_counter() - t0, 1),
        }
        out = save_model(
            OCCUPATIONS, model, metrics, out_dir=settings.SHIPPED_MODEL_DIR / OCCUPATIONS if ship else None
        )
        self.stdout.write(f"occupation model saved in {out}")
        self.stdout.write(json.dumps({k: v for k, v in metrics.items() if k != "held_out_log_loss_by_temperature"}))

    @staticmethod
    def _rows(path: Path) -> list[dict[str, str]]:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
