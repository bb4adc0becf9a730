"""Bulk import of postings in the browser: check (a dry run that writes nothing), then commit all valid
rows in one transaction and index them in the background.

The file is kept in the `imports` storage (settings.STORAGES: DATA_DIR/imports, or the deployment's bucket)
between the two steps, under a random name, so the two steps may run on different web machines. A file that
cannot be read as a whole (an unterminated quote, unknown columns, an undecodable byte) is refused
with the line and the reason; a row that cannot be read is rejected with its line and reason, and
the others can still be committed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.utils import timezone

from jobmatch.files import StorageFull, save_whole
from jobmatch.jsonlines import json_line
from search import access, tasks
from search.models import Organisation, PostingImport

from .importers import (
    MAX_DESCRIPTION,
    MAX_TITLE,
    PostingRecord,
    Rejected,
    RowError,
    date_field,
    money_field,
    text_field,
)
from .services import ImportPlan, postings_plan, postings_write

MAX_IMPORT_BYTES = settings.POSTINGS_IMPORT_MAX_BYTES
MAX_ROWS = 50_000
MAX_CELL = MAX_DESCRIPTION  # the longest field (a description); a longer cell rejects its row
REJECTED_SHOWN = 1000  # rows listed on the page and in the rejected-rows CSV
DEFAULT_SOURCE = "import"

COLUMNS = {
    "id": "your id for the posting (a second upload with the same id updates it)",
    "title": "the job title",
    "company": "employer name (recruiters: defaults to the organisation)",
    "location": "City, Region or Remote",
    "description": f"the posting text, up to {MAX_DESCRIPTION:,} characters",
    "work_type": "Full-time, Part-time, Contract, Temporary, Internship…",
    "experience_level": "Internship, Entry level, Associate, Mid-Senior level, Director, Executive",
    "salary_min": "a number",
    "salary_max": "a number",
    "salary_period": "YEARLY, MONTHLY, WEEKLY, HOURLY",
    "salary_currency": "USD, GBP, EUR…",
    "remote": "yes/no",
    "closes_at": "last day it takes applications, YYYY-MM-DD",
    "posted_at": "YYYY-MM-DD",
    "industries": "separated by ;",
    "job_functions": "separated by ;",
    "source": "admins only: the source name the ids belong to",
}
REQUIRED = ("id", "title")
ALIASES = {"external_id": "id", "job_id": "id"}
_TRUE = {"1", "yes", "true", "y", "remote"}
_FALSE = {"", "0", "no", "false", "n"}


class ImportFileError(Exception):
    """The file as a whole cannot be imported."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ParsedFile:
    records: list[PostingRecord] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    encoding: str = "utf-8"


def import_store() -> Storage:
    return storages["imports"]


def _decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (a byte-order mark is dropped), else Windows-1252, the usual spreadsheet export."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        line = data[: utf8_error.start].count(b"\n") + 1
        raise ImportFileError(
            f"Line {line}: byte 0x{data[utf8_error.start]:02x} is neither UTF-8 nor Windows-1252 text. "
            "Save the file as CSV UTF-8 and upload it again."
        ) from None


def _flag(value: str, *, name: str) -> bool:
    v = value.strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise RowError(f"{name} must be yes or no, got {value[:40]!r}")


def _list(value: object, *, name: str) -> list[str]:
    items = value if isinstance(value, list) else str(value or "").split(";")
    return [text_field(x, name=name, max_len=200) for x in items if str(x).strip()]


def _record(row: dict[str, object], *, line: int, source: str, admin: bool) -> PostingRecord:
    for name, value in row.items():
        if isinstance(value, str) and len(value) > MAX_CELL:
            raise RowError(f"{name} is {len(value):,} characters long; the most a cell may hold is {MAX_CELL:,}")
    ext_id = text_field(row.get("id"), name="id", max_len=128, required=True)
    row_source = text_field(row.get("source"), name="source", max_len=64) if admin else ""
    lo = money_field(row.get("salary_min"), name="salary_min")
    hi = money_field(row.get("salary_max"), name="salary_max")
    if lo is not None and hi is not None and lo > hi:
        raise RowError(f"salary_min {lo:g} is above salary_max {hi:g}")
    remote = row.get("remote")
    rec = PostingRecord(
        source=row_source or source,
        external_id=ext_id,
        title=text_field(row.get("title"), name="title", max_len=MAX_TITLE, required=True),
        company=text_field(row.get("company"), name="company", max_len=300),
        location=text_field(row.get("location"), name="location", max_len=300),
        description=text_field(row.get("description"), name="description", max_len=MAX_DESCRIPTION),
        industries=_list(row.get("industries"), name="industries"),
        job_functions=_list(row.get("job_functions"), name="job_functions"),
        work_type=text_field(row.get("work_type"), name="work_type", max_len=40),
        experience_level=text_field(row.get("experience_level"), name="experience_level", max_len=40),
        salary_min=lo,
        salary_max=hi,
        salary_period=text_field(row.get("salary_period"), name="salary_period", max_len=20).upper(),
        salary_currency=text_field(row.get("salary_currency"), name="salary_currency", max_len=8).upper(),
        remote=remote if isinstance(remote, bool) else _flag(str(remote or ""), name="remote"),
        posted_at=date_field(row.get("posted_at"), name="posted_at"),
        closes_at=date_field(row.get("closes_at"), name="closes_at"),
        line=line,
    )
    return rec


def _header(names: list[str], *, admin: bool) -> list[str]:
    header = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in names]
    allowed = set(COLUMNS) if admin else set(COLUMNS) - {"source"}
    unknown = [h for h in header if h not in allowed]
    if unknown:
        raise ImportFileError(
            f"Unknown column{'s' if len(unknown) > 1 else ''} {', '.join(repr(h) for h in unknown)}. "
            f"The columns are: {', '.join(sorted(allowed))}."
        )
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportFileError(f"The file has no {' or '.join(missing)} column; every row needs an id and a title.")
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise ImportFileError(f"Column {', '.join(repeated)} appears more than once.")
    return header


def _csv_rows(text: str, *, admin: bool) -> Iterator[tuple[int, dict[str, object] | Rejected]]:
    csv.field_size_limit(max(csv.field_size_limit(), 4 * MAX_CELL))  # read long cells, then reject the row
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        first = next(reader, None)
        if first is None:
            raise ImportFileError("The file is empty.")
        header = _header(first, admin=admin)
        start = reader.line_num + 1
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                yield (
                    line,
                    Rejected(
                        line=line,
                        external_id=cells[header.index("id")].strip()[:128] if len(cells) > header.index("id") else "",
                        reason=f"the row has {len(cells)} cells; the header has {len(header)}",
                    ),
                )
                continue
            yield line, dict(zip(header, cells, strict=True))
    except csv.Error as exc:
        message = str(exc)
        if "unexpected end of data" in message or "EOF" in message:
            raise ImportFileError(
                f"Line {start}: a quoted cell is never closed (unterminated quote), so the rest of the file "
                "cannot be read. Fix the quote and upload again; nothing was imported."
            ) from None
        raise ImportFileError(f"Line {reader.line_num}: the file is not valid CSV ({message}).") from None


def _jsonl_rows(text: str, *, admin: bool) -> Iterator[tuple[int, dict[str, object] | Rejected]]:
    allowed = set(COLUMNS) if admin else set(COLUMNS) - {"source"}
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            obj = json_line(raw)
        except ValueError as exc:
            yield line, Rejected(line=line, external_id="", reason=str(exc))
            continue
        if not isinstance(obj, dict):
            yield line, Rejected(line=line, external_id="", reason="a line must hold one JSON object")
            continue
        obj = {ALIASES.get(str(k).lower(), str(k).lower()): v for k, v in obj.items()}
        unknown = sorted(set(obj) - allowed)
        if unknown:
            yield (
                line,
                Rejected(
                    line=line, external_id=str(obj.get("id", ""))[:128], reason=f"unknown field {', '.join(unknown)}"
                ),
            )
            continue
        yield line, obj


def parse_postings_file(data: bytes, *, name: str, source: str, admin: bool) -> ParsedFile:
    """Every row of an uploaded CSV or JSON-lines file, read into a record or rejected with a reason."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB; split it.")
    if b"\x00" in data[:4096]:
        raise ImportFileError("This is not a text file. Upload a CSV (.csv) or JSON-lines (.jsonl) file.")
    text, encoding = _decode(data)
    suffix = Path(name.lower()).suffix
    if suffix not in {".csv", ".jsonl", ".ndjson", ".json"}:
        raise ImportFileError("Upload a .csv or a .jsonl file (one JSON object per line).")
    rows = _csv_rows(text, admin=admin) if suffix == ".csv" else _jsonl_rows(text, admin=admin)
    out = ParsedFile(encoding=encoding)
    first_line: dict[tuple[str, str], int] = {}
    for n, (line, row) in enumerate(rows):
        if n >= MAX_ROWS:
            raise ImportFileError(f"The file has more than {MAX_ROWS:,} rows; split it.")
        if isinstance(row, Rejected):
            out.rejected.append(row)
            continue
        try:
            rec = _record(row, line=line, source=source, admin=admin)
        except RowError as exc:
            out.rejected.append(Rejected(line=line, external_id=str(row.get("id") or "")[:128], reason=str(exc)))
            continue
        key = (rec.source, rec.external_id)
        if key in first_line:
            out.rejected.append(
                Rejected(line=line, external_id=rec.external_id, reason=f"id repeats line {first_line[key]}")
            )
            continue
        first_line[key] = line
        out.records.append(rec)
    if not out.records and not out.rejected:
        raise ImportFileError("The file has a header but no rows.")
    return out


def _source_for(organisation: Organisation | None) -> str:
    return organisation.source if organisation is not None else DEFAULT_SOURCE


def _plan(parsed: ParsedFile, *, organisation: Organisation | None, user: AbstractBaseUser) -> ImportPlan:
    if organisation is not None:
        for rec in parsed.records:
            rec.company = rec.company or organisation.name
    plan = postings_plan(
        parsed.records, organisation_id=organisation.pk if organisation else None, created_by_id=user.pk
    )
    if organisation is not None:
        # A recruiter's file may only touch its organisation's postings (its source is the organisation's).
        lines = {(r.source, r.external_id): r.line for r in parsed.records}
        foreign = [p for p in plan.to_update if p.organisation_id not in (None, organisation.pk)]
        for p in foreign:
            plan.to_update.remove(p)
            plan.rejected.append(
                Rejected(
                    line=lines.get((p.source, p.external_id), 0),
                    external_id=p.external_id,
                    reason="this id belongs to another organisation's posting",
                )
            )
    return plan


def import_check(
    *, user: AbstractBaseUser, organisation: Organisation | None, name: str, data: bytes, admin: bool
) -> PostingImport:
    """The dry run: read the file, count what would be created, updated and rejected; write no posting."""
    stored = secrets.token_hex(16)
    record = PostingImport(
        public_id=uuid.uuid4(),
        uploaded_by=user,
        organisation=organisation,
        original_name=Path(name.replace("\\", "/")).name[:200] or "postings",
        stored_name=stored,
    )
    try:
        parsed = parse_postings_file(data, name=name, source=_source_for(organisation), admin=admin)
    except ImportFileError as exc:
        record.status = PostingImport.Status.INVALID
        record.error = exc.message
        record.save()
        return record
    try:
        save_whole(import_store(), stored, data)
    except StorageFull:
        record.status = PostingImport.Status.INVALID
        record.error = "The server has no room to keep this file just now, so nothing was imported. Try again later."
        record.save()
        return record
    plan = _plan(parsed, organisation=organisation, user=user)
    rejected = sorted(parsed.rejected + plan.rejected, key=lambda r: r.line)
    record.status = PostingImport.Status.CHECKED
    record.encoding = parsed.encoding
    record.counts = {
        "created": len(plan.to_create),
        "updated": len(plan.to_update),
        "unchanged": plan.unchanged,
        "rejected": len(rejected),
    }
    record.rejected = [{"line": r.line, "external_id": r.external_id, "reason": r.reason} for r in rejected][
        :REJECTED_SHOWN
    ]
    record.save()
    # One file waits for confirmation per person: a newer dry run discards the older ones.
    imports_discard(
        PostingImport.objects.filter(uploaded_by=user, status=PostingImport.Status.CHECKED).exclude(pk=record.pk),
        reason="A newer file was checked before this one was confirmed. Upload it again to import it.",
    )
    return record


CHECKED_KEPT_HOURS = 24  # a checked file not confirmed within this is discarded (`imports_expire`, hourly)


def imports_discard(imports: Any, *, reason: str) -> int:
    """Delete the stored files of checked, unconfirmed imports; they can no longer be confirmed."""
    n = 0
    for record in list(imports.filter(status=PostingImport.Status.CHECKED)):
        claimed = PostingImport.objects.filter(pk=record.pk, status=PostingImport.Status.CHECKED).update(
            status=PostingImport.Status.INVALID, error=reason
        )
        if claimed:
            import_store().delete(record.stored_name)
            n += 1
    return n


def imports_expire(*, now: Any = None) -> int:
    """Discard the checked files nobody confirmed within CHECKED_KEPT_HOURS (Celery beat, hourly)."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=CHECKED_KEPT_HOURS)
    return imports_discard(
        PostingImport.objects.filter(created_at__lt=cutoff),
        reason=f"Not confirmed within {CHECKED_KEPT_HOURS} hours, so the file was discarded. Upload it again.",
    )


class ImportNotConfirmable(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def import_commit(*, record: PostingImport, user: AbstractBaseUser) -> PostingImport:
    """Write every valid row of a checked file in one transaction, then index in the background."""
    with transaction.atomic():
        # Claim the import: a double click or a second tab commits it once.
        claimed = PostingImport.objects.filter(pk=record.pk, status=PostingImport.Status.CHECKED).update(
            status=PostingImport.Status.COMMITTED, committed_at=timezone.now()
        )
        if not claimed:
            raise ImportNotConfirmable("This file was already imported, or it cannot be imported.")
        try:
            with import_store().open(record.stored_name, "rb") as fh:
                data = fh.read()
        except FileNotFoundError:
            raise ImportNotConfirmable("The checked file is no longer stored. Upload it again.") from None
        parsed = parse_postings_file(
            data,
            name=record.original_name,
            source=_source_for(record.organisation),
            admin=access.role_of(user) == access.ADMIN,
        )
        plan = _plan(parsed, organisation=record.organisation, user=user)
        ids = postings_write(plan)
        record.refresh_from_db()
        record.posting_ids = ids
        record.counts = {
            **record.counts,
            "created": len(plan.to_create),
            "updated": len(plan.to_update),
            "unchanged": plan.unchanged,
        }
        record.save(update_fields=["posting_ids", "counts"])
        tasks.index_postings.delay_on_commit(record.pk)
    import_store().delete(record.stored_name)
    return record


def import_progress(record: PostingImport) -> dict[str, object]:
    total = len(record.posting_ids)
    return {
        "status": record.status,
        "status_display": record.get_status_display(),
        "indexed": record.indexed,
        "total": total,
        "finished": record.status in (PostingImport.Status.DONE, PostingImport.Status.FAILED),
    }
