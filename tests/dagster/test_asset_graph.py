"""Snapshot of the asset graph: keys, dependencies, partitions, pools and checks.

Asset keys and check names are a contract, like the published tables: every asset of the
snapshot keeps its key, group, partitioning and checks, and depends on what it did; it may gain
dependencies only on assets that are new. New assets and jobs (a new mart, a new source) pass.
Any other change must be deliberate: regenerate with
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


def graph_problems(current: dict, snapshot: dict) -> list[str]:
    """What ``current`` changed of ``snapshot`` beyond adding assets and jobs."""
    problems = []
    for key, before in snapshot["assets"].items():
        now = current["assets"].get(key)
        if now is None:
            problems.append(f"{key}: gone")
            continue
        for field in ("partitioned", "group", "checks"):
            if now[field] != before[field]:
                problems.append(f"{key}: {field} {before[field]!r} -> {now[field]!r}")
        if lost := set(before["deps"]) - set(now["deps"]):
            problems.append(f"{key}: no longer depends on {sorted(lost)}")
        if gained := {d for d in set(now["deps"]) - set(before["deps"]) if d in snapshot["assets"]}:
            problems.append(f"{key}: now depends on {sorted(gained)}, which existed before")
    if missing_jobs := set(snapshot["jobs"]) - set(current["jobs"]):
        problems.append(f"jobs gone: {sorted(missing_jobs)}")
    return problems


def test_asset_graph_matches_snapshot():
    current = graph()
    if os.environ.get("CCHC_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(current, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    problems = graph_problems(current, json.loads(SNAPSHOT.read_text(encoding="utf-8")))
    assert not problems, "\n".join(problems)


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


def test_the_graph_may_grow_but_not_change():
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    grown = json.loads(json.dumps(snapshot))
    grown["assets"]["marts/toy"] = {"deps": ["marts/scores"], "partitioned": True, "group": "marts", "checks": []}
    grown["assets"]["exports/parquet"]["deps"].append("marts/toy")
    assert graph_problems(grown, snapshot) == []

    changed = json.loads(json.dumps(snapshot))
    checked = next(k for k, a in changed["assets"].items() if a["checks"])
    changed["assets"][checked]["checks"] = changed["assets"][checked]["checks"][1:]
    changed["assets"]["exports/parquet"]["deps"].append("core/dim_date")
    changed["assets"].pop("marts/scores")
    problems = graph_problems(changed, snapshot)
    assert any(p.startswith(f"{checked}: checks") for p in problems)
    assert "exports/parquet: now depends on ['core/dim_date'], which existed before" in problems
    assert "marts/scores: gone" in problems
