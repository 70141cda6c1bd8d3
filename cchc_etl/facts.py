"""The fact queries (``sql/facts/*.sql``): one row per record of a source for a period, with
the flags the methodology's indicators count. Scoring aggregates them; ``explain`` and the
drill-down read the same rows through the ``core.<fact>_facts(...)`` table macros created here;
the month-end state is the dossier fact as of each month."""

from __future__ import annotations

import duckdb

from cchc_etl.sql_text import sql_file

FACT_SQL = {
    "dossier": "facts/fct_dossier_period.sql",
    "survey": "facts/fct_survey_period.sql",
    "feedback": "facts/fct_feedback_period.sql",
    "document": "facts/fct_document_period.sql",
    "email": "facts/fct_email_period.sql",
}
# the record key shown by explain / the drill-down for each fact
FACT_KEYS = {
    "dossier": ("dossiers", "dossier_id"),
    "survey": ("surveys", "response_id"),
    "feedback": ("feedback", "feedback_id"),
    "document": ("documents", "document_id"),
    "email": ("email", "account_hash"),
    "procedure": ("procedures", "procedure_code"),
}
PARAMS = ("period_start", "period_end", "asof_month", "regular_share_pct")


def with_relations(sql: str, **relations: str) -> str:
    """``sql`` reading each name of ``relations`` as the relation given (a table name or a
    parenthesised query): composed by name, as CTEs inlined into the query."""
    ctes = ", ".join(f"{name} AS NOT MATERIALIZED (SELECT * FROM {relation})" for name, relation in relations.items())
    return f"WITH {ctes}\nSELECT * FROM (\n{sql}\n)"


def dossier_latest_sql(winners: str | None = None) -> str:
    """sql/facts/int_dossier_latest.sql over ``winners`` (a relation of int_dossier_winners.sql's
    rowids as of the same month); by default the winners query itself, as a subquery."""
    source = winners or f"({sql_file('facts/int_dossier_winners.sql')})"
    return with_relations(sql_file("facts/int_dossier_latest.sql"), dossier_winners=source)


def dossier_fact_sql(latest: str | None = None) -> str:
    """sql/facts/fct_dossier_period.sql over ``latest`` (a relation holding int_dossier_latest.sql's
    rows for this period or a longer one ending at the same month); by default the full-history
    int_dossier_latest.sql itself, as a subquery."""
    source = latest or f"({dossier_latest_sql()})"
    return with_relations(sql_file(FACT_SQL["dossier"]), dossier_latest=source)


def procedure_fact_sql(dossiers: str, rollup: str) -> str:
    """sql/facts/fct_procedure_period.sql over the period's dossier facts and roll-up relations."""
    return with_relations(sql_file("facts/fct_procedure_period.sql"), period_dossiers=dossiers, period_rollup=rollup)


def fact_sql_text(fact: str) -> str:
    return dossier_fact_sql() if fact == "dossier" else sql_file(FACT_SQL[fact])


def _macro_body(sql: str) -> str:
    for name in PARAMS:
        sql = sql.replace(f"${name}", f"p_{name}")
    return sql


def create_fact_macros(con: duckdb.DuckDBPyConnection) -> None:
    for fact in FACT_SQL:
        args = "p_period_start, p_period_end, p_asof_month" + (", p_regular_share_pct" if fact == "email" else "")
        con.execute(f"CREATE OR REPLACE MACRO core.{fact}_facts({args}) AS TABLE {_macro_body(fact_sql_text(fact))}")
    proc = _macro_body(procedure_fact_sql(
        "core.dossier_facts(p_period_start, p_period_end, p_asof_month)",
        "core.org_rollup WHERE period_type = p_period_type AND period_start = p_period_start"))
    con.execute(f"CREATE OR REPLACE MACRO core.procedure_facts(p_period_type, p_period_start, p_period_end, p_asof_month) AS TABLE {proc}")
