"""Partitions are defined once: the reporting month, in Vietnam's time zone."""

from dagster import MonthlyPartitionsDefinition

TIMEZONE = "Asia/Ho_Chi_Minh"

monthly_partitions = MonthlyPartitionsDefinition(start_date="2020-01-01", timezone=TIMEZONE, end_offset=0)

# every DuckDB writer runs in this pool: one writer per warehouse file (set its limit to 1)
WAREHOUSE_POOL = "cchc_duckdb_warehouse"
