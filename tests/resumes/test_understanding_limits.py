"""Understanding a resume's text runs in a child forked from the worker (kept for the next texts), with
memory, CPU and wall-clock limits of its own: a runaway ends that child in a named state and costs the
worker nothing; the next text gets a fresh child."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from resumes import sandbox
from resumes.extract import MAX_TEXT_CHARS, ExtractionError
from resumes.models import Resume
from resumes.sandbox import Limits, understand_sandboxed
from resumes.understanding.pipeline import understand as real_understand
from tests import hostile
from tests.conftest import ROOT, helper_leaves_with_its_worker

RESUME = "Jane Doe\njane@example.com\nSenior Accountant\n\nExperience\nSenior Accountant, Acme Corp, 2014-2023\n"


@pytest.fixture(autouse=True)
def _fresh_reader():  # type: ignore[no-untyped-def]
    """A reader forked after each test's monkeypatching, and none left behind with it."""
    sandbox.stop_reader()
    yield
    sandbox.stop_reader()


def _patch_understand(monkeypatch, fake) -> None:  # type: ignore[no-untyped-def]
    sandbox._warm(real_understand)  # this process warms with the real one, never with the fake
    monkeypatch.setattr("resumes.understanding.pipeline.understand", fake)
    sandbox.stop_reader()  # the next reader is forked with the fake


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _greedy(text, **kwargs):  # type: ignore[no-untyped-def]
    hoard = []
    while True:
        hoard.append(bytearray(64 * 1024 * 1024))


def test_the_profile_read_in_the_child_is_the_one_read_in_process():
    from resumes.understanding.pipeline import understand

    assert understand_sandboxed(RESUME) == json.loads(json.dumps(understand(RESUME).to_dict()))


def test_one_reader_child_serves_text_after_text_and_a_fresh_one_follows_a_limit_hit(monkeypatch):
    understand_sandboxed(RESUME)
    first = sandbox._reader
    assert first is not None and first.pid != os.getpid()
    for _ in range(3):
        understand_sandboxed(RESUME)
    assert sandbox._reader is first and first.served == 4

    with pytest.raises(ExtractionError):  # the child is killed at its wall-clock limit...
        understand_sandboxed("x " * 5000, Limits(memory_mb=300, cpu_seconds=20, wall_seconds=0.001))
    assert not first.alive and not Path(f"/proc/{first.pid}").exists()  # ...and reaped
    assert understand_sandboxed(RESUME)["titles"]  # a fresh one reads the next text
    assert sandbox._reader is not first


def test_a_reader_child_is_replaced_after_its_share_of_texts(monkeypatch):
    monkeypatch.setattr(sandbox, "READER_TEXTS", 2)
    pids = []
    for _ in range(5):
        understand_sandboxed(RESUME)
        pids.append(sandbox._reader.pid)
    assert pids[0] == pids[1] != pids[2] == pids[3] != pids[4]
    assert not Path(f"/proc/{pids[0]}").exists()


def test_a_worker_killed_takes_its_reader_child_with_it():
    script = (
        "import django; django.setup()\n"
        "from resumes import sandbox\n"
        "sandbox.understand_sandboxed('Jane Doe\\nAccountant')\n"
        "print(sandbox._reader.pid, flush=True)\n"
        "import time; time.sleep(60)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jobmatch.settings.test", "PYTHONPATH": str(ROOT)}
    helper_leaves_with_its_worker(script, env, "reader child")


def test_understanding_past_its_memory_ends_too_complex_and_the_worker_does_not_grow(monkeypatch):
    understand_sandboxed(RESUME)  # models loaded before measuring
    _patch_understand(monkeypatch, _greedy)
    before = _rss_mb()
    with pytest.raises(ExtractionError) as err:
        understand_sandboxed(RESUME, Limits(memory_mb=300, cpu_seconds=20, wall_seconds=30))
    assert err.value.code == "too_complex" and "memory" in err.value.message
    assert _rss_mb() - before < 50


def test_understanding_past_its_time_ends_timeout(monkeypatch):
    def spin(text, **kwargs):  # type: ignore[no-untyped-def]
        while True:
            pass

    _patch_understand(monkeypatch, spin)
    started = time.monotonic()
    with pytest.raises(ExtractionError) as err:
        understand_sandboxed(RESUME, Limits(memory_mb=300, cpu_seconds=1, wall_seconds=10))
    assert err.value.code == "timeout" and time.monotonic() - started < 10

    _patch_understand(monkeypatch, lambda text, **kw: time.sleep(30))
    started = time.monotonic()
    with pytest.raises(ExtractionError) as err:
        understand_sandboxed(RESUME, Limits(memory_mb=300, cpu_seconds=20, wall_seconds=1))
    assert err.value.code == "timeout" and time.monotonic() - started < 5


def test_an_upload_whose_understanding_hits_its_limit_ends_in_a_named_state(
    seeker_client, corpus, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.RESUME_UNDERSTAND_MEMORY_MB = 300
    understand_sandboxed(RESUME)
    _patch_understand(monkeypatch, _greedy)
    with django_capture_on_commit_callbacks(execute=True):
        r = seeker_client.post(reverse("resumes:list"), {"file": SimpleUploadedFile("cv.txt", RESUME.encode())})
    assert r.status_code == 302
    resume = Resume.objects.get()
    assert resume.status == Resume.Status.FAILED and resume.failure_code == "too_complex"
    page = seeker_client.get(reverse("resumes:detail", args=[resume.public_id])).content.decode()
    assert "more memory than one resume may use" in page


WORKER = """
import json, os, sys
from pathlib import Path
import django
django.setup()
from resumes.extract import ExtractionError, sniff_content_type
from resumes.services import profile_read
from resumes.sandbox import extract_sandboxed

def hwm():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

profile_read(text="Jane Doe\\nAccountant\\n")  # warm: the models a parsing worker holds
warm = hwm()
out = []
for path in sys.argv[1:]:
    data = Path(path).read_bytes()
    try:
        text = extract_sandboxed(data, sniff_content_type(data, Path(path).name))
        profile = profile_read(text=text)
        out.append({"file": Path(path).name, "chars": len(text), "skills": len(profile["skills"])})
    except ExtractionError as exc:
        out.append({"file": Path(path).name, "code": exc.code})
print(json.dumps({"warm_mb": warm, "peak_mb": hwm(), "files": out}))
"""


def test_the_largest_inputs_end_in_a_named_state_and_the_worker_stays_under_its_budget(tmp_path):
    """The red team's 0.4 MB DOCX of 1.9 million characters and a 2 MB text file (which took a worker to
    7 GB), and the longest text a resume may hold, read as a parsing worker reads them: the worker's own
    peak memory stays under 1.5 GB and barely moves (the text is understood in a child)."""
    rng = random.Random(3)
    words = [f"{w}{i}" for w in ("ledger", "audit", "budget", "client", "payroll") for i in range(60)]
    words += ["Python", "SQL", "Excel", "QuickBooks"]
    longest = "Jane Doe\nSenior Accountant\n\n" + " ".join(rng.choice(words) for _ in range(20_000))
    files = {
        "big.docx": hostile.docx_huge_text(),
        "big.txt": hostile.text_two_megabytes(),
        "longest.txt": longest[: MAX_TEXT_CHARS - 10].encode(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jobmatch.settings.test", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", WORKER, *(str(tmp_path / n) for n in files)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    by_file = {f["file"]: f for f in report["files"]}
    assert by_file["big.docx"].get("code") == "too_large"
    assert by_file["big.txt"].get("code") == "too_large"
    assert by_file["longest.txt"]["chars"] > MAX_TEXT_CHARS - 100 and by_file["longest.txt"]["skills"] > 0
    assert report["peak_mb"] < 1536, report
    # Read in the worker itself, the longest text takes the worker more than 100 MB higher.
    assert report["peak_mb"] - report["warm_mb"] < 100, report
