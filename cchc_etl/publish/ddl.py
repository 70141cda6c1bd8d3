"""The PostgreSQL DDL a publish runs first, in its own short transaction: the schemas
(``sql/postgres/00_schemas.sql``), the published tables and their comments (generated from the
table dictionary, cchc_etl.table_ddl), columns appended to a DuckDB table, and the ``bi`` views
(generated, plus the views with logic in ``sql/postgres/99_bi_views.sql``), re-created only when
their SQL changed or a view is missing."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence

import duckdb
import psycopg
from psycopg import sql

from cchc_etl.paths import SQL_DIR
from cchc_etl.publish.connection import duck_columns, pg_columns
from cchc_etl.publish.errors import ADVISORY_LOCK_KEY, PublishError
from cchc_etl.publish.tables import DEFAULT_TABLES, PublishedTable
from cchc_etl.table_ddl import bi_tables, bi_views_sql, pg_add_columns, pg_comments, pg_ddl, pg_type, published

PG_SQL_DIR = SQL_DIR / "postgres"
BI_VIEWS_FILE = "99_bi_views.sql"


@functools.cache
def bi_views_text() -> str:
    """Every bi view: the generated ones, then those of 99_bi_views.sql."""
    return bi_views_sql() + "\n" + (PG_SQL_DIR / BI_VIEWS_FILE).read_text(encoding="utf-8")


def bi_views() -> tuple[str, ...]:
    return tuple(dict.fromkeys(re.findall(r"CREATE OR REPLACE VIEW (bi\.\w+)", bi_views_text())))


BI_VIEWS = bi_views()


def _sql_files() -> list:
    files = sorted(p for p in PG_SQL_DIR.glob("*.sql") if p.name != BI_VIEWS_FILE)
    if not files:
        raise PublishError(f"no PostgreSQL DDL in {PG_SQL_DIR}")
    return files


def bi_marker() -> str:
    """The comment on schema bi naming the views' SQL and the comments: a different SQL re-creates
    the views and writes the comments again."""
    digest = hashlib.sha256((bi_views_text() + pg_comments()).encode()).hexdigest()[:16]
    return f"cchc-etl bi views {digest}"


def ensure_schema(conn: psycopg.Connection, tables: Sequence[PublishedTable] = DEFAULT_TABLES,
                  duck: duckdb.DuckDBPyConnection | None = None) -> None:
    """Create what is missing (schemas, tables, indexes, comments, bi views) in one short transaction.

    With ``duck``, tables the dictionary does not declare are created from the DuckDB table, and
    columns appended to a DuckDB table are appended to its PostgreSQL table.
    """
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        for path in _sql_files():
            cur.execute(path.read_text(encoding="utf-8"))
        before = {t.publish.target for t in published() if cur.execute("SELECT to_regclass(%s)", [t.publish.target]).fetchone()[0]}
        cur.execute(pg_ddl())
        created = {t.publish.target for t in published()} - before
        for t in published():
            have = {c for c, _ in pg_columns(cur, t.publish.target)}
            for statement in pg_add_columns(t, have):
                cur.execute(statement)
        if duck is not None:
            for t in tables:
                _sync_table(cur, duck, t)
        marker = bi_marker()
        current = cur.execute("SELECT obj_description('bi'::regnamespace, 'pg_namespace')").fetchone()[0]
        missing = [v for v in bi_views() if cur.execute("SELECT to_regclass(%s)", [v]).fetchone()[0] is None]
        if current != marker or missing or created:
            cur.execute(bi_views_text())
            cur.execute(pg_comments())  # catalog writes: only when they change or a table is new
            cur.execute(sql.SQL("COMMENT ON SCHEMA bi IS {}").format(sql.Literal(marker)))


def _sync_table(cur: psycopg.Cursor, duck: duckdb.DuckDBPyConnection, t: PublishedTable) -> None:
    cols = duck_columns(duck, t.source)
    ident = sql.Identifier(t.schema, t.name)
    try:
        types = [(c, pg_type(ty), nullable) for c, ty, nullable in cols]
    except ValueError as exc:
        raise PublishError(str(exc)) from None
    if cur.execute("SELECT to_regclass(%s)", [t.target]).fetchone()[0] is None:
        cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(t.schema)))
        cur.execute(sql.SQL("CREATE TABLE {} ({})").format(ident, sql.SQL(", ").join(
            sql.SQL("{} {}{}").format(sql.Identifier(c), sql.SQL(ty), sql.SQL("" if nullable else " NOT NULL"))
            for c, ty, nullable in types)))
        if t.partition:
            cur.execute(sql.SQL("CREATE INDEX ON {} ({})").format(ident, sql.Identifier(t.partition)))
        return
    have = {c for c, _ in pg_columns(cur, t.target)}
    for c, ty, _ in types:
        if c not in have:  # appended to the contract: append it here too (NULL for earlier months)
            cur.execute(sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(ident, sql.Identifier(c), sql.SQL(ty)))


__all__ = ["BI_VIEWS", "BI_VIEWS_FILE", "PG_SQL_DIR", "bi_marker", "bi_tables", "bi_views", "ensure_schema"]
