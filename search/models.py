from __future__ import annotations

import hashlib
import json

from django.db import models

from resumes.models import Resume


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
    active = models.BooleanField(default=True, db_index=True)
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
    # The content hash these were read from: a posting is read again when it differs.
    vocabulary_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="posting_source_external_id")]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.title} [{self.source}:{self.external_id}]"

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
    # location fit, and each feature's share of the score (search.services._why).
    why = models.JSONField(default=dict, blank=True)
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
