"""Operations: the monthly schedule and the landing sensor (Dagster's test contexts), the Parquet
exports and the read-only snapshot (over a small warehouse built by the real pipeline)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from dagster import DagsterInstance, Definitions, build_schedule_context, build_sensor_context

from cchc_etl.definitions import ASSETS, build_definitions, monthly_job
from cchc_etl.defs.checks import gx_checks
from cchc_etl.defs.operations import (
    MARTS,
    MARTS_FRESHNESS,
    SCHEDULE_CRON,
    apply_marts_freshness,
    build_operations,
    scan_landing,
)
from cchc_etl.exports import MARTS as MARTS_ON_DISK, export_month_parquet, publish_snapshot

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2024, 6, 10, 12, tzinfo=VN)  # sensor clock: 2024-01..2024-05 are closed months


# ------------------------------------------------------------------------------------------------
# Dagster definitions under test

def _repository(landing: Path | None = None):
    schedule, sensor = build_operations(monthly_job, landing_dir=str(landing) if landing else None, now=lambda: NOW)
    defs = Definitions(assets=ASSETS, asset_checks=gx_checks, jobs=[monthly_job], schedules=[schedule], sensors=[sensor],
                       resources=build_definitions().resources)
    return schedule, sensor, defs.get_repository_def()


@pytest.fixture(scope="module")
def schedule_repo():
    schedule, _, repo = _repository()
    return schedule, repo


def _tick_schedule(schedule_repo, at: dt.datetime):
    schedule, repo = schedule_repo
    data = schedule.evaluate_tick(build_schedule_context(scheduled_execution_time=at, repository_def=repo))
    return [r.partition_key for r in data.run_requests or []], data.skip_message


def test_schedule_is_early_in_the_month_in_vietnam_time(schedule_repo):
    schedule, _ = schedule_repo
    assert schedule.cron_schedule == SCHEDULE_CRON == "0 6 3 * *"
    assert schedule.execution_timezone == "Asia/Ho_Chi_Minh"
    assert schedule.job_name == "cchc_monthly"


@pytest.mark.parametrize(("at", "expected"), [
    (dt.datetime(2024, 3, 3, 6, tzinfo=VN), "2024-02-01"),
    (dt.datetime(2025, 1, 3, 6, tzinfo=VN), "2024-12-01"),
    # 23:00 UTC on 29 Feb is already 1 March 06:00 in Vietnam: February has closed
    (dt.datetime(2024, 2, 29, 23, tzinfo=dt.timezone.utc), "2024-02-01"),
])
def test_schedule_requests_the_month_that_just_closed(schedule_repo, at, expected):
    keys, skip = _tick_schedule(schedule_repo, at)
    assert keys == [expected] and skip is None


def test_schedule_skips_before_the_first_partition(schedule_repo):
    keys, skip = _tick_schedule(schedule_repo, dt.datetime(2020, 1, 3, 6, tzinfo=VN))
    assert keys == [] and "before the first partition" in skip


# ------------------------------------------------------------------------------------------------
# landing sensor

def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def landing(tmp_path):
    root = tmp_path / "landing"
    _write(root / "dossiers" / "2024-01" / "vnpt__export.csv", "ma_ho_so\nA1\n")
    _write(root / "dossiers" / "2024-02" / "vnpt__export.csv", "ma_ho_so\nB1\n")
    _write(root / "surveys" / "2024-02" / "igate__danhgia.csv", "x\n1\n")
    _write(root / "reference" / "org_units.csv", "unit_code\nU1\n")
    _write(root / "dossiers" / "2024-02" / ".vnpt__partial.csv.part", "half a file")  # hidden: ignored
    _write(root / "dossiers" / "2024-02" / "~$vnpt__export.xlsx", "lock")  # Excel lock file: ignored
    return root


class SensorDriver:
    """Ticks the sensor like the daemon does: each tick gets the cursor the previous one returned."""

    def __init__(self, landing: Path):
        _, self.sensor, self.repo = _repository(landing)
        self.instance = DagsterInstance.ephemeral()
        self.cursor: str | None = None

    def tick(self):
        context = build_sensor_context(cursor=self.cursor, instance=self.instance, repository_def=self.repo)
        data = self.sensor.evaluate_tick(context)
        self.cursor = data.cursor
        return data

    def months(self) -> list[str]:
        data = self.tick()
        return [r.partition_key for r in data.run_requests or []]


def test_sensor_first_tick_requests_every_month_present_then_skips(landing):
    driver = SensorDriver(landing)
    first = driver.tick()
    assert [r.partition_key for r in first.run_requests] == ["2024-01-01", "2024-02-01"]
    assert all(r.run_key and r.run_key.startswith(f"landing:{r.partition_key[:7]}:") for r in first.run_requests)
    assert all(r.tags["cchc/trigger"] == "landing_sensor" for r in first.run_requests)
    assert driver.sensor.minimum_interval_seconds == 60

    second = driver.tick()
    assert not second.run_requests
    assert "no new or changed landing files" in second.skip_message


def test_sensor_content_change_requests_only_its_month(landing):
    driver = SensorDriver(landing)
    first_keys = {r.partition_key: r.run_key for r in driver.tick().run_requests}
    _write(landing / "dossiers" / "2024-01" / "vnpt__export.csv", "ma_ho_so\nA1\nA2\n")
    data = driver.tick()
    assert [r.partition_key for r in data.run_requests] == ["2024-01-01"]
    assert data.run_requests[0].run_key != first_keys["2024-01-01"]
    assert driver.months() == []


def test_sensor_mtime_touch_without_content_change_requests_nothing(landing):
    driver = SensorDriver(landing)
    driver.tick()
    path = landing / "dossiers" / "2024-01" / "vnpt__export.csv"
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    assert driver.months() == []
    # the cursor now holds the new mtime: the next tick does not even read the file
    assert scan_landing(landing, driver.cursor, NOW).hashed == 0


def test_sensor_hashes_only_files_whose_size_or_mtime_moved(landing):
    first = scan_landing(landing, None, NOW)
    assert first.hashed == 4
    assert scan_landing(landing, first.cursor, NOW).hashed == 0
    _write(landing / "surveys" / "2024-02" / "igate__danhgia.csv", "x\n2\n")
    again = scan_landing(landing, first.cursor, NOW)
    assert again.hashed == 1 and [f"{r.month:%Y-%m}" for r in again.requests] == ["2024-02"]


def test_sensor_new_file_and_removed_file_request_their_month(landing):
    driver = SensorDriver(landing)
    driver.tick()
    _write(landing / "feedback" / "2024-01" / "vnpt__pakn.csv", "y\n1\n")
    assert driver.months() == ["2024-01-01"]
    (landing / "surveys" / "2024-02" / "igate__danhgia.csv").unlink()
    assert driver.months() == ["2024-02-01"]
    assert driver.months() == []


def test_sensor_reference_change_requests_the_latest_closed_month(landing):
    """Documented choice: a reference file change rebuilds the latest closed month in the landing area."""
    driver = SensorDriver(landing)
    driver.tick()
    _write(landing / "reference" / "holidays.csv", "date,name,kind\n2024-04-30,x,holiday\n")
    data = driver.tick()
    assert [r.partition_key for r in data.run_requests] == ["2024-02-01"]
    _write(landing / "reference" / "org_units.csv", "unit_code\nU1\nU2\n")
    assert driver.months() == ["2024-02-01"]
    _write(landing / "reference" / "README.txt", "not a reference kind")
    assert driver.months() == []


def test_sensor_run_keys_depend_only_on_content(landing):
    """A lost cursor re-requests with the same run keys, so Dagster launches no second run."""
    a = {r.month: r.run_key for r in scan_landing(landing, None, NOW).requests}
    b = {r.month: r.run_key for r in scan_landing(landing, None, NOW).requests}
    assert a == b and len(set(a.values())) == 2


def test_sensor_defers_a_month_until_it_closes(landing):
    _write(landing / "dossiers" / "2024-06" / "vnpt__export.csv", "ma_ho_so\nJ1\n")
    first = scan_landing(landing, None, NOW)
    assert [f"{r.month:%Y-%m}" for r in first.requests] == ["2024-01", "2024-02"]
    assert first.deferred == ["2024-06"]
    assert scan_landing(landing, first.cursor, NOW).requests == []
    after_close = scan_landing(landing, first.cursor, dt.datetime(2024, 7, 1, 0, 5, tzinfo=VN))
    assert [f"{r.month:%Y-%m}" for r in after_close.requests] == ["2024-06"]
    assert after_close.hashed == 0


def test_sensor_holds_back_months_it_could_not_hash_in_time(landing):
    held = scan_landing(landing, None, NOW, hash_budget_seconds=-1)
    assert held.requests == [] and held.hashed == 0
    done = scan_landing(landing, held.cursor, NOW)
    assert [f"{r.month:%Y-%m}" for r in done.requests] == ["2024-01", "2024-02"]


def test_sensor_reads_the_landing_root_from_the_environment(landing, monkeypatch):
    monkeypatch.setenv("CCHC_LANDING_DIR", str(landing))
    schedule, sensor = build_operations(monthly_job, now=lambda: NOW)
    defs = Definitions(assets=ASSETS, asset_checks=gx_checks, jobs=[monthly_job], schedules=[schedule], sensors=[sensor],
                       resources=build_definitions().resources)
    data = sensor.evaluate_tick(build_sensor_context(instance=DagsterInstance.ephemeral(), repository_def=defs.get_repository_def()))
    assert [r.partition_key for r in data.run_requests] == ["2024-01-01", "2024-02-01"]
    monkeypatch.setenv("CCHC_LANDING_DIR", str(landing / "missing"))
    data = sensor.evaluate_tick(build_sensor_context(instance=DagsterInstance.ephemeral(), repository_def=defs.get_repository_def()))
    assert not data.run_requests and "landing root not found" in data.skip_message


def test_marts_carry_a_freshness_policy():
    assets = apply_marts_freshness(ASSETS)
    specs = {spec.key: spec for a in assets for spec in a.specs}
    for key in MARTS:
        assert specs[key].freshness_policy == MARTS_FRESHNESS
    assert all(spec.freshness_policy is None for key, spec in specs.items() if key not in MARTS)
    repo = Definitions(assets=assets, asset_checks=gx_checks, jobs=[monthly_job], resources=build_definitions().resources).get_repository_def()
    assert repo.asset_graph.get(MARTS[0]).freshness_policy == MARTS_FRESHNESS


# ------------------------------------------------------------------------------------------------
# exports over a warehouse built by the real pipeline

@pytest.fixture(scope="module")
def warehouse(sample_warehouse, tmp_path_factory):
    """A copy of the session's sample warehouse (tests/conftest.py: January and February, 300
    dossiers a month, through ``cchc-etl run``)."""
    db = (tmp_path_factory.mktemp("wh") / "warehouse.duckdb").resolve()
    shutil.copyfile(sample_warehouse, db)
    return db


def _rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_parquet_export_is_hive_partitioned_and_equals_the_marts(warehouse, tmp_path):
    out = tmp_path / "parquet"
    counts = {m: export_month_parquet(warehouse, out, dt.date(2024, m, 1)) for m in (1, 2)}
    assert all(c["period_report"] > 0 and c["indicator_values"] > 0 for c in counts.values())
    assert (out / "period_report" / "year=2024" / "month=02" / "part-0.parquet").is_file()
    assert not list(out.rglob(".*"))  # no temporary file left behind
    assert (out / "indicator_values" / "period_type=year" / "year=2024" / "month=01" / "part-0.parquet").is_file()
    assert (out / "target_attainment" / "year=2024" / "part-0.parquet").is_file()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table, kind in MARTS_ON_DISK.items():
            # period_type and year are also columns of the files (DuckDB reads them from the file);
            # the annual marts are partitioned by their own year column
            hive = "" if kind == "year" else " EXCLUDE (year, month)"
            exported = _rows(con, f"SELECT *{hive} FROM read_parquet('{out}/{table}/**/*.parquet', "
                                  "hive_partitioning = true) ORDER BY ALL")
            assert exported == _rows(con, f"SELECT * FROM marts.{table} ORDER BY ALL"), table
            if kind != "year":
                bad = _rows(con, f"SELECT count(*) FROM read_parquet('{out}/{table}/**/*.parquet', hive_partitioning = true) "
                                 "WHERE year <> year(period_start) OR month <> month(period_start)")
                assert bad == [(0,)]
        # the year-to-date rows on disk are the latest ones (rewritten by February's export)
        ytd = _rows(con, f"SELECT DISTINCT period_end FROM read_parquet('{out}/periods/**/*.parquet', hive_partitioning = true) "
                         "WHERE period_type = 'year'")
        assert ytd == [(dt.date(2024, 3, 1),)]


def test_parquet_export_under_a_root_with_glob_characters(warehouse, tmp_path):
    """The export reads its files back through DuckDB: a root named ``exports[1]`` is read as
    itself (as a pattern it would name ``exports1``, which holds other files)."""
    import pyarrow.parquet as pq

    decoy = tmp_path / "exports1"
    export_month_parquet(warehouse, decoy, dt.date(2024, 2, 1))
    out = tmp_path / "exports[1]"
    counts = export_month_parquet(warehouse, out, dt.date(2024, 1, 1))
    on_disk: dict[str, int] = {}
    for f in out.rglob("*.parquet"):
        table = f.relative_to(out).parts[0]
        on_disk[table] = on_disk.get(table, 0) + pq.read_metadata(f).num_rows
    assert counts == on_disk and counts["period_report"] > 0


def test_parquet_reexport_replaces_only_its_partition(warehouse, tmp_path):
    out = tmp_path / "parquet"
    for m in (1, 2):
        export_month_parquet(f"duckdb:///{warehouse}", out, dt.date(2024, m, 1))  # URL or path
    jan = out / "period_report" / "year=2024" / "month=01" / "part-0.parquet"
    feb = out / "period_report" / "year=2024" / "month=02" / "part-0.parquet"
    stray = feb.with_name("part-1.parquet")
    stray.write_bytes(jan.read_bytes())
    jan_before, feb_before = jan.stat(), feb.stat()
    export_month_parquet(warehouse, out, dt.date(2024, 2, 1))
    assert (jan.stat().st_ino, jan.stat().st_mtime_ns) == (jan_before.st_ino, jan_before.st_mtime_ns)
    assert feb.stat().st_ino != feb_before.st_ino  # a new file moved into place
    assert not stray.exists()


HOLD_WRITER = textwrap.dedent("""
    import sys, duckdb
    con = duckdb.connect(sys.argv[1])                 # read-write: takes DuckDB's file lock
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM marts.period_report")   # a run in the middle of rewriting the mart
    print("writing", flush=True)
    sys.stdin.read()                                  # hold until the test closes stdin
    con.execute("ROLLBACK")
    con.close()
""")


def test_snapshot_is_readable_while_another_process_writes_the_warehouse(warehouse, tmp_path):
    snapshot = tmp_path / "analysts" / "warehouse_snapshot.duckdb"
    counts = publish_snapshot(warehouse, snapshot)
    assert counts["marts.period_report"] > 0 and counts["marts.indicator_values"] > 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        expected = _rows(con, "SELECT * FROM marts.period_report ORDER BY ALL")
        tables = _rows(con, "SELECT schema_name, table_name FROM duckdb_tables() ORDER BY ALL")
    assert {f"{s}.{t}" for s, t in tables} == set(counts)

    writer = subprocess.Popen([sys.executable, "-c", HOLD_WRITER, str(warehouse)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "writing"
        with pytest.raises(duckdb.IOException):  # why the snapshot exists: the warehouse itself is locked
            duckdb.connect(str(warehouse), read_only=True)
        analyst = duckdb.connect(str(snapshot), read_only=True)
        assert _rows(analyst, "SELECT * FROM marts.period_report ORDER BY ALL") == expected
        assert _rows(analyst, "SELECT count(*) FROM core.dossier_latest")[0][0] > 0  # views come along
        with pytest.raises(duckdb.Error):
            analyst.execute("DELETE FROM marts.period_report")
    finally:
        writer.stdin.close()
        assert writer.wait(timeout=30) == 0

    # a new version replaces the previous one atomically; the open connection keeps its (old) file
    publish_snapshot(warehouse, snapshot)
    assert _rows(analyst, "SELECT count(*) FROM marts.period_report") == [(len(expected),)]
    analyst.close()
    with duckdb.connect(str(snapshot), read_only=True) as fresh:
        assert _rows(fresh, "SELECT * FROM marts.period_report ORDER BY ALL") == expected
    # the stable name is a link to the current version; older versions are gone
    assert sorted(p.name for p in snapshot.parent.iterdir()) == ["warehouse_snapshot.duckdb", "warehouse_snapshot.v2.duckdb"]
    assert os.readlink(snapshot) == "warehouse_snapshot.v2.duckdb"
