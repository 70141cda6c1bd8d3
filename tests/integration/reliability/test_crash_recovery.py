"""kill -9 of ``cchc-etl run`` at named steps, then a rerun: the warehouse equals a clean run's table
by table, what the killed runs left is removed, and their Dagster runs end as failed.

One warehouse goes through every kill point in turn (each rerun first recovers from the kill
before; ``kill_at.py`` names the points), with a persistent Dagster instance whose warehouse pool
takes one step at a time (``deploy/dagster.yaml``): a killed run keeps its pool slot until it is
marked failed, so a rerun that did not free it would wait for ever.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.integration.reliability.cli_runs import KEY_A, MONTHS, ROOT, cli, run_args, table_differences

POINTS = ("gx_validation", "scoring", "parquet", "snapshot")


def _leftovers(tmp: Path, parquet: Path, snapshot: Path) -> dict[str, list[str]]:
    return {
        "scratch": sorted(p.name for p in tmp.iterdir() if p.name.startswith("cchc-")),
        "parquet": sorted(str(p.relative_to(parquet)) for p in parquet.rglob(".*.tmp-*")) if parquet.is_dir() else [],
        "snapshot": sorted(p.name for p in snapshot.parent.glob(f".{snapshot.name}.tmp-*")),
    }


def _runs(home: Path) -> list:
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(home)) as instance:
        records = instance.get_run_records()
        failures = {r.dagster_run.run_id: [e.dagster_event.message for e in instance.all_logs(r.dagster_run.run_id) if e.dagster_event
                                           and e.dagster_event.event_type_value == "PIPELINE_FAILURE"] for r in records}
        storage = instance.event_log_storage
        claimed = [s for key in storage.get_concurrency_keys() for s in storage.get_concurrency_info(key).claimed_slots]
    return [(r.dagster_run.tags.get("cchc-etl/pid"), r.dagster_run.status.value, failures[r.dagster_run.run_id]) for r in records], claimed


def test_kill_9_at_named_steps_then_rerun_equals_a_clean_run(clean_b, clean_a_january, sample_landing, tmp_path):
    # clean_b is not used here: it runs in the background meanwhile, for the key rotation tests
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    warehouse = tmp_path / "warehouse.duckdb"
    parquet, snapshot = tmp_path / "parquet", tmp_path / "warehouse_snapshot.duckdb"
    args = run_args(sample_landing, warehouse, MONTHS[0], MONTHS[0])

    killed = []
    for point in POINTS:
        done = cli(*args, key=KEY_A, tmp=tmp, dagster_home=home, kill_at=point)
        assert done.returncode == -9, f"{point}: {done.stdout}\n{done.stderr}"
        killed.append(str(done.pid))
        left = _leftovers(tmp, parquet, snapshot)
        # each kill left its own temporary files (and the previous kill's were removed at start)
        expected = {
            "gx_validation": {"scratch": [n for n in left["scratch"] if n.startswith(f"cchc-gx-{done.pid}-")], "parquet": [], "snapshot": []},
            "scoring": {"scratch": [], "parquet": [], "snapshot": []},
            "parquet": {"scratch": [], "parquet": [p for p in left["parquet"] if p.endswith(f".tmp-{done.pid}")], "snapshot": []},
            "snapshot": {"scratch": [], "parquet": [], "snapshot": [f".{snapshot.name}.tmp-{done.pid}"]},
        }[point]
        assert left == expected and (point == "scoring" or sum(map(len, left.values())) == 1), (point, left)
        if point == "gx_validation":
            assert (tmp / left["scratch"][0] / "partition.arrow").is_file()
        runs, claimed = _runs(home)
        assert (str(done.pid), "STARTED", []) in runs, runs

    done = cli(*args, key=KEY_A, tmp=tmp, dagster_home=home)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "removed what killed runs left" in done.stdout and "marked as failed" in done.stdout

    assert table_differences(warehouse, clean_a_january) == {}
    assert table_differences(snapshot, clean_a_january.with_name("warehouse_snapshot.duckdb")) == {}
    clean_parquet = clean_a_january.with_name("parquet")
    assert sorted(p.relative_to(parquet) for p in parquet.rglob("*")) == sorted(p.relative_to(clean_parquet) for p in clean_parquet.rglob("*"))
    assert _leftovers(tmp, parquet, snapshot) == {"scratch": [], "parquet": [], "snapshot": []}

    runs, claimed = _runs(home)
    failed = {pid: messages for pid, status, messages in runs if status == "FAILURE"}
    assert sorted(failed) == sorted(killed), runs
    for pid, messages in failed.items():
        assert len(messages) == 1 and f"pid {pid}" in messages[0] and "ended without finishing this run" in messages[0]
    assert sorted(status for _, status, _ in runs) == ["FAILURE"] * len(POINTS) + ["SUCCESS"]
    assert claimed == []
