"""The one place settings read the environment."""

from __future__ import annotations

import os
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

_MISSING = object()


def env(name: str, default: object = _MISSING) -> str:
    """Return an environment variable, or `default`; fail loudly when neither exists."""
    value = os.environ.get(name)
    if value is not None and value != "":
        return value
    if default is _MISSING:
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    return str(default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(env(name, default))


def same_redis_database(a: str, b: str) -> bool:
    """Whether two Redis URLs name the same database of the same server (no path is database 0)."""
    ua, ub = urlparse(a), urlparse(b)
    if not (ua.scheme.startswith("redis") and ub.scheme.startswith("redis")):
        return a == b

    return (ua.hostname, ua.port or 6379, ua.path.strip("/") or "0") == (
        ub.hostname,
        ub.port or 6379,
        ub.path.strip("/") or "0",
    )
