"""Cells, styles, header blocks and print setup shared by the workbook's sheets (openpyxl)."""

from __future__ import annotations

import datetime as dt
import math
import numbers
from copy import copy

import pandas as pd

from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.worksheet import Worksheet

from cchc_etl.reports.period import ReportPeriod
from cchc_etl.reports.rows import Scope
from cchc_etl.reports.vn_format import COUNT_FORMAT, DATE_FORMAT, fmt_date_vi, safe_text

FONT = "Times New Roman"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
GROUP_FILL = PatternFill("solid", fgColor="F2F2F2")
TOTAL_FILL = PatternFill("solid", fgColor="FFF2CC")


def font(bold: bool = False, italic: bool = False, size: float = 11) -> Font:
    return Font(name=FONT, bold=bold, italic=italic, size=size)


def _cell_value(value) -> tuple[object, str | None, str | None]:
    """The value a cell holds, with its default alignment and number format."""
    if value is pd.NaT or value is None or (isinstance(value, float) and math.isnan(value)):
        return None, None, None
    if isinstance(value, bool):
        return safe_text("Có" if value else "Không"), None, None
    if isinstance(value, numbers.Integral):
        return int(value), "right", COUNT_FORMAT
    if isinstance(value, numbers.Real):
        return float(value), "right", "0.00"
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None), "center", DATE_FORMAT
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day), "center", DATE_FORMAT
    return safe_text(value), None, None


def _style(cell, key: tuple, fill: PatternFill | None) -> None:
    """Give the cell the style described by ``key``. openpyxl hashes every style object each
    time one is assigned; a workbook of thousands of cells reuses a few dozen styles, so each
    one's style array is made once and copied (openpyxl copies ``_style`` the same way when it
    copies a worksheet)."""
    cache = cell.parent.parent.__dict__.setdefault("_cchc_styles", {})
    known = cache.get(key)
    if known is not None:
        cell._style = copy(known)
        return
    bold, italic, size, align, wrap, border, _fill, number_format, valign = key
    cell.font = font(bold=bold, italic=italic, size=size)
    cell.alignment = Alignment(horizontal=align, vertical=valign, wrap_text=wrap)
    if border:
        cell.border = BORDER
    if fill is not None:
        cell.fill = fill
    if number_format:
        cell.number_format = number_format
    cache[key] = copy(cell._style)


def put(ws: Worksheet, row: int, col: int, value, *, bold: bool = False, italic: bool = False, size: float = 11,
        align: str | None = None, wrap: bool = False, border: bool = True, fill: PatternFill | None = None,
        number_format: str | None = None, valign: str = "center"):
    """One cell. Integers are numeric counts (Vietnamese thousands dots in every locale), dates
    are date cells (dd/mm/yyyy), text from anywhere goes through ``safe_text`` (never a formula)."""
    cell = ws.cell(row=row, column=col)
    cell.value, default_align, default_format = _cell_value(value)
    key = (bold, italic, size, align or default_align or "left", wrap, border, fill.fgColor.rgb if fill is not None else None,
           number_format or default_format, valign)
    _style(cell, key, fill)
    return cell


def merge(ws: Worksheet, row: int, col: int, last_row: int, last_col: int, value, **kw):
    """A merged range holding one value. Every cell of the range takes the anchor's style (its
    borders draw the range's outline). openpyxl's own ``merge_cells`` recomputes border objects
    for each edge cell, which costs more than the rest of the sheet; the range and its merged
    cells are set here as ``merge_cells`` sets them, without that step."""
    anchor = put(ws, row, col, value, **kw)
    if last_row > row or last_col > col:
        ref = f"{get_column_letter(col)}{row}:{get_column_letter(last_col)}{last_row}"
        ws.merged_cells.add(MergedCellRange(ws, ref))
        for r in range(row, last_row + 1):
            for c in range(col, last_col + 1):
                if (r, c) != (row, col):
                    cell = MergedCell(ws, row=r, column=c)
                    cell._style = copy(anchor._style)
                    ws._cells[(r, c)] = cell
    return anchor


def widths(ws: Worksheet, values: list[float]) -> None:
    for i, w in enumerate(values, 1):
        ws.column_dimensions[get_column_letter(i)].width = w


def period_line(period: ReportPeriod) -> str:
    """'Kỳ báo cáo: Quý I năm 2024 (lũy kế đến hết tháng 02/2024) — Từ ngày 01/01/2024 đến ngày 29/02/2024'."""
    return f"Kỳ báo cáo: {period.title_vi} — {period.dates_vi}"


def sheet_header(ws: Worksheet, title: str, scope: Scope, period: ReportPeriod, ncols: int, notes: list[str] = ()) -> int:
    """Title, unit and period lines above a table; returns the first free row."""
    merge(ws, 1, 1, 1, ncols, title, bold=True, size=13, align="center", border=False)
    merge(ws, 2, 1, 2, ncols, f"Đơn vị: {scope.reporting_name}", align="center", border=False)
    merge(ws, 3, 1, 3, ncols, period_line(period), italic=True, align="center", border=False)
    row = 4
    for note in notes:
        merge(ws, row, 1, row, ncols, note, italic=True, border=False, wrap=True)
        ws.row_dimensions[row].height = 30 if len(note) > 120 else None
        row += 1
    return row + 1


def table_header(ws: Worksheet, row: int, headers: list[str], height: float = 45) -> int:
    for col, text in enumerate(headers, 1):
        put(ws, row, col, text, bold=True, align="center", wrap=True, fill=HEADER_FILL)
    ws.row_dimensions[row].height = height
    return row + 1


def page_setup(ws: Worksheet, header_rows: str | None, freeze: str | None) -> None:
    """A4 landscape, fitted to the page width, header rows repeated on every page, frozen panes."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_options.horizontalCentered = True
    if header_rows:
        ws.print_title_rows = header_rows
    if freeze:
        ws.freeze_panes = freeze
    ws.oddFooter.center.text = "Trang &P / &N"


def note_row(ws: Worksheet, row: int, ncols: int, text: str, *, italic: bool = True, bold: bool = False) -> int:
    merge(ws, row, 1, row, ncols, text, italic=italic, bold=bold, border=False, wrap=True)
    ws.row_dimensions[row].height = max(15, 15 * (1 + len(text) // 150))
    return row + 1


def signature_block(ws: Worksheet, row: int, ncols: int, period: ReportPeriod) -> int:
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
