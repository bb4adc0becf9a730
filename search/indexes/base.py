from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from search.ranking.types import Hit


@dataclass(frozen=True, slots=True)
class IndexDoc:
    """What an index stores for one posting. `content_hash` lets a rebuild skip unchanged postings."""

    id: int
    content_hash: str
    text: str = ""
    vector: Sequence[float] | None = None
    payload: dict[str, Any] | None = None


class IndexUnavailable(ConnectionError):
    """The index server did not answer (down or unreachable): worth trying again later. A ConnectionError,
    so the tasks retry it without knowing which store raised it."""


# Hits fetched beyond k, so that documents tied on score at the k-th place (reposted postings share a
# text, hence a vector) are all seen before the ties are broken by id.
TIE_MARGIN = 16


def best_first(hits: Iterable[Hit], k: int) -> list[Hit]:
    """The k best hits, ties broken by id: the same documents give the same order whatever the order
    the store kept them in (an index rebuilt in another order, another replica)."""
    return sorted(hits, key=lambda h: (-h.score, h.id))[:k]


class SearchIndex(Protocol):
    def upsert(self, docs: Sequence[IndexDoc]) -> None: ...

    def delete(self, ids: Iterable[int]) -> None: ...

    def search(self, query: Any, k: int, allowed: Collection[int] | None = None) -> list[Hit]:
        """The k best documents, among `allowed` ids when given."""
        ...

    def hashes(self) -> dict[int, str]:
        """Content hash of every stored document, by id."""
        ...

    def __len__(self) -> int: ...
