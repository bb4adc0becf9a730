"""Hourly quotas kept in the cache every web process shares (Redis in production)."""

from __future__ import annotations

import time

from django.core.cache import cache


def count_this_hour(key: str) -> tuple[int, int]:
    """Count one more event under `key` in this clock hour: how many so far, and the seconds until the hour
    ends (when the count starts again)."""
    now = int(time.time())
    window = f"jobmatch:hourly:{key}:{now // 3600}"
    cache.add(window, 0, timeout=3600)
    try:
        count = cache.incr(window)
    except ValueError:  # the window's key expired between the two calls
        cache.set(window, count := 1, timeout=3600)
    return count, 3600 - now % 3600
