"""The table dictionary (assets/tables/*.yaml) cannot drift from the warehouse: every table and view
of the DuckDB ``marts`` and ``quality`` schemas and every table of ``core`` has an entry listing
exactly its columns, in order, with DuckDB's types and nullability (the DDL is generated from it);
the entries marked published are the tables the publisher copies to PostgreSQL, with its partition
column; every registry of marts is the dictionary's; each entry's grain identifies a row. Every
table and column carries its description as ``COMMENT ON`` in DuckDB and in PostgreSQL, where the
``bi`` views show the human names beside the codes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import unicodedata

import pytest
from psycopg import errors, sql

from cchc_etl.publish import CONTRACT_TABLES, DEFAULT_TABLES, grant_read_only, publish_month
from cchc_etl.table_ddl import bi_tables, bi_view_columns, pg_type
from cchc_etl.table_dictionary import NAME_COLUMNS, TABLES_DIR, TableDictionaryError, load_tables
from cchc_etl.warehouse import connect, ensure_schema
from tests.support.pg import TestDatabase

SCHEMAS = ("marts", "quality", "core")
#: core tables that are bookkeeping, not data (no dictionary entry)
UNDOCUMENTED = {"core.warehouse_meta"}


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict[str, dict]:
    """{schema.table: {kind, columns: [(name, type, nullable)]}} of a new warehouse."""
    path = tmp_path_factory.mktemp("dictionary") / "warehouse.duckdb"
    with connect(path) as con:
        ensure_schema(con)
        tables = con.execute(
            "SELECT table_schema || '.' || table_name, table_type FROM information_schema.tables "
            "WHERE table_schema IN ? ORDER BY 1", [list(SCHEMAS)]).fetchall()
        columns = con.execute(
            "SELECT table_schema || '.' || table_name, column_name, data_type, is_nullable = 'YES' "
            "FROM information_schema.columns WHERE table_schema IN ? ORDER BY 1, ordinal_position",
            [list(SCHEMAS)]).fetchall()
    out = {name: {"kind": "view" if kind == "VIEW" else "table", "columns": []} for name, kind in tables
           if name not in UNDOCUMENTED and (not name.startswith("core.") or kind != "VIEW")}
    for table, name, type_, nullable in columns:
        if table in out:
            out[table]["columns"].append((name, type_, nullable))
    return out


def drift(schema: dict[str, dict], tables) -> list[str]:
    """What the dictionary says differently from the warehouse, one line per difference."""
    problems = []
    documented = {t.name: t for t in tables}
    # views of core (over staging) are documented when they are published
    schema = {**schema, **{n: {"kind": "view", "columns": None} for n, t in documented.items()
                           if n.startswith("core.") and t.kind == "view" and n not in schema}}
    for name in sorted(set(schema) - set(documented)):
        problems.append(f"{name}: in the warehouse, no assets/tables/{name}.yaml")
    for name in sorted(set(documented) - set(schema)):
        problems.append(f"{name}: in the dictionary, not in the warehouse")
    for name in sorted(set(schema) & set(documented)):
        doc, real = documented[name], schema[name]
        if doc.kind != real["kind"]:
            problems.append(f"{name}: kind {doc.kind} in the dictionary, {real['kind']} in the warehouse")
        listed = [(c.name, c.type, c.nullable) for c in doc.columns]
        if real["columns"] is None:
            continue
        if listed != real["columns"]:
            problems.append(f"{name}: dictionary columns {listed} != warehouse columns {real['columns']}")
    return problems


def test_the_dictionary_lists_exactly_the_warehouse_columns(schema):
    tables = load_tables()
    assert {t.schema for t in tables} == set(SCHEMAS)
    assert drift(schema, tables) == []


def test_a_reordered_or_retyped_or_missing_column_is_reported(schema, tmp_path):
    tables = list(load_tables())
    by_name = {t.name: i for i, t in enumerate(tables)}
    report = tables[by_name["marts.period_report"]]
    swapped = (report.columns[1], report.columns[0], *report.columns[2:])
    tables[by_name["marts.period_report"]] = dataclasses.replace(report, columns=swapped)
    scores = tables[by_name["marts.scores"]]
    retyped = tuple(dataclasses.replace(c, type="INTEGER") if c.name == "rank" else c for c in scores.columns)
    tables[by_name["marts.scores"]] = dataclasses.replace(scores, columns=retyped)
    del tables[by_name["quality.quarantine"]]
    problems = drift(schema, tables)
    assert [p.split(":")[0] for p in problems] == ["quality.quarantine", "marts.period_report", "marts.scores"], problems
    assert "('rank', 'INTEGER', True)" in problems[2] and "('rank', 'BIGINT', True)" in problems[2]


def test_published_entries_are_the_publishing_contract():
    published = {t.name: (t.publish.target, t.partition) for t in load_tables() if t.published}
    assert published == {p.source: (p.target, p.partition) for p in DEFAULT_TABLES}
    assert {p.source for p in CONTRACT_TABLES} == {t.name for t in load_tables() if t.published and t.schema in ("marts", "quality")}


def test_every_registry_of_marts_is_the_dictionarys():
    from dagster import AssetKey

    from cchc_etl.defs.exports import MART_KEYS
    from cchc_etl.defs.operations import MARTS
    from cchc_etl.defs.warehouse_models import SCORE_DESCRIPTIONS, SCORE_KEYS, score_month
    from cchc_etl.exports import MARTS as EXPORTED

    marts = [t for t in load_tables() if t.schema == "marts" and t.kind == "table"]
    assert EXPORTED == {t.table: t.export for t in marts if t.export}
    assert MART_KEYS == [AssetKey(["marts", t.table]) for t in marts if t.export]
    assert MARTS == [AssetKey(["marts", t.table]) for t in marts if t.asset]
    scored = [t for t in marts if t.asset and t.asset.built_by == "score_month"]
    assert list(SCORE_KEYS) == [t.table for t in scored] and set(score_month.keys) == set(SCORE_KEYS.values())
    assert SCORE_DESCRIPTIONS == {t.table: t.asset.description for t in scored}
    assert [p.source for p in CONTRACT_TABLES if p.schema == "marts"] == [t.name for t in marts if t.publish]


def test_every_column_is_described_in_both_languages():
    for table in load_tables():
        assert table.title_vi and table.title_en and table.description_vi and table.description_en, table.name
        assert table.grain, f"{table.name}: no grain"
        for column in table.columns:
            for text in (column.description_vi, column.description_en):
                assert text, f"{table.name}.{column.name}: a description is missing"
                assert unicodedata.is_normalized("NFC", text), f"{table.name}.{column.name}: not NFC"


def test_an_entry_that_names_another_table_or_an_unknown_key_is_refused(tmp_path):
    shutil.copy(TABLES_DIR / "marts.periods.yaml", tmp_path / "marts.period.yaml")
    with pytest.raises(TableDictionaryError, match="does not match the file name"):
        load_tables(tmp_path)
    (tmp_path / "marts.period.yaml").unlink()
    text = (TABLES_DIR / "marts.periods.yaml").read_text(encoding="utf-8")
    (tmp_path / "marts.periods.yaml").write_text(text.replace("    nullable: false\n", "    nulable: false\n", 1),
                                                 encoding="utf-8")
    with pytest.raises(TableDictionaryError, match=r"unknown keys \['nulable'\]"):
        load_tables(tmp_path)


def test_the_grain_identifies_a_row_of_the_sample_warehouse(sample_warehouse):
    with connect(sample_warehouse, read_only=True) as con:
        for table in load_tables():
            rows = con.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0]
            keys = ", ".join(table.grain)
            (duplicated,) = con.execute(
                f"SELECT count(*) FROM (SELECT {keys} FROM {table.name} GROUP BY ALL HAVING count(*) > 1)").fetchone()
            assert duplicated == 0, f"{table.name}: {duplicated} values of ({keys}) on more than one row"
            assert rows > 0, f"{table.name}: no rows in the sample warehouse"


def test_every_table_and_column_is_commented_in_duckdb(schema, tmp_path):
    """COMMENT ON every documented table, view and column, with the dictionary's text."""
    with connect(tmp_path / "warehouse.duckdb") as con:
        ensure_schema(con)
        relations = dict(con.execute(
            "SELECT schema_name || '.' || table_name, comment FROM duckdb_tables() WHERE database_name = current_database() "
            "UNION ALL SELECT schema_name || '.' || view_name, comment FROM duckdb_views() WHERE database_name = current_database()"
        ).fetchall())
        columns = {(t, c): comment for t, c, comment in con.execute(
            "SELECT schema_name || '.' || table_name, column_name, comment FROM duckdb_columns() "
            "WHERE database_name = current_database()").fetchall()}
    for table in load_tables():
        assert relations[table.name] == table.comment, table.name
        for column in table.columns:
            assert columns[(table.name, column.name)] == column.comment, f"{table.name}.{column.name}"


def test_dagster_column_schema_carries_the_descriptions(sample_warehouse):
    from cchc_etl.defs.reporting import table_metadata

    with connect(sample_warehouse, read_only=True) as con:
        for table in load_tables():
            meta = table_metadata(con, table.name)
            schema = meta["dagster/column_schema"].value
            assert [(c.name, c.type, c.constraints.nullable, c.description) for c in schema.columns] == [
                (c.name, c.type, c.nullable, c.comment) for c in table.columns], table.name
            assert meta["dagster/row_count"].value > 0, table.name


# --------------------------------------------------------------------------- PostgreSQL

MONTHS = (dt.date(2024, 1, 1), dt.date(2024, 2, 1))


@pytest.fixture(scope="module")
def published(sample_warehouse, pg_database: TestDatabase) -> TestDatabase:
    for month in MONTHS:
        publish_month(sample_warehouse, pg_database.url, month)
    return pg_database


def test_the_postgres_tables_and_bi_views_are_the_generated_ddl(published):
    rows = published.fetch(
        "SELECT table_schema || '.' || table_name, column_name, udt_name, is_nullable = 'YES' FROM information_schema.columns "
        "WHERE table_schema IN ('marts', 'quality', 'warehouse', 'bi') ORDER BY 1, ordinal_position")
    actual: dict[str, list] = {}
    for table, column, udt, nullable in rows:
        actual.setdefault(table, []).append((column, udt, nullable))
    udt = {"text": "text", "bigint": "int8", "integer": "int4", "double precision": "float8", "date": "date", "boolean": "bool",
           "timestamp": "timestamp", "timestamptz": "timestamptz", "jsonb": "jsonb"}
    for table in load_tables():
        if table.publish is None:
            continue
        expected = [(c.name, udt[pg_type(c.type)], c.nullable) for c in table.columns]
        assert actual[table.publish.target] == expected, table.publish.target
    for table in bi_tables():
        assert [c for c, _, _ in actual[table.bi.view]] == bi_view_columns(table), table.bi.view


def test_every_published_table_view_and_column_is_commented_in_postgres(published):
    missing = published.fetch(
        "SELECT n.nspname || '.' || c.relname || coalesce('.' || a.attname, '') FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
        "WHERE n.nspname IN ('marts', 'quality', 'warehouse', 'bi') AND c.relkind IN ('r', 'v') "
        "AND (obj_description(c.oid, 'pg_class') IS NULL OR (a.attnum IS NOT NULL AND col_description(c.oid, a.attnum) IS NULL)) "
        "ORDER BY 1")
    assert missing == []
    (comment,) = published.fetch(
        "SELECT col_description('bi.scores'::regclass, "
        "(SELECT attnum FROM pg_attribute WHERE attrelid = 'bi.scores'::regclass AND attname = 'group_name_vi'))")[0]
    assert comment == " / ".join(NAME_COLUMNS["group_name_vi"])


def test_the_bi_views_show_the_human_names(published, sample_warehouse):
    from cchc_etl.methodology import load_methodology

    with connect(sample_warehouse, read_only=True) as con:
        unit_names = dict(con.execute("SELECT unit_code, name FROM core.dim_org_unit").fetchall())
        indicators = {(v, c): (vi, en) for v, c, vi, en in con.execute(
            "SELECT methodology_version, indicator_code, name_vi, name_en FROM core.dim_indicator").fetchall()}
    assert unit_names["STP"] == "Sở Tư pháp"
    [(stp,)] = published.fetch("SELECT DISTINCT org_unit_name FROM bi.period_report WHERE org_unit_code = 'STP'")
    assert stp == "Sở Tư pháp"
    names = published.fetch("SELECT DISTINCT org_unit_code, org_unit_name, org_level, org_level_vi FROM bi.scores")
    assert names and all(name == unit_names[code] for code, name, _, _ in names)
    assert {lvl: vi for _, _, lvl, vi in names} == {
        "unit": "Đơn vị", "department": "Sở, ban, ngành, quận, huyện (gồm đơn vị trực thuộc)", "city": "Toàn thành phố"}
    labels = dict(published.fetch("SELECT DISTINCT period_type || ' ' || period_start, period_label_vi FROM bi.indicator_values"))
    assert labels == {"month 2024-01-01": "Tháng 01/2024", "month 2024-02-01": "Tháng 02/2024",
                      "quarter 2024-01-01": "Quý I/2024", "year 2024-01-01": "2 tháng đầu năm 2024"}
    assert published.fetch("SELECT DISTINCT period_label_vi FROM bi.target_attainment") == [("2 tháng đầu năm 2024",)]
    assert published.fetch("SELECT DISTINCT period_label_vi FROM bi.period_report ORDER BY 1") == [("Tháng 01/2024",), ("Tháng 02/2024",)]
    rows = published.fetch(
        "SELECT DISTINCT methodology_version, indicator_code, indicator_name_vi, indicator_name_en FROM bi.indicator_scores")
    assert rows and all((vi, en) == indicators[(v, c)] for v, c, vi, en in rows)
    groups = dict(published.fetch("SELECT DISTINCT group_code, group_name_vi FROM bi.scores"))
    method = load_methodology()
    assert groups == {**{g.code: g.name_vi for g in method.groups}, "TOTAL": "Tổng điểm"}
    # indicator values carry no group code: the name is their indicator's group's
    by_indicator = dict(published.fetch("SELECT DISTINCT indicator_code, group_name_vi FROM bi.indicator_values"))
    group_of = {i.code: i.group for i in method.indicators}
    assert by_indicator and by_indicator == {code: groups.get(group_of.get(code)) for code in by_indicator}
    assert any(by_indicator.values()) and by_indicator["IDX_2_1"] == groups[group_of["IDX_2_1"]]


def test_the_read_only_role_reads_the_names_but_not_the_warehouse(published):
    role = published.make_role("cchc_bi_names")
    grant_read_only(published.url, role)
    with published.connect(autocommit=False) as con:
        con.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
        (n,) = con.execute("SELECT count(*) FROM bi.scores WHERE org_unit_name IS NOT NULL AND period_label_vi IS NOT NULL "
                           "AND group_name_vi IS NOT NULL").fetchone()
        assert n > 0
        with pytest.raises(errors.InsufficientPrivilege):
            con.execute("SELECT count(*) FROM warehouse.dim_org_unit")


def test_a_column_appended_later_follows_the_human_names_in_its_bi_view():
    from cchc_etl.table_dictionary import ColumnDoc, table

    scores = table("marts.scores")
    before = bi_view_columns(scores)
    later = dataclasses.replace(scores, columns=(*scores.columns, ColumnDoc("trend", "DOUBLE", True, "xu hướng", "trend")))
    assert bi_view_columns(later) == [*before, "trend"]
    assert before.index("classification") + 1 == before.index("org_unit_name")


def test_the_bi_views_are_recreated_when_their_sql_changes_or_one_is_missing(published, monkeypatch):
    from cchc_etl.publish import ddl, pg_connect

    def definition(view: str) -> str:
        return published.fetch("SELECT pg_get_viewdef(%s::regclass)", [view])[0][0]

    with pg_connect(published.url) as conn:
        ddl.ensure_schema(conn)
    assert published.fetch("SELECT obj_description('bi'::regnamespace, 'pg_namespace')")[0][0] == ddl.bi_marker()
    with published.connect() as con:
        con.execute("DROP VIEW bi.par_index")
    with pg_connect(published.url) as conn:
        ddl.ensure_schema(conn)
    assert "org_unit_name" in definition("bi.par_index")
    changed = ddl.bi_views_text().replace("'Tổng điểm'", "'Tổng cộng'")
    monkeypatch.setattr(ddl, "bi_views_text", lambda: changed)
    with pg_connect(published.url) as conn:
        ddl.ensure_schema(conn)
    assert "Tổng cộng" in definition("bi.scores")
    monkeypatch.undo()
    with pg_connect(published.url) as conn:
        ddl.ensure_schema(conn)
    assert "Tổng điểm" in definition("bi.scores")


def test_a_column_missing_in_postgres_is_appended(published):
    from cchc_etl.publish import ensure_schema, pg_connect

    def columns() -> list[str]:
        return [c for (c,) in published.fetch("SELECT column_name FROM information_schema.columns WHERE table_schema = 'quality' "
                                              "AND table_name = 'file_log' ORDER BY ordinal_position")]

    before = columns()
    with published.connect() as con:  # a table an earlier release made
        con.execute("ALTER TABLE quality.file_log DROP COLUMN pii_key_fingerprint")
    with pg_connect(published.url) as conn:
        ensure_schema(conn)
    assert columns() == before and before[-1] == "pii_key_fingerprint"


@pytest.mark.parametrize(("change", "message"), [
    (("  granularity: periods\n", "  granularity: weekly\n"), "publish.granularity must be one of"),
    (("  names: [org_unit_name,", "  names: [unit_label,"), r"bi.names: unknown name columns \['unit_label'\]"),
    (("  names_after: classification\n", "  names_after: nowhere\n"), "bi.names_after must name"),
    (("export: periods\n", "export: weekly\n"), "export must be one of"),
    (("  built_by: score_month\n", "  built_by: score_month\n  built_with: x\n"), r"asset: unknown keys \['built_with'\]"),
])
def test_a_wrong_publish_export_asset_or_bi_block_is_refused(tmp_path, change, message):
    text = (TABLES_DIR / "marts.scores.yaml").read_text(encoding="utf-8")
    assert change[0] in text
    (tmp_path / "marts.scores.yaml").write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(TableDictionaryError, match=message):
        load_tables(tmp_path)
