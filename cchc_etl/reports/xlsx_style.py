"""Cells, styles, header blocks and print setup shared by the workbook's sheets.

XlsxWriter writes the package (styles, print setup, frozen panes, merged ranges, charts,
properties); the cells themselves are rendered here, one XML element per cell as ``put`` is
called, and handed to XlsxWriter as the sheet's ``<sheetData>`` on ``save``. A year's city
workbook holds a few hundred thousand cells, and a cell object costs several times (XlsxWriter)
to tens of times (openpyxl) more than its few bytes of XML. Text cells are inline strings, as
openpyxl writes them. Rows and columns are 1-based here, as on screen."""

from __future__ import annotations

import datetime as dt
import io
import math
import numbers
from xml.sax.saxutils import escape

import pandas as pd
import xlsxwriter
from xlsxwriter.core import Core
from xlsxwriter.packager import Packager
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from cchc_etl.reports.period import ReportPeriod
from cchc_etl.reports.rows import Scope
from cchc_etl.reports.vn_format import COUNT_FORMAT, DATE_FORMAT, fmt_date_vi, safe_text

FONT = "Times New Roman"
HEADER_FILL = "DCE6F1"
GROUP_FILL = "F2F2F2"
TOTAL_FILL = "FFF2CC"
A4 = 9  # XlsxWriter's paper index
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_LETTERS = [xl_col_to_name(i) for i in range(64)]
_BLANK = "/>"


class _Core(Core):
    """docProps/core.xml with dc:language, which XlsxWriter's core properties do not carry."""

    def _write_cp_content_status(self) -> None:
        super()._write_cp_content_status()
        if self.properties.get("language"):
            self._xml_data_element("dc:language", self.properties["language"])


class _Packager(Packager):
    def _write_core_file(self) -> None:
        core = _Core()
        core._set_properties(self.workbook.doc_properties)
        core._set_xml_writer(self._filename("docProps/core.xml"))
        core._assemble_xml_file()


class _Workbook(xlsxwriter.Workbook):
    def _get_packager(self):  # XlsxWriter's hook for another packager
        return _Packager()


class _Worksheet(Worksheet):
    """An XlsxWriter worksheet whose ``<sheetData>`` is the rows rendered by its ``Sheet``."""

    sheet: Sheet

    def _write_sheet_data(self) -> None:
        self.fh.write(self.sheet.sheet_data())


class Book:
    """A workbook being built in memory; ``save(path)`` writes the package to ``path``."""

    def __init__(self) -> None:
        self._buffer = io.BytesIO()
        # nothing is ever converted: the cells are rendered by type (``put``)
        self.xlsx = _Workbook(self._buffer, {"in_memory": True, "strings_to_formulas": False,
                                             "strings_to_numbers": False, "strings_to_urls": False})
        self.sheets: list[Sheet] = []
        self._styles: dict[tuple, tuple[int, object]] = {}
        self._texts: dict[str, tuple[str, str]] = {}
        self._saved = False

    def create_sheet(self, name: str, chart_data: bool = False) -> Sheet:
        """A new sheet; ``chart_data``: its cells are also given to XlsxWriter, which caches the
        figures its charts show."""
        sheet = Sheet(self, self.xlsx.add_worksheet(name, worksheet_class=_Worksheet), name, chart_data)
        self.sheets.append(sheet)
        return sheet

    def style(self, key: tuple) -> tuple[int, object]:
        """(style index, XlsxWriter format) of the cell style described by ``key``, made once."""
        got = self._styles.get(key)
        if got is None:
            bold, italic, size, align, wrap, border, fill, number_format, valign = key
            props = {"font_name": FONT, "font_family": 1, "font_size": size, "align": align,
                     "valign": "vcenter" if valign == "center" else valign}
            if bold:
                props["bold"] = True
            if italic:
                props["italic"] = True
            if wrap:
                props["text_wrap"] = True
            if border:
                props |= {"border": 1, "border_color": "#000000"}
            if fill:
                props |= {"pattern": 1, "bg_color": f"#{fill}"}
            if number_format:
                props["num_format"] = number_format
            fmt = self.xlsx.add_format(props)
            got = self._styles[key] = (fmt._get_xf_index(), fmt)
        return got

    def text(self, value) -> tuple[str, str]:
        """``safe_text`` of a value and the tail of its cell element, once per distinct text of
        the workbook (names repeat on every row)."""
        key = value if type(value) is str else str(value)
        got = self._texts.get(key)
        if got is None:
            text = safe_text(key)
            if not text:
                got = (text, _BLANK)
            else:
                space = ' xml:space="preserve"' if text.strip() != text else ""
                got = (text, f' t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>')
            self._texts[key] = got
        return got

    def save(self, path) -> None:
        if not self._saved:
            for sheet in self.sheets:
                sheet.set_dimensions()
            self.xlsx.close()
            self._saved = True
        with open(path, "wb") as fh:
            fh.write(self._buffer.getbuffer())


class Sheet:
    def __init__(self, book: Book, ws: _Worksheet, name: str, chart_data: bool = False) -> None:
        self.book, self.ws, self.title, self.chart_data = book, ws, name, chart_data
        ws.sheet = self
        self.rows: dict[int, dict[int, str]] = {}   # row -> column -> <c> element
        self.heights: dict[int, float] = {}

    def height(self, row: int, points: float | None) -> None:
        if points is not None:
            self.heights[row] = points
            self.ws.set_row(row - 1, points)  # XlsxWriter places the charts by the rows' heights

    def mirror(self, row: int, col: int, raw, fmt) -> None:
        """The cell given to XlsxWriter too (a sheet with charts: it caches their figures)."""
        if raw is None or raw == "":
            self.ws.write_blank(row - 1, col - 1, None, fmt)
        elif type(raw) is str:
            self.ws.write_string(row - 1, col - 1, raw, fmt)
        else:
            self.ws.write_number(row - 1, col - 1, raw, fmt)

    def set_dimensions(self) -> None:
        rows = self.rows.keys() | self.heights.keys()
        if rows:
            cols = {c for cells in self.rows.values() for c in cells} or {1}
            ws = self.ws
            ws.dim_rowmin, ws.dim_rowmax = min(rows) - 1, max(rows) - 1
            ws.dim_colmin, ws.dim_colmax = min(cols) - 1, max(cols) - 1

    def sheet_data(self) -> str:
        out = ["<sheetData>"]
        for r in sorted(self.rows.keys() | self.heights.keys()):
            h = self.heights.get(r)
            out.append(f'<row r="{r}" ht="{h:g}" customHeight="1">' if h is not None else f'<row r="{r}">')
            cells = self.rows.get(r)
            if cells:
                out += [cells[c] for c in sorted(cells)]
            out.append("</row>")
        out.append("</sheetData>")
        return "".join(out)


def _cell_value(book: Book, value) -> tuple[object, str, str | None, str | None]:
    """The value a cell holds (text, a number, a date as its Excel serial, or None), the tail of
    its ``<c>`` element, its default alignment and number format."""
    kind = type(value)
    if kind is str:
        text, tail = book.text(value)
        return text, tail, None, None
    if kind is int:
        return value, f"><v>{value}</v></c>", "right", COUNT_FORMAT
    if value is None or value is pd.NaT or (kind is float and math.isnan(value)):
        return None, _BLANK, None, None
    if isinstance(value, bool):
        text, tail = book.text("Có" if value else "Không")
        return text, tail, None, None
    if isinstance(value, numbers.Integral):
        value = int(value)
        return value, f"><v>{value}</v></c>", "right", COUNT_FORMAT
    if isinstance(value, numbers.Real):
        if not math.isfinite(value):  # no figure (XML has no number for it)
            return None, _BLANK, None, None
        value = float(value)
        text = repr(value)
        return value, f"><v>{text[:-2] if text.endswith('.0') else text}</v></c>", "right", "0.00"
    if isinstance(value, dt.date):
        if not isinstance(value, dt.datetime):
            value = dt.datetime(value.year, value.month, value.day)
        delta = value.replace(tzinfo=None) - EXCEL_EPOCH
        serial = delta.days if not (delta.seconds or delta.microseconds) else delta / dt.timedelta(days=1)
        return serial, f"><v>{serial!r}</v></c>", "center", DATE_FORMAT
    text, tail = book.text(value)
    return text, tail, None, None


def put(ws: Sheet, row: int, col: int, value, *, bold: bool = False, italic: bool = False, size: float = 11,
        align: str | None = None, wrap: bool = False, border: bool = True, fill: str | None = None,
        number_format: str | None = None, valign: str = "center") -> tuple[int, object]:
    """One cell. Integers are numeric counts (Vietnamese thousands dots in every locale), dates
    are date cells (dd/mm/yyyy), text from anywhere goes through ``safe_text`` (never a formula).
    Returns the cell's style (``Book.style``)."""
    book = ws.book
    kind = type(value)
    # the two kinds of nearly every cell first, without a call
    if kind is str:
        raw, tail = book._texts.get(value) or book.text(value)
        default_align = default_format = None
    elif kind is int:
        raw, tail, default_align, default_format = value, f"><v>{value}</v></c>", "right", COUNT_FORMAT
    else:
        raw, tail, default_align, default_format = _cell_value(book, value)
    key = (bold, italic, size, align or default_align or "left", wrap, border, fill, number_format or default_format, valign)
    style = book._styles.get(key) or book.style(key)
    cells = ws.rows.get(row)
    if cells is None:
        cells = ws.rows[row] = {}
    cells[col] = f'<c r="{_LETTERS[col - 1]}{row}" s="{style[0]}"{tail}'
    if ws.chart_data:
        ws.mirror(row, col, raw, style[1])
    return style


def put_counts(ws: Sheet, row: int, col: int, values: list[int], **style) -> None:
    """Counts in consecutive cells from ``col``, all in one style (``put``'s keywords): ``put``
    for the first, the others of the same kind rendered directly."""
    xf = None
    for c, v in enumerate(values, col):
        if xf is None or type(v) is not int or ws.chart_data:
            got = put(ws, row, c, v, **style)
            if type(v) is int:
                xf = got[0]
        else:
            ws.rows[row][c] = f'<c r="{_LETTERS[c - 1]}{row}" s="{xf}"><v>{v}</v></c>'


def merge(ws: Sheet, row: int, col: int, last_row: int, last_col: int, value, **style) -> None:
    """A merged range holding one value; every cell of the range takes its style (the borders
    draw the range's outline)."""
    xf, fmt = put(ws, row, col, value, **style)
    if last_row == row and last_col == col:
        return
    for r in range(row, last_row + 1):
        cells = ws.rows.get(r)
        if cells is None:
            cells = ws.rows[r] = {}
        for c in range(col, last_col + 1):
            if (r, c) != (row, col):
                cells[c] = f'<c r="{_LETTERS[c - 1]}{r}" s="{xf}"/>'
    ws.ws.merge_range(row - 1, col - 1, last_row - 1, last_col - 1, None, fmt)


def widths(ws: Sheet, values: list[float]) -> None:
    """Column widths in characters, stored as given (XlsxWriter's ``set_column`` would add its
    cell padding; in pixels of the default font's 7-pixel digit the stored width is exact)."""
    for i, w in enumerate(values):
        ws.ws.set_column_pixels(i, i, w * 7)


def hide_columns(ws: Sheet, first: int, last: int, width: float = 13) -> None:
    """Hidden columns, with the width they have when shown again."""
    ws.ws.set_column_pixels(first - 1, last - 1, width * 7, None, {"hidden": True})


def period_line(period: ReportPeriod) -> str:
    """'Kỳ báo cáo: Quý I năm 2024 (lũy kế đến hết tháng 02/2024) — Từ ngày 01/01/2024 đến ngày 29/02/2024'."""
    return f"Kỳ báo cáo: {period.title_vi} — {period.dates_vi}"


def sheet_header(ws: Sheet, title: str, scope: Scope, period: ReportPeriod, ncols: int, notes: list[str] = ()) -> int:
    """Title, unit and period lines above a table; returns the first free row."""
    merge(ws, 1, 1, 1, ncols, title, bold=True, size=13, align="center", border=False)
    merge(ws, 2, 1, 2, ncols, f"Đơn vị: {scope.reporting_name}", align="center", border=False)
    merge(ws, 3, 1, 3, ncols, period_line(period), italic=True, align="center", border=False)
    row = 4
    for note in notes:
        merge(ws, row, 1, row, ncols, note, italic=True, border=False, wrap=True)
        ws.height(row, 30 if len(note) > 120 else None)
        row += 1
    return row + 1


def table_header(ws: Sheet, row: int, headers: list[str], height: float = 45) -> int:
    for col, text in enumerate(headers, 1):
        put(ws, row, col, text, bold=True, align="center", wrap=True, fill=HEADER_FILL)
    ws.height(row, height)
    return row + 1


def page_setup(ws: Sheet, header_rows: str | None, freeze: str | None) -> None:
    """A4 landscape, fitted to the page width, header rows repeated on every page (``"6:9"``),
    frozen panes above and left of ``freeze`` (``"C10"``)."""
    x = ws.ws
    x.set_landscape()
    x.set_paper(A4)
    x.fit_to_pages(1, 0)  # one page wide, as many pages down as needed
    x.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    x.center_horizontally()
    if header_rows:
        first, last = (int(r) for r in header_rows.split(":"))
        x.repeat_rows(first - 1, last - 1)
    if freeze:
        x.freeze_panes(freeze)
    x.set_header("", margin=0.5)
    x.set_footer("&CTrang &P / &N", margin=0.5)


def note_row(ws: Sheet, row: int, ncols: int, text: str, *, italic: bool = True, bold: bool = False) -> int:
    merge(ws, row, 1, row, ncols, text, italic=italic, bold=bold, border=False, wrap=True)
    ws.height(row, max(15, 15 * (1 + len(text) // 150)))
    return row + 1


def signature_block(ws: Sheet, row: int, ncols: int, period: ReportPeriod) -> int:
    """'Người lập biểu' and 'Thủ trưởng đơn vị' under a form, as officials sign it."""
    half = max(ncols // 2, 1)
    row += 1
    merge(ws, row, half + 1, row, ncols, "…, ngày … tháng … năm …", italic=True, align="center", border=False)
    row += 1
    merge(ws, row, 1, row, half, "NGƯỜI LẬP BIỂU", bold=True, align="center", border=False)
    merge(ws, row, half + 1, row, ncols, "THỦ TRƯỞNG ĐƠN VỊ", bold=True, align="center", border=False)
    row += 1
    merge(ws, row, 1, row, half, "(Ký, ghi rõ họ tên)", italic=True, align="center", border=False)
    merge(ws, row, half + 1, row, ncols, "(Ký tên, đóng dấu)", italic=True, align="center", border=False)
    return row + 1


def built_line(period: ReportPeriod) -> str:
    return (f"Số liệu từ kho dữ liệu CCHC (phương pháp {period.methodology_version}), trạng thái hồ sơ theo kỳ xuất dữ liệu "
            f"tháng {period.asof:%m/%Y}; lập ngày {fmt_date_vi(dt.date.today())}.")
