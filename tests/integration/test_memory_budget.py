"""The pipeline's memory budget (issue 16, item 11): DuckDB works within CCHC_DUCKDB_MEMORY_LIMIT
and spills beside the warehouse; Great Expectations validates a bounded sample of a large month
while every check's counts are over all of its rows.

Real parts: the Dagster job in this process with the GX helper process, a generated month of
dossiers in the national interface's CSV style with duplicates, implausible supplement counts and
submitted dossiers without a reception date; a real warehouse file; a killed process's spill files.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from tests.integration.test_cli import PII_KEY, cli_inproc, url_of

from cchc_etl import memory, validation
from cchc_etl.sample import write_bench_landing

ROWS = 1500
DUPLICATED, IMPLAUSIBLE, UNDATED = 9, 13, 30
SAMPLE = 200
LIMIT = "100MB"
MONTH = "2024-01"


def _month_with_faults(landing: Path) -> Path:
    """A generated month, then: the first DUPLICATED rows exported twice, IMPLAUSIBLE rows with a
    supplement count of 25, UNDATED rows submitted without a reception date."""
    path = write_bench_landing(landing, rows=ROWS, month=MONTH)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    for row in body[100:100 + IMPLAUSIBLE]:
        row[col["supplement_count"]] = "25"
    for row in body[300:300 + UNDATED]:
        row[col["received_at"]] = ""
        row[col["status"]] = "1"  # submitted: the contract allows it without a reception date
    body += [list(r) for r in body[:DUPLICATED]]
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows([header, *body])
    return path


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("memory_budget") / "landing"
    _month_with_faults(root)
    return root


def _gx_checks(result) -> dict:
    return {e.event_specific_data.check_name: e.event_specific_data for e in result.all_events
            if e.event_type_value == "ASSET_CHECK_EVALUATION" and e.event_specific_data.asset_key.path == ["staging", "stg_dossiers"]
            and "rows_validated" in (e.event_specific_data.metadata or {})}


def test_a_month_larger_than_the_sample_has_exact_counts_within_a_low_memory_limit(landing, tmp_path, monkeypatch):
    from dagster import DagsterInstance

    from cchc_etl.definitions import build_definitions
    from cchc_etl.defs import sources

    wh = tmp_path / "wh.duckdb"
    monkeypatch.setenv("CCHC_PII_KEY", PII_KEY)
    monkeypatch.setenv("CCHC_SNAPSHOT_PATH", str(tmp_path / "snapshot.duckdb"))
    monkeypatch.setenv("CCHC_PARQUET_DIR", str(tmp_path / "parquet"))
    monkeypatch.setenv(memory.MEMORY_LIMIT_ENV, LIMIT)
    monkeypatch.setenv(validation.SAMPLE_ROWS_ENV, str(SAMPLE))
    # the load step's own connection, asked what it works within
    seen = []
    original = sources.keys_in_several_files

    def keys_in_several_files(con, spec, month):
        seen.append(con.execute("SELECT current_setting('memory_limit'), current_setting('temp_directory')").fetchone())
        return original(con, spec, month)

    monkeypatch.setattr(sources, "keys_in_several_files", keys_in_several_files)
    submitted = []
    monkeypatch.setattr(sources, "submit", lambda suite, partition, key, table: (
        submitted.append((suite.name, table.num_rows, validation.partition_rows(table))), validation.submit(suite, partition, key, table)))

    defs = build_definitions(landing=str(landing), warehouse_url=url_of(wh))
    job = defs.resolve_job_def("cchc_monthly")
    instance = DagsterInstance.ephemeral()
    validation.start_worker()  # as the command line runs: GX in its helper process, fed while the month loads
    try:
        first = job.execute_in_process(partition_key=f"{MONTH}-01", instance=instance, raise_on_error=False)
        # the same files again: nothing parsed anew, the check step loads its sample from the staged month
        again = job.execute_in_process(partition_key=f"{MONTH}-01", instance=instance, raise_on_error=False)
    finally:
        validation.stop_worker()
    assert first.success and again.success

    scratch = duckdb.connect()
    scratch.execute(f"SET memory_limit = '{LIMIT}'")
    expected_limit = scratch.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert seen and set(seen) == {(expected_limit, str(memory.spill_dir(wh.resolve())))}, seen
    rows = ROWS + DUPLICATED
    # the rows handed to GX while the month loaded: the sample, not the month
    assert ("stg_dossiers", SAMPLE, rows) in submitted, submitted

    con = duckdb.connect(str(wh), read_only=True)
    try:
        where, params = " WHERE month = ?", [f"{MONTH}-01"]
        assert con.execute(f"SELECT count(*) FROM staging.stg_dossiers{where}", params).fetchone()[0] == rows
        by_sql = {
            "dossier_unique_per_system": con.execute(
                "SELECT sum(n) FROM (SELECT count(*) AS n FROM staging.stg_dossiers WHERE month = ? "
                "GROUP BY system, dossier_id HAVING count(*) > 1)", params).fetchone()[0],
            "supplement_count_plausible": con.execute(
                "SELECT count(*) FROM staging.stg_dossiers WHERE month = ? AND supplement_count NOT BETWEEN 0 AND 20", params).fetchone()[0],
            "received_at_mostly_present": con.execute(
                "SELECT count(*) FROM staging.stg_dossiers WHERE month = ? AND received_at IS NULL", params).fetchone()[0],
        }
        # GX itself over every row of the month, as the checks ran before the sample existed
        suite = validation.suite_for_table("staging.stg_dossiers")
        monkeypatch.setenv(validation.SAMPLE_ROWS_ENV, str(rows))
        whole = validation.load_table(con, suite, where, params)
    finally:
        con.close()
    assert whole.num_rows == rows
    gx_all = {o.check_name: o for o in validation.run_suite(suite, validation.to_frame(whole))}
    assert by_sql == {"dossier_unique_per_system": 2 * DUPLICATED, "supplement_count_plausible": IMPLAUSIBLE,
                      "received_at_mostly_present": UNDATED}

    for result in (first, again):
        checks = _gx_checks(result)
        assert set(checks) == {e.check_name for e in suite.expectations}
        for name, check in checks.items():
            meta = {k: v.value for k, v in check.metadata.items()}
            assert meta["rows_validated"] == rows and meta["gx_sample_rows"] == SAMPLE and meta["gx_sampled"] is False, (name, meta)
            assert "tất cả 1.509 dòng" in meta["counts_over"] and "all 1.509 rows" in meta["counts_over"], meta
            gx = gx_all[name]
            assert check.passed == gx.success, name
            assert meta["element_count"] == gx.element_count, name
            assert meta["unexpected_count"] == (gx.unexpected_count or 0), name
            assert meta["unexpected_percent"] == pytest.approx(gx.unexpected_percent or 0.0), name
        for name, count in by_sql.items():
            assert checks[name].metadata["unexpected_count"].value == count, name
        assert not checks["dossier_unique_per_system"].passed and checks["received_at_mostly_present"].passed
        assert not checks["supplement_count_plausible"].passed
        assert checks["supplement_count_plausible"].metadata["unexpected_sample"].value == ["25"] * 10


def test_a_month_within_the_sample_is_validated_whole_by_gx(tmp_path, monkeypatch):
    """At most CCHC_GX_SAMPLE_ROWS rows: GX gets every row, and its outcomes stand as they are."""
    suite = validation.suite_for_table("staging.stg_surveys")
    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging; CREATE TABLE staging.stg_surveys AS SELECT 'igate' AS system, "
                "'R' || range AS response_id, 'U1' AS unit_code, TIMESTAMP '2024-01-02' AS rated_at, "
                "CAST(range % 6 AS INTEGER) AS rating, DATE '2024-01-01' AS month FROM range(300)")
    monkeypatch.setenv(validation.SAMPLE_ROWS_ENV, "300")
    table = validation.load_table(con, suite, " WHERE month = ?", ["2024-01-01"])
    outcomes = validation.validate(suite, table)
    assert table.num_rows == 300 and {(o.rows, o.sample_rows, o.sampled) for o in outcomes} == {(300, 300, False)}
    assert validation.count_all_rows(con, suite, outcomes, " WHERE month = ?", ["2024-01-01"]) == outcomes
    assert {o.check_name: o.unexpected_count for o in outcomes}["rating_in_set"] == 50  # rating 0
    # one row more than the sample: GX sees 299 of them, the counts are still those of all 300
    monkeypatch.setenv(validation.SAMPLE_ROWS_ENV, "299")
    table = validation.load_table(con, suite, " WHERE month = ?", ["2024-01-01"])
    again = validation.load_table(con, suite, " WHERE month = ?", ["2024-01-01"])
    assert table.num_rows == 299 and table.equals(again)  # the same sample on every load
    exact = validation.count_all_rows(con, suite, validation.validate(suite, table), " WHERE month = ?", ["2024-01-01"])
    assert [(o.check_name, o.success, o.unexpected_count, o.element_count) for o in exact] == \
           [(o.check_name, o.success, o.unexpected_count, o.element_count) for o in outcomes]
    assert {(o.rows, o.sample_rows, o.sampled) for o in exact} == {(300, 299, False)}


def test_spills_go_beside_the_warehouse_and_a_killed_run_s_are_removed_at_start(tmp_path, monkeypatch):
    """A sort larger than the limit spills into <warehouse>.tmp; a process killed mid-spill leaves
    its files there; the next start removes them (not those of a live connection)."""
    from cchc_etl.defs.exports import ExportsResource, clean_leftovers

    wh = tmp_path / "wh.duckdb"
    spill = memory.spill_dir(wh)
    script = textwrap.dedent(f"""
        import os, sys
        from pathlib import Path
        from cchc_etl.warehouse import connect
        with connect(Path({str(wh)!r})) as con:
            con.execute("CREATE TEMP TABLE big AS SELECT range AS i, md5(range::VARCHAR) AS s FROM range(3000000) ORDER BY s")
            files = con.execute("SELECT path FROM duckdb_temporary_files()").fetchall()
            print(len(files), all(Path(p).parent == Path({str(spill)!r}) for p, in files), flush=True)
            os.kill(os.getpid(), 9)
    """)
    env = dict(os.environ, **{memory.MEMORY_LIMIT_ENV: "64MB"})
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2]) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == -9, proc.stderr
    count, inside = proc.stdout.split()
    assert int(count) > 0 and inside == "True", proc.stdout
    left = sorted(p.name for p in spill.iterdir())
    assert left and all(name.startswith("duckdb_temp_") for name in left), left

    monkeypatch.setenv(memory.MEMORY_LIMIT_ENV, "64MB")
    exports = ExportsResource(parquet_root=str(tmp_path / "parquet"), snapshot_path=str(tmp_path / "snap.duckdb"))
    removed = clean_leftovers(url_of(wh), exports)
    assert sorted(p.name for p in removed if p.parent == spill) == left
    assert not any(spill.glob("duckdb_temp_*"))

    # a live connection's spill files are its own: kept
    from cchc_etl.warehouse import connect

    with connect(wh) as con:
        con.execute("CREATE TEMP TABLE big AS SELECT range AS i, md5(range::VARCHAR) AS s FROM range(3000000) ORDER BY s")
        live = {Path(p) for p, in con.execute("SELECT path FROM duckdb_temporary_files()").fetchall()}
        assert live
        removed = clean_leftovers(url_of(wh), exports)
        assert not set(removed) & live and all(p.exists() for p in live)
    assert not spill.exists() or not any(spill.iterdir())  # DuckDB removes its own when the last connection closes


@pytest.mark.parametrize("value", ["lots", "2000000000", "80%", "-1GB", "0GB", "2 GB; DROP TABLE x", "2 parsecs"])
def test_a_bad_memory_limit_is_refused_with_a_clear_message(value, tmp_path, monkeypatch, landing):
    monkeypatch.setenv(memory.MEMORY_LIMIT_ENV, value)
    wh = tmp_path / "wh.duckdb"
    result = cli_inproc("run", "--landing", landing, "--warehouse", url_of(wh), "--from", MONTH, "--to", MONTH)
    assert result.rc == 1, result.explain()
    line = result.error_line or ""
    assert f"{memory.MEMORY_LIMIT_ENV}={value!r}" in line, line
    assert "không phải dung lượng hợp lệ" in line and "not a valid size" in line and "2GB" in line, line
    assert line.startswith(f"cchc-etl: error: {memory.MEMORY_LIMIT_ENV}="), line  # the reason first, no class name
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("value", "shown"), [("", "1.8 GiB"), ("512MB", "488.2 MiB"), ("1,5GB", "1.3 GiB"), (" 4GiB ", "4.0 GiB"),
                                              ("100mb", "95.3 MiB")])
def test_memory_limit_values_duckdb_takes(value, shown, tmp_path, monkeypatch):
    from cchc_etl.warehouse import connect

    monkeypatch.setenv(memory.MEMORY_LIMIT_ENV, value)
    with connect(tmp_path / "wh.duckdb") as con:
        assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == shown
    with connect(tmp_path / "wh.duckdb", read_only=True) as con:
        assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == shown


def test_the_workbook_reader_process_gives_its_memory_back_when_idle(monkeypatch, tmp_path):
    """The workbook reader's server (and its worker) exit after IDLE_EXIT_SECONDS without a
    workbook; the next workbook starts them again and is read."""
    import time

    import openpyxl

    from cchc_etl.contract import load_source
    from cchc_etl.readers import read_raw, sandbox

    book = tmp_path / "igate__hoso.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Mã hồ sơ", "Mã thủ tục", "Mã đơn vị", "Kênh nộp", "Ngày tiếp nhận", "Trạng thái"])
    wb.active.append(["HS-1", "P1", "U1", "Trực tuyến", "02/01/2024 08:00", "Đang xử lý"])
    wb.save(book)
    spec = load_source("dossiers")
    monkeypatch.setattr(sandbox, "IDLE_EXIT_SECONDS", 1.0)
    sandbox._stop()  # a server started with this idle time
    assert read_raw(book, spec).table.num_rows == 1
    server = sandbox._server
    assert server is not None and server.poll() is None
    deadline = time.monotonic() + 30
    while server.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert server.returncode == 0  # exited by itself, idle
    assert read_raw(book, spec).table.num_rows == 1
    assert sandbox._server is not server and sandbox._server.poll() is None
    sandbox._stop()


@pytest.mark.parametrize(("value", "rows"), [("", 100_000), ("250", 250), ("100.000", 100_000), ("1_000", 1000)])
def test_gx_sample_rows_setting(value, rows, monkeypatch):
    monkeypatch.setenv(validation.SAMPLE_ROWS_ENV, value)
    assert validation.sample_rows() == rows


@pytest.mark.parametrize("value", ["0", "-5", "many", "1e5"])
def test_a_bad_gx_sample_size_is_refused_with_a_clear_message(value, monkeypatch):
    monkeypatch.setenv(validation.SAMPLE_ROWS_ENV, value)
    with pytest.raises(ValueError) as refused:
        validation.sample_rows()
    assert str(refused.value) == (f"{validation.SAMPLE_ROWS_ENV}={value!r}: cần số dòng nguyên ≥ 1 / "
                                  "expected a whole number of rows ≥ 1")
