"""Resume files on disk: outside the web root, under random names, never the user's name."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings


def upload_dir() -> Path:
    path = Path(settings.UPLOAD_DIR)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def new_name() -> str:
    return secrets.token_hex(16)


def path_for(stored_name: str) -> Path:
    if not stored_name or not all(c in "0123456789abcdef" for c in stored_name):
        raise ValueError("not a stored file name")
    return upload_dir() / stored_name


def write(stored_name: str, data: bytes) -> Path:
    """Write atomically: a crash leaves either the whole file or none."""
    path = path_for(stored_name)
    tmp = path.with_name(f".{stored_name}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path


def read(stored_name: str) -> bytes:
    return path_for(stored_name).read_bytes()


def remove(stored_name: str) -> None:
    path_for(stored_name).unlink(missing_ok=True)
