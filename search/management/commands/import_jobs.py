from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from search.postings.importers import READERS, ImportFormatError
from search.postings.services import postings_import

SHOW_REJECTED = 50


class Command(BaseCommand):
    help = "Import job postings (create or update by source + external id); bad rows are skipped and reported."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", type=Path, help="a linkedin-2023 folder, or a JSON-lines file (.jsonl or .jsonl.gz)"
        )
        parser.add_argument("--format", required=True, choices=sorted(READERS))
        parser.add_argument("--source", help="source name for jsonl rows that carry none")
        parser.add_argument("--limit", type=int, help="read only the first N rows")

    def handle(
        self, *args: object, path: Path, format: str, source: str | None, limit: int | None, **options: object
    ) -> None:
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        reader = READERS[format]
        records = reader(path, default_source=source) if format == "jsonl" else reader(path)
        if limit:
            from itertools import islice

            records = islice(records, limit)
        try:
            report = postings_import(records=records)
        except ImportFormatError as exc:
            raise CommandError(str(exc)) from None
        for r in report.rejected[:SHOW_REJECTED]:
            self.stderr.write(f"rejected line {r.line}{f' (id {r.external_id})' if r.external_id else ''}: {r.reason}")
        if len(report.rejected) > SHOW_REJECTED:
            self.stderr.write(f"... and {len(report.rejected) - SHOW_REJECTED} more rejected rows")
        self.stdout.write(
            f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
            f"rejected {len(report.rejected)}"
        )
