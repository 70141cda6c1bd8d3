"""Vietnamese lunar calendar (Hồ Ngọc Đức's algorithm, UTC+7) and the proposed holiday file."""

import csv
import datetime as dt

import pytest

from cchc_etl.calendar_vn import (
    COMPENSATORY_DAY_OFF,
    HOLIDAY,
    MAKEUP_WORKING_DAY,
    Holiday,
    default_holidays,
    hung_kings_day,
    lunar_to_solar,
    main,
    proposed_holidays,
    solar_to_lunar,
    tet,
    working_days,
    write_holidays_csv,
)
from cchc_etl.ingest import Loader
from cchc_etl.warehouse import connect, ensure_schema

D = dt.date


@pytest.mark.parametrize("year, expected", [
    (2020, D(2020, 1, 25)), (2021, D(2021, 2, 12)), (2022, D(2022, 2, 1)), (2023, D(2023, 1, 22)),
    (2024, D(2024, 2, 10)), (2025, D(2025, 1, 29)), (2026, D(2026, 2, 17)), (2027, D(2027, 2, 6)),
])
def test_tet(year, expected):
    assert lunar_to_solar(1, 1, year) == expected
    assert solar_to_lunar(expected) == (1, 1, year, False)
    assert solar_to_lunar(expected - dt.timedelta(days=1))[1:] == (12, year - 1, False)


@pytest.mark.parametrize("year, vietnam, china", [
    # Hồ Ngọc Đức, calrules: Tết 1985 fell a month earlier in Vietnam than in China;
    # 2007 and 2030 differ by one day (Vietnamese government note, viet-jo.com 2006-07-06).
    (1985, D(1985, 1, 21), D(1985, 2, 20)),
    (2007, D(2007, 2, 17), D(2007, 2, 18)),
    (2030, D(2030, 2, 2), D(2030, 2, 3)),
])
def test_time_zone_makes_vietnam_differ_from_china(year, vietnam, china):
    assert tet(year) == vietnam
    assert tet(year, time_zone=8) == china


@pytest.mark.parametrize("year, expected", [(2023, D(2023, 4, 29)), (2024, D(2024, 4, 18)), (2025, D(2025, 4, 7))])
def test_hung_kings_day(year, expected):
    assert hung_kings_day(year) == expected
    assert solar_to_lunar(expected) == (10, 3, year, False)


@pytest.mark.parametrize("first_day, month, year", [
    (D(2020, 5, 23), 4, 2020),  # nhuận tháng 4 Canh Tý
    (D(2023, 3, 22), 2, 2023),  # nhuận tháng 2 Quý Mão
    (D(2025, 7, 25), 6, 2025),  # nhuận tháng 6 Ất Tỵ
])
def test_leap_months(first_day, month, year):
    assert solar_to_lunar(first_day) == (1, month, year, True)
    assert solar_to_lunar(first_day - dt.timedelta(days=1))[1:] == (month, year, False)
    assert lunar_to_solar(1, month, year, leap=True) == first_day


def test_impossible_lunar_dates_are_refused():
    with pytest.raises(ValueError):
        lunar_to_solar(1, 3, 2024, leap=True)  # 2024 has no leap month
    with pytest.raises(ValueError):
        lunar_to_solar(1, 3, 2023, leap=True)  # 2023's leap month is the 2nd
    month_29 = next(m for m in range(1, 13) if solar_to_lunar(lunar_to_solar(29, m, 2024) + dt.timedelta(days=1))[0] == 1)
    with pytest.raises(ValueError):
        lunar_to_solar(30, month_29, 2024)


def test_round_trip_every_day_2000_2030():
    d, end = D(2000, 1, 1), D(2030, 12, 31)
    prev = solar_to_lunar(d - dt.timedelta(days=1))
    leap_months = []
    while d <= end:
        lunar = solar_to_lunar(d)
        assert lunar_to_solar(*lunar) == d, (d, lunar)
        if lunar.day == 1:  # a new month follows a 29- or 30-day month
            if lunar.leap:
                leap_months.append((lunar.year, lunar.month))
            assert prev.day in (29, 30), (d, prev)
            assert (lunar.month, lunar.leap) == ((prev.month, True) if lunar.leap else (prev.month % 12 + 1, False))
        else:
            assert lunar == (prev.day + 1, prev.month, prev.year, prev.leap), (d, prev, lunar)
        prev, d = lunar, d + dt.timedelta(days=1)
    # the Vietnamese leap months (tháng nhuận) of 2000-2030
    assert leap_months == [(2001, 4), (2004, 2), (2006, 7), (2009, 5), (2012, 4), (2014, 9),
                           (2017, 6), (2020, 4), (2023, 2), (2025, 6), (2028, 5)]


def kinds(year):
    return {h.date: h.kind for h in default_holidays(year)}


def test_labour_code_holidays_2026():
    rows = default_holidays(2026)
    assert [h.date for h in rows if h.kind == HOLIDAY] == [
        D(2026, 1, 1),
        D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 18), D(2026, 2, 19), D(2026, 2, 20),  # 29 Chạp + mùng 1–4
        D(2026, 4, 26),  # Giỗ Tổ, a Sunday
        D(2026, 4, 30), D(2026, 5, 1),
        D(2026, 9, 1), D(2026, 9, 2),
    ]
    assert [h.date for h in rows if h.kind == COMPENSATORY_DAY_OFF] == [D(2026, 4, 27)]
    assert all(h.name for h in rows)


def test_weekend_holiday_gives_compensatory_day_on_next_working_day():
    k = kinds(2022)  # 1/1/2022 is a Saturday: the next working day is Monday 3/1
    assert k[D(2022, 1, 1)] == HOLIDAY and k[D(2022, 1, 3)] == COMPENSATORY_DAY_OFF and D(2022, 1, 2) not in k
    k = kinds(2023)  # Giỗ Tổ Saturday 29/4, 30/4 Sunday, 1/5 Monday: Nghỉ bù Tue 2/5 and Wed 3/5
    assert [k.get(D(2023, 4, 29 + i) if i < 2 else D(2023, 5, i - 1)) for i in range(6)] == [
        HOLIDAY, HOLIDAY, HOLIDAY, COMPENSATORY_DAY_OFF, COMPENSATORY_DAY_OFF, None]
    k = kinds(2024)  # Tết: mùng 1–2 on Sat/Sun, 9/2 to 13/2 off: Nghỉ bù Wed 14/2 and Thu 15/2
    assert k[D(2024, 2, 14)] == k[D(2024, 2, 15)] == COMPENSATORY_DAY_OFF and D(2024, 2, 16) not in k


@pytest.mark.parametrize("year, companion", [
    (2021, D(2021, 9, 3)), (2022, D(2022, 9, 1)), (2023, D(2023, 9, 1)),
    (2024, D(2024, 9, 3)), (2025, D(2025, 9, 1)), (2026, D(2026, 9, 1)),
])
def test_national_day_companion(year, companion):
    days = [h.date for h in default_holidays(year) if h.kind == HOLIDAY and h.date.month == 9]
    assert days == sorted([D(year, 9, 2), companion])


def test_every_year_well_formed():
    for year in range(1900, 2200):
        rows = default_holidays(year)
        dates = [h.date for h in rows]
        assert dates == sorted(set(dates)), year  # the file's key is the date
        assert all(h.date.year == year for h in rows), year
        holidays = [h for h in rows if h.kind == HOLIDAY]
        off = [h for h in rows if h.kind == COMPENSATORY_DAY_OFF]
        assert len(holidays) == (10 if year == 1947 else 11), year  # 1947: Giỗ Tổ fell on 30/4
        assert len(off) == sum(h.date.weekday() >= 5 for h in holidays), year
        assert all(h.date.weekday() < 5 for h in off), year
        assert not any(h.kind == MAKEUP_WORKING_DAY for h in rows)


def test_working_days():
    weekdays = sum(D(2026, 3, d).weekday() < 5 for d in range(1, 32))
    assert working_days(2026, 3, default_holidays(2026)) == weekdays == 22  # no holiday in March 2026
    assert working_days(2026, 3, []) == 22
    assert working_days(2026, 2) == 20 - 5  # Tết 16–20/2/2026, Monday to Friday
    assert working_days(2026, 4) == 22 - 2  # Nghỉ bù 27/4 and 30/4 (Giỗ Tổ itself is a Sunday)
    assert working_days(2024, 2) == 21 - 5  # 9, 12, 13/2 holidays + Nghỉ bù 14, 15/2
    swap = [  # an official-file style swap: Monday 29/4/2024 off, Saturday 4/5/2024 worked
        Holiday(D(2024, 4, 29), "Hoán đổi", COMPENSATORY_DAY_OFF),
        Holiday(D(2024, 5, 4), "Làm bù cho 29/4", MAKEUP_WORKING_DAY),
    ]
    assert working_days(2024, 4, swap) == 22 - 1
    assert working_days(2024, 5, swap) == 23 + 1
    staged = [Holiday(D(2024, 5, 1), "x", "holiday"), Holiday(D(2024, 5, 11), "y", "makeup_working_day")]
    assert working_days(2024, 5, staged) == 23
    with pytest.raises(ValueError):
        Holiday(D(2024, 5, 1), "x", "Ngày thường")


def test_csv_loads_through_the_reader(tmp_path):
    landing = tmp_path / "landing"
    (landing / "reference").mkdir(parents=True)
    path = landing / "reference" / "holidays.csv"
    written = write_holidays_csv(path, [2026, 2027])
    expected = proposed_holidays(2026) + proposed_holidays(2027)
    assert written == len(expected)
    with path.open(encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == ["date", "name", "kind"]
    with connect(tmp_path / "wh.duckdb") as con:
        ensure_schema(con)
        result = Loader(con, landing, "k").load_reference("holidays")
        staged = con.execute("SELECT date, kind FROM staging.stg_holidays ORDER BY date").fetchall()
        quarantined = con.execute("SELECT count(*) FROM quality.quarantine WHERE source = 'holidays'").fetchone()[0]
    assert [f.status for f in result.files] == ["loaded"]
    assert result.total("rows_loaded") == written and quarantined == 0
    codes = {HOLIDAY: "holiday", COMPENSATORY_DAY_OFF: "compensatory_day_off", MAKEUP_WORKING_DAY: "makeup_working_day"}
    assert staged == [(h.date, codes[h.kind]) for h in expected]
    assert {k for _, k in staged} == {"holiday", "compensatory_day_off", "makeup_working_day"}  # 22/8/2026 worked for 31/8


def test_main(tmp_path, capsys):
    assert main(["2026"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "date,name,kind"
    assert out[1] == "2026-01-01,Tết Dương lịch,Nghỉ lễ"
    assert len(out) == 1 + len(proposed_holidays(2026))
    target = tmp_path / "holidays.csv"
    assert main(["2027", "2026", "--out", str(target)]) == 0
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("2026-01-01,") and lines[-1].startswith("2027-11-24,")  # Ngày Văn hóa Việt Nam
    assert len(lines) == 1 + len(proposed_holidays(2026)) + len(proposed_holidays(2027))
