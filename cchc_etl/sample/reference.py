"""The reference files every sample and bench tree shares: ``reference/org_units.csv`` and
``reference/procedures.xlsx``."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from cchc_etl.sample.catalogue import _C, _D, _DAYS, _F, _H, _M, _N, _P, _PA, _WD, ORG_UNITS, PROCEDURES
from cchc_etl.sample.common import _nfc, _yn
from cchc_etl.sample.manifest import SampleManifest
from cchc_etl.sample.xlsx import _save_workbook_deterministic

_ORG_HEADER = ("unit_code", "name", "level", "parent_code", "valid_from", "valid_to", "successor_code", "category")

_PROC_HEADERS = [_nfc(h) for h in [
    "Mã thủ tục", "Tên thủ tục", "Lĩnh vực", "Cấp thực hiện", "Mức độ DVC", "Đủ điều kiện toàn trình",
    "Có phí/lệ phí", "Có kết quả bằng văn bản", "Thời hạn giải quyết", "Đơn vị thời hạn", "Nhóm chỉ tiêu",
    "Hiệu lực từ", "Hiệu lực đến",
]]
_PROC_LEVEL_WORD = {_P: "Tỉnh", _D: "Huyện", _C: "Xã"}
_PROC_ONLINE_WORD = {_F: "Toàn trình", _PA: "Một phần", _N: "Không"}
_PROC_UNIT_WORD = {_WD: "Ngày làm việc", _DAYS: "Ngày", _H: "Giờ", _M: "Tháng"}


def _write_reference(out_dir: Path, seed: int, manifest: SampleManifest | None = None) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    ref = Path(out_dir) / "reference"
    ref.mkdir(parents=True, exist_ok=True)

    # org_units.csv: UTF-8 (no BOM), canonical header, ISO dates
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(_ORG_HEADER)
    for u in ORG_UNITS:
        w.writerow([u.unit_code, u.name, u.level, u.parent_code, u.valid_from, u.valid_to,
                    u.successor_code, u.category])
    (ref / "org_units.csv").write_bytes(buf.getvalue().encode("utf-8"))
    if manifest is not None:
        manifest._add("reference/org_units.csv", len(ORG_UNITS), {"header": 1})

    # procedures.xlsx: title row, blank row, Vietnamese header, words for values
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh muc TTHC"
    ws.append([_nfc("DANH MỤC THỦ TỤC HÀNH CHÍNH")])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    ws.append(_PROC_HEADERS)
    for c in ws[3]:
        c.font = Font(bold=True)
    for p in PROCEDURES:
        vf = dt.datetime.fromisoformat(p.valid_from)
        vt = dt.datetime.fromisoformat(p.valid_to) if p.valid_to else None
        days: float | int = int(p.statutory_days) if float(p.statutory_days).is_integer() else p.statutory_days
        ws.append([
            p.procedure_code, p.name, p.field_name, _nfc(_PROC_LEVEL_WORD[p.level]),
            _nfc(_PROC_ONLINE_WORD[p.online_service_level]), _yn(p.full_online_eligible), _yn(p.fee_required),
            _yn(p.result_required), days, _nfc(_PROC_UNIT_WORD[p.statutory_unit]), p.target_group, vf, vt,
        ])
        r = ws.max_row
        ws.cell(r, 12).number_format = "dd/mm/yyyy"
        if vt is not None:
            ws.cell(r, 13).number_format = "dd/mm/yyyy"
    for col, width in zip("ABCDEFGHIJKLM", (24, 70, 34, 12, 12, 12, 10, 12, 10, 14, 12, 12, 12)):
        ws.column_dimensions[col].width = width
    _save_workbook_deterministic(wb, ref / "procedures.xlsx")
    if manifest is not None:
        manifest._add("reference/procedures.xlsx", len(PROCEDURES), {"title": 1, "blank": 1, "header": 1})


def write_reference(out_dir: str | Path, seed: int = 7) -> None:
    """Write ``out_dir/reference/org_units.csv`` and ``out_dir/reference/procedures.xlsx``.

    The content is fixed (``ORG_UNITS``, ``PROCEDURES``); ``seed`` does not change it."""
    _write_reference(Path(out_dir), seed)
