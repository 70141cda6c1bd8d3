"""Value readings the contract decides ("Readings decided" in the input contract), on real files.

Every test writes its landing files the way exports write them (CSV bytes, XLSX through
openpyxl, Parquet through pyarrow), loads them through the real ``Loader`` (or the CLI) into a
real DuckDB file and reads what landed in staging, the quarantine and the file log. The values
are the contract's own spellings, not the sample generator's.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import unicodedata
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cchc_etl import cli
from cchc_etl.contract import event_sources, expand_spelling, load_source, reference_sources
from cchc_etl.ingest import Loader
from cchc_etl.text import enum_key, header_key
from cchc_etl.warehouse import connect, ensure_schema

KEY = "values-contract-key"
ORG_UNITS = [
    ["Mã đơn vị", "Tên đơn vị", "Cấp", "Mã đơn vị cha", "Hiệu lực từ"],
    ["TP", "Thành phố", "Thành phố", "", "2015-01-01"],
    ["STP", "Sở Tư pháp", "Sở", "TP", "2015-01-01"],
]
BASE = ["Mã hồ sơ", "Mã TTHC", "Mã đơn vị", "Kênh nộp", "Ngày tiếp nhận", "Hạn xử lý", "Ngày có kết quả", "Trạng thái"]


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([["" if c is None else c for c in r] for r in rows])
    return out.getvalue().encode(encoding)


def write_xlsx(path: Path, rows: list[list[object]], number_formats: dict[int, str] | None = None) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for col, fmt in (number_formats or {}).items():
        for r in range(2, len(rows) + 1):
            ws.cell(r, col + 1).number_format = fmt
    wb.save(path)


def landing_tree(tmp_path: Path, files: dict[str, bytes | callable]) -> Path:
    """files: path under the landing root -> bytes, or a writer taking the path."""
    landing = tmp_path / "landing"
    (landing / "reference").mkdir(parents=True)
    (landing / "reference" / "org_units.csv").write_bytes(csv_bytes(ORG_UNITS))
    for rel, content in files.items():
        path = landing / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            content(path)
    return landing


def load(tmp_path: Path, landing: Path, source: str = "dossiers", month: dt.date | None = dt.date(2024, 1, 1),
         references: tuple[str, ...] = ()) -> Path:
    wh = tmp_path / "wh.duckdb"
    with connect(wh) as con:
        ensure_schema(con)
        loader = Loader(con, landing, KEY)
        loader.load_reference("org_units")
        for ref in references:
            loader.load_reference(ref)
        if source not in ("org_units", *references):
            result = loader.load_month(source, month) if month else loader.load_reference(source)
            assert not result.refused, [f.error for f in result.refused]
    return wh


def query(wh: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def quarantine(wh: Path, source: str = "dossiers") -> dict[int, tuple[str, str]]:
    return {r[0]: (r[1], r[2]) for r in query(
        wh, "SELECT row_number, column_name, reason FROM quality.quarantine WHERE source = ? ORDER BY row_number", [source])}


def accounting_ok(wh: Path) -> None:
    for path, read, loaded, quarantined, skipped in query(
            wh, "SELECT file_path, rows_read, rows_loaded, rows_quarantined, rows_skipped FROM quality.file_log WHERE status = 'loaded'"):
        assert read == loaded + quarantined + skipped, path


def dossier(i: int, channel: str = "Trực tiếp", received: str = "05/01/2024 08:00", due: str = "20/01/2024 17:00",
            resolved: str = "", status: str = "Đang xử lý") -> list[str]:
    return [f"HS-{i:03d}", "1.001", "STP", channel, received, due, resolved, status]


# -- 1. "X (ABBR)": the whole text, X alone and ABBR alone -----------------------------------------

def test_expand_spelling_yields_text_and_abbreviation():
    assert expand_spelling("Bưu chính công ích (BCCI)") == ("Bưu chính công ích (BCCI)", "Bưu chính công ích", "BCCI")
    assert expand_spelling("Rất hài lòng (5)") == ("Rất hài lòng (5)", "Rất hài lòng", "5")
    assert expand_spelling("Trực tiếp") == ("Trực tiếp",)


@pytest.mark.parametrize("container", ["csv", "xlsx"])
def test_postal_channel_as_the_contract_prints_it(tmp_path, container):
    spellings = ["Bưu chính công ích (BCCI)", "BƯU CHÍNH CÔNG ÍCH (BCCI)", "bưu chính công ích (bcci)",
                 unicodedata.normalize("NFD", "Bưu chính công ích (BCCI)"), "Bưu chính công ích", "BCCI", "Trực tuyến"]
    rows = [BASE, *[dossier(i, channel=s) for i, s in enumerate(spellings, 1)]]
    name = f"dossiers/2024-01/igate__a.{container}"
    content = csv_bytes(rows) if container == "csv" else (lambda p: write_xlsx(p, rows))
    wh = load(tmp_path, landing_tree(tmp_path, {name: content}))
    assert quarantine(wh) == {}
    staged = query(wh, "SELECT dossier_id, channel FROM staging.stg_dossiers ORDER BY dossier_id")
    assert [c for _, c in staged] == ["postal"] * 6 + ["online"]


def test_rating_words_with_their_number(tmp_path):
    header = ["Mã đánh giá", "Mã đơn vị", "Ngày đánh giá", "Mức độ hài lòng"]
    ratings = ["Rất hài lòng (5)", "Hài lòng (4)", "Bình thường (3)", "Không hài lòng (2)", "Rất không hài lòng (1)",
               "rất hài lòng", "HÀI LÒNG", "5"]
    rows = [header, *[[f"DG-{i}", "STP", "10/01/2024 09:00", r] for i, r in enumerate(ratings, 1)]]
    wh = load(tmp_path, landing_tree(tmp_path, {"surveys/2024-01/portal__r.csv": csv_bytes(rows)}), source="surveys")
    assert quarantine(wh, "surveys") == {}
    assert [r[0] for r in query(wh, "SELECT rating FROM staging.stg_surveys ORDER BY row_number")] == [5, 4, 3, 2, 1, 5, 4, 5]


# -- 9. enum keys ignore case, spaces, "_" and "-" -------------------------------------------------

def test_no_two_canonical_values_of_any_enum_share_a_key():
    """Every enum of every source: under the new folding (no case, accents, spaces, _ or -) and
    the "X (ABBR)" expansion, no spelling may name two canonical values."""
    checked = 0
    for source in event_sources() + reference_sources():
        for f in load_source(source).fields:
            if f.type != "enum":
                continue
            owner: dict[str, str] = {}
            for canonical, spellings in f.values.items():
                for spelling in (canonical, *spellings):
                    for variant in expand_spelling(spelling):
                        key = enum_key(variant)
                        if key:
                            assert owner.setdefault(key, canonical) == canonical, (
                                f"{source}.{f.name}: {variant!r} -> {canonical} collides with {owner[key]}")
                            checked += 1
            assert f.value_collisions() == []
    assert checked > 100


def test_no_header_spelling_names_two_fields():
    """Headers match on ``header_key`` (no case, accents, spaces or punctuation), so that
    "Xác thực VNeID" and "XÁC THỰC VNEID" are one header; no spelling may then name two fields."""
    checked = 0
    for source in event_sources() + reference_sources():
        owner: dict[str, str] = {}
        for f in load_source(source).fields:
            for spelling in (f.name, *f.aliases):
                key = header_key(spelling)
                assert owner.setdefault(key, f.name) == f.name, f"{source}: {spelling!r} -> {f.name} and {owner[key]}"
                checked += 1
    assert checked > 150
    assert header_key("Xác thực VNeID") == header_key("XÁC THỰC VNEID") == header_key("xác thực vneid")
    assert header_key("MaHoSo") == header_key("MAHOSO") == header_key("Mã hồ sơ")


def test_holiday_kinds_any_case_space_underscore_dash(tmp_path):
    kinds = {
        "makeup_working_saturday": "makeup_working_day", "makeup working Saturday": "makeup_working_day",
        "Make-up working Saturday": "makeup_working_day", "Làm bù": "makeup_working_day", "LÀM BÙ": "makeup_working_day",
        "Nghỉbù": "compensatory_day_off", "compensatorydayoff": "compensatory_day_off",
        "Compensatory-Day-Off": "compensatory_day_off", "Nghỉ bù": "compensatory_day_off", "nghỉ_lễ": "holiday",
    }
    rows = [["Ngày", "Tên", "Loại"]]
    day = dt.date(2024, 3, 1)
    for i, kind in enumerate(kinds):
        rows.append([(day + dt.timedelta(days=i)).strftime("%d/%m/%Y"), f"Ngày {i}", kind])
    landing = landing_tree(tmp_path, {"reference/holidays.csv": csv_bytes(rows)})
    wh = load(tmp_path, landing, source="holidays", month=None)
    assert quarantine(wh, "holidays") == {}
    assert [r[0] for r in query(wh, "SELECT kind FROM staging.stg_holidays ORDER BY date")] == list(kinds.values())


# -- 2. yes/no: carried blank = no, link non-empty = yes, absent = unknown --------------------------

def test_blank_yes_no_cells_are_no_and_absent_columns_unknown(tmp_path):
    carried = [
        [*BASE, "Đường dẫn tệp kết quả", "Thư xin lỗi", "Mức độ DVC", "Số lần yêu cầu bổ sung"],
        [*dossier(1), "https://dvc.example.vn/ketqua/HS-001.pdf", "x", "Toàn trình", "1"],
        [*dossier(2), "", "", "", ""],
        [*dossier(3), "Không", "Không", "Một phần", "0"],
    ]
    absent = [BASE, dossier(4)]

    def xlsx(path):  # blank cells as spreadsheets leave them: no cell at all
        write_xlsx(path, [[None if c == "" else c for c in r] for r in carried])

    landing = landing_tree(tmp_path, {"dossiers/2024-01/igate__a.xlsx": xlsx,
                                      "dossiers/2024-01/vnpt__b.csv": csv_bytes(absent)})
    wh = load(tmp_path, landing)
    assert quarantine(wh) == {}
    got = query(wh, "SELECT dossier_id, e_result, apology_sent, online_service_level, supplement_count "
                    "FROM staging.stg_dossiers ORDER BY dossier_id")
    assert got == [
        ("HS-001", True, True, "full", 1),
        ("HS-002", False, False, "none", 0),  # blank in a carried column: no / none / 0
        ("HS-003", False, False, "partial", 0),
        ("HS-004", None, None, None, None),  # the file does not carry them: unknown
    ]
    # defect 17, staging side: the file log says which canonical fields each file carries
    carried_fields = dict(query(wh, "SELECT file_path, fields_carried FROM quality.file_log WHERE source = 'dossiers'"))
    assert carried_fields["dossiers/2024-01/vnpt__b.csv"] == ",".join(sorted(
        ["dossier_id", "procedure_code", "unit_code", "channel", "received_at", "due_at", "resolved_at", "status"]))
    assert set(carried_fields["dossiers/2024-01/igate__a.xlsx"].split(",")) >= {
        "e_result", "apology_sent", "online_service_level", "supplement_count"}
    assert carried_fields["dossiers/2024-01/igate__a.xlsx"].split(",") == sorted(carried_fields["dossiers/2024-01/igate__a.xlsx"].split(","))
    accounting_ok(wh)


# -- 3. zoned timestamps; a date-only deadline is the end of that day -------------------------------

def test_zoned_timestamps_convert_to_vietnam_time(tmp_path):
    received = {
        "2024-01-15 01:00:00+00": dt.datetime(2024, 1, 15, 8, 0),  # PostgreSQL's hour-only offset
        "2024-01-15T01:00Z": dt.datetime(2024, 1, 15, 8, 0),  # no seconds, Z
        "2024-01-15T01:00:00Z": dt.datetime(2024, 1, 15, 8, 0),
        "2024-01-15 08:00+07:00": dt.datetime(2024, 1, 15, 8, 0),
        "2024-01-15T08:00:00+0700": dt.datetime(2024, 1, 15, 8, 0),
        "2024-01-15T03:30:00+02:30": dt.datetime(2024, 1, 15, 8, 0),
        "2024-01-14T20:00:00-05:00": dt.datetime(2024, 1, 15, 8, 0),
        "2024-01-30 18:00:00+00": dt.datetime(2024, 1, 31, 1, 0),  # crosses the day edge
        "2024-01-15 08:00:00": dt.datetime(2024, 1, 15, 8, 0),  # no zone: already local
    }
    rows = [BASE, *[dossier(i, received=r, due="2024-02-20 17:00") for i, r in enumerate(received, 1)],
            dossier(99, received="2024-01-31 18:00:00+00", due="2024-02-20 17:00")]  # = 1 Feb 01:00: after January
    wh = load(tmp_path, landing_tree(tmp_path, {"dossiers/2024-01/igate__a.csv": csv_bytes(rows)}))
    got = query(wh, "SELECT received_at FROM staging.stg_dossiers ORDER BY dossier_id")
    assert [r[0] for r in got] == list(received.values())
    q = quarantine(wh)
    assert list(q) == [len(rows)] and q[len(rows)][0] == "received_at"
    assert "after the end of the reporting month" in q[len(rows)][1] and "2024-02-01 01:00" in q[len(rows)][1]


def test_parquet_zoned_timestamps_convert(tmp_path):
    utc = dt.timezone.utc

    def write(path):
        table = pa.table({
            "MaHoSo": ["HS-001", "HS-002"], "MaTTHC": ["1.001", "1.001"], "MaDonVi": ["STP", "STP"],
            "KenhThucHien": ["1", "2"], "TrangThaiHoSo": ["4", "4"],
            "NgayTiepNhan": pa.array([dt.datetime(2024, 1, 30, 18, 0, tzinfo=utc), dt.datetime(2024, 1, 15, 1, 0, tzinfo=utc)],
                                     pa.timestamp("us", tz="UTC")),
            "NgayHenTra": pa.array([dt.datetime(2024, 2, 20, 10, 0), dt.datetime(2024, 2, 20, 10, 0)], pa.timestamp("ms")),
        })
        pq.write_table(table, path)

    header_map = {"MaHoSo": "Mã hồ sơ", "MaTTHC": "Mã TTHC", "MaDonVi": "Mã đơn vị", "KenhThucHien": "Kênh nộp",
                  "TrangThaiHoSo": "Trạng thái", "NgayTiepNhan": "Ngày tiếp nhận", "NgayHenTra": "Hạn xử lý"}

    def write_vi(path):  # the same columns under the contract's Vietnamese headers
        write(path)
        table = pq.read_table(path)
        pq.write_table(table.rename_columns([header_map[n] for n in table.column_names]), path)

    wh = load(tmp_path, landing_tree(tmp_path, {"dossiers/2024-01/igate__a.parquet": write_vi}))
    assert quarantine(wh) == {}
    got = query(wh, "SELECT dossier_id, received_at, due_at FROM staging.stg_dossiers ORDER BY dossier_id")
    assert got == [("HS-001", dt.datetime(2024, 1, 31, 1, 0), dt.datetime(2024, 2, 20, 10, 0)),
                   ("HS-002", dt.datetime(2024, 1, 15, 8, 0), dt.datetime(2024, 2, 20, 10, 0))]


def test_date_only_deadline_is_end_of_day(tmp_path):
    end = dt.datetime(2024, 1, 10, 23, 59, 59, 999999)

    def xlsx(path):
        write_xlsx(path, [BASE,
                          ["HS-101", "1.001", "STP", "Trực tiếp", dt.datetime(2024, 1, 5, 8), dt.date(2024, 1, 10), None, "Đang xử lý"],
                          ["HS-102", "1.001", "STP", "Trực tiếp", dt.datetime(2024, 1, 5, 8), dt.datetime(2024, 1, 10, 17, 0), None, "Đang xử lý"]])

    rows = [BASE, dossier(1, due="10/01/2024"), dossier(2, due="2024-01-10"), dossier(3, due="10-01-2024"),
            dossier(4, due="45301"), dossier(5, due="10/01/2024 17:00"),
            dossier(6, received="10/01/2024 08:00", due="10/01/2024")]  # due the day it was received: not before it
    wh = load(tmp_path, landing_tree(tmp_path, {"dossiers/2024-01/igate__a.csv": csv_bytes(rows),
                                                "dossiers/2024-01/vnpt__b.xlsx": xlsx}))
    assert quarantine(wh) == {}
    got = dict(query(wh, "SELECT dossier_id, due_at FROM staging.stg_dossiers"))
    assert got == {"HS-001": end, "HS-002": end, "HS-003": end, "HS-004": end, "HS-005": dt.datetime(2024, 1, 10, 17, 0),
                   "HS-006": end, "HS-101": end, "HS-102": dt.datetime(2024, 1, 10, 17, 0)}


def run_cli(*args: object) -> int:
    saved = {k: os.environ.get(k) for k in ("CCHC_PII_KEY", "DAGSTER_HOME", "CCHC_DEBUG")}
    os.environ["CCHC_PII_KEY"] = KEY
    os.environ.pop("DAGSTER_HOME", None)
    os.environ["CCHC_DEBUG"] = "1"
    try:
        return cli.main([str(a) for a in args])
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_date_only_deadline_on_time_through_the_run(tmp_path):
    """A dossier due "10/01/2024" and resolved on 10/01/2024 at 16:00 is on time under both
    definitions; one resolved on 11/01 at 08:00 is late. The deadline written as a date is the
    end of that day, not its first instant."""
    rows = [BASE,
            dossier(1, received="05/01/2024 08:00", due="10/01/2024", resolved="10/01/2024 16:00", status="Đã có kết quả"),
            dossier(2, received="05/01/2024 08:00", due="10/01/2024", resolved="11/01/2024 08:00", status="Đã có kết quả"),
            dossier(3, received="10/01/2024 09:00", due="10/01/2024", resolved="10/01/2024 11:00", status="Đã trả kết quả")]
    landing = landing_tree(tmp_path, {"dossiers/2024-01/igate__a.csv": csv_bytes(rows)})
    wh = tmp_path / "run.duckdb"
    assert run_cli("run", "--landing", landing, "--warehouse", f"duckdb:///{wh}", "--from", "2024-01", "--to", "2024-01") == 0
    got = query(wh, "SELECT dossier_id, is_resolved_on_time, is_resolved_late, idx_on_time FROM core.fct_dossier_month_end "
                    "WHERE period_start = DATE '2024-01-01' ORDER BY dossier_id")
    assert got == [("HS-001", True, False, True), ("HS-002", False, True, False), ("HS-003", True, False, True)]
    assert query(wh, "SELECT count(*) FROM quality.quarantine") == [(0,)]


# -- 4. two-digit years and dates before 2000 ------------------------------------------------------

def test_two_digit_years_and_dates_before_2000_are_quarantined(tmp_path):
    rows = [BASE,
            dossier(1, received="15/01/24 08:00"),
            dossier(2, received="15-01-24"),
            dossier(3, received="15/01/1999 08:00"),
            dossier(4, received="30000"),  # an Excel serial of 1982
            dossier(5, received="15/01/2024 08:00"),
            dossier(6, received="hôm qua")]

    def xlsx(path):
        write_xlsx(path, [BASE, ["HS-101", "1.001", "STP", "Trực tiếp", dt.datetime(1999, 12, 31, 9, 0), dt.date(2024, 1, 20),
                                 None, "Đang xử lý"]])

    wh = load(tmp_path, landing_tree(tmp_path, {"dossiers/2024-01/igate__a.csv": csv_bytes(rows),
                                                "dossiers/2024-01/vnpt__b.xlsx": xlsx}))
    q = {(p, n): (c, r) for p, n, c, r in query(wh, "SELECT file_path, row_number, column_name, reason FROM quality.quarantine")}
    csv_q = {n: v for (p, n), v in q.items() if p.endswith(".csv")}
    assert set(csv_q) == {2, 3, 4, 5, 7}
    assert all(c == "received_at" for c, _ in csv_q.values())
    for n in (2, 3):
        assert "two-digit year" in csv_q[n][1] and "năm hai chữ số" in csv_q[n][1]
    for n in (4, 5):
        assert "before 2000" in csv_q[n][1] and "trước năm 2000" in csv_q[n][1]
    assert "unparseable date-time: hôm qua" in csv_q[7][1]
    xlsx_q = [v for (p, _), v in q.items() if p.endswith(".xlsx")]
    assert len(xlsx_q) == 1 and xlsx_q[0][0] == "received_at" and "before 2000" in xlsx_q[0][1]
    assert [r[0] for r in query(wh, "SELECT dossier_id FROM staging.stg_dossiers")] == ["HS-005"]
    accounting_ok(wh)


def test_reference_dates_keep_years_before_2000_but_not_two_digit_years(tmp_path):
    """The floor of 2000 is for event timestamps: a unit in force since 1976 is a fact, not a typo;
    a two-digit year stays refused everywhere."""
    rows = [["Ngày", "Tên", "Loại"], ["02/09/1999", "Quốc khánh", "Nghỉ lễ"], ["01/01/99", "Tết dương lịch", "Nghỉ lễ"],
            ["01/01/2024", "Tết dương lịch", "Nghỉ lễ"]]
    wh = load(tmp_path, landing_tree(tmp_path, {"reference/holidays.csv": csv_bytes(rows)}), source="holidays", month=None)
    q = quarantine(wh, "holidays")
    assert set(q) == {3} and "two-digit year" in q[3][1]
    assert query(wh, "SELECT date FROM staging.stg_holidays ORDER BY date") == [(dt.date(1999, 9, 2),), (dt.date(2024, 1, 1),)]


# -- 7. unparseable integers are quarantined, never 0 ----------------------------------------------

def test_unparseable_counts_are_quarantined_not_zero(tmp_path):
    header = [*BASE, "Số lần yêu cầu bổ sung"]
    rows = [header, [*dossier(1), "2 lần"], [*dossier(2), "hai lần"], [*dossier(3), ""], [*dossier(4), "3"],
            [*dossier(5), "1 Lần"], [*dossier(6), "nhiều"]]
    wh = load(tmp_path, landing_tree(tmp_path, {"dossiers/2024-01/igate__a.csv": csv_bytes(rows)}))
    q = quarantine(wh)
    assert set(q) == {3, 7}
    assert all(c == "supplement_count" and "unparseable number" in r for c, r in q.values())
    assert query(wh, "SELECT dossier_id, supplement_count FROM staging.stg_dossiers ORDER BY dossier_id") == [
        ("HS-001", 2), ("HS-003", 0), ("HS-004", 3), ("HS-005", 1)]


def test_email_active_days_unparseable_is_quarantined(tmp_path):
    rows = [["Tài khoản", "Mã đơn vị", "Chức vụ", "Số ngày đăng nhập", "Số thư gửi"],
            ["a@stp.gov.vn", "STP", "Lãnh đạo", "20 ngày", "5"],
            ["b@stp.gov.vn", "STP", "Công chức", "18", "n/a"],
            ["c@stp.gov.vn", "STP", "Công chức", "21.0", ""]]
    wh = load(tmp_path, landing_tree(tmp_path, {"email/2024-01/mail__m.csv": csv_bytes(rows)}), source="email")
    q = quarantine(wh, "email")
    assert {n: c for n, (c, _) in q.items()} == {2: "active_days", 3: "sent_count"}
    assert query(wh, "SELECT active_days, sent_count FROM staging.stg_email") == [(21, None)]


# -- 8. integral floats where an integer, a rating or a code is expected ---------------------------

def test_integral_floats_as_codes_ratings_and_counts(tmp_path):
    header = [*BASE, "Số lần yêu cầu bổ sung", "Mức độ DVC"]
    rows = [header,
            [*dossier(1, channel="2.0", status="10.0", resolved="09/01/2024 10:00"), "1.0", "4.0"],
            [*dossier(2, channel="3,0", status="4.0"), "9.00", "3.0"],
            [*dossier(3, channel="1.00", status="5,0"), "0,0", "2.0"]]
    wh = load(tmp_path, landing_tree(tmp_path, {"dossiers/2024-01/igate__a.csv": csv_bytes(rows)}))
    assert quarantine(wh) == {}
    assert query(wh, "SELECT channel, status, supplement_count, online_service_level FROM staging.stg_dossiers ORDER BY dossier_id") == [
        ("online", "returned", 1, "full"), ("postal", "processing", 9, "partial"), ("direct", "awaiting_supplement", 0, "none")]
    survey = [["Mã đánh giá", "Mã đơn vị", "Ngày đánh giá", "Mức độ hài lòng"],
              ["DG-1", "STP", "10/01/2024", "4.0"], ["DG-2", "STP", "10/01/2024", "5,0"], ["DG-3", "STP", "10/01/2024", "4.5"]]
    wh2 = load(tmp_path / "s", landing_tree(tmp_path / "s", {"surveys/2024-01/portal__r.csv": csv_bytes(survey)}), source="surveys")
    assert query(wh2, "SELECT response_id, rating FROM staging.stg_surveys ORDER BY 1") == [("DG-1", 4), ("DG-2", 5)]
    assert {c for c, _ in quarantine(wh2, "surveys").values()} == {"rating"}


# -- 10. self-assessment period as a date cell; a target scope in words -----------------------------

def test_self_assessment_period_date_cells_mean_their_month(tmp_path):
    rows = [["Năm", "Kỳ", "Mã đơn vị", "Mã chỉ số", "Giá trị"],
            [2024, dt.date(2024, 1, 1), "STP", "PAR_1", 10],
            [2024, dt.datetime(2024, 3, 15, 0, 0), "STP", "PAR_1", 11],
            [2024, "2024-02", "STP", "PAR_1", 12],
            [2024, "2024-q2", "STP", "PAR_1", 13],
            [2024, "2024", "STP", "PAR_1", 14],
            [2024, "Tháng 1", "STP", "PAR_1", 15]]
    landing = landing_tree(tmp_path, {"reference/self_assessment.xlsx": lambda p: write_xlsx(p, rows)})
    wh = load(tmp_path, landing, source="self_assessment", month=None)
    assert [r[0] for r in query(wh, "SELECT period FROM staging.stg_self_assessment ORDER BY row_number")] == [
        "2024-01", "2024-03", "2024-02", "2024-Q2", "2024"]
    q = quarantine(wh, "self_assessment")
    assert list(q) == [7] and q[7][0] == "period" and "period must be" in q[7][1]


def test_target_scope_words_map_and_unknown_scopes_quarantine(tmp_path):
    scopes = {"City": "city", "Department": "department", "Thành phố": "city", "Sở": "department", "THÀNH PHỐ": "city",
              "cấp xã": "commune", "Quận/Huyện": "district", "unit": "unit", "STP": "STP", "TP": "TP"}
    rows = [["Năm", "Phạm vi", "Mã chỉ số", "So sánh", "Giá trị"],
            *[[2024, s, "ON_TIME_REPORT", ">=", "95"] for s in scopes],
            [2024, "Phòng Một cửa", "ON_TIME_REPORT", ">=", "95"]]
    landing = landing_tree(tmp_path, {"reference/targets.csv": csv_bytes(rows)})
    wh = load(tmp_path, landing, source="targets", month=None)
    assert [r[0] for r in query(wh, "SELECT scope FROM staging.stg_targets ORDER BY row_number")] == list(scopes.values())
    q = quarantine(wh, "targets")
    assert list(q) == [len(rows)] and q[len(rows)][0] == "scope" and "Phòng Một cửa" in q[len(rows)][1]
    # the staged scopes are all ones scoring understands (scoring.unusable_reference_rows)
    from cchc_etl.scoring import unusable_reference_rows
    with connect(wh) as con:
        assert [r for r in unusable_reference_rows(con, "vn-2025.1") if "scope" in r] == []


# -- the contract's own value spellings, read from the contract, through every container -----------

CONTRACT_MD = Path(__file__).resolve().parents[2].parent / "shared" / "spec" / "input-contract.md"


def _contract_value_spellings() -> dict[tuple[str, str], list[tuple[str, object]]]:
    """(source, field) -> [(spelling, canonical)] as the contract's tables print them: an enum's
    header cell lists its spellings after the colon, in the order of ``enum(...)`` (the rating
    spells its number in parentheses); the holiday kinds pair an English and a Vietnamese spelling."""
    text = CONTRACT_MD.read_text(encoding="utf-8")
    out: dict[tuple[str, str], list[tuple[str, object]]] = {}
    source = None
    for line in text.splitlines():
        head = re.match(r"^### `(\w+)`", line)
        if head:
            source = head.group(1)
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if source is None or len(cells) < 3:
            continue
        name, headers, kind = cells[0], cells[1], cells[2]
        legacy = re.search(r"\(legacy: ([^;)]*)", headers)
        headers = re.sub(r"\s*\([^()]*[:;][^()]*\)", "", headers)  # "(legacy: ...; 2 or blank = none)"
        if ":" in headers:
            spellings = [s.strip() for s in headers.split(":", 1)[1].split(" / ")]
        elif kind.startswith("enum("):  # "Văn bản đến / Văn bản đi (Loại sổ)": the header in parentheses
            spellings = [s.strip() for s in re.sub(r"\s*\([^()]*\)$", "", headers).split(" / ")]
            if len(spellings) < 2:  # only header names ("Hình thức trả kết quả")
                continue
        else:
            continue
        spellings = [re.sub(r",\s*or 1–5$", "", s) for s in spellings]
        enum = re.match(r"enum\(([^)]*)\)", kind)
        if enum:
            canon = [c.strip() for c in enum.group(1).split(",")]
            if len(canon) == len(spellings) + 1 and "submitted" in canon:  # the contract prints no word for "submitted"
                canon.remove("submitted")
            if name == "online_service_level" and legacy:  # Toàn trình / Một phần; legacy Mức độ 4 / Mức độ 3
                spellings += [s.strip() for s in legacy.group(1).split(" / ")]
                canon = ["full", "partial", "full", "partial"]
            if len(canon) != len(spellings):  # e.g. role: lãnh đạo / công chức / viên chức -> leader, staff
                canon = {"role": ["leader", "staff", "staff"]}.get(name, canon)
            assert len(canon) == len(spellings), (source, name, spellings, canon)
            out[(source, name)] = list(zip(spellings, canon))
        elif kind.startswith("int") and all(re.search(r"\((\d)\)$", s) for s in spellings):
            out[(source, name)] = [(s, int(re.search(r"\((\d)\)$", s).group(1))) for s in spellings]
    # the national synchronisation interface's codes
    codes = " ".join(re.search(r"Coded values from the national(.*?)`submitted` dossiers", text, re.S).group(1).split())
    channel = re.search(r"channel (`1`[^;]*);", codes).group(1)
    out[("dossiers", "channel")] += list(zip(re.findall(r"`(\d+)`", channel), ["direct", "online", "postal"]))
    level = re.search(r"online level (`4`[^;]*);", codes).group(1)
    out[("dossiers", "online_service_level")] += [(c, v) for c, v in re.findall(r"`(\d+)` (?:or blank )?(\w+)", level)]
    for item in re.search(r"status `1`–`10` \((.*)\)", codes).group(1).split(", "):
        target = item.split("→")[1].strip() if "→" in item else item.split()[-1]
        out[("dossiers", "status")] += [(c, target) for c in re.findall(r"\b(\d+)\b", item)]
    kinds = re.search(r"kind \((.*?); case", text, re.S)
    if kinds:
        load_kind = load_source("holidays").field("kind")
        pairs = re.findall(r"`([^`]+)` / ([^,]+)", kinds.group(1))
        out[("holidays", "kind")] = [(s.strip(), load_kind.map_value(en)) for en, vi in pairs for s in (en, vi)]
    return out


# one valid row per source; the field under test is replaced by each spelling
_TEMPLATES = {
    "dossiers": ({"Mã hồ sơ": None, "Mã TTHC": "1.001", "Mã đơn vị": "STP", "Kênh nộp": "Trực tiếp",
                  "Mức độ DVC": "Toàn trình", "Ngày tiếp nhận": "05/01/2024 08:00", "Hạn xử lý": "20/01/2024",
                  "Ngày có kết quả": "09/01/2024 10:00", "Trạng thái": "Đã trả kết quả"},
                 {"channel": "Kênh nộp", "status": "Trạng thái", "online_service_level": "Mức độ DVC"}),
    "surveys": ({"Mã đánh giá": None, "Mã đơn vị": "STP", "Ngày đánh giá": "10/01/2024 09:00", "Mức độ hài lòng": "5"},
                {"rating": "Mức độ hài lòng"}),
    "documents": ({"Mã văn bản": None, "Mã đơn vị": "STP", "Loại sổ": "Văn bản đến", "Ngày đến": "10/01/2024",
                   "Hình thức": "Điện tử", "Độ mật": "Thường"},
                  {"direction": "Loại sổ", "form": "Hình thức", "secrecy": "Độ mật"}),
    "email": ({"Tài khoản": None, "Mã đơn vị": "STP", "Chức vụ": "Công chức", "Số ngày đăng nhập": "20"}, {"role": "Chức vụ"}),
    "holidays": ({"Ngày": None, "Tên": "Ngày nghỉ", "Loại": "Nghỉ lễ"}, {"kind": "Loại"}),
}
_STAGED_ORDER = {"dossiers": "row_number", "surveys": "row_number", "documents": "row_number", "email": "row_number",
                 "holidays": "date"}


def _variants(spelling: str) -> list[str]:
    return [spelling, spelling.upper(), spelling.lower(), unicodedata.normalize("NFD", spelling)]


def _source_rows(source: str, cases: list[tuple[str, str, object]]) -> list[list[str]]:
    template, _ = _TEMPLATES[source]
    header = list(template)
    rows = [header]
    for i, (column, value, _) in enumerate(cases, 1):
        row = dict(template)
        key_column = header[0]
        row[key_column] = (dt.date(2025, 1, 1) + dt.timedelta(days=i)).strftime("%d/%m/%Y") if source == "holidays" \
            else (f"acct{i}@stp.gov.vn" if source == "email" else f"K-{i:04d}")
        row[column] = value
        rows.append([row[h] for h in header])
    return rows


@pytest.mark.parametrize("container", ["utf-8", "utf-16", "cp1258", "xlsx", "parquet"])
def test_every_value_spelling_of_the_contract_in_every_container(tmp_path, container):
    if not CONTRACT_MD.exists():
        pytest.skip(f"no contract at {CONTRACT_MD}")
    from tests.integration.test_readers import cp1258_bytes  # the Windows-1258 encoder of the readers' tests

    spellings = _contract_value_spellings()
    # the contract's enums all reach the test (a new one must be added to the templates)
    assert {f for _, f in spellings} >= {"channel", "status", "online_service_level", "rating", "direction", "form",
                                          "secrecy", "role", "kind"}
    per_source: dict[str, list[tuple[str, str, object]]] = {}
    for (source, field_name), pairs in spellings.items():
        if source not in _TEMPLATES or field_name not in _TEMPLATES[source][1]:
            continue
        column = _TEMPLATES[source][1][field_name]
        for printed, canonical in pairs:
            # "X (ABBR)": the whole text, X alone and ABBR alone
            parts = re.match(r"^(.*\S)\s*\((\w+)\)$", printed)
            spellings_of = [printed, *(parts.groups() if parts else ())]
            for variant in [v for spelling in spellings_of for v in _variants(spelling)]:
                per_source.setdefault(source, []).append((column, variant, (field_name, canonical)))
    files = {}
    for source, cases in per_source.items():
        rows = _source_rows(source, cases)
        folder = "reference/holidays" if source == "holidays" else f"{source}/2024-01/sys__values"
        if container in ("utf-8", "utf-16", "cp1258"):
            text = "\r\n".join(("\t" if container == "utf-16" else ",").join(r) for r in rows) + "\r\n"
            data = {"utf-8": lambda t: t.encode("utf-8"), "utf-16": lambda t: t.encode("utf-16"), "cp1258": cp1258_bytes}[container](text)
            files[f"{folder}.csv"] = data
        elif container == "xlsx":
            files[f"{folder}.xlsx"] = (lambda r: lambda p: write_xlsx(p, r))(rows)
        else:
            files[f"{folder}.parquet"] = (lambda r: lambda p: pq.write_table(
                pa.table({h: [row[i] for row in r[1:]] for i, h in enumerate(r[0])}), p))(rows)
    landing = landing_tree(tmp_path, files)
    wh = tmp_path / "wh.duckdb"
    with connect(wh) as con:
        ensure_schema(con)
        loader = Loader(con, landing, KEY)
        loader.load_reference("org_units")
        loader.load_reference("holidays")
        for source in per_source:
            if source != "holidays":
                assert not loader.load_month(source, dt.date(2024, 1, 1)).refused
    for source, cases in per_source.items():
        assert quarantine(wh, source) == {}, source
        table = load_source(source).staging_table
        for field_name in {f for _, _, (f, _) in cases}:
            got = [r[0] for r in query(wh, f"SELECT {field_name} FROM {table} ORDER BY {_STAGED_ORDER[source]}")]
            want = [(canonical if f == field_name else None) for _, _, (f, canonical) in cases]
            pairs = [(g, w, v) for g, w, (_, v, _) in zip(got, want, cases) if w is not None]
            assert [g for g, _, _ in pairs] == [w for _, w, _ in pairs], [
                (v, g, w) for g, w, v in pairs if g != w]
    accounting_ok(wh)
