"""The Dagster instance configurations let no crashed run block the queue or the warehouse pool for
ever: run monitoring is on, with a maximum run time, and the pool slots of ended runs are freed.

The instance is built from the shipped file (its PostgreSQL storage replaced by SQLite in a
temporary directory): Dagster validates the settings, and refuses resume attempts the default
run launcher cannot honour. The daemon's monitoring pass then fails a run that stays STARTED
past the maximum run time (a run whose worker was killed) and leaves a younger one alone.
"""

from __future__ import annotations

import logging
import time
import uuid
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]


def _instance(tmp_path: Path, name: str):
    from dagster import DagsterInstance

    config = yaml.safe_load((ROOT / "deploy" / name).read_text(encoding="utf-8"))
    config["storage"] = {"sqlite": {"base_dir": str(tmp_path / "storage")}}
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return DagsterInstance.from_config(str(tmp_path))


def _started_run(instance, seconds_ago: float):
    from dagster import DagsterEvent, DagsterEventType, DagsterRun, DagsterRunStatus

    run = instance.add_run(DagsterRun(job_name="cchc_monthly", run_id=str(uuid.uuid4()), status=DagsterRunStatus.NOT_STARTED))
    instance.report_dagster_event(DagsterEvent(DagsterEventType.RUN_START.value, job_name=run.job_name), run.run_id,
                                  timestamp=time.time() - seconds_ago)
    return instance.get_run_record_by_id(run.run_id)


@pytest.mark.parametrize("name", ["dagster-production.yaml", "dagster.yaml"])
def test_run_monitoring_fails_a_run_stuck_past_its_maximum_time(tmp_path, name):
    from dagster._daemon.monitoring.run_monitoring import monitor_started_run

    instance = _instance(tmp_path, name)
    try:
        settings = instance.run_monitoring_settings
        assert instance.run_monitoring_enabled
        assert 0 < instance.run_monitoring_max_runtime_seconds <= 6 * 3600
        assert instance.run_monitoring_max_resume_run_attempts == 0  # the default launcher cannot resume
        assert 0 < instance.run_monitoring_start_timeout_seconds <= 600 and 0 < instance.run_monitoring_cancel_timeout_seconds <= 600
        assert 0 < instance.run_monitoring_poll_interval_seconds <= 120
        assert 0 < settings["free_slots_after_run_end_seconds"] <= 600
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1

        limit = instance.run_monitoring_max_runtime_seconds
        crashed, running = _started_run(instance, limit + 60), _started_run(instance, 60)
        for record in (crashed, running):
            assert record.dagster_run.status.value == "STARTED"
            monitor_started_run(instance, None, record, logging.getLogger("test"))
        assert instance.get_run_by_id(crashed.dagster_run.run_id).status.value == "FAILURE"
        assert instance.get_run_by_id(running.dagster_run.run_id).status.value == "STARTED"
    finally:
        instance.dispose()
