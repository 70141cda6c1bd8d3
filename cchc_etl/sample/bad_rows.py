"""Rows planted on purpose: one problem per row, recorded in the manifest; the kinds rotate over
months and systems."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, Iterable, Sequence

from cchc_etl.sample.common import _nfc
from cchc_etl.sample.months import _month_bounds, _parse_month
from cchc_etl.sample.worktime import _snap

_BAD_KINDS = (
    ("received_at", "unparseable_date"),
    ("status", "unknown_status"),
    ("dossier_id", "missing_required"),
    ("resolved_at", "resolved_before_received"),
    ("unit_code", "unknown_unit"),
    ("returned_at", "event_after_month_end"),
)


def _plant_bad_rows(rows: list[dict[str, Any]], system: str, month: str, seed: int) -> dict[int, tuple[str, str]]:
    """Corrupt a few rows in place; return {row index: (column, problem)}."""
    rng = random.Random(f"cchc-bad:{seed}:{month}:{system}")
    m0, m1 = _month_bounds(month)
    closed = [i for i, r in enumerate(rows)
              if r["status"] in ("resolved", "returned") and r["received_at"] is not None
              and r["received_at"] >= m0 and r["supplement_count"] == 0]
    rng.shuffle(closed)
    used: set[int] = set()
    out: dict[int, tuple[str, str]] = {}

    def take(pred) -> int | None:
        for i in closed:
            if i not in used and pred(rows[i]):
                used.add(i)
                return i
        return None

    cap = max(1, len(rows) // 15)  # a few per file: never more than one bad row per 15 data rows
    for column, problem in _BAD_KINDS:
        if len(out) >= cap:
            break
        if problem == "resolved_before_received":
            i = take(lambda r: r["status"] == "resolved")
            if i is None:
                i = take(lambda r: True)
        elif problem == "event_after_month_end":
            i = take(lambda r: r["status"] == "returned")
        else:
            i = take(lambda r: True)
        if i is None:
            continue
        r = rows[i]
        if problem == "unparseable_date":
            r["received_at"] = f"31/02/{m0.year} 08:15" if system == "igate" else "abc"
        elif problem == "unknown_status":
            r["status"] = _nfc("Đang chờ ký duyệt") if system == "igate" else "12"
            r["_vnpt_status"] = "12"
        elif problem == "missing_required":
            r["dossier_id"] = ""
        elif problem == "resolved_before_received":
            r["resolved_at"] = _snap(r["received_at"] - dt.timedelta(days=rng.choice((1, 2, 3))), rng)
            if r["resolved_at"] >= r["received_at"]:  # snapping crossed back: force a day earlier
                r["resolved_at"] = r["received_at"] - dt.timedelta(days=1)
        elif problem == "unknown_unit":
            r["unit_code"] = "SKHCN" if system == "igate" else "Q5"
        elif problem == "event_after_month_end":
            r["returned_at"] = (m1 + dt.timedelta(days=2)).replace(hour=9, minute=12, second=0)
        out[i] = (column, problem)
    return out


def _bad_kinds(kinds: Sequence[tuple[str, str]], month: str, system_index: int, n_systems: int,
               n_bad: int) -> list[tuple[str, str]]:
    """``n_bad`` consecutive kinds of a fixed rotation over months and systems, so that the
    files of a few consecutive months already show every kind (never twice in one file)."""
    y, m = _parse_month(month)
    start = ((y * 12 + m - 1) * n_systems + system_index) * 2
    return [kinds[(start + k) % len(kinds)] for k in range(min(n_bad, len(kinds)))]


def _n_bad(n_rows: int) -> int:
    return 2 if n_rows >= 12 else (1 if n_rows >= 2 else 0)


def _plant(rows: list[dict[str, Any]], candidates: Iterable[int], kinds: Sequence[tuple[str, str]],
           rng: random.Random, apply) -> dict[int, tuple[str, str]]:
    """Corrupt one candidate row per kind (``apply(row, column, problem)`` returns False when the
    row does not suit the kind); returns {row index: (column, problem)}."""
    pool = list(candidates)
    rng.shuffle(pool)
    out: dict[int, tuple[str, str]] = {}
    for column, problem in kinds:
        for i in pool:
            if i not in out and apply(rows[i], column, problem):
                out[i] = (column, problem)
                break
    return out
