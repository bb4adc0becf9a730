from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from resumes.batch import read_resume_inputs
from resumes.understanding.pipeline import understand


def profile_json(rid: Any, text: str) -> dict[str, Any]:
    p = understand(text)
    return {
        "id": rid,
        "name": p.name,
        "email": p.email,
        "phone": p.phone,
        "links": p.links,
        "location": p.location,
        "titles": p.titles,
        "companies": p.companies,
        "education": [{"degree": e.degree, "institution": e.institution, "year": e.year} for e in p.education],
        "skills": [{"name": s.name, "canonical": s.canonical, "start": s.start, "end": s.end} for s in p.skills],
        "years_experience": p.years_experience,
        "sections": p.sections,
    }


class Command(BaseCommand):
    help = "Print the structured profile of resumes as JSON lines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--resume", type=Path, action="append", default=[], help="a PDF, DOCX or text file")
        parser.add_argument("--jsonl", type=Path, help='lines {"id": ..., "text": ...}')

    def handle(self, *args: object, resume: list[Path], jsonl: Path | None, **options: object) -> None:
        if not resume and not jsonl:
            raise CommandError("give --resume FILE or --jsonl FILE")
        for rid, text, error in read_resume_inputs(resume, jsonl):
            if error is not None:
                self.stdout.write(json.dumps({"id": rid, "error": error}))
            else:
                assert text is not None
                self.stdout.write(json.dumps(profile_json(rid, text)))
