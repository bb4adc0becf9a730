"""Indexes behind one small interface: upsert, delete, search, hashes."""

from .base import IndexDoc, SearchIndex

__all__ = ["IndexDoc", "SearchIndex"]
