"""Scale-out by configuration: the same code paths, with cluster settings passed through."""

from __future__ import annotations

from qdrant_client import QdrantClient


def test_collections_are_created_with_the_shards_and_replicas_from_settings(monkeypatch, settings):
    import search.engine

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
    monkeypatch.setattr(search.engine, "open_client", lambda **kw: client)
    index = search.engine.open_vectors()
    engine = search.engine.Engine(bm25=None, vectors=index, domain=None)  # type: ignore[arg-type]
    engine.resume_vectors  # noqa: B018  (opens the recruiter-side collection)
    for name in ("scaling_test", "scaling_test_resumes"):
        assert created[name]["shard_number"] == 6
        assert created[name]["replication_factor"] == 3
        assert created[name]["write_consistency_factor"] == 2  # a majority of the copies
    # The embedded store takes the same calls: the code path CI runs is the cluster's.
    assert len(index) == 0
    client.close()
