"""Text extraction in a child process with a memory limit, a CPU-time limit and a wall-clock timeout.

A hostile file (a flate bomb, a page tree that never ends, an xref loop) can cost a parser
unbounded memory or time. Extraction therefore runs in a child process that limits itself with
setrlimit before it reads a byte, writes nothing to disk, answers one JSON object and exits. The
worker survives whatever happens in it: every way the child can end maps to an ExtractionError code.

The children come from a sandbox server each worker process starts once (`python -m resumes.sandbox
--serve`): a fresh interpreter that imports only `resumes.extract` and its parsers (no Django, no
models, none of the worker's memory or connections) and forks one child per file, so a file costs a
fork instead of a Python start-up and pdfminer's import. A file past the wall-clock limit takes the
server down with its child; the next file starts a fresh one.

Understanding (spaCy and the project's NER over the extracted text) runs in a child too, forked from the
worker so that the loaded models come with it and kept for the next texts (`understand_sandboxed`): its
memory may grow only so far above the worker's, each text's CPU and wall-clock time are limited, and a
runaway ends that child alone.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import resource
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .extract import TOO_COMPLEX, ExtractionError, extract_text

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = "Reading the file took too long. Export it again (for example with Save as PDF) and retry."


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 1024  # address space of the child: what a parse may use at most
    cpu_seconds: int = 20
    wall_seconds: float = 30.0

    @classmethod
    def understanding_from_settings(cls) -> Limits:
        """Understanding's limits: memory above the worker's own, CPU and wall-clock time."""
        from django.conf import settings

        return cls(
            memory_mb=settings.RESUME_UNDERSTAND_MEMORY_MB,
            cpu_seconds=settings.RESUME_UNDERSTAND_CPU_SECONDS,
            wall_seconds=settings.RESUME_UNDERSTAND_TIMEOUT_SECONDS,
        )

    @classmethod
    def from_settings(cls) -> Limits:
        from django.conf import settings

        return cls(
            memory_mb=settings.RESUME_PARSE_MEMORY_MB,
            cpu_seconds=settings.RESUME_PARSE_CPU_SECONDS,
            wall_seconds=settings.RESUME_PARSE_TIMEOUT_SECONDS,
        )


def extract_sandboxed(data: bytes, content_type: str, limits: Limits | None = None) -> str:
    """extract_text(data, content_type), run in a limited child process. Raises ExtractionError."""
    answer = run_child(data, content_type, limits or Limits.from_settings())
    if "text" in answer:
        return str(answer["text"])
    error = answer["error"]
    assert isinstance(error, dict)
    raise ExtractionError(str(error["code"]), str(error["message"]))


def run_child(data: bytes, content_type: str, limits: Limits) -> dict[str, object]:
    """The child's answer: {"text": ...} or {"error": {"code", "message"}}, with "peak_mb" (the
    child's own peak resident memory) whenever it could answer."""
    global _server
    with _server_lock:
        server = _server
        if server is None or not server.usable():
            if server is not None:
                server.stop()
            server = _server = _SandboxServer()
        answer, server_ok = server.ask(data, content_type, limits)
        if not server_ok:  # past the wall clock (it is killed with its child), or gone
            server.stop()
            _server = None
    return answer


SERVER_FILES = 1000  # files a sandbox server forks children for before a fresh one takes over
_server_lock = threading.Lock()
_server: _SandboxServer | None = None


def stop_server() -> None:
    """End this process's sandbox server; the next file starts a fresh one."""
    global _server
    with _server_lock:
        if _server is not None:
            _server.stop()
            _server = None


class _SandboxServer:
    """This process's `python -m resumes.sandbox --serve`, asked one file at a time over its stdin and
    stdout (length-prefixed frames: a JSON header, the file's bytes; a JSON answer back)."""

    def __init__(self) -> None:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(ROOT),
            "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1",
            "LANG": "C.UTF-8",
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-s", "-m", "resumes.sandbox", "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=ROOT,
            start_new_session=True,  # its own process group: a timeout kills the server and its child
        )
        self.owner, self.served = os.getpid(), 0

    def usable(self) -> bool:
        return self.owner == os.getpid() and self.proc.poll() is None and self.served < SERVER_FILES

    def ask(self, data: bytes, content_type: str, limits: Limits) -> tuple[dict[str, Any], bool]:
        """The answer, and whether the server can take the next file."""
        self.served += 1
        assert self.proc.stdin is not None and self.proc.stdout is not None
        header = {"content_type": content_type, "memory_mb": limits.memory_mb, "cpu_seconds": limits.cpu_seconds}
        deadline = time.monotonic() + limits.wall_seconds
        try:
            _send_frame(self.proc.stdin.fileno(), json.dumps(header).encode(), deadline)
            _send_frame(self.proc.stdin.fileno(), data, deadline)
            answer = _answer(_read_frame(self.proc.stdout.fileno(), deadline))
        except TimeoutError:
            return {"error": {"code": "timeout", "message": TIMEOUT}}, False
        except (BrokenPipeError, EOFError):  # the server died under this file
            return {"error": {"code": "too_complex", "message": TOO_COMPLEX}}, False
        if answer is None:
            return {"error": {"code": "too_complex", "message": TOO_COMPLEX}}, False
        return answer, True

    def stop(self) -> None:
        if self.owner != os.getpid():
            return  # a copy inherited by a forked process: not ours to stop
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


TOO_BIG_TO_UNDERSTAND = (
    "Reading this resume needed more memory than one resume may use. Upload a shorter version (a few pages)."
)


def understand_sandboxed(text: str, limits: Limits | None = None) -> dict[str, Any]:
    """The profile of a resume text (`understand(text).to_dict()`), read by this process's reader child.
    Raises ExtractionError `too_complex` (memory) or `timeout` (CPU or wall-clock time) when the child
    hits a limit, RuntimeError when understanding failed in it for another reason."""
    from .understanding.pipeline import understand

    if not hasattr(os, "fork"):
        return understand(text).to_dict()
    limits = limits or Limits.understanding_from_settings()
    with _reader_lock:
        _warm(understand)
        answer = _ask_reader(text, limits)
        if answer.get("error") == "too_complex" and answer.get("served", 0) > 0:
            answer = _ask_reader(text, limits)  # what earlier texts left in that child is not this one's fault
    if "result" in answer:
        return answer["result"]
    code = answer["error"]
    if code == "too_complex":
        raise ExtractionError("too_complex", TOO_BIG_TO_UNDERSTAND)
    if code == "timeout":
        raise ExtractionError("timeout", TIMEOUT)
    raise RuntimeError(answer.get("detail") or code)


def _warm(understand: Callable[[str], Any]) -> None:
    """Read one short text here, once: the models and the vocabularies understanding loads on first use are
    then in this process, and every reader child is forked with them instead of loading its own."""
    global _warmed
    if not _warmed:
        understand("Jane Doe\nSenior Accountant\n\nExperience\nAccountant, Acme Corp, 2010-2020\nSkills: Excel")
        _warmed = True


_warmed = False
READER_TEXTS = 200  # texts a reader child reads before a fresh one takes over
_reader_lock = threading.Lock()
_reader: _Reader | None = None


def stop_reader() -> None:
    """End this process's reader child; the next text forks a fresh one (from the code loaded now)."""
    global _reader
    with _reader_lock:
        if _reader is not None:
            _reader.stop()
            _reader = None


def _ask_reader(text: str, limits: Limits) -> dict[str, Any]:
    global _reader
    reader = _reader
    if reader is None or not reader.usable(limits):
        if reader is not None:
            reader.stop()
        reader = _reader = _Reader(limits)
    served = reader.served
    answer = reader.ask(text)
    if "error" in answer and answer["error"] != "failed":
        reader.stop()  # a child that hit a limit is not asked again
        _reader = None
    return {**answer, "served": served}


class _Reader:
    """A child forked from this process that understands texts one at a time, sent and answered as
    length-prefixed JSON over two pipes. Its address space may grow `limits.memory_mb` above this
    process's; each text gets `limits.cpu_seconds` of CPU (SIGXCPU past it) and `limits.wall_seconds`
    (SIGKILL past it). Forking once per process, not per text, spares each text the fork and the first
    copy of the pages it touches (docs/benchmarks.md, "Resume understanding")."""

    def __init__(self, limits: Limits) -> None:
        self.limits, self.owner, self.served = limits, os.getpid(), 0
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(to_child_w)
            os.close(from_child_r)
            _reader_main(to_child_r, from_child_w, limits)
        os.close(to_child_r)
        os.close(from_child_w)
        self.pid, self.to_child, self.from_child = pid, to_child_w, from_child_r
        self.alive = True

    def usable(self, limits: Limits) -> bool:
        return self.alive and self.owner == os.getpid() and self.limits == limits and self.served < READER_TEXTS

    def ask(self, text: str) -> dict[str, Any]:
        self.served += 1
        deadline = time.monotonic() + self.limits.wall_seconds
        try:
            _send_frame(self.to_child, json.dumps({"text": text}).encode(), deadline)
            frame = _read_frame(self.from_child, deadline)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            self.stop()
            return {"error": "timeout"}
        except (BrokenPipeError, EOFError):  # the child died: how tells the state
            status = self.stop()
            if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL):
                return {"error": "timeout"}
            return {"error": "too_complex"}  # the allocator aborting at the limit, a crash in a library
        return json.loads(frame)

    def stop(self) -> int:
        """Close the pipes (the child reads the end of its input and leaves) and reap it; its status."""
        if not self.alive:
            return 0
        self.alive = False
        for fd in (self.to_child, self.from_child):
            with contextlib.suppress(OSError):
                os.close(fd)
        if self.owner != os.getpid():
            return 0  # a copy inherited by a forked process: the child is not ours to wait for
        try:
            deadline = time.monotonic() + 2  # a copy of its input left open elsewhere would keep it waiting
            while (done := os.waitpid(self.pid, os.WNOHANG))[0] == 0:
                if time.monotonic() > deadline:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(self.pid, signal.SIGKILL)
                    return os.waitpid(self.pid, 0)[1]
                time.sleep(0.005)
            return done[1]
        except ChildProcessError:
            return 0


def _send_frame(fd: int, payload: bytes, deadline: float) -> None:
    view = memoryview(len(payload).to_bytes(8, "big") + payload)
    while view:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        _, writable, _ = select.select([], [fd], [], left)
        if writable:
            view = view[os.write(fd, view[: select.PIPE_BUF]) :]


def _read_frame(fd: int, deadline: float | None) -> bytes:
    head = _read_exactly(fd, 8, deadline)
    return _read_exactly(fd, int.from_bytes(head, "big"), deadline)


def _read_exactly(fd: int, n: int, deadline: float | None) -> bytes:
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _reader_main(in_fd: int, out_fd: int, limits: Limits) -> None:
    """The reader child's loop: one text in, one answer out, until its input ends or a limit is hit."""
    try:
        from .understanding.pipeline import understand

        gc.freeze()  # what the worker had stays shared: the collector never walks (and copies) it here
        _close_inherited(keep={in_fd, out_fd})
        grown = _address_space() + limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (grown, grown))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        while True:
            try:
                request = json.loads(_read_frame(in_fd, None))
            except EOFError:
                break
            used = resource.getrusage(resource.RUSAGE_SELF)
            cpu = int(used.ru_utime + used.ru_stime) + limits.cpu_seconds  # this text's share from now
            hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
            resource.setrlimit(resource.RLIMIT_CPU, (cpu if hard == resource.RLIM_INFINITY else min(cpu, hard), hard))
            stop = False
            try:
                answer = {"result": understand(request["text"]).to_dict()}
            except (MemoryError, RecursionError):
                answer, stop = {"error": "too_complex"}, True
            except Exception as exc:
                answer = {"error": "failed", "detail": f"{type(exc).__name__}: {exc}"[:500]}
            _send_frame(out_fd, json.dumps(answer).encode(), time.monotonic() + 60)
            if stop:
                break
    finally:
        os._exit(0)  # no atexit, no buffered output, no connection closed on the worker's behalf


def _close_inherited(keep: set[int]) -> None:
    """Close what the child inherited from the worker beyond its pipes and standard streams: the broker and
    database connections, a listening search service, the embedded vector store's lock. The reader uses
    none of them, and must not hold a port or a lock after the worker let go of it or is gone."""
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 2 and fd not in keep:
            with contextlib.suppress(OSError):
                os.close(fd)


def _address_space() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _answer(stdout: bytes) -> dict[str, object] | None:
    try:
        answer = json.loads(stdout)
    except (ValueError, UnicodeDecodeError):
        return None
    return answer if isinstance(answer, dict) else None


def _limit_self(memory_mb: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 1024 * 1024, memory_mb * 1024 * 1024))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # the child writes no file
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _peak_mb() -> float:
    """This process's own peak resident memory. Not getrusage's ru_maxrss: Linux carries the
    forking parent's high-water mark across exec into it."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def serve() -> int:
    """The sandbox server: import the parsers once, then for each file fork a child that limits itself,
    extracts and answers; relay its answer, or say how it ended."""
    import charset_normalizer  # noqa: F401 - imported here once, inherited by every child
    import docx  # noqa: F401
    import pdfminer.high_level
    import pdfminer.pdfparser  # noqa: F401
    import striprtf.striprtf  # noqa: F401

    in_fd, out_fd = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)  # nothing a parser prints can reach the answers
    gc.freeze()
    while True:
        try:
            header = json.loads(_read_frame(in_fd, None))
            data = _read_frame(in_fd, None)
        except EOFError:  # the worker is gone
            return 0
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            os.close(in_fd)
            os.close(out_fd)
            _child(data, header, write_end)
        os.close(write_end)
        with os.fdopen(read_end, "rb") as answer_pipe:
            raw = answer_pipe.read()
        _, status = os.waitpid(pid, 0)
        answer = _answer(raw)
        if answer is None or not ("text" in answer or isinstance(answer.get("error"), dict)):
            if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL):
                answer = {"error": {"code": "timeout", "message": TIMEOUT}}
            else:  # killed some other way (the allocator aborting at the memory limit, a crash in a C library)
                answer = {"error": {"code": "too_complex", "message": TOO_COMPLEX}}
        del data
        try:
            _send_frame(out_fd, json.dumps(answer).encode(), time.monotonic() + 60)
        except (BrokenPipeError, TimeoutError):
            return 0


def _child(data: bytes, header: dict[str, Any], out_fd: int) -> None:
    try:
        _limit_self(int(header["memory_mb"]), int(header["cpu_seconds"]))
        try:
            answer: dict[str, object] = {"text": extract_text(data, str(header["content_type"]))}
        except ExtractionError as exc:
            answer = {"error": {"code": exc.code, "message": exc.message}}
        except (MemoryError, RecursionError):
            answer = {"error": {"code": "too_complex", "message": TOO_COMPLEX}}
        answer["peak_mb"] = _peak_mb()
        view = memoryview(json.dumps(answer).encode())
        while view:
            view = view[os.write(out_fd, view) :]
    finally:
        os._exit(0)


if __name__ == "__main__":
    if sys.argv[1:] != ["--serve"]:
        sys.exit("usage: python -m resumes.sandbox --serve")
    sys.exit(serve())
