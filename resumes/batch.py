"""Resume inputs of the batch commands: files and JSON-lines, each read or named as an error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jobmatch.jsonlines import json_line

from .extract import ExtractionError, sniff_content_type
from .sandbox import extract_sandboxed

BatchItem = tuple[Any, str | None, dict[str, str] | None]  # (id, text, error)


def read_resume_inputs(files: list[Path], jsonl: Path | None) -> Iterator[BatchItem]:
    """Yield (id, text, None) for each readable resume and (id, None, {code, message}) for each that is not.

    Files are identified by their path as given; JSON lines by their "id" (else the line number).
    """
    for path in files:
        try:
            data = path.read_bytes()
            yield str(path), extract_sandboxed(data, sniff_content_type(data, path.name)), None
        except ExtractionError as exc:
            yield str(path), None, {"code": exc.code, "message": exc.message}
        except OSError as exc:
            yield str(path), None, {"code": "unreadable", "message": f"cannot read the file: {exc.strerror}"}
    if jsonl is None:
        return
    with jsonl.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json_line(line)
            except ValueError as exc:
                yield n, None, {"code": "unreadable", "message": f"line {n}: {exc}"}
                continue
            text = obj.get("text") if isinstance(obj, dict) else None
            rid = obj.get("id", n) if isinstance(obj, dict) else n
            if not isinstance(text, str) or not text.strip():
                yield rid, None, {"code": "no_text", "message": "the line has no text"}
            else:
                yield rid, text, None
