"""CSV exports. Every cell goes through `csv_safe`: a spreadsheet runs a cell that begins with =, +, -
or @ as a formula (OWASP "CSV injection"), so such cells are written with a leading apostrophe."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

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


def shortlist_csv(decisions: Iterable[object]) -> str:
    """One row per shortlisted candidate: who, how to reach them, why, and the recruiter's note."""
    rows = []
    for d in decisions:
        profile = d.resume.profile or {}  # type: ignore[attr-defined]
        match = getattr(d, "match", None)
        why = match.why if match is not None else {}
        rows.append(
            [
                profile.get("name") or "",
                profile.get("email") or "",
                profile.get("phone") or "",
                profile.get("location") or "",
                "; ".join(profile.get("titles") or []),
                profile.get("years_experience") if profile.get("years_experience") is not None else "",
                "; ".join(why.get("matched_skills") or []),
                "; ".join(why.get("missing_skills") or []),
                f"{match.score:.3f}" if match is not None else "",
                "yes" if getattr(d, "applied", False) else "no",
                d.note,  # type: ignore[attr-defined]
                d.decided_at.strftime("%Y-%m-%d %H:%M"),  # type: ignore[attr-defined]
                str(d.resume.public_id),  # type: ignore[attr-defined]
            ]
        )
    header = [
        "name",
        "email",
        "phone",
        "location",
        "titles",
        "years_experience",
        "matched_skills",
        "missing_skills",
        "score",
        "applied",
        "note",
        "decided_at",
        "resume_id",
    ]
    return csv_text(header, rows)


def rejected_rows_csv(rejected: Iterable[dict[str, object]]) -> str:
    return csv_text(["line", "id", "reason"], ([r["line"], r["external_id"], r["reason"]] for r in rejected))
