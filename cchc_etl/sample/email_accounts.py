"""``email``: official e-mail activity, one row per account per month."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from cchc_etl.sample.bad_rows import _bad_kinds, _n_bad, _plant
from cchc_etl.sample.catalogue import _ORG_BY_CODE, receiving_unit_codes
from cchc_etl.sample.common import _ascii_fold, _nfc
from cchc_etl.sample.manifest import SampleManifest
from cchc_etl.sample.people import _person
from cchc_etl.sample.tables import _cell, _write_csv_table
from cchc_etl.sample.worktime import _month_workdays

EMAIL_HEADERS: tuple[str, ...] = tuple(_nfc(h) for h in (
    "Địa chỉ email", "Mã đơn vị", "Nhóm", "Số ngày đăng nhập", "Số thư gửi", "Số thư nhận"))
EMAIL_FIELDS: tuple[str, ...] = ("account", "unit_code", "role", "active_days", "sent_count", "received_count")
EMAIL_DOMAIN = "tphcm.gov.vn"
_EMAIL_SYSTEM = "mailhcm"
_EMAIL_BAD = (
    ("role", "unknown_role"),
    ("account", "missing_required"),
    ("unit_code", "unknown_unit"),
    ("active_days", "out_of_range"),
)
_LEADERS_PER_LEVEL = {"department": 4, "district": 4, "unit": 2, "commune": 3}


def _email_accounts(unit: str, seed: int) -> list[tuple[str, str]]:
    """The unit's official accounts ``(address, role word)``: the same every month."""
    rng = random.Random(f"cchc-email-accounts:{seed}:{unit}")
    level = _ORG_BY_CODE[unit].level
    slug = unit.lower().replace("_", "")
    leaders = _LEADERS_PER_LEVEL.get(level, 2)
    staff_word = _nfc("Viên chức") if level == "unit" else _nfc("Công chức")
    seen: set[str] = set()
    out = []
    for k in range(rng.randint(8, 12)):
        name = _person(rng)[0]
        initials = "".join(_ascii_fold(w)[0] for w in name.split()).lower()
        local, j = initials, 1
        while local in seen:
            j += 1
            local = f"{initials}{j}"
        seen.add(local)
        out.append((f"{local}.{slug}@{EMAIL_DOMAIN}", _nfc("Lãnh đạo") if k < leaders else staff_word))
    return out


def _email_rows(month: str, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(f"cchc-email:{seed}:{month}")
    wd = min(23, len(_month_workdays(month)))
    half = -(-wd // 2)
    out = []
    for unit in receiving_unit_codes():
        for address, role in _email_accounts(unit, seed):
            u = rng.random()
            if role == _nfc("Lãnh đạo"):
                days = (rng.randint(max(half, wd - 4), wd) if u < 0.9
                        else rng.randint(max(1, half - 5), max(1, half - 1)) if u < 0.98 else 0)
            else:
                days = (rng.randint(half, wd) if u < 0.72
                        else rng.randint(1, max(1, half - 1)) if u < 0.92 else 0)
            out.append({"account": address, "unit_code": unit, "role": role, "active_days": days,
                        "sent_count": round(days * rng.uniform(1.0, 6.0)),
                        "received_count": round(max(days, 3) * rng.uniform(8.0, 30.0)), "_raw": {}})
    return out


def _write_email(out: Path, manifest: SampleManifest, month: str, seed: int) -> None:
    rows = _email_rows(month, seed)
    rng = random.Random(f"cchc-email-bad:{seed}:{month}")

    def apply(r: dict[str, Any], column: str, problem: str) -> bool:
        if problem == "unknown_role":
            r["_raw"]["role"] = _nfc("Thực tập sinh")
        elif problem == "missing_required":
            r["_raw"]["account"] = ""
        elif problem == "unknown_unit":
            r["_raw"]["unit_code"] = "Q5"
        elif problem == "out_of_range":
            r["_raw"]["active_days"] = "42"
        return True

    kinds = _bad_kinds(_EMAIL_BAD, month, 0, 1, _n_bad(len(rows)))
    bad = _plant(rows, range(len(rows)), kinds, rng, apply)
    table = [[_cell(r, f, lambda v: v) for f in EMAIL_FIELDS] for r in rows]
    rel = f"email/{month}/{_EMAIL_SYSTEM}__thongke_{month}.csv"
    numbers, skipped = _write_csv_table(out / rel, EMAIL_HEADERS, table)
    manifest._add(rel, len(rows), skipped, sorted((numbers[i], *b) for i, b in bad.items()))
