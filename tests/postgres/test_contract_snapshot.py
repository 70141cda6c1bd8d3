"""The published contract does not change: a snapshot of ``information_schema`` in DuckDB and in
PostgreSQL, and of every mart's rows, taken from the sample warehouse (conftest) and kept in
``tests/postgres/snapshots/contract.json``.

- DuckDB ``marts`` and ``quality``, PostgreSQL ``marts``, ``quality``, ``warehouse`` and ``bi``:
  every table and view of the snapshot still exists, and its snapshot columns come first, in the
  same order, with the same types and nullability. Appended columns and new tables pass (the
  contract allows them); a renamed, dropped, retyped or reordered column fails.
- Every mart: the same number of rows and the same digest of its rows over the snapshot's columns
  (doubles compared to 12 significant digits).

Rewrite the snapshot only when the contract is meant to change (it never is for a rename or a
drop): ``CCHC_WRITE_CONTRACT_SNAPSHOT=1 pytest tests/postgres/test_contract_snapshot.py``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import os
from pathlib import Path

import duckdb
import pytest

from tests.support.pg import TestDatabase

from cchc_etl.publish import publish_month

SNAPSHOT = Path(__file__).parent / "snapshots" / "contract.json"
WRITE = os.environ.get("CCHC_WRITE_CONTRACT_SNAPSHOT") == "1"
DUCK_SCHEMAS = ("marts", "quality")
PG_SCHEMAS = ("marts", "quality", "warehouse", "bi")
MONTHS = (dt.date(2024, 1, 1), dt.date(2024, 2, 1))


def _duck_columns(path: Path) -> dict[str, list[list[str]]]:
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "SELECT table_schema || '.' || table_name, column_name, data_type, is_nullable "
            "FROM information_schema.columns WHERE table_schema IN ? ORDER BY 1, ordinal_position",
            [list(DUCK_SCHEMAS)],
        ).fetchall()
    return _group(rows)


def _pg_columns(db: TestDatabase) -> dict[str, list[list[str]]]:
    rows = db.fetch(
        "SELECT table_schema || '.' || table_name, column_name, "
        "CASE WHEN data_type = 'USER-DEFINED' THEN udt_name ELSE data_type END, is_nullable "
        "FROM information_schema.columns WHERE table_schema = ANY(%s) ORDER BY 1, ordinal_position",
        [list(PG_SCHEMAS)],
    )
    return _group(rows)


def _group(rows) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    for table, column, data_type, nullable in rows:
        out.setdefault(table, []).append([column, data_type, nullable])
    return out


def _canon(value):
    if value is None:
        return None
    if isinstance(value, float):
        return format(value, ".12g")
    if isinstance(value, decimal.Decimal):
        return format(float(value), ".12g")
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _mart_rows(path: Path, columns: dict[str, list[list[str]]]) -> dict[str, dict[str, object]]:
    out = {}
    with duckdb.connect(str(path), read_only=True) as con:
        for table, cols in columns.items():
            if not table.startswith("marts."):
                continue
            names = ", ".join(f'"{c[0]}"' for c in cols)
            rows = sorted(json.dumps([_canon(v) for v in row], ensure_ascii=False)
                          for row in con.execute(f"SELECT {names} FROM {table}").fetchall())
            out[table] = {"rows": len(rows), "sha256": hashlib.sha256("\n".join(rows).encode()).hexdigest()}
    return out


def _assert_columns_kept(expected: dict[str, list[list[str]]], actual: dict[str, list[list[str]]], where: str) -> None:
    missing = sorted(set(expected) - set(actual))
    assert not missing, f"{where}: published tables gone: {missing}"
    for table, cols in expected.items():
        head = [list(c) for c in actual[table][: len(cols)]]
        assert head == cols, (
            f"{where}: {table} changed its published columns (append only; never rename, drop, retype or reorder)\n"
            f"  snapshot: {cols}\n  now:      {head}"
        )


@pytest.fixture(scope="module")
def published(sample_warehouse: Path, pg_database: TestDatabase) -> TestDatabase:
    for month in MONTHS:
        publish_month(sample_warehouse, pg_database.url, month)
    return pg_database


@pytest.fixture(scope="module")
def current(sample_warehouse: Path, published: TestDatabase) -> dict:
    duck = _duck_columns(sample_warehouse)
    now = {"duckdb": duck, "postgres": _pg_columns(published), "mart_rows": _mart_rows(sample_warehouse, duck)}
    if WRITE:
        SNAPSHOT.write_text(json.dumps(now, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return now


@pytest.fixture(scope="module")
def snapshot() -> dict:
    assert SNAPSHOT.is_file(), f"{SNAPSHOT} is missing; it is the contract and must be in the repository"
    return json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_duckdb_published_tables_keep_their_columns(current, snapshot):
    assert {t.split(".")[0] for t in snapshot["duckdb"]} == set(DUCK_SCHEMAS)
    _assert_columns_kept(snapshot["duckdb"], current["duckdb"], "DuckDB")


def test_postgres_published_tables_and_bi_views_keep_their_columns(current, snapshot):
    assert {t.split(".")[0] for t in snapshot["postgres"]} == set(PG_SCHEMAS)
    _assert_columns_kept(snapshot["postgres"], current["postgres"], "PostgreSQL")


def test_every_mart_keeps_its_rows(current, snapshot):
    expected = snapshot["mart_rows"]
    assert len(expected) >= 8, "the snapshot holds every mart"
    changed = {t: (v, current["mart_rows"].get(t)) for t, v in expected.items() if current["mart_rows"].get(t) != v}
    assert not changed, f"mart rows changed (snapshot, now): {changed}"
