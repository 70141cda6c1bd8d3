"""Working time of the simulation: working days, office hours and due dates."""

from __future__ import annotations

import calendar
import datetime as dt
import random

import numpy as np

from cchc_etl.sample.catalogue import _DAYS, _H, _WD, Procedure
from cchc_etl.sample.months import _month_bounds

_HOLIDAY_RANGES = [
    ("2022-01-01", "2022-01-03"), ("2022-01-29", "2022-02-06"), ("2022-04-10", "2022-04-11"),
    ("2022-04-30", "2022-05-03"), ("2022-09-01", "2022-09-04"),
    ("2023-01-01", "2023-01-02"), ("2023-01-20", "2023-01-26"), ("2023-04-29", "2023-05-03"),
    ("2023-09-01", "2023-09-04"),
    ("2024-01-01", "2024-01-01"), ("2024-02-08", "2024-02-14"), ("2024-04-18", "2024-04-18"),
    ("2024-04-27", "2024-05-01"), ("2024-08-31", "2024-09-03"),
    ("2025-01-01", "2025-01-01"), ("2025-01-25", "2025-02-02"), ("2025-04-07", "2025-04-07"),
    ("2025-04-30", "2025-05-04"), ("2025-08-30", "2025-09-02"),
    ("2026-01-01", "2026-01-01"), ("2026-02-14", "2026-02-22"), ("2026-04-26", "2026-04-27"),
    ("2026-04-30", "2026-05-03"), ("2026-08-29", "2026-09-02"),
]


def _build_holidays() -> frozenset[dt.date]:
    out: set[dt.date] = set()
    for a, b in _HOLIDAY_RANGES:
        d, e = dt.date.fromisoformat(a), dt.date.fromisoformat(b)
        while d <= e:
            out.add(d)
            d += dt.timedelta(days=1)
    for y in range(2015, 2036):  # fixed-date holidays for the years not listed above
        for m, d in ((1, 1), (4, 30), (5, 1), (9, 2)):
            out.add(dt.date(y, m, d))
    return frozenset(out)


_HOLIDAYS = _build_holidays()
_HOLIDAYS_NP = np.array(sorted(_HOLIDAYS), dtype="datetime64[D]")

_AM0, _AM1 = dt.time(7, 30), dt.time(11, 30)
_PM0, _PM1 = dt.time(13, 0), dt.time(17, 0)


def _is_workday(d: dt.date) -> bool:
    return d.weekday() < 5 and d not in _HOLIDAYS


def _next_workday(d: dt.date) -> dt.date:
    d += dt.timedelta(days=1)
    while not _is_workday(d):
        d += dt.timedelta(days=1)
    return d


def _snap(t: dt.datetime, rng: random.Random | None = None) -> dt.datetime:
    """Move ``t`` forward into working hours; when moved, add a little jitter."""
    d, tt = t.date(), t.time()
    if not _is_workday(d):
        while not _is_workday(d):
            d += dt.timedelta(days=1)
        out = dt.datetime.combine(d, _AM0)
    elif tt < _AM0:
        out = dt.datetime.combine(d, _AM0)
    elif _AM1 <= tt < _PM0:
        out = dt.datetime.combine(d, _PM0)
    elif tt >= _PM1:
        out = dt.datetime.combine(_next_workday(d), _AM0)
    else:
        return t
    if rng is not None:
        out += dt.timedelta(seconds=rng.randrange(5 * 60, 100 * 60))
    return out


def _add_working_days(t: dt.datetime, n: int) -> dt.datetime:
    d = t.date()
    for _ in range(int(n)):
        d = _next_workday(d)
    return dt.datetime.combine(d, t.time())


def _add_working_hours(t: dt.datetime, hours: float) -> dt.datetime:
    t = _snap(t)
    remaining = dt.timedelta(hours=hours)
    while True:
        end = dt.datetime.combine(t.date(), _AM1 if t.time() < _AM1 else _PM1)
        left = end - t
        if remaining <= left:
            return t + remaining
        remaining -= left
        t = _snap(end + dt.timedelta(seconds=1))
        t = t.replace(second=0, microsecond=0)


def _roll_forward(t: dt.datetime) -> dt.datetime:
    d = t.date()
    while not _is_workday(d):
        d += dt.timedelta(days=1)
    return dt.datetime.combine(d, t.time())


def _add_months(t: dt.datetime, n: int) -> dt.datetime:
    y, m = divmod(t.month - 1 + n, 12)
    y, m = t.year + y, m + 1
    day = min(t.day, calendar.monthrange(y, m)[1])
    return t.replace(year=y, month=m, day=day)


def _due(recv: dt.datetime, p: Procedure) -> dt.datetime:
    if p.statutory_unit == _WD:
        return _add_working_days(recv, int(p.statutory_days))
    if p.statutory_unit == _DAYS:
        return _roll_forward(recv + dt.timedelta(days=p.statutory_days))
    if p.statutory_unit == _H:
        return _add_working_hours(recv, p.statutory_days)
    return _roll_forward(_add_months(recv, int(p.statutory_days)))


def _work_moment(rng: random.Random, days: list[dt.date]) -> dt.datetime:
    d = rng.choice(days)
    if d.weekday() == 5:  # Saturday morning at a one-stop desk
        minute = rng.randrange(240)
    else:
        minute = rng.randrange(480) if rng.random() < 0.85 else rng.randrange(120, 360)
    base = dt.datetime.combine(d, _AM0) if minute < 240 else dt.datetime.combine(d, _PM0)
    return base + dt.timedelta(minutes=minute % 240, seconds=rng.randrange(60))


def _minute_floor(t: dt.datetime) -> dt.datetime:
    return t.replace(second=0, microsecond=0)


def _minute_ceil(t: dt.datetime) -> dt.datetime:
    if t.second or t.microsecond:
        return t.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return t


def _month_workdays(month: str) -> list[dt.date]:
    m0, m1 = _month_bounds(month)
    return [d for d in (m0.date() + dt.timedelta(days=i) for i in range(m1.day)) if _is_workday(d)]
