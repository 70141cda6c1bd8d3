"""Staging SQL generated from a source contract: text columns -> typed rows, skip and quarantine.

For each file the reader's raw relation (``c0..cN``, and ``_row_number`` unless the rows are in
file order) is turned, in one pass, into one temp table holding per physical data row the
cleaned and typed canonical fields, the PII hashes, the vendor columns as JSON, and either a skip
kind (blank / total / footer) or the first failing check (for those rows only: column, reason and raw
cells). Loading and quarantining then select from it, so counts always add up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cchc_etl.contract import BOOL_FALSE, BOOL_TRUE, BOOL_WRITTEN, FieldSpec, SourceSpec
from cchc_etl.pii import PII_NORMALISE_SQL, masked_list_sql, masked_sql, personal_header
from cchc_etl.text import fold
from cchc_etl.readers.base import CELL_LIMIT, RawData

SQL_TYPES = {
    "str": "VARCHAR", "ts": "TIMESTAMP", "date": "DATE", "bool": "BOOLEAN", "int": "BIGINT",
    "num": "DOUBLE", "enum": "VARCHAR", "pii": "VARCHAR", "period": "VARCHAR",
}
# a total row's label, matched without case and diacritics: the whole cell, or the label, a colon
# and anything ("Tổng số: 42 văn bản"); "Tổng công ty ..." is no label
TOTAL_LABEL = r"(?s)(tong\s+cong|tong\s+so|cong|total)\s*(:.*)?"
# a signature or date line under a report, matched on the folded cell: written in a key column it is no
# key ("Người lập biểu", "Thủ trưởng đơn vị", "(Ký, ghi rõ họ tên)", "Hà Nội, ngày 05 tháng 02 năm 2024")
SIGNATURE_LABEL = (r"(nguoi lap( bieu| bang| bao cao)?|thu truong( don vi| co quan)?|lanh dao( don vi| co quan)?"
                   r"|(pho )?giam doc|ke toan( truong)?|nguoi (kiem tra|duyet|ky)|ky( ghi ro)? ho ten|xac nhan"
                   r"|.*ngay( [0-9]+)? thang( [0-9]+)? nam)( .*)?")  # on the folded cell (cchc_fold)


def q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def lit(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def sql_type(f: FieldSpec) -> str:
    return f.sql_type or SQL_TYPES[f.type]


def staged_columns(spec: SourceSpec) -> list[tuple[str, str]]:
    """(column, SQL type) of the staging table, after the bookkeeping columns."""
    return [(f.staged_name, sql_type(f)) for f in spec.fields]


def column_compression(f: FieldSpec) -> str | None:
    """How DuckDB stores a staged text column, when the contract says enough to choose: a named
    method skips the analysis of the others when rows are written (writing 1M staged dossiers
    took 1.9 s with every column left to DuckDB, 1.5 s with these; the same file size).

    ``compression:`` in the field's YAML decides; else a PII hash (unique-looking hex) -> FSST, an
    enum or a code from reference data (few distinct values) -> dictionary; else DuckDB's own
    choice. Only files in DuckDB's v1.0 storage format take the names (``warehouse.storage_ddl``);
    they open in every DuckDB 1.x reader."""
    if sql_type(f) != "VARCHAR":
        return None
    if f.compression:
        return None if f.compression == "auto" else f.compression
    if f.is_pii:
        return "fsst"
    if f.type == "enum" or f.references:
        return "dictionary"
    return None


def _column_ddl(name: str, type_: str, compression: str | None) -> str:
    return f"{q(name)} {type_}" + (f" USING COMPRESSION {compression}" if compression else "")


def staging_ddl(spec: SourceSpec) -> str:
    schema, _ = spec.staging_table.split(".")
    cols = ",\n    ".join(_column_ddl(f.staged_name, sql_type(f), column_compression(f)) for f in spec.fields)
    # one system and one file per loaded file: a dictionary of one entry per segment
    month = "" if spec.reference else "month DATE NOT NULL,\n    system VARCHAR USING COMPRESSION dictionary NOT NULL,\n    "
    return (
        f"CREATE SCHEMA IF NOT EXISTS {schema};\n"
        f"CREATE TABLE IF NOT EXISTS {spec.staging_table} (\n    {month}"
        f"file_path VARCHAR USING COMPRESSION dictionary NOT NULL,\n    row_number BIGINT NOT NULL,\n    {cols},\n    extra JSON\n);"
    )


def bool_word_sql(folded: str) -> str:
    """A folded yes/no word -> BOOLEAN (NULL when it is neither): the contract's one vocabulary,
    also installed as the macro cchc_bool_word."""
    words = [(w, True) for w in sorted(BOOL_TRUE)] + [(w, False) for w in sorted(BOOL_FALSE)]
    return f"CASE {folded} " + " ".join(f"WHEN {lit(k)} THEN {'TRUE' if v else 'FALSE'}" for k, v in words) + " END"


def bool_sql(raw: str) -> str:
    """Yes/no cell -> BOOLEAN: spellings as exports write them first, then the folded vocabulary.
    Inline rather than through the macros: DuckDB evaluates a macro in the ELSE branch for every
    row, about 20-30x slower at 1M rows."""
    exact = " ".join(f"WHEN {lit(k)} THEN {'TRUE' if v else 'FALSE'}" for k, v in sorted(BOOL_WRITTEN.items()))
    return f"CASE {raw} {exact} ELSE {bool_word_sql(f'cchc_fold({raw})')} END"


def _parse_expr(f: FieldSpec, raw: str) -> str:
    """Typed value of one field of a column the file carries (a blank cell is NULL here)."""
    if f.type == "str":
        return raw
    if f.type == "ts":
        # a deadline written as a date alone is the end of that day
        return f"cchc_deadline({raw})" if f.deadline else f"cchc_ts({raw})"
    if f.type == "date":
        return f"cchc_date({raw})"
    if f.type == "period":
        return f"cchc_period({raw})"
    if f.type == "int":
        expr = f"cchc_int({raw})"
        # blank = 0 for a truly blank cell only: an unparseable count stays NULL and is quarantined
        return f"CASE WHEN {raw} IS NULL THEN {int(f.blank_value)} ELSE {expr} END" if f.blank_value is not None else expr
    if f.type == "num":
        return f"cchc_num({raw})"
    if f.type == "bool":
        # a blank cell in a carried yes/no column is no (x/blank, link-style non-empty = yes);
        # a column the file lacks stays NULL, unknown (parse_plan)
        expr = bool_sql(raw)
        if f.nonempty_is_true:
            expr = f"coalesce({expr}, TRUE)"
        return f"CASE WHEN {raw} IS NULL THEN FALSE ELSE {expr} END"
    elif f.type == "enum":
        # spellings as the contract writes them (codes "1".."10" of national exports, NFC words)
        # match without any per-row work; anything else is matched on its key (no case, accents,
        # spaces, "_" or "-"), an integral float ("2.0") as its integer
        exact = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in sorted(f.exact_map().items()))
        folded = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in sorted(f.value_map().items()))
        other = raw if f.open_values else "NULL"
        expr = f"CASE {raw} {exact} ELSE CASE cchc_enum_key(cchc_code({raw})) {folded} ELSE {other} END END"
    elif f.type == "pii":
        return f"cchc_hmac({PII_NORMALISE_SQL.format(raw)})"
    else:
        raise ValueError(f.type)
    if f.blank_value is not None:
        expr = f"CASE WHEN {raw} IS NULL THEN {lit(f.blank_value)} ELSE {expr} END"
    return expr


def _field_errors(f: FieldSpec, raw: str) -> list[tuple[str, str, str]]:
    """(condition, column, reason SQL) for one field, in check order."""
    out = []
    name = f.name
    if f.required:
        out.append((f"{raw} IS NULL", name, lit("thiếu giá trị bắt buộc / required value missing")))
    if f.type in ("ts", "date"):
        # two-digit years and dates before 2000 are NULL: cchc_ts_problem names which
        out.append((f"{raw} IS NOT NULL AND {q(name)} IS NULL", name, f"cchc_ts_problem({raw})"))
    elif f.type == "period":
        out.append((f"{raw} IS NOT NULL AND {q(name)} IS NULL", name,
                    f"'kỳ phải là YYYY, YYYY-MM, YYYY-Qn hoặc một ngày / period must be YYYY, YYYY-MM, YYYY-Qn or a date: ' || {raw}"))
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
    """The SQL for one file: ``create`` makes the typed temp table (with ``_skip``, ``_err`` and,
    for quarantined rows, ``_err_column``, ``_err_reason``, ``_raw_values``); ``bad`` is the
    condition that selects the quarantined rows."""

    create: str
    bad: str
    footer: str = ""  # run after ``create``: marks the footer rows (see parse_plan)


def _chars_sql(chars: str) -> str:
    # the characters themselves inside the literal: DuckDB evaluates chr(13) once per row
    return lit(chars)


def clean_expr(cell: str, chars: str) -> str:
    """A cell trimmed of ``chars`` (blank -> NULL). Only the characters the reader found in the
    file are tested: each starts_with/ends_with pair costs DuckDB about 0.1 s per million cells,
    and DuckDB's trim() itself runs only for the rare cell that needs it."""
    if not chars:
        return f"nullif({cell}, '')"
    tests = " OR ".join(f"starts_with({cell}, {_chars_sql(c)}) OR ends_with({cell}, {_chars_sql(c)})" for c in chars)
    return f"CASE WHEN {cell} = '' THEN NULL WHEN {tests} THEN nullif(trim({cell}, {_chars_sql(chars)}), '') ELSE {cell} END"


def clean_select(spec: SourceSpec, raw: RawData, prefix: str = "c") -> str:
    """Select list that trims every cell (blank -> NULL) and brings free text to NFC; the reader's
    ``c0..cN`` come out as ``{prefix}0..{prefix}N``.

    Typed columns are parsed through folding, which is indifferent to the Unicode form, so only
    text columns (names, codes, PII before hashing, vendor columns) are normalised, and only when
    the reader saw combining marks.
    """
    text = {pos for pos, name in raw.mapping.items() if spec.field(name).type in ("str", "pii") or spec.field(name).open_values}
    text |= set(range(raw.n_columns)) - set(raw.mapping)  # vendor columns are free text
    out = []
    for i in range(raw.n_columns):
        expr = clean_expr(f"c{i}", raw.trim_chars_for(i))
        if i in text and raw.needs_nfc_for(i):
            expr = f"cchc_nfc({expr})"
        out.append(f"{expr} AS {prefix}{i}")
    return ", ".join(out)


def parse_plan(spec: SourceSpec, raw: RawData, relation: str, month_end: str | None, reference_units: bool,
               target: str = "parsed", row_numbers: bool = True) -> ParsePlan:
    """``relation`` yields the reader's ``c0..cN`` (and ``_row_number`` if ``row_numbers``); the
    cells are cleaned, typed, hashed and checked in one pass into the temp table ``target``.
    Without row numbers the table keeps the file order and the caller numbers its rowids."""
    n = raw.n_columns
    by_field = {name: pos for pos, name in raw.mapping.items()}
    row_number = "_row_number, " if row_numbers else ""
    long_cols = ", _long_column, _long_bytes" if raw.long_cells else ""
    src = f"src AS (\n    SELECT {row_number}{clean_select(spec, raw, prefix='r')}{long_cols}\n    FROM {relation}\n)"

    typed = []
    for f in spec.fields:
        pos = by_field.get(f.name)
        if pos is None:
            # a column the file does not carry is unknown (NULL), never its blank value
            typed.append(f"CAST(NULL AS {sql_type(f)}) AS {q(f.staged_name)}")
        else:
            typed.append(f"CAST({_parse_expr(f, f'r{pos}')} AS {sql_type(f)}) AS {q(f.staged_name)}")
    extras = [(pos, header) for pos, header in sorted(raw.extras.items())]
    if extras:
        personal = personal_positions(spec, raw)
        values, extra_list = _masked_values([(pos, pos in personal) for pos, _ in extras], "_xm")
        pairs = ", ".join(f"{lit(h)}, {v}" for (_, h), v in zip(extras, values))
        nonnull = " OR ".join(f"r{pos} IS NOT NULL" for pos, _ in extras)
        typed.append(f"CASE WHEN {nonnull} THEN json_object({pairs}) END AS extra")
    else:
        extra_list = None
        typed.append("CAST(NULL AS JSON) AS extra")

    # skip kinds (contract, "Total and footer rows"). A row carrying a record key (the key fields
    # of the contract, ``system`` aside) is never skipped. Without one: a blank row; a total row,
    # whose first non-empty cell is a total label ("Tổng cộng", "Tổng số: 42 văn bản", "Cộng",
    # "Total"; a key cell that holds the label is no key). After ``create``, ``footer`` marks the
    # other keyless rows below the last record of the file (of each sheet) as footer rows
    # (signatures, dates); a file without any record has no footer (its rows are quarantined).
    key_fields = [k for k in spec.key if k != "system" and k in by_field] or [k for k in spec.required if k in by_field]

    def is_label(cell: str) -> str:
        # the regular expression runs only for a cell starting like a label (a CASE evaluates
        # lazily): not for the key of every record
        return (f"CASE WHEN {cell} IS NULL OR {cell}[1] NOT IN ('T', 't', 'C', 'c') THEN FALSE "
                f"ELSE coalesce(regexp_full_match(strip_accents(lower(cchc_nfc({cell}))), {lit(TOTAL_LABEL)}), FALSE) END")

    def is_signature(cell: str) -> str:
        # only a cell with a space can be one: not for the key of every record
        return (f"CASE WHEN NOT contains({cell}, ' ') THEN FALSE "
                f"ELSE coalesce(regexp_full_match(cchc_fold({cell}), {lit(SIGNATURE_LABEL)}), FALSE) END")

    no_key = " AND ".join(
        f"(r{by_field[k]} IS NULL OR {is_label(f'r{by_field[k]}')} OR {is_signature(f'r{by_field[k]}')})" for k in key_fields
    ) or "TRUE"
    all_null = " AND ".join(f"r{i} IS NULL" for i in range(n)) or "TRUE"
    first_cell = f"coalesce({', '.join(f'r{i}' for i in range(n))})" if n else "NULL"
    skip = f"CASE WHEN _nokey THEN CASE WHEN {all_null} THEN 'blank' WHEN {is_label(first_cell)} THEN 'total' END END"
    keyed = "NOT _nokey"

    errors: list[tuple[str, str, str]] = []
    for f in spec.fields:
        pos = by_field.get(f.name)
        if pos is not None:  # a required field's missing column is refused when the header is matched
            errors.extend(_field_errors(f, f"r{pos}"))
    for f in spec.fields:
        if f.references == "org_units" and f.name in by_field and reference_units:
            # an open vocabulary (a target's scope): its own words, else a unit code
            words = f" AND {q(f.name)} NOT IN ({', '.join(lit(v) for v in sorted(f.values))})" if f.open_values and f.values else ""
            errors.append((
                f"{q(f.name)} IS NOT NULL{words} AND {q(f.name)} NOT IN (SELECT unit_code FROM staging.stg_org_units)",
                f.name,
                (f"'phạm vi không phải city, cấp đơn vị hay mã đơn vị trong danh mục / scope is neither city, an org level nor a unit code of org_units: ' || {q(f.name)}"
                 if f.open_values else f"'mã đơn vị không có trong danh mục / unit_code not in reference org_units: ' || {q(f.name)}"),
            ))
    # a reason quotes the refused cell: a personal-looking one (a cell shifted by an unquoted
    # comma) is quoted by its hash
    errors = [(c, lit(col), reason) for c, col, reason in errors]
    if raw.long_cells:  # a cell over the readers' CELL_LIMIT (cut short by the reader): first
        errors.insert(0, ("_long_column IS NOT NULL", "_long_column",
                          f"'ô dài quá giới hạn (' || _long_bytes || ' byte, tối đa {CELL_LIMIT}) / cell longer than the limit ('"
                          f" || _long_bytes || ' bytes, at most {CELL_LIMIT})'"))
    for rule in spec.rules:
        errors.append((f"coalesce({rule.when}, FALSE)", lit(rule.column), lit(rule.reason)))
    if month_end is not None:
        for f in spec.fields:
            if f.event and f.name in by_field:
                errors.append((
                    f"{q(f.name)} >= TIMESTAMP {lit(month_end)}", lit(f.name),
                    f"'thời điểm sau kỳ báo cáo / event after the end of the reporting month: ' || strftime({q(f.name)}, '%Y-%m-%d %H:%M')",
                ))
    # the first failing check, as an index: evaluated once per row; the column, the reason and
    # the raw cells are produced only for the quarantined rows
    err_idx = "CASE " + " ".join(f"WHEN {c} THEN {i}" for i, (c, _, _) in enumerate(errors)) + " END" if errors else "CAST(NULL AS INTEGER)"
    err_col = "CASE _err " + " ".join(f"WHEN {i} THEN {col}" for i, (_, col, _) in enumerate(errors)) + " END" if errors else "NULL"
    bad = "_skip IS NULL AND _err IS NOT NULL"
    # the quoted cells of the reasons and the raw cells judged by value are masked through one
    # list per quarantined row (see masked_list_sql)
    quoted = {i: m for i, (_, _, reason) in enumerate(errors) if (m := _QUOTED_CELL.search(reason))}
    raw_pairs, raw_list = raw_values_parts(spec, raw)
    judged = list(raw_list)
    if quoted:
        judged.append("CASE _err " + " ".join(f"WHEN {i} THEN {m.group(1)}" for i, m in quoted.items()) + " END")
    masked_cte = (f",\nmasked AS (\n    SELECT *, CASE WHEN {bad} THEN {masked_list_sql(judged)} END AS _rm\n    FROM flagged\n)"
                  if judged else "")
    reasons = [f"{reason[:quoted[i].start()]}|| _rm[{len(judged)}]" if i in quoted else reason
               for i, (_, _, reason) in enumerate(errors)]
    err_reason = "CASE _err " + " ".join(f"WHEN {i} THEN {r}" for i, r in enumerate(reasons)) + " END" if errors else "NULL"
    raw_values = f"json_object({', '.join(raw_pairs)})" if raw_pairs else "json_object()"

    sheet = "_sheet, " if raw.sheet_column and row_numbers else ""
    if sheet:
        src = src.replace(f"SELECT {row_number}", f"SELECT {row_number}{sheet}", 1)
    typed_sql = ",\n        ".join(typed)
    raw_cols = ", ".join(f"r{i}" for i in range(n))
    out_cols = ", ".join(q(f.staged_name) for f in spec.fields)
    src_x = f",\nsrc_x AS (\n    SELECT *, {masked_list_sql(extra_list)} AS _xm\n    FROM src\n)" if extra_list else ""
    create = f"""
CREATE OR REPLACE TEMP TABLE {target} AS
WITH {src}{src_x},
typed AS (
    SELECT {row_number}{sheet}{raw_cols}{long_cols},
        {typed_sql},
        {no_key} AS _nokey
    FROM {"src_x" if src_x else "src"}
),
flagged AS (
    SELECT *, {skip} AS _skip, {keyed} AS _keyed, {err_idx} AS _err
    FROM typed
){masked_cte}
SELECT {row_number}{sheet}{out_cols}, extra, _skip, _keyed, _err,
    CASE WHEN {bad} THEN CAST({err_col} AS VARCHAR) END AS _err_column,
    CASE WHEN {bad} THEN CAST({err_reason} AS VARCHAR) END AS _err_reason,
    CASE WHEN {bad} THEN {raw_values} END AS _raw_values
FROM {"masked" if masked_cte else "flagged"}
"""
    group, match = ("_sheet, ", "AND t._sheet IS NOT DISTINCT FROM k._sheet ") if sheet else ("", "")
    footer = (
        f"UPDATE {target} AS t SET _skip = 'footer' "
        f"FROM (SELECT {group}max(rowid) AS last FROM {target} WHERE _keyed {'GROUP BY _sheet' if sheet else ''}) AS k "
        f"WHERE t._skip IS NULL AND NOT t._keyed {match}AND t.rowid > k.last"
    )
    return ParsePlan(create=create, bad=bad, footer=footer)


def personal_positions(spec: SourceSpec, raw: RawData) -> set[int]:
    """Vendor columns whose header names personal data (``cchc_etl.pii.personal_header``): hashed
    whole, like the contract's PII fields. A second column matching a PII field (``Người nộp``
    beside ``Họ tên người nộp``) is one of them."""
    aliases = {fold(a) for f in spec.fields if f.is_pii for a in (f.name, *f.aliases)}
    return {pos for pos, header in raw.extras.items() if personal_header(header, aliases)}


# a reason ending in ``|| r<pos>`` (the raw cell) or ``|| "<field>"`` quotes the cell, which is
# stored masked when it looks personal (a cell shifted by an unquoted comma)
_QUOTED_CELL = re.compile(r'\|\| (r[0-9]+|"[a-z_]+")$')


def raw_values_parts(spec: SourceSpec, raw: RawData) -> tuple[list[str], list[str]]:
    """A quarantined row's cells by original header, as ``json_object`` arguments, and the cells
    whose value is judged (``_rm[i]`` in the arguments; see parse_plan): PII fields and vendor
    columns whose header names personal data replaced by their hash, any other cell hashed when
    its value looks personal (a ragged row shifts cells under the wrong header)."""
    pii = {pos for pos, name in raw.mapping.items() if spec.field(name).is_pii}
    personal = personal_positions(spec, raw)
    others = [p for p in range(raw.n_columns) if p not in pii]
    masked, judged = _masked_values([(p, p in personal) for p in others], "_rm")
    values = dict(zip(others, masked))
    pairs = []
    for pos in range(raw.n_columns):
        header = raw.headers[pos] if pos < len(raw.headers) and raw.headers[pos] else raw.extras.get(pos, f"column_{pos + 1}")
        value = q(spec.field(raw.mapping[pos]).staged_name) if pos in pii else values[pos]
        pairs.append(f"{lit(header)}, {value}")
    return pairs, judged


def _masked_values(cells: list[tuple[int, bool]], list_column: str) -> tuple[list[str], list[str]]:
    """SQL of raw cells ``r<pos>`` as they may be stored (``masked_sql``), for (pos, always
    hashed) pairs, and the cells judged by value: element i of ``list_column``, a column holding
    ``masked_list_sql`` of them."""
    judged = [pos for pos, always in cells if not always]
    index = {pos: i + 1 for i, pos in enumerate(judged)}
    values = [masked_sql(f"r{pos}", always=True) if always else f"{list_column}[{index[pos]}]" for pos, always in cells]
    return values, [f"r{pos}" for pos in judged]
