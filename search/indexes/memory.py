"""An exact vector index in memory: a NumPy scan over every stored vector.

For evaluation (the recruiter direction ranks a file of resumes nobody uploaded) and for the ranking
pipeline's tests; the served indexes are Qdrant's (qdrant.py, edge.py).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

import numpy as np
import numpy.typing as npt

from search.ranking.types import Hit

from .base import TIE_MARGIN, IndexDoc, best_first


class NumpyIndex:
    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._ids: list[int] = []
        self._hashes: dict[int, str] = {}
        self._rows: dict[int, int] = {}
        self._matrix: npt.NDArray[np.float32] = np.zeros((0, dim), dtype=np.float32)

    def __len__(self) -> int:
        return len(self._rows)

    def upsert(self, docs: Sequence[IndexDoc]) -> None:
        new = [d for d in docs if d.id not in self._rows]
        self._matrix = np.vstack([self._matrix, np.zeros((len(new), self.dim), dtype=np.float32)])
        for d in new:
            self._rows[d.id] = len(self._ids)
            self._ids.append(d.id)
        for d in docs:
            if d.vector is None:
                raise ValueError(f"document {d.id} has no vector")
            self._matrix[self._rows[d.id]] = np.asarray(d.vector, dtype=np.float32)
            self._hashes[d.id] = d.content_hash

    def delete(self, ids: Iterable[int]) -> None:
        gone = {i for i in ids if i in self._rows}
        if not gone:
            return
        keep = [n for n, i in enumerate(self._ids) if i not in gone]
        self._matrix = self._matrix[keep]
        self._ids = [self._ids[n] for n in keep]
        self._rows = {i: n for n, i in enumerate(self._ids)}
        for i in gone:
            del self._hashes[i]

    def search(self, query: Sequence[float], k: int, allowed: Collection[int] | None = None) -> list[Hit]:
        """The k nearest documents by dot product (cosine for unit vectors), exactly."""
        if not self._ids or k <= 0:
            return []
        sims = self._matrix @ np.asarray(query, dtype=np.float32)
        rows = np.arange(len(self._ids))
        if allowed is not None:
            rows = np.asarray([self._rows[i] for i in allowed if i in self._rows], dtype=np.int64)
            if not len(rows):
                return []
        depth = min(len(rows), k + TIE_MARGIN)
        top = rows[np.argpartition(-sims[rows], depth - 1)[:depth]] if depth < len(rows) else rows
        return best_first((Hit(self._ids[n], float(sims[n])) for n in top), k)

    def vectors(self, ids: Iterable[int]) -> dict[int, list[float]]:
        return {i: self._matrix[self._rows[i]].tolist() for i in ids if i in self._rows}

    def hashes(self) -> dict[int, str]:
        return dict(self._hashes)
