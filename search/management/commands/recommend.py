from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from resumes.batch import read_resume_inputs
from search.engine import reset_engine
from search.indexes.qdrant import VectorStoreBusy
from search.services import TOP_K, NoPostingsIndexed, jobs_for_text


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
        try:
            for rid, text, error in read_resume_inputs(resume, resumes_jsonl):
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
