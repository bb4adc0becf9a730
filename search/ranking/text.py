"""Tokenisation shared by indexing and querying, so both sides split words alike."""

from __future__ import annotations

import re
import unicodedata

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

# Keeps "c++", "c#", ".net", "node.js" whole; drops punctuation elsewhere.
_TOKEN = re.compile(r"[a-z0-9][a-z0-9+#]*(?:[.\-][a-z0-9+#]+)*")
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS)


def tokenize(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower()
    return [t for t in _TOKEN.findall(text) if t not in STOP_WORDS and len(t) > 1]
