"""WarehouseResource keeps one idle connection while a run's steps execute in one process, and
never outside a run (a script, a notebook) or after it: DuckDB allows no read-only connection
beside a read-write one in a process, so a leaked one would lock analysts out."""

from __future__ import annotations

import duckdb
from dagster import AssetSelection, Definitions, MaterializeResult, asset, define_asset_job

from cchc_etl.defs.resources import WarehouseResource


def test_no_idle_connection_outside_a_run(tmp_path):
    resource = WarehouseResource(url=f"duckdb:///{tmp_path / 'w.duckdb'}")
    with resource.connect() as con:
        con.execute("CREATE TABLE t AS SELECT 1 AS x")
    assert resource._keepalive is None
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as ro:
        assert ro.execute("SELECT x FROM t").fetchone() == (1,)


def test_idle_connection_spans_the_steps_of_a_run_and_is_released_after(tmp_path):
    seen: list[bool] = []

    @asset
    def first(warehouse: WarehouseResource) -> MaterializeResult:
        with warehouse.connect() as con:
            con.execute("CREATE TABLE t AS SELECT 1 AS x")
        seen.append(warehouse._keepalive is not None)
        return MaterializeResult()

    @asset(deps=[first])
    def second(warehouse: WarehouseResource) -> MaterializeResult:
        seen.append(warehouse._keepalive is not None)  # still open from the first step
        with warehouse.connect() as con:
            con.execute("INSERT INTO t VALUES (2)")
        return MaterializeResult()

    @asset(deps=[second])
    def reader(warehouse: WarehouseResource) -> MaterializeResult:
        with warehouse.connect(read_only=True) as con:  # releases the idle connection first
            assert con.execute("SELECT count(*) FROM t").fetchone() == (2,)
        seen.append(warehouse._keepalive is not None)
        return MaterializeResult()

    defs = Definitions(assets=[first, second, reader], jobs=[define_asset_job("j", selection=AssetSelection.all())],
                       resources={"warehouse": WarehouseResource(url=f"duckdb:///{tmp_path / 'w.duckdb'}")})
    assert defs.resolve_job_def("j").execute_in_process().success
    assert seen == [True, True, False]
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as ro:  # nothing left open
        assert ro.execute("SELECT sum(x) FROM t").fetchone() == (3,)
