"""The scoring engine: indicator values, scores, ranks, bands, target attainment and the PAR Index
for one period, from the fact SQL in ``sql/facts`` and a methodology version (data, not code).

Everything is set-based DuckDB SQL generated from the methodology: one aggregate per fact per
period, rolled up by summing numerators and denominators through ``core.org_rollup``. All writes
of a period happen in one transaction (delete + insert), so re-scoring is idempotent.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass

import duckdb

from cchc_etl.facts import dossier_fact_sql, dossier_latest_sql, fact_sql_text
from cchc_etl.methodology import Indicator, Methodology, load_methodology
from cchc_etl.periods import Period, containing, period
from cchc_etl.sql_text import sql_file, used_params
from cchc_etl.warehouse import transaction

EVENT_TABLES = ("stg_dossiers", "stg_surveys", "stg_feedback", "stg_documents", "stg_email")


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

    @property
    def received_balanced(self) -> bool:
        return self.units_received == self.city_received


def _q(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


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


_used = used_params


def fact_select(fact: str, p: Period, method: Methodology) -> tuple[str, dict]:
    sql = fact_sql_text(fact)
    return sql, _used(sql, fact_params(p, method))


# ---------------------------------------------------------------------------------------------
# per-period working tables


def _prepare_period(con: duckdb.DuckDBPyConnection, p: Period, method: Methodology, shared_latest: str | None = None) -> bool:
    """Temp tables _period_rollup and _f_<fact> for the period. ``shared_latest``: a relation of
    int_dossier_latest.sql rows as of the same month for a period starting no later than this one.
    True when _f_dossier is the month-end state of the period's only month so far."""
    rollup_sql = sql_file("intermediate/int_org_rollup.sql")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _period_rollup AS {rollup_sql}", _used(rollup_sql, p.params()))
    # a period of one month so far (a month, or a quarter / year in its first month) has exactly
    # that month's month-end state, already built by core/fct_dossier_month_end
    use_month_end = p.start == p.asof and con.execute(
        "SELECT count(*) > 0 FROM core.fct_dossier_month_end WHERE period_start = ?", [p.start]).fetchone()[0]
    # only the columns the indicators, the procedure fact and the target groups read (the
    # drill-down reads whole rows through the core.*_facts macros instead)
    cols = ", ".join(_dossier_columns(con, method))
    _drop_temp(con, "_f_dossier")
    if use_month_end:  # a view: the month-end table is read in place, not copied
        con.execute(f"CREATE TEMP VIEW _f_dossier AS SELECT {cols} FROM core.fct_dossier_month_end "
                    f"WHERE period_start = DATE '{p.start.isoformat()}'")
    else:
        sql = dossier_fact_sql(shared_latest)
        con.execute(f"CREATE TEMP TABLE _f_dossier AS SELECT {cols} FROM ({sql})", _used(sql, fact_params(p, method)))
    for fact in ("survey", "feedback", "document", "email"):
        sql, params = fact_select(fact, p, method)
        con.execute(f"CREATE OR REPLACE TEMP TABLE _f_{fact} AS {sql}", params)
    proc_sql = (sql_file("facts/fct_procedure_period.sql")
                .replace("period_dossiers", "_f_dossier").replace("period_rollup", "_period_rollup"))
    con.execute(f"CREATE OR REPLACE TEMP TABLE _f_procedure AS {proc_sql}", _used(proc_sql, p.params()))
    return use_month_end


def _drop_temp(con: duckdb.DuckDBPyConnection, name: str) -> None:
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


def _grid_sql(method: Methodology) -> str:
    """Every (org unit, level) of the period x every indicator applicable at that level."""
    values = ", ".join(f"({_q(i.code)}, {_q(lv)})" for i in method.indicators for lv in i.levels)
    return f"""
        SELECT DISTINCT r.rollup_code, r.rollup_level, r.city_code, i.indicator_code
        FROM _period_rollup r
        JOIN (VALUES {values}) i(indicator_code, level) ON i.level = r.rollup_level
    """


def natural_levels_sql() -> str:
    """Each unit in force with the level its own figures are published at: city for the root,
    department for units directly under it, unit otherwise."""
    return """
        SELECT attributed_code AS unit_code,
               CASE WHEN bool_or(rollup_level = 'city' AND rollup_code = attributed_code) THEN 'city'
                    WHEN bool_or(rollup_level = 'department' AND rollup_code = attributed_code) THEN 'department'
                    ELSE 'unit' END AS natural_level,
               any_value(city_code) AS city_code
        FROM _period_rollup GROUP BY attributed_code
    """


def rolled_values_sql(method: Methodology, where_by_fact: dict[str, str] | None = None, unit_counts: str | None = None,
                      dossier_counts: str | None = None) -> str:
    """Indicator values per (org unit, level) of the period: fact counts summed through the roll-up,
    self-assessed values for exactly the unit and its level, derived values; NULL when N/A.
    ``dossier_counts``: a relation already holding ``counts_sql`` of the dossier fact (per unit)."""
    where_by_fact = where_by_fact or {}
    counts = [s for fact in ("dossier", "survey", "feedback", "document", "email", "procedure")
              if (s := (f"SELECT unit_code, indicator_code, numerator, denominator, unknown FROM {dossier_counts}"
                        if fact == "dossier" and dossier_counts and method.by_fact("dossier")
                        else counts_sql(method, fact, f"_f_{fact}", where_by_fact.get(fact, "TRUE"))))]
    dissatisfied_max = method.parameters.get("dissatisfied_rating_max", 2)
    kinds = ", ".join(f"({_q(i.code)}, {_q(i.kind)})" for i in method.indicators)
    self_codes = ", ".join(_q(i.code) for i in method.indicators if i.kind == "self_assessed") or "NULL"
    derived = [i for i in method.indicators if i.kind == "derived"]
    for i in derived:
        if i.formula != "dossier_satisfaction":
            raise ValueError(f"{method.version}: {i.code}: unknown derived formula {i.formula!r}")
    derived_sql = ""
    if derived:
        parts = []
        for i in derived:
            parts.append(f"""
        SELECT g.rollup_code, g.rollup_level, {_q(i.code)} AS indicator_code, CAST(NULL AS DOUBLE) AS numerator,
               CAST(NULL AS DOUBLE) AS denominator, CAST(NULL AS DOUBLE) AS unknown,
               CASE WHEN idx.value IS NOT NULL AND rec.numerator > 0
                    THEN greatest(0, idx.value - 100.0 * coalesce(dis.n, 0) / rec.numerator) END AS value
        FROM (SELECT DISTINCT rollup_code, rollup_level FROM grid WHERE indicator_code = {_q(i.code)}) g
        LEFT JOIN summed idx ON idx.rollup_code = g.rollup_code AND idx.rollup_level = g.rollup_level AND idx.indicator_code = 'IDX_2_1'
        LEFT JOIN summed rec ON rec.rollup_code = g.rollup_code AND rec.rollup_level = g.rollup_level AND rec.indicator_code = 'RPT_RECEIVED'
        LEFT JOIN dissatisfied dis ON dis.rollup_code = g.rollup_code AND dis.rollup_level = g.rollup_level""")
        derived_sql = "UNION ALL " + " UNION ALL ".join(parts)
    return f"""
    WITH grid AS ({_grid_sql(method)}),
    kinds(indicator_code, kind) AS (VALUES {kinds}),
    unit_counts AS ({unit_counts or ' UNION ALL '.join(f'({c})' for c in counts)}),
    summed_raw AS (
        SELECT r.rollup_code, r.rollup_level, c.indicator_code,
               sum(c.numerator) AS numerator, sum(c.denominator) AS denominator, sum(c.unknown) AS unknown
        FROM _period_rollup r JOIN unit_counts c ON c.unit_code = r.member_code
        GROUP BY ALL
    ),
    summed AS (
        SELECT g.rollup_code, g.rollup_level, g.indicator_code, k.kind,
               CAST(coalesce(s.numerator, 0) AS DOUBLE) AS numerator,
               CASE WHEN k.kind = 'rate' THEN CAST(coalesce(s.denominator, 0) AS DOUBLE) END AS denominator,
               CASE WHEN k.kind = 'rate' THEN CAST(coalesce(s.unknown, 0) AS DOUBLE) END AS unknown,
               CASE WHEN k.kind = 'count' THEN CAST(coalesce(s.numerator, 0) AS DOUBLE)
                    WHEN coalesce(s.denominator, 0) > 0 THEN 100.0 * s.numerator / s.denominator END AS value
        FROM grid g JOIN kinds k USING (indicator_code)
        LEFT JOIN summed_raw s USING (rollup_code, rollup_level, indicator_code)
        WHERE k.kind IN ('rate', 'count')
    ),
    dissatisfied AS (
        SELECT r.rollup_code, r.rollup_level, count(*) AS n
        FROM _period_rollup r JOIN _f_survey s ON s.unit_code = r.member_code
        WHERE s.rating <= {int(dissatisfied_max)} AND ({where_by_fact.get('survey', 'TRUE')})
        GROUP BY ALL
    ),
    nat_levels AS ({natural_levels_sql()}),
    self_assessed AS (
        SELECT g.rollup_code, g.rollup_level, g.indicator_code, CAST(NULL AS DOUBLE) AS numerator,
               CAST(NULL AS DOUBLE) AS denominator, CAST(NULL AS DOUBLE) AS unknown, sa.value
        FROM grid g
        LEFT JOIN (
            SELECT n.unit_code, n.natural_level, s.indicator_code, last(s.value ORDER BY s.file_path, s.row_number) AS value
            FROM staging.stg_self_assessment s
            JOIN _period_rollup r ON r.member_code = s.unit_code
            JOIN nat_levels n ON n.unit_code = r.attributed_code
            WHERE s.period = $period_label AND s.indicator_code IN ({self_codes})
            GROUP BY ALL
        ) sa ON sa.unit_code = g.rollup_code AND sa.natural_level = g.rollup_level AND sa.indicator_code = g.indicator_code
        WHERE g.indicator_code IN ({self_codes})
    )
    SELECT rollup_code, rollup_level, indicator_code, numerator, denominator, unknown, value FROM summed
    UNION ALL SELECT * FROM self_assessed
    {derived_sql}
    """


def _scored_values(method: Methodology) -> str:
    return ", ".join(
        f"({_q(i.code)}, {_q(i.group)}, {float(i.points)}, {'NULL' if i.threshold is None else float(i.threshold)}, "
        f"{_q(i.kind)}, {_q(i.value_is)}, {_q(','.join(i.levels))})"
        for i in method.indicators if i.scored
    )


def indicator_scores_sql(method: Methodology) -> str:
    """Points per scored indicator (methodology §3) from _period_values, with why it is N/A."""
    return f"""
    WITH defs(indicator_code, group_code, points, threshold, kind, value_is, levels) AS (VALUES {_scored_values(method)}),
    units AS (SELECT DISTINCT rollup_code, rollup_level, city_code FROM _period_rollup)
    SELECT
        u.rollup_code AS org_unit_code, u.rollup_level AS org_level, u.city_code,
        d.group_code, d.indicator_code, v.value, v.numerator, v.denominator, d.points, d.threshold,
        list_contains(string_split(d.levels, ','), u.rollup_level) AND v.value IS NOT NULL AS applicable,
        CASE
            WHEN NOT list_contains(string_split(d.levels, ','), u.rollup_level) OR v.value IS NULL THEN 0.0
            WHEN d.kind = 'self_assessed' AND d.value_is = 'points' THEN least(greatest(v.value, 0), d.points)
            -- a self-assessed percentage outside 0-100 is flagged (reference_rows_usable), not capped
            WHEN d.threshold IS NULL THEN v.value / 100.0 * d.points
            WHEN v.value >= d.threshold THEN d.points
            ELSE greatest(v.value, 0) / d.threshold * d.points
        END AS score,
        CASE WHEN list_contains(string_split(d.levels, ','), u.rollup_level) AND v.value IS NOT NULL THEN d.points ELSE 0.0 END AS max_score,
        CASE
            WHEN NOT list_contains(string_split(d.levels, ','), u.rollup_level)
                THEN 'N/A: không áp dụng cho cấp ' || u.rollup_level || ' / not applicable at this level'
            WHEN v.value IS NULL AND d.kind = 'self_assessed'
                THEN 'N/A: không có số liệu tự đánh giá cho kỳ này / no self-assessment for this period'
            WHEN v.value IS NULL AND d.kind = 'derived'
                THEN 'N/A: chỉ số đầu vào không có giá trị hoặc không tiếp nhận hồ sơ / an input is N/A or nothing was received'
            WHEN v.value IS NULL AND v.unknown > 0
                THEN 'N/A: tệp xuất không có dữ liệu đầu vào của chỉ số / the exports do not carry this indicator''s inputs'
            WHEN v.value IS NULL THEN 'N/A: mẫu số bằng 0 / denominator is 0'
            WHEN d.points = 0 THEN 'theo dõi, không tính điểm / monitoring only, 0 points'
            WHEN d.kind = 'self_assessed' AND d.value_is = 'points' THEN 'điểm tự đánh giá (tối đa ' || d.points || ') / self-assessed points'
            WHEN d.kind = 'self_assessed' AND (v.value < 0 OR v.value > 100)
                THEN 'giá trị tự đánh giá ngoài 0–100 (đã cảnh báo, không cắt) / self-assessed value outside 0-100 (flagged, not capped)'
            WHEN d.threshold IS NULL THEN 'điểm = giá trị / 100 × ' || d.points || ' / score = value / 100 × points'
            WHEN v.value >= d.threshold THEN 'đạt ngưỡng ' || d.threshold || '%: đủ điểm / threshold met: full points'
            ELSE 'dưới ngưỡng ' || d.threshold || '%: điểm = giá trị / ngưỡng × ' || d.points || ' / below threshold'
        END AS reason
    FROM units u CROSS JOIN defs d
    LEFT JOIN _period_values v ON v.rollup_code = u.rollup_code AND v.rollup_level = u.rollup_level AND v.indicator_code = d.indicator_code
    """


def band_case(method: Methodology, ratio_expr: str) -> str:
    whens = " ".join(f"WHEN round({ratio_expr}, 2) >= {float(b.min)} THEN {_q(b.label_vi)}" for b in method.bands if b.min is not None)
    last = next((b for b in method.bands if b.min is None), None)
    return f"CASE WHEN {ratio_expr} IS NULL THEN NULL {whens} ELSE {_q(last.label_vi) if last else 'NULL'} END"


def scores_sql(method: Methodology) -> str:
    """Group and TOTAL scores, ratio on the applicable maximum, competition rank, band (§3, §6)."""
    return f"""
    WITH groups AS (
        SELECT org_unit_code, org_level, city_code, group_code,
               sum(score ORDER BY indicator_code) AS score, sum(max_score ORDER BY indicator_code) AS max_score
        FROM _period_indicator_scores GROUP BY ALL
    ),
    total AS (
        SELECT org_unit_code, org_level, city_code, 'TOTAL' AS group_code,
               sum(score ORDER BY group_code) AS score, sum(max_score ORDER BY group_code) AS max_score
        FROM groups GROUP BY ALL
    ),
    both_ AS (
        SELECT *, CASE WHEN max_score > 0 THEN 100.0 * score / max_score END AS ratio FROM groups
        UNION ALL
        SELECT *, CASE WHEN max_score > 0 THEN 100.0 * score / max_score END AS ratio FROM total
    )
    SELECT org_unit_code, org_level, group_code, score, max_score, ratio,
        CASE WHEN group_code = 'TOTAL' AND ratio IS NOT NULL THEN
            rank() OVER (PARTITION BY org_level, city_code, group_code = 'TOTAL' AND ratio IS NOT NULL ORDER BY round(ratio, 2) DESC)
        END AS rank,
        CASE WHEN group_code = 'TOTAL' THEN {band_case(method, 'ratio')} END AS classification
    FROM both_
    """


# ---------------------------------------------------------------------------------------------
# targets (§5) and the PAR Index (§6): year periods


def targets_relation(con: duckdb.DuckDBPyConnection, year: int, method: Methodology) -> str:
    """The year's targets: landing/reference/targets rows for that year, else the methodology's defaults."""
    n = con.execute("SELECT count(*) FROM staging.stg_targets WHERE year = ?", [year]).fetchone()[0]
    if n:
        return f"""SELECT CAST(year AS INTEGER) AS year, scope, indicator_code, comparator, value, target_group,
                          unit_category, second_value, note, 'landing' AS target_source
                   FROM staging.stg_targets WHERE year = {int(year)}"""
    if not method.default_targets:
        return ("SELECT NULL::INTEGER AS year, NULL AS scope, NULL AS indicator_code, NULL AS comparator, NULL::DOUBLE AS value, "
                "NULL AS target_group, NULL AS unit_category, NULL::DOUBLE AS second_value, NULL AS note, NULL AS target_source WHERE FALSE")
    rows = ", ".join(
        f"({int(year)}, {_q(t['scope'])}, {_q(t['indicator_code'])}, {_q(t['comparator'])}, {float(t['value'])}, "
        f"{_q(t['target_group']) if t.get('target_group') else 'NULL'}, {_q(t['unit_category']) if t.get('unit_category') else 'NULL'}, "
        f"{float(t['second_value']) if t.get('second_value') is not None else 'NULL'}, {_q(t.get('note', ''))}, 'methodology')"
        for t in method.default_targets
    )
    return f"""SELECT * FROM (VALUES {rows}) t(year, scope, indicator_code, comparator, value, target_group,
                                              unit_category, second_value, note, target_source)"""


def target_group_filter(expr: str | None) -> str:
    """'land,investment' -> target_group IN (...); '!land,investment' -> all procedures except those."""
    if not expr or not expr.strip():
        return "TRUE"
    negate = expr.strip().startswith("!")
    groups = [g.strip() for g in expr.strip().lstrip("!").split(",") if g.strip()]
    inside = f"coalesce(target_group, '') IN ({', '.join(_q(g) for g in groups)})"
    return f"NOT ({inside})" if negate else inside


def dossier_group_counts_sql(method: Methodology) -> str:
    """``counts_sql`` of the prepared period's dossiers per (unit, procedure group): every count is
    additive, so one pass serves the unit totals (``unit_totals_sql``) and each target group's
    values (``_group_values``)."""
    return counts_sql(method, "dossier", "_f_dossier", keys="unit_code, target_group")


def unit_totals_sql(group_counts: str, where: str = "TRUE") -> str:
    """Per unit and indicator: the sums of a ``dossier_group_counts_sql`` table over the procedure
    groups that ``where`` keeps."""
    return (f"SELECT unit_code, indicator_code, sum(numerator) AS numerator, sum(denominator) AS denominator, "
            f"sum(unknown) AS unknown FROM {group_counts} WHERE {where} GROUP BY ALL")


def _group_values(con: duckdb.DuckDBPyConnection, table: str, p: Period, method: Methodology, groups: list[str],
                  group_counts: str | None = None) -> None:
    """Append to ``table`` the dossier indicators' values of the prepared period recomputed over the
    procedures of each target group filter (target_group, org_unit_code, org_level, indicator_code,
    numerator, denominator, value), from ``group_counts`` (a ``dossier_group_counts_sql`` table of
    the period) or one pass over its dossiers."""
    if not groups:
        return
    own = group_counts is None
    if own:
        group_counts = "_dossier_group_counts"
        con.execute(f"CREATE OR REPLACE TEMP TABLE {group_counts} AS {dossier_group_counts_sql(method)}")
    for group in sorted(set(groups)):
        counts = unit_totals_sql(group_counts, target_group_filter(group))
        where = {f: "FALSE" for f in ("survey", "feedback", "document", "email", "procedure")}
        sql = rolled_values_sql(method, where, unit_counts=counts)
        con.execute(f"INSERT INTO {table} SELECT {_q(group)}, rollup_code, rollup_level, indicator_code, numerator, denominator, value "
                    f"FROM ({sql}) WHERE indicator_code IN (SELECT code FROM _dossier_codes)", _used(sql, {"period_label": p.label}))
    if own:
        con.execute(f"DROP TABLE {group_counts}")


def _empty_values(con: duckdb.DuckDBPyConnection, table: str) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} (target_group VARCHAR, org_unit_code VARCHAR, org_level VARCHAR, "
                "indicator_code VARCHAR, numerator DOUBLE, denominator DOUBLE, value DOUBLE)")


def target_attainment_sql(method: Methodology, targets_rel: str) -> str:
    hib = ", ".join(f"({_q(i.code)}, {str(i.higher_is_better).upper()})" for i in method.indicators)
    return f"""
    WITH targets AS ({targets_rel}),
    hib(indicator_code, higher_is_better) AS (VALUES {hib}),
    nat_levels AS ({natural_levels_sql()}),
    units AS (
        SELECT n.unit_code, n.natural_level, n.city_code, o.level AS org_unit_level, o.category
        FROM nat_levels n
        LEFT JOIN (SELECT * FROM staging.stg_org_units
                   QUALIFY row_number() OVER (PARTITION BY unit_code ORDER BY valid_from DESC NULLS LAST) = 1) o USING (unit_code)
    ),
    scoped AS (   -- each target x each org unit it applies to
        SELECT t.year, t.scope, t.indicator_code, t.comparator, t.value AS target_value, t.target_group, t.unit_category,
               t.second_value, t.note, t.target_source, u.unit_code, u.natural_level, u.city_code
        FROM targets t JOIN units u ON (
            (t.scope = 'city' AND u.natural_level = 'city')
            OR (t.scope = 'unit' AND u.natural_level <> 'city')
            OR (t.scope IN ('department', 'district', 'commune') AND u.org_unit_level = t.scope)
            OR (t.scope = u.unit_code))
        WHERE t.unit_category IS NULL OR t.unit_category = '' OR u.category = t.unit_category
    ),
    valued AS (
        SELECT s.*, coalesce(h.higher_is_better, TRUE) AS higher_is_better, v.numerator, v.denominator,
               v.value AS unit_value, prev.value AS previous_value
        FROM scoped s
        LEFT JOIN hib h USING (indicator_code)
        LEFT JOIN _target_values v ON v.target_group = coalesce(s.target_group, '') AND v.org_unit_code = s.unit_code
             AND v.org_level = s.natural_level AND v.indicator_code = s.indicator_code
        LEFT JOIN _previous_values prev ON prev.target_group = coalesce(s.target_group, '') AND prev.org_unit_code = s.unit_code
             AND prev.org_level = s.natural_level AND prev.indicator_code = s.indicator_code
    ),
    per_unit AS (
        SELECT year, unit_code AS org_unit_code, natural_level AS org_level, indicator_code, comparator, target_value,
               target_group, unit_category, second_value, note, target_source, numerator, denominator, previous_value,
               CASE comparator
                   WHEN 'increase_pp' THEN unit_value - previous_value
                   WHEN 'increase_rel' THEN CASE WHEN previous_value > 0 THEN 100.0 * (unit_value - previous_value) / previous_value END
                   ELSE unit_value END AS actual_value
        FROM valued
        WHERE comparator <> 'share_of_units'
    ),
    shares AS (   -- one row per city: the share of the scope's units (with a value) meeting second_value
        SELECT year, city_code AS org_unit_code, 'city' AS org_level, indicator_code, comparator, target_value,
               target_group, unit_category, second_value, note, target_source,
               CAST(count(*) FILTER (WHERE meets) AS DOUBLE) AS numerator,
               CAST(count(*) FILTER (WHERE unit_value IS NOT NULL) AS DOUBLE) AS denominator,
               CAST(NULL AS DOUBLE) AS previous_value,
               CASE WHEN count(*) FILTER (WHERE unit_value IS NOT NULL) > 0
                    THEN 100.0 * count(*) FILTER (WHERE meets) / count(*) FILTER (WHERE unit_value IS NOT NULL) END AS actual_value
        FROM (SELECT *, CASE WHEN higher_is_better THEN unit_value >= second_value ELSE unit_value <= second_value END AS meets
              FROM valued WHERE comparator = 'share_of_units') x
        GROUP BY ALL
    ),
    all_rows AS (SELECT * FROM per_unit UNION ALL BY NAME SELECT * FROM shares)
    SELECT year, org_unit_code, indicator_code, comparator, target_value, actual_value,
        CASE WHEN actual_value IS NULL THEN NULL
             WHEN comparator IN ('>=', 'increase_pp', 'increase_rel', 'share_of_units') THEN round(actual_value, 6) >= target_value
             WHEN comparator = '>' THEN round(actual_value, 6) > target_value
             WHEN comparator = '<=' THEN round(actual_value, 6) <= target_value
             WHEN comparator = '<' THEN round(actual_value, 6) < target_value
             WHEN comparator = '=' THEN round(actual_value, 6) = target_value
        END AS met,
        org_level, target_group, unit_category, second_value, numerator, denominator, previous_value, note, target_source
    FROM all_rows
    """


def par_index_sql(method: Methodology) -> str:
    areas = ", ".join(f"({_q(a.code)}, {float(a.max)})" for a in method.par_areas)
    return f"""
    WITH areas(area_code, max_score) AS (VALUES {areas}),
    nat_levels AS ({natural_levels_sql()}),
    assessed AS (
        SELECT n.unit_code, n.natural_level, n.city_code, s.indicator_code AS area_code,
               last(s.value ORDER BY s.file_path, s.row_number) AS value
        FROM staging.stg_self_assessment s
        JOIN _period_rollup r ON r.member_code = s.unit_code
        JOIN nat_levels n ON n.unit_code = r.attributed_code
        WHERE s.period = $period_label AND s.indicator_code IN (SELECT area_code FROM areas)
        GROUP BY ALL
    ),
    units AS (SELECT DISTINCT unit_code, natural_level, city_code FROM assessed),
    per_area AS (
        SELECT u.unit_code, u.natural_level, u.city_code, a.area_code,
               least(greatest(s.value, 0), a.max_score) AS score,
               CASE WHEN s.value IS NOT NULL THEN a.max_score ELSE 0 END AS max_score
        FROM units u CROSS JOIN areas a
        LEFT JOIN assessed s ON s.unit_code = u.unit_code AND s.area_code = a.area_code
    ),
    total AS (
        SELECT unit_code, natural_level, city_code, 'TOTAL' AS area_code,
               sum(coalesce(score, 0) ORDER BY area_code) AS score, sum(max_score ORDER BY area_code) AS max_score
        FROM per_area GROUP BY ALL
    ),
    both_ AS (
        SELECT *, CASE WHEN max_score > 0 THEN 100.0 * score / max_score END AS ratio FROM per_area
        UNION ALL SELECT *, CASE WHEN max_score > 0 THEN 100.0 * score / max_score END AS ratio FROM total
    )
    SELECT unit_code AS org_unit_code, natural_level AS org_level, area_code, score, max_score, ratio,
        CASE WHEN area_code = 'TOTAL' AND ratio IS NOT NULL THEN
            rank() OVER (PARTITION BY natural_level, city_code, area_code = 'TOTAL' AND ratio IS NOT NULL ORDER BY round(ratio, 2) DESC)
        END AS rank,
        CASE WHEN area_code = 'TOTAL' THEN {band_case(method, 'ratio')} END AS classification
    FROM both_
    """


# ---------------------------------------------------------------------------------------------


def score_period(con: duckdb.DuckDBPyConnection, p: Period, version: str, shared_latest: str | None = None,
                 shared_counts: dict | None = None) -> PeriodResult:
    """Compute and write every mart of one period and methodology version, in one transaction.
    ``shared_counts`` (owned by the caller, who drops the tables): per month, the dossier counts
    (per unit and procedure group) of its month-end state, for the periods whose only month so far
    is that month (a month, and the quarter and year it opens, count the same dossiers)."""
    method = load_methodology(version)
    if p.type == "year":
        targets_rel = targets_relation(con, p.start.year, method)
        targets = con.execute(f"SELECT DISTINCT target_group, comparator FROM ({targets_rel})").fetchall()
        con.execute("CREATE OR REPLACE TEMP TABLE _dossier_codes AS SELECT * FROM (VALUES "
                    + ", ".join(f"({_q(i.code)})" for i in method.by_fact("dossier")) + ") t(code)")
        # year-over-year targets on a procedure group compare with last year's value over the same
        # group: recompute it from last year's rows (the published values are unfiltered)
        _empty_values(con, "_previous_group_values")
        yoy_groups = [g for g, comp in targets if g and comp in ("increase_pp", "increase_rel")]
        prev_start = dt.date(p.start.year - 1, 1, 1)
        prev_last = last_loaded_month(con, prev_start, p.start) if yoy_groups else None
        if prev_last:
            prev = period("year", prev_start, prev_last)
            _prepare_period(con, prev, method)
            _group_values(con, "_previous_group_values", prev, method, yoy_groups)
    from_month_end = _prepare_period(con, p, method, shared_latest)
    group_counts = dossier_counts = None
    if method.by_fact("dossier"):
        # one pass over the period's dossiers per (unit, procedure group): the unit totals and
        # the year's target groups both come from it
        if from_month_end and shared_counts is not None:
            key = (method.version, p.start)
            if key not in shared_counts:
                shared_counts[key] = f"_dossier_counts_{len(shared_counts)}"
                con.execute(f"CREATE OR REPLACE TEMP TABLE {shared_counts[key]} AS {dossier_group_counts_sql(method)}")
            group_counts = shared_counts[key]
        else:
            group_counts = "_period_group_counts"
            con.execute(f"CREATE OR REPLACE TEMP TABLE {group_counts} AS {dossier_group_counts_sql(method)}")
        dossier_counts = f"({unit_totals_sql(group_counts)})"
    label = {"period_label": p.label}
    values_sql = rolled_values_sql(method, dossier_counts=dossier_counts)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _period_values AS {values_sql}", _used(values_sql, label))
    balance = received_balance(con, p, method)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _period_indicator_scores AS {indicator_scores_sql(method)}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _period_scores AS {scores_sql(method)}")
    key = {"t": p.type, "s": p.start, "v": method.version}
    targets_n = par_n = 0
    if p.type == "year":
        _empty_values(con, "_target_values")
        con.execute("INSERT INTO _target_values SELECT '', rollup_code, rollup_level, indicator_code, numerator, denominator, value "
                    "FROM _period_values")
        _group_values(con, "_target_values", p, method, [g for g, _ in targets if g], group_counts)
        con.execute("""CREATE OR REPLACE TEMP TABLE _previous_values AS
                       SELECT '' AS target_group, org_unit_code, org_level, indicator_code, value FROM marts.indicator_values
                       WHERE period_type = 'year' AND period_start = ? AND methodology_version = ?
                       UNION ALL
                       SELECT target_group, org_unit_code, org_level, indicator_code, value FROM _previous_group_values""",
                    [dt.date(p.start.year - 1, 1, 1), method.version])
        con.execute(f"CREATE OR REPLACE TEMP TABLE _period_targets AS {target_attainment_sql(method, targets_rel)}")
        par = par_index_sql(method)
        con.execute(f"CREATE OR REPLACE TEMP TABLE _period_par AS {par}", _used(par, label))
    with transaction(con):
        con.execute("DELETE FROM core.org_rollup WHERE period_type = $t AND period_start = $s", {"t": p.type, "s": p.start})
        con.execute(f"INSERT INTO core.org_rollup BY NAME (SELECT {_q(p.type)} AS period_type, * FROM _period_rollup)")
        con.execute("DELETE FROM marts.periods WHERE period_type = $t AND period_start = $s AND methodology_version = $v", key)
        con.execute(
            "INSERT INTO marts.periods (period_type, period_start, period_end, asof_month, period_label, is_complete, "
            f"methodology_version, sources, sources_missing) SELECT $t, $s, $e, $a, $label, $complete, $v, * FROM ({PERIOD_SOURCES_SQL})",
            key | {"e": p.end, "a": p.asof, "label": p.label, "complete": p.complete},
        )
        con.execute("DELETE FROM marts.indicator_values WHERE period_type = $t AND period_start = $s AND methodology_version = $v", key)
        con.execute(
            "INSERT INTO marts.indicator_values SELECT $t, $s, rollup_code, rollup_level, indicator_code, numerator, denominator, value, $v "
            "FROM _period_values", key)
        n_values = con.execute("SELECT count(*) FROM _period_values").fetchone()[0]
        con.execute("DELETE FROM marts.indicator_scores WHERE period_type = $t AND period_start = $s AND methodology_version = $v", key)
        con.execute(
            "INSERT INTO marts.indicator_scores SELECT $t, $s, org_unit_code, org_level, $v, group_code, indicator_code, value, "
            "numerator, denominator, points, threshold, applicable, score, max_score, reason FROM _period_indicator_scores", key)
        con.execute("DELETE FROM marts.scores WHERE period_type = $t AND period_start = $s AND methodology_version = $v", key)
        con.execute(
            "INSERT INTO marts.scores SELECT $t, $s, org_unit_code, org_level, $v, group_code, score, max_score, ratio, rank, classification "
            "FROM _period_scores", key)
        n_scores = con.execute("SELECT count(*) FROM _period_scores").fetchone()[0]
        if p.type == "year":
            yk = {"y": p.start.year, "v": method.version}
            con.execute("DELETE FROM marts.target_attainment WHERE year = $y AND methodology_version = $v", yk)
            con.execute(
                "INSERT INTO marts.target_attainment SELECT year, org_unit_code, indicator_code, comparator, target_value, actual_value, met, "
                "org_level, target_group, unit_category, second_value, numerator, denominator, previous_value, note, target_source, "
                "$e AS period_end, $v FROM _period_targets", {"v": method.version, "e": p.end})
            targets_n = con.execute("SELECT count(*) FROM _period_targets").fetchone()[0]
            con.execute("DELETE FROM marts.par_index WHERE year = $y AND methodology_version = $v", yk)
            con.execute(
                "INSERT INTO marts.par_index SELECT CAST($y AS INTEGER), org_unit_code, org_level, $v, area_code, score, max_score, ratio, rank, classification "
                "FROM _period_par", yk)
            par_n = con.execute("SELECT count(*) FROM _period_par").fetchone()[0]
    for t in ("_period_values", "_period_indicator_scores", "_period_scores", "_period_group_counts", "_f_dossier",
              "_f_survey", "_f_feedback", "_f_document", "_f_email", "_f_procedure"):
        _drop_temp(con, t)
    return PeriodResult(p, n_values, n_scores, targets_n, par_n, units_received=balance[0], city_received=balance[1])


def received_balance(con: duckdb.DuckDBPyConnection, p: Period, method: Methodology) -> tuple[int | None, int | None]:
    """(dossiers received in the period whose unit is in force in it or attributed to one, sum of
    the cities' RPT_RECEIVED) from the prepared period: methodology §1, no row of a unit in force
    may be missing from the city's figures. The first count reads the org units' validity
    directly, not the roll-up, so a unit the roll-up loses (e.g. under an abolished parent)
    shows as a difference."""
    if not any(i.code == "RPT_RECEIVED" for i in method.by_fact("dossier")):
        return None, None
    sql = """
        WITH in_force AS (
            SELECT unit_code FROM staging.stg_org_units
            WHERE coalesce(valid_from, DATE '1900-01-01') < $period_end AND (valid_to IS NULL OR valid_to >= $period_start)
            UNION SELECT member_code FROM _period_rollup
        )
        SELECT (SELECT count(*) FROM _f_dossier WHERE is_received AND unit_code IN (SELECT unit_code FROM in_force)),
               (SELECT CAST(coalesce(sum(value), 0) AS BIGINT) FROM _period_values
                WHERE indicator_code = 'RPT_RECEIVED' AND rollup_level = 'city')
    """
    units, city = con.execute(sql, _used(sql, p.params())).fetchone()
    return int(units), int(city)


# the event sources a period was built from (files loaded in its months), and those missing from
# one of its months although they had files the month before (a gap the operator accepted)
PERIOD_SOURCES_SQL = """
WITH present AS (
    SELECT DISTINCT source, month FROM quality.file_log WHERE month IS NOT NULL AND status = 'loaded'
)
SELECT
    (SELECT string_agg(DISTINCT source, ',' ORDER BY source) FROM present WHERE month >= $s AND month < $e) AS sources,
    (SELECT string_agg(DISTINCT b.source, ',' ORDER BY b.source) FROM present b
     WHERE CAST(b.month + INTERVAL 1 MONTH AS DATE) >= $s AND CAST(b.month + INTERVAL 1 MONTH AS DATE) < $e
       AND NOT EXISTS (SELECT 1 FROM present n WHERE n.source = b.source AND n.month = CAST(b.month + INTERVAL 1 MONTH AS DATE))
    ) AS sources_missing
"""


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
    for (asof, end), group in by_asof.items():
        multi = [p for p in group if p.start != p.asof]
        shared, shared_seconds = None, 0.0
        if multi:
            earliest = min(multi, key=lambda p: p.start)
            winners_sql = sql_file("facts/int_dossier_winners.sql")
            started = time.perf_counter()
            con.execute(f"CREATE OR REPLACE TEMP TABLE _dossier_winners AS {winners_sql}", _used(winners_sql, earliest.params()))
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


def unusable_reference_rows(con: duckdb.DuckDBPyConnection, version: str) -> list[str]:
    """Rows of reference/targets and reference/self_assessment that scoring cannot use, each named
    by file, row and column: an indicator code the methodology does not have (or, for
    self-assessment, one it computes from the exports), a scope or unit that is no org unit; and
    self-assessed percentages outside 0-100 (scored as written, flagged rather than capped).
    They stay staged (nothing is dropped); the asset check lists them."""
    method = load_methodology(version)
    codes = ", ".join(_q(i.code) for i in method.indicators) or "NULL"
    assessable = ", ".join(_q(c) for c in [i.code for i in method.indicators if i.kind == "self_assessed"]
                           + [a.code for a in method.par_areas]) or "NULL"
    percents = ", ".join(_q(i.code) for i in method.indicators if i.kind == "self_assessed" and i.value_is == "percent") or "NULL"
    rows = con.execute(f"""
        WITH units AS (SELECT DISTINCT unit_code FROM staging.stg_org_units)
        SELECT file_path, row_number, 'indicator_code', indicator_code,
               'không có trong phương pháp {method.version} / not an indicator of methodology {method.version}'
        FROM staging.stg_targets WHERE indicator_code NOT IN ({codes})
        UNION ALL
        SELECT file_path, row_number, 'scope', scope,
               'không phải city, cấp đơn vị hay mã đơn vị / neither city, an org level nor a unit code'
        FROM staging.stg_targets
        WHERE scope NOT IN ('city', 'department', 'district', 'commune', 'unit') AND scope NOT IN (SELECT unit_code FROM units)
        UNION ALL
        SELECT file_path, row_number, 'indicator_code', indicator_code,
               'không phải chỉ số tự đánh giá hay lĩnh vực Chỉ số CCHC / not a self-assessed indicator or PAR Index area'
        FROM staging.stg_self_assessment WHERE indicator_code NOT IN ({assessable})
        UNION ALL
        SELECT file_path, row_number, 'unit_code', unit_code, 'mã đơn vị không có trong org_units / unit not in org_units'
        FROM staging.stg_self_assessment WHERE unit_code NOT IN (SELECT unit_code FROM units)
        UNION ALL
        SELECT file_path, row_number, 'value', CAST(value AS VARCHAR),
               'tỷ lệ phần trăm ngoài 0–100, được tính điểm như ghi, không cắt / a percentage outside 0-100, scored as written, not capped'
        FROM staging.stg_self_assessment WHERE indicator_code IN ({percents}) AND (value < 0 OR value > 100)
        ORDER BY 1, 2, 3
    """).fetchall()
    return [f"{f} dòng/row {n}, cột/column {col}: {value!r} — {why}" for f, n, col, value, why in rows]


def build_dim_indicator(con: duckdb.DuckDBPyConnection, version: str) -> int:
    """core.dim_indicator rows of one methodology version (replaced)."""
    method = load_methodology(version)
    rows = [
        (method.version, i.code, i.section, i.name_vi, i.name_en, i.fact, i.kind, i.unit, i.higher_is_better,
         i.formula_text(), i.numerator or None, i.denominator or None, i.group, i.points, i.threshold, ",".join(i.levels),
         _on_time_definition(i))
        for i in method.indicators
    ]
    with transaction(con):
        con.execute("DELETE FROM core.dim_indicator WHERE methodology_version = ?", [method.version])
        if rows:  # one statement: DuckDB's executemany runs one statement per row (seconds for ~100)
            row = "(" + ", ".join("?" * 17) + ")"
            con.execute("INSERT INTO core.dim_indicator VALUES " + ", ".join([row] * len(rows)), [v for r in rows for v in r])
    return len(rows)


def _on_time_definition(i: Indicator) -> str | None:
    if i.code in ("ON_TIME_REPORT", "LATE_RATE", "RPT_RESOLVED_EARLY", "RPT_RESOLVED_ON_TIME", "RPT_RESOLVED_LATE",
                  "RPT_PENDING_WITHIN", "RPT_PENDING_OVERDUE", "APOLOGY_COVERAGE"):
        return "report: ngày (date granularity)"
    if i.code == "IDX_2_1":
        return "index: thời điểm, trừ thời gian bổ sung, > 1 lần bổ sung = trễ (timestamps, supplement deducted)"
    return None
