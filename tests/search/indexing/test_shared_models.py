"""Retrained models across machines: a version saved on one worker reaches a worker with another data dir
through the shared (S3-compatible) storage, and so does a rollback."""

from __future__ import annotations

import pytest
from sklearn.dummy import DummyClassifier

from search.indexing import artifacts
from search.indexing.artifacts import PERSONAL, load_model, rollback, save_model

BUCKET = "jobmatch-models"


@pytest.fixture
def shared(settings, tmp_path):  # type: ignore[no-untyped-def]
    moto = pytest.importorskip("moto")
    import boto3

    with moto.mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
        options = {"bucket_name": BUCKET, "region_name": "us-east-1", "access_key": "t", "secret_key": "t"}
        settings.JOBMATCH_FILE_STORAGE = "s3"
        settings.STORAGES = {
            **settings.STORAGES,
            "models": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**options, "location": "models"}},
        }
        artifacts._synced_at.clear()
        yield settings
        artifacts._synced_at.clear()


def _model(label: str) -> DummyClassifier:
    return DummyClassifier(strategy="constant", constant=label).fit([[0], [1]], [label, "other"])


def _on(settings, machine):  # type: ignore[no-untyped-def]
    settings.MODEL_DIR = machine
    artifacts._synced_at.clear()  # a minute later


def test_a_model_saved_on_one_machine_serves_on_another_and_a_rollback_follows(shared, tmp_path):
    indexing, matching = tmp_path / "indexing-machine", tmp_path / "matching-machine"
    _on(shared, indexing)
    first = save_model(PERSONAL, _model("first"), {"trained_on": 10})
    second = save_model(PERSONAL, _model("second"), {"trained_on": 20})

    _on(shared, matching)
    served = load_model(PERSONAL)
    assert served is not None and served.version == second.name and served.metrics["trained_on"] == 20
    assert sorted(p.name for p in (matching / PERSONAL).iterdir()) == sorted([first.name, second.name])

    rolled, now = rollback(PERSONAL)  # on the matching machine
    assert (rolled, now) == (second.name, first.name)

    _on(shared, indexing)
    served = load_model(PERSONAL)
    assert served is not None and served.version == first.name
    assert (indexing / PERSONAL / f"rolled-back-{second.name}").is_dir()


def test_a_storage_that_does_not_answer_leaves_the_local_versions_serving(shared, tmp_path, monkeypatch):
    _on(shared, tmp_path / "machine")
    saved = save_model(PERSONAL, _model("local"), {})

    def down(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ConnectionError("s3 unreachable")

    monkeypatch.setattr(artifacts.storages["models"], "listdir", down)
    artifacts._synced_at.clear()
    served = load_model(PERSONAL)
    assert served is not None and served.version == saved.name


def test_on_one_machine_nothing_is_copied(settings, tmp_path):
    settings.MODEL_DIR = tmp_path / "models"
    saved = save_model(PERSONAL, _model("only"), {})
    assert artifacts._shared() is None
    assert [p.name for p in (tmp_path / "models" / PERSONAL).iterdir()] == [saved.name]
