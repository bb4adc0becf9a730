from __future__ import annotations

import csv
import gzip
import io
import random
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

TABLES_BY_JOB = ("job_industries", "job_skills", "salaries")
LOOKUPS = ("industries", "skills")


class Command(BaseCommand):
    help = "Write the demo subset of the LinkedIn 2023 postings (same folder layout, gzip CSV)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", type=Path, default=settings.SHARED_DATA_DIR / "linkedin-job-postings-2023")
        parser.add_argument("--out", type=Path, default=settings.BASE_DIR / "search" / "demo_data" / "linkedin-2023")
        parser.add_argument("--postings", type=int, default=8000)
        parser.add_argument("--seed", type=int, default=2023)

    def handle(self, *args: object, source: Path, out: Path, postings: int, seed: int, **options: object) -> None:
        out.mkdir(parents=True, exist_ok=True)
        with io.TextIOWrapper(gzip.open(source / "job_postings.csv.gz"), encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            header, rows = reader.fieldnames, list(reader)
        keep = sorted(random.Random(seed).sample(range(len(rows)), min(postings, len(rows))))
        chosen = [rows[i] for i in keep]
        ids = {r["job_id"] for r in chosen}
        self._write(out / "job_postings.csv.gz", header, chosen)
        for name in TABLES_BY_JOB:
            with io.TextIOWrapper(gzip.open(source / f"{name}.csv.gz"), encoding="utf-8", newline="") as fh:
                reader = csv.DictReader(fh)
                self._write(out / f"{name}.csv.gz", reader.fieldnames, [r for r in reader if r["job_id"] in ids])
        for name in LOOKUPS:
            (out / f"{name}.csv.gz").write_bytes((source / f"{name}.csv.gz").read_bytes())
        self.stdout.write(f"wrote {len(chosen)} postings to {out}")

    @staticmethod
    def _write(path: Path, header: list[str] | None, rows: list[dict[str, str]]) -> None:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=header or [], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path.write_bytes(gzip.compress(buf.getvalue().encode(), mtime=0))
