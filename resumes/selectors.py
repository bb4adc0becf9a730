from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from .models import Resume


def resumes_for_owner(*, owner: AbstractBaseUser) -> QuerySet[Resume]:
    return Resume.objects.filter(owner=owner)


def resume_get_for_owner(*, owner: AbstractBaseUser, public_id: object) -> Resume:
    """The resume, if this user owns it; 404 otherwise (never 403: do not confirm it exists)."""
    try:
        resume = Resume.objects.filter(owner=owner, public_id=public_id).first()
    except (ValidationError, ValueError):  # not a UUID: no such resume either
        resume = None
    if resume is None:
        raise Http404("No such resume.")
    return resume
