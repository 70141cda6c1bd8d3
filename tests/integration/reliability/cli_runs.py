"""For the reliability tests: ``cchc-etl`` in a subprocess (killed at a named step if asked), an
uninterrupted run to compare with, and a table-by-table comparison of two warehouses."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[3]
KILL_AT = Path(__file__).with_name("kill_at.py")
MONTHS = ("2024-01", "2024-02")
KEY_A = "reliability-key-A"
KEY_B = "reliability-key-B"
# columns that differ between two correct runs of the same landing files, by table: when a file
# was loaded (the load itself is what differs); nothing else may
RUN_DEPENDENT = {"quality.file_log": ("loaded_at",)}


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str
    pid: int


class Started:
    """``cchc-etl ARGS`` running in a fresh process from the repository root (``kill_at``: through
    ``kill_at.py``, killed at that step); temporary files go to ``tmp``."""

    def __init__(self, *args: str, key: str, tmp: Path, dagster_home: Path | None = None, kill_at: str | None = None):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CCHC_", "DAGSTER_"))}
        env.update(CCHC_PII_KEY=key, TMPDIR=str(tmp))
        if dagster_home is not None:
            env["DAGSTER_HOME"] = str(dagster_home)
        command = [sys.executable, str(KILL_AT), kill_at, *args] if kill_at else [sys.executable, "-m", "cchc_etl.cli", *args]
        self.args = args
        self.proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.done: Done | None = None

    def wait(self, timeout: float = 600) -> Done:
        if self.done is None:
            try:
                out, err = self.proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                out, err = self.proc.communicate()
                pytest.fail(f"cchc-etl {' '.join(self.args)} did not end in {timeout:.0f} s\n{out}\n{err}")
            self.done = Done(self.proc.returncode, out, err, self.proc.pid)
        return self.done


def cli(*args: str, **kwargs) -> Done:
    return Started(*args, **kwargs).wait()


def run_args(landing: Path, warehouse: Path, start: str = MONTHS[0], end: str = MONTHS[-1]) -> list[str]:
    return ["run", "--landing", str(landing), "--warehouse", f"duckdb:///{warehouse.resolve()}", "--from", start, "--to", end]


class Clean:
    """An uninterrupted run, started when first asked for; ``warehouse()`` waits for it."""

    def __init__(self, landing: Path, work: Path, key: str, end: str):
        self.path = work / "warehouse.duckdb"
        self.run = Started(*run_args(landing, self.path, MONTHS[0], end), key=key, tmp=work)

    def warehouse(self) -> Path:
        done = self.run.wait()
        assert done.returncode == 0, done.stdout + done.stderr
        return self.path


def tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    return [f"{s}.{t}" for s, t in con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ? ORDER BY ALL", [catalog]).fetchall()]


def table_differences(left: Path, right: Path, ignore: dict[str, tuple[str, ...]] = RUN_DEPENDENT) -> dict[str, str]:
    """Every table of every schema of two warehouses, compared row by row (as multisets, without
    the ``ignore`` columns): {table: what differs}; empty when they hold the same."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{left}' AS l (READ_ONLY)")
        con.execute(f"ATTACH '{right}' AS r (READ_ONLY)")
        lt, rt = tables(con, "l"), tables(con, "r")
        out = {t: "only in the first" for t in sorted(set(lt) - set(rt))}
        out |= {t: "only in the second" for t in sorted(set(rt) - set(lt))}
        for table in sorted(set(lt) & set(rt)):
            skipped = ignore.get(table, ())
            select = "SELECT * EXCLUDE ({})".format(", ".join(skipped)) if skipped else "SELECT *"
            lcols = con.execute(f"DESCRIBE {select} FROM l.{table}").fetchall()
            rcols = con.execute(f"DESCRIBE {select} FROM r.{table}").fetchall()
            if [c[:2] for c in lcols] != [c[:2] for c in rcols]:
                out[table] = f"columns differ: {lcols} / {rcols}"
                continue
            only_l = con.execute(f"SELECT count(*) FROM ({select} FROM l.{table} EXCEPT ALL {select} FROM r.{table})").fetchone()[0]
            only_r = con.execute(f"SELECT count(*) FROM ({select} FROM r.{table} EXCEPT ALL {select} FROM l.{table})").fetchone()[0]
            if only_l or only_r:
                rows = con.execute(f"SELECT count(*) FROM l.{table}").fetchone()[0], con.execute(f"SELECT count(*) FROM r.{table}").fetchone()[0]
                out[table] = f"{only_l} rows only in the first, {only_r} only in the second (of {rows[0]} / {rows[1]})"
        return out
    finally:
        con.close()
