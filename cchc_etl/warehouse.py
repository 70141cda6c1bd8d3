"""The DuckDB warehouse: URL handling, connections, SQL files and idempotent partition writes."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb

from cchc_etl import settings
from cchc_etl.locks import connect_duckdb
from cchc_etl.paths import SQL_DIR
from cchc_etl.sql_text import sql_file, used_params

DEFAULT_URL = settings.WAREHOUSE_URL.default


def duckdb_path(url: str) -> Path:
    """SQLAlchemy-style URL -> file path: duckdb:///relative/file.duckdb, duckdb:////abs/file.duckdb."""
    prefix = "duckdb:///"
    if not url.startswith(prefix):
        raise ValueError(
            f"not a DuckDB warehouse URL: {url!r} (expected duckdb:///relative/file.duckdb or duckdb:////absolute/file.duckdb)"
        )
    rest = url[len(prefix):]
    if not rest or rest == ":memory:":
        raise ValueError("the warehouse must be a file: duckdb:///path/file.duckdb")
    return Path(rest)


@contextlib.contextmanager
def connect(url_or_path: str | Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    # strings are URLs (validated); Path objects are files, for callers inside the package
    path = duckdb_path(url_or_path) if isinstance(url_or_path, str) else Path(url_or_path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    # waits CCHC_LOCK_WAIT s for another process to let go; sets the memory budget (cchc_etl.memory)
    con = connect_duckdb(path, read_only=read_only)
    try:
        con.execute("SET TimeZone = 'Asia/Ho_Chi_Minh'")
        con.execute("SET enable_progress_bar = false")
        install_macros(con)
        yield con
    finally:
        con.close()


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """The parsing macros of sql/macros/parse.sql plus the yes/no vocabulary from the contract."""
    from cchc_etl.staging import bool_word_sql

    con.execute(f"CREATE OR REPLACE TEMP MACRO cchc_bool_word(f) AS {bool_word_sql('f')}")
    con.execute(sql_file("macros/parse.sql"))


_COMPRESSION_HINT = re.compile(r"\s+USING COMPRESSION \w+", re.I)


def takes_named_compression(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether this database file accepts ``USING COMPRESSION fsst|dictionary`` (see
    ``staging.column_compression``): files in DuckDB's v1.0 storage format, which every 1.x reader
    opens, do; a file in the v1.3+ format accepts neither name (its strings use dict_fsst)."""
    row = con.execute(
        "SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    version = tuple(int(n) for n in re.findall(r"\d+", row[0] or "")[:3]) if row and row[0] else ()
    return bool(version) and version < (1, 3)


def storage_ddl(con: duckdb.DuckDBPyConnection, ddl: str, named: bool | None = None) -> str:
    """``ddl`` as this database can take it: without the named column compression where the file
    refuses it (DuckDB then chooses by itself). ``named``: the answer of
    ``takes_named_compression`` when the caller already has it."""
    return ddl if (takes_named_compression(con) if named is None else named) else _COMPRESSION_HINT.sub("", ddl)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every contract table that does not exist yet (staging tables from the contracts),
    the views and the fact macros. Skipped when the warehouse already holds this release's schema
    (a fingerprint of the SQL and contract files, kept in core.warehouse_meta)."""
    from cchc_etl.contract import event_sources, load_source, reference_sources
    from cchc_etl.staging import staging_ddl

    fingerprint = schema_fingerprint()
    try:
        current = con.execute("SELECT value FROM core.warehouse_meta WHERE key = 'schema_fingerprint'").fetchone()
    except duckdb.CatalogException:
        current = None
    if current and current[0] == fingerprint:
        return
    from cchc_etl.facts import create_fact_macros
    from cchc_etl.table_ddl import duckdb_comments, duckdb_ddl

    with transaction(con):  # all of the schema or none of it (a failure half-way leaves nothing behind)
        _upgrade_derived_tables(con)
        named = takes_named_compression(con)
        con.execute(duckdb_ddl(named_compression=named))  # the tables of assets/tables/
        for source in reference_sources() + event_sources():
            con.execute(storage_ddl(con, staging_ddl(load_source(source)), named))
            _add_staged_columns(con, load_source(source))
        con.execute(sql_file("macros/dossier_state.sql"))
        con.execute(sql_file("schema/views.sql"))
        con.execute(duckdb_comments())
        create_fact_macros(con)
        con.execute("CREATE TABLE IF NOT EXISTS core.warehouse_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        con.execute("INSERT OR REPLACE INTO core.warehouse_meta VALUES ('schema_fingerprint', ?)", [fingerprint])


def _add_staged_columns(con: duckdb.DuckDBPyConnection, spec) -> None:
    """A field the contract gained since the staging table was made: appended as a column (NULL
    for the rows loaded before; the changed contract reloads the files anyway)."""
    from cchc_etl.staging import q, staged_columns

    schema, table = spec.staging_table.split(".")
    have = {r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = ? AND table_name = ?",
        [schema, table]).fetchall()}
    for column, type_ in staged_columns(spec):
        if column not in have:
            con.execute(f"ALTER TABLE {spec.staging_table} ADD COLUMN {q(column)} {type_}")


@functools.cache
def schema_fingerprint() -> str:
    from cchc_etl import __version__
    from cchc_etl.paths import ASSETS_DIR

    digest = hashlib.sha256(__version__.encode())
    files = sorted([*SQL_DIR.rglob("*.sql"), *(ASSETS_DIR / "sources").glob("*.yaml"), *(ASSETS_DIR / "tables").glob("*.yaml")])
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _upgrade_derived_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Drop core / marts tables whose columns differ from assets/tables/ (an older release made them).
    They hold derived data only: the next run of a month rebuilds them (re-run the months you need)."""
    from cchc_etl.table_ddl import DERIVED_SCHEMAS, duckdb_ddl

    scratch = duckdb.connect(":memory:")
    try:
        scratch.execute(duckdb_ddl(named_compression=False, schemas=DERIVED_SCHEMAS))
        expected = _columns(scratch)
    finally:
        scratch.close()
    actual = _columns(con)
    for table, cols in actual.items():
        if table in expected and expected[table] != cols:
            con.execute(f"DROP TABLE {table}")


def _columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    rows = con.execute(
        "SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name IN ('core', 'marts') ORDER BY schema_name, table_name, column_index"
    ).fetchall()
    for schema, table, column, dtype in rows:
        out.setdefault(f"{schema}.{table}", []).append((column, dtype))
    return out


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


@contextlib.contextmanager
def unordered(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Inserts whose rows need no particular physical order (every row carries its own keys):
    DuckDB then writes from all threads without re-sequencing (about a fifth faster at 1M rows)."""
    con.execute("SET preserve_insertion_order = false")
    try:
        yield con
    finally:
        con.execute("SET preserve_insertion_order = true")


def replace_partition(con: duckdb.DuckDBPyConnection, table: str, select_sql: str, params: dict, *, where: str = "period_start = $period_start") -> int:
    """Delete a partition and insert its new rows in one transaction; returns rows written."""
    with transaction(con):
        con.execute(f"DELETE FROM {table} WHERE {where}", {k: v for k, v in params.items() if f"${k}" in where})
        with unordered(con):
            con.execute(f"INSERT INTO {table} BY NAME ({select_sql})", used_params(select_sql, params))
        return con.execute(f"SELECT count(*) FROM {table} WHERE {where}", {k: v for k, v in params.items() if f"${k}" in where}).fetchone()[0]


