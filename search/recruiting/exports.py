"""CSV exports. Every cell goes through `csv_safe`: a spreadsheet runs a cell that begins with =, +, -
or @ as a formula (OWASP "CSV injection"), so such cells are written with a leading apostrophe."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_safe(h) for h in header])
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    return out.getvalue()


def pipeline_csv(board: Any) -> str:
    """One row per candidate in the posting's pipeline (applied to offer and hired; not the rejected, not
    the suggestions): who, how to reach them, the stage, why they matched, and the latest note."""
    rows = []
    for stage, cards in board.columns.items():
        if stage in ("suggested", "rejected"):
            continue
        for card in cards:
            profile = card.resume.profile or {}
            match = card.match
            why = match.why if match is not None else {}
            rows.append(
                [
                    profile.get("name") or "",
                    profile.get("email") or "",
                    profile.get("phone") or "",
                    profile.get("location") or "",
                    "; ".join(profile.get("titles") or []),
                    profile.get("years_experience") if profile.get("years_experience") is not None else "",
                    stage,
                    card.since.strftime("%Y-%m-%d %H:%M") if card.since else "",
                    "; ".join(why.get("matched_skills") or []),
                    "; ".join(why.get("missing_skills") or []),
                    "yes" if card.applied else "no",
                    card.note,
                    str(card.resume.public_id),
                ]
            )
    header = [
        "name",
        "email",
        "phone",
        "location",
        "titles",
        "years_experience",
        "stage",
        "in_stage_since",
        "matched_skills",
        "missing_skills",
        "applied",
        "note",
        "resume_id",
    ]
    return csv_text(header, rows)


def rejected_rows_csv(rejected: Iterable[dict[str, object]]) -> str:
    return csv_text(["line", "id", "reason"], ([r["line"], r["external_id"], r["reason"]] for r in rejected))
