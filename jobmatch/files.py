"""Files written through Django's storage API: whole or not at all."""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.core.files.storage import Storage

log = logging.getLogger(__name__)


class StorageFull(Exception):
    """The storage could not take the whole file (a full disk, a quota, an I/O error); nothing of it is kept."""

    message = "The server has no room to keep your file just now, so nothing was kept. Please try again later."


def save_whole(where: Storage, name: str, data: bytes) -> str:
    """Save all of `data` under the new `name`, or nothing: a write that fails part-way (ENOSPC on a full
    disk) leaves no partial file behind to keep the disk full. A name already taken is FileExistsError;
    a failed write is StorageFull. Returns the name the storage chose."""
    if where.exists(name):
        raise FileExistsError(name)
    try:
        return where.save(name, ContentFile(data))
    except FileExistsError:
        raise
    except OSError as exc:
        log.error("could not store a file of %s bytes: %s", len(data), exc)
        try:
            where.delete(name)  # the part written before the error
        except OSError:
            log.exception("could not remove the partial file %s", name)
        raise StorageFull(str(exc)) from exc
