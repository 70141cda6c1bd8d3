"""Staging SQL generated from a source contract: text columns -> typed rows, skip and quarantine.

For each file the reader's raw relation (``c0..cN``, ``_row_number``) is turned into one temp
table ``parsed`` holding, per physical data row, the typed canonical fields, the PII hashes,
the vendor columns as JSON, and either a skip kind (blank / total) or the first failing column
with its reason. Loading and quarantining then select from it, so counts always add up.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def sql_type(f: FieldSpec) -> str:
    return f.sql_type or SQL_TYPES[f.type]


def staged_columns(spec: SourceSpec) -> list[tuple[str, str]]:
    """(column, SQL type) of the staging table, after the bookkeeping columns."""
    return [(f.staged_name, sql_type(f)) for f in spec.fields]


def staging_ddl(spec: SourceSpec) -> str:
    schema, _ = spec.staging_table.split(".")
    cols = ",\n    ".join(f"{q(c)} {t}" for c, t in staged_columns(spec))
    month = "" if spec.reference else "month DATE NOT NULL,\n    system VARCHAR NOT NULL,\n    "
    return (
        f"CREATE SCHEMA IF NOT EXISTS {schema};\n"
        f"CREATE TABLE IF NOT EXISTS {spec.staging_table} (\n    {month}"
        f"file_path VARCHAR NOT NULL,\n    row_number BIGINT NOT NULL,\n    {cols},\n    extra JSON\n);"
    )


def _literal_case(raw: str, mapping: dict[str, object], sql_type: str) -> str:
    """CASE over the exact raw values seen in the file: DuckDB does no per-row folding work."""
    whens = " ".join(
        f"WHEN {lit(k)} THEN {('TRUE' if v else 'FALSE') if sql_type == 'BOOLEAN' else lit(v)}"
        for k, v in sorted(mapping.items()) if v is not None
    )
    return f"CASE {raw} {whens} END" if whens else f"CAST(NULL AS {sql_type})"


def _parse_expr(f: FieldSpec, raw: str, seen: list[str] | None = None) -> str:
    """Typed value of one field. ``seen``: the distinct raw values of the column, when known."""
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
    if f.type in ("bool", "enum"):
        if seen is not None:
            expr = _literal_case(raw, {v: f.map_value(v) for v in seen}, SQL_TYPES[f.type])
        elif f.type == "bool":
            expr = f"cchc_bool({raw})"
            if f.nonempty_is_true:
                expr = f"coalesce({expr}, TRUE)"
        else:
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


@dataclass(frozen=True)
class ParsePlan:
    """The SQL for one file: ``create`` makes the typed temp table; ``quarantine`` selects its bad rows."""

    create: str
    quarantine: str


def clean_select(spec: SourceSpec, raw: RawData) -> str:
    """Select list that trims every cell (blank -> NULL) and brings free text to NFC.

    Applied once, when the reader's rows are materialised, so that later expressions that use
    a cell several times do not repeat the work. Typed columns are parsed through folding,
    which is indifferent to the Unicode form, so only text columns (names, codes, PII before
    hashing, vendor columns) are normalised, and only when the reader saw combining marks.
    """
    plain = {pos for pos, name in raw.mapping.items() if spec.field(name).type not in ("str", "pii")}
    if not raw.needs_nfc:
        plain = set(range(raw.n_columns))
    return ", ".join(
        f"cchc_clean(c{i}) AS c{i}" if i in plain else f"cchc_nfc(cchc_clean(c{i})) AS c{i}" for i in range(raw.n_columns)
    )


def coded_positions(spec: SourceSpec, raw: RawData) -> dict[int, FieldSpec]:
    """Columns whose values come from a small vocabulary (enum, bool): mapped via their distinct values."""
    return {pos: spec.field(name) for pos, name in raw.mapping.items() if spec.field(name).type in ("enum", "bool")}


def parse_plan(spec: SourceSpec, raw: RawData, relation: str, month_end: str | None, reference_units: bool,
               distinct: dict[int, list[str]] | None = None, target: str = "parsed") -> ParsePlan:
    n = raw.n_columns
    by_field = {name: pos for pos, name in raw.mapping.items()}
    src_cols = ", ".join(f"c{i} AS r{i}" for i in range(n))
    src = f"src AS (\n    SELECT _row_number, {src_cols}\n    FROM {relation}\n)"

    typed = []
    for f in spec.fields:
        pos = by_field.get(f.name)
        if pos is None:
            # an absent column is unknown, not blank: only counts default (blank = 0)
            default = str(int(f.blank_value)) if f.type == "int" and f.blank_value is not None else "NULL"
            typed.append(f"CAST({default} AS {sql_type(f)}) AS {q(f.staged_name)}")
        else:
            seen = (distinct or {}).get(pos)
            typed.append(f"CAST({_parse_expr(f, f'r{pos}', seen)} AS {sql_type(f)}) AS {q(f.staged_name)}")
    extras = [(pos, header) for pos, header in sorted(raw.extras.items())]
    if extras:
        pairs = ", ".join(f"{lit(h)}, r{pos}" for pos, h in extras)
        nonnull = " OR ".join(f"r{pos} IS NOT NULL" for pos, _ in extras)
        typed.append(f"CASE WHEN {nonnull} THEN json_object({pairs}) END AS extra")
    else:
        typed.append("CAST(NULL AS JSON) AS extra")

    # skip kinds, tested only on rows that lack a required field (every data row has them all):
    # blank rows, and total rows ("Tổng cộng" in a marker column or one of the first cells)
    required_raw = [f"r{by_field[name]} IS NULL" for name in spec.required if name in by_field]
    lacks_required = " OR ".join(required_raw) or "TRUE"
    all_null = " AND ".join(f"r{i} IS NULL" for i in range(n)) or "TRUE"
    marker_positions = [by_field[c] for c in spec.total_marker_columns if c in by_field]
    probe = " OR ".join(
        f"coalesce(regexp_matches(cchc_fold(r{i}), {lit(TOTAL_WORDS)}), FALSE)"
        for i in dict.fromkeys(marker_positions + list(range(min(n, 3))))
    ) or "FALSE"
    skip = f"CASE WHEN {lacks_required} THEN CASE WHEN {all_null} THEN 'blank' WHEN {probe} THEN 'total' END END"

    errors: list[tuple[str, str, str]] = []
    for f in spec.fields:
        pos = by_field.get(f.name)
        if pos is not None:  # a required field's missing column is refused when the header is matched
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
    # the first failing check, as an index: evaluated once per row; names and reasons are
    # produced only for the quarantined rows
    err_idx = "CASE " + " ".join(f"WHEN {c} THEN {i}" for i, (c, _, _) in enumerate(errors)) + " END" if errors else "CAST(NULL AS INTEGER)"
    err_col = "CASE _err " + " ".join(f"WHEN {i} THEN {lit(col)}" for i, (_, col, _) in enumerate(errors)) + " END" if errors else "NULL"
    err_reason = "CASE _err " + " ".join(f"WHEN {i} THEN {reason}" for i, (_, _, reason) in enumerate(errors)) + " END" if errors else "NULL"

    typed_sql = ",\n        ".join(typed)
    raw_cols = ", ".join(f"r{i}" for i in range(n))
    out_cols = ", ".join(q(f.staged_name) for f in spec.fields)
    create = f"""
CREATE OR REPLACE TEMP TABLE {target} AS
WITH {src},
typed AS (
    SELECT _row_number, {raw_cols},
        {typed_sql}
    FROM src
)
SELECT _row_number, {out_cols}, extra,
    {skip} AS _skip,
    {err_idx} AS _err
FROM typed
"""
    quarantine = f"""
WITH {src}
SELECT p._row_number, {err_col} AS column_name, {err_reason} AS reason, {raw_values_sql(spec, raw)} AS raw_values
FROM {target} p JOIN src USING (_row_number)
WHERE p._skip IS NULL AND p._err IS NOT NULL
"""
    return ParsePlan(create=create, quarantine=quarantine)


def raw_values_sql(spec: SourceSpec, raw: RawData) -> str:
    """JSON of a quarantined row's cells by original header, PII replaced by its hash."""
    pii = {pos for pos, name in raw.mapping.items() if spec.field(name).is_pii}
    pairs = []
    for pos in range(raw.n_columns):
        header = raw.headers[pos] if pos < len(raw.headers) and raw.headers[pos] else raw.extras.get(pos, f"column_{pos + 1}")
        if pos in pii:
            pairs.append(f"{lit(header)}, p.{q(spec.field(raw.mapping[pos]).staged_name)}")
        else:
            pairs.append(f"{lit(header)}, r{pos}")
    return f"json_object({', '.join(pairs)})" if pairs else "json_object()"
