"""Warehouse builds for one month: each function replaces its partition in one transaction."""

from __future__ import annotations

import datetime as dt

import duckdb

from cchc_etl import facts, scoring
from cchc_etl.periods import month_start, next_month
from cchc_etl.sql_text import sql_file
from cchc_etl.warehouse import replace_partition, transaction


def month_params(month: str | dt.date) -> dict:
    start = month_start(month)
    return {"period_start": start, "period_end": next_month(start), "asof_month": start}


def build_org_rollup(con: duckdb.DuckDBPyConnection, month) -> int:
    sql = "SELECT 'month' AS period_type, * FROM (" + sql_file("intermediate/int_org_rollup.sql") + ")"
    return replace_partition(con, "core.org_rollup", sql, month_params(month),
                             where="period_type = 'month' AND period_start = $period_start")


def build_dossier_month_end(con: duckdb.DuckDBPyConnection, month) -> int:
    """core.fct_dossier_month_end of the month: from the previous month's month-end state plus this
    month's exports when the previous month is built (sql/facts/int_dossier_latest_incremental.sql),
    else from the whole history."""
    params = month_params(month)
    previous = month_start(params["period_start"] - dt.timedelta(days=1))
    has_previous = con.execute("SELECT count(*) > 0 FROM core.fct_dossier_month_end WHERE period_start = ?", [previous]).fetchone()[0]
    if has_previous:
        latest = f"({sql_file('facts/int_dossier_latest_incremental.sql')})"
        params["previous_month"] = previous
    else:
        latest = None
    return replace_partition(con, "core.fct_dossier_month_end", facts.dossier_fact_sql(latest), params)


def build_period_report(con: duckdb.DuckDBPyConnection, month) -> int:
    return replace_partition(con, "marts.period_report", sql_file("marts/period_report.sql"), month_params(month))


def build_dim_date(con: duckdb.DuckDBPyConnection) -> int:
    with transaction(con):
        con.execute("DELETE FROM core.dim_date")
        con.execute("INSERT INTO core.dim_date BY NAME (" + sql_file("intermediate/int_dim_date.sql") + ")")
        return con.execute("SELECT count(*) FROM core.dim_date").fetchone()[0]


def build_scores(con: duckdb.DuckDBPyConnection, month, version: str) -> list[scoring.PeriodResult]:
    """marts.indicator_values, indicator_scores, scores (and for the year: target_attainment,
    par_index) of the month, its quarter and its year to date."""
    return scoring.score_month(con, month_start(month), version)
