"""Warehouse builds for one month: each function replaces its partition in one transaction."""

from __future__ import annotations

import datetime as dt

import duckdb

from cchc_etl.ingest import month_start, next_month
from cchc_etl.methodology import indicator_values_sql, load_methodology
from cchc_etl.warehouse import replace_partition, sql_file


def month_params(month: str | dt.date) -> dict:
    start = month_start(month)
    return {"period_start": start, "period_end": next_month(start), "asof_month": start}


def build_org_rollup(con: duckdb.DuckDBPyConnection, month) -> int:
    return replace_partition(con, "core.org_rollup", sql_file("intermediate/int_org_rollup.sql"), month_params(month))


def build_dossier_month_end(con: duckdb.DuckDBPyConnection, month) -> int:
    return replace_partition(con, "core.fct_dossier_month_end", sql_file("intermediate/fct_dossier_month_end.sql"), month_params(month))


def build_period_report(con: duckdb.DuckDBPyConnection, month) -> int:
    return replace_partition(con, "marts.period_report", sql_file("marts/period_report.sql"), month_params(month))


def build_indicator_values(con: duckdb.DuckDBPyConnection, month, version: str) -> int:
    method = load_methodology(version)
    params = month_params(month) | {"version": method.version}
    return replace_partition(
        con, "marts.indicator_values", indicator_values_sql(method), params,
        where="period_type = 'month' AND period_start = $period_start AND methodology_version = $version",
    )
