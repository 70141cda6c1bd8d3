"""Exports for analysts: monthly Parquet files of the marts and a read-only warehouse snapshot."""

from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    ConfigurableResource,
    MaterializeResult,
    MetadataValue,
    asset,
)

from cchc_etl import warehouse as wh
from cchc_etl.defs.check_specs import check_spec
from cchc_etl.defs.month_gate import require_month_validated
from cchc_etl.defs.partitions import WAREHOUSE_POOL, monthly_partitions
from cchc_etl.defs.resources import WarehouseResource
from cchc_etl.exports import MARTS, PART_FILE, export_month_parquet, month_partitions, publish_snapshot
from cchc_etl.periods import month_start
from cchc_etl.readers.literal import literal

MART_KEYS = [AssetKey(["marts", table]) for table in MARTS]
PARQUET = AssetKey(["exports", "parquet"])
SNAPSHOT = AssetKey(["exports", "snapshot"])


class ExportsResource(ConfigurableResource):
    """Where the analysts' copies go. Empty means: next to the warehouse file, i.e. for the default
    warehouse ``data/warehouse.duckdb`` -> ``data/parquet`` and ``data/warehouse_snapshot.duckdb``."""

    parquet_root: str = ""
    snapshot_path: str = ""

    def parquet_dir(self, warehouse_file: Path) -> Path:
        return Path(self.parquet_root) if self.parquet_root else warehouse_file.parent / "parquet"

    def snapshot_file(self, warehouse_file: Path) -> Path:
        if self.snapshot_path:
            return Path(self.snapshot_path)
        return warehouse_file.with_name(f"{warehouse_file.stem}_snapshot{warehouse_file.suffix or '.duckdb'}")


def clean_leftovers(warehouse_url: str, exports: ExportsResource) -> list[Path]:
    """Remove the partial exports, scratch directories and DuckDB spill files of killed runs
    (``cchc_etl.leftovers``)."""
    from cchc_etl import leftovers
    from cchc_etl.locks import connect_duckdb
    from cchc_etl.memory import spill_dir

    source = wh.duckdb_path(warehouse_url)
    if not (source.is_file() and spill_dir(source).is_dir()):
        return leftovers.clean(parquet_root=exports.parquet_dir(source), snapshot=exports.snapshot_file(source))
    con = connect_duckdb(source)  # read-write: no other process has the file, so no other spills there
    try:
        return leftovers.clean(parquet_root=exports.parquet_dir(source), snapshot=exports.snapshot_file(source),
                               warehouse=(source, con))
    finally:
        con.close()


@asset(
    key=PARQUET,
    partitions_def=monthly_partitions,
    pool=WAREHOUSE_POOL,  # reads the warehouse: never while another process writes it
    group_name="exports",
    kinds={"parquet"},
    deps=MART_KEYS,
    description="Every mart of the month as Parquet, Hive-partitioned: <parquet_root>/<mart>/year=YYYY/month=MM/part-0.parquet "
                "(replaced atomically; read with read_parquet('<root>/<mart>/**/*.parquet', hive_partitioning = true)).",
    check_specs=[check_spec("matches_warehouse", PARQUET,
                            vi="Mỗi tệp Parquet xuất ra có đúng số dòng của bảng mart trong tháng",
                            en="Each exported file has as many rows as the mart holds for the month")],
)
def parquet_exports(context: AssetExecutionContext, warehouse: WarehouseResource, exports: ExportsResource):
    require_month_validated(context)
    month = month_start(context.partition_key[:7])
    warehouse.release()  # the export reads through a read-only connection of its own
    source = wh.duckdb_path(warehouse.url)
    root = exports.parquet_dir(source)
    written = export_month_parquet(source, root, month)
    expected: dict[str, int] = {}
    on_disk: dict[str, int] = {}
    files: dict[str, list[str]] = {}
    with wh.connect(source, read_only=True) as con:
        for table, relative, select in month_partitions(month):
            f = root / relative / PART_FILE
            expected[table] = expected.get(table, 0) + con.execute(f"SELECT count(*) FROM ({select})").fetchone()[0]
            with literal(f) as plain:  # the export root may hold glob characters
                on_disk[table] = on_disk.get(table, 0) + con.execute(
                    f"SELECT count(*) FROM read_parquet('{str(plain).replace(chr(39), chr(39) * 2)}')").fetchone()[0]
            files.setdefault(table, []).append(str(f))
    yield MaterializeResult(metadata={
        "rows": MetadataValue.json(written),
        "root": MetadataValue.path(str(root)),
        "files": MetadataValue.json(files),
    })
    mismatched = {t: {"parquet": on_disk[t], "warehouse": expected[t]} for t in MARTS if on_disk[t] != expected[t]}
    yield AssetCheckResult(
        check_name="matches_warehouse", passed=not mismatched, severity=AssetCheckSeverity.ERROR,
        description="; ".join(f"{t}: {v['parquet']} rows in Parquet, {v['warehouse']} in the warehouse" for t, v in mismatched.items()) or None,
        metadata={"parquet_rows": MetadataValue.json(on_disk), "warehouse_rows": MetadataValue.json(expected)},
    )


@asset(
    key=SNAPSHOT,
    pool=WAREHOUSE_POOL,
    group_name="exports",
    kinds={"duckdb"},
    deps=[*MART_KEYS, PARQUET],
    description="Read-only copy of the whole warehouse, published atomically after each successful run: analysts open it "
                "with `duckdb -readonly <snapshot>` while runs write the warehouse file (the snapshot path is a link to the "
                "current version file, <stem>.v<n>.duckdb, mode 0444).",
)
def warehouse_snapshot(context: AssetExecutionContext, warehouse: WarehouseResource, exports: ExportsResource) -> MaterializeResult:
    warehouse.release()  # the database is closed, checkpointed and copied by publish_snapshot
    source = wh.duckdb_path(warehouse.url)
    target = exports.snapshot_file(source)
    counts = publish_snapshot(source, target)
    marts = {k: v for k, v in counts.items() if k.startswith("marts.")}
    return MaterializeResult(metadata={
        "path": MetadataValue.path(str(target)),
        "version_file": MetadataValue.path(str(target.resolve())),
        "tables": MetadataValue.int(len(counts)),
        "mart_rows": MetadataValue.json(marts),
        "size_bytes": MetadataValue.int(target.stat().st_size),
    })


export_assets = [parquet_exports, warehouse_snapshot]
