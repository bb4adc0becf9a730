from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from search.models import JobPosting
from search.ranking.posting_domains import posting_domain


class Command(BaseCommand):
    help = (
        "Write each imported posting's domain, read from its title, job functions and industries "
        "(search/ranking/posting_domains.py), as JSON lines {source, external_id, domain}: "
        "the labels evaluate_ranking reads."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--source", help="only postings of this source (e.g. linkedin-2023)")

    def handle(self, *args: object, out: Path, source: str | None, **options: object) -> None:
        postings = JobPosting.objects.filter(active=True).order_by("id")
        if source:
            postings = postings.filter(source=source)
        counts: Counter[str] = Counter()
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as fh:
            for p in postings.only("source", "external_id", "title", "job_functions", "industries").iterator(2000):
                domain = posting_domain(p.title, p.job_functions, p.industries)
                counts[domain or "(none)"] += 1
                fh.write(json.dumps({"source": p.source, "external_id": p.external_id, "domain": domain}) + "\n")
        self.stdout.write(f"{sum(counts.values())} postings labelled into {out}")
        for domain, n in counts.most_common():
            self.stdout.write(f"  {domain:<24}{n:>7}")
