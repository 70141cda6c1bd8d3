"""Bench CSV: one large vnpt-style file for a single month, vectorised with numpy (no Python loop
per row)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from cchc_etl.sample.catalogue import _DAYS, _F, _H, _M, _N, _PA, _UNIT_NUM, _WD, PROCEDURES, active_procedure_codes, receiving_unit_codes
from cchc_etl.sample.dossier_fields import _CODES, DOSSIER_FIELDS
from cchc_etl.sample.months import _month_bounds
from cchc_etl.sample.people import _FAMILY, _FAMILY_W, _GIVEN_F, _GIVEN_M, _MIDDLE_F, _MIDDLE_M, _ORG_FORMS, _ORG_NAMES, _ORG_WORDS
from cchc_etl.sample.reference import write_reference
from cchc_etl.sample.worktime import _CLOSED_NP


def write_bench_csv(path: str | Path, rows: int = 1_000_000, month: str = "2024-01", seed: int = 11,
                    units: list[str] | None = None, procedures: list[str] | None = None,
                    bad_fraction: float = 0.0) -> None:
    """Write one large vnpt-style CSV (UTF-8 with BOM, snake_case header, coded values) for ``month``.

    Vectorised with numpy + pyarrow (no Python loop per row); rows are in received order.
    ``units``/``procedures`` default to the sample reference (``receiving_unit_codes()``,
    ``active_procedure_codes()``); each procedure goes to one of its owning units when that
    unit is in ``units``, else to any of ``units``; unknown procedure codes get weight 1,
    5 working days and no name. ``bad_fraction`` (default 0) of the rows get
    ``received_at = "abc"``; otherwise there are no bad rows, every event timestamp is within
    the month and every ``dossier_id`` is unique. Unlike the sample exports, only
    ``received_at`` is in working hours (the other timestamps are interpolated).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n = int(rows)
    if n < 0:
        raise ValueError("rows must be >= 0")
    rng = np.random.default_rng(seed)
    m0, m1 = _month_bounds(month)

    # procedures and units -------------------------------------------------------------
    by_code = {p.procedure_code: p for p in PROCEDURES}
    proc_codes = list(procedures) if procedures else active_procedure_codes()
    unit_codes = list(units) if units else receiving_unit_codes()
    if not proc_codes or not unit_codes:
        raise ValueError("units and procedures must not be empty")
    known = [by_code.get(c) for c in proc_codes]
    weights = np.array([(k.weight if k is not None and k.weight > 0 else 1.0) for k in known], dtype=float)
    weights /= weights.sum()
    p_online = np.array([{_F: 0.62, _PA: 0.4, _N: 0.0}[k.online_service_level] if k else 0.5 for k in known])
    p_fee = np.array([k.fee_required if k else False for k in known])
    unit_kind = {_WD: 0, _DAYS: 1, _H: 2, _M: 3}
    p_sunit = np.array([unit_kind[k.statutory_unit] if k else 0 for k in known])
    p_sdays = np.array([k.statutory_days if k else 5 for k in known], dtype=float)
    p_org = np.array([k.org_applicant if k else 0.0 for k in known])
    uset = {c: i for i, c in enumerate(unit_codes)}
    cands = []
    for k in known:
        c = [uset[u] for u in (k.owners if k else ()) if u in uset]
        cands.append(c or list(range(len(unit_codes))))
    width = max(len(c) for c in cands)
    cand_tab = np.array([c + [c[0]] * (width - len(c)) for c in cands], dtype=np.int64)
    cand_len = np.array([len(c) for c in cands], dtype=np.int64)

    # row skeleton, sorted by received time so that every derived column is in file order ---
    pidx = rng.choice(len(proc_codes), size=n, p=weights)
    uidx = cand_tab[pidx, (rng.random(n) * cand_len[pidx]).astype(np.int64)]
    days = np.arange(np.datetime64(m0.date()), np.datetime64(m1.date()) + 1, dtype="datetime64[D]")
    wdays = days[np.is_busday(days, holidays=_CLOSED_NP)]
    if len(wdays) == 0:
        wdays = days
    rday = wdays[rng.integers(0, len(wdays), n)]
    minute = rng.integers(0, 480, n)
    tod = np.where(minute < 240, 7 * 3600 + 1800 + minute * 60, 13 * 3600 + (minute - 240) * 60)
    tod = tod + rng.integers(0, 60, n)
    received = rday.astype("datetime64[s]") + tod.astype("timedelta64[s]")
    order = np.argsort(received, kind="stable")
    pidx, uidx, rday, tod, received = pidx[order], uidx[order], rday[order], tod[order], received[order]
    del order

    # due_at ------------------------------------------------------------------------------
    sunit, sdays = p_sunit[pidx], p_sdays[pidx]
    hol = _CLOSED_NP
    wd_due = np.busday_offset(rday, np.where(sunit == 0, sdays, 0).astype(np.int64), roll="forward", holidays=hol)
    cal_due = np.busday_offset(rday + np.where(sunit == 1, sdays, 0).astype("timedelta64[D]"), 0,
                               roll="forward", holidays=hol)
    mon_due = np.busday_offset(rday + np.where(sunit == 3, sdays * 30, 0).astype("timedelta64[D]"), 0,
                               roll="forward", holidays=hol)
    hr_due = np.busday_offset(rday, np.where(sunit == 2, np.ceil(sdays / 8), 0).astype(np.int64),
                              roll="forward", holidays=hol)
    due_day = np.select([sunit == 0, sunit == 1, sunit == 3], [wd_due, cal_due, mon_due], hr_due)
    due = due_day.astype("datetime64[s]") + tod.astype("timedelta64[s]")
    span = (due - received).astype(np.int64)  # seconds

    # outcome at the end of the month ------------------------------------------------------
    online = rng.random(n) < p_online[pidx]
    postal = ~online & (rng.random(n) < 0.09)
    u = rng.random(n)
    rejected = u < np.where(online, 0.035, 0.012)
    withdrawn = ~rejected & (u < 0.055)
    stuck = ~rejected & ~withdrawn & (u < 0.065)
    late = rng.random(n) < 0.015
    frac = np.where(late, rng.uniform(1.05, 1.8, n), np.minimum(0.97, rng.beta(2.0, 2.8, n)))
    frac = np.where(rejected, rng.uniform(0.02, 0.2, n), frac)
    frac = np.where(withdrawn, rng.uniform(0.1, 0.8, n), frac)
    term = received + (span * frac).astype("timedelta64[s]")
    month_end = np.datetime64(m1, "s")
    closed = ~stuck & (term <= month_end)
    ret_lag = np.where(online, rng.integers(60, 3 * 3600, n), rng.integers(3600, 5 * 86400, n))
    returned_at = term + ret_lag.astype("timedelta64[s]")
    resolvedish = closed & ~rejected & ~withdrawn
    is_returned = resolvedish & (returned_at <= month_end) & (rng.random(n) < 0.88)
    sc = rng.choice(3, size=n, p=[0.875, 0.11, 0.015])
    sc = np.where(rejected | withdrawn, 0, sc)
    horizon = np.where(closed, term, month_end)
    req = received + ((horizon - received).astype(np.int64) * rng.uniform(0.2, 0.6, n)).astype("timedelta64[s]")
    comp = req + ((horizon - req).astype(np.int64) * rng.uniform(0.2, 0.9, n)).astype("timedelta64[s]")
    awaiting = ~closed & (sc > 0) & (rng.random(n) < 0.5)
    suspended = ~closed & ~awaiting & (rng.random(n) < 0.03)

    # status codes of the national interface
    st = np.where(rng.random(n) < 0.15, 2, 4)
    st = np.where(awaiting, 5, st)
    st = np.where(suspended, np.where(p_fee[pidx], 6, 8), st)
    st = np.where(closed & rejected, 3, st)
    st = np.where(closed & withdrawn, 7, st)
    st = np.where(resolvedish, 9, st)
    st = np.where(is_returned, 10, st)
    apology = np.where(resolvedish & (term > due), rng.random(n) < 0.85,
                       ~closed & (month_end > due) & (rng.random(n) < 0.35))
    channel = np.where(online, 1, np.where(postal, 2, 0))  # index into ("1", "2", "3")
    result_channel = np.where(online, np.where(rng.random(n) < 0.5, 1, 0),
                              np.where(postal, 2, np.where(rng.random(n) < 0.88, 0, 2)))

    # dossier ids: per (unit, day) sequence in time order ------------------------------------
    day_num = (rday - np.datetime64(m0.date())).astype(np.int64)
    grp = uidx * 64 + day_num
    gorder = np.argsort(grp, kind="stable")  # stable: keeps time order within a group
    g_sorted = grp[gorder]
    starts = np.r_[0, np.flatnonzero(np.diff(g_sorted)) + 1] if n else np.array([], dtype=np.int64)
    run_start = np.repeat(starts, np.diff(np.r_[starts, n]))
    seq = np.empty(n, dtype=np.int64)
    seq[gorder] = np.arange(n) - run_start + 1
    del gorder, g_sorted, run_start
    pad = max(4, len(str(int(seq.max()))) if n else 4)
    unit_num = [_UNIT_NUM.get(c, 90 + i % 10) for i, c in enumerate(unit_codes)]

    # applicants ------------------------------------------------------------------------------
    female = rng.random(n) < 0.5
    fam_idx = rng.choice(len(_FAMILY), n, p=np.array(_FAMILY_W, dtype=float) / sum(_FAMILY_W))
    mid_idx = rng.integers(0, len(_MIDDLE_M), n)
    giv_idx = rng.integers(0, len(_GIVEN_M), n)
    org = rng.random(n) < p_org[pidx]
    org_idx = (rng.integers(0, len(_ORG_FORMS), n), rng.integers(0, len(_ORG_WORDS), n),
               rng.integers(0, len(_ORG_NAMES), n))
    year = rng.integers(1950, 2006, n)
    cg = np.where(year >= 2000, 2, 0) + female.astype(np.int64)
    cccd_num = 79 * 10**9 + cg * 10**8 + (year % 100) * 10**6 + rng.integers(0, 10**6, n)
    tax_num = 3 * 10**8 + rng.integers(0, 10**8, n)
    phone_num = 9 * 10**8 + rng.integers(0, 10**8, n)
    no_phone = rng.random(n) < 0.04
    flags = {
        "paid_online": p_fee[pidx] & online & (rng.random(n) < 0.7),
        "digitized_input": rng.random(n) < 0.86,
        "digitized_result": resolvedish & (rng.random(n) < 0.72),
        "synced_national_portal": rng.random(n) < 0.95,
        "e_result": resolvedish & (rng.random(n) < np.where(online, 0.8, 0.4)),
        "data_reused": rng.random(n) < np.where(online, 0.35, 0.12),
        "citizen_store_linked": rng.random(n) < np.where(online, 0.18, 0.03),
        "population_data_used": rng.random(n) < np.where(online, 0.45, 0.2),
    }
    bad = rng.random(n) < bad_fraction if bad_fraction > 0 else np.zeros(n, dtype=bool)

    # text assembly, chunk by chunk -------------------------------------------------------------
    def quoted(values: Iterable[str]) -> list[str]:
        return [f'"{v.replace(chr(34), chr(34) * 2)}"' if ("," in v or '"' in v or "\n" in v) else v
                for v in values]

    def lookup(values: Sequence[str], idx: np.ndarray) -> pa.Array:
        return pa.array(quoted(values), type=pa.string()).take(pa.array(idx))

    def ts(a: np.ndarray, mask: np.ndarray | None) -> pa.Array:
        arr = pa.array(a.astype(np.int64), mask=mask).cast(pa.timestamp("s"))
        return pc.fill_null(pc.replace_substring(pc.cast(arr, pa.string()), " ", "T"), "")

    def digits(a: np.ndarray, width: int) -> pa.Array:
        return pc.utf8_lpad(pc.cast(pa.array(a), pa.string()), width, "0")

    def b01(a: np.ndarray) -> pa.Array:
        return pc.cast(pa.array(a.astype(np.int8)), pa.string())

    proc_names = [k.name if k else "" for k in known]
    proc_fields = [k.field_name if k else "" for k in known]
    levels = [_CODES["online_service_level"][k.online_service_level] if k else "2" for k in known]
    id_prefix = [f"000.00.{k}.H29-" for k in unit_num]
    ymd = np.datetime_as_string(wdays, unit="D")
    yymmdd = [f"{d[2:4]}{d[5:7]}{d[8:10]}-" for d in ymd]
    wday_idx = np.searchsorted(wdays, rday)
    codes3 = ["1", "2", "3"]

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    chunk = 200_000
    with open(path, "wb") as fh:
        fh.write(b"\xef\xbb\xbf" + (",".join(DOSSIER_FIELDS) + "\r\n").encode("utf-8"))
        for lo in range(0, n, chunk):
            sl = slice(lo, min(n, lo + chunk))
            P, U = pidx[sl], uidx[sl]
            rec_txt = ts(received[sl], None)
            if bad[sl].any():
                rec_txt = pc.if_else(pa.array(bad[sl]), pa.scalar("abc"), rec_txt)
            fem = pa.array(female[sl])
            person = pc.binary_join_element_wise(
                lookup(_FAMILY, fam_idx[sl]),
                pc.if_else(fem, lookup(_MIDDLE_F, mid_idx[sl]), lookup(_MIDDLE_M, mid_idx[sl])),
                pc.if_else(fem, lookup(_GIVEN_F, giv_idx[sl]), lookup(_GIVEN_M, giv_idx[sl])), " ")
            company = pc.binary_join_element_wise(
                lookup(_ORG_FORMS, org_idx[0][sl]), lookup(_ORG_WORDS, org_idx[1][sl]),
                lookup(_ORG_NAMES, org_idx[2][sl]), " ")
            o = pa.array(org[sl])
            cols = {
                "dossier_id": pc.binary_join_element_wise(
                    lookup(id_prefix, U), lookup(yymmdd, wday_idx[sl]), digits(seq[sl], pad), ""),
                "procedure_code": lookup(proc_codes, P),
                "procedure_name": lookup(proc_names, P),
                "field_name": lookup(proc_fields, P),
                "unit_code": lookup(unit_codes, U),
                "channel": lookup(codes3, channel[sl]),
                "online_service_level": lookup(levels, P),
                "received_at": rec_txt,
                "due_at": ts(due[sl], None),
                "resolved_at": ts(term[sl], ~closed[sl]),
                "returned_at": ts(returned_at[sl], ~is_returned[sl]),
                "status": pc.cast(pa.array(st[sl]), pa.string()),
                "result_channel": lookup(codes3, result_channel[sl]),
                "apology_sent": b01(apology[sl]),
                "fee_required": b01(p_fee[P]),
                "supplement_count": pc.cast(pa.array(sc[sl]), pa.string()),
                "supplement_requested_at": ts(req[sl], ~(sc[sl] > 0)),
                "supplement_completed_at": ts(comp[sl], ~((sc[sl] > 0) & ~awaiting[sl])),
                "applicant_name": pc.if_else(o, company, person),
                "applicant_id": pc.if_else(o, digits(tax_num[sl], 10), digits(cccd_num[sl], 12)),
                "applicant_phone": pc.if_else(pa.array(no_phone[sl]), pa.scalar(""), digits(phone_num[sl], 10)),
            }
            for f, v in flags.items():
                cols[f] = b01(v[sl])
            line = pc.binary_join_element_wise(*[cols[f] for f in DOSSIER_FIELDS], ",")
            body = pc.binary_join_element_wise(line, pa.scalar("\r\n"), "")
            offsets = np.frombuffer(body.buffers()[1], dtype=np.int32)[body.offset: body.offset + len(body) + 1]
            fh.write(memoryview(body.buffers()[2])[offsets[0]:offsets[-1]])


def write_bench_landing(out_dir: str | Path, rows: int = 1_000_000, month: str = "2024-01", seed: int = 11) -> Path:
    """Reference files + ``dossiers/<month>/vnpt__bench.csv`` under ``out_dir``; returns the CSV path."""
    out = Path(out_dir)
    write_reference(out, seed)
    path = out / "dossiers" / month / "vnpt__bench.csv"
    write_bench_csv(path, rows=rows, month=month, seed=seed)
    return path
