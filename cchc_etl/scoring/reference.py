"""The methodology as data in the warehouse (core.dim_indicator, which the marts' SQL joins) and
the reference rows scoring cannot use."""

from __future__ import annotations

import duckdb

from cchc_etl.methodology import Indicator, Methodology, load_methodology
from cchc_etl.warehouse import transaction

DIM_INDICATOR_COLUMNS = ("methodology_version", "indicator_code", "section", "name_vi", "name_en", "fact", "kind", "unit",
                         "higher_is_better", "formula", "numerator_sql", "denominator_sql", "group_code", "points", "threshold",
                         "levels", "on_time_definition", "value_is")


def build_dim_indicator(con: duckdb.DuckDBPyConnection, version: str) -> int:
    """core.dim_indicator rows of one methodology version (replaced)."""
    return _write_dim_indicator(con, load_methodology(version))


def ensure_dim_indicator(con: duckdb.DuckDBPyConnection, method: Methodology) -> None:
    """core.dim_indicator holds exactly the version's rows as the methodology file has them (the
    marts' SQL reads them): written when absent or different (the core/dim_indicator asset
    normally writes them first)."""
    rows = _dim_rows(method)
    held = con.execute(f"SELECT {', '.join(DIM_INDICATOR_COLUMNS)} FROM core.dim_indicator WHERE methodology_version = ? "
                       "ORDER BY indicator_code", [method.version]).fetchall()
    if held != sorted(rows, key=lambda r: r[1]):
        _write_dim_indicator(con, method, rows)


def _dim_rows(method: Methodology) -> list[tuple]:
    return [
        (method.version, i.code, i.section, i.name_vi, i.name_en, i.fact, i.kind, i.unit, i.higher_is_better,
         i.formula_text(), i.numerator or None, i.denominator or None, i.group, i.points, i.threshold, ",".join(i.levels),
         _on_time_definition(i), i.value_is)
        for i in method.indicators
    ]


def _write_dim_indicator(con: duckdb.DuckDBPyConnection, method: Methodology, rows: list[tuple] | None = None) -> int:
    rows = _dim_rows(method) if rows is None else rows
    with transaction(con):
        con.execute("DELETE FROM core.dim_indicator WHERE methodology_version = ?", [method.version])
        if rows:  # one statement: DuckDB's executemany runs one statement per row (seconds for ~100)
            row = "(" + ", ".join("?" * len(DIM_INDICATOR_COLUMNS)) + ")"
            con.execute(f"INSERT INTO core.dim_indicator BY NAME SELECT * FROM (VALUES {', '.join([row] * len(rows))}) "
                        f"t({', '.join(DIM_INDICATOR_COLUMNS)})", [v for r in rows for v in r])
    return len(rows)


def _on_time_definition(i: Indicator) -> str | None:
    if i.code in ("ON_TIME_REPORT", "LATE_RATE", "RPT_RESOLVED_EARLY", "RPT_RESOLVED_ON_TIME", "RPT_RESOLVED_LATE",
                  "RPT_PENDING_WITHIN", "RPT_PENDING_OVERDUE", "APOLOGY_COVERAGE"):
        return "report: ngày (date granularity)"
    if i.code == "IDX_2_1":
        return "index: thời điểm, trừ thời gian bổ sung, > 1 lần bổ sung = trễ (timestamps, supplement deducted)"
    return None


def unusable_reference_rows(con: duckdb.DuckDBPyConnection, version: str) -> list[str]:
    """Rows of reference/targets and reference/self_assessment that scoring cannot use, each named
    by file, row and column: an indicator code the methodology does not have (or, for
    self-assessment, one it computes from the exports), a scope or unit that is no org unit; and
    self-assessed percentages outside 0-100 (scored as written, flagged rather than capped).
    They stay staged (nothing is dropped); the asset check lists them."""
    method = load_methodology(version)
    params = {
        "version": method.version,
        "codes": [i.code for i in method.indicators],
        "assessable": [i.code for i in method.indicators if i.kind == "self_assessed"] + [a.code for a in method.par_areas],
        "percents": [i.code for i in method.indicators if i.kind == "self_assessed" and i.value_is == "percent"],
    }
    rows = con.execute("""
        WITH units AS (SELECT DISTINCT unit_code FROM staging.stg_org_units)
        SELECT file_path, row_number, 'indicator_code', indicator_code,
               'không có trong phương pháp ' || $version || ' / not an indicator of methodology ' || $version
        FROM staging.stg_targets WHERE NOT list_contains(CAST($codes AS VARCHAR[]), indicator_code)
        UNION ALL
        SELECT file_path, row_number, 'scope', scope,
               'không phải city, cấp đơn vị hay mã đơn vị / neither city, an org level nor a unit code'
        FROM staging.stg_targets
        WHERE scope NOT IN ('city', 'department', 'district', 'commune', 'unit') AND scope NOT IN (SELECT unit_code FROM units)
        UNION ALL
        SELECT file_path, row_number, 'indicator_code', indicator_code,
               'không phải chỉ số tự đánh giá hay lĩnh vực Chỉ số CCHC / not a self-assessed indicator or PAR Index area'
        FROM staging.stg_self_assessment WHERE NOT list_contains(CAST($assessable AS VARCHAR[]), indicator_code)
        UNION ALL
        SELECT file_path, row_number, 'unit_code', unit_code, 'mã đơn vị không có trong org_units / unit not in org_units'
        FROM staging.stg_self_assessment WHERE unit_code NOT IN (SELECT unit_code FROM units)
        UNION ALL
        SELECT file_path, row_number, 'value', CAST(value AS VARCHAR),
               'tỷ lệ phần trăm ngoài 0–100, được tính điểm như ghi, không cắt / a percentage outside 0-100, scored as written, not capped'
        FROM staging.stg_self_assessment
        WHERE list_contains(CAST($percents AS VARCHAR[]), indicator_code) AND (value < 0 OR value > 100)
        ORDER BY 1, 2, 3
    """, params).fetchall()
    return [f"{f} dòng/row {n}, cột/column {col}: {value!r} — {why}" for f, n, col, value, why in rows]
