"""Drill-down (methodology §7): the rows behind every indicator value, for the CLI and for SQL.

For SQL users the warehouse holds table macros built from the same SQL files as the scores:

* ``core.dossier_facts(period_start, period_end, asof_month)`` and likewise ``core.survey_facts``,
  ``core.feedback_facts``, ``core.document_facts``, ``core.email_facts`` (+ ``regular_share_pct``),
  ``core.procedure_facts(period_type, period_start, period_end, asof_month)``: the fact rows of any period;
* ``marts.indicator_rows(indicator_code, org_unit_code, org_level, period_type, period_start)``:
  the rows in the denominator (and whether each is in the numerator) of one published value,
  with source file, row number, record id and the fields that decided it. The period's end and
  as-of month come from ``marts.periods``; the methodology is the one last scored.
"""

from __future__ import annotations

import datetime as dt
import re

import duckdb

from cchc_etl.facts import FACT_KEYS
from cchc_etl.format_vi import number, percent
from cchc_etl.methodology import Indicator, Methodology, load_methodology
from cchc_etl.suggest import did_you_mean

# columns always shown for a fact, besides those the indicator's conditions mention
BASE_FIELDS = {
    "dossier": ("status", "channel", "received_at", "due_at", "resolved_at"),
    "survey": ("rated_at", "rating"),
    "feedback": ("status", "received_at", "due_at", "answered_at"),
    "document": ("direction", "registered_at", "form", "secrecy"),
    "email": ("role", "active_days", "working_days", "regular_min_days"),
    "procedure": ("in_force", "dossiers_received"),
}


def _fields(fact: str, ind: Indicator, columns: list[str]) -> list[str]:
    text = f"{ind.numerator} {ind.denominator} {ind.known if ind.kind == 'rate' else ''}"
    used = [c for c in columns if re.search(rf"\b{re.escape(c)}\b", text)]
    return list(dict.fromkeys([*BASE_FIELDS.get(fact, ()), *used]))


def _fact_columns(con: duckdb.DuckDBPyConnection, fact: str) -> list[str]:
    rel = _fact_call(fact, "DATE '2000-01-01'", "DATE '2000-02-01'", "DATE '2000-01-01'", "'month'", 50.0)
    return [d[0] for d in con.execute(f"SELECT * FROM {rel} LIMIT 0").description]


def _fact_call(fact: str, start: str, end: str, asof: str, ptype: str, share: float) -> str:
    if fact == "procedure":
        return f"core.procedure_facts({ptype}, {start}, {end}, {asof})"
    if fact == "email":
        return f"core.email_facts({start}, {end}, {asof}, {share})"
    return f"core.{fact}_facts({start}, {end}, {asof})"


def _row_parts(method: Methodology, ind: Indicator, cols: list[str]) -> dict[str, str]:
    """SQL over fact alias ``f`` for one indicator's rows: ``den`` (the row is in the
    denominator), ``num`` (and in the numerator), ``shown`` (a row explain lists: in the
    denominator, or in the numerator) and ``select`` (the columns explain shows)."""
    source, key = FACT_KEYS[ind.fact]
    fields = _fields(ind.fact, ind, cols)
    details = ", ".join(f"'{c}', f.{c}" for c in fields)
    # a rate's rows count only when their inputs are known (methodology §3 "Data not carried")
    den = "TRUE" if ind.kind == "count" else f"({ind.denominator}) AND ({ind.known_condition()})"
    num = f"({den}) AND ({ind.numerator})"
    has_file = "file_path" in cols
    select = f"""'{ind.code}' AS indicator_code, '{source}' AS source,
               {'f.file_path' if has_file else 'NULL'} AS file_path, {'f.row_number' if has_file else 'NULL'} AS row_number,
               {'f.system' if 'system' in cols else 'NULL'} AS system, CAST(f.{key} AS VARCHAR) AS record_id, f.unit_code,
               {num} AS in_numerator, {den} AS in_denominator,
               CAST(json_object({details}) AS VARCHAR) AS fields"""
    file_key, row_key = ("coalesce(f.file_path, '')", "coalesce(f.row_number, 0)") if has_file else ("''", "0")
    # explain's order (numerator rows first, then file, row, record) as one comparable value
    order = f"{{'n': NOT coalesce({num}, FALSE), 'file': {file_key}, 'row': {row_key}, 'id': CAST(f.{key} AS VARCHAR)}}"
    return {"den": den, "num": num, "shown": f"({den} OR ({ind.numerator}))", "select": select, "order": order}


def rows_sql(con: duckdb.DuckDBPyConnection, method: Methodology, ind: Indicator, *, start: str, end: str, asof: str,
             ptype: str, unit: str, level: str, columns: list[str] | None = None) -> str | None:
    """SELECT of the rows behind one indicator value (None: self-assessed / derived indicators)."""
    if ind.kind not in ("rate", "count"):
        return None
    share = float(method.parameters.get("email_regular_share_pct", 50))
    parts = _row_parts(method, ind, columns or _fact_columns(con, ind.fact))
    return f"""
        SELECT {parts['select']}
        FROM {_fact_call(ind.fact, start, end, asof, ptype, share)} f
        WHERE f.unit_code IN (SELECT member_code FROM core.org_rollup WHERE period_type = {ptype} AND period_start = {start}
                                AND rollup_code = {unit} AND rollup_level = {level})
          AND {parts['shown']}
    """


def sample_rows(con: duckdb.DuckDBPyConnection, method: Methodology, indicators: list[str], *, start: dt.date, end: dt.date,
                asof: dt.date, ptype: str, level: str = "unit", per_unit: int = 20):
    """The first ``per_unit`` rows behind each of ``indicators`` (rate and count kinds) for every
    unit at ``level``, in ``explain``'s order (numerator rows first, then by file and row), with
    the number of rows in the numerator and in the denominator of each (unit, indicator). One pass
    over each kind of fact for all units; the first rows are picked by a top-N aggregate (no sort
    of all the rows) and only they get their fields. A pandas frame: ``org_unit_code``, the
    columns of ``rows_sql``, ``rows_in_numerator`` and ``rows_in_denominator``."""
    import pandas as pd

    wanted = [method.indicator(c) for c in indicators]
    wanted = [i for i in wanted if i.kind in ("rate", "count")]
    share = float(method.parameters.get("email_regular_share_pct", 50))
    s, e, a = f"DATE '{start.isoformat()}'", f"TIMESTAMP '{end.isoformat()} 00:00:00'", f"DATE '{asof.isoformat()}'"
    frames = []
    for fact in sorted({i.fact for i in wanted}):
        cols = _fact_columns(con, fact)
        picks, rows = [], []
        for ind in (i for i in wanted if i.fact == fact):
            part = _row_parts(method, ind, cols)
            picks.append(f"""SELECT f.sample_unit, '{ind.code}' AS indicator_code,
                                    min_by(f.sample_row, {part['order']}, {int(per_unit)}) AS picked,
                                    count(*) FILTER (WHERE {part['num']}) AS rows_in_numerator,
                                    count(*) FILTER (WHERE {part['den']}) AS rows_in_denominator
                             FROM f WHERE {part['shown']} GROUP BY f.sample_unit""")
            rows.append(f"""SELECT p.sample_unit AS org_unit_code, {part['select']}, p.rows_in_numerator, p.rows_in_denominator
                            FROM f JOIN (SELECT * EXCLUDE (picked), unnest(picked) AS sample_row FROM picks
                                         WHERE indicator_code = '{ind.code}') p
                              ON p.sample_row = f.sample_row""")
        frames.append(con.execute(f"""
            WITH f AS MATERIALIZED (
                SELECT x.*, r.rollup_code AS sample_unit, row_number() OVER () AS sample_row
                FROM {_fact_call(fact, s, e, a, f"'{ptype}'", share)} x
                JOIN core.org_rollup r ON r.member_code = x.unit_code AND r.period_type = $ptype AND r.period_start = $start
                 AND r.rollup_level = $level),
            picks AS MATERIALIZED ({" UNION ALL ".join(picks)})
            SELECT * FROM ({" UNION ALL ".join(rows)})
            ORDER BY org_unit_code, indicator_code, in_numerator DESC, file_path, row_number, record_id""",
                                  {"ptype": ptype, "start": start, "level": level}).df())
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def create_indicator_rows_macro(con: duckdb.DuckDBPyConnection, version: str) -> None:
    method = load_methodology(version)
    columns = {fact: _fact_columns(con, fact) for fact in {i.fact for i in method.indicators if i.kind in ("rate", "count")}}
    period = ("(SELECT {col} FROM marts.periods WHERE period_type = p_period_type AND period_start = CAST(p_period_start AS DATE) "
              f"AND methodology_version = '{method.version}')")
    parts = []
    for ind in method.indicators:
        sql = rows_sql(con, method, ind, start="CAST(p_period_start AS DATE)", end=period.format(col="CAST(period_end AS TIMESTAMP)"),
                       asof=period.format(col="asof_month"), ptype="p_period_type", unit="p_org_unit_code", level="p_org_level",
                       columns=columns.get(ind.fact))
        if sql:
            parts.append(f"SELECT * FROM ({sql}) WHERE p_indicator_code = '{ind.code}'")
    con.execute("CREATE OR REPLACE MACRO marts.indicator_rows(p_indicator_code, p_org_unit_code, p_org_level, p_period_type, p_period_start) "
                "AS TABLE " + "\nUNION ALL\n".join(parts))


def explain(con: duckdb.DuckDBPyConnection, indicator: str, unit: str, period_label: str, level: str | None,
            version: str, limit: int = 50) -> dict:
    """Everything `cchc-etl explain` prints, as data."""
    from cchc_etl.periods import parse_label

    method = load_methodology(version)
    ind = method.indicator(indicator)
    ptype, start = parse_label(period_label)
    per = con.execute("SELECT period_end, asof_month, is_complete FROM marts.periods WHERE period_type = ? AND period_start = ? "
                      "AND methodology_version = ?", [ptype, start, method.version]).fetchone()
    if per is None:
        raise LookupError(f"period {period_label} ({ptype}) has not been scored with methodology {method.version}: run it first")
    period_end, asof, complete = per
    levels = [r[0] for r in con.execute(
        "SELECT DISTINCT rollup_level FROM core.org_rollup WHERE period_type = ? AND period_start = ? AND rollup_code = ? "
        "ORDER BY CASE rollup_level WHEN 'unit' THEN 1 WHEN 'department' THEN 2 ELSE 3 END", [ptype, start, unit]).fetchall()]
    if not levels:
        known = [r[0] for r in con.execute("SELECT DISTINCT rollup_code FROM core.org_rollup WHERE period_type = ? "
                                           "AND period_start = ?", [ptype, start]).fetchall()]
        raise LookupError(f"unit {unit} is not in force in {period_label}{did_you_mean(unit, known)}")
    if level is None:
        level = levels[0]
    elif level not in levels:
        raise LookupError(f"unit {unit} has no figures at level {level} in {period_label} (levels: {', '.join(levels)})")
    value = con.execute(
        "SELECT numerator, denominator, value FROM marts.indicator_values WHERE period_type = ? AND period_start = ? "
        "AND org_unit_code = ? AND org_level = ? AND indicator_code = ? AND methodology_version = ?",
        [ptype, start, unit, level, ind.code, method.version]).fetchone()
    score = con.execute(
        "SELECT points, threshold, applicable, score, max_score, reason FROM marts.indicator_scores WHERE period_type = ? "
        "AND period_start = ? AND org_unit_code = ? AND org_level = ? AND indicator_code = ? AND methodology_version = ?",
        [ptype, start, unit, level, ind.code, method.version]).fetchone()
    rows, counts = [], None
    q = lambda v: "'" + str(v).replace("'", "''") + "'"  # noqa: E731
    sql = rows_sql(con, method, ind, start=f"DATE '{start}'", end=f"TIMESTAMP '{period_end} 00:00:00'", asof=f"DATE '{asof}'",
                   ptype=q(ptype), unit=q(unit), level=q(level))
    if sql:
        counts = con.execute(f"SELECT count(*) FILTER (WHERE in_numerator), count(*) FILTER (WHERE in_denominator) FROM ({sql})").fetchone()
        cur = con.execute(f"SELECT * FROM ({sql}) ORDER BY in_numerator DESC, file_path, row_number LIMIT {int(limit)}")
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r)) for r in cur.fetchall()]
    self_rows = []
    if ind.kind == "self_assessed":
        self_rows = con.execute("SELECT file_path, row_number, unit_code, period, value, evidence FROM staging.stg_self_assessment "
                                "WHERE indicator_code = ? AND period = ? ORDER BY file_path, row_number",
                                [ind.code, period_label]).fetchall()
    return {
        "indicator": ind, "methodology": method.version, "period_type": ptype, "period_start": start, "period_end": period_end,
        "asof_month": asof, "complete": complete, "unit": unit, "level": level, "levels": levels,
        "published": value, "score": score, "counts": counts, "rows": rows, "self_rows": self_rows,
    }


def format_explain(x: dict) -> str:
    ind: Indicator = x["indicator"]
    end: dt.date = x["period_end"]
    lines = [
        f"{ind.code} — {ind.name_vi} / {ind.name_en}",
        f"Công thức / formula: {ind.formula_text()}",
        f"Kỳ / period: {x['period_type']} {x['period_start']} … {end - dt.timedelta(days=1)}"
        f"{'' if x['complete'] else ' (lũy kế / to date)'}; trạng thái theo kỳ xuất / state as of export {x['asof_month']:%Y-%m}",
        f"Đơn vị / unit: {x['unit']} (cấp / level {x['level']}; có số liệu ở / levels: {', '.join(x['levels'])}); "
        f"phương pháp / methodology {x['methodology']}",
    ]
    pub = x["published"]
    if pub is None:
        lines.append("Giá trị công bố / published value: — (chỉ số không áp dụng cho cấp này / not applicable at this level)")
    else:
        num, den, val = pub
        pct = ind.kind not in ("count",) and not (ind.kind == "self_assessed" and ind.value_is == "points")
        shown = ("N/A" if val is None else percent(val) if pct
                 else f"{number(val, 2)} {'điểm / points' if ind.kind == 'self_assessed' else ind.unit}")
        lines.append(f"Tử số / numerator: {_n(num)}   Mẫu số / denominator: {_n(den)}   Giá trị / value: {shown}")
    if x["counts"] is not None:
        n, d = x["counts"]
        lines.append(f"Dòng dữ liệu / fact rows: {number(n)} trong tử số / in the numerator, {number(d)} trong mẫu số / in the denominator")
    if x["score"]:
        points, threshold, applicable, score, max_score, reason = x["score"]
        lines.append(f"Điểm / score: {number(score, 2)} / {_g(max_score)} (điểm tối đa / points {_g(points)}"
                     f"{', ngưỡng / threshold ' + _g(threshold) + ' %' if threshold is not None else ''})"
                     f" — {reason}")
    if x["rows"]:
        lines.append("")
        lines.append(f"{'tử/num':7} {'nguồn / source file':44} {'dòng/row':>8}  {'mã / id':22} fields")
        for r in x["rows"]:
            mark = "x" if r["in_numerator"] else ("" if r["in_denominator"] else "num only")
            lines.append(f"{mark:7} {str(r['file_path'] or '-'):44} {str(r['row_number'] or '-'):>8}  {str(r['record_id']):22} {r['fields']}")
        total = x["counts"][1] if x["counts"] else 0
        if total > len(x["rows"]):
            lines.append(f"… {number(total - len(x['rows']))} dòng nữa / more rows (--limit)")
    for f, row, unit, period, value, evidence in x["self_rows"]:
        lines.append(f"tự đánh giá / self-assessed: {f} dòng/row {row}: {unit} {period} = {_g(value)} ({evidence or ''})")
    return "\n".join(lines)


def _n(v) -> str:
    return "—" if v is None else number(v)


def _g(v: float) -> str:
    """Points and self-assessed values: as few decimals as they need (``5,5``, ``98``)."""
    return number(v) if float(v).is_integer() else number(v, 2).rstrip("0")
