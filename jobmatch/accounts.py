"""The account as a whole: everything JobMatch holds about a user, exported or deleted.

Deleting an account removes its rows (the user, resumes with their extracted text and profiles,
recommendations, feedback, interactions, applications, recruiter-side candidate rows and
decisions, alert settings, membership), the uploaded files, and the resumes' entries in the
recruiter-side indexes (vectors and BM25 terms, by the worker: only it opens the indexes).
The audit log keeps its rows (who looked, when) with the resume link cleared: it never held
anything read from the resume.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from jobmatch.api_tokens import tokens_export
from resumes.models import Resume
from resumes.services import resumes_delete
from search.models import AlertSettings, Application, Interaction, PostingFeedback, Recommendation, ResumeAccess


def account_delete(*, user: AbstractBaseUser) -> None:
    with transaction.atomic():
        resumes_delete(resumes=Resume.objects.filter(owner=user))  # files and index entries too
        user.delete()


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def account_export(*, user: Any) -> dict[str, Any]:
    """Everything stored about the user, as one JSON-ready document (the seeker's data download)."""

    def posting_ref(posting: Any) -> dict[str, Any]:
        return {"source": posting.source, "external_id": posting.external_id, "title": posting.title}

    resumes = []
    for r in Resume.objects.filter(owner=user).order_by("created_at"):
        resumes.append(
            {
                "id": str(r.public_id),
                "file_name": r.original_name,
                "content_type": r.content_type,
                "size": r.size,
                "sha256": r.sha256,
                "status": r.status,
                "failure_code": r.failure_code,
                "uploaded_at": _iso(r.created_at),
                "processed_at": _iso(r.processed_at),
                "discoverable": r.discoverable,
                "external_id": r.external_id,
                "text": r.text,
                "profile": r.profile,
                "profile_edited_at": _iso(r.profile_edited_at),
                "filters": r.filters,
                "recommendations": [
                    {"rank": rec.rank, "score": rec.score, "posting": posting_ref(rec.posting), "why": rec.why}
                    for rec in Recommendation.objects.filter(resume=r).select_related("posting")
                ],
                "feedback": [
                    {
                        "posting": posting_ref(f.posting),
                        "saved_at": _iso(f.saved_at),
                        "applied_at": _iso(f.applied_at),
                        "dismissed_at": _iso(f.dismissed_at),
                        "dismiss_reason": f.dismiss_reason,
                    }
                    for f in PostingFeedback.objects.filter(resume=r).select_related("posting")
                ],
                "applications": [
                    {"posting": posting_ref(a.posting), "at": _iso(a.created_at)}
                    for a in Application.objects.filter(resume=r).select_related("posting")
                ],
                "interactions": [
                    {
                        "kind": i.kind,
                        "posting": posting_ref(i.posting),
                        "position": i.position,
                        "reason": i.reason,
                        "at": _iso(i.created_at),
                    }
                    for i in Interaction.objects.filter(resume=r).select_related("posting").order_by("created_at")
                ],
                "viewed_by_recruiters": [
                    {"who": a.username, "action": a.action, "at": _iso(a.at)}
                    for a in ResumeAccess.objects.filter(resume=r).order_by("at")
                ],
            }
        )
    alert = AlertSettings.objects.filter(user=user).first()
    return {
        "exported_at": _iso(timezone.now()),
        "account": {
            "username": user.get_username(),
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        # Which second factors are set up and when they were used; never the secrets or codes themselves.
        "two_factor": [
            {"type": a.type, "created_at": _iso(a.created_at), "last_used_at": _iso(a.last_used_at)}
            for a in Authenticator.objects.filter(user=user).order_by("pk")
        ],
        "sessions": [
            {
                "ip": s.ip,
                "browser": s.user_agent,
                "signed_in_at": _iso(s.created_at),
                "last_seen_at": _iso(s.last_seen_at),
            }
            for s in UserSession.objects.filter(user=user).order_by("created_at")
        ],
        "api_tokens": tokens_export(user=user),  # names, scopes and dates; never a key
        "job_alerts": {"frequency": alert.frequency, "last_sent_at": _iso(alert.last_sent_at)} if alert else None,
        "resumes": resumes,
    }
