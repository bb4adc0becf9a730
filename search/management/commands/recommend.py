from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from resumes.extract import ExtractionError, extract_text, sniff_content_type
from search.engine import reset_engine
from search.indexes.qdrant import VectorStoreBusy
from search.services import TOP_K, NoPostingsIndexed, jobs_for_text


def _from_files(paths: list[Path]) -> Iterator[tuple[str, str | None, dict[str, str] | None]]:
    for path in paths:
        try:
            data = path.read_bytes()
            yield str(path), extract_text(data, sniff_content_type(data)), None
        except ExtractionError as exc:
            yield str(path), None, {"code": exc.code, "message": exc.message}
        except OSError as exc:
            yield str(path), None, {"code": "unreadable", "message": f"cannot read the file: {exc.strerror}"}


def _from_jsonl(path: Path) -> Iterator[tuple[Any, str | None, dict[str, str] | None]]:
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                rid, text = obj.get("id", n), obj.get("text")
            except (json.JSONDecodeError, AttributeError):
                yield n, None, {"code": "unreadable", "message": f"line {n} is not a JSON object"}
                continue
            if not isinstance(text, str) or not text.strip():
                yield rid, None, {"code": "no_text", "message": "the line has no text"}
            else:
                yield rid, text, None


class Command(BaseCommand):
    help = "Print the top jobs for resumes as JSON lines: {id, jobs: [{source, external_id, title, score}]}."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--resume", type=Path, action="append", default=[], help="a PDF, DOCX or text file (repeatable)"
        )
        parser.add_argument("--resumes-jsonl", type=Path, help='lines {"id": ..., "text": ...}')
        parser.add_argument("--top", type=int, default=TOP_K)

    def handle(
        self, *args: object, resume: list[Path], resumes_jsonl: Path | None, top: int, **options: object
    ) -> None:
        if not resume and not resumes_jsonl:
            raise CommandError("give --resume FILE or --resumes-jsonl FILE")
        if top < 1:
            raise CommandError("--top must be at least 1")
        items = list(_from_files(resume)) if resume else []
        sources = [iter(items)] + ([_from_jsonl(resumes_jsonl)] if resumes_jsonl else [])
        try:
            for source in sources:
                for rid, text, error in source:
                    if error is not None:
                        self.stdout.write(json.dumps({"id": rid, "error": error}))
                        continue
                    assert text is not None
                    result = jobs_for_text(text=text, k=top)
                    jobs = [
                        {
                            "source": i.posting.source,
                            "external_id": i.posting.external_id,
                            "title": i.posting.title,
                            "score": round(i.candidate.final_score, 6),
                        }
                        for i in result.items
                    ]
                    self.stdout.write(json.dumps({"id": rid, "jobs": jobs}))
        except (VectorStoreBusy, NoPostingsIndexed) as exc:
            raise CommandError(str(exc)) from None
        finally:
            reset_engine()
