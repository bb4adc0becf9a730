from django.contrib import admin

from .models import JobPosting, Recommendation


@admin.register(JobPosting)
class JobPostingAdmin(admin.ModelAdmin):
    list_display = ("title", "company", "location", "source", "external_id", "work_type", "experience_level", "active")
    list_filter = ("active", "source", "work_type", "experience_level", "remote")
    search_fields = ("title", "company", "location", "external_id")
    readonly_fields = ("content_hash", "domain", "domain_probs", "created_at", "updated_at")


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ("resume", "rank", "posting", "score", "bm25_rank", "vector_rank", "domain_score")
    raw_id_fields = ("resume", "posting")
