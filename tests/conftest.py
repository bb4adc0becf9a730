"""Shared fixtures: personas, a real corpus of demo postings with built indexes, service checks."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DEMO = ROOT / "search" / "demo_data" / "linkedin-2023"
CORPUS_SIZE = 600  # enough real postings for ten results across domains; embeds in seconds


def free_port() -> int:
    """A loopback port nothing listens on (the socket that found it is closed again)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_url() -> str:
    """The test database as a DATABASE_URL, for a worker or beat started in another process."""
    from urllib.parse import quote

    from django.db import connection

    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    auth = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def running(pid: int) -> bool:
    """Whether the process runs (a zombie, exited but not yet reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except OSError:
        return False
    return state != "Z"


def helper_leaves_with_its_worker(script: str, env: dict[str, str], what: str) -> None:
    """Run `script` as a worker would (it starts a helper process, prints the helper's pid, then waits),
    kill that worker with SIGKILL, and see the helper gone within 10 s."""
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        helper = int(proc.stdout.readline())
        assert running(helper)
        proc.kill()
        proc.wait()
        deadline = time.monotonic() + 10
        while running(helper):
            assert time.monotonic() < deadline, f"the {what} outlived its worker"
            time.sleep(0.1)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def require_service(name: str, host: str, port: int) -> None:
    """Skip with a reason when a service is absent, unless REQUIRE_SERVICES=1 makes that a failure."""
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError as exc:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"{name} at {host}:{port} is required (REQUIRE_SERVICES=1) but unreachable: {exc}")
        pytest.skip(f"{name} is not running at {host}:{port}")


def load_corpus() -> None:
    """Import the first CORPUS_SIZE demo postings (if the table is empty) and bring the indexes in line."""
    from itertools import islice

    from search.indexing.posting_index import index_build
    from search.models import JobPosting
    from search.postings.importers import read_linkedin_2023
    from search.postings.services import postings_import

    if not JobPosting.objects.exists():
        postings_import(records=islice(read_linkedin_2023(DEMO), CORPUS_SIZE))
    index_build()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        load_corpus()


@pytest.fixture
def corpus(db):  # type: ignore[no-untyped-def]
    """The demo corpus, indexed. Re-loads after a transactional test flushed the tables."""
    load_corpus()


@pytest.fixture
def corpus_committed(transactional_db):  # type: ignore[no-untyped-def]
    load_corpus()


def person(username: str, *, verified: bool = True, two_factor: bool = False, **extra: object):  # type: ignore[no-untyped-def]
    """A user as sign-up leaves one: an email address (verified, unless told otherwise), and for staff
    personas a TOTP authenticator, as the site requires of them before they open a resume."""
    from allauth.account.models import EmailAddress

    user = get_user_model().objects.create_user(username, f"{username}@example.org", "correct horse battery 9", **extra)
    EmailAddress.objects.create(user=user, email=user.email, verified=verified, primary=True)
    if two_factor:
        from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

        TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def seeker(db):  # type: ignore[no-untyped-def]
    return person("sam.seeker")


@pytest.fixture
def seeker_client(client, seeker):  # type: ignore[no-untyped-def]
    client.force_login(seeker)
    return client


@pytest.fixture
def other_seeker(db):  # type: ignore[no-untyped-def]
    return person("olga.other")


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    """Upload locks and hourly counts live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_resumes_left_indexed():  # type: ignore[no-untyped-def]
    """The indexes live for the whole session, the rows of a test do not: resumes a test indexed for
    recruiters are taken out after it, so the next test's keyword statistics hold only its own."""
    yield
    from search.indexing import engine as engines
    from search.indexing.resume_index import resume_entries_drop

    engine = engines._engine  # only an engine a test opened: none is opened for this
    if engine is None:
        return
    left = sorted(set(engine.resume_bm25.hashes()) | set(engine.resume_vectors.hashes()))
    if left:
        resume_entries_drop(resume_ids=left)


@pytest.fixture(scope="session", autouse=True)
def _close_engine():  # type: ignore[no-untyped-def]
    yield
    from search.indexing.engine import reset_engine

    reset_engine()


# --- the recruiter side's personas ---------------------------------------------------------------


def make_resume(owner, *, text: str, profile: dict | None = None, discoverable: bool = False, name: str = "cv.txt"):  # type: ignore[no-untyped-def]
    """A processed resume with its file on disk, as an upload leaves it once the worker is done."""
    import hashlib

    from resumes import storage
    from resumes.models import Resume

    data = text.encode()
    stored = storage.new_name()
    storage.write(stored, data)
    return Resume.objects.create(
        owner=owner,
        original_name=name,
        stored_name=stored,
        content_type="text/plain",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        status=Resume.Status.DONE,
        text=text,
        profile=profile,
        discoverable=discoverable,
    )


@pytest.fixture
def org_a(db):  # type: ignore[no-untyped-def]
    from search.models import Organisation

    return Organisation.objects.create(name="Acme Health", slug="acme-health")


@pytest.fixture
def org_b(db):  # type: ignore[no-untyped-def]
    from search.models import Organisation

    return Organisation.objects.create(name="Borealis Bank", slug="borealis-bank")


def _recruiter(username: str, org):  # type: ignore[no-untyped-def]
    from search.models import Membership

    user = person(username, two_factor=True)
    Membership.objects.create(user=user, organisation=org)
    return user


@pytest.fixture
def recruiter(org_a):  # type: ignore[no-untyped-def]
    return _recruiter("rita.recruiter", org_a)


@pytest.fixture
def other_recruiter(org_b):  # type: ignore[no-untyped-def]
    return _recruiter("oscar.otherorg", org_b)


@pytest.fixture
def admin_user(db):  # type: ignore[no-untyped-def]
    """An admin with the email address and second factor every admin has here."""
    return person("ada.admin", is_staff=True, is_superuser=True, two_factor=True)


@pytest.fixture
def search_service(settings):  # type: ignore[no-untyped-def]
    """The matching worker's search service, in a thread on a free port, as the worker runs it; the web
    side (settings.JOBMATCH_SEARCH_URL) asks it. Its requests see committed rows only."""
    from search.matching.service import serve

    port = free_port()
    server = serve(port)
    settings.JOBMATCH_SEARCH_URL = f"http://127.0.0.1:{port}"
    yield settings.JOBMATCH_SEARCH_URL
    server.shutdown()
    server.server_close()


def drop_broker_connections() -> None:
    """Make the app connect afresh to the broker now configured (Celery caches its pools)."""
    from kombu import pools

    from jobmatch.celery import app as celery_app

    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    pools.reset()  # kombu keeps producer pools per connection across apps: a closed one would be reused
