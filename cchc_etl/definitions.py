"""The Dagster code location (workspace.yaml): assets, checks, jobs and resources."""


import os

from dagster import AssetSelection, Definitions, define_asset_job

from cchc_etl.defs.checks import gx_checks
from cchc_etl.defs.partitions import monthly_partitions
from cchc_etl.defs.reference import reference_assets
from cchc_etl.defs.resources import LandingResource, MethodologyResource, PiiKeyResource, WarehouseResource
from cchc_etl.defs.sources import landing_files, source_loaders
from cchc_etl.defs.warehouse_models import warehouse_assets
from cchc_etl.warehouse import DEFAULT_URL

ASSETS = [*reference_assets, landing_files, *source_loaders, *warehouse_assets]

monthly_job = define_asset_job(
    "cchc_monthly",
    selection=AssetSelection.all(),
    partitions_def=monthly_partitions,
    description="Landing files of a month -> validated staging -> warehouse -> marts.",
)


def build_definitions(*, landing: str | None = None, warehouse_url: str | None = None, pii_key: str | None = None,
                      allow_demo_key: bool = False, methodology: str | None = None) -> Definitions:
    return Definitions(
        assets=ASSETS,
        asset_checks=gx_checks,
        jobs=[monthly_job],
        resources={
            "warehouse": WarehouseResource(url=warehouse_url or os.environ.get("CCHC_WAREHOUSE_URL", DEFAULT_URL)),
            "landing": LandingResource(path=landing or os.environ.get("CCHC_LANDING_DIR", "landing")),
            "pii": PiiKeyResource(key=pii_key or "", allow_demo_key=allow_demo_key),
            "methodology": MethodologyResource(version=methodology or os.environ.get("CCHC_METHODOLOGY", "vn-2025.1")),
        },
    )


defs = build_definitions()
