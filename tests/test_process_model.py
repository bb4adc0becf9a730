"""One process model, written once: the Procfile names every process; docker-compose.yml runs those same
entries (through honcho), and every Celery queue has a worker in it. The Procfile itself runs in
tests/test_deploy.py."""

from __future__ import annotations

import re

import yaml
from django.conf import settings

from tests.conftest import ROOT


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def test_the_procfile_has_the_web_a_worker_for_every_queue_and_beat():
    procs = procfile()
    assert set(procs) == {"web", "parsing", "matching", "indexing", "alerts", "beat"}
    assert "gunicorn --config gunicorn.conf.py jobmatch.wsgi" in procs["web"]
    assert "celery -A jobmatch beat" in procs["beat"]
    consumed = set()
    for name in ("parsing", "matching", "indexing", "alerts"):
        queues = re.search(r"--queues (\S+)", procs[name]).group(1)
        queue = re.sub(r"\$\{\w+:-(\w+)\}", r"\1", queues)  # the default of a ${VAR:-default}
        consumed.add(queue)
        assert f"--hostname {name}@%h" in procs[name]  # /readyz names a stopped worker by it
    assert consumed == set(settings.CELERY_QUEUE_NAMES)


def test_compose_runs_the_procfile_entries_on_the_services_production_needs():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    procs = procfile()
    for name in procs:
        assert services[name]["command"] == ["honcho", "start", name], name
    app = services["web"]["environment"]
    assert app["CELERY_BROKER_URL"] != app["CACHE_URL"]  # a cache flush must not drop the queues
    assert {"postgres", "redis", "qdrant", "migrate"} <= set(services)
    assert app["QDRANT_URL"] == "http://qdrant:6333"
