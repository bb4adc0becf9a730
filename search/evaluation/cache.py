"""Cached resume work for evaluation and training: embeddings and profiles are the slow part and never
change for a given text (and chunking, and understanding code and artifacts)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from resumes.understanding import pipeline as understanding
from resumes.understanding.pipeline import understand
from resumes.understanding.vocabulary import ARTIFACTS
from search.indexing.embeddings import CHUNK_WORDS, MAX_CHUNKS, embed_documents, head_of


def _key(text: str, salt: str) -> str:
    return hashlib.sha256((salt + "\0" + text).encode()).hexdigest()[:32]


def cached_embeddings(texts: Sequence[str], cache_dir: Path) -> np.ndarray:
    # The chunking is part of the key: another chunk size or count embeds every text again.
    salt = f"minilm-chunked-{CHUNK_WORDS}x{MAX_CHUNKS}"
    cache_dir.mkdir(parents=True, exist_ok=True)
    out: list[np.ndarray | None] = []
    todo = []
    for i, t in enumerate(texts):
        path = cache_dir / f"{_key(t, salt)}.npy"
        if path.exists():
            out.append(np.load(path))
        else:
            out.append(None)
            todo.append(i)
    for start in range(0, len(todo), 64):
        batch = todo[start : start + 64]
        emb = embed_documents([texts[i] for i in batch])
        for i, row in zip(batch, emb, strict=True):
            np.save(cache_dir / f"{_key(texts[i], salt)}.npy", row)
            out[i] = row
    return np.vstack([o for o in out if o is not None])


def cached_heads(texts: Sequence[str], cache_dir: Path) -> np.ndarray:
    """The embeddings of the texts' heads (search.indexing.embeddings.head_of): one chunk each, so the cached
    embedding of the head is the head's own."""
    return cached_embeddings([head_of(t) for t in texts], cache_dir)


def understanding_version() -> str:
    """Changes when the shipped vocabularies, the NER model or the understanding's code change, so cached
    profiles are read again."""
    h = hashlib.sha256()
    for code in sorted(Path(understanding.__file__).parent.glob("*.py")):
        h.update(code.read_bytes())
    for path in sorted([*ARTIFACTS.glob("*.json.gz"), *ARTIFACTS.glob("ner/**/*")]):
        if path.is_file():
            h.update(path.name.encode())
            h.update(str(path.stat().st_size).encode())
            h.update(str(int(path.stat().st_mtime)).encode())
    return h.hexdigest()[:16]


def cached_profiles(texts: Iterable[str], cache_dir: Path) -> list[dict[str, Any]]:
    cache_dir.mkdir(parents=True, exist_ok=True)
    salt = "profile-" + understanding_version()
    out = []
    for t in texts:
        path = cache_dir / f"{_key(t, salt)}.json"
        if path.exists():
            out.append(json.loads(path.read_text()))
        else:
            profile = understand(t).to_dict()
            path.write_text(json.dumps(profile))
            out.append(profile)
    return out
