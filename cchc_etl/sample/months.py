"""``YYYY-MM`` month labels of the generator, checked strictly; the arithmetic is :mod:`cchc_etl.periods`'."""

from __future__ import annotations

import datetime as dt

from cchc_etl.periods import MONTH_LABEL, add_months, month_labels, month_start, next_month


def _parse_month(s: str) -> tuple[int, int]:
    if not isinstance(s, str) or not MONTH_LABEL.fullmatch(s):
        raise ValueError(f"month must be 'YYYY-MM', got {s!r}")
    return int(s[:4]), int(s[5:7])


def _shift_month(s: str, n: int) -> str:
    _parse_month(s)
    d = add_months(month_start(s), n)
    return f"{d.year:04d}-{d.month:02d}"


def _month_range(start: str, end: str) -> list[str]:
    _parse_month(start)
    _parse_month(end)
    if end < start:
        raise ValueError(f"end_month {end} is before start_month {start}")
    return month_labels(start, end)


def _month_bounds(s: str) -> tuple[dt.datetime, dt.datetime]:
    """The first and the last second of the month."""
    _parse_month(s)
    first = month_start(s)
    last = next_month(first) - dt.timedelta(days=1)
    return dt.datetime.combine(first, dt.time()), dt.datetime.combine(last, dt.time(23, 59, 59))
