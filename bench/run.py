"""Benchmarks. Each suite prints its figures and ends with one summary line.

    python bench/run.py [--suite dossiers] [--rows 1000000]

Suite `dossiers` (issue: the whole pipeline): a month of N dossiers as one CSV in the national
interface's coded style goes through the real pipeline (`cchc-etl run`: Dagster in-process,
readers, staging SQL with quarantine and PII hashing, the Great Expectations suite, warehouse and
marts) in a fresh process, and through the anchor — a plain DuckDB script doing the same
physical work (read the CSV with declared types, HMAC the three PII columns as the contract
requires of anything that stores them, validate, load, aggregate per unit) — in another fresh
process. The same script without hashing is printed for reference. Wall seconds and peak RSS are measured per process (os.wait4).
Last line: pipeline_s=… anchor_s=… ratio=… peak_rss_mb=…
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ANCHOR = textwrap.dedent(
    """
    import sys, time, duckdb
    from cchc_etl.pii import hmac_macro_sql
    csv_path, db_path, hash_pii = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
    con = duckdb.connect(db_path)
    con.execute("SET enable_progress_bar = false")
    con.execute(hmac_macro_sql("bench-key"))
    cols = {
        "dossier_id": "VARCHAR", "procedure_code": "VARCHAR", "unit_code": "VARCHAR", "channel": "INTEGER",
        "received_at": "TIMESTAMP", "due_at": "TIMESTAMP", "resolved_at": "TIMESTAMP", "status": "INTEGER",
    }
    # the anchor reads the columns the report needs with declared types, everything else as text
    header = open(csv_path, encoding="utf-8-sig").readline().strip().split(",")
    types = {c: cols.get(c, "VARCHAR") for c in header}
    # the contract forbids clear-text PII in any table: a plain script must hash it too (HMAC-SHA256)
    pii = ("applicant_name", "applicant_id", "applicant_phone")
    select = ", ".join(f"cchc_hmac({c}) AS {c}_hash" if hash_pii and c in pii else c for c in header)
    con.execute(f"CREATE TABLE dossiers AS SELECT {select} FROM read_csv(?, header=true, columns={types!r}, timestampformat='%Y-%m-%dT%H:%M:%S')", [csv_path])
    bad = con.execute(
        "SELECT count(*) FILTER (WHERE dossier_id IS NULL OR unit_code IS NULL OR received_at IS NULL), "
        "count(*) FILTER (WHERE channel NOT IN (1, 2, 3) OR status NOT BETWEEN 1 AND 10), "
        "count(*) FILTER (WHERE resolved_at < received_at OR due_at < received_at) FROM dossiers"
    ).fetchone()
    con.execute(
        "CREATE TABLE report AS SELECT unit_code, "
        "count(*) FILTER (WHERE received_at < DATE '2024-01-01') AS carried_over, "
        "count(*) FILTER (WHERE received_at >= DATE '2024-01-01') AS received, "
        "count(*) FILTER (WHERE status IN (9, 10) AND resolved_at::DATE < due_at::DATE) AS early, "
        "count(*) FILTER (WHERE status IN (9, 10) AND resolved_at::DATE = due_at::DATE) AS on_time, "
        "count(*) FILTER (WHERE status IN (9, 10) AND resolved_at::DATE > due_at::DATE) AS late, "
        "count(*) FILTER (WHERE status IN (3, 7)) AS withdrawn_rejected, "
        "count(*) FILTER (WHERE status IN (2, 4, 5, 6, 8)) AS pending FROM dossiers GROUP BY unit_code"
    )
    print("anchor rows", con.execute("SELECT count(*) FROM dossiers").fetchone()[0], "invalid", bad)
    """
)

PIPELINE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from cchc_etl.cli import run_months, _raise_for
    outcomes = run_months(Path(sys.argv[1]), sys.argv[2], [sys.argv[3]], pii_key="bench-key", allow_demo_key=False)
    _raise_for(outcomes)
    """
)


def measure(args: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MB, stdout) of a fresh Python process."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=ROOT, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"benchmark process failed ({proc.returncode}):\n{out}")
    return wall, usage.ru_maxrss / 1024, out


def suite_dossiers(rows: int, keep: bool) -> str:
    from cchc_etl.sample import write_bench_landing

    work = Path(tempfile.mkdtemp(prefix="cchc-bench-"))
    try:
        month = "2024-01"
        t = time.perf_counter()
        landing = work / "landing"
        csv_path = Path(write_bench_landing(landing, rows=rows, month=month))
        size_mb = csv_path.stat().st_size / 2**20
        print(f"generated {rows:,} dossiers ({size_mb:,.0f} MB CSV) in {time.perf_counter() - t:.1f}s")

        bare_s, bare_rss, _ = measure([sys.executable, "-c", ANCHOR, str(csv_path), str(work / "anchor_bare.duckdb"), "0"])
        print(f"plain DuckDB without PII hashing (for reference):               {bare_s:6.2f} s  peak RSS {bare_rss:7.0f} MB")
        anchor_s, anchor_rss, anchor_out = measure([sys.executable, "-c", ANCHOR, str(csv_path), str(work / "anchor.duckdb"), "1"])
        print(f"anchor   (plain DuckDB: typed read, HMAC PII, validate, load, aggregate): {anchor_s:6.2f} s  peak RSS {anchor_rss:7.0f} MB  [{anchor_out.strip()}]")

        env = dict(os.environ, CCHC_LOG_LEVEL="ERROR")
        url = f"duckdb:///{(work / 'pipeline.duckdb').as_posix()}"
        pipe_s, pipe_rss, pipe_out = measure([sys.executable, "-c", PIPELINE, str(landing), url, month], env=env)
        print(f"pipeline (cchc-etl run, fresh process, Dagster in-process):     {pipe_s:6.2f} s  peak RSS {pipe_rss:7.0f} MB")
        print(textwrap.indent(pipe_out.strip(), "    "))
        print(f"pipeline throughput: {rows / pipe_s:,.0f} rows/s; anchor: {rows / anchor_s:,.0f} rows/s")
        return f"pipeline_s={pipe_s:.2f} anchor_s={anchor_s:.2f} ratio={pipe_s / anchor_s:.2f} peak_rss_mb={pipe_rss:.0f}"
    finally:
        if keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


SUITES = {"dossiers": suite_dossiers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", choices=sorted(SUITES), default="dossiers")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the generated files and warehouses")
    args = parser.parse_args()
    print(SUITES[args.suite](args.rows, args.keep))


if __name__ == "__main__":
    main()
