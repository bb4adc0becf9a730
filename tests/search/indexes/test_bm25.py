"""The served BM25 must give rank_bm25's exact scores (the reference), on real postings."""

from itertools import islice

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from search.indexes.base import IndexDoc
from search.indexes.bm25 import BM25Index
from search.postings.importers import read_linkedin_2023
from search.ranking.text import tokenize
from tests.conftest import DEMO

QUERIES = [
    "registered nurse intensive care unit",
    "senior software engineer python cloud",
    "accountant accounting finance accounting",  # repeated terms count once per occurrence
    "sales sales sales manager",
    "chef kitchen restaurant food service",
    "no-such-word-anywhere",
]


@pytest.fixture(scope="module")
def postings():
    recs = list(islice(read_linkedin_2023(DEMO), 1500))
    return [(i, f"{r.title} {' '.join(r.job_functions)} {' '.join(r.industries)}") for i, r in enumerate(recs, 1)]


def _index(docs, path=None):
    idx = BM25Index(path)
    idx.upsert([IndexDoc(id=i, content_hash=str(hash(t)), text=t) for i, t in docs])
    return idx


@pytest.mark.parametrize("query", QUERIES)
def test_scores_equal_rank_bm25_on_real_postings(postings, query):
    idx = _index(postings)
    reference = BM25Okapi([tokenize(t) for _, t in postings])
    q = tokenize(query)
    np.testing.assert_allclose(idx.get_scores(q), reference.get_scores(q), rtol=1e-9, atol=1e-12)


def test_scores_still_equal_the_reference_after_updates_and_deletes(postings):
    idx = _index(postings[:1000])
    idx.upsert([IndexDoc(id=i, content_hash="x", text=t) for i, t in postings[1000:]])
    idx.delete(range(1, 201))
    idx.upsert([IndexDoc(id=300, content_hash="y", text="nurse nurse practitioner")])  # replaces id 300
    kept = {i: t for i, t in postings if i > 200}
    kept[300] = "nurse nurse practitioner"
    order = idx.ids.tolist()
    reference = BM25Okapi([tokenize(kept[i]) for i in order])
    q = tokenize("registered nurse practitioner")
    np.testing.assert_allclose(idx.get_scores(q), reference.get_scores(q), rtol=1e-9, atol=1e-12)


def test_search_returns_the_best_k_ids_in_score_order(postings):
    idx = _index(postings)
    reference = BM25Okapi([tokenize(t) for _, t in postings]).get_scores(tokenize("registered nurse"))
    hits = idx.search("registered nurse", 10)
    expected = sorted(range(len(postings)), key=lambda j: (-reference[j], postings[j][0]))[:10]
    assert [h.id for h in hits] == [postings[j][0] for j in expected]
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_saved_index_loads_with_the_same_scores(postings, tmp_path):
    idx = _index(postings, tmp_path / "bm25")
    idx.save()
    again = BM25Index(tmp_path / "bm25")
    assert again.hashes() == idx.hashes()
    q = tokenize("warehouse associate logistics")
    np.testing.assert_array_equal(again.get_scores(q), idx.get_scores(q))


def test_a_reader_picks_up_an_index_saved_by_another_process(postings, tmp_path):
    writer = _index(postings[:100], tmp_path / "bm25")
    writer.save()
    reader = BM25Index(tmp_path / "bm25")
    writer.upsert([IndexDoc(id=9999, content_hash="z", text="zookeeper animal care")])
    writer.save()
    assert reader.reload_if_changed()
    assert reader.search("zookeeper", 1)[0].id == 9999
