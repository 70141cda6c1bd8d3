"""`cchc-etl holidays`: a proposal from the maintained ``holidays`` package (holidays.VN), whose
lunar dates agree with our own calculation (cchc_etl.calendar_vn), loadable as the reference file."""

import csv
import datetime as dt

import pytest
from holidays.calendars.chinese import VIETNAMESE_CALENDAR, _ChineseLunisolar

from cchc_etl.calendar_vn import (
    COMPENSATORY_DAY_OFF,
    HOLIDAY,
    MAKEUP_WORKING_DAY,
    hung_kings_day,
    proposed_holidays,
    tet,
    working_days,
)
from cchc_etl.cli import main

D = dt.date


def test_holidays_command_writes_loadable_proposal(tmp_path, capsys):
    out = tmp_path / "holidays.csv"
    assert main(["holidays", "2024", "2025", "--out", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    dates = {dt.date.fromisoformat(r["date"]) for r in rows}
    assert dt.date(2024, 2, 10) in dates and dt.date(2025, 1, 29) in dates  # mùng 1 Tết
    assert dt.date(2024, 4, 18) in dates and dt.date(2025, 4, 7) in dates  # Giỗ Tổ Hùng Vương
    assert {r["kind"] for r in rows} <= {"Nghỉ lễ", "Nghỉ bù", "Làm bù"}
    printed = capsys.readouterr().out
    assert "official decision" in printed and "holidays.VN" in printed


def test_lunar_dates_agree_with_holidays_vn_1990_2100():
    """Tết (mùng 1 tháng Giêng) and Giỗ Tổ Hùng Vương (10/3 âm lịch) of holidays' Vietnamese
    calendar and of Hồ Ngọc Đức's algorithm (UTC+7) are the same day every year."""
    theirs = _ChineseLunisolar(calendar=VIETNAMESE_CALENDAR)
    differ = [(y, theirs.lunar_new_year_date(y)[0], tet(y), theirs.hung_kings_date(y)[0], hung_kings_day(y))
              for y in range(1990, 2101)
              if (theirs.lunar_new_year_date(y)[0], theirs.hung_kings_date(y)[0]) != (tet(y), hung_kings_day(y))]
    assert not differ, differ


@pytest.mark.parametrize("year", [2013, 2020, 2024, 2026, 2030, 2050, 2100])
def test_proposal_lunar_days_are_ours(year):
    kinds = {h.date: h.kind for h in proposed_holidays(year)}
    assert all(kinds.get(tet(year) + dt.timedelta(days=i)) == HOLIDAY for i in range(4)), year  # mùng 1–4
    assert kinds.get(tet(year) - dt.timedelta(days=1)) == HOLIDAY  # giao thừa
    assert kinds.get(hung_kings_day(year)) == HOLIDAY


def test_proposal_2026_has_the_official_swap_and_culture_day():
    rows = {h.date: h for h in proposed_holidays(2026)}
    assert rows[D(2026, 8, 31)].kind == COMPENSATORY_DAY_OFF and "22/08/2026" in rows[D(2026, 8, 31)].name
    assert rows[D(2026, 8, 22)].kind == MAKEUP_WORKING_DAY and D(2026, 8, 22).weekday() == 5  # a Saturday worked
    assert rows[D(2026, 11, 24)].kind == HOLIDAY and "Văn hóa" in rows[D(2026, 11, 24)].name
    assert rows[D(2026, 4, 27)].kind == COMPENSATORY_DAY_OFF  # Giỗ Tổ is a Sunday
    assert [d for d, h in rows.items() if h.kind == HOLIDAY and d.month == 9] == [D(2026, 9, 1), D(2026, 9, 2)]
    weekdays = sum(D(2026, 8, d).weekday() < 5 for d in range(1, 32))
    assert working_days(2026, 8, list(rows.values())) == weekdays  # Monday 31/8 off, Saturday 22/8 worked
    assert working_days(2026, 11, list(rows.values())) == sum(D(2026, 11, d).weekday() < 5 for d in range(1, 31)) - 1


def test_proposal_is_one_row_per_date_and_nfc():
    import unicodedata

    for year in range(2020, 2031):
        rows = proposed_holidays(year)
        dates = [h.date for h in rows]
        assert dates == sorted(set(dates)), year
        assert all(unicodedata.is_normalized("NFC", h.name) for h in rows)
        assert all(h.date.weekday() < 5 for h in rows if h.kind == COMPENSATORY_DAY_OFF), year
        assert all(h.date.weekday() >= 5 for h in rows if h.kind == MAKEUP_WORKING_DAY), year
