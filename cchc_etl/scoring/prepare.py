"""The working relations of one period, read by the indicator values and the marts' SQL: the
roll-up ``_period_rollup``, the units' natural levels ``_period_natural_levels`` and one fact
relation ``_f_<fact>`` per source (from ``sql/facts``)."""

from __future__ import annotations

import datetime as dt
import re

import duckdb

from cchc_etl.facts import FACT_SQL, dossier_fact_sql, fact_sql_text, procedure_fact_sql
from cchc_etl.methodology import Methodology
from cchc_etl.periods import Period, containing, period
from cchc_etl.sql_text import sql_file, used_params

EVENT_TABLES = ("stg_dossiers", "stg_surveys", "stg_feedback", "stg_documents", "stg_email")
# every fact relation of a prepared period: one per fact query, and the procedure fact over the dossiers
FACTS = (*FACT_SQL, "procedure")
FACT_RELATIONS = tuple(f"_f_{fact}" for fact in FACTS)


def last_loaded_month(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> dt.date | None:
    """The latest month in [start, end) with any staged event row."""
    parts = " UNION ALL ".join(f"SELECT max(month) AS m FROM staging.{t} WHERE month >= $s AND month < $e" for t in EVENT_TABLES)
    return con.execute(f"SELECT max(m) FROM ({parts})", {"s": start, "e": end}).fetchone()[0]


def periods_for_month(con: duckdb.DuckDBPyConnection, month: dt.date) -> list[Period]:
    """The month itself, and its quarter and year up to the last month loaded in them (>= month)."""
    month = month.replace(day=1)
    out = []
    for ptype in ("month", "quarter", "year"):
        start = containing(ptype, month)
        natural = period(ptype, start, dt.date(9999, 12, 1)).natural_end
        last = max(filter(None, [month, last_loaded_month(con, start, natural)]))
        out.append(period(ptype, start, last))
    return out


def fact_params(p: Period, method: Methodology) -> dict:
    return p.params() | {"regular_share_pct": float(method.parameters.get("email_regular_share_pct", 50))}


def fact_select(fact: str, p: Period, method: Methodology) -> tuple[str, dict]:
    sql = fact_sql_text(fact)
    return sql, used_params(sql, fact_params(p, method))


def create_temp(con: duckdb.DuckDBPyConnection, name: str, sql: str, params: dict | None = None) -> None:
    """``CREATE OR REPLACE TEMP TABLE name AS sql`` with the parameters the SQL uses."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}", used_params(sql, params or {}))


def prepare_period(con: duckdb.DuckDBPyConnection, p: Period, method: Methodology, shared_latest: str | None = None) -> bool:
    """Temp relations _period_rollup, _period_natural_levels and _f_<fact> for the period.
    ``shared_latest``: a relation of int_dossier_latest.sql rows as of the same month for a period
    starting no later than this one. True when _f_dossier is the month-end state of the period's
    only month so far."""
    create_temp(con, "_period_rollup", sql_file("intermediate/int_org_rollup.sql"), p.params())
    create_temp(con, "_period_natural_levels", sql_file("intermediate/int_natural_levels.sql"))
    # a period of one month so far (a month, or a quarter / year in its first month) has exactly
    # that month's month-end state, already built by core/fct_dossier_month_end
    use_month_end = p.start == p.asof and con.execute(
        "SELECT count(*) > 0 FROM core.fct_dossier_month_end WHERE period_start = ?", [p.start]).fetchone()[0]
    # only the columns the indicators, the procedure fact and the target groups read (the
    # drill-down reads whole rows through the core.*_facts macros instead)
    cols = ", ".join(_dossier_columns(con, method))
    drop_temp(con, "_f_dossier")
    if use_month_end:  # a view: the month-end table is read in place, not copied
        con.execute(f"CREATE TEMP VIEW _f_dossier AS SELECT {cols} FROM core.fct_dossier_month_end "
                    f"WHERE period_start = DATE '{p.start.isoformat()}'")
    else:
        sql = dossier_fact_sql(shared_latest)
        con.execute(f"CREATE TEMP TABLE _f_dossier AS SELECT {cols} FROM ({sql})", used_params(sql, fact_params(p, method)))
    for fact in [f for f in FACT_SQL if f != "dossier"]:
        sql, params = fact_select(fact, p, method)
        create_temp(con, f"_f_{fact}", sql, params)
    create_temp(con, "_f_procedure", procedure_fact_sql("_f_dossier", "_period_rollup"), p.params())
    return use_month_end


def drop_temp(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop a temp table or view of that name, whichever it is (DuckDB refuses the wrong kind)."""
    if con.execute("SELECT count(*) FROM duckdb_views() WHERE temporary AND view_name = ?", [name]).fetchone()[0]:
        con.execute(f"DROP VIEW {name}")
    else:
        con.execute(f"DROP TABLE IF EXISTS {name}")


def _dossier_columns(con: duckdb.DuckDBPyConnection, method: Methodology) -> list[str]:
    columns = [r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'core' AND table_name = 'fct_dossier_month_end' "
        "AND database_name = current_database() ORDER BY column_index").fetchall()]
    text = " ".join(f"{i.numerator} {i.denominator} {i.known_condition()}" for i in method.indicators if i.fact == "dossier")
    text += " " + sql_file("facts/fct_procedure_period.sql")
    needed = {"unit_code", "procedure_code", "target_group"} | {c for c in columns if re.search(rf"\b{c}\b", text)}
    return [c for c in columns if c in needed]
