"""Reporting periods (methodology §1): month, quarter and year, half-open [start, end).

A quarter or year still running is year-to-date: it ends at the end of the last month loaded,
and its state is taken from that month's exports (``asof``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

PERIOD_TYPES = ("month", "quarter", "year")
MONTH_LABEL = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")  # YYYY-MM: landing folders, partitions, the command line


def add_months(d: dt.date, n: int) -> dt.date:
    m = d.year * 12 + d.month - 1 + n
    return dt.date(m // 12, m % 12 + 1, 1)


def month_start(month: str | dt.date) -> dt.date:
    """The first day of a month given as a date or as ``YYYY-MM[...]`` (a partition key)."""
    if isinstance(month, dt.date):
        return month.replace(day=1)
    return dt.date.fromisoformat(month[:7] + "-01")


def next_month(day: dt.date) -> dt.date:
    return add_months(day, 1)


def previous_month(day: dt.date) -> dt.date:
    return add_months(day, -1)


def month_labels(start: str, end: str) -> list[str]:
    """``YYYY-MM`` labels from ``start`` to ``end`` inclusive (empty when start is after end)."""
    first, last = month_start(start), month_start(end)
    out = []
    while first <= last:
        out.append(f"{first:%Y-%m}")
        first = add_months(first, 1)
    return out


@dataclass(frozen=True)
class Period:
    type: str
    start: dt.date
    end: dt.date      # exclusive: the first day after the period (year to date: after the last month loaded)
    asof: dt.date     # first day of the export month whose state the period uses

    @property
    def natural_end(self) -> dt.date:
        return add_months(self.start, {"month": 1, "quarter": 3, "year": 12}[self.type])

    @property
    def complete(self) -> bool:
        return self.end >= self.natural_end

    @property
    def label(self) -> str:
        """The self_assessment spelling: YYYY-MM, YYYY-Qn or YYYY."""
        if self.type == "month":
            return f"{self.start:%Y-%m}"
        if self.type == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}"

    def params(self) -> dict:
        return {"period_start": self.start, "period_end": self.end, "asof_month": self.asof}


def containing(period_type: str, month: dt.date) -> dt.date:
    if period_type == "month":
        return month.replace(day=1)
    if period_type == "quarter":
        return dt.date(month.year, (month.month - 1) // 3 * 3 + 1, 1)
    if period_type == "year":
        return dt.date(month.year, 1, 1)
    raise ValueError(f"unknown period type {period_type!r} (month, quarter, year)")


def period(period_type: str, start: dt.date, last_month: dt.date) -> Period:
    """The period of that type starting at ``start``, ending after ``last_month`` at the latest."""
    start = containing(period_type, start)
    natural = Period(period_type, start, start, start).natural_end
    last = min(last_month.replace(day=1), add_months(natural, -1))
    if last < start:
        raise ValueError(f"{period_type} {start}: the last month {last_month:%Y-%m} is before the period")
    return Period(period_type, start, add_months(last, 1), last)


_LABEL = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4])|-H([12]))?$")


def parse_label(text: str, *, halves: bool = False) -> tuple[str, dt.date]:
    """'2024-01' -> (month, 2024-01-01); '2024-Q2' -> (quarter, 2024-04-01); '2024' -> (year,
    2024-01-01); with ``halves`` (the reports) also '2024-H2' -> (half, 2024-07-01)."""
    m = _LABEL.match(text.strip())
    if not m or (m.group(4) and not halves):
        raise ValueError(f"period {text!r}: expected YYYY-MM, YYYY-Qn{', YYYY-H1, YYYY-H2' if halves else ''} or YYYY")
    year = int(m.group(1))
    if m.group(2):
        return "month", dt.date(year, int(m.group(2)), 1)
    if m.group(3):
        return "quarter", dt.date(year, (int(m.group(3)) - 1) * 3 + 1, 1)
    if m.group(4):
        return "half", dt.date(year, 1 if m.group(4) == "1" else 7, 1)
    return "year", dt.date(year, 1, 1)
