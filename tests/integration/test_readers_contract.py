"""Readers against the input contract's decided readings (issue 12, files and headers, typed cells).

Every input is a real file written the way exports write it (openpyxl XLSX with typed cells,
number formats and merged cells, xlwt XLS, pyarrow Parquet, CSV bytes in UTF-8 / UTF-16 /
Windows-1258), loaded through the real Loader into a real DuckDB file; the assertions read the
staging and quality tables.
"""

from __future__ import annotations

import codecs
import datetime as dt
import decimal
import json
import unicodedata
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cchc_etl.ingest import Loader
from cchc_etl.pii import hmac_hex
from cchc_etl.warehouse import connect, ensure_schema

KEY = "contract-test-key"
JAN = dt.date(2024, 1, 1)
ORG_UNITS = (
    "unit_code,name,level,parent_code,valid_from,valid_to,successor_code,category\n"
    "TP,Thành phố,city,,2015-01-01,,,\nSTP,Sở Tư pháp,department,TP,2015-01-01,,,\n"
    "SNV,Sở Nội vụ,department,TP,2015-01-01,,,\n"
)


# -- helpers -------------------------------------------------------------------------------

def cp1258_bytes(text: str) -> bytes:
    """Windows-1258 as Vietnamese systems write it: base letters plus combining tone marks."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], parts[1:]
        for mark in list(marks):
            combined = unicodedata.normalize("NFC", base + mark)
            if len(combined) == 1 and combined.encode("cp1258", errors="ignore"):
                base = combined
                marks = marks.replace(mark, "", 1)
        out += (base + marks).encode("cp1258")
    return bytes(out)


def csv_bytes(rows: list[list[str]], encoding: str, delimiter: str = ",") -> bytes:
    def cell(v):
        v = "" if v is None else str(v)
        return '"' + v.replace('"', '""') + '"' if any(c in v for c in (delimiter, '"', "\n")) else v

    text = "\r\n".join(delimiter.join(cell(v) for v in r) for r in rows) + "\r\n"
    if encoding == "cp1258":
        return cp1258_bytes(text)
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return text.encode(encoding)


def landing(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    (root / "reference").mkdir(parents=True)
    (root / "reference" / "org_units.csv").write_text(ORG_UNITS, encoding="utf-8")
    return root


def month_dir(root: Path, source: str = "dossiers") -> Path:
    folder = root / source / "2024-01"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def load_event(tmp_path: Path, root: Path, source: str = "dossiers") -> Path:
    db = tmp_path / "wh.duckdb"
    with connect(db) as con:
        ensure_schema(con)
        loader = Loader(con, root, KEY)
        loader.load_reference("org_units")
        loader.load_month(source, JAN)
    return db


def load_reference(tmp_path: Path, root: Path, source: str) -> Path:
    db = tmp_path / "wh.duckdb"
    with connect(db) as con:
        ensure_schema(con)
        Loader(con, root, KEY).load_reference(source)
    return db


def query(db: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def file_log(db: Path, source: str) -> list[dict]:
    with duckdb.connect(str(db), read_only=True) as con:
        cur = con.execute(f"SELECT * FROM quality.file_log WHERE source = '{source}' ORDER BY file_path")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]


def assert_accounting(log: dict) -> None:
    assert log["status"] == "loaded", log["error"]
    assert log["rows_read"] == log["rows_loaded"] + log["rows_quarantined"] + log["rows_skipped"], log


DOSSIER_HEADERS = ["Mã hồ sơ", "Mã TTHC", "Mã đơn vị", "Kênh nộp", "Ngày tiếp nhận", "Hạn xử lý", "Ngày có kết quả",
                   "Trạng thái", "Họ tên người nộp"]


def dossier(i: int, channel: str = "Trực tuyến", status: str = "Đang xử lý", unit: str = "STP") -> list:
    resolved = "09/01/2024 16:00" if status in ("Đã có kết quả", "Đã trả kết quả") else ""
    return [f"HS-{i:03d}", "1.001", unit, channel, f"0{1 + i % 8}/01/2024 08:30", "20/01/2024", resolved, status,
            f"Nguyễn Văn {i}"]


# -- 5. typed numbers ----------------------------------------------------------------------

SA_HEADERS = ["Năm", "Kỳ", "Mã đơn vị", "Mã chỉ số", "Giá trị", "Minh chứng"]


def test_typed_numbers_keep_their_value_xlsx(tmp_path):
    """A numeric cell holding 1.125 is 1.125, not 1125; text cells keep the text conventions;
    str fields holding typed numbers read as the number looks (12345, 1.125)."""
    root = landing(tmp_path)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["SỐ LIỆU TỰ ĐÁNH GIÁ NĂM 2024"])
    ws.append(SA_HEADERS)
    ws.append([2024, "2024", "STP", "IDX_1_1", 1.125, 12345])       # typed non-integral, typed integral evidence
    ws.append([2024, "2024", "SNV", "IDX_1_1", 1214, 1.125])        # typed integral; typed non-integral in a str field
    ws.append([2024, "2024", "TP", "IDX_1_1", "1.214", "x"])        # text: dot thousands
    ws.append([2024, "2024", "STP", "IDX_1_2", "84,64", "y"])       # text: comma decimal
    ws.append([2024.0, "2024", "SNV", "IDX_1_2", 12.5, "z"])        # typed year as an integral float
    wb.save(root / "reference" / "self_assessment.xlsx")
    db = load_reference(tmp_path, root, "self_assessment")
    rows = query(db, "SELECT row_number, year, value, evidence FROM staging.stg_self_assessment ORDER BY row_number")
    assert rows == [(3, 2024, 1.125, "12345"), (4, 2024, 1214.0, "1.125"), (5, 2024, 1214.0, "x"),
                    (6, 2024, 84.64, "y"), (7, 2024, 12.5, "z")]
    assert_accounting(file_log(db, "self_assessment")[0])


def test_typed_numbers_keep_their_value_xls(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    root = landing(tmp_path)
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Sheet1")
    for c, h in enumerate(SA_HEADERS):
        ws.write(0, c, h)
    for r, row in enumerate([[2024, "2024", "STP", "IDX_1_1", 1.125, 12345.0], [2024, "2024", "SNV", "IDX_1_1", 2.5, "a"],
                             [2024, "2024", "TP", "IDX_1_1", "1.214", "b"]], 1):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    wb.save(str(root / "reference" / "self_assessment.xls"))
    db = load_reference(tmp_path, root, "self_assessment")
    rows = query(db, "SELECT row_number, value, evidence FROM staging.stg_self_assessment ORDER BY row_number")
    assert rows == [(2, 1.125, "12345"), (3, 2.5, "a"), (4, 1214.0, "b")]


def test_typed_numbers_keep_their_value_parquet(tmp_path):
    root = landing(tmp_path)
    pq.write_table(pa.table({
        "year": pa.array([2024, 2024, 2024], pa.int64()),
        "period": ["2024", "2024", "2024"],
        "unit_code": ["STP", "SNV", "TP"],
        "indicator_code": pa.array([1.125, 2.0, 3.5], pa.float64()),  # a code stored as a number: looks as it is
        "value": pa.array([1.125, 1214.0, 0.5], pa.float64()),
        "evidence": pa.array([decimal.Decimal("1.000"), decimal.Decimal("2.500"), None], pa.decimal128(6, 3)),
    }), root / "reference" / "self_assessment.parquet")
    db = load_reference(tmp_path, root, "self_assessment")
    rows = query(db, "SELECT indicator_code, value, evidence FROM staging.stg_self_assessment ORDER BY row_number")
    assert rows == [("1.125", 1.125, "1.000"), ("2", 1214.0, "2.500"), ("3.5", 0.5, None)]

    # a decimal column under a number field is a number too (1.000 is one, not a thousand)
    pq.write_table(pa.table({
        "year": [2024], "period": ["2024"], "unit_code": ["STP"], "indicator_code": ["IDX_1_1"],
        "value": pa.array([decimal.Decimal("1.000")], pa.decimal128(6, 3)),
    }), root / "reference" / "self_assessment.parquet")
    db2 = tmp_path / "second"
    db2.mkdir()
    db = load_reference(db2, root, "self_assessment")
    assert query(db, "SELECT value FROM staging.stg_self_assessment") == [(1.0,)]


# -- 6. percent number formats -------------------------------------------------------------

def test_percent_formatted_cells_read_as_percent_xlsx(tmp_path):
    root = landing(tmp_path)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(SA_HEADERS)
    values = [(0.98, "0%"), (0.9689, "0.00%"), (0.125, "#,##0.0%"), (0.5, "0.00"), (1, "0%"), ("95%", "General")]
    for i, (v, fmt) in enumerate(values):
        ws.append([2024, "2024", "STP", f"IDX_{i}", v, None])
        ws.cell(row=i + 2, column=5).number_format = fmt
    ws.cell(row=2, column=6).value = 0.25  # a percent cell in a text field reads as it shows
    ws.cell(row=2, column=6).number_format = "0%"
    wb.save(root / "reference" / "self_assessment.xlsx")
    db = load_reference(tmp_path, root, "self_assessment")
    rows = query(db, "SELECT indicator_code, value, evidence FROM staging.stg_self_assessment ORDER BY row_number")
    assert rows == [("IDX_0", 98.0, "25%"), ("IDX_1", 96.89, None), ("IDX_2", 12.5, None), ("IDX_3", 0.5, None),
                    ("IDX_4", 100.0, None), ("IDX_5", 95.0, None)]


def test_percent_formatted_cells_read_as_percent_xls(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    root = landing(tmp_path)
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Sheet1")
    for c, h in enumerate(SA_HEADERS):
        ws.write(0, c, h)
    pct = xlwt.easyxf(num_format_str="0.00%")
    ws.write(1, 0, 2024); ws.write(1, 1, "2024"); ws.write(1, 2, "STP"); ws.write(1, 3, "IDX_1"); ws.write(1, 4, 0.9689, pct)
    ws.write(2, 0, 2024); ws.write(2, 1, "2024"); ws.write(2, 2, "STP"); ws.write(2, 3, "IDX_2"); ws.write(2, 4, 0.5)
    wb.save(str(root / "reference" / "self_assessment.xls"))
    db = load_reference(tmp_path, root, "self_assessment")
    assert query(db, "SELECT indicator_code, value FROM staging.stg_self_assessment ORDER BY row_number") == [
        ("IDX_1", 96.89), ("IDX_2", 0.5)]


# -- 11. every sheet -----------------------------------------------------------------------

def test_every_matching_sheet_is_read_and_the_others_are_listed(tmp_path):
    root = landing(tmp_path)
    wb = openpyxl.Workbook()
    direct = wb.active
    direct.title = "Trực tiếp"
    direct.append(["DANH SÁCH HỒ SƠ TIẾP NHẬN TRỰC TIẾP"])
    direct.append(DOSSIER_HEADERS)
    direct.append(dossier(1, "Trực tiếp"))
    direct.append(dossier(2, "Trực tiếp", "Đã có kết quả"))
    online = wb.create_sheet("Trực tuyến")
    # another column order, an extra vendor column, and one bad row
    order = [7, 0, 2, 1, 3, 4, 5, 6, 8]
    online.append([DOSSIER_HEADERS[i] for i in order] + ["Ghi chú"])
    for row in (dossier(3), dossier(4, status="Không rõ"), dossier(5)):
        online.append([row[i] for i in order] + ["ghi chú"])
    summary = wb.create_sheet("Tổng hợp")
    summary.append(["Đơn vị", "Số hồ sơ tiếp nhận"])
    summary.append(["STP", 5])
    wb.create_sheet("Trống")
    wb.save(month_dir(root) / "igate__by_channel.xlsx")
    db = load_event(tmp_path, root)

    staged = query(db, "SELECT dossier_id, channel, status, row_number, extra FROM staging.stg_dossiers ORDER BY dossier_id")
    assert [(r[0], r[1], r[2], r[3]) for r in staged] == [
        ("HS-001", "direct", "processing", 3), ("HS-002", "direct", "resolved", 4),
        ("HS-003", "online", "processing", 2), ("HS-005", "online", "processing", 4)]
    assert json.loads(staged[2][4]) == {"Ghi chú": "ghi chú"}
    assert query(db, "SELECT sheet, row_number, column_name FROM quality.quarantine") == [("Trực tuyến", 3, "status")]
    log = file_log(db, "dossiers")[0]
    assert_accounting(log)
    # read: 4 + 4 physical rows; skipped: title + header, header; sheets not read count nothing
    assert (log["rows_read"], log["rows_loaded"], log["rows_quarantined"], log["rows_skipped"]) == (8, 4, 1, 3)
    sheets = {s["sheet"]: s for s in json.loads(log["sheets"])}
    assert list(sheets) == ["Trực tiếp", "Trực tuyến", "Tổng hợp", "Trống"]
    assert sheets["Trực tiếp"]["read"] and sheets["Trực tiếp"]["header_row"] == 2
    assert sheets["Trực tuyến"]["read"] and sheets["Trực tuyến"]["header_row"] == 1
    assert not sheets["Tổng hợp"]["read"] and "header" in sheets["Tổng hợp"]["reason"]
    assert not sheets["Trống"]["read"] and "empty" in sheets["Trống"]["reason"]


# -- 12. best header match -----------------------------------------------------------------

def test_code_column_beats_a_name_column_left_of_it(tmp_path):
    root = landing(tmp_path)
    headers = ["Mã hồ sơ", "Mã TTHC", "Đơn vị tiếp nhận", "Mã đơn vị", "Kênh nộp", "Ngày tiếp nhận", "Hạn xử lý",
               "Trạng thái"]
    rows = [headers, ["HS-1", "1.001", "Sở Tư pháp", "STP", "Trực tiếp", "05/01/2024", "20/01/2024", "Đang xử lý"],
            ["HS-2", "1.001", "Sở Nội vụ", "SNV", "Trực tuyến", "06/01/2024", "20/01/2024", "Đang xử lý"]]
    (month_dir(root) / "igate__a.csv").write_bytes(csv_bytes(rows, "utf-8"))
    db = load_event(tmp_path, root)
    assert query(db, "SELECT dossier_id, unit_code, extra->>'Đơn vị tiếp nhận' FROM staging.stg_dossiers ORDER BY 1") == [
        ("HS-1", "STP", "Sở Tư pháp"), ("HS-2", "SNV", "Sở Nội vụ")]
    assert query(db, "SELECT count(*) FROM quality.quarantine") == [(0,)]
    log = file_log(db, "dossiers")[0]
    assert json.loads(log["sheets"])[0]["header_choices"] == [
        {"field": "unit_code", "column": "Mã đơn vị", "over": ["Đơn vị tiếp nhận"]}]


def test_survey_id_beats_a_row_number(tmp_path):
    root = landing(tmp_path)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["STT", "Mã đánh giá", "Mã đơn vị", "Ngày đánh giá", "Mức độ hài lòng"])
    ws.append([1, "DG-2024-0001", "STP", "05/01/2024 10:00", "Rất hài lòng"])
    ws.append([2, "DG-2024-0002", "STP", "06/01/2024 10:00", "Hài lòng (4)"])
    wb.save(month_dir(root, "surveys") / "igate__ratings.xlsx")
    db = load_event(tmp_path, root, "surveys")
    assert query(db, "SELECT response_id, rating FROM staging.stg_surveys ORDER BY 1") == [
        ("DG-2024-0001", 5), ("DG-2024-0002", 4)]
    choices = json.loads(file_log(db, "surveys")[0]["sheets"])[0]["header_choices"]
    assert choices == [{"field": "response_id", "column": "Mã đánh giá", "over": ["STT"]}]

    # STT alone is the identifier
    other = tmp_path / "stt_only"
    other.mkdir()
    root2 = landing(other)
    rows = [["STT", "Mã đơn vị", "Ngày đánh giá", "Mức độ hài lòng"], ["7", "STP", "05/01/2024", "5"]]
    (month_dir(root2, "surveys") / "igate__r.csv").write_bytes(csv_bytes(rows, "utf-8"))
    db = load_event(other, root2, "surveys")
    assert query(db, "SELECT response_id, rating FROM staging.stg_surveys") == [("7", 5)]


# -- 13. header-only and empty files -------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "cp1258"])
def test_header_only_csv_loads_zero_rows(tmp_path, encoding):
    root = landing(tmp_path)
    (month_dir(root) / "igate__empty_month.csv").write_bytes(csv_bytes([DOSSIER_HEADERS], encoding))
    db = load_event(tmp_path, root)
    log = file_log(db, "dossiers")[0]
    assert (log["status"], log["rows_read"], log["rows_loaded"], log["rows_quarantined"], log["rows_skipped"]) == (
        "loaded", 1, 0, 0, 1), log["error"]


@pytest.mark.parametrize("name", ["igate__zero.csv", "igate__zero.xlsx", "igate__zero.parquet"])
def test_zero_byte_file_is_refused_with_a_clear_message(tmp_path, name):
    root = landing(tmp_path)
    (month_dir(root) / name).write_bytes(b"")
    db = load_event(tmp_path, root)
    log = file_log(db, "dossiers")[0]
    assert log["status"] == "refused"
    assert "tệp rỗng" in log["error"] and "empty file" in log["error"] and name in log["error"]


# -- 14. two-row merged header -------------------------------------------------------------

TOP = ["Mã hồ sơ", "Mã TTHC", "Mã đơn vị", "Kênh nộp", "Thời gian", None, None, "Trạng thái"]
BOTTOM = [None, None, None, None, "Ngày tiếp nhận", "Hạn xử lý", "Ngày có kết quả", None]
MERGED_ROWS = [["HS-1", "1.001", "STP", "Trực tiếp", "05/01/2024 08:00", "15/01/2024", "10/01/2024 09:00", "Đã có kết quả"],
               ["HS-2", "1.001", "STP", "Trực tuyến", "06/01/2024 08:00", "16/01/2024", None, "Đang xử lý"]]


def _check_merged(db: Path, first_row: int):
    assert query(db, "SELECT dossier_id, received_at, due_at, resolved_at, row_number FROM staging.stg_dossiers ORDER BY 1") == [
        ("HS-1", dt.datetime(2024, 1, 5, 8), dt.datetime(2024, 1, 15, 23, 59, 59, 999999), dt.datetime(2024, 1, 10, 9), first_row),
        ("HS-2", dt.datetime(2024, 1, 6, 8), dt.datetime(2024, 1, 16, 23, 59, 59, 999999), None, first_row + 1)]
    assert query(db, "SELECT count(*) FROM quality.quarantine") == [(0,)]
    assert_accounting(file_log(db, "dossiers")[0])


def test_two_row_merged_header_xlsx(tmp_path):
    root = landing(tmp_path)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ"])
    ws.append(TOP)
    ws.append(BOTTOM)
    for col in "ABCDH":
        ws.merge_cells(f"{col}2:{col}3")  # plain headers span both rows
    ws.merge_cells("E2:G2")  # the group cell over its sub-headers
    for r in MERGED_ROWS:
        ws.append(r)
    wb.save(month_dir(root) / "igate__merged.xlsx")
    db = load_event(tmp_path, root)
    _check_merged(db, first_row=4)
    log = file_log(db, "dossiers")[0]
    assert (log["header_row"], log["rows_skipped"]) == (3, 3)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "cp1258"])
def test_two_row_merged_header_csv(tmp_path, encoding):
    root = landing(tmp_path)
    delimiter = "\t" if encoding == "utf-16" else ","
    (month_dir(root) / "igate__merged.csv").write_bytes(csv_bytes([TOP, BOTTOM, *MERGED_ROWS], encoding, delimiter))
    db = load_event(tmp_path, root)
    _check_merged(db, first_row=3)


# -- 15. national synchronisation interface names ------------------------------------------

NATIONAL = ["MaHoSo", "MaTTHC", "TenTTHC", "MaLinhVuc", "TenLinhVuc", "MaDonVi", "KenhThucHien", "MucDo", "NgayTiepNhan",
            "NgayHenTra", "NgayKetThucXuLy", "NgayTra", "TrangThaiHoSo", "ChuHoSo", "SoGiayToChuHoSo", "SoDienThoaiChuHoSo"]
STATUS_CODES = {1: "submitted", 2: "processing", 3: "rejected", 4: "processing", 5: "awaiting_supplement",
                6: "suspended", 7: "withdrawn", 8: "suspended", 9: "resolved", 10: "returned"}


def national_rows() -> list[list]:
    rows = []
    for code in range(1, 11):
        terminal = code in (3, 7, 9, 10)
        rows.append([
            f"000.00.{code:02d}.H29-240105-{code:04d}", "1.001", "Đăng ký khai sinh", "G01", "Hộ tịch", "STP",
            str(1 + code % 3), str(code % 5), "" if code == 1 else "2024-01-05 08:00:00",
            "" if code == 1 else "2024-01-20 17:00:00", "2024-01-10 09:00:00" if terminal else "",
            "2024-01-11 10:00:00" if code == 10 else "", str(code), f"Nguyễn Văn {code}", f"0791234567{code:02d}",
            f"09123456{code:02d}",
        ])
    return rows


@pytest.mark.parametrize("container", ["csv", "xlsx"])
def test_national_interface_export_loads_as_it_is(tmp_path, container):
    root = landing(tmp_path)
    target = month_dir(root) / f"dvcqg__sync.{container}"
    if container == "csv":
        target.write_bytes(csv_bytes([NATIONAL, *national_rows()], "utf-8"))
    else:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(NATIONAL)
        for r in national_rows():
            ws.append([int(v) if v.isdigit() and len(v) <= 2 else (v or None) for v in r])  # codes as typed numbers
        wb.save(target)
    db = load_event(tmp_path, root)
    log = file_log(db, "dossiers")[0]
    assert_accounting(log)
    assert (log["rows_loaded"], log["rows_quarantined"]) == (10, 0)
    staged = query(db, "SELECT dossier_id, procedure_name, field_name, unit_code, channel, online_service_level, status, "
                       "resolved_at, returned_at, applicant_name_hash, applicant_id_hash, applicant_phone_hash "
                       "FROM staging.stg_dossiers ORDER BY row_number")
    assert [r[6] for r in staged] == [STATUS_CODES[c] for c in range(1, 11)]
    assert [r[4] for r in staged] == [["direct", "online", "postal"][(1 + c % 3) - 1] for c in range(1, 11)]
    assert [r[5] for r in staged] == [{4: "full", 3: "partial"}.get(c % 5, "none") for c in range(1, 11)]
    # field_name is a name: TenLinhVuc is preferred over MaLinhVuc, which is kept in extra
    assert staged[0][1:4] == ("Đăng ký khai sinh", "Hộ tịch", "STP")
    assert staged[9][8] == dt.datetime(2024, 1, 11, 10)
    assert staged[8][7] == dt.datetime(2024, 1, 10, 9)
    assert staged[0][9] == hmac_hex(KEY, "Nguyễn Văn 1")
    assert all(r[10] and r[11] for r in staged)
    clear = query(db, "SELECT count(*) FROM staging.stg_dossiers WHERE CAST(extra AS VARCHAR) LIKE '%Nguyễn%' "
                      "OR CAST(extra AS VARCHAR) LIKE '%091234%'")
    assert clear == [(0,)]


# -- 16. total and footer rows -------------------------------------------------------------

def _report_rows() -> list[list]:
    """A report as exported: records whose applicant column comes first, a total, signatures."""
    headers = ["Họ tên người nộp", "Mã hồ sơ", "Mã TTHC", "Mã đơn vị", "Kênh nộp", "Ngày tiếp nhận", "Hạn xử lý", "Trạng thái"]

    def rec(name, i, code="1.001"):
        return [name, f"HS-{i}", code, "STP", "Trực tiếp", "05/01/2024", "20/01/2024", "Đang xử lý"]

    return [
        ["BÁO CÁO HỒ SƠ THÁNG 01/2024"], headers,
        rec("Công ty TNHH Minh An", 1),
        rec("Tổng công ty Điện lực miền Bắc", 2, code=None),  # a record failing validation: quarantined
        rec("Công dân Lê Văn B", 3, code=None),                # likewise
        [None, None, "1.001", "STP", "Trực tiếp", "05/01/2024", "20/01/2024", "Đang xử lý"],  # keyless, mid-file
        rec("Cộng tác xã Hoà Bình", 4),
        [],
        ["Tổng cộng:", None, None, None, None, None, None, "4 hồ sơ"],
        [None, "TỔNG SỐ: 4 hồ sơ"],  # the label in the record-key column: no key
        [],
        [None, None, None, None, None, "Hà Nội, ngày 31 tháng 01 năm 2024"],
        ["Người lập biểu", None, None, None, None, "Thủ trưởng đơn vị"],
        ["(Ký, ghi rõ họ tên)", None, None, None, None, "(Ký tên, đóng dấu)"],
    ]


def _check_report(db: Path, header_row: int):
    assert query(db, "SELECT dossier_id FROM staging.stg_dossiers ORDER BY row_number") == [("HS-1",), ("HS-4",)]
    assert query(db, "SELECT row_number, column_name FROM quality.quarantine ORDER BY row_number") == [
        (header_row + 2, "procedure_code"), (header_row + 3, "procedure_code"), (header_row + 4, "dossier_id")]
    log = file_log(db, "dossiers")[0]
    assert_accounting(log)
    assert (log["rows_blank"], log["rows_total"], log["rows_footer"]) == (2, 2, 3)
    assert log["rows_skipped"] == header_row + 2 + 2 + 3


@pytest.mark.parametrize("container", ["xlsx", "csv", "csv-cp1258"])
def test_total_rows_footers_and_records_that_look_like_totals(tmp_path, container):
    root = landing(tmp_path)
    rows = _report_rows()
    if container == "xlsx":
        wb = openpyxl.Workbook()
        for r in rows:
            wb.active.append(r)
        wb.save(month_dir(root) / "igate__report.xlsx")
    else:
        width = max(len(r) for r in rows)
        padded = [r + [None] * (width - len(r)) for r in rows]
        encoding = "cp1258" if container == "csv-cp1258" else "utf-8"
        (month_dir(root) / "igate__report.csv").write_bytes(csv_bytes(padded, encoding))
    db = load_event(tmp_path, root)
    _check_report(db, header_row=2)


def test_footer_rows_are_found_per_sheet(tmp_path):
    """Each sheet's signatures follow its own last record (not the workbook's last one)."""
    root = landing(tmp_path)
    wb = openpyxl.Workbook()
    for n, name in enumerate(["Quý I", "Quý II"]):
        ws = wb.active if n == 0 else wb.create_sheet(name)
        ws.title = name
        ws.append(DOSSIER_HEADERS)
        ws.append(dossier(2 * n + 1))
        ws.append(dossier(2 * n + 2))
        ws.append(["Tổng cộng", None, None, None, None, None, None, None, "2"])
        # signatures under the columns after the record key (a text in the key column is a key)
        ws.append([None, "Người lập biểu", None, None, None, None, "Thủ trưởng đơn vị"])
    wb.save(month_dir(root) / "igate__quarters.xlsx")
    db = load_event(tmp_path, root)
    assert query(db, "SELECT count(*) FROM staging.stg_dossiers") == [(4,)]
    assert query(db, "SELECT count(*) FROM quality.quarantine") == [(0,)]
    log = file_log(db, "dossiers")[0]
    assert_accounting(log)
    assert (log["rows_read"], log["rows_total"], log["rows_footer"], log["rows_skipped"]) == (10, 2, 2, 6)


# -- the row of column numbers under an official form's header ----------------------------------

@pytest.mark.parametrize("container", ["xlsx", "csv", "csv-utf16"])
def test_column_number_row_under_the_header_is_part_of_it(tmp_path, container):
    """Official forms (Biểu 06 and the provincial exports modelled on it) print (1) (2) (3) ...
    under the header: that row is header, skipped and counted, never a quarantined record."""
    root = landing(tmp_path)
    numbers = [f"({i})" for i in range(1, len(DOSSIER_HEADERS) + 1)]
    rows = [["BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ"], DOSSIER_HEADERS, numbers, dossier(1), dossier(2)]
    if container == "xlsx":
        wb = openpyxl.Workbook()
        for r in rows:
            wb.active.append(r)
        wb.active.append([])
        wb.active["A3"] = 1  # a typed number cell, as spreadsheets often store the numbering
        wb.save(month_dir(root) / "igate__form.xlsx")
    else:
        width = max(len(r) for r in rows)
        padded = [r + [None] * (width - len(r)) for r in rows]
        encoding = "utf-16" if container == "csv-utf16" else "utf-8"
        (month_dir(root) / "igate__form.csv").write_bytes(csv_bytes(padded, encoding, "\t" if encoding == "utf-16" else ","))
    db = load_event(tmp_path, root)
    assert query(db, "SELECT dossier_id, row_number FROM staging.stg_dossiers ORDER BY 1") == [
        (dossier(1)[0], 4), (dossier(2)[0], 5)]
    assert query(db, "SELECT count(*) FROM quality.quarantine") == [(0,)]
    log = file_log(db, "dossiers")[0]
    assert_accounting(log)
    assert (log["header_row"], log["rows_loaded"], log["rows_skipped"]) == (3, 2, 3)


def test_signatures_written_in_the_key_column_are_footer_rows(tmp_path):
    """Exports put the signature block under the first column as often as under the others: a
    signature or a date line in the record-key column is no key, so the row is a footer row."""
    root = landing(tmp_path)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(DOSSIER_HEADERS)
    ws.append(dossier(1))
    ws.append(["Hà Nội, ngày 05 tháng 02 năm 2024"])
    ws.append(["NGƯỜI LẬP BIỂU", None, None, None, "THỦ TRƯỞNG ĐƠN VỊ"])
    ws.append(["(Ký, ghi rõ họ tên)"])
    wb.save(month_dir(root) / "igate__signed.xlsx")
    db = load_event(tmp_path, root)
    assert query(db, "SELECT dossier_id FROM staging.stg_dossiers") == [(dossier(1)[0],)]
    assert query(db, "SELECT count(*) FROM quality.quarantine") == [(0,)]
    log = file_log(db, "dossiers")[0]
    assert_accounting(log)
    assert (log["rows_footer"], log["rows_skipped"]) == (3, 4)


HEADERS_OF = {
    "surveys": ["Mã đánh giá", "Mã đơn vị", "Ngày đánh giá", "Mức độ hài lòng"],
    "feedback": ["Mã PAKN", "Mã đơn vị xử lý", "Ngày tiếp nhận", "Trạng thái"],
    "documents": ["Mã văn bản", "Mã đơn vị", "Loại sổ", "Ngày đến", "Hình thức"],
    "email": ["Tài khoản", "Mã đơn vị", "Chức vụ", "Số ngày đăng nhập"],
}


@pytest.mark.parametrize("source", sorted(HEADERS_OF))
def test_header_only_csv_of_every_event_source_loads_zero_rows(tmp_path, source):
    """Every source goes through the same loader: a month whose export has no rows is 0 rows."""
    root = landing(tmp_path)
    (month_dir(root, source) / "igate__empty.csv").write_bytes(csv_bytes([HEADERS_OF[source]], "utf-8"))
    db = load_event(tmp_path, root, source)
    log = file_log(db, source)[0]
    assert (log["status"], log["rows_read"], log["rows_loaded"], log["rows_quarantined"], log["rows_skipped"]) == (
        "loaded", 1, 0, 0, 1), log["error"]


def test_whole_printed_document_headers_and_the_national_applicant_column(tmp_path):
    """Headers exactly as the contract prints them, slashes included, map to their field; the
    national `ChuHoSo` is the applicant beside a vendor's extra `Người nộp` (hashed as an extra)."""
    root = landing(tmp_path)
    header = ["Mã văn bản", "Mã đơn vị", "Văn bản đến / Văn bản đi (Loại sổ)", "Ngày đến / Ngày ban hành", "Hình thức",
              "Xử lý trên phần mềm / hồ sơ công việc điện tử"]
    (month_dir(root, "documents") / "qlvb__vb.csv").write_bytes(csv_bytes(
        [header, ["VB-1", "STP", "Văn bản đến", "05/01/2024", "Điện tử", "Có"]], "utf-8"))
    db = load_event(tmp_path, root, "documents")
    assert query(db, "SELECT document_id, direction, processed_online FROM staging.stg_documents") == [
        ("VB-1", "incoming", True)]
    root2 = landing(tmp_path / "b")
    national = ["MaHoSo", "MaTTHC", "MaDonVi", "KenhThucHien", "NgayTiepNhan", "NgayHenTra", "TrangThaiHoSo", "Người nộp",
                "ChuHoSo"]
    (month_dir(root2) / "dvcqg__hs.csv").write_bytes(csv_bytes(
        [national, ["HS-1", "1.001", "STP", "2", "05/01/2024 08:00", "20/01/2024 17:00", "4", "Trần Văn Bình",
                    "Nguyễn Thị An"]], "utf-8"))
    db2 = load_event(tmp_path / "b", root2)
    log = file_log(db2, "dossiers")[0]
    assert '"column": "ChuHoSo"' in log["sheets"], log["sheets"]
    name_hash, extra = query(db2, "SELECT applicant_name_hash, CAST(extra AS VARCHAR) FROM staging.stg_dossiers")[0]
    assert name_hash == hmac_hex(KEY, "Nguyễn Thị An")
    assert hmac_hex(KEY, "Trần Văn Bình") in extra and "Trần" not in extra and "Nguyễn" not in extra
