"""The scoring engine: indicator values, scores, ranks, bands, target attainment and the PAR Index
for one period, from the fact SQL in ``sql/facts`` and a methodology version (data, not code).

- ``prepare``: the period's roll-up and fact relations;
- ``values``: the indicator values (the only SQL generated from the methodology: its formulas'
  aggregates) over ``sql/intermediate/int_indicator_values.sql``;
- ``scores``, ``targets``, ``par``: what the marts of those sections read besides the values;
- ``marts``: the marts score_month builds, discovered from ``assets/tables`` and ``sql/marts``;
- ``period``: the driver (score_month, score_range, score_periods, score_period);
- ``reference``: core.dim_indicator and the reference rows scoring cannot use.
"""

from cchc_etl.scoring.marts import ScoredMart, scored_marts
from cchc_etl.scoring.period import PeriodResult, score_month, score_period, score_periods, score_range
from cchc_etl.scoring.prepare import fact_params, fact_select, last_loaded_month, periods_for_month
from cchc_etl.scoring.prepare import prepare_period as _prepare_period
from cchc_etl.scoring.reference import build_dim_indicator, unusable_reference_rows
from cchc_etl.scoring.values import counts_sql
from cchc_etl.sql_text import sql_file

__all__ = [
    "PeriodResult", "ScoredMart", "_prepare_period", "build_dim_indicator", "counts_sql", "fact_params", "fact_select",
    "last_loaded_month", "periods_for_month", "score_month", "score_period", "score_periods", "score_range", "scored_marts",
    "sql_file", "unusable_reference_rows",
]
