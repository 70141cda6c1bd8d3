"""The period driver: score a month (its month, quarter and year to date), a range of months or
given periods. Each period is prepared (``prepare``), its indicator values computed
(``values``), the year's target inputs gathered (``targets``), then every scored mart is computed
(``marts``) and all of them are written in one transaction (delete + insert), so re-scoring is
idempotent."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

import duckdb

from cchc_etl.facts import dossier_latest_sql
from cchc_etl.methodology import Methodology, load_methodology
from cchc_etl.periods import Period, containing, period
from cchc_etl.scoring.marts import compute_marts, drop_marts, mart_params, write_marts
from cchc_etl.scoring.par import create_par_areas
from cchc_etl.scoring.prepare import FACT_RELATIONS, create_temp, drop_temp, periods_for_month, prepare_period
from cchc_etl.scoring.reference import ensure_dim_indicator
from cchc_etl.scoring.scores import create_bands
from cchc_etl.scoring.targets import prepare_previous_group_values, prepare_target_values, prepare_targets
from cchc_etl.scoring.values import build_values, dossier_group_counts_sql, period_unit_counts, received_balance
from cchc_etl.sql_text import sql_file
from cchc_etl.warehouse import transaction

WORKING_TABLES = ("_period_values", "_period_group_counts", "_unit_counts", "_period_natural_levels", *FACT_RELATIONS)


@dataclass
class PeriodResult:
    period: Period
    indicator_rows: int
    score_rows: int
    target_rows: int = 0
    par_rows: int = 0
    seconds: float = 0.0
    # the blocking check `received_balanced`: dossiers received in the period by units in force
    # (or attributed to one through successor_code) and the sum of the city figures; None when the
    # methodology has no RPT_RECEIVED
    units_received: int | None = None
    city_received: int | None = None
    # rows written per mart (marts.<name>)
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def received_balanced(self) -> bool:
        return self.units_received == self.city_received


def _dossier_counts(con: duckdb.DuckDBPyConnection, p: Period, method: Methodology, from_month_end: bool,
                    shared_counts: dict | None) -> str | None:
    """The table of the period's dossier counts per (unit, procedure group): one pass over its
    dossiers serves the unit totals and the year's target groups."""
    if not method.by_fact("dossier"):
        return None
    if from_month_end and shared_counts is not None:
        key = (method.version, p.start)
        if key not in shared_counts:
            shared_counts[key] = f"_dossier_counts_{len(shared_counts)}"
            create_temp(con, shared_counts[key], dossier_group_counts_sql(method))
        return shared_counts[key]
    create_temp(con, "_period_group_counts", dossier_group_counts_sql(method))
    return "_period_group_counts"


def score_period(con: duckdb.DuckDBPyConnection, p: Period, version: str, shared_latest: str | None = None,
                 shared_counts: dict | None = None) -> PeriodResult:
    """Compute and write every mart of one period and methodology version, in one transaction.
    ``shared_counts`` (owned by the caller, who drops the tables): per month, the dossier counts
    (per unit and procedure group) of its month-end state, for the periods whose only month so far
    is that month (a month, and the quarter and year it opens, count the same dossiers)."""
    method = load_methodology(version)
    ensure_dim_indicator(con, method)
    create_bands(con, method)
    create_par_areas(con, method)
    targets: list[tuple] = []
    if p.type == "year":
        targets = prepare_targets(con, p.start.year, method)
        prepare_previous_group_values(con, p, method, targets)
    from_month_end = prepare_period(con, p, method, shared_latest)
    group_counts = _dossier_counts(con, p, method, from_month_end, shared_counts)
    period_unit_counts(con, method, group_counts)
    build_values(con, "_period_values", p, method)
    balance = received_balance(con, p, method)
    if p.type == "year":
        prepare_target_values(con, p, method, targets, group_counts)
    params = mart_params(p, method)
    marts = compute_marts(con, p, params)
    with transaction(con):
        con.execute("DELETE FROM core.org_rollup WHERE period_type = $t AND period_start = $s", {"t": p.type, "s": p.start})
        con.execute("INSERT INTO core.org_rollup BY NAME (SELECT $t AS period_type, * FROM _period_rollup)", {"t": p.type})
        rows = write_marts(con, marts, params)
    drop_marts(con, marts)
    for t in WORKING_TABLES:
        drop_temp(con, t)
    return PeriodResult(p, rows.get("marts.indicator_values", 0), rows.get("marts.scores", 0), rows.get("marts.target_attainment", 0),
                        rows.get("marts.par_index", 0), units_received=balance[0], city_received=balance[1], rows=rows)


def score_month(con: duckdb.DuckDBPyConnection, month: dt.date, version: str) -> list[PeriodResult]:
    """Score the month and its quarter and year to date (the month's Dagster partition)."""
    return score_periods(con, periods_for_month(con, month), version)


def score_periods(con: duckdb.DuckDBPyConnection, periods: list[Period], version: str) -> list[PeriodResult]:
    """Score periods; those ending at the same month share one pass over the dossiers' history
    (the latest state as of that month, for the longest of them)."""
    results = []
    shared_counts: dict = {}
    by_asof: dict[tuple, list[Period]] = {}
    for p in periods:
        by_asof.setdefault((p.asof, p.end), []).append(p)
    for group in by_asof.values():
        multi = [p for p in group if p.start != p.asof]
        shared, shared_seconds = None, 0.0
        if multi:
            earliest = min(multi, key=lambda p: p.start)
            started = time.perf_counter()
            create_temp(con, "_dossier_winners", sql_file("facts/int_dossier_winners.sql"), earliest.params())
            shared_seconds = time.perf_counter() - started
            shared = f"({dossier_latest_sql('_dossier_winners')})"
        for p in group:
            started = time.perf_counter()
            r = score_period(con, p, version, shared if p in multi else None, shared_counts)
            # the shared pass is counted with the longest period, which needs it anyway
            r.seconds = time.perf_counter() - started + (shared_seconds if shared and p is earliest else 0.0)
            results.append(r)
        con.execute("DROP TABLE IF EXISTS _dossier_winners")
    for table in shared_counts.values():
        con.execute(f"DROP TABLE IF EXISTS {table}")
    return sorted(results, key=lambda r: ("month", "quarter", "year").index(r.period.type))


def score_range(con: duckdb.DuckDBPyConnection, months: list[dt.date], version: str) -> list[PeriodResult]:
    """Score loaded months, and each quarter and year they touch once (to its last month in range):
    what re-scoring history needs, without the month-by-month quarter- and year-to-date passes."""
    months = sorted({m.replace(day=1) for m in months})
    periods = [period("month", m, m) for m in months]
    for ptype in ("quarter", "year"):
        last: dict[dt.date, dt.date] = {}
        for m in months:
            start = containing(ptype, m)
            last[start] = max(last.get(start, m), m)
        periods += [period(ptype, start, m) for start, m in last.items()]
    return score_periods(con, periods, version)
