"""Sheets "Chỉ số phục vụ" (the service index of Quyết định 766/QĐ-TTg per unit, ranked within
its group) and "Chi tiết chỉ số" (every indicator's numerator, denominator, value, points and the
reason for N/A or a reduced score)."""

from __future__ import annotations

import math

from cchc_etl.reports.data import ReportData
from cchc_etl.reports.period import ReportPeriod, period_name_vi
from cchc_etl.reports.rows import RANK_GROUPS, Scope, indicator_detail, scorecard
from cchc_etl.reports.vn_format import RANK_CHANGE_FORMAT, fmt_change_vi, fmt_dec_vi, fmt_pct_vi
from cchc_etl.reports.xlsx_style import (
    GROUP_FILL, TOTAL_FILL, Book, built_line, merge, note_row, page_setup, put, sheet_header, table_header, widths,
)

NOT_DEFINED = ("Bộ chỉ số phục vụ người dân, doanh nghiệp chỉ được tính theo tháng, quý và năm (Quyết định 766/QĐ-TTg; "
               "marts.scores); kỳ {label} không có điểm — xem kỳ quý hoặc năm. / The service index is scored per month, "
               "quarter and year only: not defined for {label}.")
LEVEL_VI = {"unit": "đơn vị", "department": "gồm đơn vị trực thuộc", "city": "toàn thành phố"}


def _count_or_dec(x):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return int(x) if float(x).is_integer() else fmt_dec_vi(x)


def write_scorecard(wb: Book, data: ReportData, scope: Scope, period: ReportPeriod) -> None:
    ws = wb.create_sheet("Chỉ số phục vụ")
    groups = data.groups
    headers = (["STT", "Đơn vị"] + [f"{name} ({code})" for code, name in groups]
               + ["Tổng điểm", "Điểm tối đa áp dụng", "Tỷ lệ điểm", "Xếp hạng trong nhóm", "Xếp loại",
                  "Tỷ lệ kỳ trước", "Thay đổi tỷ lệ (điểm %)", "Hạng kỳ trước", "Thay đổi hạng"])
    n = len(headers)
    prev_type, prev_start = period.previous()
    notes = []
    if period.scored:
        notes = [f"Xếp hạng riêng từng nhóm (sở, ban, ngành; quận, huyện; xã, phường, thị trấn; đơn vị khác) trong toàn "
                 f"{scope.city_name}, theo tỷ lệ điểm làm tròn 2 chữ số, bằng nhau cùng hạng. Sở, ngành và quận, huyện "
                 "tính gồm các đơn vị trực thuộc; xã, phường và đơn vị khác tính theo hồ sơ của chính đơn vị. So sánh với kỳ "
                 f"trước cùng loại ({period_name_vi(prev_type, prev_start)}); ▲ lên hạng, ▼ xuống hạng."]
    row = sheet_header(ws, "CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP (Quyết định 766/QĐ-TTg)", scope, period, n, notes)
    if not period.scored:
        note_row(ws, row, n, NOT_DEFINED.format(label=period.label), bold=True, italic=False)
        widths(ws, [6, 40] + [12] * (n - 2))
        page_setup(ws, None, None)
        return
    header_row = row
    row = table_header(ws, row, headers, height=60)
    lines = scorecard(data, scope)
    counts = {g: sum(1 for x in lines if x["group"] == g and x["rank"] is not None) for g, _ in RANK_GROUPS}
    current_group, stt = "—", 0
    for x in lines:
        if x["group"] != current_group and x["group"] is not None:
            current_group, stt = x["group"], 0
            label = dict(RANK_GROUPS)[x["group"]]
            merge(ws, row, 1, row, n, f"{label} — {counts[x['group']]} đơn vị được xếp hạng", bold=True, fill=GROUP_FILL)
            row += 1
        stt += 1
        style = dict(bold=True, fill=TOTAL_FILL) if x["group"] is None else {}
        put(ws, row, 1, stt if x["group"] else "", align="center", **style)
        put(ws, row, 2, x["unit"] + ("" if x["group"] else " — toàn thành phố"), wrap=True, **style)
        for i, (code, _) in enumerate(groups, 3):
            put(ws, row, i, fmt_dec_vi(x["groups"].get(code)), align="right", **style)
        c = 3 + len(groups)
        put(ws, row, c, fmt_dec_vi(x["score"]), align="right", **style)
        put(ws, row, c + 1, fmt_dec_vi(x["max_score"]), align="right", **style)
        put(ws, row, c + 2, fmt_pct_vi(x["ratio"]), align="right", **style)
        put(ws, row, c + 3, x["rank"] if x["rank"] is not None else "—", align="center", number_format="0", **style)
        put(ws, row, c + 4, x["band"] or "—", align="center", **style)
        put(ws, row, c + 5, fmt_pct_vi(x["previous_ratio"]) if x["previous_ratio"] is not None else "—", align="right", **style)
        put(ws, row, c + 6, fmt_change_vi(x["ratio_change"]), align="right", **style)
        put(ws, row, c + 7, x["previous_rank"] if x["previous_rank"] is not None else "—", align="center", number_format="0", **style)
        put(ws, row, c + 8, x["rank_change"] if x["rank_change"] is not None else "—", align="center",
            number_format=RANK_CHANGE_FORMAT, **style)
        row += 1
    row += 1
    note_row(ws, row, n, built_line(period))
    widths(ws, [6, 40] + [11] * len(groups) + [10, 10, 11, 10, 12, 11, 12, 10, 10])
    page_setup(ws, header_rows=f"{header_row}:{header_row}", freeze=f"C{header_row + 1}")


def write_indicator_detail(wb: Book, data: ReportData, scope: Scope, period: ReportPeriod) -> None:
    ws = wb.create_sheet("Chi tiết chỉ số")
    headers = ["Đơn vị", "Phạm vi số liệu", "Nhóm", "Mã chỉ số", "Tên chỉ số", "Tử số", "Mẫu số", "Giá trị",
               "Điểm tối đa (P)", "Ngưỡng (T)", "Điểm", "Điểm tối đa áp dụng", "Lý do (không áp dụng, giảm điểm)"]
    n = len(headers)
    notes = ["Điểm = P khi giá trị ≥ ngưỡng T, ngược lại giá trị / T × P; không có ngưỡng: giá trị / 100 × P. Chỉ số không "
             "áp dụng (N/A) không tính điểm và không tính vào điểm tối đa."] if period.scored else []
    row = sheet_header(ws, "CHI TIẾT CHỈ SỐ PHỤC VỤ THEO ĐƠN VỊ", scope, period, n, notes)
    if not period.scored:
        note_row(ws, row, n, NOT_DEFINED.format(label=period.label), bold=True, italic=False)
        widths(ws, [36, 14, 8, 12, 40] + [11] * 7 + [50])
        page_setup(ws, None, None)
        return
    header_row = row
    row = table_header(ws, row, headers)
    for r in indicator_detail(data, scope):
        applicable = bool(r["applicable"])
        put(ws, row, 1, r["unit"], wrap=True)
        put(ws, row, 2, LEVEL_VI.get(r["org_level"], r["org_level"]), align="center")
        put(ws, row, 3, r["group_code"], align="center")
        put(ws, row, 4, r["indicator_code"])
        put(ws, row, 5, r["name_vi"], wrap=True)
        put(ws, row, 6, _count_or_dec(r["numerator"]))
        put(ws, row, 7, _count_or_dec(r["denominator"]))
        put(ws, row, 8, fmt_pct_vi(r["value"]), align="right")
        put(ws, row, 9, fmt_dec_vi(r["points"]), align="right")
        put(ws, row, 10, fmt_pct_vi(r["threshold"]) if r["threshold"] is not None and not math.isnan(r["threshold"]) else "—",
            align="right")
        put(ws, row, 11, fmt_dec_vi(r["score"]) if applicable else "N/A", align="right")
        put(ws, row, 12, fmt_dec_vi(r["max_score"]), align="right")
        put(ws, row, 13, r["reason"], wrap=True)
        row += 1
    row += 1
    note_row(ws, row, n, built_line(period))
    widths(ws, [36, 14, 8, 12, 40] + [11] * 7 + [50])
    page_setup(ws, header_rows=f"{header_row}:{header_row}", freeze=f"B{header_row + 1}")
