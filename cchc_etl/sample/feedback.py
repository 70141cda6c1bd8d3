"""``feedback``: citizen feedback and petitions (PAKN), a snapshot at each month end."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cchc_etl.sample.bad_rows import _bad_kinds, _n_bad, _plant
from cchc_etl.sample.catalogue import _COMMUNES, _DEPARTMENTS, _DISTRICTS, _LAND_BRANCHES, _LOCAL_UNITS, _PROVINCE_UNITS, _UNIT_NUM
from cchc_etl.sample.common import _fmt_dt_str, _iso, _nfc, _yn
from cchc_etl.sample.manifest import SampleManifest
from cchc_etl.sample.months import _month_bounds, _parse_month
from cchc_etl.sample.tables import _cell, _period_titles, _write_csv_table
from cchc_etl.sample.worktime import _add_working_days, _minute_ceil, _minute_floor, _month_workdays, _snap, _work_moment
from cchc_etl.sample.xlsx import _write_xlsx_table

FEEDBACK_FIELDS: tuple[str, ...] = (
    "feedback_id", "unit_code", "received_at", "due_at", "answered_at", "status", "published", "topic",
    "channel", "category", "dissatisfied", "follow_up_complaint",
)
_FEEDBACK_HEADERS_VI = {  # hcm1022 export (aliases of assets/sources/feedback.yaml)
    "feedback_id": "Mã PAKN", "unit_code": "Mã đơn vị xử lý", "received_at": "Ngày tiếp nhận",
    "due_at": "Hạn xử lý", "answered_at": "Ngày trả lời", "status": "Trạng thái",
    "published": "Công khai kết quả", "topic": "Lĩnh vực", "channel": "Kênh tiếp nhận",
    "category": "Phân loại", "dissatisfied": "Không hài lòng", "follow_up_complaint": "Có phản ánh tiếp",
}
_FEEDBACK_STATUS_WORDS = {"open": "Đang xử lý", "answered": "Đã trả lời", "rejected": "Từ chối",
                          "forwarded": "Chuyển xử lý"}
_FEEDBACK_SYSTEMS = ("hcm1022", "vnpt")
_FEEDBACK_TOPICS = [_nfc(s) for s in [
    "Đất đai", "Xây dựng", "Hộ tịch", "Môi trường", "Giao thông", "Trật tự đô thị", "Đăng ký kinh doanh",
    "Chứng thực", "Lao động - việc làm", "Thủ tục hành chính",
]]
_FEEDBACK_CHANNELS = ((_nfc("Cổng 1022"), 40), (_nfc("Tổng đài 1022"), 25), ("Zalo", 15),
                      (_nfc("Trực tiếp"), 12), (_nfc("Thư điện tử"), 8))
_FEEDBACK_CATEGORIES = ((_nfc("quy định hành chính"), 78), (_nfc("hành vi, thái độ"), 22))
_FEEDBACK_BAD = (
    ("received_at", "unparseable_date"),
    ("status", "unknown_status"),
    ("feedback_id", "missing_required"),
    ("unit_code", "unknown_unit"),
    ("answered_at", "event_after_month_end"),
)


@dataclass
class _Feedback:
    system: str
    unit: str
    received_at: dt.datetime
    due_at: dt.datetime
    outcome: str  # answered / rejected / forwarded
    closed_at: dt.datetime
    published: bool
    topic: str
    channel: str
    category: str
    dissatisfied: bool
    follow_up: bool
    feedback_id: str = ""


def _new_feedback(month: str, n: int, seed: int) -> list[_Feedback]:
    rng = random.Random(f"cchc-feedback:{seed}:{month}")
    y, m = _parse_month(month)
    m0, m1 = _month_bounds(month)
    all_days = [m0.date() + dt.timedelta(days=i) for i in range(m1.day)]
    workdays = _month_workdays(month)
    units = list(_PROVINCE_UNITS + _LOCAL_UNITS)
    weights = ([3.0] * len(_DEPARTMENTS) + [2.0] * len(_LAND_BRANCHES) + [3.0] * len(_DISTRICTS)
               + [1.0] * len(_COMMUNES))
    out: list[_Feedback] = []
    for _ in range(n):
        unit = rng.choices(units, weights)[0]
        channel = rng.choices([c for c, _ in _FEEDBACK_CHANNELS], [w for _, w in _FEEDBACK_CHANNELS])[0]
        if channel == _nfc("Trực tiếp"):
            received = _work_moment(rng, workdays)
        else:
            received = dt.datetime.combine(rng.choice(all_days), dt.time(rng.randrange(6, 23), rng.randrange(60)))
        received = _minute_floor(received)
        due = _add_working_days(received, 10)  # 10 working days to answer
        span = due - received
        r = rng.random()
        if r < 0.04:
            outcome, closed = "rejected", received + dt.timedelta(days=rng.uniform(0.2, 3))
        elif r < 0.11:
            outcome, closed = "forwarded", received + dt.timedelta(days=rng.uniform(0.5, 4))
        else:
            outcome = "answered"
            f = rng.uniform(1.05, 2.2) if rng.random() < 0.07 else rng.uniform(0.15, 0.95)
            closed = received + span * f
        closed = max(received + dt.timedelta(minutes=5), _minute_ceil(_snap(closed, rng)))
        out.append(_Feedback(
            system="hcm1022" if unit in _PROVINCE_UNITS else "vnpt", unit=unit, received_at=received, due_at=due,
            outcome=outcome, closed_at=closed, published=outcome == "answered" and rng.random() < 0.95,
            topic=rng.choice(_FEEDBACK_TOPICS), channel=channel,
            category=rng.choices([c for c, _ in _FEEDBACK_CATEGORIES], [w for _, w in _FEEDBACK_CATEGORIES])[0],
            dissatisfied=outcome == "answered" and rng.random() < 0.05, follow_up=rng.random() < 0.03,
        ))
    out.sort(key=lambda f: (f.received_at, f.system, f.unit))
    seq: dict[tuple[str, str], int] = {}
    yymm = f"{y % 100:02d}{m:02d}"
    for f in out:
        key = (f.system, "" if f.system == "hcm1022" else f.unit)
        seq[key] = seq.get(key, 0) + 1
        if f.system == "hcm1022":
            f.feedback_id = f"PAKN-{yymm}-{seq[key]:05d}"
        else:
            f.feedback_id = f"000.00.{_UNIT_NUM[f.unit]}.H29-PA-{yymm}-{seq[key]:04d}"
    return out


def _feedback_snapshot(f: _Feedback, T: dt.datetime) -> dict[str, Any]:
    row: dict[str, Any] = {
        "feedback_id": f.feedback_id, "unit_code": f.unit, "received_at": f.received_at, "due_at": f.due_at,
        "answered_at": None, "status": "open", "published": False, "topic": f.topic, "channel": f.channel,
        "category": f.category, "dissatisfied": None, "follow_up_complaint": None, "_raw": {},
    }
    if f.closed_at <= T:
        row.update(status=f.outcome, answered_at=f.closed_at, published=f.published, dissatisfied=f.dissatisfied,
                   follow_up_complaint=f.follow_up)
    return row


def _write_feedback(out: Path, manifest: SampleManifest, month: str, items: list[_Feedback], seed: int) -> None:
    y, _m = _parse_month(month)
    m0, m1 = _month_bounds(month)
    for s_idx, system in enumerate(_FEEDBACK_SYSTEMS):
        rows = [_feedback_snapshot(f, m1) for f in items if f.system == system and f.received_at <= m1]
        rows.sort(key=lambda r: (r["received_at"], r["feedback_id"]))
        xlsx = system == "hcm1022"
        rng = random.Random(f"cchc-feedback-bad:{seed}:{month}:{system}")

        def apply(r: dict[str, Any], column: str, problem: str) -> bool:
            if problem == "unparseable_date":
                r["_raw"]["received_at"] = f"31/02/{y} 08:45" if xlsx else f"{y}-02-30 08:45:00"
            elif problem == "unknown_status":
                r["_raw"]["status"] = _nfc("Chờ phê duyệt")
            elif problem == "missing_required":
                r["_raw"]["feedback_id"] = ""
            elif problem == "unknown_unit":
                r["_raw"]["unit_code"] = "SKHCN" if xlsx else "Q5"
            elif problem == "event_after_month_end":
                if r["status"] != "answered":
                    return False
                r["answered_at"] = (m1 + dt.timedelta(days=2)).replace(hour=10, minute=5, second=0)
            return True

        # only items received and closed in the month: the open ones must carry over intact
        candidates = [i for i, r in enumerate(rows) if r["status"] != "open" and r["received_at"] >= m0]
        kinds = _bad_kinds(_FEEDBACK_BAD, month, s_idx, len(_FEEDBACK_SYSTEMS), _n_bad(len(rows)))
        bad = _plant(rows, candidates, kinds, rng, apply)
        if xlsx:
            rel = f"feedback/{month}/hcm1022__pakn_{month}.xlsx"
            render = {"received_at": _fmt_dt_str, "answered_at": _fmt_dt_str,
                      "status": lambda v: _nfc(_FEEDBACK_STATUS_WORDS[v]),
                      "published": _yn, "dissatisfied": lambda v: None if v is None else _yn(v),
                      "follow_up_complaint": lambda v: None if v is None else _yn(v)}
            table = [[_cell(r, f, render.get(f, lambda v: v)) for f in FEEDBACK_FIELDS] for r in rows]
            numbers, skipped = _write_xlsx_table(
                out / rel, "PAKN",
                _period_titles("DANH SÁCH PHẢN ÁNH, KIẾN NGHỊ CỦA NGƯỜI DÂN, DOANH NGHIỆP",
                               "Hệ thống tiếp nhận, giải quyết phản ánh, kiến nghị 1022 Thành phố Hồ Chí Minh", month),
                [_FEEDBACK_HEADERS_VI[f] for f in FEEDBACK_FIELDS], table,
                date_columns={FEEDBACK_FIELDS.index("due_at"): "dd/mm/yyyy hh:mm"},
                widths=(18, 12, 18, 18, 18, 14, 10, 22, 16, 22, 10, 10))
        else:
            rel = f"feedback/{month}/vnpt__pakn_{month}.csv"
            render = {"received_at": lambda v: _iso(v, " "), "due_at": lambda v: _iso(v, " "),
                      "answered_at": lambda v: _iso(v, " "),
                      "status": lambda v: _nfc(_FEEDBACK_STATUS_WORDS[v]), "published": _yn,
                      "dissatisfied": lambda v: "" if v is None else ("1" if v else "0"),
                      "follow_up_complaint": lambda v: "" if v is None else ("1" if v else "0")}
            table = [[_cell(r, f, render.get(f, lambda v: v)) for f in FEEDBACK_FIELDS] for r in rows]
            numbers, skipped = _write_csv_table(out / rel, FEEDBACK_FIELDS, table, bom=False, terminator="\n")
        manifest._add(rel, len(rows), skipped, sorted((numbers[i], *b) for i, b in bad.items()))
