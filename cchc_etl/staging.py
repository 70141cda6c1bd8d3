"""Staging SQL generated from a source contract: text columns -> typed rows, skip and quarantine.

For each file the reader's raw relation (``c0..cN``, ``_row_number``) is turned into one temp
table ``parsed`` holding, per physical data row, the typed canonical fields, the PII hashes,
the vendor columns as JSON, and either a skip kind (blank / total) or the first failing column
with its reason. Loading and quarantining then select from it, so counts always add up.
"""

from __future__ import annotations

from cchc_etl.contract import FieldSpec, SourceSpec
from cchc_etl.pii import PII_NORMALISE_SQL
from cchc_etl.readers.base import RawData

SQL_TYPES = {
    "str": "VARCHAR", "ts": "TIMESTAMP", "date": "DATE", "bool": "BOOLEAN", "int": "BIGINT",
    "num": "DOUBLE", "enum": "VARCHAR", "pii": "VARCHAR",
}
TOTAL_WORDS = "^(tong cong|tong so|tong|cong|total|sum)( |$)"


def q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def lit(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def staged_columns(spec: SourceSpec) -> list[tuple[str, str]]:
    """(column, SQL type) of the staging table, after the bookkeeping columns."""
    return [(f.staged_name, SQL_TYPES[f.type]) for f in spec.fields]


def staging_ddl(spec: SourceSpec) -> str:
    schema, _ = spec.staging_table.split(".")
    cols = ",\n    ".join(f"{q(c)} {t}" for c, t in staged_columns(spec))
    month = "" if spec.reference else "month DATE NOT NULL,\n    system VARCHAR NOT NULL,\n    "
    return (
        f"CREATE SCHEMA IF NOT EXISTS {schema};\n"
        f"CREATE TABLE IF NOT EXISTS {spec.staging_table} (\n    {month}"
        f"file_path VARCHAR NOT NULL,\n    row_number BIGINT NOT NULL,\n    {cols},\n    extra JSON\n);"
    )


def _parse_expr(f: FieldSpec, raw: str) -> str:
    if f.type == "str":
        return raw
    if f.type == "ts":
        return f"cchc_ts({raw})"
    if f.type == "date":
        return f"cchc_date({raw})"
    if f.type == "int":
        expr = f"cchc_int({raw})"
        return f"coalesce({expr}, {int(f.blank_value)})" if f.blank_value is not None else expr
    if f.type == "num":
        return f"cchc_num({raw})"
    if f.type == "bool":
        if f.nonempty_is_true:
            return f"CASE WHEN {raw} IS NULL THEN NULL ELSE coalesce(cchc_bool_word(cchc_fold({raw})), TRUE) END"
        return f"cchc_bool_word(cchc_fold({raw}))"
    if f.type == "enum":
        whens = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in sorted(f.value_map().items()))
        expr = f"CASE cchc_fold({raw}) {whens} END"
        if f.blank_value is not None:
            expr = f"CASE WHEN {raw} IS NULL THEN {lit(f.blank_value)} ELSE {expr} END"
        return expr
    if f.type == "pii":
        return f"cchc_hmac({PII_NORMALISE_SQL.format(raw)})"
    raise ValueError(f.type)


def _field_errors(f: FieldSpec, raw: str) -> list[tuple[str, str, str]]:
    """(condition, column, reason SQL) for one field, in check order."""
    out = []
    name = f.name
    if f.required:
        out.append((f"{raw} IS NULL", name, lit("thiếu giá trị bắt buộc / required value missing")))
    if f.type in ("ts", "date"):
        out.append((f"{raw} IS NOT NULL AND {q(name)} IS NULL", name,
                    f"'ngày giờ không hợp lệ / unparseable date-time: ' || {raw}"))
    elif f.type == "enum":
        out.append((f"{raw} IS NOT NULL AND {q(name)} IS NULL", name,
                    f"'giá trị không thuộc danh mục / unknown value: ' || {raw}"))
    elif f.type == "bool" and not f.nonempty_is_true:
        out.append((f"{raw} IS NOT NULL AND {q(name)} IS NULL", name,
                    f"'giá trị Có/Không không hợp lệ / unparseable yes/no value: ' || {raw}"))
    elif f.type in ("int", "num"):
        out.append((f"{raw} IS NOT NULL AND {q(name)} IS NULL", name,
                    f"'số không hợp lệ / unparseable number: ' || {raw}"))
    return out


def parse_sql(spec: SourceSpec, raw: RawData, relation: str, month_end: str | None, reference_units: bool) -> str:
    """SQL creating temp table ``parsed`` from ``relation`` (the reader's raw rows)."""
    n = raw.n_columns
    src_cols = ",\n        ".join(f"nullif(trim(nfc_normalize(c{i})), '') AS r{i}" for i in range(n))
    by_field = {name: pos for pos, name in raw.mapping.items()}

    typed = []
    for f in spec.fields:
        pos = by_field.get(f.name)
        if pos is None:
            # an absent column is unknown, not blank: only counts default (blank = 0)
            default = str(int(f.blank_value)) if f.type == "int" and f.blank_value is not None else "NULL"
            typed.append(f"CAST({default} AS {SQL_TYPES[f.type]}) AS {q(f.staged_name)}")
        else:
            typed.append(f"CAST({_parse_expr(f, f'r{pos}')} AS {SQL_TYPES[f.type]}) AS {q(f.staged_name)}")
    extras = [(pos, header) for pos, header in sorted(raw.extras.items())]
    if extras:
        pairs = ", ".join(f"{lit(h)}, r{pos}" for pos, h in extras)
        nonnull = " OR ".join(f"r{pos} IS NOT NULL" for pos, _ in extras)
        typed.append(f"CASE WHEN {nonnull} THEN json_object({pairs}) END AS extra")
    else:
        typed.append("CAST(NULL AS JSON) AS extra")

    # skip kinds: blank rows, and total rows ("Tổng cộng" in a marker column or the first cells)
    all_null = " AND ".join(f"r{i} IS NULL" for i in range(n)) or "TRUE"
    marker_positions = [by_field[c] for c in spec.total_marker_columns if c in by_field]
    first_cells = list(range(min(n, 3)))
    probe = " OR ".join(
        f"coalesce(regexp_matches(cchc_fold(r{i}), {lit(TOTAL_WORDS)}), FALSE)" for i in dict.fromkeys(marker_positions + first_cells)
    )
    # a real data row carries every required field; a total row lacks some of them
    required_raw = [f"r{by_field[name]} IS NULL" for name in spec.required if name in by_field]
    key_ok = " OR ".join(required_raw) or "TRUE"
    total = f"({probe}) AND ({key_ok})" if probe else "FALSE"

    errors: list[tuple[str, str, str]] = []
    for f in spec.fields:
        pos = by_field.get(f.name)
        if pos is None:
            continue  # a required field's column is checked when the header is matched
        errors.extend(_field_errors(f, f"r{pos}"))
    for f in spec.fields:
        if f.references == "org_units" and f.name in by_field and reference_units:
            errors.append((
                f"{q(f.name)} IS NOT NULL AND {q(f.name)} NOT IN (SELECT unit_code FROM staging.stg_org_units)",
                f.name, f"'mã đơn vị không có trong danh mục / unit_code not in reference org_units: ' || {q(f.name)}",
            ))
    for rule in spec.rules:
        errors.append((f"coalesce({rule.when}, FALSE)", rule.column, lit(rule.reason)))
    if month_end is not None:
        for f in spec.fields:
            if f.event and f.name in by_field:
                errors.append((
                    f"{q(f.name)} >= TIMESTAMP {lit(month_end)}", f.name,
                    f"'thời điểm sau kỳ báo cáo / event after the end of the reporting month: ' || strftime({q(f.name)}, '%Y-%m-%d %H:%M')",
                ))
    err_col = " ".join(f"WHEN {c} THEN {lit(col)}" for c, col, _ in errors)
    err_reason = " ".join(f"WHEN {c} THEN {reason}" for c, _, reason in errors)
    err_col_sql = f"CASE {err_col} END" if errors else "CAST(NULL AS VARCHAR)"
    err_reason_sql = f"CASE {err_reason} END" if errors else "CAST(NULL AS VARCHAR)"

    typed_sql = ",\n        ".join(typed)
    raw_cols = ", ".join(f"r{i}" for i in range(n))
    return f"""
CREATE OR REPLACE TEMP TABLE parsed AS
WITH src AS (
    SELECT _row_number,
        {src_cols}
    FROM {relation}
), typed AS (
    SELECT _row_number, {raw_cols},
        {typed_sql}
    FROM src
)
SELECT *,
    CASE WHEN {all_null} THEN 'blank' WHEN {total} THEN 'total' END AS _skip,
    {err_col_sql} AS _err_column,
    {err_reason_sql} AS _err_reason
FROM typed
"""


def raw_values_sql(spec: SourceSpec, raw: RawData) -> str:
    """JSON of a quarantined row's cells by original header, PII replaced by its hash."""
    pii = {pos for pos, name in raw.mapping.items() if spec.field(name).is_pii}
    pairs = []
    for pos in range(raw.n_columns):
        header = raw.headers[pos] if pos < len(raw.headers) and raw.headers[pos] else raw.extras.get(pos, f"column_{pos + 1}")
        if pos in pii:
            pairs.append(f"{lit(header)}, {q(spec.field(raw.mapping[pos]).staged_name)}")
        else:
            pairs.append(f"{lit(header)}, r{pos}")
    return f"json_object({', '.join(pairs)})" if pairs else "json_object()"


def header_fold_report(raw: RawData) -> dict[str, str]:
    """Original header -> canonical field, for the file log's metadata."""
    return {raw.headers[pos]: name for pos, name in sorted(raw.mapping.items())}
