"""Warehouse and mart assets for the month, built by the SQL in ``sql/``."""


from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from cchc_etl import build
from cchc_etl.defs.partitions import WAREHOUSE_POOL, monthly_partitions
from cchc_etl.defs.resources import MethodologyResource, WarehouseResource
from cchc_etl.ingest import month_start

STG_DOSSIERS = AssetKey(["staging", "stg_dossiers"])


def _month(context):
    return month_start(context.partition_key[:7])


@asset(key=["core", "org_rollup"], partitions_def=monthly_partitions, pool=WAREHOUSE_POOL, group_name="core",
       kinds={"duckdb"}, deps=[AssetKey(["staging", "stg_org_units"])],
       description="Org structure in force in the month (as was): member unit -> unit, department and city it counts for.")
def org_rollup(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    with warehouse.connect() as con:
        n = build.build_org_rollup(con, _month(context))
        unattributed = con.execute(
            "SELECT count(DISTINCT unit_code) FROM staging.stg_dossiers d WHERE month = ? AND NOT EXISTS "
            "(SELECT 1 FROM core.org_rollup r WHERE r.period_start = ? AND r.member_code = d.unit_code)",
            [_month(context), _month(context)],
        ).fetchone()[0]
    return MaterializeResult(metadata={"rows": MetadataValue.int(n), "unattributed_unit_codes": MetadataValue.int(unattributed)})


@asset(key=["core", "fct_dossier_month_end"], partitions_def=monthly_partitions, pool=WAREHOUSE_POOL, group_name="core",
       kinds={"duckdb"}, deps=[STG_DOSSIERS, AssetKey(["staging", "stg_procedures"])],
       description="Month-end state of every dossier relevant to the month (latest row among exports up to the month) with §2 flags.")
def fct_dossier_month_end(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    with warehouse.connect() as con:
        n = build.build_dossier_month_end(con, _month(context))
    return MaterializeResult(metadata={"rows": MetadataValue.int(n)})


@asset(key=["marts", "period_report"], partitions_def=monthly_partitions, pool=WAREHOUSE_POOL, group_name="marts",
       kinds={"duckdb"}, deps=[AssetKey(["core", "fct_dossier_month_end"]), AssetKey(["core", "org_rollup"])],
       description="Provincial period report (methodology §2) per unit, department and city.")
def period_report(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    with warehouse.connect() as con:
        n = build.build_period_report(con, _month(context))
        city = con.execute(
            "SELECT sum(rpt_received), sum(rpt_resolved_early + rpt_resolved_on_time + rpt_resolved_late) FROM marts.period_report "
            "WHERE period_start = ? AND org_level = 'city'", [_month(context)],
        ).fetchone()
    return MaterializeResult(metadata={"rows": MetadataValue.int(n), "city_received": MetadataValue.int(int(city[0] or 0)),
                                       "city_resolved": MetadataValue.int(int(city[1] or 0))})


@asset(key=["marts", "indicator_values"], partitions_def=monthly_partitions, pool=WAREHOUSE_POOL, group_name="marts",
       kinds={"duckdb"}, deps=[AssetKey(["core", "fct_dossier_month_end"]), AssetKey(["core", "org_rollup"])],
       description="Indicator numerators, denominators and values (percent; NULL when the denominator is 0) per unit, department and city.")
def indicator_values(context: AssetExecutionContext, warehouse: WarehouseResource, methodology: MethodologyResource) -> MaterializeResult:
    with warehouse.connect() as con:
        n = build.build_indicator_values(con, _month(context), methodology.version)
    return MaterializeResult(metadata={"rows": MetadataValue.int(n), "methodology_version": MetadataValue.text(methodology.version)})


warehouse_assets = [org_rollup, fct_dossier_month_end, period_report, indicator_values]
