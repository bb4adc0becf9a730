"""Readers for posting files. Each yields PostingRecord or Rejected, one per source row.

Reading is separate from writing (services.postings_import) so the same readers feed the
command line today and the browser's bulk import later.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import math
import zlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from jobmatch.jsonlines import json_line

LINKEDIN_2023_SOURCE = "linkedin-2023"
MAX_TITLE = 500
MAX_DESCRIPTION = 100_000


class ImportFormatError(Exception):
    """The file or folder as a whole cannot be read in the requested format."""


@dataclass
class PostingRecord:
    source: str
    external_id: str
    title: str
    company: str = ""
    company_ref: str = ""
    location: str = ""
    description: str = ""
    industries: list[str] = field(default_factory=list)
    job_functions: list[str] = field(default_factory=list)
    work_type: str = ""
    experience_level: str = ""
    salary_min: float | None = None
    salary_max: float | None = None
    salary_period: str = ""
    salary_currency: str = ""
    remote: bool = False
    posted_at: dt.date | None = None
    closes_at: dt.date | None = None
    apply_url: str = ""
    active: bool = True
    line: int = 0


@dataclass(frozen=True)
class Rejected:
    line: int
    external_id: str
    reason: str


class RowError(ValueError):
    pass


# --- shared field parsing -------------------------------------------------------------


def text_field(value: Any, *, name: str, max_len: int, required: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        value = ""
    if not isinstance(value, str | int | float):
        raise RowError(f"{name} must be text, got {type(value).__name__}")
    s = " ".join(str(value).split()) if name != "description" else str(value).strip()
    if "\x00" in s:
        raise RowError(f"{name} contains a NUL character")
    if required and not s:
        raise RowError(f"{name} is missing")
    if len(s) > max_len:
        raise RowError(f"{name} is longer than {max_len} characters")
    return s


def money_field(value: Any, *, name: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise RowError(f"{name} is not a number: {str(value)[:40]!r}") from None
    if math.isnan(f):
        return None
    if f < 0 or math.isinf(f):
        raise RowError(f"{name} must be a positive number, got {value!r}")
    return f


def _salary_range(lo: float | None, hi: float | None) -> tuple[float | None, float | None]:
    if lo is not None and hi is not None and lo > hi:
        raise RowError(f"salary minimum {lo:g} is above the maximum {hi:g}")
    return lo, hi


def url_field(value: Any, *, name: str) -> str:
    """An address people may follow: http(s) only, so a row cannot plant a javascript: link."""
    s = text_field(value, name=name, max_len=500)
    if s and not s.lower().startswith(("https://", "http://")):
        raise RowError(f"{name} must start with http:// or https://, got {s[:40]!r}")
    return s


def labels_field(value: Any, *, name: str) -> list[str]:
    """One or more labels (job functions, industries): a list, or text joined by ' | ' or ';'."""
    if isinstance(value, list):
        parts = [text_field(v, name=name, max_len=200) for v in value]
    else:
        joined = text_field(value, name=name, max_len=2000)
        parts = [p.strip() for p in joined.replace(";", "|").split("|")]
    return sorted({p for p in parts if p})


def date_field(value: Any, *, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise RowError(f"{name} is not a date (YYYY-MM-DD): {str(value)[:40]!r}") from None


def _open_table(folder: Path, name: str, *, required: bool = True) -> TextIO | None:
    for candidate in (folder / f"{name}.csv", folder / f"{name}.csv.gz"):
        if candidate.exists():
            if candidate.suffix == ".gz":
                return io.TextIOWrapper(gzip.open(candidate, "rb"), encoding="utf-8", newline="")
            return candidate.open(encoding="utf-8", newline="")
    if required:
        raise ImportFormatError(f"{folder} has no {name}.csv or {name}.csv.gz")
    return None


# --- LinkedIn 2023 folder layout -------------------------------------------------------

_WORK_TYPES = {
    "FULL_TIME": "Full-time",
    "PART_TIME": "Part-time",
    "CONTRACT": "Contract",
    "TEMPORARY": "Temporary",
    "INTERNSHIP": "Internship",
    "VOLUNTEER": "Volunteer",
    "OTHER": "Other",
}


def _lookup_table(folder: Path, name: str, key: str, value: str) -> dict[str, str]:
    fh = _open_table(folder, name, required=False)
    if fh is None:
        return {}
    with fh:
        return {row[key].strip(): row[value].strip() for row in csv.DictReader(fh) if row.get(key)}


def _grouped(folder: Path, name: str, key: str) -> dict[str, list[dict[str, str]]]:
    fh = _open_table(folder, name, required=False)
    out: dict[str, list[dict[str, str]]] = defaultdict(list)
    if fh is None:
        return out
    with fh:
        for row in csv.DictReader(fh):
            out[(row.get(key) or "").strip()].append(row)
    return out


def read_linkedin_2023(folder: Path) -> Iterator[PostingRecord | Rejected]:
    """The 2023 release layout: job_postings plus industries, job functions and salaries tables."""
    if not folder.is_dir():
        raise ImportFormatError(f"{folder} is not a folder (the linkedin-2023 format reads a folder of CSV tables)")
    postings = _open_table(folder, "job_postings")
    assert postings is not None
    industry_names = _lookup_table(folder, "industries", "industry_id", "industry_name")
    function_names = _lookup_table(folder, "skills", "skill_abr", "skill_name")  # LinkedIn's job functions
    industries = _grouped(folder, "job_industries", "job_id")
    functions = _grouped(folder, "job_skills", "job_id")
    salaries = _grouped(folder, "salaries", "job_id")

    with postings:
        reader = csv.DictReader(postings)
        missing = {"job_id", "title"} - set(reader.fieldnames or [])
        if missing:
            raise ImportFormatError(f"job_postings has no column {', '.join(sorted(missing))}")
        last = reader.line_num  # physical lines: a quoted cell may span several
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except (EOFError, gzip.BadGzipFile, zlib.error, UnicodeDecodeError) as exc:
                what = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else "damaged or cut short"
                yield Rejected(
                    line=last + 1,
                    external_id="",
                    reason=f"job_postings is {what} here ({exc}); the rows before were read",
                )
                return
            line, last = last + 1, reader.line_num
            job_id = (row.get("job_id") or "").strip()
            try:
                if "\n" in (row.get("title") or "") or "\r" in (row.get("title") or ""):
                    raise RowError(
                        f"the title runs from line {line} to {last}: a quote is not closed, and the lines after "
                        "it were read into the title; close the quote and import again"
                    )
                if not job_id.isdigit():
                    raise RowError(f"job_id is not a LinkedIn id: {job_id[:40]!r}" if job_id else "job_id is missing")
                if None in row:
                    raise RowError("the row has more cells than the header")
                rec = PostingRecord(
                    source=LINKEDIN_2023_SOURCE,
                    external_id=job_id,
                    title=text_field(row.get("title"), name="title", max_len=MAX_TITLE, required=True),
                    company_ref=(row.get("company_id") or "").strip().removesuffix(".0"),
                    location=text_field(row.get("location"), name="location", max_len=300),
                    work_type=text_field(row.get("formatted_work_type"), name="work type", max_len=40)
                    or _WORK_TYPES.get((row.get("work_type") or "").strip(), ""),
                    experience_level=text_field(
                        row.get("formatted_experience_level"), name="experience level", max_len=40
                    ),
                    remote=(row.get("remote_allowed") or "").strip() in {"1", "1.0", "True", "true"},
                    line=line,
                )
                rec.industries = sorted(
                    {industry_names.get(r["industry_id"].strip(), "") for r in industries.get(job_id, [])} - {""}
                )
                rec.job_functions = sorted(
                    {function_names.get(r["skill_abr"].strip(), "") for r in functions.get(job_id, [])} - {""}
                )
                pay = salaries.get(job_id, [])
                if pay:
                    s = pay[0]
                    lo = money_field(s.get("min_salary"), name="min_salary")
                    hi = money_field(s.get("max_salary"), name="max_salary")
                    med = money_field(s.get("med_salary"), name="med_salary")
                    if lo is None and hi is None and med is not None:
                        lo = hi = med
                    rec.salary_min, rec.salary_max = _salary_range(lo, hi)
                    rec.salary_period = (s.get("pay_period") or "").strip().upper()
                    rec.salary_currency = (s.get("currency") or "").strip().upper()[:8]
                yield rec
            except RowError as exc:
                yield Rejected(line=line, external_id=job_id, reason=str(exc))


# --- the common JSON-lines schema of ../shared/data/job-postings-* -----------------------

_PERIODS = {"year": "YEARLY", "annum": "YEARLY", "month": "MONTHLY", "week": "WEEKLY", "day": "DAILY", "hour": "HOURLY"}


def _open_lines(path: Path) -> BinaryIO:
    """The file's bytes (decompressed): each line is decoded on its own, so a bad byte costs its own line
    only and is reported at its own line number (a text decoder reads ahead and fails lines early)."""
    if not path.is_file():
        raise ImportFormatError(f"{path} is not a file (the jsonl format reads one JSON-lines file)")
    if path.suffix == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def read_jsonl(path: Path, *, default_source: str | None = None) -> Iterator[PostingRecord | Rejected]:
    """One posting per line: id, title, company, location, description, category and industry (one label,
    or several joined by ' | '), posted, salary_min, salary_max, salary_period, salary_currency,
    employment_type, seniority (LinkedIn's experience level), url (where to apply), source; other fields
    are ignored."""
    fallback = default_source or path.name.split(".")[0]
    if fallback == "postings":
        fallback = path.parent.name
    with _open_lines(path) as fh:
        line = 0
        while True:
            line += 1
            try:
                data = fh.readline()
            except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
                yield Rejected(
                    line=line,
                    external_id="",
                    reason=f"the compressed file is damaged or cut short here ({exc}); the lines before were read",
                )
                return
            if not data:
                return
            try:
                raw = data.decode("utf-8-sig" if line == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield Rejected(line=line, external_id="", reason=f"not UTF-8 text (byte {exc.start + 1} of the line)")
                continue
            if not raw.strip():
                continue
            ext_id = ""
            try:
                try:
                    obj = json_line(raw)
                except ValueError as exc:
                    raise RowError(str(exc)) from None
                if not isinstance(obj, dict):
                    raise RowError("a line must hold one JSON object")
                ext_id = text_field(obj.get("id"), name="id", max_len=128, required=True)
                lo = money_field(obj.get("salary_min"), name="salary_min")
                hi = money_field(obj.get("salary_max"), name="salary_max")
                period = str(obj.get("salary_period") or "").strip().lower()
                location = text_field(obj.get("location"), name="location", max_len=300)
                title = text_field(obj.get("title"), name="title", max_len=MAX_TITLE, required=True)
                employment = str(obj.get("employment_type") or "").strip().upper().replace("-", "_")
                rec = PostingRecord(
                    source=text_field(obj.get("source"), name="source", max_len=64) or fallback,
                    external_id=ext_id,
                    title=title,
                    company=text_field(obj.get("company"), name="company", max_len=300),
                    location=location,
                    description=text_field(obj.get("description"), name="description", max_len=MAX_DESCRIPTION),
                    industries=labels_field(obj.get("industry"), name="industry"),
                    job_functions=labels_field(obj.get("category"), name="category"),
                    experience_level=text_field(obj.get("seniority"), name="seniority", max_len=40),
                    apply_url=url_field(obj.get("url"), name="url"),
                    work_type=_WORK_TYPES.get(employment, employment.replace("_", " ").capitalize()),
                    salary_currency=text_field(obj.get("salary_currency"), name="salary_currency", max_len=8).upper(),
                    salary_period=_PERIODS.get(period, period.upper()),
                    posted_at=date_field(obj.get("posted"), name="posted"),
                    remote="remote" in f"{location} {title}".lower(),
                    line=line,
                )
                rec.salary_min, rec.salary_max = _salary_range(lo, hi)
                yield rec
            except RowError as exc:
                yield Rejected(line=line, external_id=ext_id, reason=str(exc))


READERS = {"linkedin-2023": read_linkedin_2023, "jsonl": read_jsonl}
