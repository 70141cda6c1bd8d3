"""Sheet "Xu hướng": the months of the year up to the period's last month, with native Excel
charts (openpyxl.chart): a line chart of the on-time rate, the online share and satisfaction, a
bar chart of the service-index ratio. The table shows the figures as Vietnamese text; the charts
read the same figures as numbers from hidden columns (see ``vn_format``)."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference

from cchc_etl.reports.data import ReportData
from cchc_etl.reports.period import ReportPeriod
from cchc_etl.reports.rows import TREND_SERIES, Scope, trend
from cchc_etl.reports.vn_format import fmt_pct_vi
from cchc_etl.reports.xlsx_style import built_line, note_row, page_setup, put, sheet_header, table_header, widths

DATA_COL = 9  # hidden chart data: month label, then one numeric column per series


def _axes(chart) -> None:
    # Excel hides axes whose <c:delete> is missing or true in recent versions
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.visible_cells_only = False  # the data columns are hidden
    chart.height, chart.width = 8, 18


def write_trend(wb: Workbook, data: ReportData, scope: Scope, period: ReportPeriod) -> None:
    ws = wb.create_sheet("Xu hướng")
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
    for col in range(DATA_COL, DATA_COL + len(TREND_SERIES) + 1):
        ws.column_dimensions[ws.cell(row=1, column=col).column_letter].hidden = True
    row += 1
    if months:
        cats = Reference(ws, min_col=DATA_COL, min_row=header_row + 1, max_row=last)
        line = LineChart()
        line.title = "Tỷ lệ đúng hạn, trực tuyến, hài lòng (%)"
        line.y_axis.title = "%"
        line.y_axis.scaling.min = 0
        line.y_axis.scaling.max = 100
        line.add_data(Reference(ws, min_col=DATA_COL + 1, max_col=DATA_COL + 3, min_row=header_row, max_row=last),
                      titles_from_data=True)
        line.set_categories(cats)
        for s in line.series:
            s.marker.symbol = "circle"
            s.smooth = False
        _axes(line)
        ws.add_chart(line, f"A{row}")
        bar = BarChart()
        bar.title = "Tỷ lệ điểm Bộ chỉ số phục vụ (%)"
        bar.y_axis.title = "%"
        bar.y_axis.scaling.min = 0
        bar.y_axis.scaling.max = 100
        bar.add_data(Reference(ws, min_col=DATA_COL + 4, min_row=header_row, max_row=last), titles_from_data=True)
        bar.set_categories(cats)
        _axes(bar)
        ws.add_chart(bar, f"A{row + 17}")
        row += 34
    else:
        row = note_row(ws, row, n, "Chưa có tháng nào của năm trong kho dữ liệu. / No month of the year loaded.")
    note_row(ws, row, n, built_line(period))
    widths(ws, [14, 14, 18, 18, 18, 20])
    page_setup(ws, header_rows=f"{header_row}:{header_row}", freeze=f"B{header_row + 1}")
