"""Readers on real files in the contract's formats, loaded through the real staging SQL."""

import codecs
import datetime as dt
import unicodedata
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cchc_etl.contract import load_source
from cchc_etl.ingest import Loader
from cchc_etl.pii import hmac_hex
from cchc_etl.readers import FileRefused, read_raw
from cchc_etl.readers.csv_reader import detect_encoding
from cchc_etl.warehouse import connect, ensure_schema, install_macros

KEY = "reader-test-key"
ORG_UNITS = "unit_code,name,level,parent_code,valid_from,valid_to,successor_code,category\nTP,Thành phố,city,,2015-01-01,,,\nSTP,Sở Tư pháp,department,TP,2015-01-01,,,\n"

HEADERS_VI = ["Mã hồ sơ", "Mã TTHC", "Mã đơn vị", "Kênh nộp", "Ngày tiếp nhận", "Hạn xử lý", "Ngày có kết quả",
              "Trạng thái", "Họ tên người nộp", "Số CMND/CCCD"]
ROWS = [
    ["HS-001", "1.001", "STP", "Trực tuyến", "05/01/2024 08:30", "10/01/2024", "09/01/2024 16:00", "Đã trả kết quả", "Nguyễn Thị Hoà", "079123456789"],
    ["HS-002", "1.001", "STP", "Bưu chính công ích", "06/01/2024", "12/01/2024", "", "Đang xử lý", "Lê Văn Bình", "079123456788"],
    ["HS-003", "1.002", "STP", "Trực tiếp", "2024-01-07T09:00:00", "2024-01-15", "2024-01-16 10:00", "Đã có kết quả", "Trần Hùng", "079123456787"],
]


def landing_with(tmp_path: Path, name: str, writer) -> Path:
    landing = tmp_path / "landing"
    (landing / "reference").mkdir(parents=True)
    (landing / "reference" / "org_units.csv").write_text(ORG_UNITS, encoding="utf-8")
    folder = landing / "dossiers" / "2024-01"
    folder.mkdir(parents=True)
    writer(folder / name)
    return landing


def load(tmp_path: Path, landing: Path):
    with connect(tmp_path / "wh.duckdb") as con:
        ensure_schema(con)
        loader = Loader(con, landing, KEY)
        loader.load_reference("org_units")
        result = loader.load_month("dossiers", dt.date(2024, 1, 1))
        staged = con.execute(
            "SELECT dossier_id, channel, status, received_at, due_at, resolved_at, applicant_name_hash, row_number "
            "FROM staging.stg_dossiers ORDER BY dossier_id"
        ).fetchall()
        quarantine = con.execute("SELECT row_number, column_name, reason FROM quality.quarantine WHERE source = 'dossiers' ORDER BY row_number").fetchall()
        log = con.execute("SELECT rows_read, rows_loaded, rows_quarantined, rows_skipped, status, error, encoding FROM quality.file_log WHERE source = 'dossiers'").fetchall()
    return result, staged, quarantine, log


def assert_three_rows(staged, first_row: int):
    assert [r[0] for r in staged] == ["HS-001", "HS-002", "HS-003"]
    assert [r[1] for r in staged] == ["online", "postal", "direct"]
    assert [r[2] for r in staged] == ["returned", "processing", "resolved"]
    assert staged[0][3] == dt.datetime(2024, 1, 5, 8, 30)
    assert staged[0][4] == dt.datetime(2024, 1, 10, 23, 59, 59, 999999)  # a date-only deadline: the end of that day
    assert staged[1][5] is None
    assert staged[2][5] == dt.datetime(2024, 1, 16, 10, 0)
    # PII hashed with the key (names normalised to NFC before hashing), never in clear
    assert staged[0][6] == hmac_hex(KEY, "Nguyễn Thị Hoà")
    assert [r[7] for r in staged] == [first_row, first_row + 1, first_row + 2]


def cp1258_bytes(text: str) -> bytes:
    """Windows-1258 as Vietnamese systems write it: base letters (â, ơ, ư...) plus combining tones."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], parts[1:]
        for mark in list(marks):  # fold the vowel mark (circumflex, breve, horn) into the base
            combined = unicodedata.normalize("NFC", base + mark)
            if len(combined) == 1 and combined.encode("cp1258", errors="ignore"):
                base = combined
                marks = marks.replace(mark, "", 1)
        out += (base + marks).encode("cp1258")
    return bytes(out)


def write_csv(path: Path, encoding: str, delimiter: str = ",", rows=ROWS, headers=HEADERS_VI, bom: bool = False):
    text = "\r\n".join(delimiter.join(r) for r in [headers, *rows]) + "\r\n"
    data = cp1258_bytes(text) if encoding == "cp1258" else text.encode(encoding)
    if bom and encoding.startswith("utf-16"):
        data = codecs.BOM_UTF16_LE + data
    elif bom:
        data = codecs.BOM_UTF8 + data
    path.write_bytes(data)


@pytest.mark.parametrize(
    "encoding,delimiter,bom,detected",
    [("utf-8", ",", True, "utf-8-sig"), ("utf-8", ";", False, "utf-8"), ("utf-16-le", "\t", True, "utf-16"), ("cp1258", ",", False, "cp1258")],
)
def test_csv_encodings_load_identically(tmp_path, encoding, delimiter, bom, detected):
    landing = landing_with(tmp_path, "igate__a.csv", lambda p: write_csv(p, encoding, delimiter, bom=bom))
    assert detect_encoding(landing / "dossiers/2024-01/igate__a.csv") == detected
    result, staged, quarantine, log = load(tmp_path, landing)
    assert quarantine == []
    assert_three_rows(staged, first_row=2)
    assert log == [(4, 3, 0, 1, "loaded", None, detected)]
    # plain files take DuckDB's parallel scanner, not the exact Python fallback
    raw = read_raw(landing / "dossiers/2024-01/igate__a.csv", load_source("dossiers"), workdir=tmp_path)
    assert raw.sql is not None and raw.table is None


def test_cp1258_nfd_headers_and_values_become_nfc(tmp_path):
    # Windows-1258 stores Vietnamese with combining tone marks: decoded text is NFD-like
    rows = [[unicodedata.normalize("NFD", c) for c in r] for r in ROWS]
    headers = [unicodedata.normalize("NFD", h) for h in HEADERS_VI]
    landing = landing_with(tmp_path, "vnpt__a.csv", lambda p: write_csv(p, "cp1258", rows=rows, headers=headers))
    _, staged, quarantine, _ = load(tmp_path, landing)
    assert quarantine == []
    assert_three_rows(staged, first_row=2)


def test_headers_without_diacritics_upper_case_and_snake_case(tmp_path):
    headers = ["MA HO SO", "ma_thu_tuc", "Ma  don   vi", "KENH NOP", "ngay_tiep_nhan", "Han xu ly", "NGAY CO KET QUA", "trang thai", "Ho ten nguoi nop", "So CMND/CCCD"]
    landing = landing_with(tmp_path, "igate__a.csv", lambda p: write_csv(p, "utf-8", headers=headers))
    _, staged, quarantine, _ = load(tmp_path, landing)
    assert quarantine == []
    assert_three_rows(staged, first_row=2)


def write_xlsx(path: Path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["BÁO CÁO DANH SÁCH HỒ SƠ"])
    ws.append(["Kỳ báo cáo: tháng 01/2024"])
    ws.append([])
    ws.append(["STT", *HEADERS_VI, "Ghi chú nội bộ"])
    for i, r in enumerate(ROWS, 1):
        cells = list(r)
        cells[4] = dt.datetime(2024, 1, 5, 8, 30) if i == 1 else cells[4]  # a real date cell
        ws.append([i, *cells, "ghi chú" if i == 2 else None])
    ws.append([])
    # the count under a column that is not the record key (a key makes a row a record, never a total)
    ws.append(["Tổng cộng", *([None] * len(HEADERS_VI)), 3])
    wb.save(path)


def test_xlsx_title_rows_blank_and_total_rows(tmp_path):
    landing = landing_with(tmp_path, "igate__a.xlsx", write_xlsx)
    result, staged, quarantine, log = load(tmp_path, landing)
    assert quarantine == []
    assert_three_rows(staged, first_row=5)
    # 3 title rows (incl. an empty one) + header + 3 data + blank + total
    assert log == [(9, 3, 0, 6, "loaded", None, None)]
    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:
        extra = con.execute("SELECT extra FROM staging.stg_dossiers WHERE dossier_id = 'HS-002'").fetchone()[0]
        blank_total = con.execute("SELECT rows_blank, rows_total, header_row FROM quality.file_log WHERE source='dossiers'").fetchone()
    assert '"Ghi chú nội bộ":"ghi chú"' in extra.replace(": ", ":")
    assert blank_total == (1, 1, 4)


def test_xls_legacy_workbook(tmp_path):
    xlwt = pytest.importorskip("xlwt")

    def write(path):
        wb = xlwt.Workbook(encoding="utf-8")
        ws = wb.add_sheet("Sheet1")
        ws.write(0, 0, "DANH SÁCH HỒ SƠ")
        for c, h in enumerate(HEADERS_VI):
            ws.write(1, c, h)
        for r, row in enumerate(ROWS, 2):
            for c, v in enumerate(row):
                ws.write(r, c, v)
        wb.save(str(path))

    landing = landing_with(tmp_path, "igate__a.xls", write)
    _, staged, quarantine, log = load(tmp_path, landing)
    assert quarantine == []
    assert_three_rows(staged, first_row=3)
    assert log[0][:4] == (5, 3, 0, 2)


def test_parquet_typed_columns(tmp_path):
    def write(path):
        table = pa.table({
            "dossier_id": ["HS-001", "HS-002", "HS-003"],
            "procedure_code": ["1.001", "1.001", "1.002"],
            "unit_code": ["STP", "STP", "STP"],
            "channel": ["2", "3", "1"],
            "received_at": pa.array([dt.datetime(2024, 1, 5, 8, 30), dt.datetime(2024, 1, 6), dt.datetime(2024, 1, 7, 9)], pa.timestamp("us")),
            "due_at": pa.array([dt.date(2024, 1, 10), dt.date(2024, 1, 12), dt.date(2024, 1, 15)], pa.date32()),
            "resolved_at": pa.array([dt.datetime(2024, 1, 9, 16), None, dt.datetime(2024, 1, 16, 10)], pa.timestamp("us")),
            "status": [10, 4, 9],
            "applicant_name": ["Nguyễn Thị Hoà", "Lê Văn Bình", "Trần Hùng"],
        })
        pq.write_table(table, path)

    landing = landing_with(tmp_path, "lgsp__a.parquet", write)
    _, staged, quarantine, log = load(tmp_path, landing)
    assert quarantine == []
    assert_three_rows(staged, first_row=1)
    assert log[0][:4] == (3, 3, 0, 0)


def test_csv_with_blank_lines_and_quoted_line_breaks_keeps_row_numbers(tmp_path):
    def write(path):
        lines = [",".join(HEADERS_VI), ",".join(ROWS[0]), "", '"' + '","'.join(ROWS[1][:-2]) + '","Lê Văn\nBình","1"', ",".join(ROWS[2])]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    landing = landing_with(tmp_path, "igate__a.csv", write)
    _, staged, quarantine, log = load(tmp_path, landing)
    assert quarantine == []
    # header 1, HS-001 row 2, blank row 3, HS-002 row 4 (spans two lines), HS-003 row 5
    assert [r[7] for r in staged] == [2, 4, 5]
    assert log[0][:4] == (5, 3, 0, 2)


@pytest.mark.parametrize("quirk", ["quoted_line_break", "ragged_row"])
def test_utf16_quoted_line_break_or_ragged_row_keeps_row_numbers(tmp_path, quirk):
    """A UTF-16 record spanning two lines, or a row with an extra cell: DuckDB's scanner cannot
    number them, the loader notices (record count or error) and the exact path keeps every
    record's number and accounts for every row."""
    def write(path):
        second = "\t".join(ROWS[1][:-2]) + ('\t"Lê Văn\r\nBình"\t1' if quirk == "quoted_line_break" else "\tLê Văn Bình\t1\textra")
        lines = ["\t".join(HEADERS_VI), "\t".join(ROWS[0]), second, "\t".join(ROWS[2])]
        path.write_bytes(codecs.BOM_UTF16_LE + ("\r\n".join(lines) + "\r\n").encode("utf-16-le"))

    landing = landing_with(tmp_path, "igate__u16.csv", write)
    _, staged, quarantine, log = load(tmp_path, landing)
    assert quarantine == []
    # header 1, HS-001 row 2, HS-002 row 3 (a record spanning two lines, or with an extra cell), HS-003 row 4
    assert [r[7] for r in staged] == [2, 3, 4] and log[0][:4] == (4, 3, 0, 1) and log[0][6] == "utf-16"


def test_bad_rows_quarantined_with_row_column_reason(tmp_path):
    bad = [
        ["HS-010", "1.001", "STP", "Trực tuyến", "31/02/2024", "10/02/2024", "", "Đang xử lý", "", ""],
        ["HS-011", "1.001", "STP", "Trực tuyến", "05/01/2024", "10/01/2024", "", "Không rõ", "", ""],
        ["", "1.001", "STP", "Trực tuyến", "05/01/2024", "10/01/2024", "", "Đang xử lý", "", ""],
        ["HS-013", "1.001", "STP", "Trực tuyến", "05/01/2024", "10/01/2024", "04/01/2024", "Đã có kết quả", "", ""],
        ["HS-014", "1.001", "XX99", "Trực tuyến", "05/01/2024", "10/01/2024", "", "Đang xử lý", "", ""],
        ["HS-015", "1.001", "STP", "Trực tuyến", "05/01/2024", "10/02/2024", "02/02/2024", "Đã có kết quả", "", ""],
        ["HS-016", "1.001", "STP", "Trực tuyến", "2024/01/05", "10/01/2024", "", "Đang xử lý", "", ""],
    ]
    landing = landing_with(tmp_path, "igate__a.csv", lambda p: write_csv(p, "utf-8", rows=ROWS + bad))
    _, staged, quarantine, log = load(tmp_path, landing)
    assert len(staged) == 3
    assert [(r, c) for r, c, _ in quarantine] == [
        (5, "received_at"), (6, "status"), (7, "dossier_id"), (8, "resolved_at"), (9, "unit_code"), (10, "resolved_at"), (11, "received_at"),
    ]
    reasons = [reason for _, _, reason in quarantine]
    assert "31/02/2024" in reasons[0] and "Không rõ" in reasons[1] and "XX99" in reasons[4]
    assert "after the end of the reporting month" in reasons[5]
    assert log[0][:4] == (11, 3, 7, 1)


def test_no_day_month_guessing():
    con = duckdb.connect()
    install_macros(con)
    got = con.execute(
        "SELECT cchc_ts('03/04/2024'), cchc_ts('13/04/2024'), cchc_ts('04/13/2024'), cchc_ts('2024-04-03 07:05'), "
        "cchc_ts('45292'), cchc_ts('45292.5'), cchc_ts('03-04-2024 07:05:09'), cchc_ts('20240403')"
    ).fetchone()
    assert got[0] == dt.datetime(2024, 4, 3)  # dd/mm: 3 April, never March 4
    assert got[1] == dt.datetime(2024, 4, 13)
    assert got[2] is None  # mm/dd is not accepted rather than guessed
    assert got[3] == dt.datetime(2024, 4, 3, 7, 5)
    assert got[4] == dt.datetime(2024, 1, 1)  # Excel serial
    assert got[5] == dt.datetime(2024, 1, 1, 12)
    assert got[6] == dt.datetime(2024, 4, 3, 7, 5, 9)
    assert got[7] is None
    nums = con.execute("SELECT cchc_num('1.214'), cchc_num('84,64'), cchc_num('95%'), cchc_num('1.234.567,5'), cchc_num('3.5'), cchc_num('abc')").fetchone()
    assert nums == (1214.0, 84.64, 95.0, 1234567.5, 3.5, None)
    bools = con.execute(
        "SELECT list_transform(['Có', 'Không', 'x', '1', '0', 'true', 'No', 'Đã gửi', 'Chưa gửi', 'có lẽ'], v -> cchc_bool_word(cchc_fold(v)))"
    ).fetchone()[0]
    assert bools == [True, False, True, True, False, True, False, True, False, None]


def test_numbers_and_zones_on_the_macros_fast_paths():
    """Plain digits take cchc_num / cchc_int's short path, a zone's third "-" is found by LIKE: the
    values are those of the general rules (leading zeros, 15 and 16 digits, signs, units, zones)."""
    con = duckdb.connect()
    install_macros(con)
    cells = ["0", "007", "42", "999999999999999", "1234567890123456", "-5", "+5", "2 lần", "4.0", "1.214", "5,0", "3.5", "１２", "", "x"]
    got = con.execute("SELECT list_transform(?, v -> [cchc_num(nullif(v, '')), cchc_int(nullif(v, ''))])", [cells]).fetchone()[0]
    assert dict(zip(cells, got)) == {
        "0": [0, 0], "007": [7, 7], "42": [42, 42], "999999999999999": [999999999999999, 999999999999999],
        "1234567890123456": [1234567890123456, 1234567890123456], "-5": [-5, -5], "+5": [5, 5], "2 lần": [None, 2],
        "4.0": [4, 4], "1.214": [1214, 1214], "5,0": [5, 5], "3.5": [3.5, None], "１２": [None, None], "": [None, None],
        "x": [None, None]}
    zoned = con.execute("SELECT cchc_ts_any('2024-04-03T07:05:00-07:00'), cchc_ts_any('2024-04-03 07:05-0700'), "
                        "cchc_ts_any('2024-04-03T00:05:00Z'), cchc_ts_any('2024-04-03 07:05')").fetchone()
    assert zoned == (dt.datetime(2024, 4, 3, 21, 5), dt.datetime(2024, 4, 3, 21, 5), dt.datetime(2024, 4, 3, 7, 5),
                     dt.datetime(2024, 4, 3, 7, 5))


def test_refused_files_name_the_problem(tmp_path):
    spec = load_source("dossiers")
    missing = tmp_path / "igate__missing.csv"
    missing.write_text("Mã hồ sơ,Mã TTHC,Trạng thái\nA,B,1\n", encoding="utf-8")
    with pytest.raises(FileRefused, match="required column.*unit_code"):
        read_raw(missing, spec)
    corrupt = tmp_path / "igate__corrupt.xlsx"
    corrupt.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(FileRefused, match="igate__corrupt.xlsx"):
        read_raw(corrupt, spec)
    noheader = tmp_path / "igate__noheader.csv"
    noheader.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(FileRefused, match="no header row"):
        read_raw(noheader, spec)


def test_refused_file_does_not_stop_the_month(tmp_path):
    def write(path):
        write_csv(path, "utf-8")
        (path.parent / "vnpt__broken.xlsx").write_bytes(b"garbage")

    landing = landing_with(tmp_path, "igate__a.csv", write)
    result, staged, _, log = load(tmp_path, landing)
    assert len(staged) == 3
    assert [f.relative for f in result.refused] == ["dossiers/2024-01/vnpt__broken.xlsx"]
    statuses = sorted((row[4], row[5] is not None) for row in log)
    assert statuses == [("loaded", False), ("refused", True)]


def test_system_profile_maps_vendor_headers(tmp_path):
    """assets/profiles/example_vendor.yaml: a vendor that spells every column its own way."""
    headers = ["Số hồ sơ hệ thống", "Mã dịch vụ công", "Nơi tiếp nhận", "Cách thức nộp", "Thời điểm nhận", "Thời hạn",
               "Thời điểm xong", "Tình trạng xử lý", "Họ tên người nộp", "Số CMND/CCCD"]
    landing = landing_with(tmp_path, "example_vendor__a.csv", lambda p: write_csv(p, "utf-8", headers=headers))
    _, staged, quarantine, log = load(tmp_path, landing)
    assert quarantine == []
    assert_three_rows(staged, first_row=2)
    # without the profile the same file lacks required columns and is refused with their names
    other = landing_with(tmp_path / "other", "igate__a.csv", lambda p: write_csv(p, "utf-8", headers=headers))
    _, staged, _, log = load(tmp_path / "other", other)
    assert staged == [] and log[0][4] == "refused" and "dossier_id" in log[0][5]


def test_utf16_with_blank_line_takes_exact_path(tmp_path):
    def write(path):
        lines = ["\t".join(HEADERS_VI), "\t".join(ROWS[0]), "", "\t".join(ROWS[1]), "\t".join(ROWS[2])]
        path.write_bytes(codecs.BOM_UTF16_LE + ("\r\n".join(lines) + "\r\n").encode("utf-16-le"))

    landing = landing_with(tmp_path, "igate__u16.csv", write)
    _, staged, quarantine, log = load(tmp_path, landing)
    assert quarantine == []
    assert [r[7] for r in staged] == [2, 4, 5]
    assert log[0][:4] == (5, 3, 0, 2) and log[0][6] == "utf-16"


def test_xlsx_legacy_fonts_become_unicode(tmp_path):
    """Header and data typed in TCVN3 (.VnTime) and VNI (VNI-Times) fonts load as Unicode NFC."""
    from openpyxl.styles import Font

    from cchc_etl.readers.legacy import TCVN3_TABLE

    def to_tcvn3(text):
        reverse = {v: k for k, v in TCVN3_TABLE.items()}
        return "".join(reverse.get(ch, ch) for ch in unicodedata.normalize("NFC", text))

    def write(path):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append([to_tcvn3("BÁO CÁO DANH SÁCH HỒ SƠ")])
        ws["A1"].font = Font(name=".VnTime")
        ws.append(HEADERS_VI)
        for cell in ws[2]:
            cell.font = Font(name=".VnTime")
            cell.value = to_tcvn3(cell.value)
        for r in ROWS:
            ws.append(r)
        for row in ws.iter_rows(min_row=3, max_row=5):
            for col in (3, 7, 8):  # channel, status, applicant name typed in .VnTime
                row[col].value = to_tcvn3(row[col].value)
                row[col].font = Font(name=".VnTime")
        wb.save(path)

    landing = landing_with(tmp_path, "igate__legacy.xlsx", write)
    _, staged, quarantine, log = load(tmp_path, landing)
    assert quarantine == [], quarantine
    assert_three_rows(staged, first_row=3)


def test_symbol_comparators_are_not_folded_away():
    comparator = load_source("targets").field("comparator")
    assert [comparator.map_value(v) for v in [">=", "≥", ">", "<=", "<", "=", "từ", "dưới", "increase_pp", "?"]] == [
        ">=", ">=", ">", "<=", "<", "=", ">=", "<", "increase_pp", None]


@pytest.mark.parametrize("variant", ["crlf", "lone-cr", "nbsp-tab-quoted", "exact-path", "xlsx"])
def test_cells_are_trimmed_of_whitespace_the_file_holds(tmp_path, variant):
    """Cleaning tests only the whitespace characters a byte scan finds in the file: every kind
    still comes off the cell ends (space, tab, no-break space, a carriage return that does not end
    a line), CRLF line ends are not mistaken for cell content, and blank cells become NULL."""
    header = ",".join(HEADERS_VI)
    cells = [list(r) for r in ROWS]
    if variant == "crlf":
        cells[0][0] = "  HS-001 "
        text, newline = header + "\r\n" + "\r\n".join(",".join(r) for r in cells) + "\r\n", None
    elif variant == "lone-cr":  # a stray carriage return inside a quoted cell (unquoted, it ends a record)
        cells[0][0] = '"HS-001\r"'
        text = header + "\n" + "\n".join(",".join(r) for r in cells) + "\n"
    elif variant == "nbsp-tab-quoted":
        cells[0][0] = "\u00a0HS-001\t"
        cells[1][2] = "\tSTP\u00a0"
        text = header + "\n" + "\n".join(",".join(f'"{c}"' for c in r) for r in cells) + "\n"
    elif variant == "exact-path":  # a blank line sends the file to the exact (Python csv) path
        cells[0][0] = "\u00a0 HS-001 "
        text = header + "\n" + ",".join(cells[0]) + "\n\n" + "\n".join(",".join(r) for r in cells[1:]) + "\n"
    if variant == "xlsx":
        def write(path):
            wb = openpyxl.Workbook()
            ws = wb.active
            ws.append(HEADERS_VI)
            cells[0][0] = " HS-001\u00a0"
            cells[1][3] = "  Bưu chính công ích\t"
            for r in cells:
                ws.append(r)
            wb.save(path)
        landing = landing_with(tmp_path, "sys__export.xlsx", write)
    else:
        landing = landing_with(tmp_path, "sys__export.csv", lambda p: p.write_bytes(text.encode("utf-8")))
    result, staged, quarantine, log = load(tmp_path, landing)
    assert quarantine == []
    assert [r[0] for r in staged] == ["HS-001", "HS-002", "HS-003"]
    assert [r[1] for r in staged] == ["online", "postal", "direct"]
    rows_read, loaded, quarantined, skipped, status, _, _ = log[0]
    assert (loaded, quarantined, status) == (3, 0, "loaded") and rows_read == loaded + quarantined + skipped


def test_sql_fold_equals_python_fold():
    """Coded values that match no spelling as written are folded in SQL (cchc_fold); header
    matching folds in Python (cchc_etl.text.fold): both must give the same key."""
    import unicodedata as ud

    from cchc_etl.text import fold

    values = ["Trực tuyến", "TRỰC TUYẾN", ud.normalize("NFD", "Trực tuyến"), "TrucTuyen", "DVC trực tuyến",
              "Bưu chính công ích", "Đã trả kết quả", "đã  trả—kết_quả", "Mức độ 4", " Toàn trình ", "aBcD",
              "HTTPServer", "x", "Có", "KHÔNG", "1", "Tổng cộng:", "hoà", "hòa", "Công dân rút hồ sơ"]
    con = duckdb.connect()
    install_macros(con)
    got = con.execute("SELECT list_transform(?, v -> cchc_fold(v))", [values]).fetchone()[0]
    assert got == [fold(v) for v in values]


@pytest.mark.parametrize("chunk", [2, 6, 64, 1 << 20])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le"])
def test_line_stats_equal_a_plain_count_across_chunk_boundaries(tmp_path, monkeypatch, chunk, encoding):
    """The chunked, threaded scan counts lines and finds lone carriage returns, quotes, tabs,
    no-break spaces and combining marks exactly as a plain pass over the text, wherever the
    chunk boundaries fall (CR LF pairs split across two pieces included)."""
    from cchc_etl.readers import csv_reader

    monkeypatch.setattr(csv_reader, "CHUNK", chunk)
    stats = csv_reader._line_stats_utf16 if encoding == "utf-16-le" else csv_reader._line_stats
    texts = {
        "crlf": "a,b\r\nc,d\r\ne,f\r\n",
        "lone_cr": "a,b\r\nc\rx,d\r\n",
        "cr_last": "a,b\r\nc,d\r",
        "open_end": "a,b\nc,d",
        "quoted_tab_nbsp": 'a,"b\tc"\nd,e\xa0\n',
        "nfd": "a," + unicodedata.normalize("NFD", "Hoà") + "\nb,c\n",
        "nfc": "a,Hoà Bình\nb,c\n",
        "nul": "a,b\x00c\nd,\x00\n",
    }
    for name, text in texts.items():
        path = tmp_path / f"{name}.csv"
        path.write_bytes(text.encode(encoding))
        lines, combining, trim, nul = stats(path, ",")
        expected_lines = text.count("\n") + (not text.endswith("\n"))
        lone_cr = text.count("\r") != text.count("\r\n")
        expected_trim = " " + ("\t" if "\t" in text else "") + ("\r" if lone_cr else "") + ("\xa0" if "\xa0" in text else "")
        expected_combining = any(0x300 <= ord(c) < 0x370 for c in text)
        assert (lines, combining, trim, nul) == (expected_lines, expected_combining, expected_trim, "\x00" in text), name
    stray = tmp_path / "stray.csv"  # an odd trailing byte is no unit: no line
    stray.write_bytes(b"\xff")
    assert stats(stray, ",")[0] == (0 if encoding == "utf-16-le" else 1)


@pytest.mark.parametrize("blank_line", [False, True])
def test_count_text_streams_what_materialize_text_stores(tmp_path, blank_line):
    """The readers' benchmark measure (cells cleaned and counted, nothing stored) agrees with the
    clean text rows copied into a table, on the fast path and after the fallback a blank line
    forces (UTF-16, NFD text, padded cells)."""
    rows = [[unicodedata.normalize("NFD", c) for c in r] for r in ROWS]
    rows[1][6] = "   "  # blank after trimming
    rows[2][8] = " Trần Hùng\xa0"
    lines = ["\t".join(HEADERS_VI), *("\t".join(r) for r in rows)]
    if blank_line:
        lines.insert(2, "")
    path = tmp_path / "igate__u16.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + ("\r\n".join(lines) + "\r\n").encode("utf-16-le"))
    spec = load_source("dossiers")
    with connect(tmp_path / "wh.duckdb") as con:
        loader = Loader(con, tmp_path, KEY)
        raw, counts = loader.count_text(spec, read_raw(path, spec, workdir=tmp_path))
        assert (raw.sql is None) == blank_line  # the exact path took over
        raw, n = loader.materialize_text(spec, read_raw(path, spec, workdir=tmp_path))
        stored = con.execute("SELECT count(*), " + ", ".join(f"count(c{i})" for i in range(raw.n_columns)) + " FROM raw_text").fetchone()
        names = con.execute("SELECT c8 FROM raw_text ORDER BY c0").fetchall()
    assert counts == list(stored) and counts[0] == n == 3 + blank_line  # a blank line is a row (loading skips it)
    assert counts[7] == 2  # the blank resolved_at cell is NULL
    assert names[2][0] == "Trần Hùng" and unicodedata.is_normalized("NFC", names[0][0])


def test_staged_text_columns_have_named_compression(tmp_path):
    """The staging DDL names DuckDB's compression where the contract says enough (PII hashes and
    the key: FSST; enums and catalogue codes: dictionary), DuckDB stores the columns so, and a
    contract naming an unknown method is refused with the file and field."""
    from cchc_etl.contract import _load

    with connect(tmp_path / "wh.duckdb") as con:
        ensure_schema(con)
        con.execute(
            "INSERT INTO staging.stg_dossiers (month, system, file_path, row_number, dossier_id, procedure_code, status, "
            "applicant_id_hash, unit_code) SELECT DATE '2024-01-01', 'igate', 'f.csv', i, 'HS-' || i, '1.00' || (i % 9), "
            "CASE WHEN i % 3 = 0 THEN 'resolved' ELSE 'processing' END, sha256(i::VARCHAR), 'U' || (i % 7) FROM range(5000) r(i)"
        )
        con.execute("CHECKPOINT")
        stored = dict(con.execute(
            "SELECT column_name, string_agg(DISTINCT compression, ',') FROM pragma_storage_info('staging.stg_dossiers') "
            "WHERE segment_type = 'VARCHAR' GROUP BY column_name"
        ).fetchall())
    assert {c: stored[c] for c in ("applicant_id_hash", "dossier_id", "procedure_code", "status", "unit_code", "system", "file_path")} == {
        "applicant_id_hash": "FSST", "dossier_id": "FSST", "procedure_code": "Dictionary", "status": "Dictionary",
        "unit_code": "Dictionary", "system": "Dictionary", "file_path": "Dictionary",
    }
    bad = tmp_path / "bad.yaml"
    bad.write_text((Path(__file__).resolve().parents[2] / "assets/sources/dossiers.yaml").read_text(encoding="utf-8")
                   .replace("compression: dictionary", "compression: zstd", 1), encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.yaml: field procedure_code: unknown compression 'zstd'"):
        _load(bad)
    bad.write_text((Path(__file__).resolve().parents[2] / "assets/sources/dossiers.yaml").read_text(encoding="utf-8")
                   .replace("    type: ts\n", "    type: ts\n    compression: fsst\n", 1), encoding="utf-8")
    with pytest.raises(ValueError, match=r"compression applies to text columns only"):
        _load(bad)


def test_warehouse_in_newer_storage_format_is_used_without_named_compression(tmp_path):
    """A warehouse file made in DuckDB's v1.3+ storage format refuses the v1.0 compression names;
    the schema is created there without them and a month loads."""
    path = tmp_path / "wh.duckdb"
    setup = duckdb.connect()
    setup.execute(f"ATTACH '{path}' AS wh (STORAGE_VERSION 'v1.3.0')")
    setup.execute("CREATE TABLE wh.marker (x INTEGER)")
    setup.close()
    landing = landing_with(tmp_path, "igate__a.csv", lambda p: write_csv(p, "utf-8"))
    result, staged, quarantine, log = load(tmp_path, landing)  # opens the same file
    assert quarantine == [] and len(staged) == 3 and log[0][:4] == (4, 3, 0, 1)
    with connect(path) as con:
        assert con.execute("SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = current_database()").fetchone()[0].startswith("v1.3")
        kinds = {r[0] for r in con.execute("SELECT DISTINCT compression FROM pragma_storage_info('staging.stg_dossiers')").fetchall()}
    assert "FSST" not in kinds and "Dictionary" not in kinds
