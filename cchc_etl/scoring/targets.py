"""Targets (methodology §5), year periods: the year's targets ``_targets``, the values of the year
recomputed per target group ``_target_values`` and last year's ``_previous_values``, which
``sql/marts/target_attainment.sql`` reads."""

from __future__ import annotations

import datetime as dt

import duckdb

from cchc_etl.methodology import Methodology
from cchc_etl.periods import Period, period
from cchc_etl.scoring.prepare import create_temp, last_loaded_month, prepare_period
from cchc_etl.scoring.values import build_values, dossier_group_counts_sql, unit_totals_sql
from cchc_etl.sql_text import sql_file

TARGET_COLUMNS = ("year INTEGER, scope VARCHAR, indicator_code VARCHAR, comparator VARCHAR, value DOUBLE, target_group VARCHAR, "
                  "unit_category VARCHAR, second_value DOUBLE, note VARCHAR, target_source VARCHAR")


def prepare_targets(con: duckdb.DuckDBPyConnection, year: int, method: Methodology) -> list[tuple]:
    """Temp table ``_targets``: landing/reference/targets rows for that year, else the methodology's
    defaults. Returns its distinct (target_group, comparator)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _targets ({TARGET_COLUMNS})")
    n = con.execute("SELECT count(*) FROM staging.stg_targets WHERE year = ?", [year]).fetchone()[0]
    if n:
        con.execute("""INSERT INTO _targets BY NAME
                       SELECT CAST(year AS INTEGER) AS year, scope, indicator_code, comparator, value, target_group,
                              unit_category, second_value, note, 'landing' AS target_source
                       FROM staging.stg_targets WHERE year = ?""", [year])
    elif method.default_targets:
        rows = [(int(year), t["scope"], t["indicator_code"], t["comparator"], float(t["value"]), t.get("target_group") or None,
                 t.get("unit_category") or None, float(t["second_value"]) if t.get("second_value") is not None else None,
                 t.get("note", ""), "methodology") for t in method.default_targets]
        placeholders = ", ".join(["(" + ", ".join("?" * 10) + ")"] * len(rows))
        con.execute(f"INSERT INTO _targets VALUES {placeholders}", [v for r in rows for v in r])
    return con.execute("SELECT DISTINCT target_group, comparator FROM _targets").fetchall()


def parse_group_filter(expr: str | None) -> dict:
    """The ``unit_totals_sql`` parameters of a target group filter: 'land,investment' -> those
    procedure groups; '!land,investment' -> all procedures except those; empty -> all."""
    if not expr or not expr.strip():
        return {"all_groups": True, "groups": [], "negate_groups": False}
    groups = [g.strip() for g in expr.strip().lstrip("!").split(",") if g.strip()]
    return {"all_groups": False, "groups": groups, "negate_groups": expr.strip().startswith("!")}


def empty_values(con: duckdb.DuckDBPyConnection, table: str) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} (target_group VARCHAR, org_unit_code VARCHAR, org_level VARCHAR, "
                "indicator_code VARCHAR, numerator DOUBLE, denominator DOUBLE, value DOUBLE)")


def group_values(con: duckdb.DuckDBPyConnection, table: str, p: Period, method: Methodology, groups: list[str],
                 group_counts: str | None = None) -> None:
    """Append to ``table`` the dossier indicators' values of the prepared period recomputed over the
    procedures of each target group filter, from ``group_counts`` (a ``dossier_group_counts_sql``
    table of the period) or one pass over its dossiers."""
    if not groups:
        return
    own = group_counts is None
    if own:
        group_counts = "_dossier_group_counts"
        create_temp(con, group_counts, dossier_group_counts_sql(method))
    for group in sorted(set(groups)):
        create_temp(con, "_unit_counts", unit_totals_sql(group_counts), parse_group_filter(group))
        build_values(con, "_group_period_values", p, method)
        con.execute(f"""INSERT INTO {table} BY NAME
                        SELECT $target_group AS target_group, rollup_code AS org_unit_code, rollup_level AS org_level,
                               indicator_code, numerator, denominator, value
                        FROM _group_period_values
                        WHERE indicator_code IN (SELECT indicator_code FROM core.dim_indicator
                                                 WHERE methodology_version = $methodology_version AND fact = 'dossier'
                                                   AND kind IN ('rate', 'count'))""",
                    {"target_group": group, "methodology_version": method.version})
    con.execute("DROP TABLE IF EXISTS _group_period_values")
    if own:
        con.execute(f"DROP TABLE {group_counts}")


def prepare_previous_group_values(con: duckdb.DuckDBPyConnection, p: Period, method: Methodology, targets: list[tuple]) -> None:
    """``_previous_group_values``: year-over-year targets on a procedure group compare with last
    year's value over the same group, recomputed from last year's rows. Leaves the previous year
    prepared (the caller prepares ``p`` next)."""
    empty_values(con, "_previous_group_values")
    yoy_groups = [g for g, comp in targets if g and comp in ("increase_pp", "increase_rel")]
    prev_start = dt.date(p.start.year - 1, 1, 1)
    prev_last = last_loaded_month(con, prev_start, p.start) if yoy_groups else None
    if prev_last:
        prev = period("year", prev_start, prev_last)
        prepare_period(con, prev, method)
        group_values(con, "_previous_group_values", prev, method, yoy_groups)


def prepare_target_values(con: duckdb.DuckDBPyConnection, p: Period, method: Methodology, targets: list[tuple],
                          group_counts: str | None) -> None:
    """``_target_values`` (the year's values, unfiltered and per target group) and
    ``_previous_values`` of the prepared year."""
    empty_values(con, "_target_values")
    con.execute("INSERT INTO _target_values BY NAME SELECT '' AS target_group, rollup_code AS org_unit_code, "
                "rollup_level AS org_level, indicator_code, numerator, denominator, value FROM _period_values")
    group_values(con, "_target_values", p, method, [g for g, _ in targets if g], group_counts)
    create_temp(con, "_previous_values", sql_file("intermediate/int_target_previous_values.sql"),
                {"previous_year_start": dt.date(p.start.year - 1, 1, 1), "methodology_version": method.version})
