"""What ``quality.file_log`` records of a file beyond its counts: the fields it carries, and the
key of a month's staged rows (compare ``Loader.on_parsed``)."""

from __future__ import annotations

import datetime as dt

import duckdb

from cchc_etl.readers import RawData


def fields_carried(raw: RawData) -> str:
    """The canonical fields a file carries (a column matched its header), comma-separated and
    sorted: a field it lacks is unknown for its rows, not blank (methodology §3, data not carried)."""
    return ",".join(sorted(set(raw.mapping.values())))


def month_key(con: duckdb.DuckDBPyConnection, source: str, month: dt.date) -> tuple:
    """What quality.file_log says the month's staged rows come from (compare ``Loader.on_parsed``)."""
    rows = con.execute(
        "SELECT file_path, sha256, load_fingerprint, status FROM quality.file_log WHERE source = ? AND month = ?",
        [source, month],
    ).fetchall()
    return tuple(sorted(tuple(r) for r in rows))
