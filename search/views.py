from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import InvalidPage
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jobmatch.limits import quota_spend, quota_wait
from jobmatch.metrics import RECOMMENDATIONS_SERVED
from resumes.selectors import resume_get_for_owner, resumes_for_owner
from resumes.services import filters_update

from . import access, alerts, feedback, selectors
from .filters import FilterError, Filters
from .forms import AlertSettingsForm, FiltersForm, FitForm, PublicSearchForm
from .models import Application, DismissReason, JobPosting
from .postings.finder import REMOTE_WORD, PublicQuery, SearchUnavailable, ask_service, find
from .recruiting.applications import (
    ApplicationRefused,
    application_submit,
    application_withdraw,
    resume_visibility_set,
)


@login_required
@require_GET
def resume_matches(request: HttpRequest, public_id: str) -> HttpResponse:
    """The ranked postings for one of the user's resumes (a fragment the resume page loads)."""
    resume = resume_get_for_owner(owner=request.user, public_id=public_id)
    recommendations = list(selectors.recommendations_for_resume(resume=resume))
    RECOMMENDATIONS_SERVED.labels(surface="results_page").inc(len(recommendations))
    feedback.impressions_record(
        resume=resume,
        shown=[(r.posting_id, r.rank) for r in recommendations],
        features={r.posting_id: r.features for r in recommendations},
    )
    return render(
        request,
        "search/_matches.html",
        {
            "resume": resume,
            "recommendations": recommendations,
            "filters": Filters.saved(resume.filters),
            "applied": selectors.applied_posting_ids(resume=resume),
            "saved": selectors.saved_posting_ids(resume=resume),
            "dismiss_reasons": DismissReason.choices,
        },
    )


FEEDBACK_PAGES = {"saved": "search:saved", "applied": "search:applied", "dismissed": "search:dismissed"}


@login_required
@require_POST
def resume_feedback(request: HttpRequest, public_id: str) -> HttpResponse:
    """Save, unsave, dismiss (with a reason), undo a dismissal, or mark as applied elsewhere: one posting
    of this resume's results."""
    resume = resume_get_for_owner(owner=request.user, public_id=public_id)
    posting_id = request.POST.get("posting", "")
    posting = get_object_or_404(JobPosting, pk=int(posting_id) if posting_id.isdigit() and len(posting_id) < 12 else 0)
    position = shown_position(request.POST.get("position", ""))
    action = request.POST.get("action", "")
    if action in ("save", "dismiss", "applied") and not posting.is_open:
        raise Http404("This posting is closed or does not exist.")  # never a closed posting's title
    ok, removed = True, False
    if action == "save":
        feedback.bookmark_save(resume=resume, posting=posting, saved=True, position=position)
        said = f"Saved {posting.title}. Find it under Saved jobs."
    elif action == "unsave":
        feedback.bookmark_save(resume=resume, posting=posting, saved=False, position=position)
        said = f"{posting.title} is no longer saved."
    elif action == "dismiss":
        try:
            change = feedback.posting_dismiss(
                resume=resume, posting=posting, reason=request.POST.get("reason", ""), position=position
            )
        except feedback.FeedbackRefused as exc:
            ok, said = False, str(exc)
        else:
            removed, said = True, f"Dismissed {posting.title}." + (f" {change}." if change else "")
    elif action == "undismiss":
        feedback.posting_undismiss(resume=resume, posting=posting)
        said = f"{posting.title} can appear in your results again."
    elif action == "applied":
        feedback.posting_applied(resume=resume, posting=posting, position=position)
        removed, said = True, f"Marked {posting.title} as applied. Find it under Applications."
    else:
        ok, said = False, "Unknown action: choose save, dismiss or applied."
    if request.headers.get("X-Requested-With") == "fetch":  # the results page updates the card in place
        return JsonResponse(
            {"ok": ok, "message": said, "removed": removed, "action": action}, status=200 if ok else 400
        )
    (messages.success if ok else messages.error)(request, said)
    back = FEEDBACK_PAGES.get(request.POST.get("back", ""))
    return redirect(back) if back else redirect("resumes:detail", public_id=resume.public_id)


MAX_POSITION = 1000  # a rank shown in a list (1-based); anything else from a client is dropped


def shown_position(value: str) -> int | None:
    """The rank a client says a posting was shown at, if it is one (the column is a small integer)."""
    value = value.strip()
    if not value.isdigit() or len(value) > 4:
        return None
    n = int(value)
    return n if 1 <= n <= MAX_POSITION else None


def _my_postings(request: HttpRequest, tab: str, rows: object) -> HttpResponse:
    return render(request, "search/my_postings.html", {"tab": tab, "rows": rows})


@login_required
@require_GET
def saved(request: HttpRequest) -> HttpResponse:
    return _my_postings(request, "saved", selectors.saved_for_owner(owner=request.user))


@login_required
@require_GET
def applied(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.applied_for_owner(owner=request.user))
    sent = set(Application.objects.filter(resume__owner=request.user).values_list("resume_id", "posting_id"))
    for row in rows:  # an application made here (not only marked as applied elsewhere), open or closed
        row.withdrawable = (row.resume_id, row.posting_id) in sent  # type: ignore[attr-defined]
    return _my_postings(request, "applied", rows)


@login_required
@require_GET
def dismissed(request: HttpRequest) -> HttpResponse:
    return _my_postings(request, "dismissed", selectors.dismissed_for_owner(owner=request.user))


@login_required
@require_http_methods(["GET", "POST"])
def alert_settings(request: HttpRequest) -> HttpResponse:
    """Daily, weekly or no email of new postings that fit."""
    current = alerts.settings_for(user=request.user)
    form = AlertSettingsForm(request.POST or None, initial={"frequency": current.frequency})
    verified = alerts.verified_address(user=request.user)
    if request.method == "POST" and form.is_valid():
        frequency = form.cleaned_data["frequency"]
        alerts.frequency_set(user=request.user, frequency=frequency)
        if frequency != "off" and verified is None:
            messages.warning(request, "Saved, but no alert is sent until you verify your email address.")
        else:
            messages.success(request, alerts.FREQUENCY_MESSAGES[frequency])
        return redirect("search:alerts")
    return render(request, "search/alerts.html", {"form": form, "current": current, "verified": verified})


@csrf_exempt  # reached from an email (RFC 8058 one-click POST included): the signed token is the credential
@require_http_methods(["GET", "POST"])
def alert_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    user = alerts.unsubscribe(token=token)
    if user is None:
        return render(request, "search/unsubscribed.html", {"ok": False}, status=400)
    return render(request, "search/unsubscribed.html", {"ok": True, "settings_url": reverse("search:alerts")})


@login_required
@require_POST
def resume_filters(request: HttpRequest, public_id: str) -> HttpResponse:
    """Save the hard filters of a resume's results and rank again under them."""
    resume = resume_get_for_owner(owner=request.user, public_id=public_id)
    form = FiltersForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("__all__", []):
            messages.error(request, error)
        for name, errors in form.errors.items():
            if name != "__all__":
                messages.error(request, f"{form.fields[name].label}: {' '.join(errors)}")
        return redirect("resumes:detail", public_id=resume.public_id)
    filters_update(resume=resume, filters=form.filters.as_dict())
    messages.success(request, "Filters saved. Your matches are being updated.")
    return redirect("resumes:detail", public_id=resume.public_id)


@login_required
@require_POST
def resume_visibility(request: HttpRequest, public_id: str) -> HttpResponse:
    """Let recruiters find this resume, or make it private again."""
    resume = resume_get_for_owner(owner=request.user, public_id=public_id)
    discoverable = request.POST.get("discoverable") == "1"
    if discoverable and alerts.verified_address(user=request.user) is None:
        messages.error(
            request, "Verify your email address first: recruiters who find your resume contact you through it."
        )
        return redirect("resumes:detail", public_id=resume.public_id)
    resume_visibility_set(resume=resume, discoverable=discoverable)
    messages.success(
        request,
        "Recruiters can now find this resume."
        if discoverable
        else "This resume is private again: only recruiters of postings you applied to can see it.",
    )
    return redirect("resumes:detail", public_id=resume.public_id)


@require_GET
def posting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An open posting, public (with its schema.org JobPosting); a signed-in seeker's resumes to apply with
    and to see the fit of. A closed or withdrawn posting is not found (404)."""
    posting = access.posting_open_for_seekers(pk)
    if request.user.is_authenticated and request.GET.get("r"):  # opened from a result list or an alert
        resumes = resumes_for_owner(owner=request.user).filter(status="done")
        origin = resumes.filter(public_id=request.GET["r"]).first() if _is_uuid(request.GET["r"]) else None
        if origin is not None:
            feedback.posting_open_record(
                resume=origin, posting=posting, position=shown_position(request.GET.get("pos", ""))
            )
    return render(request, "search/posting.html", _posting_context(request, posting))


def _posting_context(request: HttpRequest, posting: JobPosting) -> dict[str, object]:
    if not request.user.is_authenticated:
        return {"posting": posting, "resumes": [], "applied": set()}
    resumes = resumes_for_owner(owner=request.user).filter(status="done")
    applied = set(
        Application.objects.filter(posting=posting, resume__owner=request.user).values_list("resume_id", flat=True)
    )
    return {"posting": posting, "resumes": resumes, "applied": applied}


@login_required
@require_POST
def posting_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply with one of your resumes (it is shared with the posting's organisation), or withdraw."""
    resume = resume_get_for_owner(owner=request.user, public_id=request.POST.get("resume", ""))
    if request.POST.get("withdraw") == "1":  # open or closed: an application ends when the seeker says so
        application = Application.objects.filter(resume=resume, posting_id=pk).select_related("posting").first()
        if application is None:
            raise Http404("No such application.")
        posting = application.posting
        application_withdraw(resume=resume, posting=posting)
        messages.success(request, "Application withdrawn: the organisation no longer sees this resume for it.")
        if request.POST.get("back") == "applied":
            return redirect("search:applied")
    else:
        posting = access.posting_open_for_seekers(pk)
        try:
            application_submit(resume=resume, posting=posting)
        except ApplicationRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Applied to {posting.title}. Its recruiters can now see this resume.")
    if request.POST.get("back") == "resume":
        return redirect("resumes:detail", public_id=resume.public_id)
    return redirect("search:posting", pk=posting.pk)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@require_GET
def browse(request: HttpRequest, *, home: bool = False) -> HttpResponse:
    """Public job search (no login): words, place, remote, work type, level, pay; paged, with the count.
    The home page shows it to visitors, below a word on what JobMatch does."""
    data = request.GET.copy()
    if REMOTE_WORD.search(data.get("q", "")):
        data["remote"] = "on"  # "nurse remote": the box says what the search does
    form = PublicSearchForm(data or None)
    results, error = None, ""
    if not request.GET or form.is_valid():
        query = form.query() if request.GET else PublicQuery()
        try:
            results = find(query, page=request.GET.get("page") or 1)
        except FilterError as exc:
            error = str(exc)
        except InvalidPage:
            error = "That page of results does not exist."
    params = request.GET.copy()
    params.pop("page", None)
    context = {"form": form, "results": results, "error": error, "params": params.urlencode(), "home": home}
    return render(request, "search/browse.html", context, status=400 if form.errors or error else 200)


FITS_PER_HOUR = 30  # pasted fits from one address (each reads a resume and embeds two texts)
UNAVAILABLE = "The matching service is not answering just now. Try again in a minute."


def _fit_allowed(request: HttpRequest) -> bool:
    key = f"fits:{request.META.get('REMOTE_ADDR', '')}"
    if quota_wait(key, FITS_PER_HOUR):
        return False
    quota_spend(key)
    return True


@require_http_methods(["GET", "POST"])
def fit(request: HttpRequest) -> HttpResponse:
    """Paste a resume and a job description, see how they fit, with the reasons a result card gives.
    Open to anyone; nothing is stored."""
    form = FitForm(request.POST or None)
    result, status = None, 200
    if request.method == "POST" and form.is_valid():
        if not _fit_allowed(request):
            form.add_error(None, f"At most {FITS_PER_HOUR} comparisons an hour from one address. Try again later.")
            status = 429
        else:
            try:
                result = ask_service(
                    "/fit",
                    {"resume_text": form.cleaned_data["resume_text"], "posting_text": form.cleaned_data["job_text"]},
                )
            except SearchUnavailable:
                form.add_error(None, UNAVAILABLE)
                status = 503
            except ValueError as exc:
                form.add_error(None, str(exc))
                status = 400
    elif request.method == "POST":
        status = 400
    return render(request, "search/fit.html", {"form": form, "result": result}, status=status)


@login_required
@require_POST
def posting_fit(request: HttpRequest, pk: int) -> HttpResponse:
    """How one of the seeker's resumes fits this posting: its reasons and its place among their matches."""
    posting = access.posting_open_for_seekers(pk)
    resume = resume_get_for_owner(owner=request.user, public_id=request.POST.get("resume", ""))
    fit_result, fit_error, status = None, "", 200
    if resume.status != "done":
        fit_error = "This resume is still being read. Try again when it is ready."
    else:
        try:
            fit_result = ask_service("/fit", {"resume_id": resume.pk, "posting_id": posting.pk})
        except SearchUnavailable:
            fit_error, status = UNAVAILABLE, 503
        except ValueError as exc:
            fit_error = str(exc)
    context = _posting_context(request, posting)
    context.update(fit=fit_result, fit_error=fit_error, fit_resume=resume)
    return render(request, "search/posting.html", context, status=status)
