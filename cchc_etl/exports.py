"""Outputs for analysts without a server: Parquet exports of the marts and a read-only snapshot.

Parquet: every mart, one file per month, Hive-partitioned::

    <root>/period_report/year=2024/month=02/part-0.parquet
    <root>/indicator_values/year=2024/month=02/part-0.parquet

Each file is written to a temporary name in its own folder and moved into place with
``os.replace``, so a reader sees either the old month or the new one, never half a file; a
re-export replaces exactly that month's folder. Read them with DuckDB, Polars, pandas/pyarrow
or a BI tool::

    SELECT * FROM read_parquet('data/parquet/period_report/**/*.parquet', hive_partitioning = true)

Snapshot: DuckDB allows one writing process per file, and while it writes no other process can
open the file, not even read-only. After each successful run the warehouse is checkpointed and
its file copied (under DuckDB's lock) into a new version file, ``<stem>.v<n><suffix>`` next to
the snapshot path (``data/warehouse_snapshot.v12.duckdb``), made read-only (mode 0444); the
snapshot path itself is a symbolic link, switched to the new version atomically (``os.replace``).
Analysts open the stable name (``duckdb -readonly data/warehouse_snapshot.duckdb``) while the
next run writes the warehouse. A connection already open on the previous version keeps reading
it (POSIX unlink semantics); reconnect to see the new one.

Why versions: DuckDB keeps a database's write-ahead log next to the file it opened, under the
link's target name (``warehouse_snapshot.v12.duckdb.wal``), and replays whatever log it finds
there onto the file, even on a read-only open. An analyst who opens the snapshot read-write,
writes and dies leaves such a log; written against version 12, it can never attach to version 13,
which is a name no log has been written for. Older versions and their logs are removed at each
publish. The 0444 mode makes a read-write open fail outright for anyone but the superuser.

No Dagster here: the assets in ``cchc_etl/defs/exports.py`` call these functions.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import duckdb

from cchc_etl import warehouse
from cchc_etl.locks import connect_duckdb
from cchc_etl.readers.literal import literal
from cchc_etl.table_dictionary import exported_marts

# mart table -> how it is partitioned on disk:
#   "month": <table>/year=YYYY/month=MM/ (rows whose period_start is in the month)
#   "periods": <table>/period_type=T/year=YYYY/month=MM/ (month = the period's first month); a
#              month's export rewrites its month, its quarter and its year to date
#   "year": <table>/year=YYYY/ (annual marts: targets, PAR Index)
#: (the ``export`` key of assets/tables/marts.*.yaml)
MARTS: dict[str, str] = exported_marts()
PART_FILE = "part-0.parquet"


def _sql_str(value: str | Path) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _warehouse_file(duckdb_url_or_path: str | Path) -> Path:
    return warehouse.duckdb_path(duckdb_url_or_path) if isinstance(duckdb_url_or_path, str) else Path(duckdb_url_or_path)


def partition_dir(out_root: Path, table: str, month: dt.date, period_type: str = "month") -> Path:
    kind = MARTS.get(table, "month")
    if kind == "year":
        return Path(out_root) / table / f"year={month.year:04d}"
    base = Path(out_root) / table
    if kind == "periods":
        base = base / f"period_type={period_type}"
    return base / f"year={month.year:04d}" / f"month={month.month:02d}"


def month_partitions(month: dt.date) -> list[tuple[str, Path, str]]:
    """(table, folder relative to the export root, SELECT of its rows) for every file a month's
    export writes."""
    month = month.replace(day=1)
    quarter = dt.date(month.year, (month.month - 1) // 3 * 3 + 1, 1)
    year = dt.date(month.year, 1, 1)
    out = []
    for table, kind in MARTS.items():
        if kind == "month":
            out.append((table, partition_dir(Path(), table, month),
                        f"SELECT * FROM marts.{table} WHERE period_start = DATE '{month}' ORDER BY ALL"))
        elif kind == "periods":
            for ptype, start in (("month", month), ("quarter", quarter), ("year", year)):
                out.append((table, partition_dir(Path(), table, start, ptype),
                            f"SELECT * FROM marts.{table} WHERE period_type = '{ptype}' AND period_start = DATE '{start}' ORDER BY ALL"))
        else:
            out.append((table, partition_dir(Path(), table, month),
                        f"SELECT * FROM marts.{table} WHERE year = {month.year} ORDER BY ALL"))
    return out


def export_month_parquet(duckdb_url_or_path: str | Path, out_root: Path, month: dt.date) -> dict[str, int]:
    """Write the marts' rows of ``month`` (and, for the period marts, of its quarter and year to
    date; for the annual marts, of its year) as Hive-partitioned Parquet under ``out_root``.

    Reads through a read-only connection. A partition without rows still gets a (zero-row) file,
    so a re-export always replaces what was there. Returns {table: rows written}.
    """
    counts: dict[str, int] = {}
    with warehouse.connect(_warehouse_file(duckdb_url_or_path), read_only=True) as con:
        for table, relative, select in month_partitions(month):
            folder = Path(out_root) / relative
            folder.mkdir(parents=True, exist_ok=True)
            final = folder / PART_FILE
            tmp = folder / f".{PART_FILE}.tmp-{os.getpid()}"
            try:
                con.execute(f"COPY ({select}) TO {_sql_str(tmp)} (FORMAT parquet, COMPRESSION zstd)")
                with literal(tmp) as plain:  # the export root may hold glob characters
                    counts[table] = counts.get(table, 0) + con.execute(f"SELECT count(*) FROM read_parquet({_sql_str(plain)})").fetchone()[0]
                _fsync(tmp)
                os.replace(tmp, final)
            finally:
                tmp.unlink(missing_ok=True)
            # a partition is exactly one file: drop anything else an older layout left behind
            for other in folder.glob("*.parquet"):
                if other.name != PART_FILE:
                    other.unlink()
    return counts


def snapshot_versions(snapshot_path: str | Path) -> dict[int, list[Path]]:
    """Version number -> the files of that version beside ``snapshot_path`` (the database file
    and any write-ahead log left with it)."""
    target = Path(snapshot_path)
    pattern = re.compile(rf"{re.escape(target.stem)}\.v(\d+){re.escape(target.suffix)}(?:\.wal)?")
    out: dict[int, list[Path]] = {}
    if target.parent.is_dir():
        for entry in target.parent.iterdir():
            found = pattern.fullmatch(entry.name)
            if found:
                out.setdefault(int(found[1]), []).append(entry)
    return out


def _version_path(target: Path, number: int) -> Path:
    return target.with_name(f"{target.stem}.v{number}{target.suffix}")


def publish_snapshot(duckdb_path: str | Path, snapshot_path: str | Path) -> dict[str, int]:
    """Copy the whole warehouse file (every schema, table, view) to a new read-only version file
    and point ``snapshot_path`` (a symbolic link) at it atomically; remove the older versions.
    Returns {schema.table: rows} as read back from the copy.

    The warehouse is opened read-write, which takes DuckDB's file lock: no other process can
    write it (or open it at all) until the copy is done. ``CHECKPOINT`` then puts every committed
    change into the main file and empties the write-ahead log, so with no open transaction the
    file on disk is the complete, consistent database, and a plain file copy of it is a valid
    DuckDB database (byte for byte what the warehouse holds, views included). Callers run in the
    one-writer pool, so nothing else of this process has the warehouse open either.
    """
    source = _warehouse_file(duckdb_path)
    if not source.is_file():
        raise FileNotFoundError(f"warehouse not found: {source}")
    target = Path(snapshot_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    _remove_db(tmp)
    try:
        con = connect_duckdb(source)  # read-write: holds the lock while the file is copied
        try:
            con.execute("CHECKPOINT")
            wal = Path(f"{source}.wal")
            if wal.exists() and wal.stat().st_size:
                raise RuntimeError(f"{source}: write-ahead log not empty after CHECKPOINT; snapshot not published")
            shutil.copyfile(source, tmp)
        finally:
            con.close()
        _fsync(tmp)
        os.chmod(tmp, 0o444)  # a read-write open fails (for anyone but root)
        with duckdb.connect(str(tmp), read_only=True) as snap:  # the copy opens and holds every table
            tables = snap.execute("SELECT schema_name, table_name FROM duckdb_tables() ORDER BY ALL").fetchall()
            counts = {f"{s}.{t}": snap.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0] for s, t in tables}
    except BaseException:
        _remove_db(tmp)
        raise
    number = max(snapshot_versions(target), default=0) + 1
    version = _version_path(target, number)  # a name no write-ahead log was ever written for
    Path(f"{version}.wal").unlink(missing_ok=True)
    os.rename(tmp, version)
    link = target.with_name(f".{target.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    os.symlink(version.name, link)
    os.replace(link, target)  # readers see the old version or the new one
    _fsync_dir(target.parent)
    Path(f"{target}.wal").unlink(missing_ok=True)  # a log beside the stable name (the single-file layout) is stale
    for old, files in snapshot_versions(target).items():
        if old != number:
            for f in files:
                f.unlink(missing_ok=True)
    return counts


def _remove_db(path: Path) -> None:
    path.unlink(missing_ok=True)
    Path(f"{path}.wal").unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
