"""Partitions are defined once: the reporting month, in Vietnam's time zone."""

from dagster import AssetDep, AssetKey, MonthlyPartitionsDefinition, TimeWindowPartitionMapping

TIMEZONE = "Asia/Ho_Chi_Minh"

monthly_partitions = MonthlyPartitionsDefinition(start_date="2020-01-01", timezone=TIMEZONE, end_offset=0)

# every DuckDB writer runs in this pool: one writer per warehouse file (set its limit to 1)
WAREHOUSE_POOL = "cchc_duckdb_warehouse"


def on_previous_month(key: AssetKey) -> AssetDep:
    """A dependency on the month before of ``key`` (for ``key`` itself: a self-dependency). A
    backfill then builds the months in order and does not build a month whose previous month
    was not built; the first partition has no previous month and depends on nothing."""
    return AssetDep(key, partition_mapping=TimeWindowPartitionMapping(start_offset=-1, end_offset=-1))
