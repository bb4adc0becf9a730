from __future__ import annotations

from django.db.models import QuerySet

from resumes.models import Resume

from .models import Recommendation


def recommendations_for_resume(*, resume: Resume) -> QuerySet[Recommendation]:
    return Recommendation.objects.filter(resume=resume).select_related("posting").order_by("rank")
