"""Scoring against the methodology text (issue 12, defects 17-20), on real DuckDB warehouses.

* 17: an input an export does not carry is unknown, not "no" (methodology §3 "Data not
  carried"); IDX_3_4 reads the catalogue's online level and eligibility (§2). Real CSV exports,
  written with the contract's own headers and values, loaded by the real loader.
* 18: self-assessed service-index values are percentages scored value / 100 x P; a value
  outside 0-100 is flagged by ``unusable_reference_rows`` (the check reference_rows_usable), not
  capped. PAR Index areas stay points.
* 19: a commune whose district was abolished rolls up through the district's successor (§1);
  the blocking check ``received_balanced`` compares the city with the units in force.
* 20: ``marts.indicator_values_as_is`` adds up counts of merged units.

Every expected number is derived by hand from the methodology in the comment above it.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from pytest import approx

from cchc_etl import build, explain, scoring
from cchc_etl.ingest import Loader
from cchc_etl.warehouse import connect, ensure_schema
from tests.support.scoring_fixture import Wh

VERSION = "vn-2025.1"
JAN = dt.date(2024, 1, 1)
DOSSIER_HEADER = ["Mã hồ sơ", "Mã TTHC", "Mã đơn vị", "Kênh nộp", "Ngày tiếp nhận", "Hạn xử lý", "Ngày có kết quả",
                  "Trạng thái"]


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def _dossier(dossier_id: str, procedure: str, unit: str, channel: str, day: int) -> list[str]:
    """Received day D 08:00, due D+5 17:00, result D+2 10:00 (early on both definitions)."""
    return [dossier_id, procedure, unit, channel, f"{day:02d}/01/2024 08:00", f"{day + 5:02d}/01/2024 17:00",
            f"{day + 2:02d}/01/2024 10:00", "Đã trả kết quả"]


def _org_units(root: Path) -> None:
    _write_csv(root / "reference" / "org_units.csv", ["Mã đơn vị", "Tên đơn vị", "Cấp", "Mã đơn vị cha", "Hiệu lực từ"],
               [["TP", "Thành phố", "Tỉnh", "", "01/01/2015"],
                ["S1", "Sở Một", "Sở", "TP", "01/01/2015"]])


def _load(tmp_path: Path, landing: Path) -> Path:
    """The real loader and engine: reference data, January's exports, month-end state, scores."""
    path = tmp_path / "warehouse.duckdb"
    with connect(path) as con:
        ensure_schema(con)
        loader = Loader(con, landing, "contract-test-key")
        for ref in ("org_units", "procedures", "holidays", "targets", "self_assessment"):
            loader.load_reference(ref)
        build.build_dim_date(con)
        result = loader.load_month("dossiers", JAN)
        assert result.total("rows_quarantined") == 0, [f.error for f in result.files]
        assert result.total("rows_loaded") > 0
        build.build_dossier_month_end(con, JAN)
        scoring.score_month(con, JAN, VERSION)
    return path


def _score(path: Path, code: str, unit: str = "TP", level: str = "city") -> dict:
    with connect(path, read_only=True) as con:
        cur = con.execute("SELECT * FROM marts.indicator_scores WHERE period_type = 'month' AND period_start = ? "
                          "AND org_unit_code = ? AND org_level = ? AND indicator_code = ? AND methodology_version = ?",
                          [JAN, unit, level, code, VERSION])
        row = cur.fetchone()
        assert row is not None, code
        return dict(zip([d[0] for d in cur.description], row))


def _total(path: Path, unit: str = "TP", level: str = "city") -> tuple:
    with connect(path, read_only=True) as con:
        return con.execute("SELECT score, max_score, ratio, classification FROM marts.scores WHERE period_type = 'month' "
                           "AND period_start = ? AND org_unit_code = ? AND org_level = ? AND group_code = 'TOTAL' "
                           "AND methodology_version = ?", [JAN, unit, level, VERSION]).fetchone()


# =============================================================================================
# 17. Data an export does not carry is N/A, not 0


def test_17_export_without_online_level_sync_or_digitisation_columns_is_not_scored_zero(tmp_path):
    landing = tmp_path / "landing"
    _org_units(landing)
    # P1 fully online and eligible, no fee, result required
    _write_csv(landing / "reference" / "procedures.csv",
               ["procedure_code", "name", "online_service_level", "full_online_eligible", "fee_required", "result_required"],
               [["P1", "Thủ tục toàn trình", "Toàn trình", "Có", "Không", "Có"]])
    # the export carries only the required columns: no online level, sync, fee, payment,
    # digitisation, e-result, reuse, data-store or population-data column
    _write_csv(landing / "dossiers" / "2024-01" / "igate__hoso_202401.csv", DOSSIER_HEADER,
               [_dossier(f"HS-{k}", "P1", "S1", "Trực tuyến", 3 + k) for k in range(4)])
    path = _load(tmp_path, landing)
    # By hand (methodology §3), city, January 2024, 4 dossiers received and resolved early online:
    #   IDX_2_1  4/4 on time = 100 %                          -> 20 of 20
    #   IDX_3_4  catalogue: P1 eligible, level full; 4 online -> 4/4 = 100 % -> 12 of 12
    #   IDX_5_4  IDX_2_1 100 - 0 dissatisfied ratings = 100 >= T90 -> 6 of 6
    #   IDX_1_4, IDX_3_6, IDX_4_1, IDX_4_2, IDX_4_3, IDX_4_4, IDX_4_5A, IDX_4_5B: input not carried -> N/A
    #   IDX_1_1..3, IDX_4_X (no self-assessment), IDX_3_5A/B (no fee procedure), IDX_5_2/3 (no feedback): N/A
    #   total 38 of 38 = 100 % -> Xuất sắc
    assert _total(path) == (approx(38.0), approx(38.0), approx(100.0), "Xuất sắc")
    for code in ("IDX_1_4", "IDX_3_6", "IDX_4_1", "IDX_4_2", "IDX_4_3", "IDX_4_4", "IDX_4_5A", "IDX_4_5B"):
        s = _score(path, code)
        assert (s["value"], s["applicable"], s["score"], s["max_score"]) == (None, False, 0, 0), code
    s = _score(path, "IDX_1_4")
    assert s["denominator"] == 0 and "do not carry" in s["reason"], s
    assert (_score(path, "IDX_3_4")["numerator"], _score(path, "IDX_3_4")["denominator"]) == (4, 4)


def test_17_dossiers_of_an_export_without_the_column_leave_numerator_and_denominator(tmp_path):
    landing = tmp_path / "landing"
    _org_units(landing)
    _write_csv(landing / "reference" / "procedures.csv", ["procedure_code", "name", "online_service_level"],
               [["P1", "Thủ tục", "Một phần"]])
    # system igate carries the sync column (every cell written), system vnpt does not
    _write_csv(landing / "dossiers" / "2024-01" / "igate__hoso_202401.csv", DOSSIER_HEADER + ["Đồng bộ Cổng DVC quốc gia"],
               [_dossier("A1", "P1", "S1", "Trực tiếp", 3) + ["Có"],
                _dossier("A2", "P1", "S1", "Trực tiếp", 4) + ["Có"],
                _dossier("A3", "P1", "S1", "Trực tiếp", 5) + ["Không"]])
    _write_csv(landing / "dossiers" / "2024-01" / "vnpt__hoso_202401.csv", DOSSIER_HEADER,
               [_dossier("B1", "P1", "S1", "Trực tiếp", 6), _dossier("B2", "P1", "S1", "Trực tiếp", 7)])
    path = _load(tmp_path, landing)
    # IDX_1_4 = synced / received, only dossiers whose export carries the input: A1, A2 of A1-A3
    # -> 2/3 = 66.67 % -> 66.67 / 100 x 6 = 4 points (B1, B2 out of both; counting them as "no"
    # would give 2/5 = 40 %). RPT_RECEIVED still counts all 5.
    s = _score(path, "IDX_1_4", "S1", "department")
    assert (s["numerator"], s["denominator"], s["value"], s["score"], s["max_score"]) == (
        2, 3, approx(200 / 3), approx(4.0), 6)
    assert _score(path, "IDX_1_4")["denominator"] == 3
    with connect(path, read_only=True) as con:
        assert con.execute("SELECT value FROM marts.indicator_values WHERE indicator_code = 'RPT_RECEIVED' "
                           "AND org_level = 'city' AND period_type = 'month'").fetchone()[0] == 5
    # the drill-down (methodology §7) counts the same rows as the published figure
    with connect(path) as con:
        x = explain.explain(con, "IDX_1_4", "S1", "2024-01", "department", VERSION)
    assert x["counts"] == (2, 3)


def test_17_idx_3_4_reads_the_catalogue_online_level_and_eligibility(tmp_path):
    landing = tmp_path / "landing"
    _org_units(landing)
    _write_csv(landing / "reference" / "procedures.csv",
               ["procedure_code", "name", "online_service_level", "full_online_eligible"],
               [["P1", "Toàn trình, đủ điều kiện", "Toàn trình", "Có"],
                ["P2", "Một phần, không đủ điều kiện", "Một phần", "Không"]])
    _write_csv(landing / "dossiers" / "2024-01" / "igate__hoso_202401.csv", DOSSIER_HEADER + ["Mức độ DVC"],
               [_dossier("A1", "P1", "S1", "Trực tuyến", 3) + ["Một phần"],     # catalogue: eligible, full -> num + den
                _dossier("A2", "P1", "S1", "Trực tiếp", 4) + ["Toàn trình"],    # eligible, not online -> den
                _dossier("A3", "P2", "S1", "Trực tuyến", 5) + ["Toàn trình"],   # catalogue: not eligible -> out
                _dossier("A4", "PX", "S1", "Trực tuyến", 6) + ["Toàn trình"],   # not in catalogue: own level full -> num + den
                _dossier("A5", "PX", "S1", "Trực tiếp", 7) + ["Một phần"]])     # own level partial: not eligible -> out
    path = _load(tmp_path, landing)
    # IDX_3_4 = received online with (catalogue) level full / received of (catalogue) eligible procedures
    #   = {A1, A4} / {A1, A2, A4} = 2/3 = 66.67 % -> no threshold: 66.67 / 100 x 12 = 8 points
    s = _score(path, "IDX_3_4", "S1", "department")
    assert (s["numerator"], s["denominator"], s["value"], s["score"]) == (2, 3, approx(200 / 3), approx(8.0))


def test_17_procedure_indicators_unknown_when_no_dossier_carries_the_flag(tmp_path):
    wh = Wh(tmp_path / "wh.duckdb")
    try:
        wh.org("TP", "city")
        wh.org("D1", "department", "TP")
        wh.procedure("P1", online="partial", fee_required=True)
        wh.procedure("P2", online="partial", fee_required=False)
        # neither dossier's export carries fee_required, paid_online or population_data_used
        wh.dossier("2024-03", "a", "D1", "2024-03-04 08:00", "2024-03-20 17:00", procedure="P1")
        wh.dossier("2024-03", "b", "D1", "2024-03-05 08:00", "2024-03-20 17:00", procedure="P2")
        # two dossiers resolved late: c from an export without apology / digitisation / e-result
        # columns, d from one that carries them (all three yes)
        late = ("2024-03-04 08:00", "2024-03-10 17:00", "resolved", "2024-03-12 10:00")
        wh.dossier("2024-03", "c", "D1", *late, procedure="P2", system="old")
        wh.dossier("2024-03", "d", "D1", *late, procedure="P2", system="new", apology_sent=True, digitized_result=True,
                   e_result=True)
        wh.score_month("2024-03")
        # IDX_3_5A: is P1 (a fee procedure) "having a dossier with fee_required"? unknown -> N/A, not 0/1
        # IDX_3_5B: P1's dossier paid online? unknown -> N/A; IDX_4_5A: population data unknown -> N/A
        # IDX_3_6: fee_required / paid_online unknown for both -> N/A
        for code in ("IDX_3_5A", "IDX_3_5B", "IDX_4_5A", "IDX_3_6"):
            s = wh.iscore("month", "2024-03", "TP", "city", code)
            assert (s["value"], s["applicable"], s["max_score"]) == (None, False, 0), code
        # §2 rates and IDX_4_1 over the late / resolved dossiers c, d: c's inputs unknown -> out of both
        #   APOLOGY_COVERAGE 1/1 = 100 (not 1/2); DIGITIZED_RESULT_RATE 1/1 = 100; IDX_4_1 1/1 = 100
        for code in ("APOLOGY_COVERAGE", "DIGITIZED_RESULT_RATE", "IDX_4_1"):
            assert wh.iv("month", "2024-03", "TP", "city", code) == (1, 1, approx(100.0)), code
        # no dossier carries the sync column: IDX_1_4 has nothing in its denominator -> N/A
        assert wh.iv("month", "2024-03", "TP", "city", "IDX_1_4") == (0, 0, None)
    finally:
        wh.close()


# =============================================================================================
# 18. Self-assessed service-index values are percentages


def test_18_self_assessed_service_index_values_are_percentages(tmp_path):
    wh = Wh(tmp_path / "wh.duckdb")
    try:
        wh.org("TP", "city")
        wh.org("D1", "department", "TP")
        wh.self_assessment("2024-Q1", "TP", "IDX_1_1", 50)     # 50 % of P 6 = 3 points (capped points gave 6)
        wh.self_assessment("2024-Q1", "TP", "IDX_1_3", 1)      # 1 % of P 2 = 0.02 points (points read gave 1)
        wh.self_assessment("2024-Q1", "TP", "IDX_1_2", 150)    # outside 0-100: 150 / 100 x 4 = 6, flagged, not capped
        wh.self_assessment("2024", "D1", "PAR_DIRECTION", 4.5)  # PAR Index area: points, 4.5 of 9
        wh.score("quarter", "2024-01", "2024-03")
        wh.score("year", "2024-01", "2024-03")
        got = {c: wh.iscore("quarter", "2024-01", "TP", "city", c) for c in ("IDX_1_1", "IDX_1_2", "IDX_1_3")}
        assert (got["IDX_1_1"]["value"], got["IDX_1_1"]["score"], got["IDX_1_1"]["max_score"]) == (50, approx(3.0), 6)
        assert (got["IDX_1_3"]["score"], got["IDX_1_3"]["max_score"]) == (approx(0.02), 2)
        assert (got["IDX_1_2"]["value"], got["IDX_1_2"]["score"], got["IDX_1_2"]["max_score"]) == (150, approx(6.0), 4)
        assert "flagged" in got["IDX_1_2"]["reason"]
        # G1 = 3 + 6 + 0.02 of 6 + 4 + 2 (IDX_1_4 no dossiers: N/A)
        g1 = wh.score_row("quarter", "2024-01", "TP", "city", "G1")
        assert (g1["score"], g1["max_score"]) == (approx(9.02), approx(12.0))
        flagged = scoring.unusable_reference_rows(wh.con, VERSION)
        assert len(flagged) == 1 and "cột/column value: '150.0'" in flagged[0] and "outside 0-100" in flagged[0], flagged
        (par,) = wh.con.execute("SELECT score, max_score FROM marts.par_index WHERE year = 2024 AND org_unit_code = 'D1' "
                                "AND area_code = 'PAR_DIRECTION'").fetchall()
        assert par == (approx(4.5), approx(9.0))
    finally:
        wh.close()


# =============================================================================================
# 19. A commune under an abolished district rolls up through the district's successor


def _abolished_district(wh: Wh) -> None:
    wh.org("TP", "city")
    wh.org("Q1", "district", "TP", valid_to="2023-12-31", successor="Q1N")   # abolished, successor set
    wh.org("Q1N", "district", "TP", valid_from="2024-01-01")
    wh.org("P1", "commune", "Q1")                                            # parent_code unchanged
    wh.org("S1", "department", "TP")
    wh.dossier("2024-01", "c1", "P1", "2024-01-03 08:00", "2024-01-10 17:00")
    wh.dossier("2024-01", "c2", "P1", "2024-01-04 08:00", "2024-01-10 17:00")
    wh.dossier("2024-01", "d1", "Q1N", "2024-01-05 08:00", "2024-01-10 17:00")
    wh.dossier("2024-01", "s1", "S1", "2024-01-06 08:00", "2024-01-10 17:00")


def test_19_commune_of_an_abolished_district_counts_for_the_successor_and_the_city(tmp_path):
    wh = Wh(tmp_path / "wh.duckdb")
    try:
        _abolished_district(wh)
        results = wh.score_month("2024-01")
        # January 2024 (Q1 not in force, successor Q1N): P1 rc 2 (unit); Q1N own 1 + P1 2 = 3
        # (department); city = S1 1 + Q1N 3 = 4
        assert wh.value("month", "2024-01", "P1", "unit", "RPT_RECEIVED") == 2
        assert wh.value("month", "2024-01", "Q1N", "department", "RPT_RECEIVED") == 3
        assert wh.value("month", "2024-01", "TP", "city", "RPT_RECEIVED") == 4
        assert wh.value("quarter", "2024-01", "TP", "city", "RPT_RECEIVED") == 4
        # the balance check: units in force received 4 = the city's 4, for the month, quarter, year
        assert [(r.period.type, r.units_received, r.city_received, r.received_balanced) for r in results] == [
            ("month", 4, 4, True), ("quarter", 4, 4, True), ("year", 4, 4, True)]
    finally:
        wh.close()


def test_19_received_balanced_fails_when_a_unit_in_force_is_missing_from_the_city(tmp_path):
    wh = Wh(tmp_path / "wh.duckdb")
    try:
        _abolished_district(wh)
        wh.org("X1", "commune", "NOPE")          # in force, parent unknown: cannot reach the city
        wh.dossier("2024-01", "x1", "X1", "2024-01-07 08:00", "2024-01-10 17:00")
        results = wh.score_month("2024-01")
        # units in force received 5 (P1 2, Q1N 1, S1 1, X1 1); the city has 4 -> not balanced
        assert [(r.units_received, r.city_received, r.received_balanced) for r in results][0] == (5, 4, False)
    finally:
        wh.close()


def test_19_received_balanced_is_a_blocking_check_on_the_scores():
    from cchc_etl.definitions import defs

    repo = defs.get_repository_def()
    specs = {spec.name: spec for a in repo.assets_defs_by_key.values() for spec in a.check_specs}
    assert specs["received_balanced"].blocking
    assert specs["received_balanced"].asset_key.path == ["marts", "indicator_values"]


# =============================================================================================
# 20. indicator_values_as_is of merged units


def test_20_as_is_values_of_merged_units_add_up_counts(tmp_path):
    wh = Wh(tmp_path / "wh.duckdb")
    try:
        wh.org("TP", "city")
        wh.org("OLD", "department", "TP", valid_to="2024-01-31", successor="NEW")
        wh.org("NEW", "department", "TP")
        wh.dossier("2024-01", "O1", "OLD", "2024-01-10 08:00", "2024-01-20 17:00", "resolved", "2024-01-15 10:00")
        wh.dossier("2024-01", "O2", "OLD", "2024-01-11 08:00", "2024-01-20 17:00", "resolved", "2024-01-22 10:00")
        wh.dossier("2024-01", "N1", "NEW", "2024-01-12 08:00", "2024-01-20 17:00", "resolved", "2024-01-14 10:00")
        wh.score("quarter", "2024-01", "2024-01")
        # Q1 2024 (January so far): OLD in force (valid_to 01-31), rc O1 O2 = 2; NEW rc N1 = 1.
        # As is, OLD is today's NEW: RPT_RECEIVED 2 + 1 = 3 (a count: numerator = value);
        # ON_TIME_REPORT (O1 E, O2 L, N1 E) = 2/3 recomputed from the summed counts
        rows = dict(((code, level), (n, d, v)) for code, level, n, d, v in wh.con.execute(
            "SELECT indicator_code, org_level, numerator, denominator, value FROM marts.indicator_values_as_is "
            "WHERE period_type = 'quarter' AND org_unit_code = 'NEW' AND indicator_code IN ('RPT_RECEIVED', 'ON_TIME_REPORT')"
        ).fetchall())
        for level in ("unit", "department"):
            assert rows[("RPT_RECEIVED", level)] == (3, None, approx(3.0)), level
            assert rows[("ON_TIME_REPORT", level)] == (2, 3, approx(200 / 3)), level
    finally:
        wh.close()


def _dagster_checks(path: Path, assets: list) -> dict:
    """Materialise ``assets`` for January 2024 through Dagster on the warehouse file: {check: (passed, severity)}."""
    from dagster import materialize

    from cchc_etl.defs.resources import MethodologyResource, WarehouseResource

    result = materialize(assets, partition_key="2024-01-01", raise_on_error=False,
                         resources={"warehouse": WarehouseResource(url=f"duckdb:///{path.resolve()}"),
                                    "methodology": MethodologyResource(version=VERSION)})
    return {e.check_name: (e.passed, e.severity.value) for e in result.get_asset_check_evaluations()}


def test_19_dagster_run_reports_received_balanced_and_catalogue_checks(tmp_path):
    from cchc_etl.defs.warehouse_models import fct_dossier_month_end, score_month

    path = tmp_path / "wh.duckdb"
    wh = Wh(path)
    try:
        _abolished_district(wh)     # its dossiers name procedure P1, which no catalogue lists
        build.build_dim_date(wh.con)
    finally:
        wh.close()
    checks = _dagster_checks(path, [fct_dossier_month_end, score_month])
    assert checks["received_balanced"] == (True, "ERROR")
    assert checks["procedures_in_catalogue"] == (False, "WARN")     # 4 dossiers of P1, not in the catalogue
    wh = Wh(path)
    try:
        wh.org("X1", "commune", "NOPE")
        wh.dossier("2024-01", "x1", "X1", "2024-01-07 08:00", "2024-01-10 17:00")
    finally:
        wh.close()
    assert _dagster_checks(path, [fct_dossier_month_end, score_month])["received_balanced"] == (False, "ERROR")


def test_17_documents_and_feedback_inputs_an_export_lacks_are_not_counted_as_no(tmp_path):
    """§3 "Data not carried" holds for every source: a document or feedback item whose export lacks
    the column is left out of numerator and denominator (red-team finding: 0/2 published)."""
    landing = tmp_path / "landing"
    _org_units(landing)
    _write_csv(landing / "dossiers" / "2024-01" / "igate__hoso.csv", DOSSIER_HEADER, [_dossier("HS-1", "P1", "S1", "Trực tiếp", 3)])
    docs = ["Mã văn bản", "Mã đơn vị", "Loại sổ", "Ngày đến", "Hình thức"]
    # qlvb_a carries Ký số and the interconnect column, qlvb_b carries neither
    _write_csv(landing / "documents" / "2024-01" / "qlvb_a__vb.csv", [*docs, "Ký số", "Gửi nhận qua trục liên thông"],
               [["A1", "S1", "Văn bản đi", "05/01/2024", "Điện tử", "Có", "Có"],
                ["A2", "S1", "Văn bản đi", "06/01/2024", "Điện tử", "", "Không"]])
    _write_csv(landing / "documents" / "2024-01" / "qlvb_b__vb.csv", docs,
               [["B1", "S1", "Văn bản đi", "05/01/2024", "Điện tử"], ["B2", "S1", "Văn bản đến", "07/01/2024", "Giấy"]])
    # feedback without the published column
    _write_csv(landing / "feedback" / "2024-01" / "pakn__jan.csv",
               ["Mã PAKN", "Mã đơn vị xử lý", "Ngày tiếp nhận", "Hạn xử lý", "Ngày trả lời", "Trạng thái"],
               [["F1", "S1", "03/01/2024 08:00", "10/01/2024 17:00", "05/01/2024 09:00", "Đã trả lời"],
                ["F2", "S1", "04/01/2024 08:00", "11/01/2024 17:00", "06/01/2024 09:00", "Đã trả lời"]])
    path = tmp_path / "warehouse.duckdb"
    with connect(path) as con:
        ensure_schema(con)
        loader = Loader(con, landing, "contract-test-key")
        for ref in ("org_units", "procedures", "holidays", "targets", "self_assessment"):
            loader.load_reference(ref)
        build.build_dim_date(con)
        for source in ("dossiers", "documents", "feedback"):
            result = loader.load_month(source, JAN)
            assert result.total("rows_quarantined") == 0 and not result.refused, [f.error for f in result.files]
        build.build_dossier_month_end(con, JAN)
        scoring.score_month(con, JAN, VERSION)
    with connect(path, read_only=True) as con:
        got = dict(((c, (n, d, v)) for c, n, d, v in con.execute(
            "SELECT indicator_code, numerator, denominator, value FROM marts.indicator_values WHERE period_type = 'month' "
            "AND org_unit_code = 'TP' AND org_level = 'city' AND methodology_version = ?", [VERSION]).fetchall()))
    # By hand: DOC_OUT_SIGNED_SENT: outgoing, secrecy normal: A1, A2 (carried: A1 yes, A2 blank = no), B1 (not
    # carried: left out) -> 1/2 = 50 %. DOC_INTERCONNECT_RATE: A1 yes, A2 no; B1, B2 left out -> 1/2.
    # DOC_ELECTRONIC_RATE: form is required, all four count -> 3/4. DOC_IN_PROCESSED_ONLINE: B2 only, its
    # export lacks the column -> 0/0, N/A. FEEDBACK_PUBLISHED: both answered, column absent -> N/A.
    assert got["DOC_OUT_SIGNED_SENT"] == (1, 2, approx(50.0))
    assert got["DOC_INTERCONNECT_RATE"] == (1, 2, approx(50.0))
    assert got["DOC_ELECTRONIC_RATE"] == (3, 4, approx(75.0))
    assert got["DOC_IN_PROCESSED_ONLINE"][1:] == (0, None)
    assert got["FEEDBACK_PUBLISHED"][1:] == (0, None)
