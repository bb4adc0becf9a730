"""Text extraction in a child process with a memory limit, a CPU-time limit and a wall-clock timeout.

A hostile file (a flate bomb, a page tree that never ends, an xref loop) can cost a parser
unbounded memory or time. Extraction therefore runs in a fresh Python process that imports
only `resumes.extract` (no Django, no models), limits itself with setrlimit before it reads a
byte, writes nothing to disk, and answers one JSON object on stdout. The worker survives
whatever happens in it: every way the child can end maps to an ExtractionError code.

    python -m resumes.sandbox CONTENT_TYPE MEMORY_MB CPU_SECONDS  < file
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .extract import TOO_COMPLEX, ExtractionError, extract_text

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = "Reading the file took too long. Export it again (for example with Save as PDF) and retry."


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 1024  # address space of the child: what a parse may use at most
    cpu_seconds: int = 20
    wall_seconds: float = 30.0

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
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "LANG": "C.UTF-8",
    }
    cmd = [sys.executable, "-s", "-m", "resumes.sandbox", content_type, str(limits.memory_mb), str(limits.cpu_seconds)]
    try:
        proc = subprocess.run(
            cmd, input=data, capture_output=True, timeout=limits.wall_seconds, env=env, cwd=ROOT, check=False
        )
    except subprocess.TimeoutExpired:  # run() has killed the child
        return {"error": {"code": "timeout", "message": TIMEOUT}}
    answer = _answer(proc.stdout)
    if answer is not None and ("text" in answer or isinstance(answer.get("error"), dict)):
        return answer
    if proc.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return {"error": {"code": "timeout", "message": TIMEOUT}}
    # Killed some other way (the allocator aborting at the memory limit, a crash in a C library).
    return {"error": {"code": "too_complex", "message": TOO_COMPLEX}}


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


def main(argv: list[str]) -> int:
    content_type, memory_mb, cpu_seconds = argv[0], int(argv[1]), int(argv[2])
    _limit_self(memory_mb, cpu_seconds)
    data = sys.stdin.buffer.read()
    try:
        answer: dict[str, object] = {"text": extract_text(data, content_type)}
    except ExtractionError as exc:
        answer = {"error": {"code": exc.code, "message": exc.message}}
    except (MemoryError, RecursionError):
        answer = {"error": {"code": "too_complex", "message": TOO_COMPLEX}}
    answer["peak_mb"] = _peak_mb()
    sys.stdout.write(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
