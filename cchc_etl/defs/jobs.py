"""The monthly job, with the schedule and the landing sensor that start it (``defs/operations.py``)."""

from dagster import AssetSelection, Definitions, define_asset_job, in_process_executor

from cchc_etl.defs.operations import build_operations
from cchc_etl.defs.reports import REPORTS_GROUP

monthly_job = define_asset_job(
    "cchc_monthly",
    selection=AssetSelection.all() - AssetSelection.groups(REPORTS_GROUP),
    description="Landing files of a month -> validated staging -> warehouse -> marts -> exports.",
    # every step is in the one-writer DuckDB pool anyway: one process per run, no per-step start-up
    executor_def=in_process_executor,
)
monthly_schedule, landing_sensor = build_operations(monthly_job)

defs = Definitions(jobs=[monthly_job], schedules=[monthly_schedule], sensors=[landing_sensor])
