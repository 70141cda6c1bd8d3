"""Benchmark suite `publish`: a large month published to PostgreSQL, against `psql \\copy`.

    python bench/publish.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres [--rows 1000000]
    (to be hooked as: python bench/run.py --suite publish --pg URL)

A month of N dossiers (``write_bench_landing``) goes through the real pipeline into a DuckDB
warehouse (not timed). Then, in a scratch database created on the server (dropped afterwards):

- publish: ``cchc_etl.publish.publish_month`` of that month — the marts, the quality tables and
  the full dossier month-end fact (N rows, into schema ``warehouse``): DDL check, one
  transaction with DELETE + COPY per table, row-count and NFC checks, COMMIT — timed from the
  call to its return, DuckDB export included;
- anchor: the same fact exported by DuckDB to CSV beforehand (not timed) and loaded by
  ``psql -c "\\copy … FROM 'fact.csv' CSV HEADER"`` into a scratch table of the same definition
  (``LIKE … INCLUDING ALL``) — timed around the psql process.

Each is run ``--repeats`` times into empty tables, alternating, and the best run of each is
compared (the machine is shared and noisy; all runs are printed). A re-publish of a month that is
already there (DELETE of the old rows included) is timed once for reference.
Last line: publish_ratio=<publish rows/s ÷ anchor rows/s> publish_rows_per_s=… anchor_rows_per_s=…
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from cchc_etl import settings

ROOT = Path(__file__).resolve().parent.parent
MONTH = "2024-01"
ANCHOR_TABLE = "warehouse.fct_dossier_month_end_anchor"


def _scratch_database(pg_url: str) -> tuple[str, str | None]:
    """(URL of a fresh database on the server, its name to drop) — or the given database when
    the user may not create one."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict

    from cchc_etl.publish import conninfo

    name = f"cchc_bench_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(conninfo(pg_url), autocommit=True) as con:
            con.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(sql.Identifier(name)))
    except psycopg.errors.InsufficientPrivilege:
        print(f"(no CREATEDB: publishing into the database of {pg_url} itself)")
        return pg_url, None
    from psycopg.conninfo import make_conninfo

    params = conninfo_to_dict(conninfo(pg_url))
    params["dbname"] = name
    return make_conninfo(**params), name


def _drop_database(pg_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    from cchc_etl.publish import conninfo

    with psycopg.connect(conninfo(pg_url), autocommit=True) as con:
        con.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _truncate(target: str, tables: list[str]) -> None:
    from cchc_etl.publish import pg_connect

    with contextlib.closing(pg_connect(target, autocommit=True)) as con:
        con.execute(f"TRUNCATE {', '.join(tables)}")
        with contextlib.suppress(Exception):  # superuser or pg_checkpoint only
            con.execute("CHECKPOINT")  # every run starts with the same WAL state


def suite_publish(rows: int, pg_url: str, *, keep: bool = False, repeats: int = 3) -> str:
    import duckdb
    from common import scratch_dir

    from cchc_etl.cli import _raise_for, run_months
    from cchc_etl.publish import DEFAULT_TABLES, conninfo, pg_connect, publish_month, redact
    from cchc_etl.sample import write_bench_landing

    if not shutil.which("psql"):
        sys.exit("psql (the anchor) is not installed")
    scratch_name = None
    with scratch_dir("cchc-bench-publish-", keep) as work:
        try:
            t = time.perf_counter()
            landing = work / "landing"
            write_bench_landing(landing, rows=rows, month=MONTH)
            db_path = work / "warehouse.duckdb"
            with settings.overridden(settings.LOG_LEVEL, settings.LOG_LEVEL.raw() or "ERROR"):
                _raise_for(run_months(landing, f"duckdb:///{db_path.as_posix()}", [MONTH], pii_key="bench-key", allow_demo_key=False))
            print(f"warehouse built by the pipeline in {time.perf_counter() - t:.1f}s (not timed below)")

            csv_path = work / "fct_dossier_month_end.csv"
            with contextlib.closing(duckdb.connect(str(db_path), read_only=True)) as con:
                con.execute("SET enable_progress_bar = false")
                con.execute(f"COPY (SELECT * FROM core.fct_dossier_month_end WHERE period_start = DATE '{MONTH}-01') "
                            f"TO '{csv_path.as_posix()}' (FORMAT csv, HEADER)")
                fact_rows = con.execute(f"SELECT count(*) FROM core.fct_dossier_month_end WHERE period_start = DATE '{MONTH}-01'").fetchone()[0]
            print(f"fact: {fact_rows:,} rows, CSV for the anchor {csv_path.stat().st_size / 2**20:,.0f} MB")

            target, scratch_name = _scratch_database(pg_url)
            print(f"PostgreSQL: {redact(pg_url)} (scratch database {scratch_name or '-'})")
            publish_month(db_path, target, f"{MONTH}-01")  # creates the tables; the timed runs start from empty ones
            with contextlib.closing(pg_connect(target, autocommit=True)) as con:
                server = con.execute("SHOW server_version").fetchone()[0]
                con.execute(f"CREATE TABLE IF NOT EXISTS {ANCHOR_TABLE} (LIKE warehouse.fct_dossier_month_end INCLUDING ALL)")
            print(f"server {server}; {repeats} runs each into empty tables, alternating")
            published_tables = [t.target for t in DEFAULT_TABLES]
            psql = ["psql", conninfo(target), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                    "-c", f"\\copy {ANCHOR_TABLE} FROM '{csv_path.as_posix()}' CSV HEADER"]

            publish_s, anchor_s, phases, published_rows = [], [], [], 0
            for i in range(repeats):
                _truncate(target, published_tables)
                timings: dict[str, float] = {}
                started = time.perf_counter()
                counts = publish_month(db_path, target, f"{MONTH}-01", timings=timings)
                publish_s.append(time.perf_counter() - started)
                phases.append(timings)
                published_rows = sum(counts.values())

                _truncate(target, [ANCHOR_TABLE])
                started = time.perf_counter()
                subprocess.run(psql, check=True)
                anchor_s.append(time.perf_counter() - started)
                print(f"  run {i + 1}: publish {publish_s[-1]:6.2f} s ({published_rows / publish_s[-1]:>9,.0f} rows/s)   "
                      f"anchor psql \\copy {anchor_s[-1]:6.2f} s ({fact_rows / anchor_s[-1]:>9,.0f} rows/s)")

            timings = {}
            started = time.perf_counter()
            publish_month(db_path, target, f"{MONTH}-01", timings=timings)
            replace_s = time.perf_counter() - started
            with contextlib.closing(pg_connect(target, autocommit=True)) as con:
                loaded = con.execute(f"SELECT count(*) FROM warehouse.fct_dossier_month_end WHERE period_start = DATE '{MONTH}-01'").fetchone()[0]
                anchored = con.execute(f"SELECT count(*) FROM {ANCHOR_TABLE}").fetchone()[0]
            assert loaded == anchored == fact_rows, (loaded, anchored, fact_rows)

            best = min(range(repeats), key=lambda k: publish_s[k])
            pub_rps = published_rows / publish_s[best]
            anc_rps = fact_rows / min(anchor_s)
            print(f"publish (cchc_etl.publish.publish_month, {published_rows:,} rows: marts + quality + fact): "
                  f"best {publish_s[best]:.2f} s = {pub_rps:,.0f} rows/s (median {statistics.median(publish_s):.2f} s)")
            print("    phases of the best run: " + ", ".join(f"{k} {v:.2f}s" for k, v in phases[best].items()))
            print(f"anchor  (psql \\copy of the fact's CSV, {fact_rows:,} rows): best {min(anchor_s):.2f} s = {anc_rps:,.0f} rows/s "
                  f"(median {statistics.median(anchor_s):.2f} s)")
            print(f"re-publish of the same month (DELETE of the old rows included): {replace_s:.2f} s = {published_rows / replace_s:,.0f} rows/s "
                  "[" + ", ".join(f"{k} {v:.2f}s" for k, v in timings.items()) + "]")
            return f"publish_ratio={pub_rps / anc_rps:.2f} publish_rows_per_s={pub_rps:.0f} anchor_rows_per_s={anc_rps:.0f}"
        finally:
            if scratch_name:
                _drop_database(pg_url, scratch_name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", default=settings.test_pg_url(),
                        help="PostgreSQL server (a scratch database is created there and dropped)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    print(suite_publish(args.rows, args.pg, keep=args.keep, repeats=args.repeats))


if __name__ == "__main__":
    main()
