"""API tokens: made on the account page with a name and scopes, shown once, kept as a hash, listed with
when they were last used, revoked by deleting them; part of the data download, gone with the account."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from search import access

from .models import ApiToken

# What a token may do, in the words the account page shows.
SCOPES = {
    "match": "Match a resume to the postings (text or file) and read what you uploaded",
    "resumes": "Read your resumes and their ten jobs",
    "postings": "Create, edit and close your organisation's postings",
    "candidates": "Read the candidates of your organisation's postings",
}
# Scopes that reach other people's data or an organisation's postings: recruiters and admins, with the
# two-factor authentication the site asks of them before the same pages.
STAFF_SCOPES = {"postings", "candidates"}
MAX_TOKENS = 20
PREFIX = "jm_"
TOUCH_EVERY = dt.timedelta(minutes=1)  # last_used_at is written at most this often


class TokenRefused(ValueError):
    pass


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def scopes_for(user: Any) -> dict[str, str]:
    """The scopes this user may give a token."""
    staff = access.role_of(user) in (access.RECRUITER, access.ADMIN)
    return {k: v for k, v in SCOPES.items() if staff or k not in STAFF_SCOPES}


def token_create(*, user: Any, name: str, scopes: list[str]) -> tuple[ApiToken, str]:
    """A new token and its key (shown once). TokenRefused says why not."""
    from allauth.mfa.adapter import get_adapter as mfa_adapter

    name = " ".join(name.split())[:100]
    if not name:
        raise TokenRefused("Give the token a name, such as the system that will use it.")
    wanted = list(dict.fromkeys(scopes))
    if not wanted:
        raise TokenRefused("Choose at least one scope.")
    unknown = set(wanted) - set(scopes_for(user))
    if unknown:
        raise TokenRefused(f"Your account cannot give a token these scopes: {', '.join(sorted(unknown))}.")
    if set(wanted) & STAFF_SCOPES and not mfa_adapter().is_mfa_enabled(user):
        raise TokenRefused("Set up two-factor authentication before you make a token for postings or candidates.")
    with transaction.atomic():
        if ApiToken.objects.select_for_update().filter(user=user).count() >= MAX_TOKENS:
            raise TokenRefused(f"You have {MAX_TOKENS} tokens, the most one account may hold. Revoke one first.")
        key = PREFIX + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(user=user, name=name, prefix=key[:10], key_hash=_hash(key), scopes=wanted)
    return token, key


def token_authenticate(key: str) -> ApiToken | None:
    """The token this key opens, its user active; None otherwise."""
    if not key.startswith(PREFIX) or len(key) > 100:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(key)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_revoke(*, user: Any, token_id: int) -> bool:
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return bool(deleted)


def tokens_export(*, user: Any) -> list[dict[str, Any]]:
    """What the data download says of the user's tokens (never a key or its hash)."""
    return [
        {
            "name": t.name,
            "prefix": t.prefix,
            "scopes": t.scopes,
            "created_at": t.created_at.isoformat(),
            "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
        }
        for t in ApiToken.objects.filter(user=user)
    ]
