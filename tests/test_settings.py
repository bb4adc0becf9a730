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


PROD = {
    "DJANGO_SETTINGS_MODULE": "jobmatch.settings.prod",
    "DJANGO_SECRET_KEY": "x" * 60,
    "DJANGO_ALLOWED_HOSTS": "jobs.example.org",
    "DATABASE_URL": "postgres://jobmatch@db.example.org:5432/jobmatch",
    "CELERY_BROKER_URL": "redis://redis.example.org:6379/0",
    "CACHE_URL": "redis://redis.example.org:6379/1",
    "QDRANT_URL": "http://qdrant.example.org:6333",
    "JOBMATCH_SITE_URL": "https://jobs.example.org",
}


def _setting(names, env_extra, tmp_path):
    code = (
        "import django, json; django.setup(); from django.conf import settings;"
        f"print(json.dumps({{n: str(getattr(settings, n)) for n in {names!r}}}))"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "CELERY_", "QDRANT_", "DJANGO_", "JOBMATCH_", "CACHE_"))
    }
    env.update({"JOBMATCH_DATA_DIR": str(tmp_path), **env_extra})
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    "cache_url",
    ["redis://redis.example.org:6379/0", "redis://redis.example.org:6379", "redis://redis.example.org/0", ""],
)
def test_production_refuses_a_cache_on_the_brokers_redis_database(cache_url, tmp_path):
    r = _setting(["CACHES"], {**PROD, "CACHE_URL": cache_url}, tmp_path)
    assert r.returncode != 0
    assert ("name the same Redis database" if cache_url else "Set the environment variable CACHE_URL") in r.stderr


def test_production_serves_hashed_static_files_logs_json_and_gives_redis_tasks_time(tmp_path):
    import json

    r = _setting(["STORAGES", "LOGGING", "CELERY_BROKER_TRANSPORT_OPTIONS", "DEBUG", "DATABASES"], PROD, tmp_path)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert "'CONN_HEALTH_CHECKS': True" in got["DATABASES"]  # a kept connection is checked before reuse
    assert "whitenoise.storage.CompressedManifestStaticFilesStorage" in got["STORAGES"]
    assert "pythonjsonlogger" in got["LOGGING"]
    assert "'visibility_timeout': 43200" in got["CELERY_BROKER_TRANSPORT_OPTIONS"]  # above a 100k index build
    assert got["DEBUG"] == "False"


def test_production_needs_a_qdrant_server_unless_the_embedded_store_is_chosen_explicitly(tmp_path):
    without = {k: v for k, v in PROD.items() if k != "QDRANT_URL"}
    r = _setting(["QDRANT_URL"], without, tmp_path)
    assert r.returncode != 0 and "Set the environment variable QDRANT_URL" in r.stderr
    r = _setting(["QDRANT_URL", "JOBMATCH_VECTOR_STORE"], {**without, "JOBMATCH_VECTOR_STORE": "edge"}, tmp_path)
    assert r.returncode == 0, r.stderr
    assert '"JOBMATCH_VECTOR_STORE": "edge"' in r.stdout


def test_the_wsgi_application_defaults_to_production_settings_and_fails_loudly_without_them(tmp_path):
    """gunicorn jobmatch.wsgi with DJANGO_SETTINGS_MODULE forgotten: production settings, which refuse to
    start without a secret key, never the development ones (DEBUG on, a known key)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "JOBMATCH_"))}
    env["JOBMATCH_DATA_DIR"] = str(tmp_path)
    r = subprocess.run(
        [sys.executable, "-c", "import jobmatch.wsgi"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert r.returncode != 0
    assert "Set the environment variable DJANGO_SECRET_KEY" in r.stderr


def test_an_unknown_file_storage_is_refused(tmp_path):
    r = _setting(
        ["STORAGES"], {"DJANGO_SETTINGS_MODULE": "jobmatch.settings.base", "JOBMATCH_FILE_STORAGE": "ftp"}, tmp_path
    )
    assert r.returncode != 0 and "JOBMATCH_FILE_STORAGE must be filesystem or s3" in r.stderr


def test_production_opens_the_search_service_beyond_loopback_only_with_a_token(tmp_path):
    r = _setting(["JOBMATCH_SEARCH_BIND"], {**PROD, "JOBMATCH_SEARCH_BIND": "0.0.0.0"}, tmp_path)
    assert r.returncode != 0 and "set JOBMATCH_SEARCH_TOKEN" in r.stderr
    r = _setting(
        ["JOBMATCH_SEARCH_BIND"], {**PROD, "JOBMATCH_SEARCH_BIND": "0.0.0.0", "JOBMATCH_SEARCH_TOKEN": "t0k"}, tmp_path
    )
    assert r.returncode == 0, r.stderr
