"""The embedded default needs no environment; production refuses to start without its secrets."""

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def manage_py(args, env_extra, tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "CELERY_", "QDRANT_", "DJANGO_", "JOBMATCH_"))
    }
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_embedded_default_migrates_into_its_data_dir_with_no_other_variables(tmp_path):
    r = manage_py(["migrate", "--noinput", "-v", "0"], {"JOBMATCH_DATA_DIR": str(tmp_path / "data")}, tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "data" / "db.sqlite3").is_file()
    assert (tmp_path / "data" / "broker" / "out").is_dir()  # the serverless broker's queue folder
    assert (tmp_path / "data" / "broker" / "control").is_dir()  # its broadcast tables, not ./control


def test_two_data_dirs_do_not_share_state(tmp_path):
    for name in ("a", "b"):
        assert (
            manage_py(
                ["migrate", "--noinput", "-v", "0"], {"JOBMATCH_DATA_DIR": str(tmp_path / name)}, tmp_path
            ).returncode
            == 0
        )
    assert (tmp_path / "a" / "db.sqlite3").is_file() and (tmp_path / "b" / "db.sqlite3").is_file()


def test_production_settings_fail_loudly_without_a_secret_key(tmp_path):
    r = manage_py(
        ["check"], {"DJANGO_SETTINGS_MODULE": "jobmatch.settings.prod", "JOBMATCH_DATA_DIR": str(tmp_path)}, tmp_path
    )
    assert r.returncode != 0
    assert "Set the environment variable DJANGO_SECRET_KEY" in r.stderr


@pytest.mark.parametrize("module", ["jobmatch.settings.base", "jobmatch.settings.test"])
def test_web_modules_do_not_import_torch(module, tmp_path):
    """The web process serves pages without loading torch, the models, spaCy or the index clients."""
    heavy = ("torch", "sentence_transformers", "spacy", "qdrant_client", "qdrant_edge", "grpc")
    code = (
        "import django, sys; django.setup();"
        "from django.test import Client; import jobmatch.urls, resumes.views, search.views, search.admin;"
        "import search.recruiting.views; from django.urls import get_resolver; get_resolver().url_patterns;"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": module, "JOBMATCH_DATA_DIR": str(tmp_path)}
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
