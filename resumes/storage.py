"""Resume files: outside the web root, under random names, never the user's name.

Through Django's storage API (settings.STORAGES["resumes"]): this machine's disk under DATA_DIR/uploads by
default, an S3-compatible bucket in a deployment across machines. No storage here serves files to the
web: a file reaches its owner (or a recruiter it was shared with) only through a view that checks access.
"""

from __future__ import annotations

import secrets
from typing import IO

from django.core.files.storage import Storage, storages

from jobmatch.files import save_whole


def store() -> Storage:
    return storages["resumes"]


def new_name() -> str:
    return secrets.token_hex(16)


def _checked(stored_name: str) -> str:
    if not stored_name or not all(c in "0123456789abcdef" for c in stored_name):
        raise ValueError("not a stored file name")
    return stored_name


def write(stored_name: str, data: bytes) -> None:
    """Store the file under its random name. A name already taken is an error, never an overwrite; a full
    disk is StorageFull, with nothing kept."""
    name = _checked(stored_name)
    saved = save_whole(store(), name, data)
    if saved != name:  # the storage picked another name: the random one was taken
        store().delete(saved)
        raise FileExistsError(name)


def read(stored_name: str) -> bytes:
    """The file's bytes; FileNotFoundError when it is gone."""
    with open_file(stored_name) as fh:
        return fh.read()


def open_file(stored_name: str) -> IO[bytes]:
    return store().open(_checked(stored_name), "rb")  # FileNotFoundError from either backend


def remove(stored_name: str) -> None:
    store().delete(_checked(stored_name))  # a missing file is not an error
