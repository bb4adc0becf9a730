"""The deployment as an operator runs it, in real processes (runs in CI, needs PostgreSQL and Redis).

- The Procfile under honcho with production settings: gunicorn serves the pages and the hashed static
  files, an upload reaches ten results through the parsing and matching workers over Redis, /readyz is
  green, /metrics adds up the web's and the workers' samples; a worker stopped makes /readyz name it.
- Two machines' worth of data dirs: a web process and a worker that share PostgreSQL, Redis and an
  S3-compatible bucket (moto's server here), nothing on disk, take an upload to ten results; deleting the
  account removes the stored file from the bucket.
- `make run`'s server (runserver on the embedded default): /healthz, /readyz and /metrics answer, and a
  6 MB upload gets the 413 with the message the README promises.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import DEMO, FIXTURES, ROOT, free_port, require_service

pytestmark = [pytest.mark.services]
requests = pytest.importorskip("requests")
BIN = Path(sys.executable).parent
PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS = "redis://127.0.0.1:6379"
POSTINGS = 300  # real demo postings: enough for ten results, indexed in seconds
PASSWORD = "correct horse battery 9"


def wait_for(url: str, *, status: int = 200, timeout: float = 180, proc: subprocess.Popen | None = None) -> None:
    deadline = time.time() + timeout
    last = ""
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the process serving {url} exited with {proc.returncode}")
        try:
            r = requests.get(url, timeout=5)
            last = f"{r.status_code} {r.text[:500]}"
            if r.status_code == status:
                return
        except (requests.ConnectionError, requests.Timeout) as exc:  # not up yet, or busy starting
            last = str(exc)
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer {status} in {timeout:.0f} s; last: {last}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGCONT)
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    out = open(log, "wb")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def manage(env: dict[str, str], *args: str) -> None:
    r = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 0, f"manage.py {' '.join(args)}: {r.stdout[-2000:]}{r.stderr[-4000:]}"


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """A PostgreSQL database of this module's own, with the schema and the demo postings."""
    require_service("PostgreSQL", PG_HOST, PG_PORT)
    import psycopg

    name = f"jobmatch_deploy_{secrets.token_hex(4)}"
    admin = f"postgresql://postgres@{PG_HOST}:{PG_PORT}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://postgres@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def redis_urls() -> dict[str, str]:
    require_service("Redis", "127.0.0.1", 6379)
    import redis

    urls = {"CELERY_BROKER_URL": f"{REDIS}/13", "CACHE_URL": f"{REDIS}/14"}
    for url in urls.values():
        redis.Redis.from_url(url).flushdb()
    return urls


def production_env(database: str, redis_urls: dict[str, str], data_dir: Path, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "JOBMATCH_", "CELERY_", "QDRANT_"))}
    return {
        **keep,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "DJANGO_SETTINGS_MODULE": "jobmatch.settings.prod",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",  # no TLS proxy in front here
        "DATABASE_URL": database,
        **redis_urls,
        "JOBMATCH_VECTOR_STORE": "edge",  # no Qdrant server on a CI machine: one process holds the store
        "JOBMATCH_SITE_URL": "http://127.0.0.1",
        "JOBMATCH_DATA_DIR": str(data_dir),
        "JOBMATCH_HEARTBEAT_SECONDS": "1",
        "JOBMATCH_INDEX_PROCESSES": "1",
        "JOBMATCH_LOG_FORMAT": "json",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",  # $JOBMATCH_DATA_DIR/mail
        "HF_HUB_OFFLINE": "1",
        "WEB_CONCURRENCY": "2",
        **extra,
    }


@pytest.fixture(scope="module")
def indexed(database, redis_urls, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """A data dir with the postings' indexes built, as a matching machine has it; the schema migrated."""
    data = tmp_path_factory.mktemp("matching-machine")
    env = production_env(database, redis_urls, data)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "import_jobs", str(DEMO), "--format", "linkedin-2023", "--limit", str(POSTINGS))
    manage(env, "build_index", "--no-progress")
    return data


class Browser:
    """A person with a browser, over plain HTTP (the secure cookies production sets are sent anyway)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()
        self.http.hooks["response"].append(self._keep_cookies)
        self.jar: dict[str, str] = {}

    def _keep_cookies(self, r, **kw):  # type: ignore[no-untyped-def]
        for resp in [*r.history, r]:
            self.jar.update(resp.cookies.get_dict())
        self.http.headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        return r

    def get(self, path: str, **kw):  # type: ignore[no-untyped-def]
        return self._follow(self.http.get(self.base + path, timeout=30, allow_redirects=False, **kw))

    def _follow(self, r):  # type: ignore[no-untyped-def]
        """Follow redirects here, so every hop carries the cookies the last one set."""
        for _ in range(5):
            if r.status_code not in (301, 302, 303) or "Location" not in r.headers:
                return r
            location = r.headers["Location"]
            r = self.http.get(
                location if location.startswith("http") else self.base + location, timeout=30, allow_redirects=False
            )
        return r

    def post(self, path: str, data: dict | None = None, **kw):  # type: ignore[no-untyped-def]
        page = self.get(path if "csrf_from" not in kw else kw.pop("csrf_from"))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, f"no CSRF token on {path}: {page.status_code}"
        data = {"csrfmiddlewaretoken": token.group(1), **(data or {})}
        return self._follow(self.http.post(self.base + path, data=data, timeout=60, allow_redirects=False, **kw))

    def sign_up(self, username: str) -> None:
        r = self.post(
            "/accounts/signup/",
            {"email": f"{username}@example.org", "username": username, "password1": PASSWORD, "password2": PASSWORD},
        )
        assert r.status_code == 200 and r.url.rstrip("/").endswith("/resumes"), (r.status_code, r.url)

    def upload(self, fixture: str) -> tuple[str, str]:
        """Upload a resume; its page's path and the request id the upload was answered under."""
        page = self.get("/resumes/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token
        with open(FIXTURES / fixture, "rb") as fh:
            r = self.http.post(
                self.base + "/resumes/",
                data={"csrfmiddlewaretoken": token.group(1)},
                files={"file": (fixture, fh, "application/pdf")},
                allow_redirects=False,
                timeout=60,
            )
        assert r.status_code == 302, r.text[:2000]
        return r.headers["Location"], r.headers["X-Request-ID"]

    def ten_results(self, resume_path: str, timeout: float = 180) -> str:
        deadline = time.time() + timeout
        status: dict = {}
        while time.time() < deadline:
            status = self.get(resume_path + "status/").json()
            if status.get("finished"):
                break
            time.sleep(0.5)
        assert status.get("status") == "done", status
        public_id = resume_path.rstrip("/").rsplit("/", 1)[-1]
        page = self.get(f"/jobs/for-resume/{public_id}/").text
        assert len(re.findall(r'<li class="match"', page)) == 10, page[:3000]
        return page


def test_the_procfile_under_honcho_serves_matches_and_reports_a_stopped_worker(database, redis_urls, indexed):
    port = free_port()
    metrics_dir = indexed / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir()
    env = production_env(
        database,
        redis_urls,
        indexed,
        PORT=str(port),
        HOST="127.0.0.1",
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        MATCHING_QUEUES="matching,indexing,alerts",  # the embedded store: one process holds it
        PARSING_CONCURRENCY="1",
    )
    log = indexed / "honcho.log"
    cmd = [str(BIN / "honcho"), "--no-colour", "-f", "Procfile", "start", "web", "parsing", "matching", "beat"]
    honcho = start(cmd, env, log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", proc=honcho)
        wait_for(base + "/readyz", proc=honcho)
        ready = requests.get(base + "/readyz", timeout=10).json()["checks"]
        assert ready["workers"]["queues"]["parsing"] == [f"parsing@{socket.gethostname()}"]
        assert ready["vector_store"]["embedded_in"] == [f"matching@{socket.gethostname()}"]
        assert ready["beat"]["running"] == [f"beat@{socket.gethostname()}"]

        # gunicorn and whitenoise: a page links its stylesheet under a hashed name, served with a long cache
        home = requests.get(base + "/", timeout=10)
        assert home.status_code == 200 and home.headers["X-Request-ID"]
        css = re.search(r'href="(/static/jobmatch\.[0-9a-f]{12}\.css)"', home.text)
        assert css, home.text[:1000]
        sheet = requests.get(base + css.group(1), timeout=10)
        assert sheet.status_code == 200 and sheet.headers["Content-Type"].startswith("text/css")
        assert "immutable" in sheet.headers["Cache-Control"] and b"{" in sheet.content

        big = b"%PDF-1.4\n" + b"0" * (6 * 1024 * 1024)
        r = requests.post(base + "/resumes/", files={"file": ("big.pdf", big, "application/pdf")}, timeout=60)
        assert r.status_code == 413 and "The file is larger than 5 MB, the limit for a resume." in r.text

        person = Browser(base)
        person.sign_up("procfile.seeker")
        resume_path, request_id = person.upload("it-27295996.pdf")
        person.ten_results(resume_path)

        # the request id of the upload is on the web's and both workers' log lines (JSON)
        logged = [line for line in log.read_text(errors="replace").splitlines() if request_id in line]
        assert any(f"rid={request_id}" in line and "POST /resumes/" in line for line in logged), logged  # gunicorn
        assert any('"resume ' in line and "read:" in line for line in logged), logged
        assert any("matched:" in line for line in logged), logged

        metrics = requests.get(base + "/metrics", timeout=10).text
        assert re.search(
            r'jobmatch_task_stage_duration_seconds_count\{stage="extract",task="resumes.process_resume"\} 1', metrics
        )
        assert re.search(
            r'jobmatch_task_stage_duration_seconds_count\{stage="bm25",task="resumes.match_resume"\} 1', metrics
        )
        assert re.search(r'jobmatch_recommendations_served_total\{surface="results_page"\} 10', metrics)
        assert 'jobmatch_queue_depth{queue="parsing"} 0.0' in metrics
        assert "jobmatch_http_request_duration_seconds_bucket" in metrics

        # a worker stops answering: /readyz turns red and names it
        out = subprocess.run(["pgrep", "-f", "--", "--hostname parsing@"], capture_output=True, text=True)
        pids = [int(p) for p in out.stdout.split()]
        assert pids
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        try:
            wait_for(base + "/readyz", status=503, timeout=30, proc=honcho)
            workers = requests.get(base + "/readyz", timeout=10).json()["checks"]["workers"]
            assert workers["missing"] == ["parsing"]
            assert f"parsing@{socket.gethostname()}" in workers["error"]
        finally:
            for pid in pids:
                os.kill(pid, signal.SIGCONT)
    finally:
        stop(honcho)


def test_a_web_machine_and_a_worker_machine_share_only_the_services_and_a_bucket(
    database, redis_urls, indexed, tmp_path
):
    moto_server = pytest.importorskip("moto.server")
    import boto3

    s3_port = free_port()
    s3 = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=s3_port, verbose=False)
    s3.start()
    bucket = "jobmatch-files"
    storage = {
        "JOBMATCH_FILE_STORAGE": "s3",
        "JOBMATCH_S3_BUCKET": bucket,
        "JOBMATCH_S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
        "JOBMATCH_S3_REGION": "us-east-1",
        "JOBMATCH_S3_ACCESS_KEY_ID": "test",
        "JOBMATCH_S3_SECRET_ACCESS_KEY": "test",
    }
    client = boto3.client(
        "s3",
        endpoint_url=storage["JOBMATCH_S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    client.create_bucket(Bucket=bucket)
    web_dir = tmp_path / "web-machine"
    web_dir.mkdir()
    port = free_port()
    web_env = production_env(database, redis_urls, web_dir, PORT=str(port), HOST="127.0.0.1", **storage)
    worker_env = production_env(database, redis_urls, indexed, **storage)
    manage(web_env, "collectstatic", "--noinput", "-v", "0")  # each web machine has its own static files
    web = start([str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "jobmatch.wsgi"], web_env, tmp_path / "web.log")
    worker = start(
        [
            str(BIN / "celery"),
            "-A",
            "jobmatch",
            "worker",
            "-B",
            "--schedule",
            str(tmp_path / "beat-schedule"),
            "--pool",
            "solo",
            "--hostname",
            "all@worker-machine",
        ],
        worker_env,
        tmp_path / "worker.log",
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/readyz", proc=web)  # the worker's heartbeat reached the web machine through the database
        person = Browser(base)
        person.sign_up("two.machines")
        resume_path, _ = person.upload("chef-24673903.pdf")
        person.ten_results(resume_path)

        keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
        assert len(keys) == 1 and keys[0].startswith("resumes/")
        stored = keys[0].split("/", 1)[1]
        assert not list(web_dir.rglob(stored)) and not list(indexed.rglob(stored))  # on no machine's disk

        download = person.get(resume_path + "file/")
        assert download.status_code == 200 and download.content == (FIXTURES / "chef-24673903.pdf").read_bytes()

        r = person.post("/accounts/delete/", {"password": PASSWORD}, csrf_from="/accounts/")
        assert r.status_code == 200
        deadline = time.time() + 10
        while client.list_objects_v2(Bucket=bucket).get("KeyCount") and time.time() < deadline:
            time.sleep(0.2)
        assert client.list_objects_v2(Bucket=bucket).get("KeyCount") == 0
    finally:
        stop(web)
        stop(worker)
        s3.stop()


def test_make_runs_server_answers_probes_and_refuses_a_6_mb_upload_with_413(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "JOBMATCH_", "CELERY_", "DATABASE_URL"))}
    env.update({"DJANGO_SETTINGS_MODULE": "jobmatch.settings.base", "JOBMATCH_DATA_DIR": str(tmp_path)})
    manage(env, "migrate", "--noinput", "-v", "0")
    port = free_port()
    server = start(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"], env, tmp_path / "server.log"
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", timeout=60, proc=server)
        ready = requests.get(base + "/readyz", timeout=10)
        assert ready.status_code == 503  # no worker started here: the page says which queues have none
        assert ready.json()["checks"]["workers"]["missing"] == ["parsing", "matching", "indexing", "alerts"]
        assert ready.json()["checks"]["database"]["ok"] and ready.json()["checks"]["broker"]["ok"]
        assert requests.get(base + "/metrics", timeout=10).status_code == 200

        body = b"%PDF-1.4\n" + b"0" * (6 * 1024 * 1024)
        r = requests.post(base + "/resumes/", files={"file": ("big.pdf", body, "application/pdf")}, timeout=60)
        assert r.status_code == 413
        assert "The file is larger than 5 MB, the limit for a resume." in r.text
        assert requests.get(base + "/healthz", timeout=10).status_code == 200  # and the server goes on
    finally:
        stop(server)
