"""Property-based: arbitrary bytes, truncated files and hostile cells never crash a reader
without a clear error, and never lose a row."""

import csv
import datetime as dt
import io

import duckdb
import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_etl.ingest import Loader
from cchc_etl.warehouse import connect, ensure_schema

ORG_UNITS = "unit_code,name,level,parent_code,valid_from,valid_to,successor_code,category\nTP,Thành phố,city,,2015-01-01,,,\nSTP,Sở Tư pháp,department,TP,2015-01-01,,,\n"
HEADER = ["Mã hồ sơ", "Mã TTHC", "Mã đơn vị", "Kênh nộp", "Ngày tiếp nhận", "Hạn xử lý", "Ngày có kết quả", "Trạng thái", "Họ tên người nộp"]
GOOD = ["HS-1", "1.001", "STP", "Trực tuyến", "05/01/2024 08:30", "10/01/2024", "09/01/2024 16:00", "Đã trả kết quả", "Nguyễn Văn A"]

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def run_file(tmp_path, name: str, data: bytes):
    landing = tmp_path / "landing"
    (landing / "reference").mkdir(parents=True, exist_ok=True)
    (landing / "reference" / "org_units.csv").write_text(ORG_UNITS, encoding="utf-8")
    folder = landing / "dossiers" / "2024-01"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    (folder / name).write_bytes(data)
    db = tmp_path / "wh.duckdb"
    with connect(db) as con:
        ensure_schema(con)
        loader = Loader(con, landing, "prop-key")
        loader.load_reference("org_units")
        result = loader.load_month("dossiers", dt.date(2024, 1, 1))
        log = con.execute(
            "SELECT status, error, rows_read, rows_loaded, rows_quarantined, rows_skipped FROM quality.file_log WHERE source = 'dossiers'"
        ).fetchall()
        staged = con.execute("SELECT count(*) FROM staging.stg_dossiers").fetchone()[0]
        quarantined = con.execute("SELECT count(*) FROM quality.quarantine WHERE source = 'dossiers'").fetchone()[0]
    current = [f for f in result.files if f.status != "removed"]  # the previous example's file leaves
    assert len(current) == 1 and len(log) == 1
    status, error, read, loaded, quar, skipped = log[0]
    if status == "refused":
        assert error and name in error  # a clear error naming the file
        assert staged == 0 and quarantined == 0
    else:
        assert status == "loaded"
        assert read == loaded + quar + skipped
        assert (staged, quarantined) == (loaded, quar)
    return log[0]


@SETTINGS
@given(data=st.binary(min_size=0, max_size=2000), suffix=st.sampled_from([".csv", ".xlsx", ".xls", ".parquet"]))
def test_arbitrary_bytes_are_refused_or_accounted(tmp_path, data, suffix):
    run_file(tmp_path, f"igate__fuzz{suffix}", data)


def valid_csv(rows) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


@SETTINGS
@given(cut=st.integers(min_value=1, max_value=400))
def test_truncated_files(tmp_path, cut):
    data = valid_csv([GOOD, [*GOOD[:1], "1.002", *GOOD[2:]]] * 3)
    run_file(tmp_path, "igate__cut.csv", data[: min(cut, len(data) - 1)])
    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    for _ in range(5):
        wb.active.append(GOOD)
    buf = io.BytesIO()
    wb.save(buf)
    xlsx = buf.getvalue()
    run_file(tmp_path, "igate__cut.xlsx", xlsx[: max(1, len(xlsx) * cut // 401)])


hostile = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40) | st.sampled_from(
    ["", " ", "\t", "'; DROP TABLE staging.stg_dossiers; --", "=CMD()", "\u0000", "Tổng cộng", "NaN", "1e308",
     "31/02/2024", "45292", "99999999999999999999", "\ufeff", "a\u0301", "\"", "\\N", "NULL"]
)


@SETTINGS
@given(cells=st.lists(st.lists(hostile, min_size=len(HEADER), max_size=len(HEADER) + 2), min_size=1, max_size=8))
def test_hostile_cells_never_lose_a_row(tmp_path, cells):
    rows = [[c.replace("\x00", "") for c in row] for row in cells]
    status, error, read, loaded, quar, skipped = run_file(tmp_path, "igate__hostile.csv", valid_csv([GOOD, *rows]))
    assert status == "loaded", error
    assert loaded >= 1  # the good row survives whatever its neighbours hold
    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'stg_dossiers'").fetchone()[0] == 1
