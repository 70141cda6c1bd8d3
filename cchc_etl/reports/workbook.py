"""The Excel workbook of one scope (the city, a department or a unit) for one period."""

from __future__ import annotations

from cchc_etl.reports.data import ReportData
from cchc_etl.reports.rows import Scope, form06, form06a, form06b
from cchc_etl.reports.sheet_form06 import write_form
from cchc_etl.reports.sheet_lists import write_late, write_near_due
from cchc_etl.reports.sheet_scores import write_indicator_detail, write_scorecard
from cchc_etl.reports.sheet_targets import write_targets
from cchc_etl.reports.sheet_trend import write_trend
from cchc_etl.reports.xlsx_style import Book

SHEETS = ("Biểu 06", "06a", "06b", "Chỉ số phục vụ", "Chi tiết chỉ số", "Chỉ tiêu", "Trễ hạn", "Sắp đến hạn", "Xu hướng")


def build_workbook(data: ReportData, scope: Scope) -> Book:
    """The scope's workbook, in memory until ``save(path)``."""
    wb = Book()
    p = data.period
    write_form(wb, "Biểu 06", form06(data, scope), scope, p)
    write_form(wb, "06a", form06a(data, scope), scope, p)
    write_form(wb, "06b", form06b(data, scope), scope, p)
    write_scorecard(wb, data, scope, p)
    write_indicator_detail(wb, data, scope, p)
    write_targets(wb, data, scope, p)
    write_late(wb, data, scope, p)
    write_near_due(wb, data, scope, p)
    write_trend(wb, data, scope, p)
    wb.xlsx.set_properties({
        "title": f"Báo cáo CCHC {p.label} — {scope.name}",
        "subject": f"Biểu 06/VPCP/KSTT, Chỉ số phục vụ, chỉ tiêu, hồ sơ trễ hạn — {p.title_vi}",
        "author": "cchc-etl",
        "language": "vi-VN",
    })
    return wb
