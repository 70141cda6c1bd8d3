"""PostgreSQL URLs and connections, and the read-only DuckDB connection a publish reads from."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import duckdb
import psycopg

from cchc_etl.publish.errors import PUBLISH_URL_ENV, PublishError
from cchc_etl.redaction import redact_exception, redact_parser_error, redact_url


def conninfo(url: str) -> str:
    """SQLAlchemy-style URL (``postgresql+psycopg://u:pw@host:port/db?opt=…``) -> libpq conninfo.

    ``postgresql://`` / ``postgres://`` URIs and conninfo strings (``host=… dbname=…``) are
    accepted as they are.
    """
    from psycopg.conninfo import make_conninfo

    url = url.strip()
    if not url:
        raise PublishError(f"no PostgreSQL URL (set {PUBLISH_URL_ENV} or pass --publish postgresql+psycopg://user@host:5432/db)")
    try:
        return _conninfo(url, make_conninfo)
    except PublishError:
        raise
    except Exception as exc:  # parsers echo their input (password included): their text is redacted, not chained
        raise PublishError(f"URL PostgreSQL không hợp lệ / malformed PostgreSQL URL: {redact_url(url)} "
                           f"({redact_parser_error(exc, url)})") from None


def _conninfo(url: str, make_conninfo) -> str:
    if "://" not in url:
        return make_conninfo(url)  # validates the conninfo syntax
    scheme = url.split("://", 1)[0]
    if scheme.split("+", 1)[0] not in ("postgresql", "postgres"):
        raise PublishError(f"not a PostgreSQL URL: {redact_url(url)} (expected postgresql+psycopg://user@host:5432/db)")
    from sqlalchemy.engine import make_url

    u = make_url(url)
    params: dict[str, object] = {}
    if u.host:
        params["host"] = u.host
    if u.port:
        params["port"] = u.port
    if u.username:
        params["user"] = u.username
    if u.password is not None:
        params["password"] = u.password
    if u.database:
        params["dbname"] = u.database
    for key, value in u.query.items():
        params[key] = value if isinstance(value, str) else value[-1]
    return make_conninfo(**params)


def pg_connect(url: str, *, autocommit: bool = False) -> psycopg.Connection:
    try:
        return psycopg.connect(conninfo(url), autocommit=autocommit, application_name="cchc-etl publish")
    except psycopg.OperationalError as exc:
        reason = redact_exception(exc, known=[url])
        raise PublishError(f"cannot connect to PostgreSQL {redact_url(url)}: {reason}") from None


@contextlib.contextmanager
def open_duckdb(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    path = Path(path)
    if not path.is_file():
        raise PublishError(f"warehouse not found: {path}")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise PublishError(f"cannot open the warehouse {path} read-only (is a run writing it?): {exc}") from exc
    try:
        from cchc_etl import memory

        memory.apply(con, path, read_only=True)
        con.execute("SET enable_progress_bar = false")
        yield con
    finally:
        con.close()


def pg_columns(cur: psycopg.Cursor, table: str) -> list[tuple[str, str]]:
    """(column, type name) of a PostgreSQL table, in order."""
    return cur.execute(
        "SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
        "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum", [table],
    ).fetchall()


def duck_columns(duck: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str, bool]]:
    schema, name = table.split(".", 1)
    rows = duck.execute(
        "SELECT column_name, data_type, is_nullable = 'YES' FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position", [schema, name],
    ).fetchall()
    if not rows:
        raise PublishError(f"table {table} not found in the warehouse")
    return rows
