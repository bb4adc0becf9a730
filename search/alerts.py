"""Job alert settings (web): how often a seeker wants an email of new postings that fit, and the
one-click unsubscribe its emails carry. The digests are built and sent by the worker
(search.matching.digests)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.utils import timezone

from .models import AlertSettings

# Slack under the period, so a run an hour late does not skip a day.
PERIODS = {
    AlertSettings.Frequency.DAILY: dt.timedelta(hours=23),
    AlertSettings.Frequency.WEEKLY: dt.timedelta(days=6, hours=23),
}
FREQUENCY_MESSAGES = {
    "daily": "Job alerts on: one email a day at most, only when new postings fit.",
    "weekly": "Job alerts on: one email a week at most, only when new postings fit.",
    "off": "Job alerts off: we will not email you about new postings.",
}
UNSUBSCRIBE_SALT = "jobmatch.alerts.unsubscribe"


def verified_address(*, user: Any) -> str | None:
    """The user's primary email address if it is verified (alerts go to it; recruiters reach a discoverable
    seeker through it), else None."""
    return EmailAddress.objects.filter(user=user, primary=True, verified=True).values_list("email", flat=True).first()


def verified_users(user_ids: list[int]) -> dict[int, str]:
    """user id -> verified primary address, for those who have one."""
    rows = EmailAddress.objects.filter(user_id__in=user_ids, primary=True, verified=True)
    return dict(rows.values_list("user_id", "email"))


def settings_for(*, user: Any) -> AlertSettings:
    row, _ = AlertSettings.objects.get_or_create(user=user)
    return row


def frequency_set(*, user: Any, frequency: str) -> AlertSettings:
    if frequency not in AlertSettings.Frequency.values:
        raise ValueError(f"alert frequency must be one of {', '.join(AlertSettings.Frequency.values)}")
    with transaction.atomic():
        row, _ = AlertSettings.objects.select_for_update().get_or_create(user=user)
        if row.frequency == AlertSettings.Frequency.OFF and frequency != AlertSettings.Frequency.OFF:
            row.since = timezone.now()  # the first digest covers what arrives from now on
        row.frequency = frequency
        row.save(update_fields=["frequency", "since", "updated_at"])
    return row


def unsubscribe_token(user: Any) -> str:
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe(*, token: str) -> Any | None:
    """Turn the token's user's alerts off; None for a token that was not signed by us."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    user = get_user_model().objects.filter(pk=data.get("u") if isinstance(data, dict) else None).first()
    if user is not None:
        AlertSettings.objects.update_or_create(user=user, defaults={"frequency": AlertSettings.Frequency.OFF})
    return user
