from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from resumes.extract import ExtractionError, extract_text, sniff_content_type
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


def _inputs(files: list[Path], jsonl: Path | None) -> Iterator[tuple[Any, str | None, dict[str, str] | None]]:
    for path in files:
        try:
            data = path.read_bytes()
            yield str(path), extract_text(data, sniff_content_type(data)), None
        except ExtractionError as exc:
            yield str(path), None, {"code": exc.code, "message": exc.message}
        except OSError as exc:
            yield str(path), None, {"code": "unreadable", "message": f"cannot read the file: {exc.strerror}"}
    if jsonl is None:
        return
    with jsonl.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                yield n, None, {"code": "unreadable", "message": f"line {n} is not valid JSON"}
                continue
            text = obj.get("text") if isinstance(obj, dict) else None
            rid = obj.get("id", n) if isinstance(obj, dict) else n
            if not isinstance(text, str) or not text.strip():
                yield rid, None, {"code": "no_text", "message": "the line has no text"}
            else:
                yield rid, text, None


class Command(BaseCommand):
    help = "Print the structured profile of resumes as JSON lines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--resume", type=Path, action="append", default=[], help="a PDF, DOCX or text file")
        parser.add_argument("--jsonl", type=Path, help='lines {"id": ..., "text": ...}')

    def handle(self, *args: object, resume: list[Path], jsonl: Path | None, **options: object) -> None:
        if not resume and not jsonl:
            raise CommandError("give --resume FILE or --jsonl FILE")
        for rid, text, error in _inputs(resume, jsonl):
            if error is not None:
                self.stdout.write(json.dumps({"id": rid, "error": error}))
            else:
                assert text is not None
                self.stdout.write(json.dumps(profile_json(rid, text)))
