"""Versioned scoring methodology loaded from ``assets/methodology/<version>.yaml``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

import yaml

from cchc_etl.paths import ASSETS_DIR

DEFAULT_VERSION = "vn-2025.1"


@dataclass(frozen=True)
class RateIndicator:
    code: str
    name_vi: str
    name_en: str
    unit: str
    higher_is_better: bool
    numerator: str
    denominator: str


@dataclass(frozen=True)
class Methodology:
    version: str
    dossier_indicators: tuple[RateIndicator, ...]


def current_version() -> str:
    return os.environ.get("CCHC_METHODOLOGY", DEFAULT_VERSION)


@cache
def load_methodology(version: str = DEFAULT_VERSION) -> Methodology:
    path = ASSETS_DIR / "methodology" / f"{version}.yaml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in path.parent.glob("*.yaml")))
        raise KeyError(f"unknown methodology version {version!r} (known: {known})")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    indicators = tuple(RateIndicator(**item) for item in raw.get("dossier_indicators", []))
    return Methodology(version=raw["version"], dossier_indicators=indicators)


def indicator_values_sql(method: Methodology) -> str:
    """marts.indicator_values for one month: per-unit counts, rolled up by summing num and den."""
    per_indicator = "\n    UNION ALL\n    ".join(
        f"SELECT unit_code, '{i.code}' AS indicator_code, "
        f"count(*) FILTER (WHERE ({i.denominator}) AND ({i.numerator})) AS numerator, "
        f"count(*) FILTER (WHERE {i.denominator}) AS denominator "
        f"FROM core.fct_dossier_month_end WHERE period_start = $period_start GROUP BY unit_code"
        for i in method.dossier_indicators
    )
    codes = ", ".join(f"('{i.code}')" for i in method.dossier_indicators)
    return f"""
WITH per_unit AS (
    {per_indicator}
),
indicators(indicator_code) AS (VALUES {codes}),
grid AS (
    SELECT r.*, i.indicator_code FROM core.org_rollup r CROSS JOIN indicators i
    WHERE r.period_start = $period_start
),
summed AS (
    SELECT g.period_start, g.rollup_code, g.rollup_level, g.indicator_code,
           coalesce(sum(p.numerator), 0) AS numerator, coalesce(sum(p.denominator), 0) AS denominator
    FROM grid g
    LEFT JOIN per_unit p ON p.unit_code = g.member_code AND p.indicator_code = g.indicator_code
    GROUP BY ALL
)
SELECT 'month' AS period_type, period_start, rollup_code AS org_unit_code, rollup_level AS org_level,
       indicator_code, CAST(numerator AS DOUBLE) AS numerator, CAST(denominator AS DOUBLE) AS denominator,
       CASE WHEN denominator > 0 THEN 100.0 * numerator / denominator END AS value,
       '{method.version}' AS methodology_version
FROM summed
"""
