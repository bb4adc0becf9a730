"""The sandbox server (`python -m resumes.sandbox --serve`): one per worker process, a fresh limited child
forked per file; a child killed mid-file is a named state and the server goes on; a file past the wall
clock takes the server down and the next file gets a fresh one; the server leaves with its worker."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

from resumes import sandbox
from resumes.extract import PDF, TXT, ExtractionError
from resumes.sandbox import Limits, extract_sandboxed, run_child
from tests import hostile
from tests.conftest import FIXTURES, ROOT, helper_leaves_with_its_worker, running

TEXT = b"Jane Doe\nSenior Accountant\nExperience: ledgers, audits and payroll for ten years.\n"


@pytest.fixture(autouse=True)
def _fresh_server():  # type: ignore[no-untyped-def]
    sandbox.stop_server()
    yield
    sandbox.stop_server()


def _server_pid() -> int:
    assert sandbox._server is not None
    return sandbox._server.proc.pid


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def test_one_server_forks_a_fresh_limited_child_for_each_file():
    pdf = (FIXTURES / "it-27295996.pdf").read_bytes()
    first = run_child(pdf, PDF, Limits())
    server = _server_pid()
    assert len(str(first["text"]).split()) > 50 and 0 < float(first["peak_mb"]) < 1024
    for _ in range(3):
        assert extract_sandboxed(TEXT, TXT).startswith("Jane Doe")
    assert _server_pid() == server and sandbox._server.served == 4
    assert _children(server) == []  # each child is gone once it answered
    # The server is a fresh interpreter: none of the worker's modules.
    environ = Path(f"/proc/{server}/cmdline").read_bytes().split(b"\0")
    assert b"--serve" in environ and b"pytest" not in b" ".join(environ)


def test_a_child_killed_mid_file_is_a_named_state_and_the_server_goes_on():
    run_child(TEXT, TXT, Limits())
    server = _server_pid()
    answer: dict = {}
    slow = threading.Thread(
        target=lambda: answer.update(run_child(hostile.flate_bomb_pdf(megabytes=300), PDF, Limits()))
    )
    slow.start()
    deadline = time.monotonic() + 20
    while not (children := _children(server)):
        assert time.monotonic() < deadline, "no child started"
        time.sleep(0.01)
    os.kill(children[0], 9)
    slow.join(30)
    assert answer["error"]["code"] == "timeout"
    assert _server_pid() == server and running(server)
    assert extract_sandboxed(TEXT, TXT).startswith("Jane Doe")


def test_a_file_past_the_wall_clock_takes_the_server_down_and_the_next_gets_a_fresh_one():
    run_child(TEXT, TXT, Limits())
    old = _server_pid()
    with pytest.raises(ExtractionError) as err:
        extract_sandboxed(hostile.text_pdf(), PDF, Limits(wall_seconds=0.001))
    assert err.value.code == "timeout"
    assert not running(old)
    assert extract_sandboxed(TEXT, TXT).startswith("Jane Doe")
    assert _server_pid() != old


def test_a_server_is_replaced_after_its_share_of_files_or_when_it_died(monkeypatch):
    monkeypatch.setattr(sandbox, "SERVER_FILES", 2)
    pids = []
    for _ in range(3):
        extract_sandboxed(TEXT, TXT)
        pids.append(_server_pid())
    assert pids[0] == pids[1] != pids[2]
    assert not running(pids[0])
    os.kill(pids[2], 9)
    time.sleep(0.2)
    assert extract_sandboxed(TEXT, TXT).startswith("Jane Doe")
    assert _server_pid() not in pids


def test_the_server_leaves_with_its_worker():
    script = (
        "from resumes import sandbox\n"
        "from resumes.sandbox import Limits, run_child\n"
        "run_child(b'Jane Doe accountant ledgers audits payroll', 'text/plain', Limits())\n"
        "print(sandbox._server.proc.pid, flush=True)\n"
        "import time; time.sleep(60)\n"
    )
    helper_leaves_with_its_worker(script, {**os.environ, "PYTHONPATH": str(ROOT)}, "sandbox server")
