"""Diversity in a ranked list: one of each job reposted, at most a few items per company."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")


def cap_per_key(ranked: Iterable[T], key: Callable[[T], str], per_key: int, k: int | None = None) -> list[T]:
    """The ranked items, best first, keeping at most `per_key` of each key ("" is no key: never capped),
    up to k items."""
    out: list[T] = []
    seen: dict[str, int] = {}
    for item in ranked:
        name = key(item)
        if name and seen.get(name, 0) >= per_key:
            continue
        seen[name] = seen.get(name, 0) + 1
        out.append(item)
        if k is not None and len(out) == k:
            break
    return out


_NON_WORD = re.compile(r"[^a-z0-9]+")


def duplicate_key(title: str, employer: str, place: str) -> str:
    """What makes two postings the same job to a reader: the title, the employer and the city, each
    lower case with punctuation and spacing ignored ("Cook - Cashier" is "cook cashier")."""
    city = place.split(",")[0]
    return "|".join(_NON_WORD.sub(" ", s.lower()).strip() for s in (title, employer, city))
