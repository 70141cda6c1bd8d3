"""Versioned scoring methodology loaded from ``assets/methodology/<version>.yaml``.

A version file may start with ``extends: <other version>`` and override only what changes:
indicators are merged by code (fields replaced one by one), the other sections are replaced
whole. Extra version files can live in the directory named by ``CCHC_METHODOLOGY_DIR``.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from cchc_etl import settings
from cchc_etl.contract import read_yaml
from cchc_etl.paths import ASSETS_DIR
from cchc_etl.suggest import UnknownCode

DEFAULT_VERSION = settings.METHODOLOGY.default
FACTS = ("dossier", "survey", "feedback", "document", "email", "procedure", "self_assessment", "derived")
KINDS = ("rate", "count", "self_assessed", "derived")
LEVELS = ("unit", "department", "city")
COMPARATORS = (">=", ">", "<=", "<", "=", "increase_pp", "increase_rel", "share_of_units")


# Fact columns that are NULL when the export a row came from does not carry the input (a column
# the file lacks; a blank in a carried column is a value), or, for the procedure fact, when no
# dossier behind the flag carries it.
UNCARRIED_INPUTS = {
    "dossier": ("apology_sent", "fee_required", "paid_online", "digitized_input", "digitized_result", "e_result",
                "synced_national_portal", "data_reused", "citizen_store_linked", "population_data_used",
                "online_service_level", "online_level_effective", "full_online_eligible_effective",
                "result_required_effective"),
    "procedure": ("online_offered", "fee_required", "has_fee_dossier", "has_paid_online_dossier", "has_population_data_dossier"),
    "document": ("digitally_signed", "processed_online", "via_interconnect"),
    "feedback": ("published", "dissatisfied", "follow_up_complaint"),
}


class MethodologyError(ValueError):
    pass


@dataclass(frozen=True)
class Indicator:
    code: str
    name_vi: str
    name_en: str
    fact: str
    section: str = ""
    kind: str = "rate"
    numerator: str = ""
    denominator: str = ""
    unit: str = "%"
    higher_is_better: bool = True
    group: str | None = None
    points: float | None = None
    threshold: float | None = None
    levels: tuple[str, ...] = LEVELS
    value_is: str = "percent"       # self_assessed: "points" (score = value, capped) or "percent"
    formula: str = ""                # derived: the rule's name
    known: str = ""                  # rate: SQL condition that a row's inputs are known (default: from UNCARRIED_INPUTS)

    def known_condition(self) -> str:
        """When a row of a rate indicator counts at all (methodology §3 "Data not carried"): every
        input an export may not carry that the numerator or denominator reads is known (not NULL).
        A row failing it is left out of both; ``known`` in the version file overrides the default."""
        if self.known:
            return self.known
        text = f"{self.numerator} {self.denominator}"
        used = [c for c in UNCARRIED_INPUTS.get(self.fact, ()) if re.search(rf"\b{c}\b", text)]
        return " AND ".join(f"{c} IS NOT NULL" for c in used) or "TRUE"

    @property
    def scored(self) -> bool:
        return self.group is not None

    def formula_text(self) -> str:
        if self.kind == "count":
            return f"count({self.numerator})"
        if self.kind == "self_assessed":
            return f"self_assessment value ({self.value_is})"
        if self.kind == "derived":
            return self.formula
        return f"100 * count(({self.denominator}) AND ({self.numerator})) / count({self.denominator})"


@dataclass(frozen=True)
class Group:
    code: str
    name_vi: str
    name_en: str
    max: float


@dataclass(frozen=True)
class Band:
    code: str
    label_vi: str
    label_en: str
    min: float | None


@dataclass(frozen=True)
class ParArea:
    code: str
    name_vi: str
    name_en: str
    max: float


@dataclass(frozen=True)
class Methodology:
    version: str
    label_vi: str
    indicators: tuple[Indicator, ...]
    groups: tuple[Group, ...] = ()
    bands: tuple[Band, ...] = ()
    par_areas: tuple[ParArea, ...] = ()
    parameters: dict = field(default_factory=dict, hash=False, compare=False)
    default_targets: tuple[dict, ...] = field(default=(), hash=False, compare=False)

    def indicator(self, code: str) -> Indicator:
        for i in self.indicators:
            if i.code == code:
                return i
        raise UnknownCode("mã chỉ số chưa biết / unknown indicator", code, [i.code for i in self.indicators],
                          context=f"(methodology {self.version})")

    def by_fact(self, fact: str) -> list[Indicator]:
        return [i for i in self.indicators if i.fact == fact and i.kind in ("rate", "count")]


def current_version() -> str:
    return settings.methodology()


def methodology_dirs() -> list[Path]:
    extra = settings.methodology_dir()
    return ([Path(extra)] if extra else []) + [ASSETS_DIR / "methodology"]


def known_versions() -> list[str]:
    return sorted({p.stem for d in methodology_dirs() if d.is_dir() for p in d.glob("*.yaml")})


def _raw(version: str, seen: tuple[str, ...] = ()) -> dict:
    if version in seen:
        raise MethodologyError(f"methodology {version!r} extends itself ({' -> '.join(seen + (version,))})")
    for d in methodology_dirs():
        path = d / f"{version}.yaml"
        if path.exists():
            break
    else:
        raise UnknownCode("phương pháp chưa biết / unknown methodology version", version, known_versions())
    raw = read_yaml(path) or {}
    if raw.get("version") != version:
        raise MethodologyError(f"{path}: version {raw.get('version')!r} does not match the file name {version!r}")
    base_name = raw.pop("extends", None)
    if not base_name:
        return raw
    base = copy.deepcopy(_raw(base_name, seen + (version,)))
    overrides = {i["code"]: i for i in raw.pop("indicators", [])}
    merged = []
    for item in base.get("indicators", []):
        merged.append({**item, **overrides.pop(item["code"], {})})
    merged.extend(overrides.values())
    base["indicators"] = merged
    base["parameters"] = {**base.get("parameters", {}), **raw.pop("parameters", {})}
    base.update(raw)
    return base


@cache
def load_methodology(version: str = DEFAULT_VERSION) -> Methodology:
    raw = _raw(version)
    params = raw.get("parameters", {}) or {}
    indicators = []
    for item in raw.get("indicators", []):
        item = dict(item)
        if "levels" in item:
            item["levels"] = tuple(item["levels"])
        for key in ("numerator", "denominator"):
            if key in item:
                item[key] = str(item[key]).format(**params)
        try:
            indicators.append(Indicator(**item))
        except TypeError as exc:
            raise MethodologyError(f"methodology {version}: indicator {item.get('code')!r}: {exc}") from None
    method = Methodology(
        version=raw["version"],
        label_vi=raw.get("label_vi", ""),
        indicators=tuple(indicators),
        groups=tuple(Group(**g) for g in raw.get("groups", [])),
        bands=tuple(Band(**b) for b in raw.get("bands", [])),
        par_areas=tuple(ParArea(**a) for a in (raw.get("par_index") or {}).get("areas", [])),
        parameters=params,
        default_targets=tuple(raw.get("default_targets", [])),
    )
    _validate(method)
    return method


def _validate(m: Methodology) -> None:
    problems = []
    codes = [i.code for i in m.indicators]
    if len(codes) != len(set(codes)):
        problems.append("duplicate indicator codes")
    groups = {g.code: g for g in m.groups}
    for i in m.indicators:
        if i.fact not in FACTS:
            problems.append(f"{i.code}: unknown fact {i.fact!r}")
        if i.kind not in KINDS:
            problems.append(f"{i.code}: unknown kind {i.kind!r}")
        if i.kind in ("rate", "count") and not i.numerator:
            problems.append(f"{i.code}: no numerator")
        if i.kind == "rate" and not i.denominator:
            problems.append(f"{i.code}: no denominator")
        if set(i.levels) - set(LEVELS):
            problems.append(f"{i.code}: unknown levels {sorted(set(i.levels) - set(LEVELS))}")
        if i.group is not None and i.group not in groups:
            problems.append(f"{i.code}: unknown group {i.group!r}")
        if i.group is not None and i.points is None:
            problems.append(f"{i.code}: scored in {i.group} without points")
        if i.threshold is not None and i.threshold <= 0:
            problems.append(f"{i.code}: threshold must be > 0")
    for g in m.groups:
        total = sum(i.points or 0 for i in m.indicators if i.group == g.code)
        if abs(total - g.max) > 1e-9:
            problems.append(f"group {g.code}: max {g.max} but its indicators' points sum to {total}")
    mins = [b.min for b in m.bands]
    if mins and (mins[-1] is not None or any(x is None for x in mins[:-1]) or mins[:-1] != sorted(mins[:-1], reverse=True)):
        problems.append("bands must be ordered by decreasing min, the last one with min: null")
    for t in m.default_targets:
        if t.get("comparator") not in COMPARATORS:
            problems.append(f"default target {t}: unknown comparator")
    if problems:
        raise MethodologyError(f"methodology {m.version}: " + "; ".join(problems))
