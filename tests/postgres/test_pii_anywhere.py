"""Personal data under headers the contract does not list, in duplicated applicant columns, in
cells shifted by an unquoted comma and in quarantined rows never lands in clear text (issue 12,
defect 21).

A hand-written landing tree (CSV and XLSX, the headers as vendors write them) is run through the
real CLI, published to a real PostgreSQL database; then every text and JSON column of every table
and view of the DuckDB warehouse, of the analysts' snapshot and of the PostgreSQL database is
searched for every personal value written.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb
import openpyxl
import pytest

from tests.support import handmade_landing as hl
from tests.support.pg import TestDatabase
from tests.integration.test_cli import PII_KEY, cli_inproc, url_of

from cchc_etl.pii import hmac_hex, hmac_macro_sql, personal_header
from cchc_etl.warehouse import install_macros

PA, PB = hl.PA, hl.PB


class Bare(str):
    """A cell the exporter writes without quotes although it holds a comma."""

# file A (CSV, system igate): every personal header of the issue, a second applicant column, a
# vendor column of officers' names (personal values under a neutral header), a neutral note; the
# contract's own applicant columns last, so that an unquoted comma in the name pushes the phone
# past the header into an unnamed column
A_HEADER = [
    "Mã hồ sơ", "Mã thủ tục", "Mã đơn vị", "Kênh nộp", "Ngày tiếp nhận", "Hạn xử lý", "Ngày có kết quả", "Trạng thái",
    "Người nộp", "Họ và tên", "Số CCCD/CMND", "Số CMND", "Di động", "SoDienThoaiChuHoSo", "Email", "Địa chỉ",
    "Cán bộ xử lý", "Ghi chú", "Họ tên người nộp", "Số CMND/CCCD", "Số điện thoại",
]
A_ROWS = [
    ["IG-01", PA, "STP", "Trực tuyến", "2024-01-05 08:00:00", "2024-01-12 17:00:00", "2024-01-10 10:00:00", "Đã trả kết quả",
     "Đặng Thị Người Nộp", "Võ Văn Hovaten", "079301000011", "024301000012", "0912000013", "0912000014",
     "vo.hovaten@example.vn", "12 Lý Tự Trọng, phường Bến Nghé, Quận 1", "Bùi Văn Cánbộ", "hồ sơ đầy đủ",
     "Đặng Thị Nộp Hai", "079301000015", "0912000016"],
    # the name written with an unquoted comma: every later cell moves one to the right
    ["IG-02", PB, "STP", "Trực tiếp", "2024-01-08 09:00:00", "2024-01-22 17:00:00", "", "Đang xử lý",
     "Ngô Văn Shift", "Ngô Văn Shift", "079301000021", "024301000022", "0912000023", "0912000024",
     "ngo.shift@example.vn", "45 Nguyễn Huệ, phường Bến Thành, Quận 1", "Bùi Văn Cánbộ", "",
     Bare("Hứa Văn Phẩy, Kiều Thị Tách"), "079301000025", "0912000026"],
    # quarantined: an unknown status word; personal data in every column
    ["IG-03", PA, "STP", "Trực tuyến", "2024-01-09 08:00:00", "2024-01-16 17:00:00", "", "Lưu trữ",
     "Lại Văn Quarantine", "Lại Văn Quarantine", "079301000031", "024301000032", "0912000033", "0912000034",
     "lai.q@example.vn", "7 Pasteur, phường Bến Nghé, Quận 1", "Quách Thị Cánbộ", "",
     "Lại Văn Quarantine", "079301000035", "0912000036"],
]
# file B (XLSX, system vnpt): other spellings, typed number cells for ID and phone, and a vendor
# column whose header says nothing but whose values are personal
B_HEADER = ["Số hồ sơ", "Mã TTHC", "Mã cơ quan", "Hình thức nộp", "Ngày nhận", "Hẹn trả", "Ngày hoàn thành", "Tình trạng",
            "Họ tên người nộp", "Người nộp", "Số CMND", "Di động", "Email", "Địa chỉ", "Thông tin thêm"]
B_ROWS = [
    ["VN-01", PA, "SNN", "Trực tuyến", "2024-01-10 08:00:00", "2024-01-24 17:00:00", "2024-01-20 10:00:00", "Đã trả kết quả",
     "Phùng Văn Excel", "Phùng Thị Excel Hai", 212345671, 912000041, "phung.excel@example.vn",
     "Thôn 3, xã Hòa Phú, huyện Hòa Vang", "phung.lienhe@example.vn"],
    ["VN-02", PB, "SNN", "Trực tiếp", "2024-01-11 08:00:00", "2024-01-25 17:00:00", "", "Chờ bổ sung",
     "Giang Văn Excel", "Giang Thị Excel Hai", 212345672, 912000042, "giang.excel@example.vn",
     "Số 5 ngõ 12 phố Huế, Hà Nội", "0987000043"],
    ["VN-03", PB, "SNN", "Trực tiếp", "2024-01-12 08:00:00", "2024-01-26 17:00:00", "", "Đang xử lý",
     "Diệp Văn Excel", "Diệp Thị Excel Hai", 212345673, 912000044, "",
     "", "Trương Thị Liênhệ"],
]
# file C (CSV, system hcc): the name before the status, written with an unquoted comma: the second
# half of the name lands in the status column (the row is quarantined, and the reason quotes it)
C_HEADER = ["Mã hồ sơ", "Mã thủ tục", "Mã đơn vị", "Kênh nộp", "Ngày tiếp nhận", "Hạn xử lý", "Ngày có kết quả",
            "Họ tên người nộp", "Trạng thái"]
C_ROWS = [
    ["HC-01", PA, "STP", "Trực tuyến", "2024-01-15 08:00:00", "2024-01-22 17:00:00", "2024-01-19 10:00:00",
     "Tống Văn Trước", "Đã trả kết quả"],
    ["HC-02", PA, "STP", "Trực tuyến", "2024-01-16 08:00:00", "2024-01-23 17:00:00", "2024-01-19 10:00:00",
     Bare("Lã Văn Đầu, Mạc Thị Cuối"), "Đã trả kết quả"],
]

NOT_PERSONAL = {"hồ sơ đầy đủ", "IG-01", "VN-02", "HC-01"}
# every personal value written (file C's first name is hashed as the contract's applicant_name)
PERSONAL = sorted(
    {str(v) for row in A_ROWS for v in row[8:17] + row[18:] if v}
    | {"Hứa Văn Phẩy", "Kiều Thị Tách"}
    | {str(v) for row in B_ROWS for v in row[8:] if v}
    | {"Tống Văn Trước", "Lã Văn Đầu", "Mạc Thị Cuối"}
)
PERSONAL = sorted(set(PERSONAL) - {"Hứa Văn Phẩy, Kiều Thị Tách", "Lã Văn Đầu, Mạc Thị Cuối"})


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """Quoted where a cell holds a comma, except the ``Bare`` cells (a careless exporter)."""
    path.parent.mkdir(parents=True, exist_ok=True)

    def line(cells) -> str:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(cells)
        return buf.getvalue()

    lines = [line(header)] + [",".join(c if isinstance(c, Bare) else line([c]) for c in row) for row in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))


def _write_xlsx(path: Path, header: list[str], rows: list[list]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["BÁO CÁO HỒ SƠ TIẾP NHẬN THÁNG 01/2024"])
    ws.append(header)
    for row in rows:
        ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def build_landing(landing: Path) -> None:
    hl._write_utf8_csv(landing / "reference" / "org_units.csv", hl.ORG_UNITS_HEADER, hl.ORG_UNITS)
    hl._write_utf8_csv(landing / "reference" / "procedures.csv", hl.PROCEDURES_HEADER, hl.PROCEDURES)
    _write_csv(landing / "dossiers" / "2024-01" / "igate__personal.csv", A_HEADER, A_ROWS)
    _write_xlsx(landing / "dossiers" / "2024-01" / "vnpt__personal.xlsx", B_HEADER, B_ROWS)
    _write_csv(landing / "dossiers" / "2024-01" / "hcc__shifted.csv", C_HEADER, C_ROWS)


@pytest.fixture(scope="module")
def run(tmp_path_factory, pg_database: TestDatabase):
    base = tmp_path_factory.mktemp("pii_anywhere")
    build_landing(base / "landing")
    wh = base / "warehouse.duckdb"
    result = cli_inproc("run", "--landing", base / "landing", "--warehouse", url_of(wh), "--from", "2024-01", "--to", "2024-01",
                        "--publish", pg_database.url)
    assert result.rc == 0, result.explain()
    return wh, pg_database


def _forms(value: str) -> set[str]:
    """A value as it could appear in a text or JSON column."""
    return {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}


def _leaks(texts: dict[str, str]) -> list[str]:
    return [f"{where}: {value!r}" for where, text in texts.items() for value in PERSONAL
            if any(form in text for form in _forms(value))]


def duckdb_texts(path: Path) -> dict[str, str]:
    """Every text / JSON column of every table and view, as one string per column."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        cols = con.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE table_catalog = current_database() AND (data_type IN ('VARCHAR', 'JSON') OR data_type LIKE '%[]' "
            "OR data_type LIKE 'STRUCT%' OR data_type LIKE 'MAP%') AND table_schema NOT IN ('information_schema', 'pg_catalog')"
        ).fetchall()
        assert len(cols) > 50, cols  # the whole warehouse, not an empty file
        out = {}
        for schema, table, column in cols:
            text = con.execute(f'SELECT string_agg(CAST("{column}" AS VARCHAR), chr(10)) FROM "{schema}"."{table}"').fetchone()[0]
            out[f"{schema}.{table}.{column}"] = text or ""
        return out
    finally:
        con.close()


def test_headers_that_name_personal_data():
    for header in ("Họ và tên", "Số CCCD/CMND", "Số CMND", "Di động", "SoDienThoaiChuHoSo", "Email", "Địa chỉ", "Người nộp",
                   "Họ tên chủ hồ sơ", "Số hộ chiếu", "Mã số thuế cá nhân", "SĐT liên hệ", "Mobile", "E-mail", "Nơi thường trú",
                   "HO VA TEN", "dia_chi_thuong_tru"):
        assert personal_header(header), header
    for header in ("Ghi chú", "Cán bộ xử lý", "Thông tin thêm", "Mã hồ sơ liên thông", "Số tiền phí", "Lĩnh vực"):
        assert not personal_header(header), header


@pytest.mark.parametrize("value, personal", [
    ("Nguyễn Văn An", True), ("NGUYỄN THỊ BÌNH", True), ("Lò Văn Páo", True), ("079123456789", True), ("123456789", True),
    ("0912 345 678", True), ("+84 912 345 678", True), ("091.234.5678", True), ("an.nguyen@gmail.com", True),
    ("Liên hệ 0912345678 giờ hành chính", True), ("12 Nguyễn Huệ, phường Bến Nghé, Quận 1", True),
    ("Số 5 ngõ 12 phố Huế", True), ("Thôn 3, xã Hòa Phú, huyện Hòa Vang", True), ("0101234567-001", True),
    ("hồ sơ đầy đủ", False), ("Đang xử lý", False), ("15 ngày làm việc", False), ("3 lần, do thiếu giấy tờ", False),
    ("2024-01-31 18:00", False), ("31/01/2024 08:30", False), ("1.000001.000.00.00.H29", False),
    ("000.00.12.H29-240101-0001", False), ("Ủy ban nhân dân Phường Bến Nghé", False), ("150000", False), ("Trực tuyến", False),
])
def test_values_that_look_personal(value, personal):
    con = duckdb.connect()
    install_macros(con)
    con.execute(hmac_macro_sql("k"))
    assert con.execute("SELECT cchc_personal(?)", [value]).fetchone()[0] is personal


def test_no_personal_value_in_clear_anywhere_in_the_warehouse(run):
    wh, _ = run
    texts = duckdb_texts(wh)
    assert not _leaks(texts), _leaks(texts)
    # the scan can find what is there: the non-personal values are kept as written
    missing = [v for v in NOT_PERSONAL if not any(v in t for t in texts.values())]
    assert not missing, missing


def test_no_personal_value_in_clear_in_the_analysts_snapshot(run):
    wh, _ = run
    snapshot = wh.with_name("warehouse_snapshot.duckdb")
    assert snapshot.exists()
    texts = duckdb_texts(snapshot)
    assert not _leaks(texts), _leaks(texts)


def test_no_personal_value_in_clear_in_postgresql(run):
    _, db = run
    cols = db.fetch("SELECT table_schema, table_name, column_name FROM information_schema.columns "
                    "WHERE table_schema NOT IN ('information_schema', 'pg_catalog') "
                    "AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY')")
    assert any(c[1] == "quarantine" for c in cols), cols
    texts = {}
    for schema, table, column in cols:
        texts[f"{schema}.{table}.{column}"] = db.fetch(
            f'SELECT coalesce(string_agg(CAST("{column}" AS text), chr(10)), \'\') FROM "{schema}"."{table}"')[0][0]
    assert not _leaks(texts), _leaks(texts)
    assert "IG-03" in texts["quality.quarantine.raw_values"]


def test_personal_extras_are_the_keyed_hash(run):
    """Hashed with the PII key, like the contract's PII fields (the same value, the same hash)."""
    wh, _ = run
    con = duckdb.connect(str(wh), read_only=True)
    try:
        extra = dict(con.execute("SELECT dossier_id, extra FROM staging.stg_dossiers").fetchall())
        staged = con.execute("SELECT applicant_email_hash, applicant_address_hash FROM staging.stg_dossiers "
                             "WHERE dossier_id = 'VN-01'").fetchone()
        raw_values = dict(con.execute("SELECT row_number, raw_values FROM quality.quarantine").fetchall())
        reasons = [r[0] for r in con.execute("SELECT reason FROM quality.quarantine").fetchall()]
    finally:
        con.close()
    a1 = json.loads(extra["IG-01"])
    for header, value in (("Di động", "0912000013"), ("Họ và tên", "Võ Văn Hovaten"), ("Số CMND", "024301000012"),
                          ("SoDienThoaiChuHoSo", "0912000014"), ("Cán bộ xử lý", "Bùi Văn Cánbộ")):
        assert a1[header] == hmac_hex(PII_KEY, value), header
    assert a1["Ghi chú"] == "hồ sơ đầy đủ"
    # one of the two applicant columns is the field, the other an extra: hashed alike
    assert hmac_hex(PII_KEY, "Đặng Thị Nộp Hai") in a1.values() or hmac_hex(PII_KEY, "Đặng Thị Người Nộp") in a1.values()
    # the shifted row: the phone beyond the header, in an unnamed column
    shifted = json.loads(extra["IG-02"])
    assert shifted["column_22"] == hmac_hex(PII_KEY, "0912000026")
    # the new contract fields
    assert staged == (hmac_hex(PII_KEY, "phung.excel@example.vn"), hmac_hex(PII_KEY, "Thôn 3, xã Hòa Phú, huyện Hòa Vang"))
    # typed numbers in the XLSX and a neutral header with personal values
    b2 = json.loads(extra["VN-02"])
    assert b2["Thông tin thêm"] == hmac_hex(PII_KEY, "0987000043")
    # quarantined rows: IG-03 (row 4 of file A) and HC-02 (row 3 of file C)
    assert len(raw_values) == 2 and any("IG-03" in v for v in raw_values.values()), raw_values
    assert any("không thuộc danh mục" in r for r in reasons)


def test_a_warehouse_made_before_the_new_contract_fields_gains_their_columns(tmp_path):
    """applicant_email / applicant_address are appended to an existing staging table (its rows
    are reloaded by the changed contract fingerprint); nothing else changes."""
    from cchc_etl.contract import load_source
    from cchc_etl.staging import staging_ddl
    from cchc_etl.warehouse import ensure_schema

    spec = load_source("dossiers")
    old_ddl = "\n".join(line for line in staging_ddl(spec).splitlines()
                        if "applicant_email_hash" not in line and "applicant_address_hash" not in line)
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    try:
        con.execute(old_ddl)
        before = [r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'stg_dossiers'").fetchall()]
        assert "applicant_email_hash" not in before
        install_macros(con)
        ensure_schema(con)
        after = [r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'stg_dossiers'").fetchall()]
    finally:
        con.close()
    assert after == before + ["applicant_email_hash", "applicant_address_hash"]
