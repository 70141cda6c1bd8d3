"""Sheet "Xu hướng": the months of the year up to the period's last month, with native Excel
charts: a line chart of the on-time rate, the online share and satisfaction, a
bar chart of the service-index ratio. The table shows the figures as Vietnamese text; the charts
read the same figures as numbers from hidden columns (see ``vn_format``)."""

from __future__ import annotations

from cchc_etl.reports.data import ReportData
from cchc_etl.reports.period import ReportPeriod
from cchc_etl.reports.rows import TREND_SERIES, Scope, trend
from cchc_etl.reports.vn_format import fmt_pct_vi
from cchc_etl.reports.xlsx_style import (
    Book, built_line, hide_columns, note_row, page_setup, put, sheet_header, table_header, widths,
)

DATA_COL = 9  # hidden chart data: month label, then one numeric column per series
CHART_SIZE = {"width": 680, "height": 302}  # pixels: 18 x 8 cm


def _chart(wb: Book, kind: str, title: str, sheet: str, header_row: int, last: int, cols: range):
    """A chart of the hidden data columns ``cols`` (1-based): series named by the header row,
    months as categories, 0-100 %."""
    chart = wb.xlsx.add_chart({"type": kind})
    for col in cols:
        series = {"name": [sheet, header_row - 1, col - 1],
                  "categories": [sheet, header_row, DATA_COL - 1, last - 1, DATA_COL - 1],
                  "values": [sheet, header_row, col - 1, last - 1, col - 1]}
        if kind == "line":
            series |= {"marker": {"type": "circle"}, "smooth": False}
        chart.add_series(series)
    chart.set_title({"name": title})
    chart.set_y_axis({"name": "%", "min": 0, "max": 100, "num_format": "0.00"})  # the data cells' format
    chart.show_hidden_data()  # the data columns are hidden
    chart.set_size(CHART_SIZE)
    return chart


def write_trend(wb: Book, data: ReportData, scope: Scope, period: ReportPeriod) -> None:
    ws = wb.create_sheet("Xu hướng", chart_data=True)
    headers = ["Tháng", "Hồ sơ tiếp nhận"] + [name for _, name in TREND_SERIES]
    n = len(headers)
    notes = [f"Các tháng năm {period.start.year} đến hết tháng {period.asof:%m/%Y}. Tỷ lệ đúng hạn: ON_TIME_REPORT; trực "
             "tuyến: ONLINE_SHARE_ELIGIBLE (tính theo TTHC đưa vào trực tuyến); hài lòng: SATISFACTION_RATE; Bộ chỉ số: "
             "tỷ lệ điểm tổng (marts.scores). N/A: không có mẫu số trong tháng."]
    row = sheet_header(ws, "XU HƯỚNG CÁC CHỈ SỐ CHÍNH THEO THÁNG", scope, period, n, notes)
    header_row = row
    row = table_header(ws, row, headers)
    put(ws, header_row, DATA_COL, "Tháng (số liệu biểu đồ)", border=False)
    for j, (_, name) in enumerate(TREND_SERIES, 1):
        put(ws, header_row, DATA_COL + j, name, border=False)
    months = trend(data, scope)
    for m in months:
        label = f"T{m.month:%m}/{m.month:%Y}"
        put(ws, row, 1, label, align="center")
        put(ws, row, 2, m.received if m.received is not None else "—")
        for j, (code, _) in enumerate(TREND_SERIES, 3):
            put(ws, row, j, fmt_pct_vi(m.values.get(code)), align="right")
        put(ws, row, DATA_COL, label, border=False)
        for j, (code, _) in enumerate(TREND_SERIES, 1):
            v = m.values.get(code)
            put(ws, row, DATA_COL + j, None if v is None else round(v, 2), border=False)
        row += 1
    last = row - 1
    hide_columns(ws, DATA_COL, DATA_COL + len(TREND_SERIES))
    row += 1
    if months:
        ws.ws.insert_chart(f"A{row}", _chart(wb, "line", "Tỷ lệ đúng hạn, trực tuyến, hài lòng (%)", ws.title, header_row,
                                             last, range(DATA_COL + 1, DATA_COL + 4)))
        ws.ws.insert_chart(f"A{row + 17}", _chart(wb, "column", "Tỷ lệ điểm Bộ chỉ số phục vụ (%)", ws.title, header_row,
                                                  last, range(DATA_COL + 4, DATA_COL + 5)))
        row += 34
    else:
        row = note_row(ws, row, n, "Chưa có tháng nào của năm trong kho dữ liệu. / No month of the year loaded.")
    note_row(ws, row, n, built_line(period))
    widths(ws, [14, 14, 18, 18, 18, 20])
    page_setup(ws, header_rows=f"{header_row}:{header_row}", freeze=f"B{header_row + 1}")
