from __future__ import annotations

from django import forms
from django.conf import settings


class ResumeUploadForm(forms.Form):
    file = forms.FileField(
        label="Your resume",
        help_text="PDF, Word (.docx) or plain text, up to 5 MB.",
        error_messages={"empty": "The file is empty.", "required": "Choose a file to upload."},
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".pdf,.docx,.txt,application/pdf,text/plain,"
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
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
