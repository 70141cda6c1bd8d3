"""Blocking checks across runs.

Dagster skips the steps downstream of a failed blocking check only in the run that evaluated it.
A backfill may spread a month over several runs (with the unpartitioned reference assets in its
selection, a month's inventory, loads and state each get a run), and a later run would then
build on a month whose check failed. So the month-end state, the Parquet export and the publish
look up, for their month, the latest evaluation of every blocking check that is not downstream
of them, and refuse the month unless each passed. A check never evaluated for the month does not
stop it (history loaded before checks were partitioned).
"""

from collections.abc import Callable
from functools import cache

from dagster import AssetCheckKey, AssetKey, Failure
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph
from dagster._core.event_api import PartitionKeyFilter
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus


def gating_checks(asset_graph, key: AssetKey) -> list[AssetCheckKey]:
    """Blocking checks on the monthly assets other than ``key`` and its descendants."""
    downstream, todo = {key}, [key]
    while todo:
        for child in asset_graph.get(todo.pop()).child_keys:
            if child not in downstream:
                downstream.add(child)
                todo.append(child)
    return sorted(
        (check for node in asset_graph.asset_nodes if node.key not in downstream and node.partitions_def is not None
         for check in node.check_keys if asset_graph.get_check_spec(check).blocking),
        key=lambda c: (c.asset_key.to_user_string(), c.name),
    )


def checks_not_passed(instance, partition_key: str, keys: list[AssetCheckKey]) -> list[str]:
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        keys, partition_filter=PartitionKeyFilter(key=partition_key))
    return sorted(f"{k.asset_key.to_user_string()}:{k.name}" for k, record in latest.items()
                  if record.status != AssetCheckExecutionRecordStatus.SUCCEEDED)


_code_location_graph: Callable[[], AssetGraph] | None = None


def use_asset_graph(source: Callable[[], AssetGraph]) -> None:
    """The code location's whole asset graph, given by ``cchc_etl.definitions`` (which imports
    this module): a run of a few assets knows only their checks."""
    global _code_location_graph
    _code_location_graph = source
    _gating_checks.cache_clear()


@cache
def _gating_checks(key: AssetKey) -> tuple[AssetCheckKey, ...]:
    if _code_location_graph is None:
        raise RuntimeError("cchc_etl.definitions has not given the asset graph (month_gate.use_asset_graph)")
    return tuple(gating_checks(_code_location_graph(), key))


def require_month_validated(context) -> None:
    """Raise (the step fails, the asset is not materialized, a backfill stops what depends on it)
    when a blocking check of the month has not passed."""
    failed = checks_not_passed(context.instance, context.partition_key, list(_gating_checks(context.asset_key)))
    if failed:
        raise Failure(description=f"{context.partition_key[:7]}: kiểm tra chặn của tháng chưa đạt / the month's blocking "
                                  f"checks have not passed: {', '.join(failed)}")
