"""Publishing a month to PostgreSQL: asset ``publish/postgres`` (cchc_etl.publish does the work).

Wiring (cchc_etl/definitions.py): add ``*publish_assets`` to the assets and
``"postgres_publish": PostgresPublishResource()`` to the resources: the URL is read from
``CCHC_PUBLISH_URL`` when the step runs. With no URL the asset materializes with metadata
``status: skipped: no CCHC_PUBLISH_URL`` and touches nothing.

Secrets: a resource's config values are stored in Dagster's job snapshot, so a URL given as
config may carry no password (refused); passwords come through CCHC_PUBLISH_URL, PGPASSWORD or
``~/.pgpass``. The metadata and the failure texts of the step are redacted
(:mod:`cchc_etl.redaction`).
"""

import time

from dagster import (
    AssetExecutionContext,
    AssetKey,
    ConfigurableResource,
    DagsterEventType,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)
from pydantic import ConfigDict, field_validator

from cchc_etl import settings
from cchc_etl.contract import event_sources, reference_sources
from cchc_etl.defs.month_gate import require_month_validated
from cchc_etl.defs.partitions import WAREHOUSE_POOL, monthly_partitions
from cchc_etl.defs.resources import WarehouseResource

PUBLISH_KEY = AssetKey(["publish", "postgres"])
SKIPPED = "skipped: no CCHC_PUBLISH_URL"


class PostgresPublishResource(ConfigurableResource):
    """PostgreSQL target of the publish (postgresql+psycopg://user@host:5432/db). Empty: read
    CCHC_PUBLISH_URL at run time; still empty: the publish is skipped."""

    # a refused URL is not echoed in the validation error
    model_config = ConfigDict(**{**ConfigurableResource.model_config, "hide_input_in_errors": True})

    url: str = ""

    @field_validator("url")
    @classmethod
    def _no_secret_in_config(cls, value: str) -> str:
        from cchc_etl.redaction import redact_url

        if value and redact_url(value) != value:
            raise ValueError("mật khẩu không được đặt trong cấu hình Dagster (được lưu lại) / no password in the resource "
                             f"config, which Dagster stores: {redact_url(value)}; pass it in CCHC_PUBLISH_URL, PGPASSWORD or ~/.pgpass")
        return value

    def resolved_url(self) -> str:
        return self.url or settings.publish_url()


# everything published for a month: the marts, the dossier fact, and the quality tables, whose
# rows are written by every source's loader (and by the reference loaders, month NULL)
PUBLISH_DEPS = [
    AssetKey(["marts", "period_report"]),
    AssetKey(["marts", "indicator_values"]),
    AssetKey(["core", "fct_dossier_month_end"]),
    *[AssetKey(["quality", f"{source}_{kind}"]) for source in event_sources() for kind in ("file_log", "quarantine")],
    *[AssetKey(["staging", f"stg_{source}"]) for source in reference_sources()],
]


def _failed_checks(context: AssetExecutionContext) -> list[str]:
    """ERROR-severity checks that failed earlier in this run (the month is not published then)."""
    from dagster import AssetCheckSeverity

    failed = []
    for record in context.instance.all_logs(context.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = record.dagster_event.event_specific_data
        if not evaluation.passed and evaluation.severity == AssetCheckSeverity.ERROR:
            failed.append(f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}")
    return failed


@asset(key=PUBLISH_KEY, partitions_def=monthly_partitions, pool=WAREHOUSE_POOL, group_name="publish",
       kinds={"postgres"}, deps=PUBLISH_DEPS,
       description="The month's marts (and quality tables, and the dossier fact in schema warehouse) replaced in PostgreSQL "
                   "in one transaction by bulk COPY; bi views for BI tools. Skipped without CCHC_PUBLISH_URL.")
def publish_postgres(context: AssetExecutionContext, warehouse: WarehouseResource,
                     postgres_publish: PostgresPublishResource) -> MaterializeResult:
    url = postgres_publish.resolved_url()
    if not url:
        return MaterializeResult(metadata={"status": MetadataValue.text(SKIPPED)})
    require_month_validated(context)  # failed blocking checks of earlier runs of the month
    from cchc_etl.periods import month_start
    from cchc_etl.publish import publish_month  # psycopg: imported only to publish
    from cchc_etl.redaction import exception_leaks, redact_exception, redact_url
    from cchc_etl.warehouse import duckdb_path

    failed = _failed_checks(context)
    if failed:  # blocking checks already stop the marts; failed ERROR checks stop the publish
        raise Failure(description=f"not published: failed checks: {'; '.join(failed)}")
    month = month_start(context.partition_key[:7])
    warehouse.release()  # publish_month reads through a read-only connection of its own
    started = time.perf_counter()
    timings: dict[str, float] = {}
    try:
        counts = publish_month(duckdb_path(warehouse.url), url, month, timings=timings)
    except Exception as exc:
        if not exception_leaks(exc, known=[url]):
            raise
        # the failure's text, causes and traceback are stored in the event log: only the redacted text goes there
        raise Failure(description=f"not published: {redact_exception(exc, known=[url])}") from None
    return MaterializeResult(metadata={
        "status": MetadataValue.text("published"),
        "target": MetadataValue.text(redact_url(url)),
        "seconds": MetadataValue.float(round(time.perf_counter() - started, 3)),
        "rows": MetadataValue.int(sum(counts.values())),
        "rows_by_table": MetadataValue.json(counts),
        "phase_seconds": MetadataValue.json({k: round(v, 3) for k, v in timings.items()}),
    })


publish_assets = [publish_postgres]

__all__ = ["PUBLISH_KEY", "PostgresPublishResource", "publish_assets", "publish_postgres"]
