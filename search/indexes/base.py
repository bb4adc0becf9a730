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
