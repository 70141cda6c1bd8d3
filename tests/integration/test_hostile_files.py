"""Hostile landing files (issue 16, items 1, 3 and 4): a file can neither load another file's
rows, stop its month, nor stop the month's publish.

- Glob characters in names (``[``, ``]``, ``*``, ``?``, ``{``, a backslash): each file loads its
  own rows, through the real CLI run; two files of a month carrying the same record keys with
  different content fail the blocking check ``keys_in_one_file``.
- A CSV cell longer than Python's default csv field limit (131,072) on the exact path (a blank
  line sends the file there) loads; a cell over the readers' CELL_LIMIT quarantines its row with
  its file and row, the file and the month go on; a file nothing can read (a UTF-16 export with a
  broken surrogate, a cell over the parser's limit) is refused by name, the month's other files load.
- NUL bytes in cells and headers, in CSV (UTF-8 and UTF-16), XLSX (an inline string) and Parquet,
  are removed at the readers; the month publishes to PostgreSQL (tests/support/pg.py, never skipped).

Every file is written here byte by byte (or with pyarrow / a hand-written XLSX package) the way
an export writes it.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.support import handmade_landing as hl
from tests.integration.test_cli import PII_KEY, cli_inproc, url_of

from cchc_etl.publish import publish_month  # noqa: E402
from cchc_etl.readers import csv_reader  # noqa: E402
from cchc_etl.readers.base import CELL_LIMIT  # noqa: E402
from cchc_etl.ingest import Loader  # noqa: E402
from cchc_etl.warehouse import connect, ensure_schema  # noqa: E402

JAN = "2024-01"
JAN_START = dt.date(2024, 1, 1)
HEADER = ["Mã hồ sơ", "Mã thủ tục", "Mã đơn vị", "Kênh nộp", "Ngày tiếp nhận", "Hạn xử lý", "Ngày có kết quả", "Trạng thái", "Ghi chú"]


def rows(prefix: str, n: int, status: str = "Đã trả kết quả") -> list[list[str]]:
    return [[f"{prefix}-{i:02d}", hl.PA, "STP", "Trực tuyến", f"{i + 1:02d}/01/2024 08:00", f"{i + 8:02d}/01/2024 17:00",
              f"{i + 5:02d}/01/2024 10:00", status, f"ghi chú {i}"] for i in range(1, n + 1)]


def csv_text(header: list[str], body: list[list[str]], *, blank_line: bool = False) -> str:
    import csv

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for i, r in enumerate(body):
        if blank_line and i == 1:
            buf.write("\r\n")
        w.writerow(r)
    return buf.getvalue()


def reference(landing: Path) -> Path:
    hl._write_utf8_csv(landing / "reference" / "org_units.csv", hl.ORG_UNITS_HEADER, hl.ORG_UNITS)
    hl._write_utf8_csv(landing / "reference" / "procedures.csv", hl.PROCEDURES_HEADER, hl.PROCEDURES)
    return landing


def query(wh: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


# --------------------------------------------------------------------------- 1. glob names

GLOB_FILES = {  # file name -> its own dossier id prefix
    "vnpt__export_2024-01.csv": "A",
    "vnpt__export_2024-0[1].csv": "B",
    "vnpt__export_2024-0*.csv": "C",
    "vnpt__export_2024-0?.csv": "D",
    "vnpt__export]{1,2}\\x.csv": "E",
}


def glob_landing(root: Path) -> Path:
    # as many rows in every file: DuckDB's record count cannot tell another file's rows apart
    # (``-0[1]`` matches ``-01`` alone)
    landing = reference(root / "landing")
    folder = landing / "dossiers" / JAN
    folder.mkdir(parents=True)
    for name, prefix in GLOB_FILES.items():
        (folder / name).write_bytes(csv_text(HEADER, rows(prefix, 3)).encode("utf-8"))
    return landing


def test_glob_names_load_their_own_rows_through_the_cli(tmp_path):
    landing = glob_landing(tmp_path)
    wh = tmp_path / "wh.duckdb"
    r = cli_inproc("run", "--landing", landing, "--warehouse", url_of(wh), "--from", JAN, "--to", JAN)
    assert r.rc == 0, r.explain()
    staged = query(wh, "SELECT file_path, list(dossier_id ORDER BY dossier_id) FROM staging.stg_dossiers GROUP BY 1")
    got = {Path(f).name: ids for f, ids in staged}
    assert got == {name: [f"{p}-01", f"{p}-02", f"{p}-03"] for name, p in GLOB_FILES.items()}
    log = {Path(f).name: (read, loaded) for f, read, loaded in query(wh, "SELECT file_path, rows_read, rows_loaded FROM quality.file_log WHERE source = 'dossiers'")}
    assert log == {name: (4, 3) for name in GLOB_FILES}
    assert query(wh, "SELECT count(*) FROM marts.period_report WHERE period_start = ?", [JAN_START])[0][0] > 0


def test_two_files_with_the_same_keys_and_different_content_block_the_month(tmp_path):
    landing = glob_landing(tmp_path)
    folder = landing / "dossiers" / JAN
    # another export of system vnpt carrying A-01..A-03 again, one of them in another state
    again = rows("A", 3)
    again[1][7] = "Đang xử lý"
    again[1][6] = ""
    (folder / "vnpt__export_2024-01 (1).csv").write_bytes(csv_text(HEADER, again).encode("utf-8"))
    wh = tmp_path / "wh.duckdb"
    r = cli_inproc("run", "--landing", landing, "--warehouse", url_of(wh), "--from", JAN, "--to", JAN)
    assert r.rc != 0, r.explain()
    assert r.error_line is not None and "keys_in_one_file" in r.error_line, r.explain()
    assert "vnpt__export_2024-01 (1).csv" in r.stderr and "A-01" in r.stderr, r.explain()
    assert query(wh, "SELECT count(*) FROM marts.period_report WHERE period_start = ?", [JAN_START])[0][0] == 0


def test_byte_identical_copies_are_not_a_conflict(tmp_path):
    from cchc_etl.contract import load_source
    from cchc_etl.defs.sources import keys_in_several_files

    landing = reference(tmp_path / "landing")
    folder = landing / "dossiers" / JAN
    folder.mkdir(parents=True)
    body = csv_text(HEADER, rows("A", 3)).encode("utf-8")
    (folder / "vnpt__a.csv").write_bytes(body)
    (folder / "vnpt__a copy.csv").write_bytes(body)
    changed = rows("A", 3)
    changed[2][8] = "khác"
    (folder / "vnpt__b.csv").write_bytes(csv_text(HEADER, changed[2:]).encode("utf-8"))
    with connect(tmp_path / "wh.duckdb") as con:
        ensure_schema(con)
        loader = Loader(con, landing, PII_KEY)
        loader.load_reference("org_units")
        loader.load_month("dossiers", JAN_START)
        found = keys_in_several_files(con, load_source("dossiers"), JAN_START)
    # A-03 is in three files of two contents; only in the two identical copies
    assert found["keys"] == 1
    assert found["files"] == [(["dossiers/2024-01/vnpt__a copy.csv", "dossiers/2024-01/vnpt__a.csv", "dossiers/2024-01/vnpt__b.csv"], 1, "vnpt / A-03")]


def test_keys_in_several_files_equals_the_per_key_listing(tmp_path):
    """The check's two passes (keys seen in two contents, then only those described) give what
    listing the files of every key gives, on a month of five files: two byte-identical copies,
    overlaps between two and three contents, another system with the same ids, a refused file,
    and a month of one content (not scanned: nothing to find)."""
    from cchc_etl.contract import load_source
    from cchc_etl.defs.sources import keys_in_several_files

    files = {"a.csv": "s1", "a copy.csv": "s1", "b.csv": "s2", "c.csv": "s3", "d.csv": "s4"}
    staged = ([("vnpt", f"A-{i:03d}", "a.csv") for i in range(200)] + [("vnpt", f"A-{i:03d}", "a copy.csv") for i in range(200)]
              + [("vnpt", f"A-{i:03d}", "b.csv") for i in range(150, 260)] + [("vnpt", f"A-{i:03d}", "c.csv") for i in range(190, 210)]
              + [("igate", f"A-{i:03d}", "d.csv") for i in range(0, 50)] + [("vnpt", "A-500", "b.csv")] * 2)
    with connect(tmp_path / "wh.duckdb") as con:
        ensure_schema(con)
        for name, sha in files.items():
            con.execute("INSERT INTO quality.file_log BY NAME SELECT ? AS file_path, 'dossiers' AS source, ? AS month, ? AS sha256, "
                        "'loaded' AS status, 0 AS rows_read, 0 AS rows_loaded, 0 AS rows_quarantined, 0 AS rows_skipped, now() AS loaded_at", [f"dossiers/2024-01/{name}", JAN_START, sha])
        con.execute("INSERT INTO quality.file_log BY NAME SELECT 'dossiers/2024-01/x.csv' AS file_path, 'dossiers' AS source, "
                    "? AS month, 's9' AS sha256, 'refused' AS status, 0 AS rows_read, 0 AS rows_loaded, 0 AS rows_quarantined, 0 AS rows_skipped, now() AS loaded_at", [JAN_START])
        con.executemany("INSERT INTO staging.stg_dossiers BY NAME SELECT ? AS month, ? AS system, ? AS dossier_id, ? AS file_path, 1 AS row_number",
                        [[JAN_START, system, key, f"dossiers/2024-01/{name}"] for system, key, name in staged])
        found = keys_in_several_files(con, load_source("dossiers"), JAN_START)
        listing = con.execute(
            """WITH per_key AS (
                   SELECT s.system, s.dossier_id, list(DISTINCT s.file_path ORDER BY s.file_path) AS files,
                          min(s.system || ' / ' || s.dossier_id) AS example
                   FROM staging.stg_dossiers s JOIN quality.file_log f ON f.file_path = s.file_path
                   WHERE s.month = ? GROUP BY ALL HAVING count(DISTINCT f.sha256) > 1)
               SELECT files, count(*) AS n, min(example) FROM per_key GROUP BY files ORDER BY n DESC, files""", [JAN_START]).fetchall()
        assert found == {"keys": sum(r[1] for r in listing), "files": [(list(r[0]), r[1], r[2]) for r in listing[:10]]}
        assert found["keys"] == 60 and found["files"][0] == (
            ["dossiers/2024-01/a copy.csv", "dossiers/2024-01/a.csv", "dossiers/2024-01/b.csv"], 40, "vnpt / A-150")
        con.execute("UPDATE quality.file_log SET sha256 = 's1' WHERE month = ? AND status = 'loaded'", [JAN_START])
        assert keys_in_several_files(con, load_source("dossiers"), JAN_START) == {"keys": 0, "files": []}


# --------------------------------------------------------------------------- 3. long cells


def load_month(tmp_path: Path, landing: Path):
    with connect(tmp_path / "wh.duckdb") as con:
        ensure_schema(con)
        loader = Loader(con, landing, PII_KEY)
        loader.load_reference("org_units")
        result = loader.load_month("dossiers", JAN_START)
        staged = con.execute("SELECT file_path, dossier_id, length(extra->>'Ghi chú') FROM staging.stg_dossiers ORDER BY 1, 2").fetchall()
        quarantine = con.execute("SELECT file_path, row_number, column_name, reason, length(raw_values) FROM quality.quarantine ORDER BY 1, 2").fetchall()
        log = {r[0]: r[1:] for r in con.execute(
            "SELECT file_path, status, error, rows_read, rows_loaded, rows_quarantined, rows_skipped FROM quality.file_log WHERE source = 'dossiers'").fetchall()}
    return result, staged, quarantine, log


def test_long_cells_on_the_exact_path(tmp_path):
    landing = reference(tmp_path / "landing")
    folder = landing / "dossiers" / JAN
    folder.mkdir(parents=True)
    body = rows("L", 4)
    body[0][8] = "dài " * 50_000  # 200,000 characters: over Python csv's default limit, under CELL_LIMIT
    body[2][8] = "x" * (CELL_LIMIT + 1)
    # a blank line: DuckDB's record count differs from the line count, the exact Python path reads it
    (folder / "vnpt__long.csv").write_bytes(csv_text(HEADER, body, blank_line=True).encode("utf-8"))
    (folder / "igate__ok.csv").write_bytes(csv_text(HEADER, rows("K", 2)).encode("utf-8"))
    result, staged, quarantine, log = load_month(tmp_path, landing)
    long_file, ok_file = "dossiers/2024-01/vnpt__long.csv", "dossiers/2024-01/igate__ok.csv"
    assert [(f, d) for f, d, _ in staged] == [(ok_file, "K-01"), (ok_file, "K-02"),
                                             (long_file, "L-01"), (long_file, "L-02"), (long_file, "L-04")]
    assert staged[2][2] == 200_000 - 1  # trimmed of its last space, loaded whole
    # header line 1, L-01 line 2, blank line 3, L-02 line 4, L-03 line 5
    assert len(quarantine) == 1
    f, row, column, reason, raw_len = quarantine[0]
    assert (f, row, column) == (long_file, 5, "Ghi chú")
    assert f"{CELL_LIMIT + 1}" in reason and "cell longer than the limit" in reason and "ô dài quá giới hạn" in reason
    assert raw_len < 2000  # the cell is cut in the quarantine's raw values
    assert log[long_file] == ("loaded", None, 6, 3, 1, 2)
    assert log[ok_file][0] == "loaded"


def test_long_cell_in_parquet_quarantines_its_row(tmp_path):
    landing = reference(tmp_path / "landing")
    folder = landing / "dossiers" / JAN
    folder.mkdir(parents=True)
    body = rows("Q", 3)
    body[1][0] = "Q-" + "9" * CELL_LIMIT  # the record key itself
    pq.write_table(pa.table({h: [r[i] for r in body] for i, h in enumerate(HEADER)}), folder / "dvc__long.parquet")
    _result, staged, quarantine, log = load_month(tmp_path, landing)
    assert [d for _, d, _ in staged] == ["Q-01", "Q-03"]
    assert [(f, row, column) for f, row, column, _, _ in quarantine] == [("dossiers/2024-01/dvc__long.parquet", 2, "Mã hồ sơ")]
    assert f"{CELL_LIMIT + 2}" in quarantine[0][3]
    assert log["dossiers/2024-01/dvc__long.parquet"] == ("loaded", None, 3, 2, 1, 0)


def test_unreadable_files_are_refused_by_name_and_the_month_loads(tmp_path, monkeypatch):
    landing = reference(tmp_path / "landing")
    folder = landing / "dossiers" / JAN
    folder.mkdir(parents=True)
    # UTF-16 export whose last cell ends in half a surrogate pair; the blank line forces the exact path
    text = csv_text(HEADER, rows("U", 2), blank_line=True).replace(",", "\t")
    (folder / "vnpt__u16.csv").write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le") + b"\x3d\xd8")
    # a cell over the parser's own limit (lowered here to keep the file small)
    monkeypatch.setattr(csv_reader, "FIELD_LIMIT", 1000)
    big = rows("P", 2)
    big[1][8] = "y" * 1500
    (folder / "motcua__big.csv").write_bytes(csv_text(HEADER, big, blank_line=True).encode("utf-8"))
    (folder / "igate__ok.csv").write_bytes(csv_text(HEADER, rows("K", 2)).encode("utf-8"))
    result, staged, _quarantine, log = load_month(tmp_path, landing)
    assert [d for _, d, _ in staged] == ["K-01", "K-02"]
    status, error = log["dossiers/2024-01/vnpt__u16.csv"][:2]
    assert status == "refused" and error.startswith("dossiers/2024-01/vnpt__u16.csv: ") and "decode" in error, error
    status, error = log["dossiers/2024-01/motcua__big.csv"][:2]
    assert status == "refused" and error.startswith("dossiers/2024-01/motcua__big.csv: ") and "line 4" in error and "field limit" in error, error
    assert {f.relative for f in result.refused} == {"dossiers/2024-01/vnpt__u16.csv", "dossiers/2024-01/motcua__big.csv"}


# --------------------------------------------------------------------------- 4. NUL bytes


def _xlsx_inline(path: Path, table: list[list[str]]) -> None:
    """A minimal workbook whose cells are inline strings (``t="inlineStr"``), written by hand as
    some exporters do; NUL bytes go into the XML as they are."""
    def col(i: int) -> str:
        return chr(ord("A") + i)

    sheet_rows = "".join(
        f'<row r="{r + 1}">' + "".join(
            f'<c r="{col(c)}{r + 1}" t="inlineStr"><is><t>{escape(v)}</t></is></c>' for c, v in enumerate(row) if v != "")
        + "</row>" for r, row in enumerate(table))
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_rows}</sheetData></worksheet>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text.encode("utf-8"))


def nul_rows(prefix: str) -> tuple[list[str], list[list[str]]]:
    header = list(HEADER)
    header[0] = "Mã hồ\x00 sơ"  # a NUL inside a header cell
    body = rows(prefix, 3)
    body[0][8] = "ghi\x00chú\x00"  # NULs inside a vendor cell
    body[1][2] = "STP\x00"  # and at the end of a code
    body[2][4] = "31/02\x00/2024 08:00"  # a bad date with a NUL: quarantined, its raw values published
    return header, body


@pytest.fixture(scope="module")
def nul_warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("nul")
    landing = reference(root / "landing")
    folder = landing / "dossiers" / JAN
    folder.mkdir(parents=True)
    header, body = nul_rows("N8")
    (folder / "vnpt__utf8.csv").write_bytes(csv_text(header, body).encode("utf-8"))
    header, body = nul_rows("N16")
    text = csv_text(header, body).replace(",", "\t")
    (folder / "igate__utf16.csv").write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    header, body = nul_rows("NX")
    _xlsx_inline(folder / "motcua__inline.xlsx", [["BÁO CÁO HỒ SƠ THÁNG 01/2024"], header, *body])
    header, body = nul_rows("NP")
    pq.write_table(pa.table({h: [r[i] for r in body] for i, h in enumerate(header)}), folder / "dvc__nul.parquet")
    wh = root / "wh.duckdb"
    r = cli_inproc("run", "--landing", landing, "--warehouse", url_of(wh), "--from", JAN, "--to", JAN)
    assert r.rc == 0, r.explain()
    return wh


def test_nul_bytes_are_removed_at_the_readers(nul_warehouse):
    log = query(nul_warehouse, "SELECT file_path, status, error, rows_loaded, rows_quarantined FROM quality.file_log "
                               "WHERE source = 'dossiers' ORDER BY 1")
    assert [(Path(f).name, s, e, lo, qu) for f, s, e, lo, qu in log] == [
        ("dvc__nul.parquet", "loaded", None, 2, 1), ("igate__utf16.csv", "loaded", None, 2, 1),
        ("motcua__inline.xlsx", "loaded", None, 2, 1), ("vnpt__utf8.csv", "loaded", None, 2, 1)]
    staged = query(nul_warehouse, "SELECT dossier_id, unit_code, extra->>'Ghi chú' FROM staging.stg_dossiers ORDER BY 1")
    assert [r[0] for r in staged] == ["N16-01", "N16-02", "N8-01", "N8-02", "NP-01", "NP-02", "NX-01", "NX-02"]
    assert all(r[1] == "STP" for r in staged)
    assert {r[2] for r in staged if r[0].endswith("-01")} == {"ghichú"}
    reasons = query(nul_warehouse, "SELECT row_number, column_name, raw_values FROM quality.quarantine WHERE source = 'dossiers'")
    assert len(reasons) == 4 and all(c == "received_at" and "31/02/2024 08:00" in raw for _, c, raw in reasons), reasons
    nul = query(nul_warehouse, "SELECT count(*) FROM quality.quarantine WHERE contains(raw_values, chr(0)) OR contains(reason, chr(0))")
    assert nul == [(0,)]


def test_month_with_nul_bytes_publishes(nul_warehouse, pg_database):
    counts = publish_month(nul_warehouse, pg_database.url, JAN_START)
    assert counts and all(n >= 0 for n in counts.values())
    quarantined = pg_database.fetch("SELECT count(*) FROM quality.quarantine WHERE month = %s AND source = 'dossiers'", [JAN_START])
    assert quarantined == [(4,)]
    files = pg_database.fetch("SELECT count(*) FROM quality.file_log WHERE month = %s AND status = 'loaded'", [JAN_START])
    assert files == [(4,)]
