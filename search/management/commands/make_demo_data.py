from __future__ import annotations

import csv
import gzip
import io
import json
import random
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

TABLES_BY_JOB = ("job_industries", "job_skills", "salaries")
LOOKUPS = ("industries", "skills")
# The fields of the LinkedIn 2024 postings (with their texts) the jsonl importer reads.
JSONL_FIELDS = (
    "id",
    "title",
    "company",
    "location",
    "description",
    "category",
    "industry",
    "posted",
    "salary_min",
    "salary_max",
    "salary_period",
    "salary_currency",
    "employment_type",
    "seniority",
    "url",
    "source",
)


class Command(BaseCommand):
    help = (
        "Write the demo postings: a subset of the LinkedIn 2023 postings (same folder layout, gzip CSV) and "
        "the LinkedIn 2024 postings with their descriptions (gzip JSON lines). Both CC BY-SA 4.0."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", type=Path, default=settings.SHARED_DATA_DIR / "linkedin-job-postings-2023")
        parser.add_argument("--out", type=Path, default=settings.BASE_DIR / "search" / "demo_data" / "linkedin-2023")
        parser.add_argument("--postings", type=int, default=8000)
        parser.add_argument("--seed", type=int, default=2023)
        texts = settings.SHARED_DATA_DIR / "job-postings-linkedin-2024" / "postings.jsonl.gz"
        parser.add_argument("--texts-source", type=Path, default=texts)
        parser.add_argument(
            "--texts-out", type=Path, default=settings.BASE_DIR / "search" / "demo_data" / "linkedin-2024.jsonl.gz"
        )

    def handle(
        self,
        *args: object,
        source: Path,
        out: Path,
        postings: int,
        seed: int,
        texts_source: Path,
        texts_out: Path,
        **options: object,
    ) -> None:
        self._write_texts(texts_source, texts_out)
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

    def _write_texts(self, source: Path, out: Path) -> None:
        """Every LinkedIn 2024 posting (descriptions included), only the fields the importer reads."""
        with gzip.open(source, "rt", encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        lines = (json.dumps({k: r[k] for k in JSONL_FIELDS if r.get(k) is not None}, ensure_ascii=False) for r in rows)
        out.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode(), compresslevel=9, mtime=0))
        self.stdout.write(f"wrote {len(rows)} postings with descriptions to {out}")

    @staticmethod
    def _write(path: Path, header: list[str] | None, rows: list[dict[str, str]]) -> None:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=header or [], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path.write_bytes(gzip.compress(buf.getvalue().encode(), mtime=0))
