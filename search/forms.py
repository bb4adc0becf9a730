from __future__ import annotations

from typing import Any

from django import forms

from .filters import PER_YEAR, WORK_TYPES, FilterError, Filters
from .models import CandidateDecision, Invitation, JobPosting
from .postings.finder import PublicQuery
from .ranking.features import EXPERIENCE_LEVELS
from .recruiting.invitations import InvitationInvalid, invitation_accept, invitation_find


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
    min_salary = forms.DecimalField(label="Pay at least", min_value=0, decimal_places=2, required=False)
    pay_period = forms.ChoiceField(
        label="Pay period",
        choices=[("YEARLY", "a year"), ("MONTHLY", "a month"), ("HOURLY", "an hour")],
        required=False,
        initial="YEARLY",
    )

    @classmethod
    def for_resume(cls, resume: Any) -> FiltersForm:
        """The form showing a resume's saved filters; the location defaults to the profile's."""
        initial = Filters.saved(resume.filters).as_dict()
        initial["location"] = initial["location"] or (resume.profile or {}).get("location") or ""
        return cls(initial=initial)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The minimum pay is kept per year; an hourly or monthly figure is converted (2,080 hours a year)
        # after a check against what that period's pay can be.
        amount, period = data.get("min_salary"), data.get("pay_period") or "YEARLY"
        yearly = None
        if amount is not None:
            low, high = PAY_BOUNDS[period]
            if not low <= amount <= high:
                words = PERIOD_WORDS[period]
                raise forms.ValidationError(
                    f"Pay {words} is between {low:,} and {high:,}: check the amount or the period.", code="pay"
                )
            yearly = round(float(amount) * PER_YEAR[period])
        try:
            self.filters = Filters(
                location_scope=data.get("location_scope") or "",
                location=data.get("location") or "",
                work_types=tuple(data.get("work_types") or ()),
                experience_levels=tuple(data.get("experience_levels") or ()),
                min_salary=yearly,
            )
        except FilterError as exc:
            raise forms.ValidationError(str(exc), code="filters") from None
        return data


# --- accounts and the recruiter side ------------------------------------------------------------


class RoleSignupForm(forms.Form):
    """What JobMatch adds to allauth's sign-up form (email, optional user name, password): the role;
    recruiters and admins join with an invitation code (ACCOUNT_SIGNUP_FORM_CLASS)."""

    role = forms.ChoiceField(
        label="I am",
        choices=[
            ("seeker", "Looking for a job"),
            ("recruiter", "A recruiter (I have an invitation code)"),
            ("admin", "An administrator (I have an invitation code)"),
        ],
        initial="seeker",
        required=False,  # no choice means a seeker
        widget=forms.RadioSelect,
    )
    invitation = forms.CharField(
        label="Invitation code",
        max_length=64,
        required=False,
        help_text="Recruiters and administrators: the code in the invitation you were sent.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["role"] = data.get("role") or "seeker"
        role, token = data["role"], (data.get("invitation") or "").strip()
        if role in ("recruiter", "admin"):
            if not token:
                self.add_error("invitation", "Recruiters and administrators need an invitation code.")
            else:
                try:
                    invitation = invitation_find(token)
                except InvitationInvalid as exc:
                    self.add_error("invitation", exc.message)
                else:
                    if invitation.role != role:
                        who = "an administrator" if invitation.role == Invitation.Role.ADMIN else "a recruiter"
                        self.add_error("invitation", f"This code invites {who}; choose that role.")
        return data

    def signup(self, request: Any, user: Any) -> None:
        """Called by allauth once the user is saved, inside the sign-up transaction (jobmatch.signup)."""
        if self.cleaned_data["role"] != "seeker":
            invitation_accept(token=self.cleaned_data["invitation"], user=user)


# Sensible pay per period (any currency's usual range): outside it, the period is likely wrong ("150,000 per hour").
PAY_BOUNDS = {"HOURLY": (1, 1_000), "WEEKLY": (10, 40_000), "MONTHLY": (50, 200_000), "YEARLY": (500, 10_000_000)}
PERIOD_WORDS = {"HOURLY": "per hour", "WEEKLY": "per week", "MONTHLY": "per month", "YEARLY": "per year"}


class PostingForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = JobPosting
        fields = [
            "title",
            "company",
            "location",
            "remote",
            "work_type",
            "experience_level",
            "description",
            "salary_min",
            "salary_max",
            "salary_period",
            "salary_currency",
            "closes_at",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 14}),
            "closes_at": forms.DateInput(attrs={"type": "date"}),
            "work_type": forms.Select(choices=[("", "—")] + [(w, w) for w in WORK_TYPES]),
            "experience_level": forms.Select(choices=[("", "—")] + [(e, e) for e in EXPERIENCE_LEVELS]),
            "salary_period": forms.Select(
                choices=[
                    ("", "—"),
                    ("YEARLY", "a year"),
                    ("MONTHLY", "a month"),
                    ("WEEKLY", "a week"),
                    ("HOURLY", "an hour"),
                ]
            ),
        }
        help_texts = {
            "company": "Leave empty to show your organisation's name.",
            "closes_at": "After this day the posting leaves every result list.",
        }

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].max_length = 200
        self.fields["description"].required = True
        if organisations is not None:  # admins choose whose posting it is (an edit may keep it as it is)
            self.fields["organisation"] = forms.ModelChoiceField(
                queryset=organisations,
                label="Organisation",
                required=not self.instance.pk,
                initial=self.instance.organisation_id if self.instance.pk else None,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        lo, hi = data.get("salary_min"), data.get("salary_max")
        if lo is not None and hi is not None and lo > hi:
            self.add_error("salary_max", "The maximum is below the minimum.")
        for name in ("salary_min", "salary_max"):
            if data.get(name) is not None and data[name] < 0:
                self.add_error(name, "Enter a positive amount.")
        period = data.get("salary_period") or ""
        amounts = [a for a in (lo, hi) if a is not None and a >= 0]
        if amounts and not period:
            self.add_error("salary_period", "Say whether the pay is per hour, week, month or year.")
        elif amounts and period in PAY_BOUNDS:
            low, high = PAY_BOUNDS[period]
            if min(amounts) < low or max(amounts) > high:
                self.add_error(
                    "salary_period",
                    f"Pay {PERIOD_WORDS[period]} is usually between {low:,} and {high:,}: check the period.",
                )
        return data


class InvitationForm(forms.Form):
    role = forms.ChoiceField(choices=[("recruiter", "Recruiter"), ("admin", "Administrator")], initial="recruiter")
    email = forms.EmailField(required=False, help_text="Optional: who it is for, to remember.")

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations is None:  # a recruiter invites colleagues to their own organisation
            self.fields["role"].choices = [("recruiter", "Recruiter")]
        else:
            self.fields["organisation"] = forms.ModelChoiceField(
                queryset=organisations, required=False, help_text="For recruiters: which organisation they join."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("role") == "recruiter" and "organisation" in self.fields and not data.get("organisation"):
            self.add_error("organisation", "Choose the organisation the recruiter joins.")
        return data


class StageForm(forms.Form):
    """Move a candidate to a stage of the posting's pipeline, with a note only recruiters see."""

    stage = forms.ChoiceField(choices=CandidateDecision.Status.choices, label="Stage")
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text="Only recruiters of your organisation see notes; each is kept in the candidate's history.",
    )


class PostingImportForm(forms.Form):
    file = forms.FileField(
        label="Postings file",
        help_text="CSV with a header row, or JSON lines (one posting per line); UTF-8 or Windows-1252, up to 20 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.jsonl,.ndjson,text/csv"}),
    )

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"] = forms.ModelChoiceField(
                queryset=organisations,
                required=False,
                help_text="Whose postings they are; leave empty for public postings (source 'import' or the file's).",
            )


class AlertSettingsForm(forms.Form):
    frequency = forms.ChoiceField(
        label="Email me new jobs that fit",
        choices=[("daily", "Daily"), ("weekly", "Weekly"), ("off", "Never (alerts off)")],
        widget=forms.RadioSelect,
    )


class PublicSearchForm(forms.Form):
    """The public job search: words, place, remote, work type, level, minimum pay (all optional)."""

    q = forms.CharField(label="What", max_length=200, required=False)
    location = forms.CharField(label="Where", max_length=100, required=False)
    remote = forms.BooleanField(label="Remote only", required=False)
    work_type = forms.ChoiceField(
        label="Work type", choices=[("", "Any work type")] + [(w, w) for w in WORK_TYPES], required=False
    )
    level = forms.ChoiceField(
        label="Level", choices=[("", "Any level")] + [(e, e) for e in EXPERIENCE_LEVELS], required=False
    )
    min_pay = forms.IntegerField(label="Pay at least (a year)", min_value=0, max_value=10_000_000, required=False)

    def query(self) -> PublicQuery:
        data = self.cleaned_data
        return PublicQuery.typed(
            data.get("q") or "",
            location=data.get("location") or "",
            remote=bool(data.get("remote")),
            work_types=(data["work_type"],) if data.get("work_type") else (),
            levels=(data["level"],) if data.get("level") else (),
            min_pay=float(data["min_pay"]) if data.get("min_pay") else None,
        )


class FitForm(forms.Form):
    """A resume and a job description, pasted: the fit of the two, nothing stored."""

    resume_text = forms.CharField(label="Your resume", widget=forms.Textarea, max_length=30_000, strip=True)
    job_text = forms.CharField(
        label="The job description",
        widget=forms.Textarea,
        max_length=30_000,
        strip=True,
        help_text="Its title on the first line.",
    )
