"""The sample generator works by the calendar it publishes in ``reference/holidays.csv``.

Its working days used to come from a table of its own (the holiday breaks below). They are now
derived from the published calendar, with the departures listed in ``cchc_etl.sample.worktime``;
these tests prove that the derived days equal the former table (so the sample, and the demo
warehouse, are unchanged) and pin the departures, so that none is added or dropped unnoticed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from cchc_etl.calendar_vn import is_working_day
from cchc_etl.sample import holidays, worktime

# the generator's former table: holiday breaks (weekends included) plus the fixed-date holidays of 2015-2035
FORMER_BREAKS = [
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


def former_table() -> set[dt.date]:
    out: set[dt.date] = set()
    for a, b in FORMER_BREAKS:
        d, e = dt.date.fromisoformat(a), dt.date.fromisoformat(b)
        while d <= e:
            out.add(d)
            d += dt.timedelta(days=1)
    for y in range(2015, 2036):
        for m, d in ((1, 1), (4, 30), (5, 1), (9, 2)):
            out.add(dt.date(y, m, d))
    return out


def days(first: dt.date, last: dt.date):
    d = first
    while d <= last:
        yield d
        d += dt.timedelta(days=1)


ALL_DAYS = list(days(dt.date(2010, 1, 1), dt.date(2040, 12, 31)))


def test_working_days_and_saturday_desks_equal_the_former_table():
    former = former_table()
    # the generator asks two questions: is a weekday worked, is a Saturday desk open
    for d in ALL_DAYS:
        assert worktime._is_workday(d) == (d.weekday() < 5 and d not in former), d
        if d.weekday() == 5:
            assert (d in worktime._CLOSED) == (d in former), d
    # the bench file's numpy calendar
    span = np.array(ALL_DAYS, dtype="datetime64[D]")
    old_np = np.array(sorted(former), dtype="datetime64[D]")
    assert (np.is_busday(span, holidays=worktime._CLOSED_NP) == np.is_busday(span, holidays=old_np)).all()


def test_the_simulation_departs_from_the_published_calendar_on_these_days_only():
    departures = {}
    for d in ALL_DAYS:
        published = is_working_day(d, holidays.calendar_of(d.year))
        if worktime._is_workday(d) != published:
            departures[d.isoformat()] = "published working day" if published else "published day off"
    assert departures == {
        # Làm bù Saturdays: working days in the calendar, ordinary Saturdays in the simulation
        "2024-05-04": "published working day", "2025-02-08": "published working day",
        "2025-04-26": "published working day", "2026-01-10": "published working day",
        "2026-01-02": "published day off",  # SIMULATION_ONLY_WORKING_DAYS
        "2026-08-31": "published working day",  # SIMULATION_ONLY_DAYS_OFF
        # outside 2015-2035 the simulation knows no holiday; the calendar still has the fixed-date ones
        **{d.isoformat(): "published day off" for d in ALL_DAYS
           if not 2015 <= d.year <= 2035 and d.weekday() < 5 and (d.month, d.day) in ((1, 1), (4, 30), (5, 1), (9, 2))},
    }
