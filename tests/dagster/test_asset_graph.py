"""Snapshot of the asset graph: keys, dependencies, partitions, pools and checks.

A change to the graph must be deliberate: regenerate with
    CCHC_UPDATE_SNAPSHOTS=1 pytest tests/dagster/test_asset_graph.py
and review the diff of tests/dagster/snapshots/asset_graph.json.
"""

import json
import os
from pathlib import Path

from cchc_etl.definitions import defs
from cchc_etl.defs.partitions import WAREHOUSE_POOL

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.json"


def graph() -> dict:
    repo = defs.get_repository_def()
    asset_graph = repo.asset_graph
    assets = {}
    for key in sorted(asset_graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = asset_graph.get(key)
        assets[key.to_user_string()] = {
            "deps": sorted(p.to_user_string() for p in node.parent_keys),
            "partitioned": node.partitions_def is not None,
            "group": node.group_name,
            "checks": sorted(c.name for c in node.check_keys),
        }
    return {"assets": assets, "jobs": sorted(j.name for j in repo.get_all_jobs() if not j.name.startswith("__"))}


def test_asset_graph_matches_snapshot():
    current = graph()
    if os.environ.get("CCHC_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(current, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert current == json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_every_warehouse_writer_shares_one_pool():
    repo = defs.get_repository_def()
    job = repo.get_job("cchc_monthly")
    pools = {node.name: node.definition.pool for node in job.graph.node_dict.values()}
    assert pools and all(p == WAREHOUSE_POOL for p in pools.values()), pools


def test_partitions_are_months_in_vietnam_time():
    node = defs.get_repository_def().asset_graph.get(next(k for k in defs.get_repository_def().asset_graph.get_all_asset_keys() if k.path == ["marts", "period_report"]))
    assert node.partitions_def.timezone == "Asia/Ho_Chi_Minh"
    assert node.partitions_def.get_partition_keys()[0] == "2020-01-01"
    assert node.partitions_def.cron_schedule == "0 0 1 * *"


def test_marts_only_after_blocking_checks():
    """Every critical GX expectation is a blocking check on staged dossiers."""
    from cchc_etl.validation import suite_for_table

    critical = {e.check_name for e in suite_for_table("staging.stg_dossiers").expectations if e.severity == "critical"}
    repo = defs.get_repository_def()
    specs = {spec.name: spec for checks in repo.asset_checks_defs_by_key.values() for spec in checks.check_specs}
    assert critical and all(specs[name].blocking for name in critical)
