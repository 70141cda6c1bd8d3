"""Publish a month: in ONE transaction, for every published table, ``DELETE`` the month's rows and
``COPY … FROM STDIN (FORMAT binary)`` them from DuckDB; the row counts and the text's NFC are
checked before ``COMMIT``."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
import psycopg
import pyarrow as pa
from psycopg import sql

from cchc_etl.periods import month_start
from cchc_etl.publish.connection import duck_columns, open_duckdb, pg_columns, pg_connect
from cchc_etl.publish.copy_binary import COPY_HEADER, COPY_TRAILER, EXPORT_CAST, binary_supported, encode_binary, encode_csv
from cchc_etl.publish.ddl import ensure_schema
from cchc_etl.publish.errors import ADVISORY_LOCK_KEY, PublishError
from cchc_etl.publish.nfc import nfc_violations
from cchc_etl.publish.tables import DEFAULT_TABLES, PublishedTable, partition_filter, partition_params
from cchc_etl.redaction import redact_url

BATCH_ROWS = 65_536


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
    columns = pg_columns(cur, t.target)
    duck_cols = {c for c, _, _ in duck_columns(duck, t.source)}
    lost = [c for c, _ in columns if c not in duck_cols]
    if lost:
        raise PublishError(f"{t.target}: column(s) {', '.join(lost)} are not in the warehouse table {t.source}")
    names = [c for c, _ in columns]
    pg_types = [ty for _, ty in columns]
    binary = binary_supported(pg_types)
    select = ", ".join(
        f'CAST("{c}" AS {EXPORT_CAST[ty]}) AS "{c}"' if binary else
        (f'CAST("{c}" AS VARCHAR) AS "{c}"' if ty in ("jsonb", "json") else f'"{c}"')
        for c, ty in columns
    )
    reader = duck.execute(f"SELECT {select} FROM {t.source} WHERE {partition_filter(t, '?')}", partition_params(t, month)).to_arrow_reader(BATCH_ROWS)
    target = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT {})").format(
        sql.Identifier(t.schema, t.name), sql.SQL(", ").join(map(sql.Identifier, names)), sql.SQL("binary" if binary else "csv"))
    encode = (lambda b: encode_binary(b, pg_types)) if binary else encode_csv
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
    with open_duckdb(Path(duckdb_path)) as duck:
        built = duck.execute("SELECT count(*) FROM marts.period_report WHERE period_start = ?", [month]).fetchone()[0]
        if not built:
            raise PublishError(f"{month:%Y-%m}: no rows in marts.period_report of {duckdb_path}: build the month before publishing it")
        expected = {t.target: duck.execute(f"SELECT count(*) FROM {t.source} WHERE {partition_filter(t, '?')}", partition_params(t, month)).fetchone()[0]
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
                    cur.execute(sql.SQL("DELETE FROM {} WHERE ").format(ident) + sql.SQL(partition_filter(t, "%s")), partition_params(t, month))
                    lap("delete")
                    published[t.target] = _copy_table(cur, duck, t, month)
                    lap("copy")
                for t in tables:
                    if published[t.target] != expected[t.target]:
                        raise PublishError(f"{t.target}: {published[t.target]} rows published, the warehouse has {expected[t.target]}")
                    bad = nfc_violations(conn, t.target, where=sql.SQL(partition_filter(t, "%s")), params=partition_params(t, month))
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
