"""``surveys``: satisfaction ratings of the month's resolved dossiers."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from cchc_etl.sample.bad_rows import _bad_kinds, _n_bad, _plant
from cchc_etl.sample.catalogue import _LOCAL_UNITS, _PROVINCE_UNITS
from cchc_etl.sample.common import _iso, _nfc
from cchc_etl.sample.manifest import SampleManifest
from cchc_etl.sample.months import _month_bounds, _parse_month
from cchc_etl.sample.tables import _cell, _period_titles, _write_csv_table
from cchc_etl.sample.vendors import _SYSTEMS
from cchc_etl.sample.worktime import _minute_ceil, _minute_floor, _month_workdays, _work_moment
from cchc_etl.sample.xlsx import _write_xlsx_table

SURVEY_FIELDS: tuple[str, ...] = ("response_id", "unit_code", "dossier_id", "rated_at", "rating", "channel")
_SURVEY_HEADERS_VI = {  # igate export (aliases of assets/sources/surveys.yaml)
    "response_id": "Mã đánh giá", "unit_code": "Mã đơn vị", "dossier_id": "Mã hồ sơ",
    "rated_at": "Ngày đánh giá", "rating": "Mức độ hài lòng", "channel": "Kênh đánh giá",
}
_RATING_WORDS = {5: "Rất hài lòng", 4: "Hài lòng", 3: "Bình thường", 2: "Không hài lòng", 1: "Rất không hài lòng"}
_SURVEY_BAD = (
    ("rated_at", "unparseable_date"),
    ("rating", "unknown_rating"),
    ("response_id", "missing_required"),
    ("unit_code", "unknown_unit"),
    ("rated_at", "event_after_month_end"),
)


def _rating(rng: random.Random) -> int:
    return rng.choices((5, 4, 3, 2, 1), (0.80, 0.17, 0.02, 0.007, 0.003))[0]


def _survey_rows(dossier_rows: list[dict[str, Any]], bad: dict[int, tuple[str, str]], system: str, month: str,
                 seed: int) -> list[dict[str, Any]]:
    rng = random.Random(f"cchc-survey:{seed}:{month}:{system}")
    y, m = _parse_month(month)
    m0, m1 = _month_bounds(month)
    out: list[dict[str, Any]] = []
    for i, r in enumerate(dossier_rows):
        if i in bad or r["status"] not in ("resolved", "returned"):
            continue
        resolved = r["resolved_at"]
        if not isinstance(resolved, dt.datetime) or not m0 <= resolved <= m1:
            continue
        if rng.random() >= 0.6:  # ~60% of the dossiers resolved in the month get a rating
            continue
        base = r["returned_at"] if isinstance(r["returned_at"], dt.datetime) else resolved
        base = _minute_ceil(base)
        if base > m1:
            continue
        if r["channel"] == "online":
            channel = rng.choices(("web", "zalo", "sms"), (0.6, 0.25, 0.15))[0]
            lag = rng.randrange(2, 3 * 24 * 60)
        else:
            channel = rng.choices(("kiosk", "sms", "zalo"), (0.6, 0.3, 0.1))[0]
            lag = rng.randrange(1, 15) if channel == "kiosk" else rng.randrange(30, 2 * 24 * 60)
        room = int((m1 - base).total_seconds() // 60)
        if lag > room:  # resolved just before the month end: rated before it too
            lag = rng.randint(0, room)
        out.append({"unit_code": r["unit_code"], "dossier_id": r["dossier_id"],
                    "rated_at": base + dt.timedelta(minutes=lag), "rating": _rating(rng),
                    "channel": channel, "_raw": {}})
    # a few kiosk ratings of the service desk itself, not tied to a dossier
    units = _PROVINCE_UNITS if system == "igate" else _LOCAL_UNITS
    workdays = _month_workdays(month)
    for _ in range(max(1, len(out) // 30)):
        out.append({"unit_code": rng.choice(units), "dossier_id": None,
                    "rated_at": _minute_floor(_work_moment(rng, workdays)), "rating": _rating(rng),
                    "channel": "kiosk", "_raw": {}})
    out.sort(key=lambda s: (s["rated_at"], s["dossier_id"] or "", s["unit_code"]))
    yymm = f"{y % 100:02d}{m:02d}"
    for k, s in enumerate(out, start=1):
        s["response_id"] = f"DG-{yymm}-{k:05d}" if system == "igate" else f"{yymm}{k:06d}"
    return out


def _write_surveys(out: Path, manifest: SampleManifest, month: str,
                   dossiers: dict[str, tuple[list[dict[str, Any]], dict[int, tuple[str, str]]]], seed: int) -> None:
    y, _m = _parse_month(month)
    _, m1 = _month_bounds(month)
    for s_idx, system in enumerate(_SYSTEMS):
        rows = _survey_rows(*dossiers[system], system, month, seed)
        xlsx = system == "igate"
        rng = random.Random(f"cchc-survey-bad:{seed}:{month}:{system}")

        def apply(r: dict[str, Any], column: str, problem: str) -> bool:
            if problem == "unparseable_date":
                r["_raw"]["rated_at"] = f"30/02/{y} 14:20" if xlsx else f"{y}-02-30T14:20:00"
            elif problem == "unknown_rating":
                r["_raw"]["rating"] = _nfc("Tạm được") if xlsx else "6"
            elif problem == "missing_required":
                r["_raw"]["response_id"] = ""
            elif problem == "unknown_unit":
                r["_raw"]["unit_code"] = "SKHCN" if xlsx else "Q5"
            elif problem == "event_after_month_end":
                r["rated_at"] = (m1 + dt.timedelta(days=2)).replace(hour=9, minute=12, second=0)
            return True

        kinds = _bad_kinds(_SURVEY_BAD, month, s_idx, len(_SYSTEMS), _n_bad(len(rows)))
        bad = _plant(rows, range(len(rows)), kinds, rng, apply)
        if xlsx:
            rel = f"surveys/{month}/igate__danhgia_{month}.xlsx"
            render = {"rating": lambda v: _nfc(_RATING_WORDS[v])}
            table = [[_cell(r, f, render.get(f, lambda v: v)) for f in SURVEY_FIELDS] for r in rows]
            numbers, skipped = _write_xlsx_table(
                out / rel, "Kết quả đánh giá",
                _period_titles("BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG",
                               "Hệ thống thông tin giải quyết thủ tục hành chính Thành phố Hồ Chí Minh", month),
                [_SURVEY_HEADERS_VI[f] for f in SURVEY_FIELDS], table,
                date_columns={SURVEY_FIELDS.index("rated_at"): "dd/mm/yyyy hh:mm"},
                total=[_nfc("Tổng cộng"), len(rows)], widths=(16, 12, 24, 18, 20, 12))
        else:
            rel = f"surveys/{month}/vnpt__danhgia_{month}.csv"
            render = {"rated_at": _iso, "rating": str}
            table = [[_cell(r, f, render.get(f, lambda v: v)) for f in SURVEY_FIELDS] for r in rows]
            numbers, skipped = _write_csv_table(out / rel, SURVEY_FIELDS, table)
        manifest._add(rel, len(rows), skipped, sorted((numbers[i], *b) for i, b in bad.items()))
