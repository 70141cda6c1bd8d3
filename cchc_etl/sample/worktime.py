"""Working time of the simulation: working days, office hours and due dates.

The working days are those of the calendar the sample publishes in ``reference/holidays.csv``
(:func:`cchc_etl.sample.holidays.calendar_of`, counted by :func:`cchc_etl.calendar_vn.is_working_day`
as the warehouse counts them), but for the few days listed below."""

from __future__ import annotations

import calendar
import datetime as dt
import random

import numpy as np

from cchc_etl.calendar_vn import is_working_day
from cchc_etl.sample.catalogue import _DAYS, _H, _WD, Procedure
from cchc_etl.sample.holidays import FIXED_DATE_HOLIDAYS, calendar_of
from cchc_etl.sample.months import _month_bounds

# The years the simulation knows holidays for; outside them it works every Monday to Friday.
_YEARS = range(2015, 2036)

# Where the simulation departs from the calendar it publishes (``holidays.calendar_of``, the rows of
# ``reference/holidays.csv``). Each of these keeps the generated files as they are; taking one away
# changes the sample, and so the demo warehouse.
# - weekdays the simulation closes although the calendar has them as working days
#   (the 2026 Quốc khánh break runs from Saturday 29/8 in the simulation):
SIMULATION_ONLY_DAYS_OFF: tuple[dt.date, ...] = (dt.date(2026, 8, 31),)
# - weekdays the simulation works although the calendar has them off (Nghỉ bù 2/1/2026):
SIMULATION_ONLY_WORKING_DAYS: tuple[dt.date, ...] = (dt.date(2026, 1, 2),)
# - make-up working Saturdays (Làm bù) are Saturdays like any other: only the Saturday desks open;
# - Saturdays inside a holiday break, on which no Saturday desk opens (the calendar lists working
#   days only, so it cannot tell them); Saturdays that are fixed-date holidays are closed too.
BREAK_SATURDAYS: tuple[dt.date, ...] = tuple(dt.date.fromisoformat(d) for d in (
    "2022-01-29", "2022-02-05", "2022-09-03", "2023-01-21", "2023-04-29", "2024-02-10", "2024-04-27",
    "2024-08-31", "2025-01-25", "2025-02-01", "2025-05-03", "2025-08-30", "2026-02-14", "2026-02-21",
    "2026-05-02", "2026-08-29"))


def _closed_days() -> frozenset[dt.date]:
    """Mondays to Saturdays the simulation keeps closed (Sundays always are)."""
    out: set[dt.date] = set(SIMULATION_ONLY_DAYS_OFF) | set(BREAK_SATURDAYS)
    for year in _YEARS:
        rows = calendar_of(year)
        day = dt.date(year, 1, 1)
        while day.year == year:
            if day.weekday() < 5 and not is_working_day(day, rows):
                out.add(day)
            day += dt.timedelta(days=1)
        out.update(d for d in (dt.date(year, m, dd) for m, dd, _ in FIXED_DATE_HOLIDAYS) if d.weekday() == 5)
    return frozenset(out - set(SIMULATION_ONLY_WORKING_DAYS))


_CLOSED = _closed_days()
_CLOSED_NP = np.array(sorted(_CLOSED), dtype="datetime64[D]")  # numpy's busday functions skip weekends themselves

_AM0, _AM1 = dt.time(7, 30), dt.time(11, 30)
_PM0, _PM1 = dt.time(13, 0), dt.time(17, 0)


def _is_workday(d: dt.date) -> bool:
    return d.weekday() < 5 and d not in _CLOSED


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
