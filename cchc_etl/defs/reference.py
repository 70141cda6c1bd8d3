"""Reference data (landing/reference/): whole files replacing whole staging tables."""


from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from cchc_etl.defs.partitions import WAREHOUSE_POOL
from cchc_etl.defs.resources import LandingResource, PiiKeyResource, WarehouseResource
from cchc_etl.defs.reporting import load_metadata
from cchc_etl.contract import load_source, reference_sources
from cchc_etl.ingest import Loader


class ReferenceMissing(Exception):
    pass


def reference_asset(source: str, required: bool):
    @asset(
        key=AssetKey(["staging", f"stg_{source}"]),
        group_name="reference",
        pool=WAREHOUSE_POOL,
        kinds={"duckdb"},
        description=f"Reference `{source}` from landing/reference/{source}*.(csv|xlsx|xls|parquet), validity-versioned.",
    )
    def _asset(context: AssetExecutionContext, warehouse: WarehouseResource, landing: LandingResource, pii: PiiKeyResource) -> MaterializeResult:
        with warehouse.connect() as con:
            result = Loader(con, landing.root, pii.resolve(), rotate_key=pii.rotate).load_reference(source)
            staged = con.execute(f"SELECT count(*) FROM staging.stg_{source}").fetchone()[0]
        if required and not result.files:
            raise ReferenceMissing(
                f"{landing.root / 'reference'}: no {source} file (expected {source}.csv/.xlsx/.xls/.parquet or {source}__*.ext)"
            )
        if required and staged == 0:
            raise ReferenceMissing(f"{source}: no usable rows ({'; '.join(f.error or f.relative for f in result.files)})")
        meta = load_metadata(result)
        meta["staged_rows"] = MetadataValue.int(staged)
        return MaterializeResult(metadata=meta)

    return _asset


reference_assets = [reference_asset(s, required=load_source(s).required_file) for s in reference_sources()]
