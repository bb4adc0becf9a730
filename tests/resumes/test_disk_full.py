"""A full disk while a file is written: the person is told, in words, and nothing is kept — no row, no
partial file left to keep the disk full, no task, no quota spent."""

from __future__ import annotations

import errno
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jobmatch.api_tokens import token_create
from jobmatch.files import StorageFull, save_whole
from resumes import storage
from resumes.models import Resume
from search.models import PostingImport
from search.postings.bulk import import_check, import_store

RESUME = b"Jane Doe\njane@example.com\nRegistered Nurse\n\nExperience\nRegistered Nurse, General Hospital, 2015-2023\n"


@pytest.fixture
def full_disk(monkeypatch) -> Iterator[list[int]]:  # type: ignore[no-untyped-def]
    """Every file write stops with ENOSPC after its first bytes reached the disk, as on a filling disk."""
    written: list[int] = []
    real_chunks = ContentFile.chunks

    def chunks(self, chunk_size=None):  # type: ignore[no-untyped-def]
        for chunk in real_chunks(self, chunk_size):
            half = chunk[: max(1, len(chunk) // 2)]
            written.append(len(half))
            yield half
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(ContentFile, "chunks", chunks)
    yield written


def _files(folder) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_a_write_that_fails_part_way_leaves_no_partial_file(full_disk):
    where = storage.store()
    name = storage.new_name()
    with pytest.raises(StorageFull):
        save_whole(where, name, b"x" * 10_000)
    assert full_disk, "the write never started: the test would prove nothing"
    assert not where.exists(name)


def test_a_name_already_taken_is_refused_before_anything_is_written(monkeypatch):
    where = storage.store()
    name = storage.new_name()
    where.save(name, ContentFile(b"kept"))
    with pytest.raises(FileExistsError):
        save_whole(where, name, b"other")
    with where.open(name) as fh:
        assert fh.read() == b"kept"
    where.delete(name)


def test_an_upload_on_a_full_disk_is_refused_with_a_message_and_nothing_kept(
    seeker_client, full_disk, django_capture_on_commit_callbacks
):
    before = _files(settings.UPLOAD_DIR)
    with django_capture_on_commit_callbacks(execute=False) as sent:
        r = seeker_client.post(reverse("resumes:list"), {"file": SimpleUploadedFile("cv.txt", RESUME)})
    assert r.status_code == 507
    assert "no room to keep your file" in r.content.decode()
    assert full_disk  # bytes did reach the disk before it was full
    assert Resume.objects.count() == 0 and not sent
    assert _files(settings.UPLOAD_DIR) == before  # no partial file left behind


def test_the_api_answers_507_with_the_same_words(client, seeker, full_disk):
    _, key = token_create(user=seeker, name="portal", scopes=["match"])
    r = client.post(
        "/api/v1/match/file",
        {"file": SimpleUploadedFile("cv.txt", RESUME)},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert r.status_code == 507 and "no room" in r.json()["detail"]
    assert Resume.objects.count() == 0


def test_a_postings_file_checked_on_a_full_disk_is_invalid_with_a_message_and_not_kept(admin_user, full_disk):
    folder = settings.DATA_DIR / "imports"
    before = _files(folder)
    data = b'id,title,company,location\nx-1,Staff Nurse,Acme Health,"Boston, MA"\n'
    record = import_check(user=admin_user, organisation=None, name="postings.csv", data=data, admin=True)
    assert record.status == PostingImport.Status.INVALID
    assert "no room" in record.error
    assert full_disk and not import_store().exists(record.stored_name)
    assert _files(folder) == before
