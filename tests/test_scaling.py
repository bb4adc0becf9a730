"""Scale-out by configuration: the same code paths, with cluster settings passed through."""

from __future__ import annotations

import pytest
from qdrant_client import QdrantClient


def test_collections_are_created_with_the_shards_and_replicas_from_settings(monkeypatch, settings):
    from search.indexing import engine as engines

    settings.QDRANT_SHARDS, settings.QDRANT_REPLICAS = 6, 3
    settings.QDRANT_COLLECTION = "scaling_test"
    settings.QDRANT_URL = "http://qdrant.cluster.test:6333"  # a server: the client's path, not Edge
    client = QdrantClient(":memory:")
    created = {}
    real = client.create_collection

    def spy(name, **kwargs):  # type: ignore[no-untyped-def]
        created[name] = kwargs
        return real(name, **kwargs)

    monkeypatch.setattr(client, "create_collection", spy)
    monkeypatch.setattr(engines, "open_client", lambda **kw: client)
    settings.JOBMATCH_KEYWORD_STORE = "qdrant"  # the default when QDRANT_URL is set
    index = engines.open_vectors()
    engine = engines.Engine(bm25=engines.open_keywords(beside=index), vectors=index, domain=None)
    engine.resume_vectors  # noqa: B018  (opens the recruiter-side collections)
    engine.resume_bm25  # noqa: B018
    for name in ("scaling_test", "scaling_test_resumes", "scaling_test_keywords", "scaling_test_resumes_keywords"):
        assert created[name]["shard_number"] == 6
        assert created[name]["replication_factor"] == 3
        assert created[name]["write_consistency_factor"] == 2  # a majority of the copies
    # The embedded store takes the same calls: the code path CI runs is the cluster's.
    assert len(index) == 0
    client.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("vector_store", ["local", "edge"], ids=["client-local-mode", "edge"])
def test_keyword_retrieval_on_qdrant_sparse_vectors_serves_recommendations(
    settings, tmp_path, corpus_committed, vector_store
):
    """With JOBMATCH_KEYWORD_STORE=qdrant (a server's default) build_index writes BM25 as sparse vectors
    and the seekers' ranking reads its keyword candidates from them: on qdrant-client's local mode (the
    same calls a server takes) and, without a server, on Qdrant Edge (the same engine in the process)."""
    from search.indexes.edge import EdgeSparseBM25Index
    from search.indexes.sparse import QdrantSparseBM25Index
    from search.indexing.engine import get_engine, reset_engine
    from search.indexing.posting_index import index_build
    from search.matching.seekers import jobs_for_text
    from search.models import JobPosting

    reset_engine()
    settings.INDEX_DIR = tmp_path / "index"
    settings.JOBMATCH_KEYWORD_STORE = "qdrant"
    settings.JOBMATCH_VECTOR_STORE = vector_store
    settings.QDRANT_BM25_AVG_LENGTH = 30.0
    kind = QdrantSparseBM25Index if vector_store == "local" else EdgeSparseBM25Index
    try:
        report = index_build()
        engine = get_engine()
        assert isinstance(engine.bm25, kind)
        assert not (tmp_path / "index" / "bm25").exists()  # no BM25 files beside it
        assert report.bm25_updated == JobPosting.objects.open().count() == len(engine.bm25)
        assert isinstance(engine.resume_bm25, kind)  # the recruiter side opens beside it
        if vector_store == "local":
            assert engine.resume_bm25.client is engine.bm25.client
        else:  # a shard of its own, which erases what a deleted account's resume left
            assert engine.resume_bm25.erase_deleted and not engine.bm25.erase_deleted
        nurse = JobPosting.objects.filter(title__icontains="nurse").first()
        assert nurse is not None
        result = jobs_for_text(text=f"{nurse.title}. Patient care, medication administration, charting.")
        assert result.items
        found_by_keywords = [i for i in result.items if "bm25" in i.candidate.found_by]
        assert found_by_keywords and any("nurse" in i.posting.title.lower() for i in found_by_keywords)
        # A closed posting leaves the keyword collection on the next build.
        nurse.active = False
        nurse.save()
        index_build()
        assert nurse.pk not in get_engine().bm25.hashes()
    finally:
        reset_engine()
