"""The worked example from the seeds (shared/seeds/002): HCMC's agriculture department reported
for H1 2020 2,796/2,796 dossiers on time, 326 of 337 dossiers of online-enabled procedures
submitted online, 284 of 2,796 via public postal service and 2,158 of 2,169 ratings satisfied.

A landing tree with exactly those counts for January-June 2020 (real CSV files with Vietnamese
headers, read by the real loader) must give exactly those numerators and denominators at year
level, year to date June. Also: a second methodology version (thresholds and bands changed)
re-scores the same history without code changes, and the two versions' results coexist.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from cchc_etl import build, scoring
from cchc_etl.ingest import Loader
from cchc_etl.methodology import load_methodology
from cchc_etl.warehouse import connect, ensure_schema

MONTHS = [dt.date(2020, m, 1) for m in range(1, 7)]
TOTAL, ELIGIBLE, ELIGIBLE_ONLINE, POSTAL = 2796, 337, 326, 284
RATINGS, SATISFIED = 2169, 2158


def _split(total: int, parts: int = 6) -> list[int]:
    """2796 -> [466, 466, 466, 466, 466, 466]; 337 -> [57, 56, 56, 56, 56, 56]."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def write_landing(root: Path) -> None:
    _write_csv(root / "reference" / "org_units.csv",
               ["Mã đơn vị", "Tên đơn vị", "Cấp", "Mã đơn vị cha", "Hiệu lực từ"],
               [["HCM", "Thành phố Hồ Chí Minh", "Tỉnh", "", "01/01/2015"],
                ["SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn", "Sở", "HCM", "01/01/2015"],
                ["STP", "Sở Tư pháp", "Sở", "HCM", "01/01/2015"]])
    _write_csv(root / "reference" / "procedures.csv",
               ["procedure_code", "name", "online_service_level", "full_online_eligible", "fee_required", "result_required"],
               [["1.003.ONL", "Cấp giấy chứng nhận (trực tuyến một phần)", "Một phần", "Không", "Không", "Có"],
                ["1.004.OFF", "Thủ tục chưa cung cấp trực tuyến", "", "Không", "Không", "Có"]])
    header = ["Mã hồ sơ", "Mã TTHC", "Mã đơn vị", "Kênh nộp", "Ngày tiếp nhận", "Hạn xử lý", "Ngày có kết quả", "Trạng thái"]
    n_month, elig_month = _split(TOTAL), _split(ELIGIBLE)
    online_month, postal_month = _split(ELIGIBLE_ONLINE), _split(POSTAL)
    ratings_month, satisfied_month = _split(RATINGS), _split(SATISFIED)
    seq = 0
    for i, month in enumerate(MONTHS):
        rows = []
        for k in range(n_month[i]):
            seq += 1
            day = 1 + k % 20
            received = dt.datetime(month.year, month.month, day, 8, 0)
            due = received + dt.timedelta(days=5)
            # alternately a day early and on the due date (later the same day): all on time
            resolved = received + dt.timedelta(days=4) if k % 2 else due + dt.timedelta(hours=3)
            eligible = k < elig_month[i]
            if eligible:
                channel = "Trực tuyến" if k < online_month[i] else "Trực tiếp"
            else:
                channel = "Bưu chính công ích" if k - elig_month[i] < postal_month[i] else "Trực tiếp"
            rows.append([f"000.00.20.H29-{seq:06d}", "1.003.ONL" if eligible else "1.004.OFF", "SNNPTNT", channel,
                         received.strftime("%d/%m/%Y %H:%M"), due.strftime("%d/%m/%Y %H:%M"),
                         resolved.strftime("%d/%m/%Y %H:%M"), "Đã trả kết quả"])
        _write_csv(root / "dossiers" / f"{month:%Y-%m}" / f"igate__snn_{month:%Y%m}.csv", header, rows)
        ratings = [[f"DG{month:%m}-{j:05d}", "SNNPTNT", f"{5 + j % 20:02d}/{month:%m/%Y} 10:00",
                    ("Rất hài lòng" if j % 3 else "Hài lòng") if j < satisfied_month[i] else ("Bình thường" if j % 2 else "Không hài lòng")]
                   for j in range(ratings_month[i])]
        _write_csv(root / "surveys" / f"{month:%Y-%m}" / f"igate__danhgia_{month:%Y%m}.csv",
                   ["Mã đánh giá", "Mã đơn vị", "Ngày đánh giá", "Mức độ hài lòng"], ratings)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("hcmc_h1_2020")
    landing = root / "landing"
    write_landing(landing)
    path = root / "warehouse.duckdb"
    with connect(path) as con:
        ensure_schema(con)
        loader = Loader(con, landing, "worked-example-key")
        for ref in ("org_units", "procedures", "holidays", "targets", "self_assessment"):
            loader.load_reference(ref)
        build.build_dim_date(con)
        for month in MONTHS:
            for source in ("dossiers", "surveys"):
                result = loader.load_month(source, month)
                assert all(f.rows_read == f.rows_loaded + f.rows_quarantined + f.rows_skipped for f in result.files)
                assert result.total("rows_quarantined") == 0, [f.error for f in result.files]
            build.build_dossier_month_end(con, month)
            scoring.score_month(con, month, "vn-2025.1")
    return path


def _values(path: Path, ptype: str, start: dt.date, unit: str, level: str, version: str = "vn-2025.1") -> dict:
    with connect(path, read_only=True) as con:
        rows = con.execute(
            "SELECT indicator_code, numerator, denominator, value FROM marts.indicator_values WHERE period_type = ? "
            "AND period_start = ? AND org_unit_code = ? AND org_level = ? AND methodology_version = ?",
            [ptype, start, unit, level, version]).fetchall()
    return {code: (num, den, val) for code, num, den, val in rows}


@pytest.mark.parametrize("unit,level", [("SNNPTNT", "department"), ("SNNPTNT", "unit"), ("HCM", "city")])
def test_h1_2020_year_to_date_reproduces_the_report(warehouse, unit, level):
    year = _values(warehouse, "year", dt.date(2020, 1, 1), unit, level)
    assert year["ON_TIME_REPORT"][:2] == (2796, 2796)
    assert year["ONLINE_SHARE_ELIGIBLE"][:2] == (326, 337)
    assert round(year["ONLINE_SHARE_ELIGIBLE"][2], 1) == 96.7
    assert year["POSTAL_SHARE"][:2] == (284, 2796)
    assert year["SATISFACTION_RATE"][:2] == (2158, 2169)
    assert round(year["SATISFACTION_RATE"][2], 1) == 99.5
    assert year["RPT_RECEIVED"][0] == 2796 and year["RPT_CARRIED_OVER"][0] == 0


def test_year_to_date_period_ends_after_june(warehouse):
    with connect(warehouse, read_only=True) as con:
        row = con.execute("SELECT period_end, asof_month, is_complete FROM marts.periods WHERE period_type = 'year' "
                          "AND period_start = DATE '2020-01-01'").fetchone()
    assert row == (dt.date(2020, 7, 1), dt.date(2020, 6, 1), False)


def test_quarters_come_from_rows_and_add_up(warehouse):
    q1 = _values(warehouse, "quarter", dt.date(2020, 1, 1), "SNNPTNT", "department")
    q2 = _values(warehouse, "quarter", dt.date(2020, 4, 1), "SNNPTNT", "department")
    assert q1["RPT_RECEIVED"][0] == 466 * 3 and q2["RPT_RECEIVED"][0] == 466 * 3
    # _split(326) = [55, 55, 54, 54, 54, 54], _split(337) = [57, 56, 56, 56, 56, 56]
    assert q1["ONLINE_SHARE_ELIGIBLE"][:2] == (55 + 55 + 54, 57 + 56 + 56)
    assert q1["ONLINE_SHARE_ELIGIBLE"][0] + q2["ONLINE_SHARE_ELIGIBLE"][0] == 326


def test_department_scores_are_ranked_and_banded(warehouse):
    with connect(warehouse, read_only=True) as con:
        rows = con.execute(
            "SELECT org_unit_code, ratio, rank, classification FROM marts.scores WHERE period_type = 'year' "
            "AND org_level = 'department' AND group_code = 'TOTAL' AND methodology_version = 'vn-2025.1' ORDER BY org_unit_code").fetchall()
    by_unit = {u: (ratio, rank, band) for u, ratio, rank, band in rows}
    assert by_unit["STP"] == (None, None, None)  # no data at all: every indicator N/A, unranked
    # By hand, department level, year to date June. The dossier files carry no sync, fee, payment or
    # digitisation column: those inputs are unknown, not "no" (methodology §3 "Data not carried"), so
    #   IDX_1_4, IDX_3_6, IDX_4_1, 4_2, 4_3, 4_4, 4_5B -> N/A, their points leave the maximum;
    #   IDX_2_1 index definition: the dossiers resolved 3 h after the due instant (every even k) are
    #   late -> 1398/2796 = 50 % -> 10 of 20; IDX_3_3 monitoring (0 points); IDX_3_4: no procedure of
    #   the catalogue is full-online eligible -> N/A;
    #   IDX_5_4 = 50 - 100 * 6 ratings of 2 / 2796 received, below T 90 -> value / 90 * 6; feedback N/A.
    idx_5_4 = 50 - 100 * 6 / 2796
    expected = 100 * (10 + idx_5_4 / 90 * 6) / (20 + 6)       # 51.23
    ratio, rank, band = by_unit["SNNPTNT"]
    assert ratio == pytest.approx(expected) and rank == 1 and band == "Trung bình"


STRICT = """\
version: test-strict
extends: vn-2025.1
label_vi: Thử nghiệm — ngưỡng chặt hơn
bands:
  - {code: A, label_vi: "Hạng A", label_en: "A", min: 99.5}
  - {code: B, label_vi: "Hạng B", label_en: "B", min: null}
indicators:
  - {code: IDX_3_4, threshold: 99}
  - {code: IDX_2_1, threshold: 100}
"""


def test_a_second_methodology_version_rescores_history_without_code_changes(warehouse, tmp_path, monkeypatch):
    (tmp_path / "test-strict.yaml").write_text(STRICT, encoding="utf-8")
    monkeypatch.setenv("CCHC_METHODOLOGY_DIR", str(tmp_path))
    load_methodology.cache_clear()
    try:
        strict = load_methodology("test-strict")
        assert strict.indicator("IDX_3_4").threshold == 99 and strict.indicator("IDX_3_4").points == 12
        with connect(warehouse) as con:
            for month in MONTHS:
                scoring.score_month(con, month, "test-strict")
            both = con.execute(
                "SELECT methodology_version, indicator_code, value, threshold, score FROM marts.indicator_scores "
                "WHERE period_type = 'year' AND org_unit_code = 'SNNPTNT' AND org_level = 'department' "
                "AND indicator_code IN ('IDX_3_4', 'ON_TIME_REPORT') ORDER BY 1, 2").fetchall()
            bands = con.execute(
                "SELECT methodology_version, classification FROM marts.scores WHERE period_type = 'year' AND org_unit_code = 'SNNPTNT' "
                "AND org_level = 'department' AND group_code = 'TOTAL' ORDER BY 1").fetchall()
            values = con.execute(
                "SELECT count(*) FROM marts.indicator_values a JOIN marts.indicator_values b USING "
                "(period_type, period_start, org_unit_code, org_level, indicator_code) WHERE a.methodology_version = 'vn-2025.1' "
                "AND b.methodology_version = 'test-strict' AND a.value IS DISTINCT FROM b.value").fetchone()[0]
    finally:
        load_methodology.cache_clear()
    # IDX_3_4 has no eligible dossiers here (full_online_eligible = no): N/A under both versions
    assert [(v, c, s) for v, c, _, t, s in both] == [("test-strict", "IDX_3_4", 0.0), ("vn-2025.1", "IDX_3_4", 0.0)]
    assert [t for v, c, _, t, s in both] == [99.0, None]
    assert values == 0, "the same rows give the same indicator values under both versions"
    assert [v for v, _ in bands] == ["test-strict", "vn-2025.1"]
    assert bands == [("test-strict", "Hạng B"), ("vn-2025.1", "Trung bình")]  # ratio ~51.2: below both versions' top band


def test_explain_lists_the_rows_behind_the_value(warehouse, capsys):
    from cchc_etl.cli import main

    code = main(["explain", "--warehouse", f"duckdb:///{warehouse}", "--indicator", "ONLINE_SHARE_ELIGIBLE", "--unit", "SNNPTNT",
                 "--period", "2020", "--level", "department", "--limit", "5"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Tử số / numerator: 326   Mẫu số / denominator: 337" in out
    assert "326 trong tử số / in the numerator, 337 trong mẫu số / in the denominator" in out
    listed = [ln for ln in out.splitlines() if "dossiers/2020-" in ln]
    assert len(listed) == 5 and all(ln.split()[0] == "x" for ln in listed)  # numerator rows first
    assert "igate__snn_202001.csv" in listed[0] and '"channel":"online"' in listed[0]
    assert "… 332 dòng nữa / more rows" in out
    # unknown unit / unscored period: one-line errors
    assert main(["explain", "--warehouse", f"duckdb:///{warehouse}", "--indicator", "ON_TIME_REPORT", "--unit", "NOPE",
                 "--period", "2020-01"]) == 1
    assert main(["explain", "--warehouse", f"duckdb:///{warehouse}", "--indicator", "ON_TIME_REPORT", "--unit", "SNNPTNT",
                 "--period", "2021-01"]) == 1
    err = capsys.readouterr().err
    assert "unit NOPE is not in force in 2020-01" in err and "has not been scored" in err


def test_sql_drill_down_matches_published_values(warehouse):
    from cchc_etl.explain import create_indicator_rows_macro

    with connect(warehouse) as con:
        create_indicator_rows_macro(con, "vn-2025.1")
        got = con.execute(
            "SELECT count(*) FILTER (WHERE in_numerator), count(*) FILTER (WHERE in_denominator), "
            "count(*) FILTER (WHERE file_path LIKE 'dossiers/2020-0_/igate__snn_%.csv' AND row_number >= 2) "
            "FROM marts.indicator_rows('POSTAL_SHARE', 'HCM', 'city', 'year', DATE '2020-01-01')").fetchone()
        sat = con.execute(
            "SELECT count(*) FILTER (WHERE in_numerator), count(*) FROM marts.indicator_rows('SATISFACTION_RATE', 'SNNPTNT', 'unit', "
            "'quarter', DATE '2020-04-01')").fetchone()
        published = con.execute(
            "SELECT numerator, denominator FROM marts.indicator_values WHERE indicator_code = 'SATISFACTION_RATE' AND "
            "org_unit_code = 'SNNPTNT' AND org_level = 'unit' AND period_type = 'quarter' AND period_start = DATE '2020-04-01' "
            "AND methodology_version = 'vn-2025.1'").fetchone()
    assert got == (284, 2796, 2796)
    assert sat == tuple(int(v) for v in published)


def test_score_command_rescores_through_dagster(warehouse, tmp_path, monkeypatch, capsys):
    from cchc_etl.cli import main

    (tmp_path / "test-cli.yaml").write_text(STRICT.replace("test-strict", "test-cli"), encoding="utf-8")
    monkeypatch.setenv("CCHC_METHODOLOGY_DIR", str(tmp_path))
    load_methodology.cache_clear()
    try:
        code = main(["score", "--warehouse", f"duckdb:///{warehouse}", "--from", "2020-05", "--to", "2020-06", "--methodology", "test-cli"])
        out = capsys.readouterr()
        assert code == 0, out.err
        assert "2020-06 … xong / done" in out.out
        with connect(warehouse, read_only=True) as con:
            periods = con.execute("SELECT period_type, period_label FROM marts.periods WHERE methodology_version = 'test-cli' "
                                  "ORDER BY period_type, period_start").fetchall()
            dim = con.execute("SELECT count(*) FROM core.dim_indicator WHERE methodology_version = 'test-cli'").fetchone()[0]
            year = con.execute("SELECT numerator, denominator FROM marts.indicator_values WHERE methodology_version = 'test-cli' "
                               "AND period_type = 'year' AND org_unit_code = 'SNNPTNT' AND org_level = 'department' "
                               "AND indicator_code = 'POSTAL_SHARE'").fetchone()
        assert periods == [("month", "2020-05"), ("month", "2020-06"), ("quarter", "2020-Q2"), ("year", "2020")]
        assert dim == len(load_methodology("test-cli").indicators)
        assert year == (284, 2796)
        assert main(["score", "--warehouse", f"duckdb:///{warehouse}", "--from", "2020-06", "--to", "2020-06",
                     "--methodology", "no-such-version"]) == 1
        assert "unknown methodology version 'no-such-version'" in capsys.readouterr().err
    finally:
        load_methodology.cache_clear()
