"""Embedding precision: bf16 where the CPU multiplies it in hardware, the same ranking as fp32."""

from unittest import mock

import numpy as np
import pytest
from django.test import override_settings

from search.indexing import embeddings
from tests.test_settings import manage_py

TEXTS = [
    "Registered Nurse. Function: Health Care Provider. Industry: Hospitals and Health Care. Night shifts on a "
    "surgical ward; patient assessment, medication administration and wound care.",
    "Senior Python Developer. Function: Engineering. Industry: Software Development. Build Django services, "
    "PostgreSQL schemas and Celery pipelines; review code and mentor two juniors.",
    "Accounts Payable Clerk. Function: Accounting/Auditing. Process supplier invoices, reconcile ledgers in SAP "
    "and prepare the month-end close.",
    "Chef de Partie. Industry: Restaurants. Run the grill section, prepare mise en place, keep HACCP records.",
    "Truck Driver (CDL-A). Function: Other. Regional routes, home weekly, clean driving record required.",
]


@pytest.fixture
def fresh_precision():
    embeddings.precision.cache_clear()
    yield
    embeddings.precision.cache_clear()


@pytest.mark.parametrize(
    ("setting", "native", "expected"),
    [("fp32", True, "fp32"), ("bf16", False, "bf16"), ("auto", True, "bf16"), ("auto", False, "fp32")],
)
def test_precision_follows_the_setting_and_auto_follows_the_cpu(fresh_precision, setting, native, expected):
    with (
        override_settings(JOBMATCH_EMBED_PRECISION=setting),
        mock.patch.object(embeddings, "cpu_has_native_bf16", return_value=native),
    ):
        assert embeddings.precision() == expected


def test_native_bf16_is_read_from_the_cpu_flags():
    flags = "flags\t\t: fpu sse2 avx2 avx512f avx512_vnni\n"
    with mock.patch("builtins.open", mock.mock_open(read_data=flags)):
        assert embeddings.cpu_has_native_bf16() is False
    with mock.patch("builtins.open", mock.mock_open(read_data=flags.replace("\n", " avx512_bf16\n"))):
        assert embeddings.cpu_has_native_bf16() is True
    with mock.patch("builtins.open", side_effect=OSError("no /proc")):
        assert embeddings.cpu_has_native_bf16() is False


def test_bf16_embeddings_rank_as_fp32_ones(fresh_precision):
    """Same texts in both precisions: unit vectors within cosine 0.999 of each other, and every text's
    neighbours in the same order (what retrieval reads of them)."""
    out = {}
    for p in ("fp32", "bf16"):
        embeddings.precision.cache_clear()
        with override_settings(JOBMATCH_EMBED_PRECISION=p):
            out[p] = embeddings.embed_texts(TEXTS)
    fp32, bf16 = out["fp32"], out["bf16"]
    assert fp32.shape == bf16.shape == (len(TEXTS), embeddings.DIM)
    np.testing.assert_allclose(np.linalg.norm(bf16, axis=1), 1.0, atol=1e-4)
    cosine = (fp32 * bf16).sum(axis=1)
    assert cosine.min() >= 0.999, cosine
    assert not np.array_equal(fp32, bf16)  # the two runs did differ in precision
    for a, b in zip(np.argsort(-(fp32 @ fp32.T)), np.argsort(-(bf16 @ bf16.T)), strict=True):
        assert list(a) == list(b)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("JOBMATCH_EMBED_PRECISION", "int4", "JOBMATCH_EMBED_PRECISION must be auto, fp32 or bf16, not 'int4'"),
        ("JOBMATCH_INDEX_PROCESSES", "0", "JOBMATCH_INDEX_PROCESSES must be 1 or more, not 0"),
    ],
)
def test_a_bad_speed_setting_stops_the_settings_with_its_name(tmp_path, variable, value, message):
    r = manage_py(["check"], {"JOBMATCH_DATA_DIR": str(tmp_path), variable: value}, tmp_path)
    assert r.returncode != 0
    assert message in r.stderr


def test_cached_embeddings_are_keyed_by_the_chunking_too(tmp_path, monkeypatch):
    """A cached resume vector is reused for the same text and chunking; another chunk count embeds again."""
    from search.evaluation import cache as evaluation

    calls: list[list[str]] = []

    def fake_embed(texts):
        calls.append(list(texts))
        return np.stack([np.full(embeddings.DIM, len(t) + embeddings.MAX_CHUNKS, dtype=np.float32) for t in texts])

    monkeypatch.setattr(evaluation, "embed_documents", fake_embed)
    first = evaluation.cached_embeddings(TEXTS[:2], tmp_path)
    again = evaluation.cached_embeddings(TEXTS[:2], tmp_path)
    assert calls == [TEXTS[:2]] and np.array_equal(first, again)
    monkeypatch.setattr(evaluation, "MAX_CHUNKS", embeddings.MAX_CHUNKS // 2)
    monkeypatch.setattr(embeddings, "MAX_CHUNKS", embeddings.MAX_CHUNKS // 2)
    other = evaluation.cached_embeddings(TEXTS[:2], tmp_path)
    assert calls[1:] == [TEXTS[:2]]  # embedded again, not read from the other chunking's files
    assert not np.array_equal(first, other)


def test_a_documents_head_is_its_first_chunk_embedded_in_the_same_pass():
    long = " ".join(TEXTS * 8)  # about 400 words: three chunks
    docs = [long, TEXTS[0]]
    means, heads = embeddings.embed_documents_and_heads(docs)
    np.testing.assert_allclose(means, embeddings.embed_documents(docs), atol=1e-6)
    np.testing.assert_allclose(heads, embeddings.embed_heads(docs), atol=1e-5)
    np.testing.assert_allclose(heads[1], means[1], atol=1e-6)  # one chunk: the head is the whole
    assert float(heads[0] @ means[0]) < 0.999  # three: the head is not the mean
    assert np.allclose(np.linalg.norm(heads, axis=1), 1.0, atol=1e-5)
    empty_means, empty_heads = embeddings.embed_documents_and_heads([])
    assert empty_means.shape == empty_heads.shape == (0, embeddings.DIM)
