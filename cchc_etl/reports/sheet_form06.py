"""Sheets "Biểu 06", "06a" (by unit) and "06b" (by procedure): Biểu số 06/VPCP/KSTT, Tình hình,
kết quả giải quyết TTHC tại cơ quan, đơn vị trực tiếp giải quyết TTHC (Thông tư 01/2020/TT-VPCP),
laid out as the provincial systems export it: a header block, 13 numbered columns under merged
group headers, the row of column numbers (1)…(13), then the rows."""

from __future__ import annotations

from cchc_etl.reports.period import ReportPeriod
from cchc_etl.reports.rows import FormRow, Scope, form_notes
from cchc_etl.reports.vn_format import fmt_int_vi
from cchc_etl.reports.xlsx_style import (
    GROUP_FILL, HEADER_FILL, TOTAL_FILL, Book, built_line, merge, note_row, page_setup, put, put_counts, signature_block,
    widths,
)

NCOLS = 13
FIRST_DATA_ROW = 10
COLUMN_NUMBER_ROW = 9
LABEL_HEADERS = {
    "Biểu 06": "Lĩnh vực, công việc giải quyết theo cấp",
    "06a": "Đơn vị trực tiếp giải quyết TTHC",
    "06b": "Lĩnh vực, thủ tục hành chính",
}
SUBTITLES = {
    "Biểu 06": None,
    "06a": "Biểu 06a — chi tiết theo đơn vị trực tiếp giải quyết",
    "06b": "Biểu 06b — chi tiết theo thủ tục hành chính",
}


def _form_header(ws, sheet: str, scope: Scope, period: ReportPeriod) -> None:
    merge(ws, 1, 1, 1, 3, "Biểu số 06/VPCP/KSTT", bold=True, border=False, align="center")
    merge(ws, 2, 1, 3, 3, "Ban hành kèm theo Thông tư số 01/2020/TT-VPCP", italic=True, size=10, border=False,
          align="center", wrap=True)
    merge(ws, 1, 4, 1, 10, "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH", bold=True, size=12, align="center", border=False)
    merge(ws, 2, 4, 2, 10, "TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT TTHC", bold=True, size=12, align="center", border=False)
    merge(ws, 3, 4, 3, 10, f"Kỳ báo cáo: {period.title_vi}", bold=True, align="center", border=False)
    merge(ws, 4, 4, 4, 10, f"({period.dates_vi})", italic=True, align="center", border=False)
    merge(ws, 1, 11, 1, 13, "Đơn vị báo cáo:", bold=True, border=False)
    merge(ws, 2, 11, 2, 13, scope.reporting_name, border=False, wrap=True)
    merge(ws, 3, 11, 3, 13, "Đơn vị nhận báo cáo:", bold=True, border=False)
    merge(ws, 4, 11, 4, 13, scope.recipient_name, border=False, wrap=True)
    if SUBTITLES[sheet]:
        merge(ws, 5, 1, 5, 10, SUBTITLES[sheet], bold=True, italic=True, border=False)
    merge(ws, 5, 11, 5, 13, "Đơn vị tính: Số hồ sơ TTHC.", italic=True, border=False)
    ws.height(2, 30)
    ws.height(4, 30)

    hdr = dict(bold=True, align="center", wrap=True, fill=HEADER_FILL)
    merge(ws, 6, 1, 8, 1, "STT", **hdr)
    merge(ws, 6, 2, 8, 2, LABEL_HEADERS[sheet], **hdr)
    merge(ws, 6, 3, 6, 6, "Số hồ sơ nhận giải quyết", **hdr)
    merge(ws, 6, 7, 6, 10, "Số hồ sơ đã giải quyết", **hdr)
    merge(ws, 6, 11, 6, 13, "Số lượng hồ sơ đang giải quyết", **hdr)
    merge(ws, 7, 3, 8, 3, "Tổng số", **hdr)
    merge(ws, 7, 4, 7, 6, "Trong đó", **hdr)
    for col, text in ((4, "Trực tuyến"), (5, "Trực tiếp, dịch vụ bưu chính"), (6, "Từ kỳ trước")):
        put(ws, 8, col, text, **hdr)
    for col, text in ((7, "Tổng số"), (8, "Trước hạn"), (9, "Đúng hạn"), (10, "Quá hạn"),
                      (11, "Tổng số"), (12, "Trong hạn"), (13, "Quá hạn")):
        merge(ws, 7, col, 8, col, text, **hdr)
    for col in range(1, NCOLS + 1):
        put(ws, COLUMN_NUMBER_ROW, col, f"({col})", italic=True, align="center", fill=HEADER_FILL)
    ws.height(6, 30)
    ws.height(8, 45)


def write_form(wb: Book, sheet: str, rows: list[FormRow], scope: Scope, period: ReportPeriod) -> None:
    ws = wb.create_sheet(sheet)
    _form_header(ws, sheet, scope, period)
    r = FIRST_DATA_ROW
    for row in rows:
        style = {"group": dict(bold=True, fill=GROUP_FILL), "total": dict(bold=True, fill=TOTAL_FILL)}.get(row.kind, {})
        put(ws, r, 1, row.stt, align="center", number_format="0", **style)
        put(ws, r, 2, row.label, wrap=True, **style)
        put_counts(ws, r, 3, row.columns, **style)
        r += 1
    notes = form_notes(rows)
    r += 1
    r = note_row(ws, r, NCOLS, "Ghi chú / notes:", bold=True, italic=False)
    r = note_row(ws, r, NCOLS, f"(9) Theo quy ước của biểu mẫu, cột Đúng hạn gồm cả {fmt_int_vi(notes['withdrawn_rejected'])} "
                               "hồ sơ công dân rút hoặc bị từ chối giải quyết trong kỳ (kho dữ liệu thống kê riêng các hồ sơ "
                               "này: RPT_WITHDRAWN_REJECTED).")
    r = note_row(ws, r, NCOLS, f"(12) Theo quy ước của biểu mẫu, cột Trong hạn gồm cả {fmt_int_vi(notes['pending_overdue_awaiting'])} "
                               "hồ sơ đang chờ công dân bổ sung đã quá hạn xử lý; cột (13) là "
                               f"{fmt_int_vi(notes['pending_overdue'] - notes['pending_overdue_awaiting'])} hồ sơ còn lại "
                               f"(kho dữ liệu tính cả hai vào hồ sơ quá hạn: RPT_PENDING_OVERDUE = "
                               f"{fmt_int_vi(notes['pending_overdue'])}).")
    r = note_row(ws, r, NCOLS, "(3) = (4) + (5) + (6) = (7) + (11); (7) = (8) + (9) + (10); (11) = (12) + (13). "
                               "Trước hạn / đúng hạn / quá hạn so sánh theo ngày (ngày có kết quả với hạn xử lý).")
    if not period.complete:
        r = note_row(ws, r, NCOLS, f"Kỳ chưa kết thúc: số liệu {period.to_date_note}.", bold=True, italic=False)
    r = note_row(ws, r, NCOLS, built_line(period))
    signature_block(ws, r, NCOLS, period)
    widths(ws, [6, 46] + [10.5] * 11)
    page_setup(ws, header_rows=f"6:{COLUMN_NUMBER_ROW}", freeze=f"C{FIRST_DATA_ROW}")
