from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import storage
from .extract import DOCX, ODT, PDF, RTF, TXT
from .forms import ProfileForm, ResumeUploadForm
from .models import Resume
from .selectors import resume_get_for_owner, resumes_for_owner
from .services import UploadRejected, profile_update, resume_delete, resume_submit
from .uploads import Throttled, refused, upload_slot


@login_required
@require_http_methods(["GET", "POST"])
def resume_list(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        status = 400
        try:
            with upload_slot(request.user.pk) as slot:  # before the body is parsed
                form = ResumeUploadForm(request.POST, request.FILES)
                if form.is_valid():
                    try:
                        resume = resume_submit(owner=request.user, upload=form.cleaned_data["file"])
                    except UploadRejected as exc:
                        form.add_error("file", exc.message)
                        status = 507 if exc.code == "no_room" else 400
                    else:
                        slot.spend()  # only an accepted upload counts in the quota
                        return redirect("resumes:detail", public_id=resume.public_id)
        except Throttled as exc:
            return refused(request, 429, exc.message, retry_after=exc.retry_after)
    else:
        form = ResumeUploadForm()
    return render(
        request, "resumes/list.html", {"form": form, "resumes": resumes_for_owner(owner=request.user)}, status=status
    )


@login_required
@require_GET
def resume_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    resume = resume_get_for_owner(owner=request.user, public_id=public_id)
    return render(request, "resumes/detail.html", {"resume": resume})


@login_required
@require_GET
def resume_status(request: HttpRequest, public_id: str) -> JsonResponse:
    resume = resume_get_for_owner(owner=request.user, public_id=public_id)
    return JsonResponse(
        {
            "status": resume.status,
            "status_display": resume.get_status_display(),
            "finished": resume.is_finished,
            "failure_code": resume.failure_code,
            "failure_reason": resume.failure_reason,
        }
    )


@login_required
@require_GET
def resume_file(request: HttpRequest, public_id: str) -> FileResponse:
    return original_file_response(resume_get_for_owner(owner=request.user, public_id=public_id))


EXTENSION_OF = {PDF: ".pdf", DOCX: ".docx", TXT: ".txt", RTF: ".rtf", ODT: ".odt"}


def download_name(name: str, content_type: str) -> str:
    extension = EXTENSION_OF.get(content_type, ".bin")
    stem = name.rsplit(".", 1)[0]
    return name if name.lower().endswith(extension) else f"{stem or 'resume'}{extension}"


def original_file_response(resume: Resume) -> FileResponse:
    """The uploaded file as a download (never shown inline), under the name the owner gave it with the
    extension of what it is (a text file named cv.html downloads as cv.txt)."""
    response = FileResponse(
        storage.open_file(resume.stored_name),
        as_attachment=True,
        filename=download_name(resume.original_name, resume.content_type),
        content_type=resume.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def resume_remove(request: HttpRequest, public_id: str) -> HttpResponse:
    resume = resume_get_for_owner(owner=request.user, public_id=public_id)
    resume_delete(resume=resume)
    messages.success(request, "The resume and everything derived from it were deleted.")
    return redirect("resumes:list")


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    resume = resume_get_for_owner(owner=request.user, public_id=public_id)
    form = ProfileForm(request.POST or None, initial=ProfileForm.initial_from(resume))
    if request.method == "POST" and form.is_valid():
        years = form.cleaned_data["years_experience"]
        profile_update(
            resume=resume,
            titles=form.cleaned_data["titles"],
            skills=form.cleaned_data["skills"],
            location=form.cleaned_data["location"],
            years_experience=float(years) if years is not None else None,
        )
        messages.success(request, "Profile saved. Your matches are being updated.")
        return redirect("resumes:detail", public_id=resume.public_id)
    return render(request, "resumes/profile.html", {"resume": resume, "form": form})
