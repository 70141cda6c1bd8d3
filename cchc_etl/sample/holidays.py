"""The sample's holiday calendar, written to ``reference/holidays.csv``: the file the warehouse
loads as its working-day calendar, and the calendar the simulation works by (``worktime``)."""

from __future__ import annotations

import datetime as dt

from cchc_etl.calendar_vn import Holiday
from cchc_etl.sample.common import _nfc

_HOLIDAY_NAMES = {
    "new_year": "Tết Dương lịch", "tet": "Tết Nguyên đán", "hung": "Giỗ Tổ Hùng Vương",
    "reunification": "Ngày Chiến thắng 30/4", "labour": "Ngày Quốc tế Lao động 1/5", "national": "Quốc khánh 2/9",
}
_HOLIDAY_KIND_WORDS = {"holiday": "Nghỉ lễ", "compensatory_day_off": "Nghỉ bù", "makeup_working_day": "Làm bù"}
# SAMPLE DATA — a plausible calendar, not the official notices. Working days only (weekends are
# never listed, except make-up working Saturdays). The 2024 and 2025 Tết breaks (8-14 Feb 2024,
# 25 Jan-2 Feb 2025) and Hùng Kings' days (18 Apr 2024, 7 Apr 2025) are the official dates; the
# swaps (compensatory days off, make-up Saturdays) are illustrative. Years missing here get only
# the fixed-date holidays (see _holidays_of).
_HOLIDAY_TABLE: dict[int, tuple[tuple[str, str, str], ...]] = {
    2022: (("2022-01-03", "new_year", "compensatory_day_off"),
           ("2022-01-31", "tet", "holiday"), ("2022-02-01", "tet", "holiday"), ("2022-02-02", "tet", "holiday"),
           ("2022-02-03", "tet", "holiday"), ("2022-02-04", "tet", "holiday"),
           ("2022-04-11", "hung", "compensatory_day_off"),
           ("2022-05-02", "reunification", "compensatory_day_off"),
           ("2022-05-03", "labour", "compensatory_day_off"),
           ("2022-09-01", "national", "holiday"), ("2022-09-02", "national", "holiday")),
    2023: (("2023-01-02", "new_year", "compensatory_day_off"),
           ("2023-01-20", "tet", "holiday"), ("2023-01-23", "tet", "holiday"), ("2023-01-24", "tet", "holiday"),
           ("2023-01-25", "tet", "holiday"), ("2023-01-26", "tet", "compensatory_day_off"),
           ("2023-05-01", "labour", "holiday"), ("2023-05-02", "hung", "compensatory_day_off"),
           ("2023-05-03", "reunification", "compensatory_day_off"),
           ("2023-09-01", "national", "holiday"), ("2023-09-04", "national", "compensatory_day_off")),
    2024: (("2024-01-01", "new_year", "holiday"),
           ("2024-02-08", "tet", "compensatory_day_off"), ("2024-02-09", "tet", "holiday"),
           ("2024-02-12", "tet", "holiday"), ("2024-02-13", "tet", "holiday"),
           ("2024-02-14", "tet", "compensatory_day_off"),
           ("2024-04-18", "hung", "holiday"),
           ("2024-04-29", "reunification", "compensatory_day_off"),
           ("2024-04-30", "reunification", "holiday"), ("2024-05-01", "labour", "holiday"),
           ("2024-05-04", "reunification", "makeup_working_day"),
           ("2024-09-02", "national", "holiday"), ("2024-09-03", "national", "holiday")),
    2025: (("2025-01-01", "new_year", "holiday"),
           ("2025-01-27", "tet", "compensatory_day_off"), ("2025-01-28", "tet", "holiday"),
           ("2025-01-29", "tet", "holiday"), ("2025-01-30", "tet", "holiday"), ("2025-01-31", "tet", "holiday"),
           ("2025-02-08", "tet", "makeup_working_day"),
           ("2025-04-07", "hung", "holiday"),
           ("2025-04-26", "reunification", "makeup_working_day"),
           ("2025-04-30", "reunification", "holiday"), ("2025-05-01", "labour", "holiday"),
           ("2025-05-02", "labour", "compensatory_day_off"),
           ("2025-09-01", "national", "holiday"), ("2025-09-02", "national", "holiday")),
    2026: (("2026-01-01", "new_year", "holiday"), ("2026-01-02", "new_year", "compensatory_day_off"),
           ("2026-01-10", "new_year", "makeup_working_day"),
           ("2026-02-16", "tet", "holiday"), ("2026-02-17", "tet", "holiday"), ("2026-02-18", "tet", "holiday"),
           ("2026-02-19", "tet", "holiday"), ("2026-02-20", "tet", "holiday"),
           ("2026-04-27", "hung", "compensatory_day_off"),
           ("2026-04-30", "reunification", "holiday"), ("2026-05-01", "labour", "holiday"),
           ("2026-09-01", "national", "holiday"), ("2026-09-02", "national", "holiday")),
}
HOLIDAY_HEADERS: tuple[str, ...] = tuple(_nfc(h) for h in ("Ngày", "Tên ngày lễ", "Loại"))
# (month, day, name) of the fixed-date public holidays
FIXED_DATE_HOLIDAYS: tuple[tuple[int, int, str], ...] = (
    (1, 1, "new_year"), (4, 30, "reunification"), (5, 1, "labour"), (9, 2, "national"))


def _holidays_of(year: int) -> list[tuple[dt.date, str, str]]:
    """(date, name, kind word) of one year: the table above, else the fixed-date holidays that
    fall on a weekday (the lunar ones are unknown to the generator)."""
    if year in _HOLIDAY_TABLE:
        rows = [(dt.date.fromisoformat(d), n, k) for d, n, k in _HOLIDAY_TABLE[year]]
    else:
        rows = [(dt.date(year, m, d), n, "holiday") for m, d, n in FIXED_DATE_HOLIDAYS if dt.date(year, m, d).weekday() < 5]
    out = []
    for d, name, kind in rows:
        label = _HOLIDAY_NAMES[name]
        if kind == "compensatory_day_off":
            label = f"Nghỉ bù {label}"
        elif kind == "makeup_working_day":
            label = f"Làm bù (hoán đổi ngày nghỉ {label})"
        out.append((d, _nfc(label), _nfc(_HOLIDAY_KIND_WORDS[kind])))
    return out


def calendar_of(year: int) -> list[Holiday]:
    """The rows ``reference/holidays.csv`` holds for ``year``, as :mod:`cchc_etl.calendar_vn` reads them
    (``calendar_vn.is_working_day`` then counts working days as the warehouse's ``core.dim_date`` does)."""
    return [Holiday(d, name, kind) for d, name, kind in _holidays_of(year)]
