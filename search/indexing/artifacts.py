"""Versioned model artifacts: DATA_DIR/models/<name>/<version>/ with model.joblib and metrics.json.

The serving model is the newest version trained in this deployment, else the one shipped with the
repository (search/artifacts/<name>/), trained by `manage.py train_models`.

Across machines (JOBMATCH_FILE_STORAGE=s3) every version is also published to the `models` storage, and a
worker copies versions it lacks (and rollbacks made elsewhere) into its own DATA_DIR/models at most every
SYNC_SECONDS, so a model retrained by the indexing worker reaches the matching workers on other machines.
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
from django.core.files import File
from django.core.files.storage import Storage, storages

log = logging.getLogger(__name__)
DOMAIN = "domain"
RERANKER = "reranker"
OCCUPATIONS = "occupations"  # O*NET-SOC placement of titles (search.ranking.occupations)
PERSONAL = "personal"  # the per-seeker and per-posting corrections (search.learning), trained on this machine only
ROLLED_BACK = "rolled-back-"
REJECTED = "rejected-"
FILES = ("model.joblib", "metrics.json")
SYNC_SECONDS = 60.0
_synced_at: dict[str, float] = {}


@dataclass
class StoredModel:
    estimator: Any
    version: str
    metrics: dict[str, Any]

    @property
    def classes(self) -> list[str]:
        return [str(c) for c in self.estimator.classes_]


def _new_version(name: str) -> str:
    """v<date>-<time>, with a suffix when two are saved within one second (they must sort in order)."""
    version = time.strftime("v%Y%m%d-%H%M%S")
    taken = {p.name.removeprefix(ROLLED_BACK).removeprefix(REJECTED) for p in (settings.MODEL_DIR / name).glob("*")}
    n = 0
    while (version if n == 0 else f"{version}-{n:02d}") in taken:
        n += 1
    return version if n == 0 else f"{version}-{n:02d}"


def save_model(
    name: str, estimator: Any, metrics: dict[str, Any], *, out_dir: Path | None = None, rejected: bool = False
) -> Path:
    """Write a new version under DATA_DIR/models/<name>/, or into `out_dir` (the shipped artifact). A
    `rejected` version (it failed the deployment gate) is kept with its metrics but never served."""
    version = _new_version(name)
    out = out_dir or settings.MODEL_DIR / name / (f"{REJECTED}{version}" if rejected else version)
    out.mkdir(parents=True, exist_ok=True)
    joblib.dump(estimator, out / "model.joblib", compress=3)
    (out / "metrics.json").write_text(json.dumps({"version": version, **metrics}, indent=2, sort_keys=True) + "\n")
    if out_dir is None:
        _publish(name, out)
    return out


def _shared() -> Storage | None:
    """The deployment's shared model storage, or None when every process reads this machine's MODEL_DIR."""
    return storages["models"] if settings.JOBMATCH_FILE_STORAGE == "s3" else None


def _publish(name: str, version_dir: Path) -> None:
    store = _shared()
    if store is None:
        return
    for filename in FILES:
        if (version_dir / filename).exists():
            with (version_dir / filename).open("rb") as fh:
                key = f"{name}/{version_dir.name}/{filename}"
                store.delete(key)
                store.save(key, File(fh))


def _base_version(dirname: str) -> str:
    return dirname.removeprefix(ROLLED_BACK).removeprefix(REJECTED)


def sync(name: str, *, force: bool = False) -> None:
    """Bring this machine's versions of a model in line with the shared storage: copy the versions it
    lacks, rename the ones rolled back elsewhere. At most every SYNC_SECONDS unless forced; a storage that
    does not answer leaves the local versions serving (logged)."""
    store = _shared()
    if store is None or (not force and time.monotonic() - _synced_at.get(name, -SYNC_SECONDS) < SYNC_SECONDS):
        return
    _synced_at[name] = time.monotonic()
    try:
        shared, _ = store.listdir(f"{name}/")
        local = settings.MODEL_DIR / name
        local.mkdir(parents=True, exist_ok=True)
        here = {_base_version(p.name): p for p in local.iterdir() if p.is_dir() and not p.name.startswith(".")}
        for dirname in shared:
            mine = here.get(_base_version(dirname))
            if mine is not None:
                if mine.name != dirname:
                    mine.rename(local / dirname)  # rolled back (or rejected) on another machine
                continue
            part = local / f".{dirname}.part"
            part.mkdir(exist_ok=True)
            for filename in FILES:
                with store.open(f"{name}/{dirname}/{filename}", "rb") as src:
                    (part / filename).write_bytes(src.read())
            part.rename(local / dirname)
            log.info("model %s %s copied from the shared storage", name, dirname)
    except Exception:
        log.warning("cannot sync the %s model from the shared storage; serving what is here", name, exc_info=True)


def _candidates(name: str) -> list[Path]:
    sync(name)
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


def serving_path(name: str) -> Path | None:
    """Where the version that load_model would serve lies (None when there is none)."""
    found = _candidates(name)
    return found[0] if found else None


def versions(name: str) -> list[dict[str, Any]]:
    """Every version of a model on this machine, newest first, with its state and metrics."""
    serving = serving_path(name)
    out = []
    for path in sorted((settings.MODEL_DIR / name).glob("*"), key=lambda p: p.name.split("v", 1)[-1], reverse=True):
        if not (path / "model.joblib").exists():
            continue
        metrics = json.loads((path / "metrics.json").read_text()) if (path / "metrics.json").exists() else {}
        state = (
            "serving"
            if path == serving
            else "rolled back"
            if path.name.startswith(ROLLED_BACK)
            else "rejected"
            if path.name.startswith(REJECTED)
            else "older"
        )
        out.append({"version": path.name, "state": state, "path": str(path), "metrics": metrics})
    return out


class NothingToRollBack(RuntimeError):
    pass


def rollback(name: str) -> tuple[str, str]:
    """Stop serving the newest local version of a model (kept, renamed rolled-back-<version>); the one
    before it, else the shipped one, else none, serves. Returns (rolled back, now serving)."""
    local = [p for p in _candidates(name) if p.parent == settings.MODEL_DIR / name]
    if not local:
        raise NothingToRollBack(f"no {name} model trained on this machine to roll back")
    newest = local[0]
    newest.rename(newest.with_name(ROLLED_BACK + newest.name))
    store = _shared()
    if store is not None:  # the other machines rename theirs at their next sync
        _publish(name, newest.with_name(ROLLED_BACK + newest.name))
        for filename in FILES:
            store.delete(f"{name}/{newest.name}/{filename}")
    now = serving_path(name)
    return newest.name, (now.name if now is not None and now.parent.name == name else "shipped" if now else "none")
