"""Sheet "Chỉ tiêu": every plan target of the year with its actual value, Đạt / Chưa đạt / Chưa
đủ số liệu (``marts.target_attainment.met``), and the gap in the comparator's own terms."""

from __future__ import annotations

import datetime as dt

from cchc_etl.reports.data import ReportData
from cchc_etl.reports.period import ReportPeriod
from cchc_etl.reports.rows import Scope, targets
from cchc_etl.reports.vn_format import month_year_vi
from cchc_etl.reports.xlsx_style import Book, built_line, note_row, page_setup, put, sheet_header, table_header, widths

STATUS_FILL = {"Đạt": "E2EFDA", "Chưa đạt": "FCE4D6", "Chưa đủ số liệu": "EDEDED"}
LEVEL_VI = {"city": "toàn thành phố", "department": "gồm đơn vị trực thuộc", "unit": "đơn vị"}
SOURCE_VI = {"landing": "kế hoạch của địa phương", "methodology": "mặc định của phương pháp (kế hoạch 2022 TP.HCM)"}
HEADERS = ["STT", "Mã chỉ số", "Chỉ tiêu", "Đơn vị", "Phạm vi số liệu", "Nhóm thủ tục", "Yêu cầu", "Thực hiện",
           "Kết quả", "Chênh lệch so với chỉ tiêu", "Nguồn chỉ tiêu"]


def write_targets(wb: Book, data: ReportData, scope: Scope, period: ReportPeriod) -> None:
    ws = wb.create_sheet("Chỉ tiêu")
    n = len(HEADERS)
    rows = targets(data, scope)
    year = period.start.year
    ends = sorted({r["period_end"] for r in rows if r.get("period_end") is not None})
    notes = []
    if ends:
        end = ends[-1]
        end = end.date() if isinstance(end, dt.datetime) else end
        last_month = dt.date(end.year, end.month, 1) - dt.timedelta(days=1)
        whole = end >= dt.date(year + 1, 1, 1)
        notes.append(f"Kết quả thực hiện chỉ tiêu kế hoạch năm {year}"
                     + ("" if whole else f", lũy kế đến hết tháng {month_year_vi(last_month)}")
                     + " (chỉ tiêu là chỉ tiêu năm; so sánh theo số liệu của cả năm đến nay).")
        if end != period.end:
            notes.append(f"Lưu ý: số liệu chỉ tiêu tính đến hết tháng {month_year_vi(last_month)}, khác với kỳ báo cáo "
                         f"({period.title_vi}).")
    met = sum(r["status"] == "Đạt" for r in rows)
    missed = sum(r["status"] == "Chưa đạt" for r in rows)
    unknown = sum(r["status"] == "Chưa đủ số liệu" for r in rows)
    notes.append(f"Tổng hợp: {met} chỉ tiêu đạt; {missed} chưa đạt; {unknown} chưa đủ số liệu.")
    row = sheet_header(ws, f"KẾT QUẢ THỰC HIỆN CHỈ TIÊU KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM {year}", scope, period, n, notes)
    header_row = row
    row = table_header(ws, row, HEADERS)
    for i, r in enumerate(rows, 1):
        put(ws, row, 1, i, align="center", number_format="0")
        put(ws, row, 2, r["indicator_code"])
        put(ws, row, 3, r.get("note") or r["name_vi"], wrap=True)
        put(ws, row, 4, r["unit"], wrap=True)
        put(ws, row, 5, LEVEL_VI.get(r["org_level"], r["org_level"]), align="center")
        put(ws, row, 6, r["group_vi"], wrap=True)
        put(ws, row, 7, r["condition"], wrap=True)
        put(ws, row, 8, r["actual"], align="right", wrap=True)
        put(ws, row, 9, r["status"], align="center", bold=True, fill=STATUS_FILL[r["status"]])
        put(ws, row, 10, r["gap"], wrap=True)
        put(ws, row, 11, SOURCE_VI.get(r.get("target_source"), r.get("target_source") or ""), wrap=True)
        row += 1
    if not rows:
        row = note_row(ws, row, n, "Không có chỉ tiêu nào cho đơn vị trong năm. / No target applies.")
    row += 1
    note_row(ws, row, n, built_line(period))
    widths(ws, [6, 20, 44, 30, 14, 22, 22, 18, 13, 30, 18])
    page_setup(ws, header_rows=f"{header_row}:{header_row}", freeze=f"D{header_row + 1}")
