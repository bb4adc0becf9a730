"""Resumes and a posting the search tests share: a nurse, a developer, an ICU nurse posting."""

from __future__ import annotations

from typing import Any

from resumes.services import profile_read
from tests.conftest import make_resume

NURSE = """Maria Lopez
Boston, MA
maria.lopez@example.com
Registered Nurse
Experience
Registered Nurse, Massachusetts General Hospital, 2015 - Present
Critical care nursing in a surgical ICU: patient assessment, medication administration, wound care,
electronic health records (Epic), BLS and ACLS certified, patient education, care plans.
Education
Bachelor of Science in Nursing, Boston College, 2014
Skills
Patient care, Critical care, Medication administration, Epic Systems, Microsoft Excel, Wound care
"""
NURSE_2 = NURSE.replace("Maria Lopez", "Nadia Private").replace("maria.lopez", "nadia.private")
DEVELOPER = """Tom Byte
Austin, TX
Software Engineer
Experience
Software Engineer, Initech, 2018 - Present
Python, Django, PostgreSQL, REST APIs, Docker, Kubernetes, continuous integration.
Skills
Python, Django, SQL, Docker
"""
POSTING = {
    "title": "ICU Registered Nurse",
    "company": "",
    "location": "Boston, MA",
    "remote": "",
    "work_type": "Full-time",
    "experience_level": "Mid-Senior level",
    "description": "Acme Health seeks a registered nurse for its surgical intensive care unit. Patient assessment, "
    "medication administration, wound care; charting in Epic Systems, shift reports in Microsoft Excel. "
    "BLS and ACLS required.",
    "salary_min": "70000",
    "salary_max": "95000",
    "salary_period": "YEARLY",
    "salary_currency": "USD",
    "closes_at": "",
}


def resume_of(owner: Any, text: str, **kw: Any) -> Any:
    """A processed resume of `text` with the profile understanding reads from it."""
    return make_resume(owner, text=text, profile=profile_read(text=text), **kw)
