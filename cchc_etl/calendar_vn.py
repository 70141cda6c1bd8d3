"""Vietnamese lunar calendar and a PROPOSED default holiday calendar (``holidays.csv``).

The warehouse takes its working-day calendar from ``landing/reference/holidays*.csv``
(``date,name,kind``; see ``assets/sources/holidays.yaml``). That file is data: the
government fixes the Tết break (and any day swaps) by decision each year, so the official
file always wins. This module only *proposes* a default year to start from, taken from the
maintained ``holidays`` package (``holidays.VN``: the holidays, the days off in lieu and the
civil-service swap days the government decided, e.g. 31/8/2026; Ngày Văn hóa Việt Nam 24/11
from 2026); its lunar dates agree with the calculation below for 1990–2100 (tested). The rules
below (:func:`default_holidays`) serve years it has no data for::

    python -m cchc_etl.calendar_vn 2026 2027                  # CSV on stdout
    python -m cchc_etl.calendar_vn 2026 2027 --out holidays.csv

Lunar calendar
--------------
A port of Hồ Ngọc Đức's astronomical algorithm ("Thuật toán tính âm lịch",
https://www.informatik.uni-leipzig.de/~duc/amlich/ , reference code ``amlich-hnd.js`` /
``AL.py``; new moons and sun longitude after Jean Meeus, *Astronomical Algorithms*, 1998):

1. the first day of a lunar month is the (local) day containing the new moon;
2. the winter solstice always falls in lunar month 11;
3. a year from one month 11 to the next with 13 months is a leap year; its leap month is the
   first month after month 11 containing no principal term (trung khí);
4. everything is computed for the meridian 105°E, i.e. UTC+7.

Rule 4 is why the Vietnamese calendar sometimes differs from the Chinese one (UTC+8):
Tết 1985 was 21/1/1985 in Vietnam but 20/2/1985 in China; Tết 2007 was 17/2 in Vietnam and
18/2 in China; Tết 2030 will be 2/2 in Vietnam and 3/2 in China. ``time_zone=8`` reproduces
the Chinese dates for these years. Dates use the proleptic Gregorian calendar (Python's
``datetime.date``); the published code switches to the Julian calendar before 15/10/1582.

Holidays (Bộ luật Lao động 2019, Điều 112 khoản 1)
---------------------------------------------------
* Tết Dương lịch: 1 day (1/1).
* Tết Âm lịch: 5 days. The break is fixed each year by decision (e.g. 2024: 8–14/2/2024,
  2025: 25/1–2/2/2025, both including weekends and swapped days). The proposal uses the
  common pattern: the last day of the lunar year (29 or 30 tháng Chạp) plus mùng 1–4.
* Ngày Chiến thắng 30/4 and Ngày Quốc tế lao động 1/5: 1 day each.
* Quốc khánh: 2/9 plus one day immediately before or after, as decided each year. The
  proposal: 3/9 when 2/9 is a Monday (1/9 would be a Sunday) or a Thursday (3/9 is then the
  Friday bridging to the weekend); 1/9 otherwise. This matches the decisions for 2021–2025.
* Giỗ Tổ Hùng Vương: 10/3 lunar.

Compensatory days (Điều 111 khoản 3): a holiday falling on the weekly day off (Saturday or
Sunday) gives a "Nghỉ bù" on the next working day, i.e. the next Monday–Friday that is
neither a holiday nor already a compensatory day. Make-up working Saturdays ("Làm bù") only
exist as halves of swaps decided by the government; the proposal never invents one, but
``working_days`` honours them when the official file has them.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import math
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, NamedTuple, Sequence

TIME_ZONE = 7.0  # Vietnam: UTC+7, meridian 105°E

HOLIDAY = "Nghỉ lễ"
COMPENSATORY_DAY_OFF = "Nghỉ bù"
MAKEUP_WORKING_DAY = "Làm bù"
KINDS = (HOLIDAY, COMPENSATORY_DAY_OFF, MAKEUP_WORKING_DAY)

# kinds as the staging table stores them (holidays.yaml enum codes) -> the file's labels
_KIND_CODES = {
    "holiday": HOLIDAY,
    "compensatory_day_off": COMPENSATORY_DAY_OFF,
    "makeup_working_day": MAKEUP_WORKING_DAY,
}

_WEEKDAY_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")

# ---------------------------------------------------------------------------------------
# Astronomy (Hồ Ngọc Đức / Meeus)
# ---------------------------------------------------------------------------------------

_JD_ORDINAL_OFFSET = 1721425  # Julian day number of a date = date.toordinal() + this
_SYNODIC_MONTH = 29.530588853
_K_EPOCH = 2415021.076998695  # the new moon of 1900-01-01 13:52 UTC as a Julian date


def _jd(d: dt.date) -> int:
    """Integral Julian day number (noon-based) of a Gregorian date."""
    return d.toordinal() + _JD_ORDINAL_OFFSET


def _date(jd: int) -> dt.date:
    return dt.date.fromordinal(jd - _JD_ORDINAL_OFFSET)


def _new_moon(k: int) -> float:
    """Julian date (UTC) of the k-th new moon after the one of 1900-01-01 13:52 UTC."""
    t = k / 1236.85  # Julian centuries from 1900 January 0.5
    t2 = t * t
    t3 = t2 * t
    dr = math.pi / 180
    jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd1 += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * dr)  # mean new moon
    m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3  # Sun's mean anomaly
    mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3  # Moon's mean anomaly
    f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3  # Moon's argument of latitude
    c1 = (0.1734 - 0.000393 * t) * math.sin(m * dr) + 0.0021 * math.sin(2 * dr * m)
    c1 = c1 - 0.4068 * math.sin(mpr * dr) + 0.0161 * math.sin(dr * 2 * mpr)
    c1 = c1 - 0.0004 * math.sin(dr * 3 * mpr)
    c1 = c1 + 0.0104 * math.sin(dr * 2 * f) - 0.0051 * math.sin(dr * (m + mpr))
    c1 = c1 - 0.0074 * math.sin(dr * (m - mpr)) + 0.0004 * math.sin(dr * (2 * f + m))
    c1 = c1 - 0.0004 * math.sin(dr * (2 * f - m)) - 0.0006 * math.sin(dr * (2 * f + mpr))
    c1 = c1 + 0.0010 * math.sin(dr * (2 * f - mpr)) + 0.0005 * math.sin(dr * (2 * mpr + m))
    if t < -11:
        deltat = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        deltat = -0.000278 + 0.000265 * t + 0.000262 * t2
    return jd1 + c1 - deltat


def _sun_longitude(jdn: float) -> float:
    """Sun's true longitude in radians, normalised to [0, 2π), at Julian date ``jdn`` (UTC)."""
    t = (jdn - 2451545.0) / 36525  # Julian centuries from 2000-01-01 12:00 UTC
    t2 = t * t
    dr = math.pi / 180
    m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2  # mean anomaly
    l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2  # mean longitude
    dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(dr * m)
    dl += (0.019993 - 0.000101 * t) * math.sin(dr * 2 * m) + 0.000290 * math.sin(dr * 3 * m)
    lon = (l0 + dl) * dr
    return lon - math.pi * 2 * math.floor(lon / (math.pi * 2))


def _new_moon_day(k: int, time_zone: float) -> int:
    """Julian day number of the local day containing the k-th new moon."""
    return math.floor(_new_moon(k) + 0.5 + time_zone / 24)


def _sun_sector(day_number: int, time_zone: float) -> int:
    """0..11: the 30° sector of the sun at local midnight starting ``day_number``
    (0 from the March equinox; 9 from the December solstice)."""
    return math.floor(_sun_longitude(day_number - 0.5 - time_zone / 24) / math.pi * 6)


def _lunar_month_11(year: int, time_zone: float) -> int:
    """Julian day number of the first day of the lunar month 11 (the winter solstice month)
    that begins in Gregorian ``year``."""
    off = _jd(dt.date(year, 12, 31)) - 2415021
    k = math.floor(off / _SYNODIC_MONTH)
    nm = _new_moon_day(k, time_zone)
    if _sun_sector(nm, time_zone) >= 9:  # the sun has already passed 270°: take the previous one
        nm = _new_moon_day(k - 1, time_zone)
    return nm


def _leap_month_offset(a11: int, time_zone: float) -> int:
    """Index (1..13) after month 11 starting on ``a11`` of the first month without a principal term."""
    k = math.floor((a11 - _K_EPOCH) / _SYNODIC_MONTH + 0.5)
    i = 1
    arc = _sun_sector(_new_moon_day(k + i, time_zone), time_zone)
    while True:
        last = arc
        i += 1
        arc = _sun_sector(_new_moon_day(k + i, time_zone), time_zone)
        if arc == last or i >= 14:
            return i - 1


# ---------------------------------------------------------------------------------------
# Conversions
# ---------------------------------------------------------------------------------------


class LunarDate(NamedTuple):
    day: int
    month: int
    year: int
    leap: bool


def solar_to_lunar(date: dt.date, *, time_zone: float = TIME_ZONE) -> LunarDate:
    """Gregorian date -> (lunar day, lunar month, lunar year, leap month?)."""
    if isinstance(date, dt.datetime):
        date = date.date()
    day_number = _jd(date)
    k = math.floor((day_number - _K_EPOCH) / _SYNODIC_MONTH)
    month_start = _new_moon_day(k + 1, time_zone)
    if month_start > day_number:
        month_start = _new_moon_day(k, time_zone)
    yy = date.year
    a11 = _lunar_month_11(yy, time_zone)
    b11 = a11
    if a11 >= month_start:
        lunar_year = yy
        a11 = _lunar_month_11(yy - 1, time_zone)
    else:
        lunar_year = yy + 1
        b11 = _lunar_month_11(yy + 1, time_zone)
    lunar_day = day_number - month_start + 1
    diff = math.floor((month_start - a11) / 29)
    leap = False
    lunar_month = diff + 11
    if b11 - a11 > 365:
        leap_diff = _leap_month_offset(a11, time_zone)
        if diff >= leap_diff:
            lunar_month = diff + 10
            leap = diff == leap_diff
    if lunar_month > 12:
        lunar_month -= 12
    if lunar_month >= 11 and diff < 4:
        lunar_year -= 1
    return LunarDate(lunar_day, lunar_month, lunar_year, leap)


def lunar_to_solar(lunar_day: int, lunar_month: int, lunar_year: int, leap: bool = False,
                   *, time_zone: float = TIME_ZONE) -> dt.date:
    """Lunar date -> Gregorian date.

    Raises ``ValueError`` for a date that does not exist: a leap month in a year without that
    leap month, or day 30 of a 29-day month.
    """
    if not (1 <= lunar_month <= 12 and 1 <= lunar_day <= 30):
        raise ValueError(f"không có ngày âm lịch {lunar_day}/{lunar_month}/{lunar_year}")
    if lunar_month < 11:
        a11 = _lunar_month_11(lunar_year - 1, time_zone)
        b11 = _lunar_month_11(lunar_year, time_zone)
    else:
        a11 = _lunar_month_11(lunar_year, time_zone)
        b11 = _lunar_month_11(lunar_year + 1, time_zone)
    k = math.floor(0.5 + (a11 - _K_EPOCH) / _SYNODIC_MONTH)
    off = lunar_month - 11
    if off < 0:
        off += 12
    if b11 - a11 > 365:
        leap_off = _leap_month_offset(a11, time_zone)
        leap_month = leap_off - 2
        if leap_month < 0:
            leap_month += 12
        if leap and lunar_month != leap_month:
            raise ValueError(f"năm âm lịch {lunar_year} không có tháng {lunar_month} nhuận")
        if leap or off >= leap_off:
            off += 1
    elif leap:
        raise ValueError(f"năm âm lịch {lunar_year} không có tháng nhuận")
    result = _date(_new_moon_day(k + off, time_zone) + lunar_day - 1)
    if solar_to_lunar(result, time_zone=time_zone) != (lunar_day, lunar_month, lunar_year, bool(leap)):
        raise ValueError(f"tháng {lunar_month}{' nhuận' if leap else ''}/{lunar_year} âm lịch không có ngày {lunar_day}")
    return result


def tet(year: int, *, time_zone: float = TIME_ZONE) -> dt.date:
    """Mùng 1 Tết (1/1 lunar) of the lunar year that starts in Gregorian ``year``."""
    return lunar_to_solar(1, 1, year, time_zone=time_zone)


def hung_kings_day(year: int, *, time_zone: float = TIME_ZONE) -> dt.date:
    """Giỗ Tổ Hùng Vương: 10/3 lunar."""
    return lunar_to_solar(10, 3, year, time_zone=time_zone)


# ---------------------------------------------------------------------------------------
# Holidays
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Holiday:
    date: dt.date
    name: str
    kind: str  # HOLIDAY, COMPENSATORY_DAY_OFF or MAKEUP_WORKING_DAY

    def __post_init__(self) -> None:
        if _kind(self.kind) is None:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")


def _kind(kind: str) -> str | None:
    kind = kind.strip()
    if kind in KINDS:
        return kind
    return _KIND_CODES.get(kind)


def _national_day_companion(year: int) -> dt.date:
    """The second Quốc khánh day: 3/9 if 2/9 is a Monday or a Thursday, else 1/9."""
    return dt.date(year, 9, 3) if dt.date(year, 9, 2).weekday() in (0, 3) else dt.date(year, 9, 1)


def default_holidays(year: int) -> list[Holiday]:
    """A PROPOSED calendar for ``year`` (Labour Code 2019 Art. 112), sorted by date.

    Public holidays (kind "Nghỉ lễ") plus one "Nghỉ bù" on the next working day for every
    holiday falling on a Saturday or Sunday. No "Làm bù": swaps are decided, not derived.
    """
    first_tet = tet(year)
    last_day = first_tet - dt.timedelta(days=1)
    last_lunar_day = solar_to_lunar(last_day).day  # 29 or 30 tháng Chạp
    days: dict[dt.date, list[str]] = {}

    def add(d: dt.date, name: str) -> None:
        days.setdefault(d, []).append(name)

    add(dt.date(year, 1, 1), "Tết Dương lịch")
    add(last_day, f"Tết Nguyên đán ({last_lunar_day} tháng Chạp)")
    for i in range(4):
        add(first_tet + dt.timedelta(days=i), f"Tết Nguyên đán (mùng {i + 1} tháng Giêng)")
    add(hung_kings_day(year), "Giỗ Tổ Hùng Vương (10/3 âm lịch)")
    add(dt.date(year, 4, 30), "Ngày Chiến thắng (30/4)")
    add(dt.date(year, 5, 1), "Ngày Quốc tế lao động (1/5)")
    add(dt.date(year, 9, 2), "Quốc khánh (2/9)")
    companion = _national_day_companion(year)
    add(companion, f"Quốc khánh ({companion.day}/9)")

    # one row per date (the file's key): a lunar holiday landing on a fixed one shares its row
    rows = [Holiday(d, "; ".join(names), HOLIDAY) for d, names in sorted(days.items())]
    taken = set(days)
    for h in list(rows):
        if h.date.weekday() < 5:
            continue
        d = h.date + dt.timedelta(days=1)
        while d.weekday() >= 5 or d in taken:
            d += dt.timedelta(days=1)
        taken.add(d)
        rows.append(Holiday(d, f"Nghỉ bù {h.name} ({_WEEKDAY_VI[h.date.weekday()]} {h.date:%d/%m/%Y})",
                            COMPENSATORY_DAY_OFF))
    return sorted(rows, key=lambda r: r.date)


def is_working_day(day: dt.date, holidays: Iterable[Holiday]) -> bool:
    """Monday–Friday unless a holiday or compensatory day off; any "Làm bù" day works."""
    off, makeup = _split(holidays)
    return day in makeup or (day.weekday() < 5 and day not in off)


def _split(holidays: Iterable[Holiday]) -> tuple[set[dt.date], set[dt.date]]:
    off: set[dt.date] = set()
    makeup: set[dt.date] = set()
    for h in holidays:
        kind = _kind(h.kind)
        if kind is None:
            raise ValueError(f"unknown holiday kind {h.kind!r} on {h.date}")
        (makeup if kind == MAKEUP_WORKING_DAY else off).add(h.date)
    return off, makeup


def working_days(year: int, month: int, holidays: Iterable[Holiday] | None = None) -> int:
    """Working days in the month: Mon–Fri, minus holiday and compensatory rows, plus make-up days.

    ``holidays`` defaults to ``default_holidays(year)``; rows outside the month are ignored and
    each date counts once (a holiday on a weekend removes nothing; its Nghỉ bù does).
    Kinds may be the file's labels or the staging codes (holiday, compensatory_day_off, ...).
    """
    off, makeup = _split(default_holidays(year) if holidays is None else holidays)
    d = dt.date(year, month, 1)
    count = 0
    while d.month == month:
        if d in makeup or (d.weekday() < 5 and d not in off):
            count += 1
        d += dt.timedelta(days=1)
    return count


# ---------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------


_SWAP = re.compile(r"thay cho ngày (\d{1,2}/\d{1,2}/\d{4})")


def proposed_holidays(year: int) -> list[Holiday]:
    """The proposal for ``year`` from the maintained ``holidays`` package (``holidays.VN``): the
    fixed and lunar holidays, the days off in lieu (``Nghỉ bù``, including the extra Tết days when
    Tết meets a weekend) and the government's civil-service swaps it records (a day off,
    ``Nghỉ bù``, and the Saturday worked for it, ``Làm bù``; e.g. 31/8/2026 for 22/8/2026). Years
    it has no data for get :func:`default_holidays`. Sorted by date, one row per date."""
    import holidays

    observed = holidays.VN(years=year, language="vi")
    if not observed:
        return default_holidays(year)
    statutory = holidays.VN(years=year, observed=False, language="vi")
    rows: dict[dt.date, Holiday] = {}
    for day, name in sorted(observed.items()):
        name = unicodedata.normalize("NFC", name)
        swap = _SWAP.search(name)
        if swap:
            worked = dt.datetime.strptime(swap.group(1), "%d/%m/%Y").date()
            rows.setdefault(worked, Holiday(worked, f"Làm bù (thay cho ngày nghỉ {day:%d/%m/%Y})", MAKEUP_WORKING_DAY))
        rows[day] = Holiday(day, name, HOLIDAY if day in statutory and not swap else COMPENSATORY_DAY_OFF)
    return sorted(rows.values(), key=lambda r: r.date)


def _proposal(years: Iterable[int]) -> list[Holiday]:
    rows: dict[dt.date, Holiday] = {}
    for year in sorted(set(years)):
        for h in proposed_holidays(year):
            rows.setdefault(h.date, h)
    return sorted(rows.values(), key=lambda r: r.date)


def _write(stream, rows: Sequence[Holiday]) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["date", "name", "kind"])
    for r in rows:
        writer.writerow([r.date.isoformat(), r.name, r.kind])


def holidays_csv(years: Iterable[int]) -> str:
    """The proposal for ``years`` as ``date,name,kind`` CSV text."""
    out = io.StringIO()
    _write(out, _proposal(years))
    return out.getvalue()


def write_holidays_csv(path: str | Path, years: Iterable[int]) -> int:
    """Write the proposal for ``years`` as UTF-8 ``date,name,kind`` CSV; returns the row count."""
    rows = _proposal(years)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        _write(fh, rows)
    return len(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cchc_etl.calendar_vn",
        description="Propose a default holidays.csv (date,name,kind). The official decision overrides it.",
    )
    parser.add_argument("years", nargs="+", type=int, help="Gregorian years, e.g. 2026 2027")
    parser.add_argument("--out", type=Path, help="write this CSV file (UTF-8) instead of stdout")
    args = parser.parse_args(argv)
    if any(not 1900 <= y <= 2199 for y in args.years):
        parser.error("years must be between 1900 and 2199")
    if args.out:
        n = write_holidays_csv(args.out, args.years)
        print(f"{n} rows -> {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(holidays_csv(args.years))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
