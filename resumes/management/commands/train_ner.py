from __future__ import annotations

import json
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from resumes.understanding.ner import NER_DIR, train_ner


class Command(BaseCommand):
    help = (
        "Train the resume NER (titles, employers, schools, degrees, years, skills blocks) on the DataTurks "
        "resumes; write resumes/artifacts/ner/."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dataset", type=Path, default=settings.SHARED_DATA_DIR / "resume-ner" / "resumes_ner.jsonl"
        )
        parser.add_argument("--epochs", type=int, default=15)
        parser.add_argument("--out", type=Path, default=NER_DIR)

    def handle(self, *args: object, dataset: Path, epochs: int, out: Path, **options: object) -> None:
        if not dataset.exists():
            raise CommandError(f"{dataset} not found")
        records = [json.loads(x) for x in dataset.read_text(encoding="utf-8").splitlines() if x.strip()]
        nlp = train_ner(records, epochs=epochs)
        if out.exists():
            shutil.rmtree(out)
        nlp.to_disk(out)
        self.stdout.write(f"trained on {len(records)} resumes for {epochs} epochs; saved {out}")
