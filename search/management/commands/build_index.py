from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from search.indexes.qdrant import VectorStoreBusy
from search.indexing.embeddings import precision
from search.indexing.engine import reset_engine
from search.indexing.posting_index import index_build


class Command(BaseCommand):
    help = "Embed new or changed postings into Qdrant and update the BM25 index; a second run touches only changes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="re-embed every posting (e.g. after a new model)")
        parser.add_argument("--batch-size", type=int, default=1024)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: object, full: bool, batch_size: int, no_progress: bool, **options: object) -> None:
        try:
            report = index_build(progress=not no_progress, batch_size=batch_size, full=full)
        except VectorStoreBusy as exc:
            raise CommandError(str(exc)) from None
        finally:
            reset_engine()
        self.stdout.write(
            f"{report.postings} active postings: embedded {report.embedded}, removed {report.vectors_removed} "
            f"vectors; BM25 updated {report.bm25_updated}, removed {report.bm25_removed} "
            f"({report.seconds.get('vectors', 0):.1f}s vectors, of which {report.seconds.get('embed', 0):.1f}s "
            f"embedding in {precision()}; {report.seconds.get('bm25', 0):.1f}s BM25; "
            f"{report.seconds.get('understand', 0):.1f}s reading skills and occupations)"
        )
        if report.postings_reclassified or report.resumes_reclassified:
            self.stdout.write(
                f"a new domain model: {report.postings_reclassified} postings and {report.resumes_reclassified} "
                f"indexed resumes classified again from their stored vectors ({report.seconds['reclassify']:.1f}s)"
            )
        if report.resumes_orphaned:
            self.stdout.write(
                f"{report.resumes_orphaned} deleted resumes were still in the recruiter-side indexes: removed."
            )
        if report.resumes_lost:
            self.stdout.write(
                f"{report.resumes_lost} resumes were missing from the recruiter-side indexes; "
                "they are indexed again the next time candidates are ranked for a posting."
            )
