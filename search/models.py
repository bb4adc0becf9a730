from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from resumes.models import Resume

ORG_SOURCE_PREFIX = "org-"  # postings written in the site are keyed (org-<slug>, their own id)


class Organisation(models.Model):
    """An employer or agency. Its recruiters see and manage only its postings."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def source(self) -> str:
        return f"{ORG_SOURCE_PREFIX}{self.slug}"


class Membership(models.Model):
    """Makes a user a recruiter of one organisation (search.access reads roles from here)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


def _invitation_token() -> str:
    return secrets.token_urlsafe(24)


def _invitation_expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=14)


class Invitation(models.Model):
    """A one-time code that makes whoever signs up with it a recruiter of an organisation, or an admin."""

    class Role(models.TextChoices):
        RECRUITER = "recruiter", "Recruiter"
        ADMIN = "admin", "Admin"

    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.RECRUITER)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(blank=True, help_text="Optional: who it is meant for (shown to the issuer only).")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="invitations_issued"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role="admin", organisation__isnull=True) | Q(role="recruiter", organisation__isnull=False),
                name="invitation_recruiters_have_an_organisation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} invitation{f' to {self.organisation}' if self.organisation else ''}"

    @property
    def usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


def open_posting(prefix: str = "", today: dt.date | None = None) -> Q:
    """Active and not past its closing date: the only postings any result list shows. `prefix` names the
    relation from another model ("posting__"), so a row is filtered by a join, not by a subquery over
    every open posting (which costs a results page most of its time at 100k postings)."""
    today = today or timezone.localdate()
    return Q(**{f"{prefix}active": True}) & (
        Q(**{f"{prefix}closes_at__isnull": True}) | Q(**{f"{prefix}closes_at__gte": today})
    )


class PostingQuerySet(models.QuerySet["JobPosting"]):
    def open(self, today: dt.date | None = None) -> PostingQuerySet:
        return self.filter(open_posting(today=today))


class JobPosting(models.Model):
    source = models.CharField(max_length=64)
    external_id = models.CharField(max_length=128)
    title = models.CharField(max_length=500)
    company = models.CharField(max_length=300, blank=True)
    company_ref = models.CharField(max_length=64, blank=True, help_text="The source's own company id.")
    location = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    industries = models.JSONField(default=list, blank=True)
    job_functions = models.JSONField(default=list, blank=True)
    work_type = models.CharField(max_length=40, blank=True)
    experience_level = models.CharField(max_length=40, blank=True)
    salary_min = models.FloatField(null=True, blank=True)
    salary_max = models.FloatField(null=True, blank=True)
    salary_period = models.CharField(max_length=20, blank=True)
    salary_currency = models.CharField(max_length=8, blank=True)
    remote = models.BooleanField(default=False)
    posted_at = models.DateField(null=True, blank=True)
    # Where to apply when the posting is not taken in the site (the source's own page, http(s) only).
    apply_url = models.URLField(max_length=500, blank=True)
    active = models.BooleanField(default=True, db_index=True)
    # The last day it takes applications; afterwards it leaves every result list and the indexes.
    closes_at = models.DateField(null=True, blank=True, db_index=True)
    # When it was closed (by hand, by the admin or on its closing date); None while open. Resumes shared only
    # by applying to it stay visible to its organisation for JOBMATCH_SHARING_GRACE_DAYS after this.
    closed_at = models.DateTimeField(null=True, blank=True)
    # Whose posting it is: set for postings written or imported by an organisation's recruiters.
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="postings"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    # When its candidates were last ranked, and whether a new ranking is on its way.
    candidates_ranked_at = models.DateTimeField(null=True, blank=True, editable=False)
    candidates_pending = models.BooleanField(default=False, editable=False)
    # Hash of every field the indexes read: a changed hash means "re-index me".
    content_hash = models.CharField(max_length=64, editable=False)
    # Written by indexing: the domain the poster declared (title, job functions, industries; see
    # search/ranking/posting_domains.py), the classifier's probabilities, and the domain shown:
    # the declared one, else the classifier's best guess.
    declared_domain = models.CharField(max_length=40, blank=True, editable=False)
    domain = models.CharField(max_length=40, blank=True)
    domain_probs = models.JSONField(null=True, blank=True, editable=False)
    # Written by indexing, in the resumes' vocabulary: canonical skills and the O*NET occupation.
    skills = models.JSONField(default=list, blank=True, editable=False)
    occupation_code = models.CharField(max_length=10, blank=True, editable=False)
    occupation_title = models.CharField(max_length=150, blank=True, editable=False)
    # Of those skills, the ones the posting does not state: its occupation's usual tools (O*NET), never
    # shown as what the employer asked for.
    skills_inferred = models.JSONField(default=list, blank=True, editable=False)
    # Its level on LinkedIn's scale (0 internship ... 5 executive; search.ranking.seniority): the declared
    # one, else what the title or the pay says.
    seniority = models.FloatField(null=True, blank=True, editable=False)
    # The content hash these were read from: a posting is read again when it differs.
    vocabulary_hash = models.CharField(max_length=64, blank=True, editable=False)
    # Written by indexing: where the posting sits in O*NET-SOC (occupation code -> probability, the
    # likeliest few; search.ranking.occupations), and its likeliest job family (the code's first two digits).
    occupations = models.JSONField(null=True, blank=True, editable=False)
    family = models.CharField(max_length=2, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PostingQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="posting_source_external_id")]
        # The search in a resume's domain reads the open postings of one domain (Engine.domain_postings).
        indexes = [
            models.Index(fields=["domain"], name="posting_domain"),
            models.Index(fields=["family"], name="posting_family"),
        ]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.title} [{self.source}:{self.external_id}]"

    @property
    def key(self) -> str:
        return f"{self.source}:{self.external_id}"

    @property
    def is_open(self) -> bool:
        return self.active and (self.closes_at is None or self.closes_at >= timezone.localdate())

    INDEXED_FIELDS = (
        "title",
        "company",
        "location",
        "description",
        "industries",
        "job_functions",
        "work_type",
        "experience_level",
        "remote",
    )

    def compute_content_hash(self) -> str:
        payload = json.dumps([getattr(self, f) for f in self.INDEXED_FIELDS], sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.content_hash = self.compute_content_hash()
        super().save(*args, **kwargs)

    @property
    def place(self) -> str:
        """Where it is, for a card: its location unless that only says "Remote" (the remote tag says so)."""
        return "" if self.location.strip().lower() in {"remote", "anywhere"} else self.location

    @property
    def stated_skills(self) -> list[str]:
        """The skills its own title and text name (not its occupation's usual tools, which it never asked for)."""
        inferred = set(self.skills_inferred or ())
        return [s for s in self.skills or () if s not in inferred]

    @property
    def apply_site(self) -> str:
        """The site its apply link leads to ("linkedin.com"), for the button's words."""
        host = urlsplit(self.apply_url).hostname or "" if self.apply_url else ""
        return host.removeprefix("www.")

    @property
    def salary_display(self) -> str:
        if self.salary_min is None and self.salary_max is None:
            return ""
        lo, hi = self.salary_min, self.salary_max
        fmt = "{:,.2f}" if max(lo or 0, hi or 0) < 1000 else "{:,.0f}"
        amount = (
            fmt.format(lo)
            if lo == hi or hi is None
            else (fmt.format(hi) if lo is None else f"{fmt.format(lo)} – {fmt.format(hi)}")
        )
        period = {
            "HOURLY": "hour",
            "YEARLY": "year",
            "MONTHLY": "month",
            "WEEKLY": "week",
            "BIWEEKLY": "two weeks",
            "ONCE": "one-off",
        }.get(self.salary_period.upper(), self.salary_period.lower())
        cur = f"{self.salary_currency} " if self.salary_currency else ""
        return f"{cur}{amount}" + (f" per {period}" if period and period != "one-off" else "")


class Recommendation(models.Model):
    """One of the top results for a resume, with the score each ranking stage gave it."""

    resume = models.ForeignKey(Resume, on_delete=models.CASCADE, related_name="recommendations")
    posting = models.ForeignKey(JobPosting, on_delete=models.CASCADE, related_name="recommendations")
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    bm25_score = models.FloatField(null=True, blank=True)
    bm25_rank = models.PositiveIntegerField(null=True, blank=True)
    vector_score = models.FloatField(null=True, blank=True)
    vector_rank = models.PositiveIntegerField(null=True, blank=True)
    fused_score = models.FloatField()
    domain_score = models.FloatField(null=True, blank=True)
    # The reasons shown with the result: matched and missing skills, domain, title, seniority and
    # location fit, and each feature's share of the score (search.ranking.explain.reasons).
    why = models.JSONField(default=dict, blank=True)
    # The pair's ranking features (search.ranking.features.FEATURES order): copied into the impression,
    # so the re-ranker can learn from what the seeker then did.
    features = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["resume", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["resume", "rank"], name="recommendation_resume_rank"),
            models.UniqueConstraint(fields=["resume", "posting"], name="recommendation_resume_posting"),
        ]

    @property
    def found_by(self) -> list[str]:
        return [name for name, rank in (("keywords", self.bm25_rank), ("meaning", self.vector_rank)) if rank]


class Application(models.Model):
    """A seeker applied to a posting: the resume is shared with the posting's organisation until withdrawn
    (withdrawing deletes the row)."""

    resume = models.ForeignKey(Resume, on_delete=models.CASCADE, related_name="applications")
    posting = models.ForeignKey(JobPosting, on_delete=models.CASCADE, related_name="applications")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["resume", "posting"], name="application_resume_posting")]


class IndexedResume(models.Model):
    """What the recruiter side's indexes hold of a resume: the hash of the text they were built from and
    the resume's domain probabilities (a feature of every pair). Deleted with the resume; the index
    entries themselves are removed by search.indexing.resume_index.resumes_unindex."""

    resume = models.OneToOneField(Resume, on_delete=models.CASCADE, primary_key=True, related_name="index_entry")
    content_hash = models.CharField(max_length=64)
    domain = models.CharField(max_length=40, blank=True)
    # The classifier's probability of `domain`: a posting's search in its domain takes the resumes
    # whose domain it is at even odds or better (search.matching.recruiters.resumes_of_domain).
    domain_score = models.FloatField(null=True, blank=True)
    domain_probs = models.JSONField(null=True, blank=True)
    # Where the resume sits in O*NET-SOC (code -> probability; search.ranking.occupations), from its titles,
    # its likeliest job family and that family's probability: a posting's search in its family takes the
    # resumes whose family it is at even odds or better.
    occupations = models.JSONField(null=True, blank=True)
    family = models.CharField(max_length=2, blank=True)
    family_score = models.FloatField(null=True, blank=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["domain", "domain_score"], name="indexedresume_domain"),
            models.Index(fields=["family", "family_score"], name="indexedresume_family"),
        ]


class CandidateMatch(models.Model):
    """One of the best resumes for a posting (the recruiter direction of ranking), with its reasons."""

    posting = models.ForeignKey(JobPosting, on_delete=models.CASCADE, related_name="candidate_matches")
    resume = models.ForeignKey(Resume, on_delete=models.CASCADE, related_name="candidate_matches")
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    bm25_rank = models.PositiveIntegerField(null=True, blank=True)
    vector_rank = models.PositiveIntegerField(null=True, blank=True)
    why = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["posting", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["posting", "resume"], name="candidate_posting_resume"),
        ]


class CandidateDecision(models.Model):
    """Where a candidate stands in one posting's hiring pipeline, with the latest note (only recruiters see
    it). A candidate with no row is "applied" when they applied and "suggested" otherwise; every move and
    note is kept in CandidateEvent."""

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        SCREENING = "screening", "Screening"
        INTERVIEW = "interview", "Interview"
        OFFER = "offer", "Offer"
        HIRED = "hired", "Hired"
        REJECTED = "rejected", "Rejected"

    posting = models.ForeignKey(JobPosting, on_delete=models.CASCADE, related_name="decisions")
    resume = models.ForeignKey(Resume, on_delete=models.CASCADE, related_name="decisions")
    status = models.CharField("stage", max_length=12, choices=Status.choices)
    note = models.TextField(blank=True, max_length=2000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(auto_now=True)
    # When the candidate entered the current stage (a note alone does not move it).
    stage_since = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = "pipeline stage"
        constraints = [models.UniqueConstraint(fields=["posting", "resume"], name="decision_posting_resume")]


class CandidateEvent(models.Model):
    """One step of a candidate's history for a posting: a move between stages, a note, or both. Deleted
    with the resume (it is about the person) and with the posting."""

    posting = models.ForeignKey(JobPosting, on_delete=models.CASCADE, related_name="candidate_events")
    resume = models.ForeignKey(Resume, on_delete=models.CASCADE, related_name="candidate_events")
    from_stage = models.CharField(max_length=12, blank=True)
    to_stage = models.CharField(max_length=12, blank=True)  # blank: a note, no move
    note = models.TextField(blank=True, max_length=2000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "candidate history entry"
        verbose_name_plural = "candidate history"
        indexes = [models.Index(fields=["posting", "resume", "at"], name="candidateevent_pair")]


class ResumeAccess(models.Model):
    """The audit log: every time someone other than the owner opened a resume or downloaded its file.

    The rows outlive the resume (resume set to null) but hold nothing read from it: who, what, when."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed the profile"
        DOWNLOAD = "download", "Downloaded the file"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150)
    resume = models.ForeignKey(Resume, null=True, on_delete=models.SET_NULL, related_name="+")
    resume_public_id = models.UUIDField()
    posting = models.ForeignKey(JobPosting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name_plural = "resume accesses"


class PostingImport(models.Model):
    """A postings file uploaded in the browser: checked (dry run), then committed and indexed."""

    class Status(models.TextChoices):
        CHECKED = "checked", "Checked, waiting for confirmation"
        INVALID = "invalid", "The file cannot be imported"
        COMMITTED = "committed", "Imported, waiting to be indexed"
        INDEXING = "indexing", "Indexing"
        DONE = "done", "Done"
        FAILED = "failed", "Indexing failed"

    public_id = models.UUIDField(unique=True, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    original_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    error = models.TextField(blank=True)  # why the whole file was refused
    encoding = models.CharField(max_length=20, blank=True)
    counts = models.JSONField(default=dict)  # created / updated / unchanged / rejected
    rejected = models.JSONField(default=list)  # [{line, external_id, reason}], the first REJECTED_SHOWN
    posting_ids = models.JSONField(default=list)  # what the commit wrote, for indexing progress
    indexed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class DismissReason(models.TextChoices):
    NOT_RELEVANT = "not_relevant", "Not relevant"
    WRONG_LOCATION = "wrong_location", "Wrong location"
    TOO_JUNIOR = "too_junior", "Too junior for me"
    TOO_SENIOR = "too_senior", "Too senior for me"
    SALARY_TOO_LOW = "salary_too_low", "Salary too low"
    APPLIED_ELSEWHERE = "applied_elsewhere", "Already applied elsewhere"


class Interaction(models.Model):
    """One thing a seeker did with (or was shown of) a posting, for one of their resumes: the log the
    personalised re-ranker learns from. Deleted with the resume."""

    class Kind(models.TextChoices):
        IMPRESSION = "impression", "Shown"
        OPEN = "open", "Opened"
        SAVE = "save", "Saved"
        UNSAVE = "unsave", "Unsaved"
        APPLY = "apply", "Applied"
        DISMISS = "dismiss", "Dismissed"
        ALERT = "alert", "Sent in a job alert"

    resume = models.ForeignKey(Resume, on_delete=models.CASCADE, related_name="interactions")
    posting = models.ForeignKey(JobPosting, on_delete=models.CASCADE, related_name="interactions")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(null=True, blank=True)  # rank shown, 1-based
    reason = models.CharField(max_length=20, choices=DismissReason.choices, blank=True)
    # Impressions and alerts: the pair's ranking features when it was shown (FEATURES order).
    features = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["resume", "posting", "kind"], name="interaction_resume_posting")]

    def __str__(self) -> str:
        return f"{self.kind} {self.posting_id} by resume {self.resume_id}"


class PostingFeedback(models.Model):
    """Where a seeker stands with a posting, for one resume: saved, applied, dismissed (and why). Interactions keep
    the history; this row is what ranking and the saved page read."""

    resume = models.ForeignKey(Resume, on_delete=models.CASCADE, related_name="feedback")
    posting = models.ForeignKey(JobPosting, on_delete=models.CASCADE, related_name="feedback")
    saved_at = models.DateTimeField(null=True, blank=True)
    # Applied: through JobMatch (an Application row too) or, for an imported posting, on the employer's site.
    applied_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismiss_reason = models.CharField(max_length=20, choices=DismissReason.choices, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [models.UniqueConstraint(fields=["resume", "posting"], name="feedback_resume_posting")]


class AlertSettings(models.Model):
    """How often a seeker wants an email of new postings that fit, and when the last one went out."""

    class Frequency(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        OFF = "off", "Off"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_settings")
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.OFF)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    # The window the next digest covers starts here (set when alerts are switched on, moved by every run).
    since = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "alert settings"

    def __str__(self) -> str:
        return f"{self.user}: {self.frequency}"
