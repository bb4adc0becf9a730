from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import Http404

from .models import Resume


def resumes_for_owner(*, owner: AbstractBaseUser) -> QuerySet[Resume]:
    return Resume.objects.filter(owner=owner)


def resume_get_for_owner(*, owner: AbstractBaseUser, public_id: object) -> Resume:
    """The resume, if this user owns it; 404 otherwise (never 403: do not confirm it exists)."""
    resume = Resume.objects.filter(owner=owner, public_id=public_id).first()
    if resume is None:
        raise Http404("No such resume.")
    return resume
