"""Quotas kept in the cache every web process shares (Redis in production): at most `limit` events in any
`window` seconds, a sliding window over the times of the events themselves (not a clock hour, which lets
twice the limit through across its turn). Only what is spent counts: a refused attempt costs nothing."""

from __future__ import annotations

import time

from django.core.cache import cache

HOUR = 3600


def _now() -> float:
    return time.time()


def _times(key: str, window: int, now: float) -> list[float]:
    return [t for t in cache.get(f"jobmatch:quota:{key}", []) if t > now - window]


def quota_wait(key: str, limit: int, window: int = HOUR) -> int:
    """Seconds until one more event under `key` fits the quota (0: it fits now)."""
    now = _now()
    times = _times(key, window, now)
    if len(times) < limit:
        return 0
    return max(1, int(sorted(times)[-limit] + window - now) + 1)


def quota_spend(key: str, window: int = HOUR) -> None:
    """Record one event under `key` (its time); the cache entry lasts as long as the window."""
    now = _now()
    cache.set(f"jobmatch:quota:{key}", [*_times(key, window, now), now], timeout=window)
