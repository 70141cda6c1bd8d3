"""The table dictionary (assets/tables/*.yaml) cannot drift from the warehouse: every table and view
of the DuckDB ``marts`` and ``quality`` schemas has an entry listing exactly its columns, in order,
with DuckDB's types and nullability; the entries marked published are the tables the publisher
copies to PostgreSQL, with its partition column; each entry's grain identifies a row."""

from __future__ import annotations

import dataclasses
import shutil
import unicodedata

import pytest

from cchc_etl.publish import CONTRACT_TABLES
from cchc_etl.table_dictionary import TABLES_DIR, TableDictionaryError, load_tables
from cchc_etl.warehouse import connect, ensure_schema

SCHEMAS = ("marts", "quality")


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
    out = {name: {"kind": "view" if kind == "VIEW" else "table", "columns": []} for name, kind in tables}
    for table, name, type_, nullable in columns:
        out[table]["columns"].append((name, type_, nullable))
    return out


def drift(schema: dict[str, dict], tables) -> list[str]:
    """What the dictionary says differently from the warehouse, one line per difference."""
    problems = []
    documented = {t.name: t for t in tables}
    for name in sorted(set(schema) - set(documented)):
        problems.append(f"{name}: in the warehouse, no assets/tables/{name}.yaml")
    for name in sorted(set(documented) - set(schema)):
        problems.append(f"{name}: in the dictionary, not in the warehouse")
    for name in sorted(set(schema) & set(documented)):
        doc, real = documented[name], schema[name]
        if doc.kind != real["kind"]:
            problems.append(f"{name}: kind {doc.kind} in the dictionary, {real['kind']} in the warehouse")
        listed = [(c.name, c.type, c.nullable) for c in doc.columns]
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
    published = {t.name: t.partition for t in load_tables() if t.published}
    assert published == {p.source: p.partition for p in CONTRACT_TABLES}


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
