"""``YYYY-MM`` month labels of the generator: parsing, shifting, ranges and bounds."""

from __future__ import annotations

import calendar
import datetime as dt


def _parse_month(s: str) -> tuple[int, int]:
    try:
        y, m = s.split("-")
        y_i, m_i = int(y), int(m)
        if len(y) != 4 or len(m) != 2 or not 1 <= m_i <= 12:
            raise ValueError
    except ValueError:
        raise ValueError(f"month must be 'YYYY-MM', got {s!r}") from None
    return y_i, m_i


def _shift_month(s: str, n: int) -> str:
    y, m = _parse_month(s)
    y, m0 = divmod(y * 12 + m - 1 + n, 12)
    return f"{y:04d}-{m0 + 1:02d}"


def _month_range(start: str, end: str) -> list[str]:
    _parse_month(start)
    _parse_month(end)
    if end < start:
        raise ValueError(f"end_month {end} is before start_month {start}")
    out, m = [], start
    while m <= end:
        out.append(m)
        m = _shift_month(m, 1)
    return out


def _month_bounds(s: str) -> tuple[dt.datetime, dt.datetime]:
    y, m = _parse_month(s)
    last = calendar.monthrange(y, m)[1]
    return dt.datetime(y, m, 1), dt.datetime(y, m, last, 23, 59, 59)
