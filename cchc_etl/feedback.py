"""Feedback to data owners: the quarantined rows of a month as XLSX workbooks, one per exporting
system (a vendor) or per unit, for whoever can fix the data (``cchc-etl quarantine``).

Read from the warehouse only (``quality.quarantine`` joined to ``quality.file_log``): each row
gives the original file, sheet and row number, the column that failed (the file's own header
and the contract field), the reason in Vietnamese and English, and the row's raw cells exactly as
stored: personal data stays hashed. A first sheet explains in Vietnamese (and English) how to fix
and re-deliver. Each data sheet (one per source) has its header row frozen, an autofilter,
widths fitted to the content and the failing cell highlighted.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from cchc_etl.contract import load_profile, load_source
from cchc_etl.text import header_key

NO_UNIT = "khong_ro_don_vi"  # rows whose unit code cell is blank (or the source has none)
FIXED_HEADERS = ("Tệp gốc / file", "Trang tính / sheet", "Dòng / row", "Cột lỗi / column", "Trường / field",
                 "Lý do / reason")
INSTRUCTIONS_SHEET = "Hướng dẫn"
MAX_WIDTH, MIN_WIDTH = 60, 8


@dataclass
class QuarantinedRow:
    source: str
    system: str | None
    file_path: str
    sheet: str | None
    row_number: int
    column_name: str  # the contract field that failed
    reason: str
    raw: dict = field(default_factory=dict)  # original header -> cell, as stored (PII hashed)

    @property
    def header(self) -> str:
        """The file's own header of the failing column (the contract field when no cell maps to it)."""
        return original_header(self.source, self.system, self.column_name, list(self.raw))

    def unit(self) -> str:
        spec = load_source(self.source)
        if not any(f.name == "unit_code" for f in spec.fields):
            return NO_UNIT
        value = self.raw.get(original_header(self.source, self.system, "unit_code", list(self.raw)))
        return str(value).strip() if value not in (None, "") else NO_UNIT


def original_header(source: str, system: str | None, field_name: str, headers: list[str]) -> str:
    """Among a row's headers, the one the reader took for ``field_name`` (the best-ranked spelling,
    as ``readers.base.match_header`` chooses), else the field name itself."""
    from cchc_etl.readers.base import alias_ranks

    spec = load_source(source)
    profile = load_profile(system, source)
    index = spec.alias_index(profile)
    ranks = alias_ranks(spec, profile)
    matching = [h for h in headers if index.get(header_key(h)) == field_name]
    if not matching:
        return field_name
    return min(matching, key=lambda h: (ranks.get(header_key(h), 1 << 20), headers.index(h)))


def quarantined_rows(con, month: dt.date, *, source: str | None = None, system: str | None = None) -> list[QuarantinedRow]:
    """The month's quarantined rows, by source, file, sheet and row number."""
    where, params = ["q.month = ?"], [month]
    if source:
        where.append("q.source = ?")
        params.append(source)
    if system:
        where.append("f.system = ?")
        params.append(system)
    rows = con.execute(
        f"""SELECT q.source, f.system, q.file_path, q.sheet, q.row_number, q.column_name, q.reason, q.raw_values
            FROM quality.quarantine q LEFT JOIN quality.file_log f ON f.file_path = q.file_path
            WHERE {' AND '.join(where)}
            ORDER BY q.source, q.file_path, q.sheet NULLS FIRST, q.row_number""", params).fetchall()
    return [QuarantinedRow(src, sys_, fp, sh, int(rn), col, reason, json.loads(raw) if raw else {})
            for src, sys_, fp, sh, rn, col, reason, raw in rows]


def group_rows(rows: list[QuarantinedRow], by: str) -> dict[str, list[QuarantinedRow]]:
    groups: dict[str, list[QuarantinedRow]] = defaultdict(list)
    for r in rows:
        groups[(r.system or "khong_ro_he_thong") if by == "system" else r.unit()].append(r)
    return dict(sorted(groups.items()))


def workbook_name(month: str, group: str) -> str:
    """``quarantine_2024-03_igate.xlsx``: never ``<system>__…``, so that a workbook dropped into
    the landing tree by mistake is not taken for an export."""
    return f"quarantine_{month}_{re.sub(r'[^A-Za-z0-9_.-]+', '_', group)}.xlsx"


def write_workbook(path: Path, month: str, by: str, group: str, rows: list[QuarantinedRow]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    bad_fill = PatternFill("solid", fgColor="F8CBAD")
    wb = Workbook()
    guide = wb.active
    guide.title = INSTRUCTIONS_SHEET
    by_source: dict[str, list[QuarantinedRow]] = defaultdict(list)
    for r in rows:
        by_source[r.source].append(r)
    for line in _instructions(month, by, group, by_source):
        guide.append([line])
    guide["A1"].font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width = 120
    for cell in guide["A"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")

    for source, items in sorted(by_source.items()):
        ws = wb.create_sheet(source[:31])
        raw_headers: list[str] = []
        for r in items:
            raw_headers += [h for h in r.raw if h not in raw_headers]
        ws.append([*FIXED_HEADERS, *raw_headers])
        for r in items:
            ws.append([r.file_path, r.sheet or "", r.row_number, r.header, r.column_name, r.reason,
                       *(_cell(r.raw.get(h)) for h in raw_headers)])
            if r.header in raw_headers:
                ws.cell(row=ws.max_row, column=len(FIXED_HEADERS) + 1 + raw_headers.index(r.header)).fill = bad_fill
        for cell in ws[1]:
            cell.font = bold
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
        for i, column in enumerate(ws.iter_cols(min_row=1, max_row=ws.max_row), 1):
            longest = max(len(str(c.value)) if c.value is not None else 0 for c in column)
            ws.column_dimensions[get_column_letter(i)].width = max(MIN_WIDTH, min(MAX_WIDTH, longest + 2))
        reason_col = get_column_letter(FIXED_HEADERS.index("Lý do / reason") + 1)
        for cell in ws[reason_col][1:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _cell(value):
    """A raw cell as the workbook shows it: text stays text (no number or date guessing)."""
    if value is None or isinstance(value, (int, float, bool)):
        return value
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _instructions(month: str, by: str, group: str, by_source: dict[str, list[QuarantinedRow]]) -> list[str]:
    who = f"hệ thống / system {group}" if by == "system" else f"đơn vị / unit {group}"
    files = sorted({r.file_path for items in by_source.values() for r in items})
    lines = [
        f"Dữ liệu bị cách ly tháng {month} — {who}",
        f"Quarantined rows of {month} — {who}",
        "",
        "Các dòng dưới đây có trong tệp xuất của quý đơn vị nhưng KHÔNG được nạp vào kho dữ liệu vì có lỗi. "
        "Mỗi trang tính (một trang cho mỗi nguồn dữ liệu) liệt kê: tệp gốc, trang tính, số dòng trong tệp gốc "
        "(như Excel hiển thị), cột bị lỗi (tiêu đề cột trong tệp của quý đơn vị, và tên trường theo hợp đồng dữ liệu), "
        "lý do, rồi toàn bộ các ô của dòng đó như đã nhận. Ô bị lỗi được tô màu.",
        "Cách sửa: sửa các ô được nêu trong hệ thống (hoặc trong tệp gốc), rồi gửi lại NGUYÊN TỆP với cùng tên vào "
        "đúng thư mục landing/<nguồn>/<YYYY-MM>/. Tệp đã thay đổi sẽ thay thế đúng các dòng của chính nó; "
        "các tệp khác không bị ảnh hưởng. Không gửi tệp Excel này vào thư mục landing: đây là báo cáo, không phải tệp xuất.",
        "Dữ liệu cá nhân (họ tên, số CMND/CCCD, điện thoại, thư điện tử, địa chỉ) được hiển thị dưới dạng mã băm, "
        "đúng như trong kho; hãy tìm dòng theo số dòng và mã hồ sơ.",
        "",
        "These rows of your exports were NOT loaded because of the reason given. Fix the cells in your system (or "
        "in the original file) and re-deliver the whole file under the same name into landing/<source>/<YYYY-MM>/: "
        "a changed file replaces exactly its own rows. Personal data is shown hashed, as stored. Do not drop this "
        "workbook into the landing tree.",
        "",
        "Tóm tắt / summary:",
    ]
    for source, items in sorted(by_source.items()):
        label = load_source(source).label_vi
        lines.append(f"  {source} ({label}): {len(items)} dòng / rows — trang tính / sheet \"{source[:31]}\"")
    lines.append("")
    lines.append("Tệp gốc / original files:")
    lines += [f"  {f}" for f in files]
    return lines


@dataclass
class Written:
    path: Path
    group: str
    rows: int
    files: list[str]
    sources: dict[str, int] = field(default_factory=dict)  # source -> rows in this workbook


def write_feedback(con, month: str, out: Path, *, by: str = "system", source: str | None = None,
                   system: str | None = None) -> list[Written]:
    """Write the month's workbooks into ``out``; returns what was written (nothing when the month
    has no quarantined row)."""
    rows = quarantined_rows(con, dt.date.fromisoformat(f"{month}-01"), source=source, system=system)
    written = []
    for group, items in group_rows(rows, by).items():
        path = out / workbook_name(month, group)
        write_workbook(path, month, by, group, items)
        per_source: dict[str, int] = defaultdict(int)
        for r in items:
            per_source[r.source] += 1
        written.append(Written(path, group, len(items), sorted({r.file_path for r in items}), dict(sorted(per_source.items()))))
    return written


def record_feedback(con, written: list[Written], out: Path) -> int:
    """``quality.file_log.feedback_path`` of each file whose rows were written: its workbook, or
    ``out`` when its rows went to several (one per unit). Returns the files recorded."""
    con.execute("ALTER TABLE quality.file_log ADD COLUMN IF NOT EXISTS feedback_path VARCHAR")
    targets: dict[str, set[Path]] = defaultdict(set)
    for w in written:
        for f in w.files:
            targets[f].add(w.path.resolve())
    for f, paths in targets.items():
        path = next(iter(paths)) if len(paths) == 1 else out.resolve()
        con.execute("UPDATE quality.file_log SET feedback_path = ? WHERE file_path = ?", [str(path), f])
    return len(targets)


def quarantine_asset_key(source: str) -> list[str]:
    return ["quality", f"{source}_quarantine"]


def feedback_observations(month: str, written: list[Written]) -> list:
    """One Dagster ``AssetObservation`` per source on its ``quality/<source>_quarantine`` asset and
    month partition, linking the workbooks that hold its rows: the UI shows them beside the
    quarantine's materialization."""
    from dagster import AssetKey, AssetObservation, MetadataValue

    by_source: dict[str, list[Written]] = defaultdict(list)
    for w in written:
        for source in w.sources:
            by_source[source].append(w)
    observations = []
    for source, books in sorted(by_source.items()):
        paths = [str(w.path.resolve()) for w in books]
        first = books[0].path.resolve()
        observations.append(AssetObservation(
            asset_key=AssetKey(quarantine_asset_key(source)),
            partition=f"{month}-01",
            description=f"Tệp phản hồi cho đơn vị cung cấp dữ liệu / feedback workbooks for the data owners ({month})",
            metadata={
                "feedback_workbook": MetadataValue.path(str(first) if len(paths) == 1 else str(first.parent)),
                "feedback_url": MetadataValue.url(first.as_uri() if len(paths) == 1 else first.parent.as_uri()),
                "feedback_workbooks": MetadataValue.json(paths),
                "rows_in_feedback": MetadataValue.int(sum(w.sources[source] for w in books)),
            },
        ))
    return observations


__all__ = ["QuarantinedRow", "Written", "feedback_observations", "group_rows", "original_header", "quarantine_asset_key", "quarantined_rows", "record_feedback",
           "workbook_name", "write_feedback", "write_workbook"]
