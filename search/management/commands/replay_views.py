"""Replay the real job-board views of the job-recommendation case study against the ranking.

Needs a data dir of its own (the viewed jobs are its postings): the first run imports them and builds
the index, later runs reuse it.

    JOBMATCH_DATA_DIR=<empty dir> python manage.py replay_views [--min-views 4] [--json]
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from resumes.services import profile_read
from search.evaluation.replay import SOURCE, ReplayDataError, applicants, replay, viewed_jobs
from search.models import JobPosting
from search.postings.services import postings_import


class Command(BaseCommand):
    help = "Do the jobs a seeker viewed first bring the jobs they viewed next into the top ten? (real views)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir", type=Path, default=settings.SHARED_DATA_DIR / "job-recommendation-case-study", dest="folder"
        )
        parser.add_argument("--min-views", type=int, default=4, help="distinct viewed jobs an applicant needs")
        parser.add_argument("--limit", type=int, help="replay only the first N applicants")
        parser.add_argument("--json", action="store_true", help="end with one JSON object")

    def handle(self, *args: object, folder: Path, min_views: int, limit: int | None, **o: Any) -> None:
        if JobPosting.objects.exclude(source=SOURCE).exists():
            raise CommandError(
                "this data dir holds other postings; the replay ranks the viewed jobs alone: "
                "run it on a JOBMATCH_DATA_DIR of its own"
            )
        try:
            jobs = viewed_jobs(folder)
            people = applicants(folder, min_views)[:limit]
        except ReplayDataError as exc:
            raise CommandError(str(exc)) from None
        if not JobPosting.objects.filter(source=SOURCE).exists():
            report = postings_import(records=jobs)
            self.stderr.write(f"imported {report.created} viewed jobs; building the index")
            call_command("build_index", stdout=self.stderr, stderr=self.stderr)
        ids = dict(JobPosting.objects.filter(source=SOURCE).values_list("external_id", "id"))
        self.stderr.write(f"{len(people)} applicants with {min_views}+ viewed jobs; replaying")
        result = replay(
            people,
            ids,
            profile_of=lambda text: profile_read(text=text),
            on_progress=lambda n, total: self.stderr.write(f"{n}/{total} applicants") if n % 50 == 0 else None,
        )
        out = result.as_dict()
        self.stdout.write(
            f"{out['applicants']} applicants, {out['future_jobs']} later views among {len(ids)} jobs; "
            "top ten holds (recall@10 | applicants with a hit):"
        )
        for name in ("baseline", "personalised"):
            self.stdout.write(f"{name:<13} {out[f'recall10_{name}']:.3f} | {out[f'hit_rate10_{name}']:.3f}")
        if o["json"]:
            self.stdout.write(json.dumps(out))
