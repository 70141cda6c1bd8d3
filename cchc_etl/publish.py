"""Publish a month of the DuckDB warehouse to PostgreSQL (no Dagster here: the CLI, the Dagster
asset ``publish/postgres`` and the benchmark all call :func:`publish_month`).

What a publish does, for one month:

1. DDL, in its own short transaction: ``sql/postgres/*.sql`` in name order (schemas ``marts``,
   ``quality``, ``warehouse``, ``bi``; tables mirroring the DuckDB contract; the ``bi`` views,
   re-created only when their file changed). Columns appended to a DuckDB table are appended to
   its PostgreSQL table.
2. Data, in ONE transaction: for every published table, ``DELETE`` the month's rows, then
   ``COPY … FROM STDIN (FORMAT binary)`` the month's rows read from DuckDB (read-only connection,
   Arrow batches encoded to PostgreSQL's binary COPY format with numpy/pyarrow, no row-by-row
   Python). Before ``COMMIT``: the row counts must match and every text value must be NFC
   (``normalize(x, NFC) = x``). Readers see the previous month until the commit, then the new
   one; a publish that dies midway leaves the previous version (the server rolls back).
   Concurrent publishes queue on an advisory lock.

Publishing the same month twice leaves identical data. Rows of the quality tables whose
``month`` is NULL belong to reference files (org units, procedures, …): they are replaced with
every published month, from the warehouse's current state.

URLs: SQLAlchemy style (``postgresql+psycopg://user:pw@host:5432/db?sslmode=require``),
``postgresql://…`` or a libpq conninfo string (``host=… dbname=…``).

Read-only BI access: :func:`grant_read_only`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
from psycopg import sql

from cchc_etl.paths import SQL_DIR
from cchc_etl.periods import month_start
from cchc_etl.redaction import redact, redact_exception, redact_parser_error, redact_url

PG_SQL_DIR = SQL_DIR / "postgres"
BI_VIEWS_FILE = "99_bi_views.sql"
BI_VIEWS = ("bi.period_report", "bi.indicator_values", "bi.periods", "bi.scores", "bi.indicator_scores", "bi.target_attainment",
            "bi.par_index", "bi.file_log", "bi.quarantine_summary")

#: env var with the publish target (Dagster resource default, CLI default)
PUBLISH_URL_ENV = "CCHC_PUBLISH_URL"

# every publish (DDL and data) holds this transaction-level advisory lock: publishes queue
ADVISORY_LOCK_KEY = 0x63636863_7075  # "cchc" "pu"
BATCH_ROWS = 65_536


class PublishError(RuntimeError):
    """A publish that could not be done (nothing was changed in PostgreSQL)."""


@dataclass(frozen=True)
class PublishedTable:
    """One DuckDB table published to PostgreSQL, replaced month by month."""

    source: str  # DuckDB table, schema.table
    target: str  # PostgreSQL table, schema.table
    partition: str  # DATE column holding the month's first day (the year: INTEGER year column)
    reference_rows: bool = False  # rows whose partition is NULL (reference data) go with every month
    #: "month": partition = the month; "periods": (period_type, period_start) of the month, its
    #: quarter and its year (year to date); "year": partition = the month's year
    granularity: str = "month"

    @property
    def schema(self) -> str:
        return self.target.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.target.split(".", 1)[1]


#: the published contract (assets/tables/, docs/tables.md), read by BI through the bi views
CONTRACT_TABLES: tuple[PublishedTable, ...] = (
    PublishedTable("marts.period_report", "marts.period_report", "period_start"),
    PublishedTable("marts.indicator_values", "marts.indicator_values", "period_start", granularity="periods"),
    PublishedTable("marts.indicator_scores", "marts.indicator_scores", "period_start", granularity="periods"),
    PublishedTable("marts.scores", "marts.scores", "period_start", granularity="periods"),
    PublishedTable("marts.periods", "marts.periods", "period_start", granularity="periods"),
    PublishedTable("marts.target_attainment", "marts.target_attainment", "year", granularity="year"),
    PublishedTable("marts.par_index", "marts.par_index", "year", granularity="year"),
    PublishedTable("quality.file_log", "quality.file_log", "month", reference_rows=True),
    PublishedTable("quality.quarantine", "quality.quarantine", "month", reference_rows=True),
)
#: not part of the BI contract: the full dossier month-end fact, for analysts with warehouse access
WAREHOUSE_TABLES: tuple[PublishedTable, ...] = (
    PublishedTable("core.fct_dossier_month_end", "warehouse.fct_dossier_month_end", "period_start"),
)
DEFAULT_TABLES: tuple[PublishedTable, ...] = CONTRACT_TABLES + WAREHOUSE_TABLES

# DuckDB type -> PostgreSQL type, for tables and columns the DDL files do not declare
_PG_TYPES = {
    "VARCHAR": "text", "BIGINT": "bigint", "INTEGER": "integer", "SMALLINT": "smallint", "DOUBLE": "double precision",
    "FLOAT": "real", "DATE": "date", "TIMESTAMP": "timestamp", "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "BOOLEAN": "boolean", "JSON": "jsonb", "UUID": "uuid", "BLOB": "bytea",
}
# PostgreSQL type -> the DuckDB type the exported column is cast to (canonical Arrow type)
_EXPORT_CAST = {
    "text": "VARCHAR", "varchar": "VARCHAR", "jsonb": "VARCHAR", "json": "VARCHAR", "int8": "BIGINT", "int4": "INTEGER",
    "int2": "SMALLINT", "float8": "DOUBLE", "date": "DATE", "timestamp": "TIMESTAMP", "timestamptz": "TIMESTAMPTZ",
    "bool": "BOOLEAN",
}
_TEXT_TYPES = ("text", "varchar", "jsonb", "json", "bpchar")


# --------------------------------------------------------------------------- URLs and connections


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
def _duckdb(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
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


# --------------------------------------------------------------------------- DDL


def _sql_files() -> list[Path]:
    files = sorted(PG_SQL_DIR.glob("*.sql"))
    if not files:
        raise PublishError(f"no PostgreSQL DDL in {PG_SQL_DIR}")
    return files


def _bi_marker() -> str:
    digest = hashlib.sha256((PG_SQL_DIR / BI_VIEWS_FILE).read_bytes()).hexdigest()[:16]
    return f"cchc-etl bi views {digest}"


def ensure_schema(conn: psycopg.Connection, tables: Sequence[PublishedTable] = DEFAULT_TABLES,
                  duck: duckdb.DuckDBPyConnection | None = None) -> None:
    """Create what is missing (schemas, tables, indexes, bi views) in one short transaction.

    With ``duck``, tables the DDL files do not declare are created from the DuckDB table, and
    columns appended to a DuckDB table are appended to its PostgreSQL table.
    """
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        for path in _sql_files():
            if path.name != BI_VIEWS_FILE:
                cur.execute(path.read_text(encoding="utf-8"))
        if duck is not None:
            for t in tables:
                _sync_table(cur, duck, t)
        marker = _bi_marker()
        current = cur.execute("SELECT obj_description('bi'::regnamespace, 'pg_namespace')").fetchone()[0]
        missing = [v for v in BI_VIEWS if cur.execute("SELECT to_regclass(%s)", [v]).fetchone()[0] is None]
        if current != marker or missing:
            cur.execute((PG_SQL_DIR / BI_VIEWS_FILE).read_text(encoding="utf-8"))
            cur.execute(sql.SQL("COMMENT ON SCHEMA bi IS {}").format(sql.Literal(marker)))


def _duck_columns(duck: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str, bool]]:
    schema, name = table.split(".", 1)
    rows = duck.execute(
        "SELECT column_name, data_type, is_nullable = 'YES' FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position", [schema, name],
    ).fetchall()
    if not rows:
        raise PublishError(f"table {table} not found in the warehouse")
    return rows


def _pg_type(duck_type: str) -> str:
    try:
        return _PG_TYPES[duck_type.upper()]
    except KeyError:
        raise PublishError(f"no PostgreSQL type for DuckDB type {duck_type}") from None


def _sync_table(cur: psycopg.Cursor, duck: duckdb.DuckDBPyConnection, t: PublishedTable) -> None:
    cols = _duck_columns(duck, t.source)
    ident = sql.Identifier(t.schema, t.name)
    if cur.execute("SELECT to_regclass(%s)", [t.target]).fetchone()[0] is None:
        cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(t.schema)))
        cur.execute(sql.SQL("CREATE TABLE {} ({})").format(ident, sql.SQL(", ").join(
            sql.SQL("{} {}{}").format(sql.Identifier(c), sql.SQL(_pg_type(ty)), sql.SQL("" if nullable else " NOT NULL"))
            for c, ty, nullable in cols)))
        cur.execute(sql.SQL("CREATE INDEX ON {} ({})").format(ident, sql.Identifier(t.partition)))
        return
    have = {c for c, _ in _pg_columns(cur, t.target)}
    for c, ty, _ in cols:
        if c not in have:  # appended to the contract: append it here too (NULL for earlier months)
            cur.execute(sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(ident, sql.Identifier(c), sql.SQL(_pg_type(ty))))


def _pg_columns(cur: psycopg.Cursor, table: str) -> list[tuple[str, str]]:
    """(column, type name) of a PostgreSQL table, in order."""
    return cur.execute(
        "SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
        "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum", [table],
    ).fetchall()


# --------------------------------------------------------------------------- binary COPY encoding

_PG_EPOCH_DAYS = 10_957  # 2000-01-01 - 1970-01-01
_PG_EPOCH_US = 946_684_800_000_000
_FIXED = {"date": (4, ">i4"), "int2": (2, ">i2"), "int4": (4, ">i4"), "int8": (8, ">i8"), "float8": (8, ">f8"),
          "bool": (1, "u1"), "timestamp": (8, ">i8"), "timestamptz": (8, ">i8")}
_VARLEN = ("text", "varchar", "jsonb", "json")
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
COPY_TRAILER = b"\xff\xff"


def binary_supported(pg_types: Sequence[str]) -> bool:
    return all(t in _FIXED or t in _VARLEN for t in pg_types)


def _binary_array(n: int, offsets: np.ndarray, data: np.ndarray) -> pa.Array:
    return pa.Array.from_buffers(pa.binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def _fixed_values(col: pa.Array, pg_type: str) -> np.ndarray:
    if pg_type == "date":
        return pc.cast(col, pa.date32()).cast(pa.int32()).fill_null(0).to_numpy() - np.int32(_PG_EPOCH_DAYS)
    if pg_type in ("timestamp", "timestamptz"):  # timestamptz: Arrow values are UTC already
        return pc.cast(col, pa.timestamp("us", tz=col.type.tz)).cast(pa.int64()).fill_null(0).to_numpy() - np.int64(_PG_EPOCH_US)
    if pg_type == "bool":
        return col.fill_null(False).to_numpy(zero_copy_only=False).astype(np.uint8)
    arrow_type = {"int2": pa.int16(), "int4": pa.int32(), "int8": pa.int64(), "float8": pa.float64()}[pg_type]
    return pc.cast(col, arrow_type).fill_null(0).to_numpy()


def _fixed_field(col: pa.Array, pg_type: str) -> pa.Array:
    """Per row: int32 length + big-endian value, or length -1 for NULL."""
    n = len(col)
    width, dtype = _FIXED[pg_type]
    values = np.ascontiguousarray(_fixed_values(col, pg_type).astype(dtype, copy=False)).view(np.uint8).reshape(n, width)
    if col.null_count == 0:
        buf = np.empty((n, 4 + width), np.uint8)
        buf[:, :4] = np.frombuffer(np.array([width], ">i4").tobytes(), np.uint8)
        buf[:, 4:] = values
        return _binary_array(n, np.arange(0, (n + 1) * (4 + width), 4 + width, dtype=np.int32), buf.reshape(-1))
    valid = col.is_valid().to_numpy(zero_copy_only=False)
    offsets = np.zeros(n + 1, np.int32)
    np.cumsum(np.where(valid, 4 + width, 4), out=offsets[1:])
    buf = np.empty(int(offsets[-1]), np.uint8)
    starts = offsets[:-1].astype(np.int64)
    buf[starts[:, None] + np.arange(4)] = np.where(valid, width, -1).astype(">i4").view(np.uint8).reshape(n, 4)
    at = starts[valid] + 4
    buf[at[:, None] + np.arange(width)] = values[valid]
    return _binary_array(n, offsets, buf)


def _length_words(lengths: np.ndarray) -> pa.Array:
    n = len(lengths)
    return _binary_array(n, np.arange(0, 4 * (n + 1), 4, dtype=np.int32), lengths.astype(">i4").view(np.uint8))


def _text_field(col: pa.Array, pg_type: str) -> pa.Array:
    """Per row: int32 length + UTF-8 bytes (jsonb: version byte 1 first), or -1 for NULL."""
    data = pc.cast(col, pa.binary())
    lengths = pc.binary_length(data).fill_null(-1).to_numpy().astype(np.int64)
    if pg_type == "jsonb":
        lengths = np.where(lengths >= 0, lengths + 1, -1)
        data = pc.binary_join_element_wise(pa.scalar(b"\x01", pa.binary()), data, b"")
    return pc.binary_join_element_wise(_length_words(lengths), data.fill_null(b""), b"")


def encode_binary(batch: pa.RecordBatch, pg_types: Sequence[str]) -> memoryview:
    """An Arrow batch as rows of PostgreSQL's binary COPY format (without file header/trailer).

    Columns must already have the Arrow type matching each PostgreSQL type (the export casts
    them in DuckDB). Vectorised: each field becomes a binary array (length word + value), and
    pyarrow joins the fields of each row; the joined array's data buffer is the COPY payload.
    """
    n = batch.num_rows
    if n == 0:
        return memoryview(b"")
    field_count = np.frombuffer(np.array([len(pg_types)], ">i2").tobytes(), np.uint8)
    fields = [_binary_array(n, np.arange(0, 2 * (n + 1), 2, dtype=np.int32), np.tile(field_count, n))]
    for col, pg_type in zip(batch.columns, pg_types):
        fields.append(_fixed_field(col, pg_type) if pg_type in _FIXED else _text_field(col, pg_type))
    rows = pc.binary_join_element_wise(*fields, b"")
    _, offsets, data = rows.buffers()
    bounds = np.frombuffer(offsets, np.int32, count=n + 1, offset=rows.offset * 4)
    return memoryview(data)[int(bounds[0]):int(bounds[-1])]


def _encode_csv(batch: pa.RecordBatch) -> bytes:
    import io

    import pyarrow.csv as pacsv

    out = io.BytesIO()
    pacsv.write_csv(batch, out, pacsv.WriteOptions(include_header=False))
    return out.getvalue()


# --------------------------------------------------------------------------- NFC


def _nfc_condition(value: sql.Composable) -> sql.Composable:
    """TRUE when a value is not NFC: ``normalize(x, NFC) <> x``; pure-ASCII values (the vast
    majority: codes, ids, paths) are NFC by definition and skip the normalisation."""
    return sql.SQL("CASE WHEN octet_length({v}) = char_length({v}) THEN false ELSE normalize({v}, NFC) <> {v} END").format(v=value)


def _text_values(cur: psycopg.Cursor, table: str, columns: Sequence[str] | None) -> dict[str, sql.Composable]:
    out = {}
    for c, ty in _pg_columns(cur, table):
        if ty in _TEXT_TYPES and (columns is None or c in columns):
            out[c] = sql.SQL("{}::text").format(sql.Identifier(c)) if ty in ("jsonb", "json") else sql.Identifier(c)
    return out


def _where(query: sql.Composable, where: sql.Composable | None) -> sql.Composable:
    return query if where is None else query + sql.SQL(" WHERE ") + where


def nfc_violations(conn: psycopg.Connection, table: str, *, where: sql.Composable | None = None,
                   params: Sequence | None = None, columns: Sequence[str] | None = None) -> dict[str, int]:
    """Per text/jsonb column of ``table`` (rows matching ``where``), the number of values that are
    not NFC (``normalize(x, NFC) <> x``); columns without any are left out, so ``{}`` means all NFC.

    One ``count(*)`` with a short-circuit OR answers "all NFC?" (not EXISTS: its plan expects an
    early hit and walks the index); only a table with violations gets the per-column counts.
    """
    schema, name = table.split(".", 1)
    ident = sql.Identifier(schema, name)
    with conn.cursor() as cur:
        values = _text_values(cur, table, columns)
        if not values:
            return {}
        any_bad = sql.SQL(" OR ").join(_nfc_condition(v) for v in values.values())
        probe = sql.SQL("SELECT count(*) FROM {} WHERE ({})").format(ident, any_bad)
        if where is not None:
            probe = probe + sql.SQL(" AND (") + where + sql.SQL(")")
        if not cur.execute(probe, params).fetchone()[0]:
            return {}
        counts = sql.SQL(", ").join(sql.SQL("count(*) FILTER (WHERE {})").format(_nfc_condition(v)) for v in values.values())
        row = cur.execute(_where(sql.SQL("SELECT {} FROM {}").format(counts, ident), where), params).fetchone()
    return {c: n for c, n in zip(values, row) if n}


# --------------------------------------------------------------------------- publish


def _partition_filter(t: PublishedTable, placeholder: str) -> str:
    """WHERE condition selecting the rows a month's publish replaces; every placeholder is the month."""
    col = f'"{t.partition}"'
    if t.granularity == "periods":
        p = f"CAST({placeholder} AS DATE)"
        return (f"((period_type = 'month' AND {col} = {p}) OR (period_type = 'quarter' AND {col} = CAST(date_trunc('quarter', {p}) AS DATE))"
                f" OR (period_type = 'year' AND {col} = CAST(date_trunc('year', {p}) AS DATE)))")
    if t.granularity == "year":
        return f"{col} = CAST(extract(year FROM CAST({placeholder} AS DATE)) AS INTEGER)"
    return f"({col} = {placeholder} OR {col} IS NULL)" if t.reference_rows else f"{col} = {placeholder}"


def _partition_params(t: PublishedTable, month: dt.date) -> list:
    return [month] * (3 if t.granularity == "periods" else 1)


def _pipelined(reader: pa.RecordBatchReader, encode, depth: int = 4) -> Iterator[tuple[int, bytes | memoryview]]:
    """(rows, encoded batch) of every batch, read from DuckDB and encoded on a worker thread, so
    that reading and encoding the next batches overlap with sending this one (DuckDB, numpy and
    pyarrow release the GIL; so does psycopg while it waits on the socket)."""
    import queue
    import threading

    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for batch in reader:
                if not put((batch.num_rows, encode(batch))):
                    return
            put(done)
        except BaseException as exc:  # handed to the consumer
            put(exc)

    worker = threading.Thread(target=work, name="cchc-publish-encode", daemon=True)
    worker.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


def _copy_table(cur: psycopg.Cursor, duck: duckdb.DuckDBPyConnection, t: PublishedTable, month: dt.date) -> int:
    columns = _pg_columns(cur, t.target)
    duck_cols = {c for c, _, _ in _duck_columns(duck, t.source)}
    lost = [c for c, _ in columns if c not in duck_cols]
    if lost:
        raise PublishError(f"{t.target}: column(s) {', '.join(lost)} are not in the warehouse table {t.source}")
    names = [c for c, _ in columns]
    pg_types = [ty for _, ty in columns]
    binary = binary_supported(pg_types)
    select = ", ".join(
        f'CAST("{c}" AS {_EXPORT_CAST[ty]}) AS "{c}"' if binary else
        (f'CAST("{c}" AS VARCHAR) AS "{c}"' if ty in ("jsonb", "json") else f'"{c}"')
        for c, ty in columns
    )
    reader = duck.execute(f"SELECT {select} FROM {t.source} WHERE {_partition_filter(t, '?')}", _partition_params(t, month)).to_arrow_reader(BATCH_ROWS)
    target = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT {})").format(
        sql.Identifier(t.schema, t.name), sql.SQL(", ").join(map(sql.Identifier, names)), sql.SQL("binary" if binary else "csv"))
    encode = (lambda b: encode_binary(b, pg_types)) if binary else _encode_csv
    sent = 0
    with cur.copy(target) as copy:
        if binary:
            copy.write(COPY_HEADER)
        for rows, payload in _pipelined(reader, encode):
            copy.write(payload)
            sent += rows
        if binary:
            copy.write(COPY_TRAILER)
    if cur.rowcount != sent:
        raise PublishError(f"{t.target}: COPY loaded {cur.rowcount} rows, {sent} were sent")
    return sent


def publish_month(duckdb_path: Path | str, pg_url: str, month: dt.date | str, *,
                  tables: Sequence[PublishedTable] = DEFAULT_TABLES, timings: dict[str, float] | None = None) -> dict[str, int]:
    """Replace ``month`` of every published table in PostgreSQL with the warehouse's rows, in one
    transaction. Returns rows published per PostgreSQL table. Raises :class:`PublishError` (and
    changes nothing) when the month is not built, a row count differs or a text is not NFC.
    ``timings``, when given, receives the seconds of each phase (ddl, delete, copy, nfc, commit).
    """
    timings = {} if timings is None else timings
    clock = time.perf_counter()

    def lap(phase: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[phase] = timings.get(phase, 0.0) + now - clock
        clock = now

    month = month_start(month)
    with _duckdb(Path(duckdb_path)) as duck:
        built = duck.execute("SELECT count(*) FROM marts.period_report WHERE period_start = ?", [month]).fetchone()[0]
        if not built:
            raise PublishError(f"{month:%Y-%m}: no rows in marts.period_report of {duckdb_path}: build the month before publishing it")
        expected = {t.target: duck.execute(f"SELECT count(*) FROM {t.source} WHERE {_partition_filter(t, '?')}", _partition_params(t, month)).fetchone()[0]
                    for t in tables}
        lap("prepare")
        with contextlib.closing(pg_connect(pg_url)) as conn:
            ensure_schema(conn, tables, duck)
            lap("ddl")
            published: dict[str, int] = {}
            with conn.transaction(), conn.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
                for t in tables:
                    ident = sql.Identifier(t.schema, t.name)
                    cur.execute(sql.SQL("DELETE FROM {} WHERE ").format(ident) + sql.SQL(_partition_filter(t, "%s")), _partition_params(t, month))
                    lap("delete")
                    published[t.target] = _copy_table(cur, duck, t, month)
                    lap("copy")
                for t in tables:
                    if published[t.target] != expected[t.target]:
                        raise PublishError(f"{t.target}: {published[t.target]} rows published, the warehouse has {expected[t.target]}")
                    bad = nfc_violations(conn, t.target, where=sql.SQL(_partition_filter(t, "%s")), params=_partition_params(t, month))
                    if bad:
                        detail = ", ".join(f"{c}: {n}" for c, n in bad.items())
                        raise PublishError(f"{month:%Y-%m}: text not in Unicode NFC in {t.target} ({detail}); nothing was published")
                lap("nfc")
            lap("commit")
    return published


def publish_months(duckdb_path: Path | str, pg_url: str, months: Sequence[dt.date | str], *,
                   tables: Sequence[PublishedTable] = DEFAULT_TABLES, quiet: bool = False) -> dict[str, dict[str, int]]:
    """Publish several months in order (one transaction each); prints a line per month unless quiet."""
    out = {}
    for i, month in enumerate(months, 1):
        m = month_start(month)
        started = time.perf_counter()
        if not quiet:
            print(f"[{i}/{len(months)}] công bố / publish {m:%Y-%m} → {redact_url(pg_url)} … ", end="", flush=True)
        counts = publish_month(duckdb_path, pg_url, m, tables=tables)
        out[f"{m:%Y-%m}"] = counts
        if not quiet:
            from cchc_etl.format_vi import number, seconds

            print(f"xong / done — {seconds(time.perf_counter() - started)} — "
                  + ", ".join(f"{table} {number(n)}" for table, n in counts.items()))
    return out


# --------------------------------------------------------------------------- read-only BI role

READABLE_SCHEMAS = ("bi", "marts")
#: schemas the BI role must not read (staging/core/raw are not published, but may exist)
PRIVATE_SCHEMAS = ("quality", "warehouse", "staging", "core", "raw")


def grant_read_only(pg_url: str, role: str, *, publisher: str | None = None) -> list[str]:
    """Create or update ``role`` as the read-only BI role; returns the statements executed.

    - ``role`` is NOLOGIN (a group): logins get access with ``GRANT <role> TO <login>``; its
      own memberships in other roles (e.g. pg_read_all_data) are revoked.
    - USAGE on schemas ``bi`` and ``marts`` and SELECT on every table and view there; no
      INSERT/UPDATE/DELETE/TRUNCATE/REFERENCES/TRIGGER, no CREATE.
    - ``ALTER DEFAULT PRIVILEGES FOR ROLE <publisher>`` in ``bi`` and ``marts``: tables and views
      that later publishes create are readable too. ``publisher`` is the role that publishes
      (default: the user of ``pg_url``; run the grants as that user or a superuser).
    - Nothing on ``quality`` (the quarantine's raw values; BI reads ``bi.file_log`` and
      ``bi.quarantine_summary``), ``warehouse``, ``staging``, ``core``, ``raw``: revoked from the
      role and from PUBLIC. CREATE on schema ``public`` is revoked from PUBLIC when granted
      (PostgreSQL 15 no longer grants it; older clusters did).
    - A publisher that is no superuser and lacks CREATEROLE only grants: an administrator
      creates the role once (``CREATE ROLE <role> NOLOGIN``). A missing role, or one whose
      attributes or memberships need an administrator, is refused with the statement to run
      (:class:`PublishError`, nothing changed). Grants on the database and on schemas the
      publisher does not own are left to their owner; a private schema the role can use and the
      publisher cannot revoke is refused.
    """
    done: list[str] = []
    with contextlib.closing(pg_connect(pg_url)) as conn:
        me, superuser, createrole = conn.execute(
            "SELECT rolname, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user").fetchone()
        if not (superuser or createrole) and conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone() is None:
            conn.rollback()  # checked before any DDL: a refused grants changes nothing
            create = sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)).as_string(conn)
            raise PublishError(_admin_needed(me, role, f"vai trò {role} chưa tồn tại / role {role} does not exist", create))
        conn.rollback()
        ensure_schema(conn)  # schemas, tables and views, so that the grants cover them now
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
            owner = publisher or me
            r, o = sql.Identifier(role), sql.Identifier(owner)

            def run(stmt: sql.Composable) -> None:
                cur.execute(stmt)
                done.append(stmt.as_string(conn))

            def run_as_admin(stmt: sql.Composable, why: str) -> None:
                """A statement on the role itself (CREATEROLE / ADMIN OPTION): refused with the admin's statement."""
                try:
                    with conn.transaction():
                        run(stmt)
                except psycopg.errors.InsufficientPrivilege:
                    raise PublishError(_admin_needed(me, role, why, stmt.as_string(conn))) from None

            attrs = cur.execute(
                "SELECT rolsuper, rolcanlogin, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls FROM pg_roles WHERE rolname = %s",
                [role]).fetchone()
            if attrs is None:
                run_as_admin(sql.SQL("CREATE ROLE {} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE").format(r),
                             f"vai trò {role} chưa tồn tại / role {role} does not exist")
            else:
                wrong = [kw for kw, on in zip(("NOSUPERUSER", "NOLOGIN", "NOCREATEDB", "NOCREATEROLE", "NOREPLICATION", "NOBYPASSRLS"), attrs) if on]
                if wrong:
                    run_as_admin(sql.SQL("ALTER ROLE {} " + " ".join(wrong)).format(r),
                                 f"vai trò {role} có quyền thừa / role {role} has {', '.join(w[2:] for w in wrong)}")
                for (group,) in cur.execute(
                        "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                        "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = %s", [role]).fetchall():
                    run_as_admin(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(group), r),
                                 f"vai trò {role} là thành viên của / role {role} is a member of {group}")
            database = cur.execute("SELECT current_database()").fetchone()[0]
            if superuser or cur.execute("SELECT has_database_privilege(current_database(), 'CONNECT WITH GRANT OPTION')").fetchone()[0]:
                run(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), r))
            # a publisher owning neither the database nor schema public: those grants are the owner's (PUBLIC has CONNECT)
            owns_public = superuser or bool((cur.execute(
                "SELECT pg_has_role(current_user, nspowner, 'USAGE') FROM pg_namespace WHERE nspname = 'public'").fetchone() or [False])[0])
            public_create = cur.execute(
                "SELECT bool_or(a.grantee = 0 AND a.privilege_type = 'CREATE') FROM pg_namespace n, aclexplode(n.nspacl) a "
                "WHERE n.nspname = 'public'").fetchone()
            if public_create and public_create[0] and owns_public:  # clusters older than PostgreSQL 15 let everyone create in public
                run(sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
            if owns_public and cur.execute("SELECT 1 FROM pg_namespace WHERE nspname = 'public'").fetchone():
                run(sql.SQL("REVOKE ALL ON SCHEMA public FROM {}").format(r))
                run(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(r))
            for s in READABLE_SCHEMAS:
                si = sql.Identifier(s)
                run(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(si))
                run(sql.SQL("REVOKE CREATE ON SCHEMA {} FROM {}").format(si, r))
                run(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(si, r))
                run(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM PUBLIC").format(si))
                run(sql.SQL("REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {} FROM {}").format(si, r))
                run(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(si, r))
                run(sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT SELECT ON TABLES TO {}").format(o, si, r))
                run(sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} REVOKE INSERT, UPDATE, DELETE, TRUNCATE, "
                            "REFERENCES, TRIGGER ON TABLES FROM {}").format(o, si, r))
            existing = {s for (s,) in cur.execute("SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [list(PRIVATE_SCHEMAS)])}
            for s in PRIVATE_SCHEMAS:
                if s not in existing:
                    continue
                owned = superuser or cur.execute(
                    "SELECT pg_has_role(current_user, nspowner, 'USAGE') FROM pg_namespace WHERE nspname = %s", [s]).fetchone()[0]
                if not owned:  # not ours to revoke: then the role must not be able to read it anyway
                    if cur.execute("SELECT has_schema_privilege(%s, %s, 'USAGE')", [role, s]).fetchone()[0]:
                        raise PublishError(
                            f"vai trò {role} đọc được schema {s} mà {me} không sở hữu; quản trị viên thu hồi quyền: REVOKE ALL ON "
                            f"SCHEMA {s} FROM PUBLIC, {role}; / role {role} can use schema {s}, which {me} does not own: an "
                            f"administrator revokes it (REVOKE ALL ON SCHEMA {s} FROM PUBLIC, {role};), then rerun cchc-etl grants")
                    continue
                si = sql.Identifier(s)
                run(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC, {}").format(si, r))
                run(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM PUBLIC, {}").format(si, r))
                run(sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} REVOKE ALL ON TABLES FROM {}").format(o, si, r))
    return done


def _admin_needed(me: str, role: str, why: str, statement: str) -> str:
    return (f"{why}: {me} không có quyền CREATEROLE (hoặc ADMIN) trên vai trò này; quản trị viên chạy một lần: {statement}; "
            f"rồi chạy lại cchc-etl grants / {me} lacks CREATEROLE (or ADMIN OPTION) for it: an administrator runs "
            f"once: {statement}; then rerun cchc-etl grants (docs/operations/postgresql.md)")


__all__ = [
    "CONTRACT_TABLES", "DEFAULT_TABLES", "WAREHOUSE_TABLES", "PublishError", "PublishedTable", "conninfo", "encode_binary",
    "ensure_schema", "grant_read_only", "nfc_violations", "pg_connect", "publish_month", "publish_months", "redact",
]
