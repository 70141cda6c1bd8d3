"""The Dagster code location (``workspace.yaml``, ``dg dev``): the assets, checks, jobs, schedules
and sensors of the ``cchc_etl/defs/`` folder, with the resources built from the settings (or from
the command line's arguments)."""

import warnings
from functools import cache
from pathlib import Path

from dagster import ComponentTree, Definitions, PreviewWarning, load_from_defs_folder

import cchc_etl.defs
from cchc_etl import settings
from cchc_etl.defs.exports import ExportsResource
from cchc_etl.defs.jobs import monthly_job
from cchc_etl.defs.month_gate import use_asset_graph
from cchc_etl.defs.publish import PostgresPublishResource
from cchc_etl.defs.reports import ReportsResource
from cchc_etl.defs.resources import LandingResource, MethodologyResource, PiiKeyResource, WarehouseResource

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def load_defs_folder(project_root: Path = PROJECT_ROOT) -> Definitions:
    """Everything ``cchc_etl/defs/`` defines, without resources."""
    if (project_root / "pyproject.toml").is_file():  # the dg project ([tool.dg] names the defs module)
        return load_from_defs_folder(path_within_project=project_root)
    # an installed wheel carries no pyproject.toml: the same folder, found from the package
    with warnings.catch_warnings():
        # the loader calls its own preview load_definitions_from_module per file; load_from_defs_folder
        # silences the same warning
        warnings.simplefilter("ignore", PreviewWarning)
        return ComponentTree.from_module(defs_module=cchc_etl.defs, project_root=project_root).build_defs()


folder_definitions = cache(load_defs_folder)


def build_definitions(*, landing: str | None = None, warehouse_url: str | None = None, pii_key: str | None = None,
                      allow_demo_key: bool | None = None, methodology: str | None = None,
                      publish_url: str | None = None, rotate_pii_key: bool = False) -> Definitions:
    if allow_demo_key is None:
        allow_demo_key = settings.allow_demo_key()
    return Definitions.merge(folder_definitions(), Definitions(resources={
        "warehouse": WarehouseResource(url=warehouse_url or settings.warehouse_url()),
        "landing": LandingResource(path=landing or settings.landing_dir()),
        "pii": PiiKeyResource(key=pii_key or "", allow_demo_key=allow_demo_key, rotate=rotate_pii_key),
        "methodology": MethodologyResource(version=methodology or settings.methodology()),
        # the URL itself is read from CCHC_PUBLISH_URL when the step runs (config values are stored)
        "postgres_publish": PostgresPublishResource(url=publish_url or ""),
        "exports": ExportsResource(parquet_root=settings.parquet_dir(), snapshot_path=settings.snapshot_path()),
        "reports": ReportsResource(root=settings.reports_dir() or ""),
    }))


defs = build_definitions()
use_asset_graph(defs.resolve_asset_graph)
ASSETS = list(defs.assets)

__all__ = ["ASSETS", "build_definitions", "defs", "folder_definitions", "load_defs_folder", "monthly_job"]
