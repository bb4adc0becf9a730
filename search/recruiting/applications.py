"""Seekers' side of recruiting: who may find a resume, and applications to an organisation's postings
(an application shares the resume with the posting's organisation)."""

from __future__ import annotations

from django.db import transaction

from resumes.models import Resume
from search import access, tasks
from search.feedback import posting_applied
from search.models import Application, CandidateMatch, JobPosting, PostingFeedback


class ApplicationRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def candidate_rows_prune(*, resume: Resume) -> None:
    """Forget candidate rows of postings this resume is no longer shared with."""
    for match in CandidateMatch.objects.filter(resume=resume).select_related("posting__organisation"):
        if not access.resumes_visible_for_posting(match.posting).filter(pk=resume.pk).exists():
            match.delete()


def resume_visibility_set(*, resume: Resume, discoverable: bool) -> Resume:
    with transaction.atomic():
        resume.discoverable = discoverable
        resume.save(update_fields=["discoverable", "updated_at"])
        if not discoverable:
            candidate_rows_prune(resume=resume)
    return resume


def application_submit(*, resume: Resume, posting: JobPosting) -> Application:
    if resume.status != Resume.Status.DONE:
        raise ApplicationRefused("This resume is still being processed; apply once it says Done.")
    if not posting.is_open:
        raise ApplicationRefused("This posting is closed.")
    if posting.organisation_id is None:
        raise ApplicationRefused(
            "This posting was imported from a public data set; apply on the employer's own site instead."
        )
    with transaction.atomic():
        application, created = Application.objects.get_or_create(resume=resume, posting=posting)
        if created:
            JobPosting.objects.filter(pk=posting.pk).update(candidates_pending=True)
            tasks.rank_candidates.delay_on_commit(posting.pk)
            posting_applied(resume=resume, posting=posting)  # logged, and out of the seeker's list
    return application


def application_withdraw(*, resume: Resume, posting: JobPosting) -> None:
    with transaction.atomic():
        Application.objects.filter(resume=resume, posting=posting).delete()
        PostingFeedback.objects.filter(resume=resume, posting=posting).update(applied_at=None)
        candidate_rows_prune(resume=resume)
