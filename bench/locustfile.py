"""Locust users for bench/load.py: seekers reading their results, and a trickle of uploads.

Sessions and resume ids come from the file named by JOBMATCH_LOAD_USERS (written by bench/load.py):
one line per seeker, "<session key> <resume public id>".
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from pathlib import Path

from locust import HttpUser, between, constant_throughput, task

_lines = [line.split() for line in Path(os.environ["JOBMATCH_LOAD_USERS"]).read_text().splitlines() if line]
_next = itertools.cycle(_lines)
_lock = threading.Lock()
UPLOAD = Path(os.environ["JOBMATCH_LOAD_UPLOAD"]).read_bytes()


class Seeker(HttpUser):
    """Opens the resume page and the results fragment it loads, now and then the status poll."""

    weight = 50
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        with _lock:
            self.session_key, self.resume = next(_next)
        self.client.cookies.set("sessionid", self.session_key)

    @task(5)
    def results(self) -> None:
        self._page(f"/jobs/for-resume/{self.resume}/", "results page", 'class="match"')

    @task(2)
    def resume_page(self) -> None:
        self._page(f"/resumes/{self.resume}/", "resume page", "Who can see this resume")

    @task(1)
    def status(self) -> None:
        self._page(f"/resumes/{self.resume}/status/", "status poll", '"status"')

    def _page(self, path: str, name: str, expect: str) -> None:
        """A 200 holding `expect`; a redirect (to a login or an account step) counts as a failure."""
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200 or expect not in r.text:
                r.failure(f"{r.status_code}, not the page")


class Uploader(HttpUser):
    """Five uploads a minute in all (one user at a constant throughput), each a real PDF, each timed from
    the request until its ten results are stored ("upload to ten results"), polling its status as the page does."""

    weight = 1
    fixed_count = 1
    wait_time = constant_throughput(5 / 60)

    def on_start(self) -> None:
        with _lock:
            self.session_key, _ = next(_next)
        self.client.cookies.set("sessionid", self.session_key)
        page = self.client.get("/resumes/", name="upload form")
        self.csrf = page.cookies.get("csrftoken") or self.client.cookies.get("csrftoken")
        self.client.cookies.set("csrftoken", self.csrf)  # production marks it Secure; this run is plain HTTP

    @task
    def upload(self) -> None:
        started = time.perf_counter()
        r = self.client.post(
            "/resumes/",
            files={"file": ("resume.pdf", UPLOAD, "application/pdf")},
            data={"csrfmiddlewaretoken": self.csrf},
            headers={"Referer": self.host + "/resumes/", "X-CSRFToken": self.csrf},
            name="upload",
            allow_redirects=False,
        )
        location = r.headers.get("Location", "")
        error: Exception | None = None
        status: dict[str, object] = {}
        if r.status_code != 302 or not location:
            error = RuntimeError(f"upload answered {r.status_code}")
        else:
            while time.perf_counter() - started < 120:
                status = self.client.get(location + "status/", name="upload status poll").json()
                if status.get("finished"):
                    break
                time.sleep(0.25)
            if status.get("status") != "done":
                error = RuntimeError(f"resume ended {status.get('status')}: {status.get('failure_code', '')}")
        self.environment.events.request.fire(
            request_type="FLOW",
            name="upload to ten results",
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=error,
            context={},
        )
