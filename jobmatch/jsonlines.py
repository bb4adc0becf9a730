"""One line of a JSON-lines file someone gave us (a bulk import, a batch command): parsed, or a ValueError
whose message says what is wrong with that line. Never a RecursionError (50,000 nested brackets), never
text that cannot be stored (an unpaired surrogate such as "\\ud800" passes json.loads and fails later)."""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 32  # a row is an object of fields; deeper nesting is not a row


def json_line(raw: str | bytes) -> Any:
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise ValueError(f"the JSON nests deeper than {MAX_DEPTH} levels") from None
    _check(obj, 0)
    return obj


def _check(value: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ValueError(f"the JSON nests deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            bad = value[exc.start].encode("unicode_escape").decode()
            raise ValueError(f"the line holds a character that is not text ({bad}, an unpaired surrogate)") from None
    elif isinstance(value, dict):
        for k, v in value.items():
            _check(k, depth + 1)
            _check(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _check(v, depth + 1)
