"""Spreadsheet bombs and other hostile files (issue 16, item 2; tests/fixtures/hostile/README.md).

Each fixture is refused with its reason in ``quality.file_log`` by the real ``cchc-etl run`` (in
this process: a bomb that reached a parser here would end the test session, as the far cell
ended the pipeline with SIGABRT), the month's good CSV and XLSX files load, the marts are built,
and the run exits 1 naming the refused files. A workbook that passes the inspection but needs more memory than
the budget ends only the reading worker: the calling process survives with its memory unchanged,
and the next workbook is read. The budget applies to legacy XLS alike.
"""

from __future__ import annotations

import datetime as dt
import resource
import shutil
from pathlib import Path

import duckdb
import pytest

from cchc_etl.contract import load_source
from cchc_etl.readers import FileRefused, read_raw
from tests.fixtures.hostile import make_fixtures as mf
from tests.integration.test_cli import cli_inproc, url_of
from tests.support import handmade_landing as hl

FIXTURES = Path(mf.__file__).resolve().parent

JAN = "2024-01"
BUDGET = "512MiB"  # the run's memory budget for a workbook: the string bomb needs 16 GiB
# fixture -> what its refusal reason says (Vietnamese and English)
REASONS = {
    "far_cell.xlsx": ["vùng khai báo A1:XFD1048576", "declared extent A1:XFD1048576", "17,179,869,184 cells"],
    "far_cell_hidden.xlsx": ["vùng có dữ liệu A1:XFD1048576", "extent of its cells A1:XFD1048576"],
    "zip_bomb.xlsx": ["bom nén", "zip bomb: part xl/worksheets/sheet1.xml expands", "48 MiB"],
    "styles_bomb.xlsx": ["bảng kiểu dáng", "the style sheet xl/styles.xml uncompresses to 20 MiB, over the limit of 16 MiB"],
    "string_bomb.xlsx": ["giới hạn bộ nhớ 512 MiB", "cannot be read within the memory budget of 512 MiB (CCHC_WORKBOOK_MEMORY)"],
    "binary.csv": ["tệp nhị phân", "a binary file (gzip), not CSV text"],
    "mixed_encodings.csv": ["trộn hai bảng mã", "mixed encodings: line 1 is UTF-8, line 4 is not"],
}
SYMLINK = "evil__outside.csv"


def query(wh: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def good_workbook(path: Path, prefix: str) -> Path:
    mf.workbook(path, mf.sheet_xml(mf.head_rows(prefix), "A1:I4"))
    return path


@pytest.fixture(scope="module")
def bomb_run(tmp_path_factory):
    """January: a good CSV, a good XLSX, every fixture, and a link to a file outside the landing
    area, run by ``cchc-etl run``."""
    root = tmp_path_factory.mktemp("bombs")
    landing = root / "landing"
    hl._write_utf8_csv(landing / "reference" / "org_units.csv", hl.ORG_UNITS_HEADER, hl.ORG_UNITS)
    hl._write_utf8_csv(landing / "reference" / "procedures.csv", hl.PROCEDURES_HEADER, hl.PROCEDURES)
    folder = landing / "dossiers" / JAN
    folder.mkdir(parents=True)
    (folder / "vnpt__ok.csv").write_bytes(mf.csv_bytes(mf.rows("K", 3)).encode("utf-8"))
    good_workbook(folder / "igate__ok.xlsx", "X")
    for name in REASONS:
        shutil.copyfile(FIXTURES / name, folder / f"bomb__{name}")
    outside = root / "outside" / "secret.csv"
    outside.parent.mkdir()
    outside.write_bytes(mf.csv_bytes(mf.rows("SECRET", 2)).encode("utf-8"))
    (folder / SYMLINK).symlink_to(outside)
    wh = root / "wh.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CCHC_WORKBOOK_MEMORY", BUDGET)
        run = cli_inproc("run", "--landing", landing, "--warehouse", url_of(wh), "--from", JAN, "--to", JAN)
    return run, wh


def file_log(wh: Path) -> dict[str, tuple]:
    rows = query(wh, "SELECT file_path, status, error, rows_read, rows_loaded FROM quality.file_log WHERE source = 'dossiers'")
    return {Path(f).name: tuple(r) for f, *r in rows}


@pytest.mark.parametrize("fixture", sorted(REASONS))
def test_each_hostile_file_is_refused_with_its_reason(bomb_run, fixture):
    run, wh = bomb_run
    assert wh.exists(), run.explain()
    status, error, read, loaded = file_log(wh)[f"bomb__{fixture}"]
    assert status == "refused" and (read, loaded) == (0, 0), (status, error)
    assert error.startswith(f"dossiers/{JAN}/bomb__{fixture}: "), error
    for words in REASONS[fixture]:
        assert words in error, f"{fixture}: {words!r} not in {error!r}"


def test_the_months_good_files_load_and_the_run_names_the_refused(bomb_run):
    run, wh = bomb_run
    assert run.rc == 1, run.explain()
    assert "files_readable" in run.error_line and "bomb__far_cell.xlsx" in run.error_line, run.error_line
    log = file_log(wh)
    assert log["vnpt__ok.csv"][0::2] == ("loaded", 4) and log["igate__ok.xlsx"][0::2] == ("loaded", 4), log
    staged = query(wh, "SELECT dossier_id FROM staging.stg_dossiers ORDER BY 1")
    assert [d for (d,) in staged] == ["K-01", "K-02", "K-03", "X-01", "X-02", "X-03"]
    assert query(wh, "SELECT count(*) FROM marts.period_report WHERE period_start = ?", [dt.date(2024, 1, 1)])[0][0] > 0


def test_a_link_out_of_the_landing_area_is_not_read(bomb_run):
    _run, wh = bomb_run
    status, error, _read, _loaded = file_log(wh)[SYMLINK]
    assert status == "refused" and "outside the landing area is not read" in error and "ngoài vùng landing" in error, error
    assert "secret.csv" not in error and "outside/" not in error, error
    found = query(wh, "SELECT count(*) FROM staging.stg_dossiers WHERE dossier_id LIKE 'SECRET%'")
    quarantined = query(wh, "SELECT count(*) FROM quality.quarantine WHERE raw_values LIKE '%SECRET%'")
    assert found == quarantined == [(0,)]


# --------------------------------------------------------------------------- the memory budget


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_bomb_past_the_inspection_ends_only_the_worker(monkeypatch, tmp_path):
    """The shared-string bomb passes the inspection (16 MiB of XML): its worker dies at the budget;
    this process's peak memory does not move, and the next workbook is read."""
    spec = load_source("dossiers")
    monkeypatch.setenv("CCHC_WORKBOOK_MEMORY", "512MiB")
    good = good_workbook(tmp_path / "igate__ok.xlsx", "X")
    read_raw(good, spec)  # the reader's worker is running
    before = maxrss_mib()
    with pytest.raises(FileRefused) as refused:
        read_raw(FIXTURES / "string_bomb.xlsx", spec)
    assert "cannot be read within the memory budget of 512 MiB" in refused.value.problem, refused.value.problem
    assert maxrss_mib() - before < 64, f"this process grew from {before:.0f} to {maxrss_mib():.0f} MiB"
    assert read_raw(good, spec).table.num_rows == 3


def test_a_relative_path_is_the_callers_after_the_worker_started_elsewhere(monkeypatch, tmp_path):
    """The worker is forked once and reused: a relative path names the file under the caller's
    working directory of the moment, not the one the worker started in."""
    spec = load_source("dossiers")
    (tmp_path / "first").mkdir()
    read_raw(good_workbook(tmp_path / "first" / "igate__ok.xlsx", "X"), spec)  # the worker is running
    here = tmp_path / "elsewhere"
    here.mkdir()
    good_workbook(here / "igate__ok.xlsx", "Y")
    monkeypatch.chdir(here)
    assert read_raw(Path("igate__ok.xlsx"), spec).table.num_rows == 3


def test_a_far_cell_past_the_inspection_is_named_after_the_worker_dies(monkeypatch):
    """With the scan before parsing turned off, calamine asks for 512 GiB for the hidden far cell:
    the worker dies, and the refusal names the allocation and the cell."""
    from cchc_etl.readers import workbook_guard

    monkeypatch.setattr(workbook_guard, "SCAN_BYTES", 0)
    with pytest.raises(FileRefused) as refused:
        read_raw(FIXTURES / "far_cell_hidden.xlsx", load_source("dossiers"))
    problem = refused.value.problem
    assert "the parser asked for 512 GiB at once" in problem and "extent of its cells A1:XFD1048576" in problem, problem


def test_the_budget_applies_to_legacy_xls(monkeypatch, tmp_path):
    """A 6 KB .xls with a cell at IV65536 makes calamine allocate the whole BIFF grid (512 MiB):
    refused under a budget of 256 MiB, which reads an ordinary .xls."""
    spec = load_source("dossiers")
    monkeypatch.setenv("CCHC_WORKBOOK_MEMORY", "256MiB")
    with pytest.raises(FileRefused) as refused:
        read_raw(FIXTURES / "far_cell.xls", spec)
    assert "cannot be read within the memory budget of 256 MiB" in refused.value.problem, refused.value.problem
    ordinary = tmp_path / "vnpt__feb.xls"
    hl._write_xls_vnpt_feb(ordinary)
    assert read_raw(ordinary, spec).table.num_rows > 0


# --------------------------------------------------------------------------- the inspection's limits


@pytest.mark.parametrize("setting, words", [
    ({"CCHC_WORKBOOK_MAX_UNCOMPRESSED": "2KiB"}, "it uncompresses to"),
    ({"CCHC_WORKBOOK_MAX_CELLS": "30"}, "declared extent A1:I4 spans 36 cells, over the limit of 30"),
    ({"CCHC_WORKBOOK_MAX_COLUMNS": "8"}, "declared extent A1:I4 goes beyond 1,048,576 rows × 8 columns"),
    ({"CCHC_WORKBOOK_MAX_RATIO": "2", "RATIO_FLOOR": 0}, "zip bomb: part"),
    ({"MAX_PARTS": 6}, "the package has 7 parts, over the limit of 6"),
    ({"MAX_SHARED_STRINGS": 100}, "the shared strings xl/sharedStrings.xml uncompresses to"),
])
def test_each_limit_refuses_what_passes_it(monkeypatch, tmp_path, setting, words):
    """Each limit, lowered, refuses a workbook that passes the defaults (a good export with a
    shared string table), before any parser."""
    from cchc_etl.readers import workbook_guard

    path = tmp_path / "igate__ok.xlsx"
    shared = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{mf.NS}" count="1" uniqueCount="1"><si><t>ghi chú</t></si></sst>'
    mf.workbook(path, mf.sheet_xml(mf.head_rows("X"), "A1:I4"), shared=shared)
    workbook_guard.inspect_workbook(path)
    for name, value in setting.items():
        if name.startswith("CCHC_"):
            monkeypatch.setenv(name, value)
        else:
            monkeypatch.setattr(workbook_guard, name, value)
    with pytest.raises(FileRefused) as refused:
        workbook_guard.inspect_workbook(path)
    assert words in refused.value.problem, refused.value.problem
