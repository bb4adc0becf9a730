from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from resumes.batch import read_resume_inputs
from resumes.understanding.pipeline import understand
from search.filters import LOCATION_SCOPES, WORK_TYPES, FilterError, Filters
from search.indexes.qdrant import VectorStoreBusy
from search.indexing.engine import reset_engine
from search.matching.seekers import NoPostingsIndexed, jobs_for_text
from search.ranking.features import EXPERIENCE_LEVELS
from search.ranking.pipeline import TOP_K
from search.ranking.sides import query_text


class Command(BaseCommand):
    help = (
        "Print the top jobs for resumes as JSON lines: "
        "{id, domain, jobs: [{source, external_id, title, company, location, score, why}]}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--resume", type=Path, action="append", default=[], help="a PDF, DOCX or text file (repeatable)"
        )
        parser.add_argument("--resumes-jsonl", type=Path, help='lines {"id": ..., "text": ...}')
        parser.add_argument("--top", type=int, default=TOP_K)
        parser.add_argument(
            "--location-scope",
            choices=[s for s in LOCATION_SCOPES if s],
            help="keep postings in this city/region only, or remote ones",
        )
        parser.add_argument("--location", default="", help='"City, ST": what --location-scope city/region refers to')
        parser.add_argument("--work-type", action="append", default=[], choices=WORK_TYPES)
        parser.add_argument("--experience-level", action="append", default=[], choices=EXPERIENCE_LEVELS)
        parser.add_argument("--min-salary", type=float, help="per year; hourly pay counts 2,080 hours")

    def handle(
        self, *args: object, resume: list[Path], resumes_jsonl: Path | None, top: int, **options: object
    ) -> None:
        if not resume and not resumes_jsonl:
            raise CommandError("give --resume FILE or --resumes-jsonl FILE")
        if top < 1:
            raise CommandError("--top must be at least 1")
        try:
            filters = Filters(
                location_scope=str(options.get("location_scope") or ""),
                location=str(options.get("location") or ""),
                work_types=tuple(options.get("work_type") or ()),  # type: ignore[arg-type]
                experience_levels=tuple(options.get("experience_level") or ()),  # type: ignore[arg-type]
                min_salary=options.get("min_salary"),  # type: ignore[arg-type]
            )
        except FilterError as exc:
            raise CommandError(str(exc)) from None
        try:
            for rid, text, error in read_resume_inputs(resume, resumes_jsonl):
                if error is not None:
                    self.stdout.write(json.dumps({"id": rid, "error": error}))
                    continue
                assert text is not None
                profile = understand(text).to_dict()
                result = jobs_for_text(
                    text=query_text(text=text, profile=profile), profile=profile, filters=filters, k=top
                )
                jobs = [
                    {
                        "source": i.posting.source,
                        "external_id": i.posting.external_id,
                        "title": i.posting.title,
                        "company": i.posting.company,
                        "location": i.posting.location,
                        "score": round(i.candidate.final_score, 6),
                        "why": i.why,
                    }
                    for i in result.items
                ]
                line: dict[str, object] = {"id": rid, "domain": result.domain, "jobs": jobs}
                if result.passed_filters is not None:
                    line["passed_filters"] = result.passed_filters
                self.stdout.write(json.dumps(line))
        except (VectorStoreBusy, NoPostingsIndexed) as exc:
            raise CommandError(str(exc)) from None
        finally:
            reset_engine()
