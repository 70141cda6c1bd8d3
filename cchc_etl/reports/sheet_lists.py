"""Sheets "Trễ hạn" (Phụ lục I: units with late dossiers; Phụ lục II: dossiers still late at the
period end) and "Sắp đến hạn" (open dossiers due within N working days; dossiers awaiting a
supplement for longer than M working days). Codes, procedures, units and dates only: never PII."""

from __future__ import annotations

from cchc_etl.reports.data import ReportData
from cchc_etl.reports.period import ReportPeriod
from cchc_etl.reports.rows import (
    Scope, awaiting_dossiers, awaiting_undated, late_dossiers, late_units, near_due_dossiers,
)
from cchc_etl.reports.vn_format import fmt_date_vi, fmt_int_vi, fmt_pct_vi
from cchc_etl.reports.xlsx_style import (
    GROUP_FILL, TOTAL_FILL, Book, built_line, merge, note_row, page_setup, put, sheet_header, table_header, widths,
)

NCOLS = 9
WIDTHS = [6, 32, 32, 42, 24, 13, 13, 13, 14]
LIST_HEADERS = ["STT", "Mã hồ sơ", "Đơn vị giải quyết", "Thủ tục hành chính", "Lĩnh vực", "Ngày tiếp nhận"]


def _section(ws, row: int, text: str) -> int:
    merge(ws, row, 1, row, NCOLS, text, bold=True, fill=GROUP_FILL, wrap=True)
    ws.height(row, 30)
    return row + 1


def _dossier_rows(ws, row: int, items: list[dict], tail) -> int:
    for i, d in enumerate(items, 1):
        put(ws, row, 1, i, align="center", number_format="0")
        put(ws, row, 2, d["dossier_id"])
        put(ws, row, 3, d["unit"], wrap=True)
        put(ws, row, 4, d["procedure"], wrap=True)
        put(ws, row, 5, d["field_name"], wrap=True)
        put(ws, row, 6, d["received_date"])
        for j, value in enumerate(tail(d), 7):
            put(ws, row, j, value, align="center" if isinstance(value, str) else None)
        row += 1
    return row


def _none_row(ws, row: int, text: str) -> int:
    merge(ws, row, 1, row, NCOLS, text, italic=True, align="center")
    return row + 1


def write_late(wb: Book, data: ReportData, scope: Scope, period: ReportPeriod) -> None:
    ws = wb.create_sheet("Trễ hạn")
    notes = ["Giải quyết quá hạn: có kết quả trong kỳ sau hạn xử lý (so sánh theo ngày); tỷ lệ trên số hồ sơ có kết quả "
             "(LATE_RATE). Đang quá hạn: chưa có kết quả đến hết kỳ và hạn xử lý trước ngày cuối kỳ (RPT_PENDING_OVERDUE), "
             "kể cả hồ sơ đang chờ bổ sung (biểu 06 xếp các hồ sơ này vào cột (12) Trong hạn)."]
    row = sheet_header(ws, "DANH SÁCH HỒ SƠ TRỄ HẠN", scope, period, NCOLS, notes)
    top = row
    row = _section(ws, row, "PHỤ LỤC I. CÁC ĐƠN VỊ CÓ HỒ SƠ TRỄ HẠN")
    row = table_header(ws, row, ["STT", "Đơn vị", "Đã giải quyết (có kết quả)", "Giải quyết quá hạn", "Tỷ lệ quá hạn",
                                 "Đang giải quyết", "Đang quá hạn", "Tỷ lệ đang quá hạn", "Trong đó chờ bổ sung"])
    units = late_units(data, scope)
    for i, u in enumerate(units, 1):
        put(ws, row, 1, i, align="center", number_format="0")
        put(ws, row, 2, u["unit"], wrap=True)
        put(ws, row, 3, u["resolved"])
        put(ws, row, 4, u["resolved_late"])
        put(ws, row, 5, fmt_pct_vi(u["late_rate"]), align="right")
        put(ws, row, 6, u["pending"])
        put(ws, row, 7, u["pending_overdue"])
        put(ws, row, 8, fmt_pct_vi(u["overdue_rate"]), align="right")
        put(ws, row, 9, u["pending_overdue_awaiting"])
        row += 1
    if units:
        total = {k: sum(u[k] for u in units) for k in ("resolved", "resolved_late", "pending", "pending_overdue",
                                                        "pending_overdue_awaiting")}
        put(ws, row, 1, "", fill=TOTAL_FILL)
        put(ws, row, 2, f"Cộng ({len(units)} đơn vị)", bold=True, fill=TOTAL_FILL)
        for col, key in ((3, "resolved"), (4, "resolved_late"), (6, "pending"), (7, "pending_overdue"), (9, "pending_overdue_awaiting")):
            put(ws, row, col, total[key], bold=True, fill=TOTAL_FILL)
        put(ws, row, 5, "", fill=TOTAL_FILL)
        put(ws, row, 8, "", fill=TOTAL_FILL)
        row += 1
    else:
        row = _none_row(ws, row, "Không có đơn vị nào có hồ sơ trễ hạn trong kỳ. / No unit had late dossiers.")
    row += 1
    late = late_dossiers(data, scope)
    row = _dossier_section(ws, row, f"PHỤ LỤC II. HỒ SƠ CÒN QUÁ HẠN ĐẾN HẾT KỲ (ngày {fmt_date_vi(period.last_day)}): "
                                    f"{fmt_int_vi(len(late))} hồ sơ",
                           ["Hạn xử lý", "Số ngày làm việc quá hạn", "Trạng thái"], late,
                           lambda d: [d["due_date"], int(d["working_days_overdue"]), d["status_vi"]],
                           "Không có hồ sơ quá hạn đến hết kỳ. / No dossier overdue at the period end.")
    row += 1
    note_row(ws, row, NCOLS, built_line(period))
    widths(ws, WIDTHS)
    page_setup(ws, header_rows=None, freeze=f"A{top}")


def _dossier_section(ws, row: int, title: str, extra_headers: list[str], dossiers: list, extra, empty: str) -> int:
    """A titled list of dossiers: the common columns, ``extra_headers`` filled by ``extra(d)``; a
    line saying so when the list is empty."""
    row = _section(ws, row, title)
    row = table_header(ws, row, LIST_HEADERS + extra_headers)
    row = _dossier_rows(ws, row, dossiers, extra)
    return row if dossiers else _none_row(ws, row, empty)


def write_near_due(wb: Book, data: ReportData, scope: Scope, period: ReportPeriod) -> None:
    ws = wb.create_sheet("Sắp đến hạn")
    o = data.options
    notes = [f"Hồ sơ đang giải quyết theo dữ liệu xuất tháng {period.asof:%m/%Y}; ngày tham chiếu "
             f"{fmt_date_vi(period.last_day)} (ngày cuối kỳ). Số ngày làm việc theo lịch làm việc của kho dữ liệu (trừ thứ "
             "Bảy, Chủ nhật, ngày lễ, nghỉ bù; tính ngày làm bù)."]
    row = sheet_header(ws, "DANH SÁCH HỒ SƠ SẮP ĐẾN HẠN VÀ CHỜ BỔ SUNG", scope, period, NCOLS, notes)
    top = row
    near = near_due_dossiers(data, scope)
    row = _dossier_section(ws, row, f"A. HỒ SƠ ĐẾN HẠN TRONG {o.near_due_days} NGÀY LÀM VIỆC KỂ TỪ NGÀY THAM CHIẾU: "
                                    f"{fmt_int_vi(len(near))} hồ sơ (thông báo, xin lỗi và hẹn lại ngày trả kết quả trước hạn "
                                    "theo Nghị định 61/2018/NĐ-CP)",
                           ["Hạn xử lý", "Số ngày làm việc còn lại", "Trạng thái"], near,
                           lambda d: [d["due_date"], int(d["working_days_left"]), d["status_vi"]],
                           "Không có hồ sơ sắp đến hạn. / No dossier due soon.")
    row += 1
    waiting = awaiting_dossiers(data, scope)
    row = _dossier_section(ws, row, f"B. HỒ SƠ CHỜ CÔNG DÂN BỔ SUNG QUÁ {o.supplement_days} NGÀY LÀM VIỆC: "
                                    f"{fmt_int_vi(len(waiting))} hồ sơ",
                           ["Ngày yêu cầu bổ sung", "Số ngày làm việc chờ bổ sung", "Hạn xử lý"], waiting,
                           lambda d: [d["requested_date"], int(d["working_days_waiting"]), d["due_date"]],
                           "Không có hồ sơ chờ bổ sung quá thời hạn trên. / None.")
    undated = awaiting_undated(data, scope)
    if undated:
        row = note_row(ws, row, NCOLS, f"Ngoài ra {fmt_int_vi(undated)} hồ sơ đang chờ bổ sung không có ngày yêu cầu bổ sung "
                                       "trong dữ liệu xuất, không tính được thời gian chờ.")
    row += 1
    note_row(ws, row, NCOLS, built_line(period))
    widths(ws, WIDTHS)
    page_setup(ws, header_rows=None, freeze=f"A{top}")
