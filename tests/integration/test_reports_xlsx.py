"""The report workbooks' writer (cchc_etl.reports.xlsx_style): cells are rendered to XML by the
project and the package is written by XlsxWriter. Real files, read back with openpyxl.

- Every kind of value a sheet writes comes back as written: text (XML-special characters,
  surrounding spaces, line breaks, a formula lead neutralised), counts, decimals, dates, blanks,
  with its style; merged ranges carry the anchor's style; widths, heights, hidden columns, frozen
  panes, print setup and the document's language are stored.
- The trend sheet of a real workbook has native line and bar charts over its hidden figures,
  and those figures are the rates the table shows.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from lxml import etree

from cchc_etl.reports.output import build_reports
from cchc_etl.reports.vn_format import COUNT_FORMAT, DATE_FORMAT, fmt_pct_vi
from cchc_etl.reports.xlsx_style import (
    HEADER_FILL, Book, hide_columns, merge, page_setup, put, put_counts, widths,
)

VERSION = "vn-2025.1"


def test_cells_read_back_as_written(tmp_path):
    book = Book()
    ws = book.create_sheet("Biểu 06")
    texts = {
        1: "Sở Tài nguyên & Môi trường <TN&MT>",
        2: '  "Trích lục" hộ tịch  ',
        3: "Dòng một\nDòng hai",
        4: "=HYPERLINK(\"http://x\")",
        5: "-2+3",
        6: "@SUM(1)",
        7: "+84 lĩnh vực",
        8: "Ho\u0302\u0300 so\u031b",           # decomposed: stored as NFC
        9: "tab\x01bell\x07",                     # control characters XLSX cannot hold
    }
    for row, text in texts.items():
        put(ws, row, 1, text, wrap=True)
    values = {1: 1777, 2: np.int64(1234567), 3: 12.5, 4: 96.0, 5: np.float64(0.1 + 0.2), 6: math.nan, 7: math.inf,
              8: None, 9: pd.NaT, 10: "", 11: dt.date(2024, 2, 29), 12: pd.Timestamp("2024-03-01 12:00:00"),
              13: True}
    for row, value in values.items():
        put(ws, row, 2, value)
    put_counts(ws, 20, 3, [1, 22, 333, 4444, 55555], bold=True, fill="FFF2CC")
    merge(ws, 21, 1, 22, 3, "Số hồ sơ nhận giải quyết", bold=True, align="center", wrap=True, fill=HEADER_FILL)
    ws.height(21, 30)
    ws.height(22, 15)
    widths(ws, [6, 46, 10.5])
    hide_columns(ws, 9, 10)
    page_setup(ws, header_rows="6:9", freeze="C10")
    book.xlsx.set_properties({"title": "Báo cáo", "author": "cchc-etl", "language": "vi-VN"})
    path = tmp_path / "book.xlsx"
    book.save(path)

    with zipfile.ZipFile(path) as z:  # every part is well-formed XML
        for name in z.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(z.read(name))
    wb = openpyxl.load_workbook(path)
    got = wb["Biểu 06"]
    expected_text = {1: texts[1], 2: texts[2], 3: texts[3], 4: "'" + texts[4], 5: "'-2+3", 6: "'@SUM(1)",
                     7: "'+84 lĩnh vực", 8: "Hồ sơ", 9: "tabbell"}
    for row, text in expected_text.items():
        cell = got.cell(row, 1)
        assert (cell.value, cell.data_type) == (text, "s"), row
        assert cell.alignment.wrap_text and cell.font.name == "Times New Roman"

    b = {row: got.cell(row, 2) for row in values}
    assert (b[1].value, b[1].number_format, b[1].alignment.horizontal) == (1777, COUNT_FORMAT, "right")
    assert (b[2].value, b[2].number_format) == (1234567, COUNT_FORMAT)
    assert (b[3].value, b[3].number_format) == (12.5, "0.00")
    assert b[4].value == 96 and b[5].value == 0.1 + 0.2
    assert [b[r].value for r in (6, 7, 8, 9, 10)] == [None] * 5
    assert (b[11].value, b[11].number_format, b[11].alignment.horizontal) == (dt.datetime(2024, 2, 29), DATE_FORMAT, "center")
    assert b[12].value == dt.datetime(2024, 3, 1, 12, 0)
    assert b[13].value == "Có"
    assert all(b[r].border.left.style == "thin" for r in values)

    counts = [got.cell(20, c) for c in range(3, 8)]
    assert [c.value for c in counts] == [1, 22, 333, 4444, 55555]
    assert all(c.font.b and c.fill.fgColor.rgb.endswith("FFF2CC") and c.number_format == COUNT_FORMAT for c in counts)

    assert "A21:C22" in {str(r) for r in got.merged_cells.ranges}
    anchor = got["A21"]
    assert anchor.value == "Số hồ sơ nhận giải quyết" and anchor.font.b and anchor.alignment.horizontal == "center"
    assert anchor.fill.fgColor.rgb.endswith(HEADER_FILL)
    # every cell of the range has the anchor's style (its borders draw the outline); openpyxl keeps
    # only the borders of merged cells, so the package is read
    with zipfile.ZipFile(path) as z:
        sheet = etree.fromstring(z.read("xl/worksheets/sheet1.xml"))
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    styles = {c.get("r"): c.get("s") for c in sheet.iterfind(".//m:c", ns)}
    assert {styles[c] for c in ("A21", "B21", "C21", "A22", "B22", "C22")} == {styles["A21"]}
    assert all(got[c].value is None for c in ("B21", "C21", "A22", "B22", "C22"))

    assert got.row_dimensions[21].height == 30 and got.row_dimensions[22].height == 15
    assert [got.column_dimensions[c].width for c in "ABC"] == [6, 46, 10.5]
    assert got.column_dimensions["I"].hidden and got.column_dimensions["I"].max == 10
    assert got.freeze_panes == "C10" and got.print_title_rows == "$6:$9"
    assert got.page_setup.orientation == "landscape" and str(got.page_setup.paperSize) == got.PAPERSIZE_A4
    assert got.sheet_properties.pageSetUpPr.fitToPage and got.page_setup.fitToHeight == 0
    assert (got.page_margins.left, got.page_margins.top) == (0.4, 0.5) and got.print_options.horizontalCentered
    assert got.oddFooter.center.text == "Trang &P / &N"
    assert (wb.properties.language, wb.properties.title, wb.properties.creator) == ("vi-VN", "Báo cáo", "cchc-etl")


@pytest.fixture(scope="module")
def city_book(sample_warehouse, tmp_path_factory):
    wh = tmp_path_factory.mktemp("reports_xlsx") / "warehouse.duckdb"
    shutil.copyfile(sample_warehouse, wh)
    run = build_reports(wh, "2024-02", version=VERSION, units=["HCM"])
    book = openpyxl.load_workbook(run.files[0])
    book.path = run.files[0]
    return book


def test_trend_sheet_charts_its_hidden_figures(city_book):
    ws = city_book["Xu hướng"]
    header = next(r for r in range(1, 20) if ws.cell(r, 1).value == "Tháng")
    months = [ws.cell(r, 1).value for r in range(header + 1, header + 3)]
    assert months == ["T01/2024", "T02/2024"]
    first, last = header + 1, header + len(months)
    # the hidden columns I:M hold the month and the four rates as numbers, equal to the table's text
    assert all(ws.column_dimensions[c].hidden for c in "I")
    assert ws.column_dimensions["I"].max == 13
    for r in range(first, last + 1):
        assert ws.cell(r, 9).value == ws.cell(r, 1).value
        for j in range(4):
            shown, figure = ws.cell(r, 3 + j).value, ws.cell(r, 10 + j).value
            assert shown == ("N/A" if figure is None else fmt_pct_vi(figure)), (r, j)

    line, bar = ws._charts
    assert type(line).__name__ == "LineChart" and type(bar).__name__ == "BarChart"
    sheet = "'Xu hướng'"
    assert [s.val.numRef.f for s in line.series] == [f"{sheet}!${c}${first}:${c}${last}" for c in "JKL"]
    assert [s.val.numRef.f for s in bar.series] == [f"{sheet}!$M${first}:$M${last}"]
    for s in [*line.series, *bar.series]:
        assert (s.cat.numRef or s.cat.strRef).f == f"{sheet}!$I${first}:$I${last}"
        assert s.tx.strRef.f.replace("$", "").startswith(f"{sheet}!") and s.tx.strRef.f.endswith(f"{header}")
    assert [s.marker.symbol for s in line.series] == ["circle"] * 3
    for chart in (line, bar):
        assert (chart.y_axis.scaling.min, chart.y_axis.scaling.max) == (0, 100)
    with zipfile.ZipFile(city_book.path) as z:  # the figures are in hidden columns: charted all the same
        charts = [z.read(n) for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2 and not any(b'plotVisOnly val="1"' in c for c in charts)
    assert (line.anchor._from.row, bar.anchor._from.row) == (last + 1, last + 18)


def test_every_sheet_prints_a4_landscape_one_page_wide(city_book):
    for ws in city_book.worksheets:
        assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0, ws.title
        assert ws.print_options.horizontalCentered and ws.oddFooter.center.text == "Trang &P / &N", ws.title
    for sheet in ("Biểu 06", "06a", "06b"):
        assert city_book[sheet].print_title_rows == "$6:$9" and city_book[sheet].freeze_panes == "C10"
    assert city_book.active.title == "Biểu 06"
