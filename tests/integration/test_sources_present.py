"""A month whose dossier export is missing (a vendor's file is late) is not published as complete
unless the operator accepts the gap for the run (issue 12, defect 22).

Real landing trees of two months, hand-written CSV files: January has dossiers and feedback,
February feedback only. Run through the real CLI and the real Dagster job.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from tests.support import handmade_landing as hl
from tests.integration.test_cli import PII_KEY, cli_inproc, url_of

from cchc_etl.defs.sources import missing_sources
from cchc_etl.ingest import inventory

DOSSIER_HEADER = ["Mã hồ sơ", "Mã thủ tục", "Mã đơn vị", "Kênh nộp", "Ngày tiếp nhận", "Hạn xử lý", "Ngày có kết quả", "Trạng thái"]
DOSSIERS_JAN = [
    ["HS-01", hl.PA, "STP", "Trực tuyến", "05/01/2024 08:00", "12/01/2024 17:00", "10/01/2024 10:00", "Đã trả kết quả"],
    ["HS-02", hl.PB, "STP", "Trực tiếp", "08/01/2024 09:00", "22/02/2024 17:00", "", "Đang xử lý"],
    ["HS-03", hl.PA, "SNN", "Trực tuyến", "15/01/2024 08:00", "29/01/2024 17:00", "26/01/2024 10:00", "Đã giải quyết"],
]
FEEDBACK_HEADER = ["Mã PAKN", "Mã đơn vị xử lý", "Ngày tiếp nhận", "Hạn xử lý", "Ngày trả lời", "Trạng thái"]


def feedback_rows(month: int) -> list[list[str]]:
    return [[f"PA-{month}-1", "STP", f"03/{month:02d}/2024 08:00", f"20/{month:02d}/2024 17:00", f"10/{month:02d}/2024 09:00", "Đã trả lời"],
            [f"PA-{month}-2", "SNN", f"05/{month:02d}/2024 08:00", f"25/{month:02d}/2024 17:00", "", "Đang xử lý"]]


def build_landing(landing: Path) -> Path:
    hl._write_utf8_csv(landing / "reference" / "org_units.csv", hl.ORG_UNITS_HEADER, hl.ORG_UNITS)
    hl._write_utf8_csv(landing / "reference" / "procedures.csv", hl.PROCEDURES_HEADER, hl.PROCEDURES)
    hl._write_utf8_csv(landing / "dossiers" / "2024-01" / "igate__hoso_t1.csv", DOSSIER_HEADER, DOSSIERS_JAN)
    hl._write_utf8_csv(landing / "feedback" / "2024-01" / "igate__pakn_t1.csv", FEEDBACK_HEADER, feedback_rows(1))
    hl._write_utf8_csv(landing / "feedback" / "2024-02" / "igate__pakn_t2.csv", FEEDBACK_HEADER, feedback_rows(2))
    return landing


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    return build_landing(tmp_path_factory.mktemp("sources_present") / "landing")


def test_missing_sources_compares_with_the_previous_month(landing):
    rows = inventory(landing)
    assert missing_sources(rows, dt.date(2024, 2, 1)) == ["dossiers"]
    assert missing_sources(rows, dt.date(2024, 1, 1)) == []
    assert missing_sources(rows, dt.date(2024, 3, 1)) == ["feedback"]


def test_cli_refuses_a_month_without_dossiers_and_names_the_source(landing, tmp_path):
    wh = tmp_path / "wh.duckdb"
    result = cli_inproc("run", "--landing", landing, "--warehouse", url_of(wh), "--from", "2024-01", "--to", "2024-02")
    assert result.rc == 1, result.explain()
    line = result.error_line or ""
    assert "2024-02" in line and "sources_present" in line and "dossiers" in line and "--allow-missing dossiers" in line, line
    con = duckdb.connect(str(wh), read_only=True)
    try:
        periods = con.execute("SELECT period_label FROM marts.periods WHERE period_type = 'month' ORDER BY 1").fetchall()
        report_months = con.execute("SELECT DISTINCT period_start FROM marts.period_report ORDER BY 1").fetchall()
    finally:
        con.close()
    # January was built; February was not scored at all
    assert periods == [("2024-01",)]
    assert report_months == [(dt.date(2024, 1, 1),)]


def test_cli_allow_missing_accepts_the_gap_and_periods_record_the_sources(landing, tmp_path):
    wh = tmp_path / "wh.duckdb"
    result = cli_inproc("run", "--landing", landing, "--warehouse", url_of(wh), "--from", "2024-01", "--to", "2024-02",
                        "--allow-missing", "dossiers")
    assert result.rc == 0, result.explain()
    con = duckdb.connect(str(wh), read_only=True)
    try:
        rows = con.execute("SELECT period_type, period_label, sources, sources_missing FROM marts.periods ORDER BY period_end, period_type").fetchall()
    finally:
        con.close()
    # the quarter and the year were last scored to date February: both months' sources
    assert sorted(rows) == sorted([
        ("month", "2024-01", "dossiers,feedback", None),
        ("month", "2024-02", "feedback", "dossiers"),
        ("quarter", "2024-Q1", "dossiers,feedback", "dossiers"),
        ("year", "2024", "dossiers,feedback", "dossiers"),
    ]), rows


def test_cli_allow_missing_names_a_known_source(landing, tmp_path):
    result = cli_inproc("run", "--landing", landing, "--warehouse", url_of(tmp_path / "wh.duckdb"), "--from", "2024-02",
                        "--to", "2024-02", "--allow-missing", "dossier")
    assert result.rc == 1
    assert "dossier" in (result.error_line or "") and "not an event source" in (result.error_line or ""), result.explain()


def test_dagster_run_config_accepts_the_gap(landing, tmp_path, monkeypatch):
    from dagster import DagsterInstance

    from cchc_etl import validation
    from cchc_etl.definitions import build_definitions

    # as the command line does: Great Expectations in its helper process (importing it on a
    # thread of this process would also leave the module-level prewarm flag set for later tests)
    validation.start_worker()
    try:
        _run_both(landing, tmp_path, monkeypatch, DagsterInstance, build_definitions)
    finally:
        validation.stop_worker()


def _run_both(landing, tmp_path, monkeypatch, DagsterInstance, build_definitions):

    monkeypatch.setenv("CCHC_PII_KEY", PII_KEY)
    monkeypatch.setenv("CCHC_SNAPSHOT_PATH", str(tmp_path / "snapshot.duckdb"))
    monkeypatch.setenv("CCHC_PARQUET_DIR", str(tmp_path / "parquet"))
    defs = build_definitions(landing=str(landing), warehouse_url=url_of(tmp_path / "wh.duckdb"))
    job = defs.resolve_job_def("cchc_monthly")
    instance = DagsterInstance.ephemeral()

    refused = job.execute_in_process(partition_key="2024-02-01", instance=instance, raise_on_error=False)
    assert not refused.success
    checks = [e.event_specific_data for e in refused.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    gap = [c for c in checks if c.check_name == "sources_present"]
    assert len(gap) == 1 and not gap[0].passed and "dossiers" in gap[0].description, gap

    accepted = job.execute_in_process(
        partition_key="2024-02-01", instance=instance, raise_on_error=False,
        run_config={"ops": {"raw__landing_files": {"config": {"allow_missing": ["dossiers"]}}}},
    )
    assert accepted.success
    checks = [e.event_specific_data for e in accepted.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    assert [c.passed for c in checks if c.check_name == "sources_present"] == [True]
    con = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    try:
        # this warehouse never loaded January: the gap is known to the check (landing), not to the file log
        assert con.execute("SELECT sources, sources_missing FROM marts.periods WHERE period_type = 'month' "
                           "AND period_start = DATE '2024-02-01'").fetchall() == [("feedback", None)]
    finally:
        con.close()
