from __future__ import annotations

from typing import Any

from django import forms

from .filters import EXPERIENCE_LEVELS, WORK_TYPES, FilterError, Filters


class FiltersForm(forms.Form):
    """The hard filters on a resume's results; every field may stay empty (no filter)."""

    location_scope = forms.ChoiceField(
        label="Where",
        choices=[
            ("", "Anywhere"),
            ("city", "In my city"),
            ("region", "In my state or region"),
            ("remote", "Remote only"),
        ],
        required=False,
    )
    location = forms.CharField(
        label="My location", max_length=120, required=False, help_text='City and state, e.g. "Austin, TX".'
    )
    work_types = forms.MultipleChoiceField(
        label="Work type", choices=[(w, w) for w in WORK_TYPES], required=False, widget=forms.CheckboxSelectMultiple
    )
    experience_levels = forms.MultipleChoiceField(
        label="Experience level",
        choices=[(e, e) for e in EXPERIENCE_LEVELS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    min_salary = forms.DecimalField(
        label="Minimum pay per year", min_value=0, max_value=10_000_000, decimal_places=0, required=False
    )

    @classmethod
    def for_resume(cls, resume: Any) -> FiltersForm:
        """The form showing a resume's saved filters; the location defaults to the profile's."""
        initial = Filters.from_dict(resume.filters).as_dict()
        initial["location"] = initial["location"] or (resume.profile or {}).get("location") or ""
        return cls(initial=initial)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            self.filters = Filters(
                location_scope=data.get("location_scope") or "",
                location=data.get("location") or "",
                work_types=tuple(data.get("work_types") or ()),
                experience_levels=tuple(data.get("experience_levels") or ()),
                min_salary=float(data["min_salary"]) if data.get("min_salary") is not None else None,
            )
        except FilterError as exc:
            raise forms.ValidationError(str(exc), code="filters") from None
        return data
