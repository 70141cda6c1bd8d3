"""The month's headline figures for officials, printed by ``cchc-etl run`` and ``cchc-etl demo``:
the city's on-time rate, the units ranked within their own kind (sở/ngành, quận/huyện,
xã/phường), the quarter's service index and department ranking, the year's targets.

Units whose denominator (dossiers resolved in the month) is below a minimum are not ranked: a
100 % on three dossiers says nothing. The minimum is ``--min-dossiers`` or
``CCHC_SUMMARY_MIN_DOSSIERS`` (default 20).
"""

from __future__ import annotations

import datetime as dt

from cchc_etl import settings
from cchc_etl.format_vi import fraction, number, percent

MIN_DOSSIERS_ENV = settings.SUMMARY_MIN_DOSSIERS.name
DEFAULT_MIN_DOSSIERS = settings.SUMMARY_MIN_DOSSIERS.default

# (org_units level, the marts' org_level it is ranked at, heading): a department or a district is
# ranked with its descendants (a sở with its registry branches), a commune on its own dossiers
RANKED_GROUPS: tuple[tuple[str, str, str], ...] = (
    ("department", "department", "Sở, ban, ngành / departments"),
    ("district", "department", "Quận, huyện / districts"),
    ("commune", "unit", "Xã, phường, thị trấn / communes and wards"),
)
SHOWN = 3  # units shown at the top and at the bottom of a ranking


def default_min_dossiers() -> int:
    return settings.summary_min_dossiers()


def ranked_units(con, month: str, min_dossiers: int, version: str) -> dict[str, dict]:
    """Per group level: ``ranked`` [(code, name, numerator, denominator, value)] best first, and
    ``below`` the number of units with dossiers resolved but fewer than ``min_dossiers``."""
    start = dt.date.fromisoformat(f"{month}-01")
    rows = con.execute(
        """WITH units AS (
               SELECT unit_code, arg_max(name, valid_from) AS name, arg_max(level, valid_from) AS level
               FROM core.dim_org_unit WHERE valid_from <= last_day(CAST(? AS DATE)) GROUP BY unit_code)
           SELECT u.level, i.org_level, i.org_unit_code, u.name, i.numerator, i.denominator, i.value
           FROM marts.indicator_values i JOIN units u ON u.unit_code = i.org_unit_code
           WHERE i.period_type = 'month' AND i.period_start = ? AND i.indicator_code = 'ON_TIME_REPORT'
             AND i.value IS NOT NULL AND i.methodology_version = ?
           ORDER BY i.value DESC, i.denominator DESC, i.org_unit_code""",
        [start, start, version]).fetchall()
    out: dict[str, dict] = {}
    for level, org_level, _heading in RANKED_GROUPS:
        members = [r[2:] for r in rows if r[0] == level and r[1] == org_level]
        out[level] = {"ranked": [m for m in members if m[3] >= min_dossiers],
                      "below": sum(1 for m in members if m[3] < min_dossiers)}
    return out


def print_summary(warehouse_url: str, month: str, *, min_dossiers: int | None = None, methodology: str | None = None) -> None:
    from cchc_etl.methodology import current_version
    from cchc_etl.warehouse import connect

    version = methodology or current_version()
    min_dossiers = default_min_dossiers() if min_dossiers is None else min_dossiers
    start = dt.date.fromisoformat(f"{month}-01")
    with connect(warehouse_url, read_only=True) as con:
        city = con.execute(
            "SELECT org_unit_code, numerator, denominator, value FROM marts.indicator_values "
            "WHERE period_type = 'month' AND period_start = ? AND org_level = 'city' AND indicator_code = 'ON_TIME_REPORT' "
            "AND methodology_version = ?", [start, version]).fetchall()
        groups = ranked_units(con, month, min_dossiers, version)
    print()
    print(f"Tóm tắt tháng {month} / summary for {month}")
    for code, num, den, value in city:
        print(f"  Tỷ lệ giải quyết đúng hạn toàn thành phố / city on-time rate ({code}): {percent(value)} {fraction(num, den)}")
    print(f"  Xếp hạng đúng hạn theo loại đơn vị, từ {number(min_dossiers)} hồ sơ đã giải quyết / on-time ranking by kind of "
          f"unit, units with at least {number(min_dossiers)} resolved dossiers (--min-dossiers):")
    for level, _org_level, heading in RANKED_GROUPS:
        ranked, below = groups[level]["ranked"], groups[level]["below"]
        if not ranked and not below:
            continue  # no unit of this kind in the month (e.g. no districts after 2025)
        skipped = f"; {number(below)} đơn vị ít hồ sơ hơn không xếp hạng / smaller units not ranked" if below else ""
        print(f"  {heading} ({number(len(ranked))} đơn vị / units{skipped}):")
        if not ranked:
            print("    — không đơn vị nào đủ số hồ sơ / no unit has enough dossiers")
        shown = list(enumerate(ranked, 1))
        if len(ranked) > 2 * SHOWN:
            shown = shown[:SHOWN] + [None] + shown[-SHOWN:]
        for item in shown:
            if item is None:
                print(f"    … {number(len(ranked) - 2 * SHOWN)} đơn vị / units …")
                continue
            rank, (code, name, num, den, value) = item
            print(f"    {rank:>3}. {code:<12} {name or '':<40} {percent(value):>9} {fraction(num, den)}")
    print_scores(warehouse_url, start, version)


def print_scores(warehouse_url: str, month: dt.date, version: str) -> None:
    """The quarter's service-index ranking of departments and the year's targets (to date)."""
    from cchc_etl.warehouse import connect

    quarter = dt.date(month.year, (month.month - 1) // 3 * 3 + 1, 1)
    with connect(warehouse_url, read_only=True) as con:
        city = con.execute(
            "SELECT org_unit_code, score, max_score, ratio, classification FROM marts.scores WHERE period_type = 'quarter' "
            "AND period_start = ? AND org_level = 'city' AND group_code = 'TOTAL' AND methodology_version = ?", [quarter, version]).fetchall()
        depts = con.execute(
            """SELECT s.rank, s.org_unit_code, u.name, s.ratio, s.classification FROM marts.scores s
               LEFT JOIN (SELECT unit_code, any_value(name) AS name FROM staging.stg_org_units GROUP BY unit_code) u ON u.unit_code = s.org_unit_code
               WHERE s.period_type = 'quarter' AND s.period_start = ? AND s.org_level = 'department' AND s.group_code = 'TOTAL'
                 AND s.rank IS NOT NULL AND s.methodology_version = ? ORDER BY s.rank, s.org_unit_code""", [quarter, version]).fetchall()
        targets = con.execute(
            "SELECT count(*) FILTER (WHERE met), count(*) FILTER (WHERE NOT met), count(*) FILTER (WHERE met IS NULL) "
            "FROM marts.target_attainment WHERE year = ? AND methodology_version = ?", [month.year, version]).fetchone()
    label = f"{quarter.year}-Q{(quarter.month - 1) // 3 + 1}"
    for code, score, max_score, ratio, band in city:
        if ratio is not None:
            print(f"  Bộ chỉ số phục vụ {label} / service index {label} ({code}): {number(score, 2)}/{number(max_score)} điểm / points"
                  f" = {percent(ratio)} — {band}")
    if depts:
        print(f"  Xếp hạng sở, ngành, quận huyện {label} / department ranking ({version}):")
        for rank, code, name, ratio, band in depts[:5]:
            print(f"    {rank:>3}. {code:<12} {name or '':<40} {percent(ratio):>9}  {band}")
        if len(depts) > 5:
            print(f"    … {number(len(depts) - 5)} đơn vị khác / more (marts.scores)")
    if targets and sum(targets):
        met, missed, unknown = targets
        print(f"  Chỉ tiêu năm {month.year} (lũy kế) / {month.year} targets to date: {number(met)} đạt / met, "
              f"{number(missed)} chưa đạt / not met"
              + (f", {number(unknown)} chưa đủ số liệu / no data" if unknown else "") + " (marts.target_attainment)")


__all__ = ["DEFAULT_MIN_DOSSIERS", "MIN_DOSSIERS_ENV", "default_min_dossiers", "print_summary", "print_scores", "ranked_units"]
