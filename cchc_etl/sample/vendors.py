"""The two dossier exports: igate (XLSX, Vietnamese words, title rows, a blank row, a total row)
and vnpt (CSV with BOM, national codes)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from cchc_etl.sample.common import _fmt_dt_str, _nfc, _yn
from cchc_etl.sample.dossier_fields import _CODES, _IGATE_COLUMNS, _WORDS, DOSSIER_FIELDS, IGATE_EXTRA_COLUMN
from cchc_etl.sample.months import _month_bounds, _parse_month
from cchc_etl.sample.xlsx import _save_workbook_deterministic


def _igate_cell_value(field_name: str, kind: str, v: Any, row: dict[str, Any]) -> Any:
    if v is None or v == "":
        return None
    if kind == "word":
        if field_name in _WORDS and v in _WORDS[field_name]:
            return _WORDS[field_name][v] or None
        return v  # planted unknown word
    if kind == "bool":
        return _yn(bool(v))
    if kind == "int":
        return int(v)
    if kind == "dt_str":
        return _fmt_dt_str(v)
    if kind == "url":
        if not v:
            return None
        return f"https://dichvucong.hochiminhcity.gov.vn/files/ketqua/{row['_id_for_url']}.pdf"
    return v


def _write_igate(path: Path, rows: list[dict[str, Any]], bad: dict[int, tuple[str, str]], month: str,
                 seed: int) -> tuple[int, dict[str, int], list[tuple[int, str, str]]]:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    y, m = _parse_month(month)
    m0, m1 = _month_bounds(month)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_nfc("Danh sách hồ sơ"))
    for col, width in zip(range(1, 31), [22, 24, 50, 28, 10, 16, 12, 18, 18, 18, 18, 16, 18]):
        ws.column_dimensions[chr(64 + col)].width = width
    bold = Font(bold=True, size=13)
    title = WriteOnlyCell(ws, value=_nfc("BÁO CÁO DANH SÁCH HỒ SƠ"))
    title.font = bold
    ws.append([title])
    ws.append([_nfc("Đơn vị: Trung tâm Phục vụ hành chính công - các sở, ban, ngành Thành phố Hồ Chí Minh")])
    ws.append([_nfc(f"Kỳ báo cáo: tháng {m:02d}/{y} (từ ngày {m0:%d/%m/%Y} đến ngày {m1:%d/%m/%Y})")])
    ws.append([])
    header = []
    for h in [h for _, h, _ in _IGATE_COLUMNS] + [IGATE_EXTRA_COLUMN]:
        c = WriteOnlyCell(ws, value=h)
        c.font = Font(bold=True)
        header.append(c)
    ws.append(header)
    header_row = 5
    blank_after = len(rows) // 2 if len(rows) >= 2 else None  # blank row after this many data rows
    physical = header_row
    bad_out: list[tuple[int, str, str]] = []
    for i, r in enumerate(rows):
        if blank_after is not None and i == blank_after:
            ws.append([])
            physical += 1
        cells = []
        for f, _, kind in _IGATE_COLUMNS:
            v = _igate_cell_value(f, kind, r[f], r)
            if kind == "dt_cell" and isinstance(v, dt.datetime):
                c = WriteOnlyCell(ws, value=v)
                c.number_format = "dd/mm/yyyy hh:mm"
                cells.append(c)
            else:
                cells.append(v)
        cells.append(r["_note"] or None)
        ws.append(cells)
        physical += 1
        if i in bad:
            bad_out.append((physical, *bad[i]))
    ws.append([_nfc("Tổng cộng"), len(rows)])
    _save_workbook_deterministic(wb, path)
    skipped = {"title": 3, "header": 1, "blank": 1 + (1 if blank_after is not None else 0), "total": 1}
    return len(rows), skipped, bad_out


def _vnpt_value(f: str, v: Any, r: dict[str, Any]) -> str:
    if f == "status":
        return r["_vnpt_status"]
    if v is None:
        return ""
    if f in _CODES:
        return _CODES[f].get(v, str(v))
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%dT%H:%M:%S")
    return str(v)


def _write_vnpt(path: Path, rows: list[dict[str, Any]], bad: dict[int, tuple[str, str]]
                ) -> tuple[int, dict[str, int], list[tuple[int, str, str]]]:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(DOSSIER_FIELDS)
    bad_out = []
    for i, r in enumerate(rows):
        w.writerow([_vnpt_value(f, r[f], r) for f in DOSSIER_FIELDS])
        if i in bad:
            bad_out.append((i + 2, *bad[i]))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode("utf-8-sig"))
    return len(rows), {"header": 1}, bad_out


_SYSTEMS = ("igate", "vnpt")


def _file_name(system: str, month: str) -> str:
    return f"igate__hoso_{month}.xlsx" if system == "igate" else f"vnpt__export_{month}.csv"
