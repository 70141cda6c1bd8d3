"""Concurrent access to the warehouse files, with real processes on real DuckDB files.

- Two ``cchc-etl run`` at once on one warehouse: exactly one runs; the other is refused at start
  (before its first month) with a message naming the holder, and the warehouse afterwards equals
  a clean single run, table by table.
- A process holding the live file (a BI tool, DBeaver, ``duckdb -readonly``): a run waits up to
  ``CCHC_LOCK_WAIT`` seconds and then fails with one message naming the holder's PID, no DuckDB
  text; a reader that lets go within the wait only delays the run.
- The run lock of a crashed (kill -9) run never blocks; a Dagster run of the job is refused at
  start while a CLI run holds the warehouse.
- The analysts' snapshot: an analyst who opens it read-write, writes and is killed (before a run
  publishes, or holding the previous version open across the publish) never changes the version
  a run publishes; for an analyst who is not the superuser a read-write open fails.

One small sample month (40 dossiers) and one scenario around a warehouse (a month's first run,
then analysts and two runs at once) serve most tests: two pipeline executions in all.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from cchc_etl.exports import publish_snapshot
from cchc_etl.sample import write_sample_landing

REPO = Path(__file__).resolve().parents[3]
PII_KEY = "test-concurrent-access-key"
MONTH = "2024-01"
# when each file was loaded: two runs differ here by design (a rerun keeps it)
VOLATILE = {"quality.file_log": {"loaded_at"}}
RAW_TEXTS = ("IO Error", "Could not set lock", "Conflicting lock", "IOException", "WarehouseBusy", "Dagster", "Traceback")

HOLD_READ_ONLY = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print("holding", flush=True)
sys.stdin.read()
"""

HOLD_RUN_LOCK = """
import sys
from cchc_etl.locks import run_lock
with run_lock(sys.argv[1]):
    print("holding", flush=True)
    sys.stdin.read()
"""

# an analyst's session on the snapshot, opened read-write (no -readonly): writes, then dies
ANALYST = """
import os, sys, duckdb
con = duckdb.connect(sys.argv[1])
print("open", flush=True)
if sys.argv[2] == "later":
    sys.stdin.readline()
con.execute(f"CREATE TABLE main.analyst_notes_{sys.argv[2]} AS SELECT 42 AS n")
con.execute("DELETE FROM marts.scores")
con.execute("UPDATE marts.period_report SET rpt_received = -1")
print("written", flush=True)
os.kill(os.getpid(), 9)
"""


def _env(lock_wait: float) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DAGSTER_HOME", "CCHC_DEBUG", "CCHC_LOG_LEVEL", "CCHC_SNAPSHOT_PATH", "CCHC_PARQUET_DIR", "CCHC_PUBLISH_URL")}
    env.update(CCHC_PII_KEY=PII_KEY, CCHC_LOCK_WAIT=str(lock_wait),
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])))
    return env


class Running:
    """A subprocess whose stdout and stderr are collected as they come."""

    def __init__(self, argv: list[str], *, lock_wait: float = 5, stdin=subprocess.DEVNULL):
        self.argv = argv
        self.proc = subprocess.Popen(argv, cwd=REPO, env=_env(lock_wait), stdin=stdin, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.pid = self.proc.pid
        self._out: list[bytes] = []
        self._err: list[bytes] = []
        self._threads = [threading.Thread(target=self._pump, args=(s, b), daemon=True)
                         for s, b in ((self.proc.stdout, self._out), (self.proc.stderr, self._err))]
        for t in self._threads:
            t.start()

    @staticmethod
    def _pump(stream, into: list[bytes]) -> None:
        while chunk := os.read(stream.fileno(), 65536):
            into.append(chunk)

    @property
    def stdout(self) -> str:
        return b"".join(self._out).decode("utf-8", "replace")

    @property
    def stderr(self) -> str:
        return b"".join(self._err).decode("utf-8", "replace")

    def wait(self, timeout: float = 600) -> int:
        rc = self.proc.wait(timeout=timeout)
        for t in self._threads:
            t.join(timeout=10)
        return rc

    @property
    def error_line(self) -> str:
        found = [ln for ln in self.stderr.splitlines() if ln.startswith("cchc-etl: error:")]
        return found[-1] if found else ""

    def explain(self) -> str:
        return f"{' '.join(self.argv[2:])} (pid {self.pid}) exited {self.proc.returncode}\n--- stdout\n{self.stdout[-2000:]}\n--- stderr\n{self.stderr[-4000:]}"


def cchc_run(landing: Path, warehouse: Path, *, lock_wait: float = 5) -> Running:
    return Running([sys.executable, "-m", "cchc_etl.cli", "run", "--landing", str(landing),
                    "--warehouse", f"duckdb:///{warehouse.resolve()}", "--from", MONTH, "--to", MONTH], lock_wait=lock_wait)


def holder(script: str, path: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", script, str(path)], cwd=REPO, env=_env(5), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "holding"
    return proc


def dump(path: Path) -> dict[str, list[tuple]]:
    """Every table of the database file (all schemas), rows sorted, volatile columns left out."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for schema, table in con.execute("SELECT schema_name, table_name FROM duckdb_tables() ORDER BY ALL").fetchall():
            name = f"{schema}.{table}"
            cols = [c for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? ORDER BY column_index",
                [schema, table]).fetchall() if c not in VOLATILE.get(name, ())]
            select = ", ".join(f'"{c}"' for c in cols)
            out[name] = sorted(con.execute(f'SELECT {select} FROM "{schema}"."{table}"').fetchall(), key=repr)
        return out
    finally:
        con.close()


def differences(expected: dict, actual: dict) -> list[str]:
    problems = [f"tables only in one: {sorted(set(expected) ^ set(actual))}"] if set(expected) != set(actual) else []
    for name in sorted(set(expected) & set(actual)):
        if expected[name] != actual[name]:
            problems.append(f"{name}: {len(expected[name])} rows expected, {len(actual[name])} found; "
                            f"e.g. missing {[r for r in expected[name] if r not in actual[name]][:2]}, "
                            f"extra {[r for r in actual[name] if r not in expected[name]][:2]}")
    return problems


def _snapshot_of(warehouse: Path) -> Path:
    return warehouse.with_name("warehouse_snapshot.duckdb")


def _wals(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".wal"))


def run_lock_path_text(warehouse: Path) -> str:
    path = Path(f"{warehouse}.run.lock")
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("landing") / "landing"
    write_sample_landing(root, MONTH, MONTH, rows_per_month=40, seed=7)
    return root


@dataclass
class Scenario:
    warehouse: Path
    first_run: Running  # the month's first run: a clean single run
    clean: dict[str, list[tuple]]  # its tables
    analysts: dict[str, tuple[int, str]]  # exit code, last words
    logs_left: dict[str, list[str]]  # write-ahead logs beside the snapshot after each analyst died
    contenders: list[Running]


@pytest.fixture(scope="module")
def scenario(landing, tmp_path_factory) -> Scenario:
    """A month run on a warehouse with readers, analysts and a second run around it:

    1. a reader holds the (empty) warehouse file when the month's first run starts and lets go
       once the run has taken its run lock, so the run's first open has to wait;
    2. analyst A opens the published snapshot read-write, writes and is killed;
    3. analyst B opens the snapshot read-write and stays;
    4. two runs of the month start together;
    5. analyst B writes (after the new snapshot is published) and is killed.
    """
    warehouse = tmp_path_factory.mktemp("scenario") / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()  # an empty database file, for the reader to hold
    reader = holder(HOLD_READ_ONLY, warehouse)
    try:
        first = cchc_run(landing, warehouse, lock_wait=300)
        begun = _until(lambda: f"pid={first.pid}\n" in run_lock_path_text(warehouse), timeout=300)
        time.sleep(1.5)  # the run opens the file right after taking its run lock: it is waiting now
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)
    first.wait()
    assert begun and first.proc.returncode == 0, first.explain()
    clean = dump(warehouse)
    snapshot, logs = _snapshot_of(warehouse), {}

    a = subprocess.run([sys.executable, "-c", ANALYST, str(snapshot), "now"], cwd=REPO, env=_env(5),
                       capture_output=True, text=True, timeout=120)
    logs["a"] = _wals(snapshot.parent)
    b = subprocess.Popen([sys.executable, "-c", ANALYST, str(snapshot), "later"], cwd=REPO, env=_env(5),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert b.stdout.readline().strip() == "open"
        contenders = [cchc_run(landing, warehouse), cchc_run(landing, warehouse)]
        for r in contenders:
            r.wait()
        b.stdin.write("go\n")
        b.stdin.flush()
        b_said = b.stdout.readline().strip()
    finally:
        b.wait(timeout=60)
    logs["b"] = _wals(snapshot.parent)
    return Scenario(warehouse, first, clean, {"a": (a.returncode, a.stdout.strip()), "b": (b.returncode, b_said)}, logs, contenders)


def test_a_reader_that_lets_go_within_the_wait_only_delays_the_run(scenario):
    run = scenario.first_run
    assert run.proc.returncode == 0 and "xong / done" in run.stdout, run.explain()
    assert not run.stderr.strip(), run.explain()


# --------------------------------------------------------------------------- two runs at once


def test_two_runs_at_once_one_runs_and_the_other_is_refused_at_start_naming_it(scenario):
    codes = sorted(r.proc.returncode for r in scenario.contenders)
    assert codes == [0, 1], "\n\n".join(r.explain() for r in scenario.contenders)
    winner = next(r for r in scenario.contenders if r.proc.returncode == 0)
    loser = next(r for r in scenario.contenders if r.proc.returncode == 1)
    assert "xong / done" in winner.stdout, winner.explain()
    # refused before its first month: not midway
    assert f"[1/1] {MONTH}" not in loser.stdout, loser.explain()
    line = loser.error_line
    assert f"PID {winner.pid}" in line and "cchc_etl.cli run" in line, loser.explain()
    assert "Một lượt chạy khác" in line and "Another run is using the warehouse" in line, line
    assert str(scenario.warehouse) in line and ".run.lock" in line, line
    assert not [t for t in RAW_TEXTS if t in loser.stderr], loser.explain()


def test_the_warehouse_after_two_runs_at_once_equals_a_clean_single_run(scenario):
    assert scenario.clean["marts.indicator_values"] and scenario.clean["staging.stg_dossiers"]
    problems = differences(scenario.clean, dump(scenario.warehouse))
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- a holder of the live file


def test_a_reader_of_the_live_file_makes_the_run_wait_then_fail_naming_it(landing, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()
    reader = holder(HOLD_READ_ONLY, warehouse)
    try:
        run = cchc_run(landing, warehouse, lock_wait=2)
        rc = run.wait(timeout=300)
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)
    assert rc == 1, run.explain()
    line = run.error_line
    assert f"PID {reader.pid}" in line and "import sys, duckdb" in line, run.explain()  # its command line, from /proc
    assert "đã chờ 2 giây" in line and "waited 2 s" in line, line
    assert str(warehouse) in line, line
    for advice in ("snapshot", "Parquet", "PostgreSQL", "never the live warehouse file"):
        assert advice in line, (advice, line)
    assert not [t for t in RAW_TEXTS if t in run.stderr], run.explain()
    assert len([ln for ln in run.stderr.splitlines() if ln.strip()]) == 1, run.explain()
    assert f"[1/1] {MONTH}" not in run.stdout, run.explain()  # refused before its first month


def test_the_run_lock_names_its_holder_refuses_a_dagster_run_and_dies_with_its_process(tmp_path):
    from dagster import DagsterInstance

    from cchc_etl.cli import _summarise
    from cchc_etl.definitions import build_definitions
    from cchc_etl.locks import WarehouseBusy, run_lock

    warehouse = tmp_path / "warehouse.duckdb"
    other = holder(HOLD_RUN_LOCK, warehouse)
    try:
        with pytest.raises(WarehouseBusy) as refused:
            with run_lock(warehouse):
                pass
        assert f"PID {other.pid}" in str(refused.value) and "from cchc_etl.locks import run_lock" in str(refused.value)

        job = build_definitions(landing=str(tmp_path / "landing"), warehouse_url=f"duckdb:///{warehouse}").resolve_job_def("cchc_monthly")
        result = job.execute_in_process(partition_key=f"{MONTH}-01", instance=DagsterInstance.ephemeral(), raise_on_error=False)
        assert not result.success
        failure = _summarise(MONTH, result, 0).failure or ""
        assert failure.startswith("Một lượt chạy khác") and f"PID {other.pid}" in failure, failure
        assert not warehouse.exists()  # refused before anything opened the warehouse
    finally:
        other.kill()  # kill -9: the kernel releases the flock with the process
        other.wait(timeout=30)
    assert run_lock_path_text(warehouse)  # the dead holder's text is still in the file ...
    with run_lock(warehouse):  # ... and blocks nothing
        assert f"pid={os.getpid()}" in run_lock_path_text(warehouse)
    assert run_lock_path_text(warehouse) == ""


# --------------------------------------------------------------------------- the analysts' snapshot


def test_an_analyst_writing_to_the_snapshot_never_changes_a_later_version(scenario):
    snapshot = _snapshot_of(scenario.warehouse)
    for code, said in scenario.analysts.values():  # each wrote, then was killed
        assert code == -signal.SIGKILL and said.endswith("written"), scenario.analysts
    assert scenario.logs_left["a"] and scenario.logs_left["b"], scenario.logs_left  # each left a write-ahead log

    # what analysts now open: the version the second run published, exactly the warehouse
    published, live = dump(snapshot), dump(scenario.warehouse)
    assert not [t for t in published if "analyst_notes" in t], sorted(published)
    assert live["marts.scores"] and live["marts.period_report"]
    with duckdb.connect(str(snapshot), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.period_report WHERE rpt_received = -1").fetchone() == (0,)
    problems = differences(live, published)
    assert not problems, "\n".join(problems)
    # the stable name is a link to a read-only version file beside it
    assert snapshot.is_symlink() and snapshot.resolve().parent == snapshot.parent, snapshot
    assert stat.S_IMODE(snapshot.resolve().stat().st_mode) == 0o444


def test_a_read_write_open_of_the_snapshot_fails_for_an_analyst(scenario):
    """As the owner of the files who is not the superuser (a run and its analysts under one
    account; run as root, the test hands the file to ``nobody`` and drops to it): the read-write
    open fails with DuckDB's permission error, the read-only open works."""
    folder = Path(tempfile.mkdtemp(prefix="cchc-snapshot-"))
    try:
        folder.chmod(0o755)
        snapshot = folder / "warehouse_snapshot.duckdb"
        publish_snapshot(scenario.warehouse, snapshot)
        publish_snapshot(scenario.warehouse, snapshot)  # a second version replaces the first
        drop = "pass"
        if os.geteuid() == 0:
            os.chown(snapshot.resolve(), 65534, 65534)
            drop = "os.setgid(65534); os.setuid(65534)"
        script = f"""
import os, sys, duckdb
{drop}
try:
    duckdb.connect(sys.argv[1])
    print("read-write open: allowed")
except duckdb.Error as exc:
    print("read-write open: refused:", exc)
con = duckdb.connect(sys.argv[1], read_only=True)
print("read-only rows:", con.execute("SELECT count(*) FROM marts.indicator_values").fetchone()[0])
"""
        out = subprocess.run([sys.executable, "-c", script, str(snapshot)], cwd=REPO, env=_env(5),
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        assert "read-write open: refused:" in out.stdout and "Permission denied" in out.stdout, out.stdout
        assert "read-only rows: 0" not in out.stdout and "read-only rows:" in out.stdout, out.stdout
        files = sorted(p.name for p in folder.iterdir())
        assert files == ["warehouse_snapshot.duckdb", "warehouse_snapshot.v2.duckdb"], files
    finally:
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()
