"""Indicator values of a prepared period (methodology §3): the only SQL generated here is what the
methodology makes variable, the per-fact aggregates of its indicators' formulas (``counts_sql``);
the roll-up, self-assessed and derived values are ``sql/intermediate/int_indicator_values.sql``."""

from __future__ import annotations

import duckdb

from cchc_etl.methodology import Methodology
from cchc_etl.periods import Period
from cchc_etl.scoring.prepare import FACTS, create_temp
from cchc_etl.sql_text import sql_file, used_params

DERIVED_FORMULAS = ("dossier_satisfaction",)


def _q(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def counts_sql(method: Methodology, fact: str, relation: str, where: str = "TRUE", keys: str = "unit_code") -> str | None:
    """Per unit_code (and any other ``keys``) and indicator: numerator and denominator counts of one
    fact relation, and the rows left out because their inputs are not carried (``unknown``)."""
    indicators = method.by_fact(fact)
    if not indicators:
        return None
    cols, rows = [], []
    for n, i in enumerate(indicators):
        if i.kind == "count":
            cols.append(f"count(*) FILTER (WHERE {i.numerator}) AS n{n}")
            rows.append(f"SELECT {keys}, {_q(i.code)} AS indicator_code, n{n} AS numerator, CAST(NULL AS BIGINT) AS denominator, "
                        f"CAST(NULL AS BIGINT) AS unknown FROM agg")
        else:
            # methodology §3 "Data not carried": a row whose inputs are unknown is left out of the
            # numerator and the denominator; `unknown` counts them (N/A reason when nothing is known)
            known = i.known_condition()
            cols.append(f"count(*) FILTER (WHERE ({i.denominator}) AND ({known}) AND ({i.numerator})) AS n{n}")
            cols.append(f"count(*) FILTER (WHERE ({i.denominator}) AND ({known})) AS d{n}")
            cols.append(f"count(*) FILTER (WHERE ({i.denominator}) IS NOT FALSE AND NOT ({known})) AS u{n}")
            rows.append(f"SELECT {keys}, {_q(i.code)} AS indicator_code, n{n} AS numerator, d{n} AS denominator, "
                        f"u{n} AS unknown FROM agg")
    return (f"WITH agg AS (SELECT {keys}, {', '.join(cols)} FROM {relation} WHERE {where} GROUP BY {keys})\n"
            + "\nUNION ALL\n".join(rows))


def dossier_group_counts_sql(method: Methodology) -> str:
    """``counts_sql`` of the prepared period's dossiers per (unit, procedure group): every count is
    additive, so one pass serves the unit totals (``UNIT_TOTALS_SQL``) and each target group's
    values (``targets.group_values``)."""
    return counts_sql(method, "dossier", "_f_dossier", keys="unit_code, target_group")


def unit_totals_sql(group_counts: str) -> str:
    """Per unit and indicator: the sums of a ``dossier_group_counts_sql`` table over the procedure
    groups kept by the parameters ``$all_groups`` (all of them), else ``$groups`` (a list;
    ``$negate_groups``: all but those)."""
    return (f"SELECT unit_code, indicator_code, sum(numerator) AS numerator, sum(denominator) AS denominator, "
            f"sum(unknown) AS unknown FROM {group_counts} "
            f"WHERE $all_groups OR list_contains(CAST($groups AS VARCHAR[]), coalesce(target_group, '')) <> $negate_groups GROUP BY ALL")


ALL_GROUPS = {"all_groups": True, "groups": [], "negate_groups": False}


def period_unit_counts(con: duckdb.DuckDBPyConnection, method: Methodology, group_counts: str | None) -> None:
    """``_unit_counts`` of the prepared period: every fact's counts per unit and indicator (the
    dossiers' from ``group_counts`` when given)."""
    parts = []
    for fact in FACTS:
        if fact == "dossier" and group_counts and method.by_fact("dossier"):
            parts.append(unit_totals_sql(group_counts))
        elif sql := counts_sql(method, fact, f"_f_{fact}"):
            parts.append(sql)
    if parts:
        create_temp(con, "_unit_counts", " UNION ALL ".join(f"({s})" for s in parts), ALL_GROUPS)
    else:
        empty_unit_counts(con)


def empty_unit_counts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE OR REPLACE TEMP TABLE _unit_counts (unit_code VARCHAR, indicator_code VARCHAR, numerator BIGINT, "
                "denominator BIGINT, unknown BIGINT)")


def values_params(p: Period, method: Methodology) -> dict:
    return {"methodology_version": method.version, "period_label": p.label,
            "dissatisfied_rating_max": int(method.parameters.get("dissatisfied_rating_max", 2))}


def build_values(con: duckdb.DuckDBPyConnection, table: str, p: Period, method: Methodology) -> None:
    """Temp table ``table`` of indicator values (rollup_code, rollup_level, indicator_code,
    numerator, denominator, unknown, value) from ``_unit_counts`` and the prepared period."""
    for i in method.indicators:
        if i.kind == "derived" and i.formula not in DERIVED_FORMULAS:
            raise ValueError(f"{method.version}: {i.code}: unknown derived formula {i.formula!r}")
    create_temp(con, table, sql_file("intermediate/int_indicator_values.sql"), values_params(p, method))


def received_balance(con: duckdb.DuckDBPyConnection, p: Period, method: Methodology) -> tuple[int | None, int | None]:
    """(dossiers received in the period whose unit is in force in it or attributed to one, sum of
    the cities' RPT_RECEIVED) from the prepared period: methodology §1, no row of a unit in force
    may be missing from the city's figures. The first count reads the org units' validity
    directly, not the roll-up, so a unit the roll-up loses (e.g. under an abolished parent)
    shows as a difference."""
    if not any(i.code == "RPT_RECEIVED" for i in method.by_fact("dossier")):
        return None, None
    sql = sql_file("intermediate/int_received_balance.sql")
    units, city = con.execute(sql, used_params(sql, p.params())).fetchone()
    return int(units), int(city)
