"""``documents``: the incoming / outgoing document log per unit."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from cchc_etl.sample.bad_rows import _bad_kinds, _n_bad, _plant
from cchc_etl.sample.catalogue import (
    _COMMUNES,
    _DEPARTMENTS,
    _DISTRICTS,
    _LAND_BRANCHES,
    _LOCAL_UNITS,
    _ORG_BY_CODE,
    _PROVINCE_UNITS,
    _UNIT_NUM,
)
from cchc_etl.sample.common import _fmt_dt_str, _nfc, _yn
from cchc_etl.sample.manifest import SampleManifest
from cchc_etl.sample.months import _month_bounds, _parse_month
from cchc_etl.sample.tables import _cell, _period_titles
from cchc_etl.sample.worktime import _minute_floor, _month_workdays, _work_moment
from cchc_etl.sample.xlsx import _write_xlsx_table

DOCUMENT_FIELDS: tuple[str, ...] = (
    "document_id", "unit_code", "direction", "reference_number", "doc_type", "registered_at", "form",
    "digitally_signed", "secrecy", "urgency", "processed_online", "via_interconnect",
)
# two document-management systems, two header spellings (aliases of assets/sources/documents.yaml)
_DOCUMENT_HEADERS_VI = {
    "qlvb": ("Mã văn bản", "Mã đơn vị", "Loại sổ", "Số ký hiệu", "Loại văn bản", "Ngày đăng ký", "Hình thức",
             "Ký số", "Độ mật", "Độ khẩn", "Xử lý trên phần mềm", "Gửi nhận qua trục liên thông"),
    "ioffice": ("ID văn bản", "Mã cơ quan", "Sổ văn bản", "Số/Ký hiệu", "Loại văn bản", "Ngày văn bản",
                "Hình thức văn bản", "Chữ ký số", "Mức độ mật", "Mức độ khẩn", "Hồ sơ công việc điện tử",
                "Trục liên thông"),
}
DOCUMENT_EXTRA_COLUMN = _nfc("Trích yếu")  # vendor column, not in the contract
_DOCUMENT_SYSTEMS = ("qlvb", "ioffice")
_DIRECTION_WORDS = {"incoming": "Văn bản đến", "outgoing": "Văn bản đi"}
_FORM_WORDS = {"electronic": "Điện tử", "paper": "Giấy"}
_SECRECY_WORDS = {None: None, "normal": "Thường", "confidential": "Mật"}
_DOC_TYPES = ((_nfc("Công văn"), "", 50), (_nfc("Quyết định"), _nfc("QĐ"), 12), (_nfc("Kế hoạch"), "KH", 10),
              (_nfc("Báo cáo"), "BC", 12), (_nfc("Tờ trình"), "TTr", 5), (_nfc("Thông báo"), "TB", 6),
              (_nfc("Giấy mời"), "GM", 5))
_DOC_SENDERS = ("UBND", "VPCP", "BNV", "BTTTT", "SNV", "STTTT", "STC", _nfc("SKHĐT"))
_DOC_URGENCY = ((_nfc("Thường"), 82), (_nfc("Khẩn"), 13), (_nfc("Thượng khẩn"), 4), (_nfc("Hỏa tốc"), 1))
_DOC_SUBJECTS = [_nfc(s) for s in [
    "V/v triển khai Kế hoạch cải cách hành chính năm {y}",
    "V/v báo cáo kết quả thực hiện công tác cải cách hành chính tháng {m}/{y}",
    "V/v góp ý dự thảo văn bản quy phạm pháp luật",
    "V/v tăng cường kỷ luật, kỷ cương hành chính",
    "V/v cung cấp thông tin phục vụ kiểm tra công vụ",
    "V/v số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
    "V/v mời họp giao ban công tác tháng {m}/{y}",
    "V/v công bố danh mục thủ tục hành chính",
    "V/v chuyển đơn phản ánh, kiến nghị",
]]
_DOCUMENT_BAD = (
    ("registered_at", "unparseable_date"),
    ("direction", "unknown_direction"),
    ("document_id", "missing_required"),
    ("unit_code", "unknown_unit"),
    ("registered_at", "event_after_month_end"),
)


def _org_sign(unit: str) -> str:
    u = _ORG_BY_CODE[unit]
    if u.level == "department":
        return unit
    if u.level == "unit":
        return _nfc("CNVPĐK")
    return "UBND"


def _document_rows(month: str, system: str, n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(f"cchc-documents:{seed}:{month}:{system}")
    y, m = _parse_month(month)
    workdays = _month_workdays(month)
    if system == "qlvb":
        units = list(_PROVINCE_UNITS)
        weights = [3.0] * len(_DEPARTMENTS) + [1.5] * len(_LAND_BRANCHES)
    else:
        units = list(_LOCAL_UNITS)
        weights = [4.0] * len(_DISTRICTS) + [1.0] * len(_COMMUNES)
    out: list[dict[str, Any]] = []
    for _ in range(n):
        unit = rng.choices(units, weights)[0]
        direction = "incoming" if rng.random() < 0.6 else "outgoing"
        doc_type, abbr, _w = rng.choices(_DOC_TYPES, [t[2] for t in _DOC_TYPES])[0]
        u = rng.random()
        secrecy = "confidential" if u < 0.015 else ("normal" if u < 0.25 else None)
        if secrecy == "confidential":
            form = "paper"  # classified documents travel on paper, outside the interconnect
        else:
            form = "electronic" if rng.random() < 0.975 else "paper"
        electronic = form == "electronic"
        signed = electronic and rng.random() < (0.98 if direction == "outgoing" else 0.95)
        processed = rng.random() < ((0.95 if electronic else 0.7) if direction == "incoming" else 0.92)
        interconnect = electronic and rng.random() < 0.85
        number = rng.randint(1, 2500)
        if direction == "outgoing":
            sign = _org_sign(unit)
            ref = f"{number}/{abbr}-{sign}" if abbr else f"{number}/{sign}-VP"
        else:
            sender = rng.choice(_DOC_SENDERS)
            ref = f"{number}/{abbr}-{sender}" if abbr else f"{number}/{sender}-VP"
        out.append({
            "unit_code": unit, "direction": direction, "reference_number": ref, "doc_type": doc_type,
            "registered_at": _minute_floor(_work_moment(rng, workdays)), "form": form,
            "digitally_signed": signed, "secrecy": secrecy,
            "urgency": rng.choices([w for w, _ in _DOC_URGENCY], [p for _, p in _DOC_URGENCY])[0],
            "processed_online": processed, "via_interconnect": interconnect,
            "_subject": rng.choice(_DOC_SUBJECTS).format(y=y, m=m), "_raw": {},
        })
    out.sort(key=lambda r: (r["registered_at"], r["unit_code"], r["reference_number"]))
    yymm = f"{y % 100:02d}{m:02d}"
    for k, r in enumerate(out, start=1):
        r["document_id"] = f"VB{yymm}-{k:06d}" if system == "qlvb" else f"{_UNIT_NUM[r['unit_code']]}.{yymm}.{k:05d}"
    return out


def _write_documents(out: Path, manifest: SampleManifest, month: str, n: int, seed: int) -> None:
    y, _m = _parse_month(month)
    _, m1 = _month_bounds(month)
    for s_idx, system in enumerate(_DOCUMENT_SYSTEMS):
        rows = _document_rows(month, system, n, seed)
        rng = random.Random(f"cchc-documents-bad:{seed}:{month}:{system}")
        qlvb = system == "qlvb"

        def apply(r: dict[str, Any], column: str, problem: str) -> bool:
            if problem == "unparseable_date":
                r["_raw"]["registered_at"] = f"31/04/{y} 09:30"
            elif problem == "unknown_direction":
                r["_raw"]["direction"] = _nfc("Văn bản nội bộ")
            elif problem == "missing_required":
                r["_raw"]["document_id"] = ""
            elif problem == "unknown_unit":
                r["_raw"]["unit_code"] = "SKHCN" if qlvb else "Q5"
            elif problem == "event_after_month_end":
                r["registered_at"] = (m1 + dt.timedelta(days=3)).replace(hour=8, minute=40, second=0)
            return True

        kinds = _bad_kinds(_DOCUMENT_BAD, month, s_idx, len(_DOCUMENT_SYSTEMS), _n_bad(len(rows)))
        bad = _plant(rows, range(len(rows)), kinds, rng, apply)
        render = {
            "direction": lambda v: _nfc(_DIRECTION_WORDS[v]), "form": lambda v: _nfc(_FORM_WORDS[v]),
            "secrecy": lambda v: _nfc(_SECRECY_WORDS[v]) if v else None, "digitally_signed": _yn,
            "processed_online": _yn, "via_interconnect": _yn,
            "registered_at": (lambda v: v) if qlvb else _fmt_dt_str,
        }
        table = [[_cell(r, f, render.get(f, lambda v: v)) for f in DOCUMENT_FIELDS] + [r["_subject"]] for r in rows]
        rel = f"documents/{month}/{system}__sovanban_{month}.xlsx"
        line = ("Hệ thống quản lý văn bản và điều hành - các sở, ban, ngành Thành phố" if qlvb
                else "Hệ thống quản lý văn bản iOffice - UBND quận, huyện, phường, xã, thị trấn")
        numbers, skipped = _write_xlsx_table(
            out / rel, "So van ban", _period_titles("SỔ ĐĂNG KÝ VĂN BẢN ĐẾN, VĂN BẢN ĐI", line, month),
            list(_DOCUMENT_HEADERS_VI[system]) + [DOCUMENT_EXTRA_COLUMN], table,
            date_columns={DOCUMENT_FIELDS.index("registered_at"): "dd/mm/yyyy hh:mm"} if qlvb else None,
            total=[_nfc(f"Tổng số: {len(rows)} văn bản")], widths=(16, 10, 14, 18, 14, 18, 12, 8, 10, 12, 12, 12, 60))
        manifest._add(rel, len(rows), skipped, sorted((numbers[i], *b) for i, b in bad.items()))
