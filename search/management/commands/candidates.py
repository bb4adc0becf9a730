from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jobmatch.jsonlines import json_line
from resumes.models import Resume
from search import access
from search.indexes.qdrant import VectorStoreBusy
from search.indexing.engine import reset_engine
from search.indexing.resume_index import resumes_index_missing
from search.matching.recruiters import resumes_for_posting
from search.models import JobPosting


class Command(BaseCommand):
    help = (
        "The best resumes for postings, one JSON line per posting: {posting, candidates: [{resume_external_id, "
        "score, why}]}, among the resumes the posting's recruiters may see (discoverable, or applied to the "
        "organisation's postings; for a posting of no organisation: discoverable ones and its applicants)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--posting", action="append", default=[], help="SOURCE:EXTERNAL_ID (repeatable)")
        parser.add_argument("--postings-jsonl", type=Path, help='lines {"source": ..., "external_id": ...}')
        parser.add_argument("--top", type=int, default=10)

    def handle(self, *args: object, posting: list[str], postings_jsonl: Path | None, top: int, **o: object) -> None:
        keys: list[str] = list(posting)
        if postings_jsonl is not None:
            if not postings_jsonl.is_file():
                raise CommandError(f"{postings_jsonl} not found")
            for n, line in enumerate(postings_jsonl.read_text(encoding="utf-8").splitlines(), start=1):
                if line.strip():
                    try:
                        obj = json_line(line)
                        keys.append(f"{obj['source']}:{obj['external_id']}")
                    except (ValueError, KeyError, TypeError):
                        raise CommandError(f'{postings_jsonl} line {n}: expected {{"source", "external_id"}}') from None
        if not keys:
            raise CommandError("give --posting SOURCE:EXTERNAL_ID or --postings-jsonl FILE")
        if top < 1:
            raise CommandError("--top must be at least 1")
        try:
            for key in keys:
                source, _, external_id = key.partition(":")
                p = (
                    JobPosting.objects.filter(source=source, external_id=external_id)
                    .select_related("organisation")
                    .first()
                )
                if p is None:
                    self.stdout.write(
                        json.dumps({"posting": key, "error": {"code": "not_found", "message": "no such posting"}})
                    )
                    continue
                shared = access.resumes_visible_for_posting(p)
                resumes_index_missing(resumes=Resume.objects.filter(pk__in=shared.values("id")))
                visible = set(shared.values_list("id", flat=True))
                applicants = set(p.applications.values_list("resume_id", flat=True))
                result = resumes_for_posting(posting=p, allowed=visible, k=top, include=applicants)
                items = result.items[:top]  # the best `top`; applicants beyond them are left out here
                ids = dict(Resume.objects.filter(pk__in=[i.resume_id for i in items]).values_list("id", "external_id"))
                public = dict(Resume.objects.filter(pk__in=[i.resume_id for i in items]).values_list("id", "public_id"))
                self.stdout.write(
                    json.dumps(
                        {
                            "posting": key,
                            "candidates": [
                                {
                                    "resume_external_id": ids.get(i.resume_id) or str(public[i.resume_id]),
                                    "score": round(i.score, 4),
                                    "applied": i.resume_id in applicants,
                                    "why": {k: v for k, v in i.why.items() if k != "features"},
                                }
                                for i in items
                            ],
                        }
                    )
                )
        except VectorStoreBusy as exc:
            raise CommandError(str(exc)) from None
        finally:
            reset_engine()
