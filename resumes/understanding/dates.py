"""Years of experience from the date ranges of a resume's experience section."""

from __future__ import annotations

import datetime as dt
import re

_MONTHS = {
    m: i
    for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)
}
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = rf"(?:{_MONTH}\s*,?\s*\d{{4}}|\d{{1,2}}\s*/\s*\d{{4}}|\d{{4}})"
_END = rf"(?:{_DATE}|present|current|now|today|date|till date|ongoing)"
RANGE = re.compile(rf"(?P<start>{_DATE})\s*(?:-|–|—|to|until|till|through)\s*(?P<end>{_END})", re.I)
MAX_SPAN_YEARS = 50  # a longer range is a misread, not a career


def _month_index(text: str, *, today: dt.date, is_end: bool) -> int | None:
    t = text.strip().lower()
    if t in {"present", "current", "now", "today", "date", "till date", "ongoing"}:
        return today.year * 12 + today.month - 1
    m = re.match(r"(\d{1,2})\s*/\s*(\d{4})", t)
    if m:
        month, year = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            return None
        return year * 12 + month - 1
    m = re.match(rf"({_MONTH})\s*,?\s*(\d{{4}})", t)
    if m:
        return int(m.group(2)) * 12 + _MONTHS[m.group(1)[:3]] - 1
    m = re.fullmatch(r"\d{4}", t)
    if m:
        # A bare year: count it from January when it starts a range, to December when it ends one.
        return int(t) * 12 + (11 if is_end else 0)
    return None


def experience_intervals(text: str, *, today: dt.date | None = None) -> list[tuple[int, int]]:
    today = today or dt.date.today()
    now = today.year * 12 + today.month - 1
    out = []
    for m in RANGE.finditer(text):
        start = _month_index(m.group("start"), today=today, is_end=False)
        end = _month_index(m.group("end"), today=today, is_end=True)
        if start is None or end is None or start // 12 < 1950:
            continue
        end = min(end, now)
        if start <= end and end - start <= MAX_SPAN_YEARS * 12:
            out.append((start, end + 1))  # months are inclusive: Jan-Jan is one month
    return out


def years_of_experience(text: str, *, today: dt.date | None = None) -> float | None:
    """Total years covered by the date ranges, overlaps counted once; None when there are none."""
    intervals = sorted(experience_intervals(text, today=today))
    if not intervals:
        return None
    total, cur_start, cur_end = 0, *intervals[0]
    for start, end in intervals[1:]:
        if start <= cur_end:
            cur_end = max(cur_end, end)
        else:
            total += cur_end - cur_start
            cur_start, cur_end = start, end
    total += cur_end - cur_start
    return round(total / 12, 1)
