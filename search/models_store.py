"""Versioned model artifacts: DATA_DIR/models/<name>/<version>/ with model.joblib and metrics.json.

The serving model is the newest version trained on this machine, else the one shipped
with the repository (search/artifacts/<name>/), trained by `manage.py train_models`.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
from django.conf import settings

log = logging.getLogger(__name__)
DOMAIN = "domain"
RERANKER = "reranker"


@dataclass
class StoredModel:
    estimator: Any
    version: str
    metrics: dict[str, Any]

    @property
    def classes(self) -> list[str]:
        return [str(c) for c in self.estimator.classes_]


def save_model(name: str, estimator: Any, metrics: dict[str, Any], *, out_dir: Path | None = None) -> Path:
    """Write a new version under DATA_DIR/models/<name>/, or into `out_dir` (the shipped artifact)."""
    version = time.strftime("v%Y%m%d-%H%M%S")
    out = out_dir or settings.MODEL_DIR / name / version
    out.mkdir(parents=True, exist_ok=True)
    joblib.dump(estimator, out / "model.joblib", compress=3)
    (out / "metrics.json").write_text(json.dumps({"version": version, **metrics}, indent=2, sort_keys=True) + "\n")
    return out


def _candidates(name: str) -> list[Path]:
    local = settings.MODEL_DIR / name
    versions = sorted((p for p in local.glob("v*") if (p / "model.joblib").exists()), reverse=True)
    shipped = settings.SHIPPED_MODEL_DIR / name
    return versions + ([shipped] if (shipped / "model.joblib").exists() else [])


def load_model(name: str) -> StoredModel | None:
    """The serving version of a model, or None (logged) when there is none that loads."""
    for path in _candidates(name):
        try:
            metrics = json.loads((path / "metrics.json").read_text()) if (path / "metrics.json").exists() else {}
            return StoredModel(joblib.load(path / "model.joblib"), str(metrics.get("version", path.name)), metrics)
        except Exception:  # a broken artifact must not take matching down; fall back to the next
            log.exception("cannot load the %s model at %s", name, path)
    log.warning("no %s model found", name)
    return None


def load_domain_model() -> StoredModel | None:
    return load_model(DOMAIN)
