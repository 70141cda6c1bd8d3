"""The report period: ``2024-03`` (month), ``2024-Q1`` (quarter), ``2024-H1`` / ``2024-H2``
(six months) or ``2024`` (year), resolved against what the warehouse holds.

Months, quarters and years are the periods the marts score (``marts.periods``): their end and
as-of month come from there. The marts have no six-month period: a half year reaches to its last
month present in ``marts.periods`` and is built only for what is defined for it (the counts of
Biểu 06 and the lists, from the rows over the whole period as for any period; methodology §1),
never a service-index score (see ``ReportPeriod.scored``).

A period that does not reach its natural end yet is year to date: every sheet says
"lũy kế đến hết tháng MM/YYYY".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import duckdb

from cchc_etl.periods import add_months, parse_label
from cchc_etl.reports.vn_format import ROMAN, fmt_date_vi, month_year_vi

MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


class PeriodNotAvailable(LookupError):
    """The warehouse holds no scored month of the period."""


@dataclass(frozen=True)
class ReportPeriod:
    type: str            # month | quarter | half | year
    start: dt.date
    end: dt.date         # exclusive: first day after the last month included (year to date)
    asof: dt.date        # first day of the export month whose state the period uses
    methodology_version: str

    @property
    def natural_end(self) -> dt.date:
        return add_months(self.start, MONTHS[self.type])

    @property
    def complete(self) -> bool:
        return self.end >= self.natural_end

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def scored(self) -> bool:
        """Whether the marts score this kind of period (month, quarter, year)."""
        return self.type != "half"

    @property
    def label(self) -> str:
        if self.type == "month":
            return f"{self.start:%Y-%m}"
        if self.type == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.type == "half":
            return f"{self.start.year}-H{1 if self.start.month == 1 else 2}"
        return f"{self.start.year}"

    @property
    def name_vi(self) -> str:
        return period_name_vi(self.type, self.start)

    @property
    def to_date_note(self) -> str:
        """'' for a complete period, else 'lũy kế đến hết tháng 02/2024'."""
        return "" if self.complete else f"lũy kế đến hết tháng {month_year_vi(self.asof)}"

    @property
    def title_vi(self) -> str:
        """'Quý I năm 2024 (lũy kế đến hết tháng 02/2024)'."""
        return self.name_vi + (f" ({self.to_date_note})" if self.to_date_note else "")

    @property
    def dates_vi(self) -> str:
        return f"Từ ngày {fmt_date_vi(self.start)} đến ngày {fmt_date_vi(self.last_day)}"

    def previous(self) -> tuple[str, dt.date]:
        """Type and start of the previous period of the same type."""
        return self.type, add_months(self.start, -MONTHS[self.type])

    def months(self) -> list[dt.date]:
        out, m = [], self.start
        while m < self.end:
            out.append(m)
            m = add_months(m, 1)
        return out


def period_name_vi(ptype: str, start: dt.date) -> str:
    """'Tháng 03 năm 2024', 'Quý I năm 2024', '6 tháng đầu năm 2024', 'Năm 2024'."""
    y = start.year
    if ptype == "month":
        return f"Tháng {start:%m} năm {y}"
    if ptype == "quarter":
        return f"Quý {ROMAN[(start.month - 1) // 3]} năm {y}"
    if ptype == "half":
        return f"6 tháng {'đầu' if start.month == 1 else 'cuối'} năm {y}"
    return f"Năm {y}"


def parse_report_label(text: str) -> tuple[str, dt.date]:
    try:
        return parse_label(text, halves=True)
    except ValueError:
        raise ValueError(f"kỳ báo cáo không hợp lệ / invalid period {text!r}: YYYY-MM, YYYY-Qn, YYYY-H1, YYYY-H2 hoặc / or YYYY") from None


def resolve_period(con: duckdb.DuckDBPyConnection, label: str, version: str) -> ReportPeriod:
    ptype, start = parse_report_label(label)
    if ptype != "half":
        row = con.execute("SELECT period_end, asof_month FROM marts.periods WHERE period_type = ? AND period_start = ? "
                          "AND methodology_version = ?", [ptype, start, version]).fetchone()
        if row is None:
            raise PeriodNotAvailable(f"kỳ {label} chưa có số liệu trong kho (phương pháp {version}) / period {label} has not "
                                     f"been loaded and scored with methodology {version}: chạy / run `cchc-etl run` trước / first")
        return ReportPeriod(ptype, start, row[0], row[1], version)
    natural_end = add_months(start, MONTHS["half"])
    last = con.execute("SELECT max(period_start) FROM marts.periods WHERE period_type = 'month' AND period_start >= ? "
                       "AND period_start < ? AND methodology_version = ?", [start, natural_end, version]).fetchone()[0]
    if last is None:
        raise PeriodNotAvailable(f"kỳ {label} chưa có tháng nào trong kho (phương pháp {version}) / no month of {label} has "
                                 f"been loaded and scored with methodology {version}")
    return ReportPeriod("half", start, add_months(last, 1), last, version)
