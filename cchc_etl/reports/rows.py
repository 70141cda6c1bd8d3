"""The rows of every sheet for one scope (the city, a department or a unit), cut from the
city-wide frames of ``cchc_etl.reports.data``. Pure functions: no warehouse access.

Biểu 06 follows the form's convention (Thông tư 01/2020/TT-VPCP, as the provincial systems fill
it) where the marts keep things apart:

* (7) Đã giải quyết = resolved early + on time + late + withdrawn or rejected, and (9) Đúng hạn
  = on time + withdrawn or rejected;
* (12) Trong hạn = open within the deadline + open and overdue but awaiting the citizen's
  supplement, and (13) Quá hạn = the other overdue open dossiers.

So (3) = (4) + (5) + (6) = (7) + (11), and every column maps back to ``marts.period_report``.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from cchc_etl.reports.data import COUNTS, STATUS_VI, ReportData
from cchc_etl.reports.vn_format import ROMAN, fmt_dec_vi, fmt_pct_vi, vn_sort_key

# unit levels grouped as the form lists them, in order
LEVEL_GROUPS = (
    ("department", "Sở, ban, ngành"),
    ("district", "UBND cấp huyện (quận, huyện, thị xã)"),
    ("commune", "UBND cấp xã (xã, phường, thị trấn)"),
    ("other", "Cơ quan, đơn vị khác"),
)
LEVEL_GROUP_NAMES = dict(LEVEL_GROUPS)
TARGET_GROUPS_VI = {"land": "đất đai", "investment": "đầu tư", "complaints": "khiếu nại, tố cáo"}
CITY_OWN = "__city_own__"


def level_group(level: str | None) -> str:
    return level if level in ("department", "district", "commune") else "other"


def form_columns(v: dict) -> list[int]:
    """Columns (3)…(13) of Biểu 06 from the marts' counts, by the form's convention."""
    c6 = v["carried_over"]
    c4 = v["received_online"]
    c5 = v["received_direct"] + v["received_postal"]
    c8, c10 = v["resolved_early"], v["resolved_late"]
    c9 = v["resolved_on_time"] + v["withdrawn_rejected"]
    c12 = v["pending_within"] + v["pending_overdue_awaiting"]
    c13 = v["pending_overdue"] - v["pending_overdue_awaiting"]
    return [c4 + c5 + c6, c4, c5, c6, c8 + c9 + c10, c8, c9, c10, c12 + c13, c12, c13]


@dataclass
class FormRow:
    kind: str                      # group | item | total
    stt: str | int | None
    label: str
    values: dict                   # COUNTS -> int
    code: str | None = None        # unit or procedure code of an item row

    @property
    def columns(self) -> list[int]:
        return form_columns(self.values)


@dataclass(frozen=True)
class Scope:
    code: str
    name: str
    level: str                     # org_units level of the scope's unit
    city_code: str
    city_name: str
    members: frozenset             # member codes whose rows count for the scope
    units: tuple                   # units in force inside the scope (the city root excluded)

    @property
    def is_city(self) -> bool:
        return self.code == self.city_code

    @property
    def reporting_name(self) -> str:
        """Đơn vị báo cáo: 'UBND Thành phố Hồ Chí Minh', 'Sở Tư pháp', 'UBND Phường Bến Nghé'."""
        return f"UBND {self.name}" if self.level in ("city", "district", "commune") else self.name

    @property
    def recipient_name(self) -> str:
        """Đơn vị nhận báo cáo: the Government Office for a province, else the province's office."""
        return "Văn phòng Chính phủ (Cục Kiểm soát thủ tục hành chính)" if self.is_city else f"Văn phòng UBND {self.city_name}"


def _names(data: ReportData) -> dict[str, str]:
    return dict(zip(data.units["unit_code"], data.units["name"]))


def _levels(data: ReportData) -> dict[str, str]:
    return dict(zip(data.units["unit_code"], data.units["level"]))


def scopes(data: ReportData) -> list[str]:
    """The city (each root) and every department: the workbooks a run writes by default."""
    depts = sorted(c for c in data.rollup["department_code"].dropna().unique())
    return [*data.cities, *depts]


def scope_for(data: ReportData, code: str | None = None) -> Scope:
    r = data.rollup
    if code is None:
        if len(data.cities) != 1:
            raise LookupError(f"kho có {len(data.cities)} đơn vị gốc / the warehouse has {len(data.cities)} root units "
                              f"({', '.join(data.cities)}): chọn một / pick one with --unit")
        code = data.cities[0]
    if code in data.cities:
        mask = r["city_code"] == code
    elif (r["department_code"] == code).any():
        mask = r["department_code"] == code
    elif (r["unit_code"] == code).any():
        mask = r["unit_code"] == code
    else:
        raise LookupError(f"đơn vị {code} không có trong cơ cấu tổ chức của kỳ {data.period.label} / unit {code} is not in "
                          f"force in {data.period.label}")
    inside = r[mask]
    names, levels = _names(data), _levels(data)
    city = inside["city_code"].iloc[0]
    units = tuple(sorted({u for u in inside["unit_code"].dropna()}, key=lambda u: vn_sort_key(names.get(u, u))))
    return Scope(code=code, name=names.get(code, code), level=levels.get(code, "unit"), city_code=city,
                 city_name=names.get(city, city), members=frozenset(inside["member_code"]), units=units)


def _scoped_counts(data: ReportData, scope: Scope) -> pd.DataFrame:
    """The scope's count rows with their unit and level group; computed once per scope (every
    form, the late units and the drafted report start from it). Callers do not modify it."""
    key = ("scoped_counts", scope.code)
    if key in data.memo:
        return data.memo[key]
    every = data.memo.get("counts_with_units")
    if every is None:  # the city-wide rows with their unit and level group, once
        every = data.counts.merge(data.rollup[["member_code", "unit_code"]], on="member_code", how="left")
        every["unit_code"] = every["unit_code"].where(every["unit_code"].notna(), CITY_OWN)
        groups = {u: level_group(lv) for u, lv in _levels(data).items()}
        every["level_group"] = every["unit_code"].map(groups).fillna("other")
        data.memo["counts_with_units"] = every
    c = every[every["member_code"].isin(scope.members)].reset_index(drop=True)
    data.memo[key] = c
    return c


def _sum(frame: pd.DataFrame) -> dict:
    return {k: int(frame[k].sum()) if len(frame) else 0 for k in COUNTS}


def _sums(frame: pd.DataFrame, keys) -> dict:
    """Counts summed per key (one pass, whatever the number of groups)."""
    if frame.empty:
        return {}
    g = frame.groupby(keys, sort=False)[list(COUNTS)].sum()
    return {k: dict(zip(COUNTS, map(int, row))) for k, row in zip(g.index, g.to_numpy())}


ZERO = dict.fromkeys(COUNTS, 0)


def _unit_label(data: ReportData, scope: Scope, code: str) -> str:
    if code == CITY_OWN:
        return f"{scope.city_name} (hồ sơ của đơn vị gốc / the root's own dossiers)"
    return f"{_names(data).get(code, code)} ({code})"


def _groups_in_scope(data: ReportData, scope: Scope, counts: pd.DataFrame) -> list[str]:
    levels = _levels(data)
    present = {level_group(levels.get(u)) for u in scope.units} | set(counts["level_group"])
    return [g for g, _ in LEVEL_GROUPS if g in present]


def form06(data: ReportData, scope: Scope) -> list[FormRow]:
    """Biểu 06: lĩnh vực rows within each level, a subtotal per level, the grand total."""
    c = _scoped_counts(data, scope)
    by_group, by_field = _sums(c, "level_group"), _sums(c, ["level_group", "field_name"])
    rows = []
    for gi, g in enumerate(_groups_in_scope(data, scope, c)):
        rows.append(FormRow("group", ROMAN[gi], LEVEL_GROUP_NAMES[g], by_group.get(g, ZERO)))
        fields = sorted((f for grp, f in by_field if grp == g), key=vn_sort_key)
        for i, f in enumerate(fields, 1):
            rows.append(FormRow("item", i, f, by_field[(g, f)]))
    rows.append(FormRow("total", None, "Tổng cộng", _sum(c)))
    return rows


def form06a(data: ReportData, scope: Scope) -> list[FormRow]:
    """Biểu 06a: one row per unit (its own dossiers, as ``marts.period_report`` at level unit)."""
    c = _scoped_counts(data, scope)
    levels = _levels(data)
    by_group, by_unit = _sums(c, "level_group"), _sums(c, "unit_code")
    rows = []
    for gi, g in enumerate(_groups_in_scope(data, scope, c)):
        units = [u for u in scope.units if level_group(levels.get(u)) == g]
        if g == "other" and CITY_OWN in by_unit:
            units.append(CITY_OWN)
        rows.append(FormRow("group", ROMAN[gi], LEVEL_GROUP_NAMES[g], by_group.get(g, ZERO)))
        for i, u in enumerate(units, 1):
            rows.append(FormRow("item", i, _unit_label(data, scope, u), by_unit.get(u, ZERO),
                                code=None if u == CITY_OWN else u))
    rows.append(FormRow("total", None, "Tổng cộng", _sum(c)))
    return rows


def form06b(data: ReportData, scope: Scope) -> list[FormRow]:
    """Biểu 06b: one row per procedure within its lĩnh vực, a subtotal per lĩnh vực, the total."""
    c = _scoped_counts(data, scope)
    names = dict(zip(data.procedures["procedure_code"], data.procedures["procedure_name"]))
    c = c.assign(procedure_code=c["procedure_code"].fillna(""))
    by_field, by_proc = _sums(c, "field_name"), _sums(c, ["field_name", "procedure_code"])
    rows = []
    for fi, f in enumerate(sorted(by_field, key=vn_sort_key), 1):
        rows.append(FormRow("group", fi, f, by_field[f]))
        codes = sorted((p for fld, p in by_proc if fld == f), key=lambda p: vn_sort_key(names.get(p) or p))
        for pi, p in enumerate(codes, 1):
            name = names.get(p) or "(không rõ tên thủ tục / unnamed procedure)"
            rows.append(FormRow("item", f"{fi}.{pi}", f"{name} ({p or '—'})", by_proc[(f, p)], code=p or None))
    rows.append(FormRow("total", None, "Tổng cộng", _sum(c)))
    return rows


def form_notes(rows: list[FormRow]) -> dict:
    """What the footnotes of a Biểu 06 sheet state: the dossiers the convention moves."""
    total = next(r for r in rows if r.kind == "total").values
    return {"withdrawn_rejected": total["withdrawn_rejected"], "pending_overdue_awaiting": total["pending_overdue_awaiting"],
            "pending_overdue": total["pending_overdue"]}


# --------------------------------------------------------------------------- late and near due


def _rate(num: float, den: float) -> float | None:
    return 100.0 * num / den if den else None


def late_units(data: ReportData, scope: Scope) -> list[dict]:
    """Phụ lục I: units with dossiers resolved late in the period or open and overdue at its end."""
    c = _scoped_counts(data, scope)
    out = []
    for u, v in _sums(c, "unit_code").items():
        resolved = v["resolved_early"] + v["resolved_on_time"] + v["resolved_late"]
        pending = v["pending_within"] + v["pending_overdue"]
        if v["resolved_late"] or v["pending_overdue"]:
            out.append({"unit_code": None if u == CITY_OWN else u, "unit": _unit_label(data, scope, u),
                        "resolved": resolved, "resolved_late": v["resolved_late"], "late_rate": _rate(v["resolved_late"], resolved),
                        "pending": pending, "pending_overdue": v["pending_overdue"],
                        "overdue_rate": _rate(v["pending_overdue"], pending),
                        "pending_overdue_awaiting": v["pending_overdue_awaiting"]})
    return sorted(out, key=lambda r: (-r["resolved_late"], -r["pending_overdue"], vn_sort_key(r["unit"])))


def _dossier_list(data: ReportData, scope: Scope, name: str) -> list[dict]:
    """The scope's dossiers of the list ``data.<name>``, in the list's order, with their unit,
    status and procedure as shown (worked out once for the whole city, a copy per scope)."""
    key = ("dossiers", name)
    every = data.memo.get(key)
    if every is None:
        f = getattr(data, name).merge(data.rollup[["member_code", "unit_code", "city_code"]], on="member_code", how="left")
        names = _names(data)
        every = []
        for rec in f.to_dict("records"):
            u = rec["unit_code"] if isinstance(rec["unit_code"], str) else None
            city = rec.pop("city_code")
            rec["unit"] = f"{names.get(u, u)} ({u})" if u else names.get(city, city)  # the city's own dossiers
            rec["status_vi"] = STATUS_VI.get(rec["status"], rec["status"])
            rec["procedure"] = (f"{rec['procedure_name']} ({rec['procedure_code']})" if rec.get("procedure_name")
                                else rec["procedure_code"])
            every.append(rec)
        data.memo[key] = every
    members = scope.members
    return [dict(rec) for rec in every if rec["member_code"] in members]


def late_dossiers(data: ReportData, scope: Scope) -> list[dict]:
    """Phụ lục II: dossiers open and overdue at the period end (RPT_PENDING_OVERDUE), most overdue first."""
    return _dossier_list(data, scope, "late")


def near_due_dossiers(data: ReportData, scope: Scope) -> list[dict]:
    return _dossier_list(data, scope, "near_due")


def awaiting_dossiers(data: ReportData, scope: Scope) -> list[dict]:
    return _dossier_list(data, scope, "awaiting")


def awaiting_undated(data: ReportData, scope: Scope) -> int:
    u = data.awaiting_undated
    return int(u[u["member_code"].isin(scope.members)]["n"].sum()) if len(u) else 0


# --------------------------------------------------------------------------- service index


RANK_GROUPS = (("department", "Sở, ban, ngành"), ("district", "Quận, huyện, thị xã"),
               ("commune", "Xã, phường, thị trấn"), ("other", "Cơ quan, đơn vị khác"))


def score_level(unit_level: str | None) -> str:
    """The figures a unit is ranked on: a department or district with everything under it, any
    other unit on its own dossiers."""
    return "department" if unit_level in ("department", "district") else "unit"


def _round2(x) -> Decimal | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return Decimal(repr(float(x))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _ranked(data: ReportData, scores: pd.DataFrame | None, city: str) -> dict[str, dict]:
    """Per unit of the city: its TOTAL row at its score level and its rank within its group
    (sở/ngành, quận/huyện, xã/phường, other units ranked separately; on the ratio rounded to 2
    decimals, ties share a rank, no ratio no rank; methodology §6). Computed once per city for
    the period's and the previous period's scores (every scope's scorecard reads it); callers do
    not modify it."""
    if scores is None or scores.empty:
        return {}
    which = "now" if scores is data.scores else "previous" if scores is data.previous_scores else None
    memo_key = ("ranked", which, city)
    if which is not None and memo_key in data.memo:
        return data.memo[memo_key]
    units = data.units.set_index("unit_code")
    in_city = set(data.rollup.loc[data.rollup["city_code"] == city, "unit_code"].dropna())
    total = scores[scores["group_code"] == "TOTAL"].set_index(["org_unit_code", "org_level"])
    out: dict[str, dict] = {}
    for u in in_city:
        level = units["level"].get(u)
        key = (u, score_level(level))
        if key not in total.index:
            continue
        row = total.loc[key]
        out[u] = {"group": level_group(level), "org_level": key[1], "score": row["score"], "max_score": row["max_score"],
                  "ratio": None if pd.isna(row["ratio"]) else float(row["ratio"]), "band": row["classification"]}
    for g, _ in RANK_GROUPS:
        members = [(u, _round2(r["ratio"])) for u, r in out.items() if r["group"] == g]
        ranked = sorted(r for _, r in members if r is not None)
        for u, r in members:
            out[u]["rank"] = None if r is None else 1 + len(ranked) - bisect_right(ranked, r)
            out[u]["ranked_in_group"] = len(ranked)
    if which is not None:
        data.memo[memo_key] = out
    return out


def scorecard(data: ReportData, scope: Scope) -> list[dict]:
    """'Chỉ số phục vụ': the scope's own line first (the city, unranked, or the department), then
    every unit of the scope by group, ranked within its group across the whole city, with the
    change in ratio and rank against the previous period of the same type."""
    if data.scores is None:
        return []
    now = _ranked(data, data.scores, scope.city_code)
    before = _ranked(data, data.previous_scores, scope.city_code)
    groups = data.scores[data.scores["group_code"] != "TOTAL"]
    gscore = {(r.org_unit_code, r.org_level, r.group_code): r.score for r in groups.itertuples()}
    names = _names(data)
    out = []

    def line(u: str, org_level: str, base: dict, group: str | None, prev: dict | None) -> dict:
        ratio, prev_ratio = base.get("ratio"), (prev or {}).get("ratio")
        rank, prev_rank = base.get("rank"), (prev or {}).get("rank")
        return {"unit_code": u, "unit": f"{names.get(u, u)} ({u})", "group": group, "org_level": org_level,
                "groups": {g: gscore.get((u, org_level, g)) for g, _ in data.groups},
                "score": base.get("score"), "max_score": base.get("max_score"), "ratio": ratio, "rank": rank,
                "ranked_in_group": base.get("ranked_in_group"), "band": base.get("band"),
                "previous_ratio": prev_ratio, "previous_rank": prev_rank,
                "ratio_change": None if ratio is None or prev_ratio is None else float(_round2(ratio) - _round2(prev_ratio)),
                "rank_change": None if rank is None or prev_rank is None else int(prev_rank - rank)}

    if scope.is_city:
        city_now, city_before = _city_total(data.scores, scope.code), _city_total(data.previous_scores, scope.code)
        if city_now:
            out.append(line(scope.code, "city", city_now, None, city_before))
    for g, _ in RANK_GROUPS:
        members = [u for u in scope.units if u in now and now[u]["group"] == g]
        members.sort(key=lambda u: (now[u]["rank"] is None, now[u]["rank"] or 0, vn_sort_key(names.get(u, u))))
        out += [line(u, now[u]["org_level"], now[u], g, before.get(u)) for u in members]
    return out


def _city_total(scores: pd.DataFrame | None, city: str) -> dict | None:
    if scores is None:
        return None
    hit = scores[(scores["org_unit_code"] == city) & (scores["org_level"] == "city") & (scores["group_code"] == "TOTAL")]
    if hit.empty:
        return None
    r = hit.iloc[0]
    return {"score": r["score"], "max_score": r["max_score"], "ratio": None if pd.isna(r["ratio"]) else float(r["ratio"]),
            "band": r["classification"]}


def indicator_detail(data: ReportData, scope: Scope) -> list[dict]:
    """Every scored indicator of every unit on the scorecard, at the level it is ranked on."""
    if data.indicator_scores is None:
        return []
    levels = _levels(data)
    wanted = {(u, score_level(levels.get(u))) for u in scope.units}
    if scope.is_city:
        wanted.add((scope.code, "city"))
    s = data.indicator_scores
    keep = [(u, lvl) in wanted for u, lvl in zip(s["org_unit_code"], s["org_level"])]
    names = _names(data)
    rows = s[keep].to_dict("records")
    order = {u: i for i, u in enumerate([scope.code, *scope.units])}
    rows.sort(key=lambda r: (order.get(r["org_unit_code"], 10**6), r["org_level"] != "city", r["group_code"], r["indicator_code"]))
    for r in rows:
        r["unit"] = f"{names.get(r['org_unit_code'], r['org_unit_code'])} ({r['org_unit_code']})"
    return rows


# --------------------------------------------------------------------------- targets


def _unit_word(unit: str | None) -> str:
    return {"%": "điểm %", None: "", "": ""}.get(unit, unit)


def _val(x, unit: str | None) -> str:
    return fmt_pct_vi(x) if unit == "%" else fmt_dec_vi(x)


def target_condition(t: dict) -> str:
    unit = t.get("indicator_unit")
    cmp, value = t["comparator"], t["target_value"]
    if cmp in (">=", ">", "<=", "<", "="):
        sym = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "="}[cmp]
        return f"{sym} {_val(value, unit)}"
    if cmp == "increase_pp":
        return f"tăng ≥ {fmt_dec_vi(value)} điểm % so với năm trước"
    if cmp == "increase_rel":
        return f"tăng ≥ {fmt_dec_vi(value)} % so với năm trước"
    second = t.get("second_value")
    who = f"đơn vị nhóm {t['unit_category']}" if t.get("unit_category") else "đơn vị"
    return f"≥ {fmt_pct_vi(value)} số {who} đạt ≥ {_val(second, unit)}"


def target_group_vi(spec: str | None) -> str:
    if not spec:
        return ""
    exclude = spec.startswith("!")
    names = ", ".join(TARGET_GROUPS_VI.get(g.strip(), g.strip()) for g in spec.lstrip("!").split(","))
    return f"{'trừ' if exclude else 'chỉ'} nhóm TTHC: {names}"


def target_status(met) -> str:
    if met is None or (isinstance(met, float) and math.isnan(met)) or met is pd.NA:
        return "Chưa đủ số liệu"
    return "Đạt" if bool(met) else "Chưa đạt"


def target_actual(t: dict) -> str:
    a, unit = t.get("actual_value"), t.get("indicator_unit")
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return "—"
    if t["comparator"] == "increase_pp":
        return f"{'tăng' if a >= 0 else 'giảm'} {fmt_dec_vi(abs(a))} điểm %"
    if t["comparator"] == "increase_rel":
        return f"{'tăng' if a >= 0 else 'giảm'} {fmt_dec_vi(abs(a))} %"
    if t["comparator"] == "share_of_units":
        return f"{fmt_pct_vi(a)} ({fmt_dec_vi(t['numerator'], 0)}/{fmt_dec_vi(t['denominator'], 0)} đơn vị)"
    return _val(a, unit)


def target_gap(t: dict) -> str:
    """How far from the target, in the comparator's own terms: points or percentage points short
    (or over a ceiling), units short of the share."""
    cmp, target, a = t["comparator"], t["target_value"], t.get("actual_value")
    unit = _unit_word(t.get("indicator_unit"))
    status = target_status(t.get("met"))
    if status == "Chưa đủ số liệu":
        if cmp in ("increase_pp", "increase_rel") and (t.get("previous_value") is None or pd.isna(t.get("previous_value"))):
            return "Chưa có số liệu năm trước để so sánh"
        return "Chưa có số liệu để đánh giá"
    met = status == "Đạt"
    if cmp in (">=", ">"):
        d = target - a
        if met:
            return f"Vượt {fmt_dec_vi(-d)} {unit}".strip()
        return (f"Còn thiếu {fmt_dec_vi(d)} {unit}".strip() if d > 0 else f"Bằng mức chỉ tiêu, cần cao hơn {_val(target, t.get('indicator_unit'))}")
    if cmp in ("<=", "<"):
        d = a - target
        if met:
            return f"Thấp hơn mức tối đa {fmt_dec_vi(-d)} {unit}".strip()
        return (f"Vượt mức tối đa {fmt_dec_vi(d)} {unit}".strip() if d > 0 else f"Bằng mức tối đa, cần thấp hơn {_val(target, t.get('indicator_unit'))}")
    if cmp == "=":
        return "Đúng mức chỉ tiêu" if met else f"Chênh lệch {fmt_dec_vi(a - target)} {unit}".strip()
    if cmp in ("increase_pp", "increase_rel"):
        word = "điểm %" if cmp == "increase_pp" else "%"
        return f"Tăng vượt {fmt_dec_vi(a - target)} {word}" if met else f"Còn thiếu {fmt_dec_vi(target - a)} {word} mức tăng"
    # share_of_units: units with a value, units meeting the second threshold
    num, den = t.get("numerator") or 0, t.get("denominator") or 0
    needed = math.ceil(round(target * den / 100.0, 9))
    if met:
        return f"Đạt {fmt_dec_vi(num, 0)}/{fmt_dec_vi(den, 0)} đơn vị (cần {needed})"
    return f"Còn thiếu {max(needed - int(num), 0)} đơn vị đạt ngưỡng (cần {needed}/{fmt_dec_vi(den, 0)})"


def targets(data: ReportData, scope: Scope) -> list[dict]:
    t = data.targets
    if not scope.is_city:
        t = t[t["org_unit_code"].isin(set(scope.units) | {scope.code})]
    names = _names(data)
    out = []
    for rec in t.to_dict("records"):
        rec = {k: (None if not isinstance(v, str) and v is not None and pd.isna(v) else v) for k, v in rec.items()}
        rec["unit"] = f"{names.get(rec['org_unit_code'], rec['org_unit_code'])} ({rec['org_unit_code']})"
        rec["condition"] = target_condition(rec)
        rec["group_vi"] = target_group_vi(rec.get("target_group"))
        rec["status"] = target_status(rec.get("met"))
        rec["actual"] = target_actual(rec)
        rec["gap"] = target_gap(rec)
        out.append(rec)
    return out


# --------------------------------------------------------------------------- trend


TREND_SERIES = (("ON_TIME_REPORT", "Tỷ lệ giải quyết đúng hạn"), ("ONLINE_SHARE_ELIGIBLE", "Tỷ lệ hồ sơ trực tuyến"),
                ("SATISFACTION_RATE", "Tỷ lệ hài lòng"), ("SERVICE_INDEX_RATIO", "Tỷ lệ điểm Bộ chỉ số phục vụ"))


@dataclass
class TrendRow:
    month: object
    received: int | None
    values: dict = field(default_factory=dict)   # series code -> percent or None


def _trend_rows(data: ReportData) -> dict[tuple, list[TrendRow]]:
    """Every (unit, level)'s months, from one pass over the trend rows."""
    rows: dict[tuple, dict] = {}
    t = data.trend.sort_values("month", kind="stable")
    for unit, level, month, code, numerator, value in zip(t["org_unit_code"], t["org_level"], t["month"], t["indicator_code"],
                                                          t["numerator"], t["value"]):
        by = rows.setdefault((unit, level), {}).setdefault(month, {})
        by[code] = (numerator, value)
    out = {}
    for key, months in rows.items():
        out[key] = []
        for month, by in months.items():
            rec = by.get("RPT_RECEIVED")
            values = {code: (None if code not in by or pd.isna(by[code][1]) else float(by[code][1])) for code, _ in TREND_SERIES}
            out[key].append(TrendRow(month=month, received=None if rec is None else int(rec[0]), values=values))
    return out


def trend(data: ReportData, scope: Scope) -> list[TrendRow]:
    if "trend_rows" not in data.memo:  # built once for every scope
        data.memo["trend_rows"] = _trend_rows(data)
        data.memo["departments"] = set(data.rollup["department_code"].dropna())
    level = "city" if scope.is_city else ("department" if scope.code in data.memo["departments"] else "unit")
    return data.memo["trend_rows"].get((scope.code, level), [])
