from __future__ import annotations

from django import forms
from django.conf import settings

from .models import Resume


class ResumeUploadForm(forms.Form):
    file = forms.FileField(
        label="Your resume",
        help_text="PDF, Word (.docx), OpenDocument (.odt), RTF or plain text, up to 5 MB.",
        error_messages={"empty": "The file is empty.", "required": "Choose a file to upload."},
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".pdf,.docx,.odt,.rtf,.txt,application/pdf,text/plain,application/rtf,text/rtf,"
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
                "application/vnd.oasis.opendocument.text"
            }
        ),
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        limit = settings.RESUME_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(f"The file is larger than {limit // (1024 * 1024)} MB.", code="too_large")
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.", code="empty")
        return upload


class ProfileForm(forms.Form):
    """The seeker's corrections: one title or skill per line."""

    titles = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, help_text="Job titles you have held, one per line."
    )
    skills = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text="One skill per line. Remove what is wrong, add what is missing.",
    )
    location = forms.CharField(max_length=120, required=False)
    years_experience = forms.DecimalField(
        label="Years of experience", min_value=0, max_value=70, decimal_places=1, required=False
    )

    @staticmethod
    def initial_from(resume: Resume) -> dict[str, object]:
        profile = resume.profile or {}
        return {
            "titles": "\n".join(profile.get("titles") or []),
            "skills": "\n".join(resume.profile_skills),
            "location": profile.get("location") or "",
            "years_experience": profile.get("years_experience"),
        }

    def clean_titles(self) -> list[str]:
        return [t.strip()[:120] for t in self.cleaned_data["titles"].splitlines() if t.strip()]

    def clean_skills(self) -> list[str]:
        return [s.strip()[:80] for s in self.cleaned_data["skills"].splitlines() if s.strip()]
