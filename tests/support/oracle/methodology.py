"""Independent oracle: methodology vn-2025.1 §1-§4 and §6, in plain Python.

Written from ``shared/spec/methodology.md`` (and the input contract), not from the warehouse's
SQL.  Input is plain rows (dicts with canonical field names and Python values) per source plus
reference data.  A dossier row that lacks a key (as opposed to holding None / False) comes from
a file that does not carry that column: its value is *unknown* (methodology §3 "Data not
carried").

Everything is a pure function; ``compute`` returns every figure keyed like the marts:

    report[(period_type, period_start, level, unit)]            -> dict RPT_* -> int   (months)
    values[(period_type, period_start, level, unit, code)]      -> (num, den, value)
    scores[(period_type, period_start, level, unit, group)]     -> (score, max, ratio, rank, band)
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

OPEN = {"processing", "awaiting_supplement", "suspended"}
RESULT = {"resolved", "returned"}          # a result was issued
STOPPED = {"withdrawn", "rejected"}
TERMINAL = RESULT | STOPPED

# §3 table: code -> (group, P, T, city_only)
INDEX = {
    "IDX_1_1": ("G1", 6, None, True), "IDX_1_2": ("G1", 4, None, True), "IDX_1_3": ("G1", 2, None, True),
    "IDX_1_4": ("G1", 6, None, False),
    "IDX_2_1": ("G2", 20, None, False),
    "IDX_3_1": ("G3", 0, 80, True), "IDX_3_3": ("G3", 0, 50, False), "IDX_3_4": ("G3", 12, None, False),
    "IDX_3_5A": ("G4", 2, 80, True), "IDX_3_5B": ("G4", 2, 80, True), "IDX_3_6": ("G4", 6, None, False),
    "IDX_4_1": ("G5", 6, None, False), "IDX_4_2": ("G5", 4, 80, False), "IDX_4_X": ("G5", 2, None, False),
    "IDX_4_3": ("G5", 2, 80, False), "IDX_4_4": ("G5", 4, None, False), "IDX_4_5A": ("G5", 2, None, True),
    "IDX_4_5B": ("G5", 2, None, False),
    "IDX_5_2": ("G6", 6, None, False), "IDX_5_3": ("G6", 6, None, False), "IDX_5_4": ("G6", 6, 90, False),
}
GROUPS = ("G1", "G2", "G3", "G4", "G5", "G6")
SELF_ASSESSED = {"IDX_1_1", "IDX_1_2", "IDX_1_3", "IDX_4_X"}
BANDS = ((90, "Xuất sắc"), (80, "Tốt"), (70, "Khá"), (50, "Trung bình"), (None, "Yếu"))
RPT_CODES = ("RPT_CARRIED_OVER", "RPT_RECEIVED", "RPT_RECEIVED_DIRECT", "RPT_RECEIVED_ONLINE",
             "RPT_RECEIVED_POSTAL", "RPT_RESOLVED_EARLY", "RPT_RESOLVED_ON_TIME", "RPT_RESOLVED_LATE",
             "RPT_WITHDRAWN_REJECTED", "RPT_PENDING_WITHIN", "RPT_PENDING_OVERDUE")


# ------------------------------------------------------------------ §1 periods

@dataclass(frozen=True)
class Period:
    kind: str            # month | quarter | year
    start: dt.date       # first day
    end: dt.date         # exclusive (first day after the last month included: year to date)
    asof: dt.date        # last export month whose state counts

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def start_ts(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time())

    @property
    def end_ts(self) -> dt.datetime:
        return dt.datetime.combine(self.end, dt.time())

    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}"


def next_month(d: dt.date) -> dt.date:
    return dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)


def periods(months: list[dt.date]) -> list[Period]:
    """Months loaded; quarters and years reach the end of the last month loaded in them."""
    out = [Period("month", m, next_month(m), m) for m in months]
    for kind, first in (("quarter", lambda m: dt.date(m.year, (m.month - 1) // 3 * 3 + 1, 1)),
                        ("year", lambda m: dt.date(m.year, 1, 1))):
        last_by_start = {}
        for m in months:
            s = first(m)
            last_by_start[s] = max(last_by_start.get(s, m), m)
        out += [Period(kind, s, next_month(last), last) for s, last in sorted(last_by_start.items())]
    return out


def latest_state(rows: list[dict], key: tuple, asof: dt.date) -> list[dict]:
    """§1: per key, the row of the latest export month <= asof."""
    best = {}
    for r in rows:
        if r["export_month"] > asof:
            continue
        k = tuple(r[f] for f in key)
        if k not in best or r["export_month"] >= best[k]["export_month"]:
            best[k] = r
    return list(best.values())


def in_period(ts, p: Period) -> bool:
    return ts is not None and p.start_ts <= ts < p.end_ts


# ------------------------------------------------------------------ §1 levels and org structure

def in_force(row: dict, p: Period) -> bool:
    return row["valid_from"] <= p.last_day and (row["valid_to"] is None or row["valid_to"] >= p.start)


class Org:
    def __init__(self, org_rows: list[dict]):
        self.rows = {r["unit_code"]: r for r in org_rows}
        self.root = next(c for c, r in self.rows.items() if r["level"] == "city")

    def units_in_force(self, p: Period) -> list[str]:
        return [c for c, r in self.rows.items() if c != self.root and in_force(r, p)]

    def attribute(self, code: str, p: Period) -> str | None:
        """The unit in force that a row of `code` counts for: follow successor_code."""
        seen = set()
        while code is not None and code in self.rows and code not in seen:
            if in_force(self.rows[code], p):
                return code
            seen.add(code)
            code = self.rows[code]["successor_code"]
        return None

    def department(self, code: str, p: Period) -> str | None:
        """The org unit directly under the city that `code` (in force) rolls up to."""
        while True:
            parent = self.attribute(self.rows[code]["parent_code"], p)
            if parent is None:
                return None
            if parent == self.root:
                return code
            code = parent

    def targets(self, code: str | None, p: Period) -> list[tuple[str, str]]:
        """(level, unit) cells a row of unit `code` counts in for period p."""
        unit = self.attribute(code, p) if code else None
        if unit is None or unit == self.root:
            return [("city", self.root)] if unit == self.root else []
        out = [("unit", unit), ("city", self.root)]
        dept = self.department(unit, p)
        if dept is not None:
            out.append(("department", dept))
        return out


# ------------------------------------------------------------------ catalogue (procedures)

def catalogue_in_force(procs: list[dict], p: Period) -> dict[str, dict]:
    return {r["procedure_code"]: r for r in procs if in_force(r, p)}


def effective(d: dict, cat: dict, attr: str):
    """§2: procedure attributes come from the catalogue in force; else the dossier's own field."""
    proc = cat.get(d["procedure_code"])
    if proc is not None:
        return proc[attr]
    if attr == "full_online_eligible":     # the dossier's own online level says whether it is fully online
        return d["online_service_level"] == "full" if "online_service_level" in d else UNKNOWN
    return d.get(attr, UNKNOWN)            # result_required: no such dossier field -> unknown (§3)


UNKNOWN = object()


def known(d: dict, *fields) -> bool:
    return all(f in d for f in fields)


def yes(v) -> bool:
    return bool(v) and v is not UNKNOWN


# ------------------------------------------------------------------ §2 / §3 per-dossier flags

def dossier_flags(d: dict, p: Period) -> dict:
    """Which §2 counts and §3 conditions a dossier (its state as of p) meets in period p."""
    st = d["status"]
    rec, res, due = d["received_at"], d.get("resolved_at"), d["due_at"]
    f = {}
    f["received"] = in_period(rec, p)
    closed_before = st in TERMINAL and res is not None and res.date() < p.start
    f["carried"] = rec < p.start_ts and not closed_before
    f["resolved"] = st in RESULT and in_period(res, p)
    f["early"] = f["resolved"] and res.date() < due.date()
    f["on_time"] = f["resolved"] and res.date() == due.date()
    f["late"] = f["resolved"] and res.date() > due.date()
    f["withdrawn_rejected"] = st in STOPPED and in_period(res, p)
    f["open_end"] = rec < p.end_ts and (st in OPEN or (st in TERMINAL and res is not None and res >= p.end_ts))
    f["pending_within"] = f["open_end"] and due.date() >= p.last_day
    f["pending_overdue"] = f["open_end"] and due.date() < p.last_day
    # §3 IDX_2_1, index definition (timestamps)
    closed_in = st in TERMINAL and in_period(res, p)
    if closed_in:
        end = res
    elif f["open_end"] and st == "awaiting_supplement" and d.get("supplement_requested_at"):
        end = d["supplement_requested_at"]
    else:
        end = p.end_ts
    awaiting = (not closed_in) and st == "awaiting_supplement" and d.get("supplement_requested_at")
    req, comp = d.get("supplement_requested_at"), d.get("supplement_completed_at")
    if not awaiting and req is not None and comp is not None:
        end = end - (comp - req)
    f["idx_den"] = f["received"] or f["carried"]
    f["idx_on_time"] = f["idx_den"] and (closed_in or f["open_end"]) and end <= due \
        and (d.get("supplement_count") or 0) <= 1
    return f


def rate(num, den):
    return (num, den, None if den == 0 else 100.0 * num / den)


# ------------------------------------------------------------------ one period: counts per cell

def dossier_cells(dossiers, org, p):
    """Per (level, unit): list of (dossier state, flags).  Submitted dossiers count nowhere."""
    cells = defaultdict(list)
    for d in latest_state(dossiers, ("system", "dossier_id"), p.asof):
        if d["status"] == "submitted":
            continue
        fl = dossier_flags(d, p)
        for cell in org.targets(d["unit_code"], p):
            cells[cell].append((d, fl))
    return cells


def report_counts(items) -> dict:
    c = dict.fromkeys(RPT_CODES, 0)
    for d, f in items:
        c["RPT_CARRIED_OVER"] += f["carried"]
        c["RPT_RECEIVED"] += f["received"]
        c["RPT_RECEIVED_DIRECT"] += f["received"] and d["channel"] == "direct"
        c["RPT_RECEIVED_ONLINE"] += f["received"] and d["channel"] == "online"
        c["RPT_RECEIVED_POSTAL"] += f["received"] and d["channel"] == "postal"
        c["RPT_RESOLVED_EARLY"] += f["early"]
        c["RPT_RESOLVED_ON_TIME"] += f["on_time"]
        c["RPT_RESOLVED_LATE"] += f["late"]
        c["RPT_WITHDRAWN_REJECTED"] += f["withdrawn_rejected"]
        c["RPT_PENDING_WITHIN"] += f["pending_within"]
        c["RPT_PENDING_OVERDUE"] += f["pending_overdue"]
    return c


def count(items, in_den, in_num, needs=()):
    """numerator / denominator over dossiers; a dossier lacking a needed input is left out (§3)."""
    num = den = 0
    for d, f in items:
        if needs and not known(d, *needs):
            continue
        if in_den(d, f):
            den += 1
            num += bool(in_num(d, f))
    return rate(num, den)


def dossier_indicators(items, cat) -> dict:
    lvl = lambda d: effective(d, cat, "online_service_level")
    rr = lambda d: yes(effective(d, cat, "result_required"))
    recv = lambda d, f: f["received"]
    v = {
        "ON_TIME_REPORT": count(items, lambda d, f: f["resolved"], lambda d, f: f["early"] or f["on_time"]),
        "LATE_RATE": count(items, lambda d, f: f["resolved"], lambda d, f: f["late"]),
        "APOLOGY_COVERAGE": count(items, lambda d, f: f["late"] or f["pending_overdue"],
                                  lambda d, f: d["apology_sent"], ("apology_sent",)),
        "POSTAL_SHARE": count(items, recv, lambda d, f: d["channel"] == "postal"),
        "ONLINE_SHARE_ELIGIBLE": count(items, lambda d, f: f["received"] and lvl(d) in ("partial", "full"),
                                       lambda d, f: d["channel"] == "online"),
        "DIGITIZED_RESULT_RATE": count(items, lambda d, f: f["resolved"], lambda d, f: d["digitized_result"],
                                       ("digitized_result",)),
        "IDX_1_4": count(items, recv, lambda d, f: d["synced_national_portal"], ("synced_national_portal",)),
        "IDX_2_1": count(items, lambda d, f: f["idx_den"], lambda d, f: f["idx_on_time"]),
        "IDX_3_3": count(items, recv, lambda d, f: d["channel"] == "online"),
        "IDX_3_4": count(items, lambda d, f: f["received"] and yes(effective(d, cat, "full_online_eligible")),
                         lambda d, f: d["channel"] == "online" and lvl(d) == "full"),
        "IDX_3_6": count(items, lambda d, f: f["received"] and d["fee_required"], lambda d, f: d["paid_online"],
                         ("fee_required", "paid_online")),
        "IDX_4_1": count(items, lambda d, f: f["resolved"] and rr(d), lambda d, f: d["e_result"], ("e_result",)),
        # e_result is an input only where the procedure requires a result (§3 "Data not carried")
        "IDX_4_2": count(items, lambda d, f: f["received"] and effective(d, cat, "result_required") is not UNKNOWN
                         and (not rr(d) or known(d, "e_result")),
                         lambda d, f: d["digitized_input"] and (not rr(d) or d["e_result"]),
                         ("digitized_input",)),
        "IDX_4_3": count(items, recv, lambda d, f: d["data_reused"], ("data_reused",)),
        "IDX_4_4": count(items, recv, lambda d, f: d["citizen_store_linked"], ("citizen_store_linked",)),
        "IDX_4_5B": count(items, recv, lambda d, f: d["population_data_used"], ("population_data_used",)),
    }
    return v


def procedure_indicators(items, cat) -> dict:
    """City-only procedure indicators (§3 IDX_3_1, IDX_3_5A, IDX_3_5B, IDX_4_5A)."""
    received = [d for d, f in items if f["received"]]
    with_dossier = {d["procedure_code"] for d in received}
    fee_procs = {c for c, r in cat.items() if r["fee_required"]}
    v = {}
    v["IDX_3_1"] = rate(sum(r["online_service_level"] in ("partial", "full") for r in cat.values()), len(cat))
    fee_dossier = {d["procedure_code"] for d in received if d.get("fee_required")}
    v["IDX_3_5A"] = rate(len(fee_procs & fee_dossier), len(fee_procs))
    paid = {d["procedure_code"] for d in received if d.get("paid_online")}
    # a procedure missing from the catalogue is fee-bearing by its dossiers' own fee flag (§2 fallback)
    fee_any = fee_procs | {c for c in fee_dossier if c not in cat}
    v["IDX_3_5B"] = rate(len(fee_any & with_dossier & paid), len(fee_any & with_dossier))
    pop_known = [d for d in received if "population_data_used" in d]
    v["IDX_4_5A"] = rate(len({d["procedure_code"] for d in pop_known if d["population_data_used"]}),
                         len({d["procedure_code"] for d in pop_known}))
    return v


# ------------------------------------------------------------------ feedback (§3 G6), surveys

def feedback_indicators(items, p: Period) -> dict:
    n52 = d52 = n53 = d53 = 0
    for fb in items:
        rec, ans, due, st = fb["received_at"], fb.get("answered_at"), fb.get("due_at"), fb["status"]
        closed = st in ("answered", "rejected", "forwarded") and ans is not None
        received = in_period(rec, p)
        open_start = rec < p.start_ts and not (closed and ans < p.start_ts)
        open_end = rec < p.end_ts and not (closed and ans < p.end_ts)
        if received or open_start:
            d52 += 1
            answered_ok = st == "answered" and in_period(ans, p) and (due is None or ans <= due)
            open_ok = open_end and (due is None or due >= p.end_ts)
            n52 += answered_ok or open_ok
        if received and "dissatisfied" in fb and "follow_up_complaint" in fb:   # §3: unknown inputs left out
            d53 += 1
            bad = (fb.get("dissatisfied") or fb.get("follow_up_complaint")
                   or (closed and due is not None and ans > due)
                   or (open_end and due is not None and due < p.end_ts))
            n53 += not bad
    return {"IDX_5_2": rate(n52, d52), "IDX_5_3": rate(n53, d53)}


def survey_indicators(items) -> dict:
    return {"SATISFACTION_RATE": rate(sum(s["rating"] >= 4 for s in items), len(items))}


def idx_5_4(v21, low_ratings: int, received: int):
    """§3: max(0, IDX_2_1 − ratings <= 2 / dossiers received × 100); N/A if IDX_2_1 N/A or none received."""
    if v21 is None or received == 0:
        return (None, None, None)
    return (None, None, max(0.0, v21 - 100.0 * low_ratings / received))


# ------------------------------------------------------------------ §4 documents and e-mail

def document_indicators(items) -> dict:
    docs = [d for d in items if d.get("secrecy", "normal") in (None, "normal")]
    out_ = [d for d in docs if d["direction"] == "outgoing"]
    in_ = [d for d in docs if d["direction"] == "incoming"]
    return {
        "DOC_ELECTRONIC_RATE": rate(sum(d["form"] == "electronic" for d in docs), len(docs)),
        # a document whose export lacks the input is left out (§3 "Data not carried")
        "DOC_OUT_SIGNED_SENT": rate(sum(d["form"] == "electronic" and bool(d["digitally_signed"])
                                        for d in out_ if "digitally_signed" in d),
                                    sum("digitally_signed" in d for d in out_)),
        "DOC_IN_PROCESSED_ONLINE": rate(sum(bool(d["processed_online"]) for d in in_ if "processed_online" in d),
                                        sum("processed_online" in d for d in in_)),
        "DOC_INTERCONNECT_RATE": rate(sum(bool(d["via_interconnect"]) for d in docs if "via_interconnect" in d),
                                      sum("via_interconnect" in d for d in docs)),
    }


def working_days(month: dt.date, holidays: list[dict]) -> int:
    """Mon-Fri minus holidays / compensatory days off, plus make-up working Saturdays."""
    kinds = {h["date"]: h["kind"] for h in holidays}
    n, d = 0, month
    while d < next_month(month):
        kind = kinds.get(d)
        weekday = d.weekday() < 5
        if (weekday and kind not in ("holiday", "compensatory_day_off")) or (not weekday and kind == "makeup_working_day"):
            n += 1
        d += dt.timedelta(days=1)
    return n


def email_indicators(items, holidays) -> dict:
    """One row per account per month; regular = active on >= 50% of that month's working days, rounded up."""
    def regular(e):
        return e["active_days"] >= math.ceil(working_days(e["export_month"], holidays) * 50 / 100)
    leaders = [e for e in items if e["role"] == "leader"]
    return {"EMAIL_LEADER_REGULAR": rate(sum(map(regular, leaders)), len(leaders)),
            "EMAIL_ACTIVE_RATE": rate(sum(map(regular, items)), len(items))}


# ------------------------------------------------------------------ §3 scoring, §6 rank and band

def points(code: str, value):
    group, P, T, _ = INDEX[code]
    if value is None:
        return None
    if T is None:
        return value / 100.0 * P
    return P if value >= T else value / T * P


def band(ratio):
    if ratio is None:
        return None
    r = round(ratio, 2)
    for low, label in BANDS:
        if low is None or r >= low:
            return label


def score_cell(values: dict, level: str) -> dict:
    """Per group and TOTAL: (score, applicable max, ratio)."""
    out = {}
    total = total_max = 0.0
    for g in GROUPS:
        s = m = 0.0
        for code, (group, P, T, city_only) in INDEX.items():
            if group != g or (city_only and level != "city"):
                continue
            v = values.get(code, (None, None, None))[2]
            if v is None:
                continue            # N/A: no score, P leaves the maximum
            s += points(code, v)
            m += P
        out[g] = (s, m, 100.0 * s / m if m else None)
        total += s
        total_max += m
    out["TOTAL"] = (total, total_max, 100.0 * total / total_max if total_max else None)
    return out


def ranks(ratios: dict) -> dict:
    """Ties share a rank (1, 2, 2, 4) on the ratio rounded to 2 decimals; NULL ratio unranked."""
    rounded = {k: round(r, 2) for k, r in ratios.items() if r is not None}
    return {k: 1 + sum(o > r for o in rounded.values()) for k, r in rounded.items()}


def self_assessed(sa_rows, p: Period, unit: str) -> dict:
    return {r["indicator_code"]: (None, None, float(r["value"])) for r in sa_rows
            if r["unit_code"] == unit and str(r["period"]) == p.label() and r["indicator_code"] in SELF_ASSESSED}


# ------------------------------------------------------------------ everything

def compute(*, months, dossiers, org_units, procedures, holidays=(), surveys=(), feedback=(),
            documents=(), email=(), self_assessment=()) -> dict:
    org = Org(org_units)
    report, counts, values, scores = {}, {}, {}, {}
    for p in periods(sorted(months)):
        cat = catalogue_in_force(procedures, p)
        cells = dossier_cells(dossiers, org, p)
        # every unit in force has a cell at unit level, departments at department level, the city
        keys = {("city", org.root)}
        for u in org.units_in_force(p):
            keys |= set(org.targets(u, p))
        keys |= set(cells)
        per = defaultdict(dict)
        for s in surveys:
            if in_period(s["rated_at"], p):
                for cell in org.targets(s["unit_code"], p):
                    per[cell].setdefault("surveys", []).append(s)
        for fb in latest_state(list(feedback), ("system", "feedback_id"), p.asof):
            for cell in org.targets(fb["unit_code"], p):
                per[cell].setdefault("feedback", []).append(fb)
        for doc in documents:
            if doc["export_month"] <= p.asof and in_period(doc["registered_at"], p):
                for cell in org.targets(doc["unit_code"], p):
                    per[cell].setdefault("documents", []).append(doc)
        for e in email:
            if p.start <= e["export_month"] <= p.asof:
                for cell in org.targets(e["unit_code"], p):
                    per[cell].setdefault("email", []).append(e)
        for level, unit in sorted(keys):
            items = cells.get((level, unit), [])
            extra = per.get((level, unit), {})
            counts[(p.kind, p.start, level, unit)] = report_counts(items)
            if p.kind == "month":
                report[(p.kind, p.start, level, unit)] = counts[(p.kind, p.start, level, unit)]
            v = dossier_indicators(items, cat)
            if level == "city":
                v.update(procedure_indicators(items, cat))
            v.update(feedback_indicators(extra.get("feedback", []), p))
            v.update(survey_indicators(extra.get("surveys", [])))
            v.update(document_indicators(extra.get("documents", [])))
            v.update(email_indicators(extra.get("email", []), holidays))
            low = sum(s["rating"] <= 2 for s in extra.get("surveys", []))
            v["IDX_5_4"] = idx_5_4(v["IDX_2_1"][2], low, sum(f["received"] for _, f in items))
            v.update(self_assessed(self_assessment, p, unit))
            for code, nv in v.items():
                values[(p.kind, p.start, level, unit, code)] = nv
            for g, (s, m, r) in score_cell(v, level).items():
                scores[(p.kind, p.start, level, unit, g)] = [s, m, r, None, None]
        for level in ("unit", "department", "city"):
            totals = {k: sc[2] for k, sc in scores.items()
                      if k[0] == p.kind and k[1] == p.start and k[2] == level and k[4] == "TOTAL"}
            for k, rk in ranks(totals).items():
                scores[k][3] = rk
            for k, r in totals.items():
                scores[k][4] = band(r)
    with_counts = dict(values)
    for (kind, start, level, unit), c in counts.items():
        with_counts.update({(kind, start, level, unit, code): (n, None, n) for code, n in c.items()})
    return {"report": report, "counts": counts, "values": values, "scores": {k: tuple(v) for k, v in scores.items()},
            "as_is": as_is(with_counts, org_units)}


# ------------------------------------------------------------------ §1 "as is" view

def current_successor(code: str, org_rows: list[dict]) -> str:
    """Today's unit for a historical one: follow successor_code to its end."""
    rows = {r["unit_code"]: r for r in org_rows}
    seen = set()
    while code in rows and rows[code]["successor_code"] and code not in seen:
        seen.add(code)
        code = rows[code]["successor_code"]
    return code


def as_is(values: dict, org_rows: list[dict]) -> dict:
    """Indicator values with historical units re-labelled as their current successor; numerators and
    denominators summed, rates recomputed (a parent's rate is never a mean); counts summed."""
    sums = defaultdict(lambda: [0, 0, 0, False])
    for (kind, start, level, unit, code), (num, den, value) in values.items():
        if num is None or (code not in RPT_CODES and den is None):
            continue                        # value-only indicators (IDX_5_4, self-assessed) have no sum
        s = sums[(kind, start, level, current_successor(unit, org_rows), code)]
        s[0] += num
        s[1] += den or 0
        s[3] = s[3] or code in RPT_CODES
    out = {}
    for key, (num, den, _, is_count) in sums.items():
        out[key] = (num, None, num) if is_count else rate(num, den)
    return out
