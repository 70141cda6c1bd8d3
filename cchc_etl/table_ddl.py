"""SQL generated from the table dictionary (assets/tables/*.yaml): the DuckDB and PostgreSQL DDL,
``COMMENT ON`` every table and column in both databases, and the ``bi`` views with the human-name
columns BI tools show beside the codes. No column list of a documented table is written anywhere
else.
"""

from __future__ import annotations

from collections.abc import Sequence

from cchc_etl.reports.vn_format import ROMAN
from cchc_etl.table_dictionary import NAME_COLUMNS, TableDoc, load_tables

#: DuckDB type (as information_schema spells it) -> PostgreSQL type
PG_TYPES = {
    "VARCHAR": "text", "BIGINT": "bigint", "INTEGER": "integer", "SMALLINT": "smallint", "DOUBLE": "double precision",
    "FLOAT": "real", "DATE": "date", "TIMESTAMP": "timestamp", "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "BOOLEAN": "boolean", "JSON": "jsonb", "UUID": "uuid", "BLOB": "bytea",
}
#: the schemas whose tables hold derived data only: a table whose columns changed is dropped and
#: rebuilt (cchc_etl.warehouse); the others get their appended columns added
DERIVED_SCHEMAS = ("core", "marts")
#: org_level -> its Vietnamese name in the bi views
# methodology §1: the department level is every unit directly under the city (districts while they existed)
LEVEL_VI = {"unit": "Đơn vị", "department": "Sở, ban, ngành, quận, huyện (gồm đơn vị trực thuộc)", "city": "Toàn thành phố"}


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _tables(tables: Sequence[TableDoc] | None) -> Sequence[TableDoc]:
    return load_tables() if tables is None else tables


# --------------------------------------------------------------------------- DuckDB


def duckdb_table_ddl(t: TableDoc, *, named_compression: bool = True) -> str:
    """``CREATE TABLE IF NOT EXISTS`` of one table, then (tables holding more than derived data)
    ``ADD COLUMN IF NOT EXISTS`` for its nullable columns, which warehouses of an earlier release lack."""
    def column(c) -> str:
        compression = f" USING COMPRESSION {c.compression}" if c.compression and named_compression else ""
        return f"    {c.name} {c.type}{compression}{'' if c.nullable else ' NOT NULL'}"

    out = [f"CREATE TABLE IF NOT EXISTS {t.name} (\n" + ",\n".join(column(c) for c in t.columns) + "\n);"]
    if t.schema not in DERIVED_SCHEMAS:
        out += [f"ALTER TABLE {t.name} ADD COLUMN IF NOT EXISTS {c.name} {c.type};" for c in t.columns if c.nullable]
    return "\n".join(out)


def duckdb_ddl(tables: Sequence[TableDoc] | None = None, *, named_compression: bool = True,
               schemas: Sequence[str] | None = None) -> str:
    """Schemas and tables (not views: sql/schema/views.sql) of the dictionary, in dependency-free order."""
    chosen = [t for t in _tables(tables) if t.kind == "table" and (schemas is None or t.schema in schemas)]
    out = [f"CREATE SCHEMA IF NOT EXISTS {s};" for s in dict.fromkeys(t.schema for t in chosen)]
    out += [duckdb_table_ddl(t, named_compression=named_compression) for t in chosen]
    return "\n".join(out) + "\n"


def duckdb_comments(tables: Sequence[TableDoc] | None = None) -> str:
    """``COMMENT ON`` every table, view and column of the dictionary (run after the views exist)."""
    out = []
    for t in _tables(tables):
        out.append(f"COMMENT ON {'VIEW' if t.kind == 'view' else 'TABLE'} {t.name} IS {literal(t.comment)};")
        out += [f"COMMENT ON COLUMN {t.name}.{c.name} IS {literal(c.comment)};" for c in t.columns]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- PostgreSQL


def pg_type(duck_type: str) -> str:
    try:
        return PG_TYPES[duck_type.upper()]
    except KeyError:
        raise ValueError(f"no PostgreSQL type for DuckDB type {duck_type}") from None


def published(tables: Sequence[TableDoc] | None = None) -> list[TableDoc]:
    return [t for t in _tables(tables) if t.publish is not None]


def pg_table_ddl(t: TableDoc) -> str:
    """The PostgreSQL table a published table is copied to: same columns in the same order, types
    mapped, an index on the partition column. Columns appended since an earlier release made the
    table: :func:`pg_add_columns`."""
    target = t.publish.target
    cols = ",\n".join(f"    {c.name} {pg_type(c.type)}{'' if c.nullable else ' NOT NULL'}" for c in t.columns)
    out = [f"CREATE TABLE IF NOT EXISTS {target} (\n{cols}\n);"]
    index = t.publish.index or t.partition
    if index:
        out.append(f"CREATE INDEX IF NOT EXISTS {target.split('.', 1)[1]}_{index} ON {target} ({index});")
    return "\n".join(out)


def pg_add_columns(t: TableDoc, have: set[str]) -> list[str]:
    """``ALTER TABLE … ADD COLUMN`` for the columns the PostgreSQL table lacks (only those: an
    ALTER TABLE waits for every reader of the table, even when it changes nothing)."""
    return [f"ALTER TABLE {t.publish.target} ADD COLUMN {c.name} {pg_type(c.type)};" for c in t.columns if c.name not in have]


def pg_ddl(tables: Sequence[TableDoc] | None = None) -> str:
    chosen = published(tables)
    out = [f"CREATE SCHEMA IF NOT EXISTS {s};" for s in dict.fromkeys(t.publish.target.split(".", 1)[0] for t in chosen)]
    out += [pg_table_ddl(t) for t in chosen]
    return "\n".join(out) + "\n"


def pg_comments(tables: Sequence[TableDoc] | None = None) -> str:
    """``COMMENT ON`` every published table and column and every generated bi view and its columns."""
    out = []
    for t in published(tables):
        out.append(f"COMMENT ON TABLE {t.publish.target} IS {literal(t.comment)};")
        out += [f"COMMENT ON COLUMN {t.publish.target}.{c.name} IS {literal(c.comment)};" for c in t.columns]
    for t in bi_tables(tables):
        out.append(f"COMMENT ON VIEW {t.bi.view} IS {literal(f'{t.title_vi} / {t.title_en} (docs: Bảng / Tables, {t.name})')};")
        out += [f"COMMENT ON COLUMN {t.bi.view}.{c.name} IS {literal(c.comment)};" for c in t.columns if c.bi]
        out += [f"COMMENT ON COLUMN {t.bi.view}.{n} IS {literal(' / '.join(NAME_COLUMNS[n]))};" for n in t.bi.names]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- bi views


def bi_tables(tables: Sequence[TableDoc] | None = None) -> list[TableDoc]:
    return [t for t in _tables(tables) if t.bi is not None]


def _split(t: TableDoc) -> tuple[list[str], list[str]]:
    """The table's columns shown to BI before the human names, and those appended after them."""
    shown = [c.name for c in t.columns if c.bi]
    if not t.bi.names:
        return shown, []
    cut = [c.name for c in t.columns].index(t.bi.names_after) + 1
    head = {c.name for c in t.columns[:cut]}
    return [c for c in shown if c in head], [c for c in shown if c not in head]


def bi_view_columns(t: TableDoc) -> list[str]:
    """The view's columns: the table's (those shown to BI) in order up to ``names_after``, the
    human names, then the table's columns appended since."""
    head, tail = _split(t)
    return head + list(t.bi.names) + tail


def _group_names() -> str:
    """(methodology_version, group_code, name_vi) of every known methodology version, TOTAL included."""
    from cchc_etl.methodology import known_versions, load_methodology

    rows = []
    for version in known_versions():
        m = load_methodology(version)
        rows += [(version, g.code, g.name_vi) for g in m.groups] + [(version, "TOTAL", "Tổng điểm")]
    return ", ".join(f"({literal(v)}, {literal(c)}, {literal(n)})" for v, c, n in rows)


def _month_label(start: str) -> str:
    return f"'Tháng ' || to_char({start}, 'MM/YYYY')"


def _quarter_label(start: str) -> str:
    roman = "ARRAY[" + ", ".join(literal(r) for r in ROMAN[:4]) + "]"
    return f"'Quý ' || ({roman})[extract(quarter FROM {start})::int] || '/' || extract(year FROM {start})::int"


def _year_label(start: str, end: str) -> str:
    """'Năm 2024', or '6 tháng đầu năm 2024' while the year runs (``end``: exclusive end of the months included)."""
    months = (f"((extract(year FROM {end}) - extract(year FROM {start})) * 12"
              f" + extract(month FROM {end}) - extract(month FROM {start}))::int")
    year = f"extract(year FROM {start})::int"
    return f"CASE WHEN {end} IS NULL OR {months} >= 12 THEN 'Năm ' || {year} ELSE {months} || ' tháng đầu năm ' || {year} END"


def bi_view_sql(t: TableDoc) -> str:
    names = set(c.name for c in t.columns)
    head, tail = _split(t)
    select = [f"t.{c}" for c in head]
    joins = []
    if "period_start" in names:
        start = "t.period_start"
    elif "year" in names:
        start = "make_date(t.year, 1, 1)"
    else:
        start = None
    for n in t.bi.names:
        if n == "org_unit_name":
            in_force = (f"(o.valid_from IS NULL OR o.valid_from <= {start}) AND (o.valid_to IS NULL OR o.valid_to >= {start})"
                        if start else "o.valid_to IS NULL")
            joins.append("LEFT JOIN LATERAL (SELECT o.name FROM warehouse.dim_org_unit o WHERE o.unit_code = t.org_unit_code "
                         f"ORDER BY ({in_force}) DESC, o.valid_from DESC NULLS LAST LIMIT 1) u ON true")
            select.append("u.name AS org_unit_name")
        elif n == "org_level_vi":
            cases = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in LEVEL_VI.items())
            select.append(f"CASE t.org_level {cases} END AS org_level_vi")
        elif n in ("indicator_name_vi", "indicator_name_en"):
            if not any(j.startswith("LEFT JOIN warehouse.dim_indicator") for j in joins):
                joins.append("LEFT JOIN warehouse.dim_indicator i ON i.methodology_version = t.methodology_version "
                             "AND i.indicator_code = t.indicator_code")
            select.append(f"i.name_{n[-2:]} AS {n}")
        elif n == "group_name_vi":
            group = "t.group_code"
            if "group_code" not in names:  # the indicator's group
                if not any(j.startswith("LEFT JOIN warehouse.dim_indicator") for j in joins):
                    joins.append("LEFT JOIN warehouse.dim_indicator i ON i.methodology_version = t.methodology_version "
                                 "AND i.indicator_code = t.indicator_code")
                group = "i.group_code"
            joins.append(f"LEFT JOIN (VALUES {_group_names()}) AS g (methodology_version, group_code, name_vi) "
                         f"ON g.methodology_version = t.methodology_version AND g.group_code = {group}")
            select.append("g.name_vi AS group_name_vi")
        elif n == "period_label_vi":
            if "period_type" not in names and "year" not in names:  # a monthly table
                select.append(f"{_month_label(start)} AS period_label_vi")
                continue
            if "period_end" in names:
                end = "t.period_end"
            else:  # how far the scored year reaches: marts.periods
                joins.append("LEFT JOIN LATERAL (SELECT p.period_end FROM marts.periods p WHERE p.period_type = 'year' "
                             f"AND p.period_start = {start} AND p.methodology_version = t.methodology_version LIMIT 1) y ON true")
                end = "y.period_end"
            if "period_type" in names:
                label = (f"CASE t.period_type WHEN 'month' THEN {_month_label(start)} WHEN 'quarter' THEN {_quarter_label(start)} "
                         f"ELSE {_year_label(start, end)} END")
            else:
                label = _year_label(start, end)
            select.append(f"{label} AS period_label_vi")
    select += [f"t.{c}" for c in tail]
    body = ",\n       ".join(select)
    return (f"CREATE OR REPLACE VIEW {t.bi.view} AS\nSELECT {body}\nFROM {t.publish.target} t"
            + "".join(f"\n{j}" for j in joins) + ";")


def bi_views_sql(tables: Sequence[TableDoc] | None = None) -> str:
    return "\n\n".join(bi_view_sql(t) for t in bi_tables(tables)) + "\n"


__all__ = ["DERIVED_SCHEMAS", "LEVEL_VI", "PG_TYPES", "bi_tables", "bi_view_columns", "bi_view_sql", "bi_views_sql",
           "duckdb_comments", "duckdb_ddl", "duckdb_table_ddl", "pg_add_columns", "pg_comments", "pg_ddl", "pg_table_ddl", "pg_type",
           "published"]
