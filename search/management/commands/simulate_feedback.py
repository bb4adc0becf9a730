"""Evaluate feedback by simulation: simulated seekers act on their results for several rounds, with the
nightly retraining between rounds; P@10 against their hidden preferences, personalised vs not.

    python manage.py simulate_feedback [--seekers 40] [--rounds 5] [--seed 7] [--json]

Needs indexed postings (the data dir's) and labelled resumes (the Kaggle resumes by default). The
simulated seekers, their interactions and the personalised models trained during the run are deleted
at the end unless --keep. See search/evaluation/simulation.py for how the seekers behave.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from search.evaluation.cache import cached_embeddings, cached_profiles
from search.evaluation.datasets import load_resumes
from search.evaluation.simulation import RoundResult, preferences_for, seekers_create, seekers_delete, simulate
from search.indexing.artifacts import PERSONAL
from search.indexing.engine import get_engine
from search.ranking.sides import query_text


class Command(BaseCommand):
    help = "Simulated seekers with hidden preferences: P@10 per round, personalised vs not."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--resumes",
            type=Path,
            default=settings.SHARED_DATA_DIR / "kaggle-resume-dataset" / "resumes_train.parquet",
            help="labelled resumes (parquet ID/Resume_str/Category or JSON lines {id, text, category})",
        )
        parser.add_argument("--seekers", type=int, default=40)
        parser.add_argument("--rounds", type=int, default=5)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--min-right", type=int, default=20, help="right postings a hidden preference must leave (feasibility)"
        )
        parser.add_argument("--json", action="store_true", help="end with one JSON object: rounds and gain")
        parser.add_argument("--keep", action="store_true", help="keep the simulated seekers and models")

    def handle(self, *args: object, **o: Any) -> None:

        if not o["resumes"].exists():
            raise CommandError(f"{o['resumes']} not found (set JOBMATCH_SHARED_DATA or pass --resumes)")
        if len(get_engine().bm25) == 0:
            raise CommandError("no postings indexed: run import_jobs and build_index first")
        model_dir = settings.MODEL_DIR / PERSONAL
        if model_dir.exists() and any(model_dir.iterdir()) and not o["keep"]:
            raise CommandError(
                f"{model_dir} holds personalised models trained on real interactions; the simulation trains its "
                "own: run it on a separate JOBMATCH_DATA_DIR (or pass --keep to add to them)"
            )
        rng = random.Random(o["seed"])
        chosen = preferences_for(load_resumes(o["resumes"]), o["seekers"], rng, o["min_right"])
        if not chosen:
            raise CommandError("no resume's domain has enough indexed postings in one region to simulate")
        cache = settings.DATA_DIR / "cache"
        self.stderr.write(f"{len(chosen)} simulated seekers; reading their resumes (cached under {cache})...")
        profiles = cached_profiles([r.text for r, _ in chosen], cache / "profiles")
        vecs = cached_embeddings(
            [query_text(text=r.text, profile=p) for (r, _), p in zip(chosen, profiles, strict=True)],
            cache / "embeddings",
        )
        tag = str(o["seed"])
        seekers_delete(tag)
        seekers = seekers_create(chosen, profiles, vecs, tag)
        self.stdout.write(f"{'round':>5} {'personalised P@10':>18} {'baseline P@10':>14}  model")

        def show(r: RoundResult) -> None:
            self.stdout.write(f"{r.round:>5} {r.p10_personalised:>18.3f} {r.p10_baseline:>14.3f}  {r.model}")

        try:
            results = simulate(seekers, rounds=o["rounds"], rng=rng, on_round=show)
        finally:
            if not o["keep"]:
                seekers_delete(tag)
                shutil.rmtree(model_dir, ignore_errors=True)
                get_engine().reload_personal()
        gain = results[-1].p10_personalised - results[-1].p10_baseline
        self.stdout.write(f"gain in the last round: {gain:+.3f}")
        if o["json"]:
            rounds = [
                {k: v for k, v in r.as_dict().items() if k in ("round", "p10_personalised", "p10_baseline")}
                for r in results
            ]
            self.stdout.write(json.dumps({"rounds": rounds, "gain": round(gain, 4)}))
