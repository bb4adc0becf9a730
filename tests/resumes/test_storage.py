"""Resume and import files on Django's storage API: the disk by default, an S3-compatible bucket when
configured (here moto's in-process S3). The same upload, download and deletion paths on both."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from resumes import storage
from resumes.models import Resume
from tests.conftest import FIXTURES

BUCKET = "jobmatch-test-files"


def s3_storages() -> dict:
    options = {
        "bucket_name": BUCKET,
        "region_name": "us-east-1",
        "access_key": "test",
        "secret_key": "test",
        "default_acl": "private",
        "file_overwrite": False,
        "object_parameters": {"ServerSideEncryption": "AES256"},
    }
    backend = "storages.backends.s3.S3Storage"
    return {
        **settings.STORAGES,
        "resumes": {"BACKEND": backend, "OPTIONS": {**options, "location": "resumes"}},
        "imports": {"BACKEND": backend, "OPTIONS": {**options, "location": "imports"}},
    }


@pytest.fixture
def bucket():  # type: ignore[no-untyped-def]
    moto = pytest.importorskip("moto")
    import boto3

    with moto.mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        with override_settings(STORAGES=s3_storages()):
            yield s3


def _keys(s3) -> list[str]:  # type: ignore[no-untyped-def]
    return [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_a_name_is_never_overwritten_and_a_bad_name_is_refused(tmp_path):
    name = storage.new_name()
    storage.write(name, b"first")
    with pytest.raises(FileExistsError):
        storage.write(name, b"second")
    assert storage.read(name) == b"first"
    storage.remove(name)
    storage.remove(name)  # gone already: not an error
    with pytest.raises(FileNotFoundError):
        storage.read(name)
    for bad in ("../etc/passwd", "", "ABC", "a/b"):
        with pytest.raises(ValueError):
            storage.write(bad, b"x")


def test_files_on_disk_are_readable_by_the_owner_process_only():
    name = storage.new_name()
    storage.write(name, b"private")
    path = settings.UPLOAD_DIR / name
    assert path.stat().st_mode & 0o777 == 0o600
    assert settings.UPLOAD_DIR.stat().st_mode & 0o777 == 0o700
    storage.remove(name)


def test_on_s3_an_upload_is_stored_in_the_bucket_read_by_the_worker_downloaded_and_deleted(
    bucket, seeker_client, corpus, django_capture_on_commit_callbacks
):
    data = (FIXTURES / "it-27295996.pdf").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        r = seeker_client.post(reverse("resumes:list"), {"file": SimpleUploadedFile("cv.pdf", data)})
    assert r.status_code == 302
    resume = Resume.objects.get()
    assert resume.status == Resume.Status.DONE, resume.failure_reason
    assert resume.recommendations.count() == 10
    assert _keys(bucket) == [f"resumes/{resume.stored_name}"]
    head = bucket.head_object(Bucket=BUCKET, Key=f"resumes/{resume.stored_name}")
    assert head["ServerSideEncryption"] == "AES256"
    assert not (settings.UPLOAD_DIR / resume.stored_name).exists()  # nothing on this machine's disk

    download = seeker_client.get(reverse("resumes:file", args=[resume.public_id]))
    assert b"".join(download.streaming_content) == data

    with django_capture_on_commit_callbacks(execute=True):
        seeker_client.post(reverse("account_delete"), {"password": "correct horse battery 9"})
    assert _keys(bucket) == []


def test_on_s3_a_file_gone_from_the_bucket_ends_missing_file(
    bucket, seeker_client, corpus, django_capture_on_commit_callbacks
):
    from resumes.services import resume_parse

    data = (FIXTURES / "it-27295996.pdf").read_bytes()
    with django_capture_on_commit_callbacks(execute=False):  # stored, not yet processed
        seeker_client.post(reverse("resumes:list"), {"file": SimpleUploadedFile("cv.pdf", data)})
    resume = Resume.objects.get()
    bucket.delete_object(Bucket=BUCKET, Key=f"resumes/{resume.stored_name}")
    assert resume_parse(resume_id=resume.pk, sha256=resume.sha256) is None
    resume.refresh_from_db()
    assert resume.status == Resume.Status.FAILED and resume.failure_code == "missing_file"


def test_on_s3_a_bulk_import_is_checked_and_committed_from_the_bucket(bucket, admin_user, db):
    from search.models import JobPosting
    from search.postings.bulk import import_check, import_commit

    csv = b'id,title,company,location\nx-1,Staff Nurse,Acme Health,"Boston, MA"\nx-2,Line Cook,Diner,Remote\n'
    record = import_check(user=admin_user, organisation=None, name="postings.csv", data=csv, admin=True)
    assert record.status == "checked", record.error
    assert _keys(bucket) == [f"imports/{record.stored_name}"]
    import_commit(record=record, user=admin_user)
    assert set(JobPosting.objects.filter(external_id__in=["x-1", "x-2"]).values_list("title", flat=True)) == {
        "Staff Nurse",
        "Line Cook",
    }
    assert _keys(bucket) == []
