"""Pages for recruiters and admins: postings, candidates, invitations, bulk import.

Every view is guarded by `access.role_required`; every object is fetched through `access`, so a
posting or resume outside the user's reach answers 404.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jobmatch.metrics import RECOMMENDATIONS_SERVED
from resumes.views import original_file_response
from search import access
from search.access import ADMIN, RECRUITER, role_required
from search.forms import InvitationForm, PostingForm, PostingImportForm, StageForm
from search.models import Invitation, Organisation, PostingImport, ResumeAccess
from search.postings.bulk import (
    COLUMNS,
    MAX_IMPORT_BYTES,
    REJECTED_SHOWN,
    ImportNotConfirmable,
    import_check,
    import_commit,
    import_progress,
)
from search.postings.services import POSTING_FORM_FIELDS, posting_set_open, posting_update
from search.selectors import candidates_for_posting

from .decisions import candidates_request, candidates_stale, resume_access_record
from .exports import pipeline_csv, rejected_rows_csv
from .invitations import invitation_issue, invitation_link, invitation_send
from .overview import site_overview
from .pipeline import SUGGESTED, NotACandidate, board_for_posting, history, stage_label, stage_move, stage_of

log = logging.getLogger(__name__)

STAFF = (ADMIN, RECRUITER)
PAGE = 50


def _organisations_for_admin(request: HttpRequest):  # type: ignore[no-untyped-def]
    return Organisation.objects.all() if access.role_of(request.user) == ADMIN else None


@role_required(*STAFF)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    postings = access.postings_managed_by(request.user).select_related("organisation")
    q = request.GET.get("q", "").strip()[:100]
    if q:
        postings = postings.filter(Q(title__icontains=q) | Q(company__icontains=q) | Q(external_id=q))
    if access.role_of(request.user) == ADMIN and not q:
        postings = postings.filter(organisation__isnull=False)  # the public data set is in the Django admin
    postings = postings.annotate(n_applicants=Count("applications")).order_by("-created_at")
    page = Paginator(postings, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "recruit/dashboard.html",
        {"page": page, "q": q, "organisation": access.organisation_of(request.user)},
    )


@role_required(ADMIN)
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The site in numbers, for admins: postings, uploads, parse failures by code, alerts sent."""
    return render(request, "recruit/overview.html", {"overview": site_overview()})


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def posting_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    posting = access.posting_managed_by(request.user, pk) if pk is not None else None
    organisations = _organisations_for_admin(request)
    form = PostingForm(request.POST or None, instance=posting, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        organisation = (
            form.cleaned_data.get("organisation") if organisations is not None else access.organisation_of(request.user)
        )
        values = {name: form.cleaned_data[name] for name in POSTING_FORM_FIELDS if name in form.cleaned_data}
        saved = posting_update(by=request.user, organisation=organisation, values=values, posting=posting)
        messages.success(request, "Posting saved. It is being indexed and its candidates ranked.")
        return redirect("recruit:posting", pk=saved.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "recruit/posting_form.html", {"form": form, "posting": posting}, status=status)


@role_required(*STAFF)
@require_POST
def posting_toggle(request: HttpRequest, pk: int, open: bool) -> HttpResponse:
    posting = access.posting_managed_by(request.user, pk)
    posting_set_open(posting=posting, open=open)
    messages.success(request, "Posting reopened." if open else "Posting closed: it has left every result list.")
    return redirect("recruit:posting", pk=posting.pk)


@role_required(*STAFF)
@require_GET
def posting_candidates(request: HttpRequest, pk: int) -> HttpResponse:
    posting = access.posting_managed_by(request.user, pk)
    if posting.is_open and not posting.candidates_pending and candidates_stale(posting=posting):
        candidates_request(posting=posting)
        posting.candidates_pending = True
    rows = candidates_for_posting(posting=posting)
    RECOMMENDATIONS_SERVED.labels(surface="recruiter_candidates").inc(len(rows))
    return render(
        request,
        "recruit/posting.html",
        {"posting": posting, "rows": rows, "stages": StageForm.base_fields["stage"].choices, "tab": "ranked"},
    )


@role_required(*STAFF)
@require_GET
def posting_pipeline(request: HttpRequest, pk: int) -> HttpResponse:
    """The posting's candidates by stage, and its funnel."""
    posting = access.posting_managed_by(request.user, pk)
    board = board_for_posting(posting=posting)
    return render(
        request,
        "recruit/pipeline.html",
        {
            "posting": posting,
            "board": board,
            "columns": [(stage, stage_label(stage), cards) for stage, cards in board.columns.items()],
            "stages": StageForm.base_fields["stage"].choices,
            "tab": "pipeline",
        },
    )


@role_required(*STAFF)
@require_GET
def candidates_status(request: HttpRequest, pk: int) -> JsonResponse:
    posting = access.posting_managed_by(request.user, pk)
    return JsonResponse(
        {
            "pending": posting.candidates_pending,
            "ranked_at": posting.candidates_ranked_at.isoformat() if posting.candidates_ranked_at else None,
        }
    )


@role_required(*STAFF)
@require_POST
def candidates_rerank(request: HttpRequest, pk: int) -> HttpResponse:
    posting = access.posting_managed_by(request.user, pk)
    candidates_request(posting=posting)
    messages.info(request, "Ranking the candidates again…")
    return redirect("recruit:posting", pk=posting.pk)


def _candidate(request: HttpRequest, pk: int, public_id: str):  # type: ignore[no-untyped-def]
    """The posting (managed by the user) and a resume shared with its organisation; 404 otherwise."""
    posting = access.posting_managed_by(request.user, pk)
    resume = access.resumes_visible_for_posting(posting).filter(public_id=public_id).first()
    if resume is None or not access.resumes_shared_with(request.user).filter(pk=resume.pk).exists():
        raise Http404("No such candidate.")
    return posting, resume


@role_required(*STAFF)
@require_GET
def candidate_detail(request: HttpRequest, pk: int, public_id: str) -> HttpResponse:
    posting, resume = _candidate(request, pk, public_id)
    resume_access_record(user=request.user, resume=resume, action=ResumeAccess.Action.VIEW, posting=posting)
    match = posting.candidate_matches.filter(resume=resume).first()
    decision = posting.decisions.filter(resume=resume).first()
    applied = posting.applications.filter(resume=resume).exists()
    stage = stage_of(decision, applied)
    form = StageForm(initial={"stage": "screening" if stage == SUGGESTED else stage})
    return render(
        request,
        "recruit/candidate.html",
        {
            "posting": posting,
            "resume": resume,
            "match": match,
            "decision": decision,
            "stage": stage,
            "stage_label": stage_label(stage),
            "form": form,
            "applied": applied,
            "history": history(posting=posting, resume=resume),
        },
    )


@role_required(*STAFF)
@require_GET
def candidate_file(request: HttpRequest, pk: int, public_id: str) -> FileResponse:
    posting, resume = _candidate(request, pk, public_id)
    resume_access_record(user=request.user, resume=resume, action=ResumeAccess.Action.DOWNLOAD, posting=posting)
    return original_file_response(resume)


NEXT_PAGES = {"candidate": "recruit:candidate", "pipeline": "recruit:pipeline"}


@role_required(*STAFF)
@require_POST
def candidate_stage(request: HttpRequest, pk: int, public_id: str) -> HttpResponse:
    """Move a candidate to a stage (and/or add a note); back to the page the form was on."""
    posting, resume = _candidate(request, pk, public_id)
    form = StageForm(request.POST)
    name = (resume.profile or {}).get("name") or "The candidate"
    if form.is_valid():
        try:
            stage_move(
                posting=posting,
                resume=resume,
                stage=form.cleaned_data["stage"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except NotACandidate:
            raise Http404("No such candidate.") from None
        messages.success(request, f"{name}: {stage_label(form.cleaned_data['stage'])}.")
    else:
        messages.error(request, "Choose a stage; a note has at most 2,000 characters.")
    target = NEXT_PAGES.get(request.POST.get("next", ""))
    if target == "recruit:candidate":
        return redirect(target, pk=posting.pk, public_id=resume.public_id)
    return redirect(target or "recruit:posting", pk=posting.pk)


@role_required(*STAFF)
@require_GET
def pipeline_export(request: HttpRequest, pk: int) -> HttpResponse:
    posting = access.posting_managed_by(request.user, pk)
    response = HttpResponse(pipeline_csv(board_for_posting(posting=posting)), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="pipeline-{posting.pk}.csv"'
    return response


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest) -> HttpResponse:
    organisations = _organisations_for_admin(request)
    form = InvitationForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        role = form.cleaned_data["role"]
        organisation = form.cleaned_data.get("organisation") or access.organisation_of(request.user)
        invitation = invitation_issue(
            by=request.user, role=role, organisation=organisation, email=form.cleaned_data["email"]
        )
        link = invitation_link(invitation)
        if invitation.email:
            try:
                invitation_send(invitation, by=request.user.get_username())
            except Exception:
                log.exception("invitation %s not emailed", invitation.pk)
                messages.warning(
                    request, f"Invitation created, but the email could not be sent. Send this link: {link}"
                )
            else:
                messages.success(request, f"Invitation emailed to {invitation.email}. The link, to copy: {link}")
        else:
            messages.success(request, f"Invitation created. Send this link: {link} (or the code {invitation.token})")
        return redirect("recruit:invitations")
    mine = Invitation.objects.select_related("organisation", "accepted_by")
    if organisations is None:
        mine = mine.filter(organisation=access.organisation_of(request.user))
    return render(request, "recruit/invitations.html", {"form": form, "invitations": mine[:100]})


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    organisations = _organisations_for_admin(request)
    form = PostingImportForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        organisation = (
            form.cleaned_data.get("organisation") if organisations is not None else access.organisation_of(request.user)
        )
        data = upload.read(MAX_IMPORT_BYTES + 1)
        record = import_check(
            user=request.user,
            organisation=organisation,
            name=upload.name or "postings.csv",
            data=data,
            admin=organisations is not None,
        )
        return redirect("recruit:import", public_id=record.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "recruit/import_new.html", {"form": form, "columns": COLUMNS}, status=status)


def _import_for(request: HttpRequest, public_id: str) -> PostingImport:
    imports = PostingImport.objects.all()
    if access.role_of(request.user) != ADMIN:
        imports = imports.filter(organisation=access.organisation_of(request.user))
    record = imports.filter(public_id=public_id).first()
    if record is None:
        raise Http404("No such import.")
    return record


@role_required(*STAFF)
@require_GET
def import_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    record = _import_for(request, public_id)
    return render(
        request,
        "recruit/import.html",
        {"record": record, "progress": import_progress(record), "shown": REJECTED_SHOWN},
    )


@role_required(*STAFF)
@require_POST
def import_confirm(request: HttpRequest, public_id: str) -> HttpResponse:
    record = _import_for(request, public_id)
    try:
        import_commit(record=record, user=request.user)
    except ImportNotConfirmable as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Imported. The postings are being indexed.")
    return redirect("recruit:import", public_id=record.public_id)


@role_required(*STAFF)
@require_GET
def import_status(request: HttpRequest, public_id: str) -> JsonResponse:
    return JsonResponse(import_progress(_import_for(request, public_id)))


@role_required(*STAFF)
@require_GET
def import_rejected(request: HttpRequest, public_id: str) -> HttpResponse:
    record = _import_for(request, public_id)
    response = HttpResponse(rejected_rows_csv(record.rejected), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="rejected-rows-{record.pk}.csv"'
    return response
