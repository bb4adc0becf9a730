from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from . import tasks
from .models import (
    AlertSettings,
    Application,
    CandidateDecision,
    CandidateEvent,
    Interaction,
    Invitation,
    JobPosting,
    Membership,
    Organisation,
    PostingImport,
    Recommendation,
    ResumeAccess,
    open_posting,
)
from .postings.services import postings_reindex, postings_set_open


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    fields = ("token", "role", "email", "created_by", "expires_at", "accepted_by", "accepted_at")
    readonly_fields = ("token", "created_by", "accepted_by", "accepted_at")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline, InvitationInline]


def _changed(request: HttpRequest, count: int, what: str) -> None:
    messages.success(request, f"{count} postings {what}; the indexes are being updated in the background.")


@admin.action(description="Close: remove from every result list and the indexes")
def close_postings(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[JobPosting]) -> None:
    ids = list(queryset.values_list("id", flat=True))
    _changed(request, postings_set_open(posting_ids=ids, open=False), "closed")


@admin.action(description="Reopen")
def reopen_postings(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[JobPosting]) -> None:
    ids = list(queryset.values_list("id", flat=True))
    _changed(request, postings_set_open(posting_ids=ids, open=True), "reopened")


@admin.action(description="Re-index (read, embed and index again)")
def reindex_postings(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[JobPosting]) -> None:
    ids = list(queryset.values_list("id", flat=True))
    _changed(request, postings_reindex(posting_ids=ids), "queued for re-indexing")


class OpenFilter(admin.SimpleListFilter):
    title = "open"
    parameter_name = "open"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "Open"), ("no", "Closed or expired")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[JobPosting]) -> QuerySet[JobPosting]:
        if self.value() == "yes":
            return queryset.filter(open_posting())
        if self.value() == "no":
            return queryset.exclude(open_posting())
        return queryset


@admin.register(JobPosting)
class JobPostingAdmin(admin.ModelAdmin):
    list_display = ("title", "company", "organisation", "location", "source", "external_id", "closes_at", "active")
    list_filter = (OpenFilter, "active", "source", "organisation", "work_type", "experience_level", "remote", "domain")
    search_fields = ("title", "company", "location", "external_id")
    readonly_fields = ("content_hash", "domain", "domain_probs", "created_at", "updated_at")
    raw_id_fields = ("organisation",)
    date_hierarchy = "created_at"
    actions = [close_postings, reopen_postings, reindex_postings]
    list_per_page = 50
    show_full_result_count = False  # a count(*) over 100k postings on every page is slow

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        tasks.index_postings.delay_on_commit()


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ("resume", "rank", "posting", "score", "bm25_rank", "vector_rank", "domain_score")
    raw_id_fields = ("resume", "posting")


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("posting", "resume", "created_at")
    raw_id_fields = ("resume", "posting")


@admin.register(CandidateDecision)
class CandidateDecisionAdmin(admin.ModelAdmin):
    list_display = ("posting", "resume", "status", "stage_since", "decided_by", "decided_at")
    list_filter = ("status",)
    raw_id_fields = ("resume", "posting")


@admin.register(CandidateEvent)
class CandidateEventAdmin(admin.ModelAdmin):
    list_display = ("posting", "resume", "from_stage", "to_stage", "by_name", "at")
    list_filter = ("to_stage",)
    readonly_fields = [f.name for f in CandidateEvent._meta.fields]


@admin.register(PostingImport)
class PostingImportAdmin(admin.ModelAdmin):
    list_display = ("original_name", "organisation", "uploaded_by", "status", "counts", "created_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in PostingImport._meta.fields]


@admin.register(ResumeAccess)
class ResumeAccessAdmin(admin.ModelAdmin):
    """The audit log: read only."""

    list_display = ("at", "username", "action", "resume_public_id", "posting")
    list_filter = ("action",)
    search_fields = ("username", "resume_public_id")
    readonly_fields = [f.name for f in ResumeAccess._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    """What seekers did with their results (the personalised re-ranker's data): read only."""

    list_display = ("created_at", "kind", "position", "reason", "resume", "posting")
    list_filter = ("kind", "reason")
    raw_id_fields = ("resume", "posting")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AlertSettings)
class AlertSettingsAdmin(admin.ModelAdmin):
    list_display = ("user", "frequency", "last_sent_at", "since")
    list_filter = ("frequency",)
    search_fields = ("user__username", "user__email")
    raw_id_fields = ("user",)
