"""The Dagster code location (workspace.yaml): assets, checks, jobs and resources."""


import os

from dagster import AssetSelection, Definitions, define_asset_job, in_process_executor

from cchc_etl.defs.checks import gx_checks
from cchc_etl.defs.exports import ExportsResource, export_assets
from cchc_etl.defs.month_gate import use_asset_graph
from cchc_etl.defs.operations import apply_marts_freshness, build_operations
from cchc_etl.defs.partitions import monthly_partitions
from cchc_etl.defs.publish import PostgresPublishResource, publish_assets
from cchc_etl.defs.reference import reference_assets
from cchc_etl.defs.reports import REPORTS_GROUP, ReportsResource, report_assets, reports_job, reports_sensor
from cchc_etl.defs.resources import LandingResource, MethodologyResource, PiiKeyResource, WarehouseResource
from cchc_etl.defs.sources import landing_files, source_loaders
from cchc_etl.defs.warehouse_models import warehouse_assets
from cchc_etl.pii import ALLOW_DEMO_KEY_ENV
from cchc_etl.warehouse import DEFAULT_URL

ASSETS = apply_marts_freshness([*reference_assets, landing_files, *source_loaders, *warehouse_assets, *export_assets,
                                *publish_assets, *report_assets])

monthly_job = define_asset_job(
    "cchc_monthly",
    selection=AssetSelection.all() - AssetSelection.groups(REPORTS_GROUP),
    partitions_def=monthly_partitions,
    description="Landing files of a month -> validated staging -> warehouse -> marts -> exports.",
    # every step is in the one-writer DuckDB pool anyway: one process per run, no per-step start-up
    executor_def=in_process_executor,
)
monthly_schedule, landing_sensor = build_operations(monthly_job)


def build_definitions(*, landing: str | None = None, warehouse_url: str | None = None, pii_key: str | None = None,
                      allow_demo_key: bool | None = None, methodology: str | None = None,
                      publish_url: str | None = None, rotate_pii_key: bool = False) -> Definitions:
    if allow_demo_key is None:
        allow_demo_key = os.environ.get(ALLOW_DEMO_KEY_ENV) == "1"
    return Definitions(
        assets=ASSETS,
        asset_checks=gx_checks,
        jobs=[monthly_job, reports_job],
        schedules=[monthly_schedule],
        sensors=[landing_sensor, reports_sensor],
        resources={
            "warehouse": WarehouseResource(url=warehouse_url or os.environ.get("CCHC_WAREHOUSE_URL", DEFAULT_URL)),
            "landing": LandingResource(path=landing or os.environ.get("CCHC_LANDING_DIR", "landing")),
            "pii": PiiKeyResource(key=pii_key or "", allow_demo_key=allow_demo_key, rotate=rotate_pii_key),
            "methodology": MethodologyResource(version=methodology or os.environ.get("CCHC_METHODOLOGY", "vn-2025.1")),
            # the URL itself is read from CCHC_PUBLISH_URL when the step runs (config values are stored)
            "postgres_publish": PostgresPublishResource(url=publish_url or ""),
            "exports": ExportsResource(parquet_root=os.environ.get("CCHC_PARQUET_DIR", ""),
                                       snapshot_path=os.environ.get("CCHC_SNAPSHOT_PATH", "")),
            "reports": ReportsResource(root=os.environ.get("CCHC_REPORTS_DIR", "")),
        },
    )


defs = build_definitions()
use_asset_graph(defs.resolve_asset_graph)
