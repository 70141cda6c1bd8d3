"""Runs of ``cchc-etl run`` whose process died (kill -9, power loss) without ending them.

With a persistent Dagster instance (``DAGSTER_HOME``) such a run would stay STARTED for ever,
and keep the slot of the warehouse pool it held, so that every later run waited for it. Each
command-line run is tagged with its process id and host; the next command-line run on the host
marks the runs whose process is gone as failed, with a message, and frees their pool slots.
Runs launched by the Dagster daemon are watched by its run monitoring instead
(``deploy/dagster-production.yaml``).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

PID_TAG = "cchc-etl/pid"
HOST_TAG = "cchc-etl/host"


def run_tags() -> dict[str, str]:
    """Tags of a run executed by this process."""
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


@dataclass(frozen=True)
class Orphan:
    run_id: str
    partition: str | None
    pid: int


def _process_start(pid: int) -> float | None:
    """When process ``pid`` started (Unix time), from /proc on Linux; None elsewhere or if gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        with open("/proc/stat", "rb") as fh:
            boot = next(float(line.split()[1]) for line in fh if line.startswith(b"btime"))
        return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def _gone(pid: int, created: float | None) -> bool:
    """Whether the process that ran the run is gone: no process has the pid, or the one that has it
    started after the run was created (the pid was reused)."""
    from cchc_etl.leftovers import process_alive

    if pid == os.getpid():
        return False
    if not process_alive(pid):
        return True
    started = _process_start(pid)
    return started is not None and created is not None and started > created + 1.0


def fail_orphaned_runs(instance) -> list[Orphan]:
    """Mark this host's unfinished command-line runs whose process is gone as failed, and free the
    pool slots they held. Returns them."""
    from dagster import DagsterRunStatus, RunsFilter

    records = instance.get_run_records(filters=RunsFilter(
        statuses=[DagsterRunStatus.NOT_STARTED, DagsterRunStatus.STARTING, DagsterRunStatus.STARTED],
        tags={HOST_TAG: socket.gethostname()},
    ))
    storage = instance.event_log_storage
    out = []
    for record in records:
        run = record.dagster_run
        try:
            pid = int(run.tags.get(PID_TAG, ""))
        except ValueError:
            continue
        created = record.create_timestamp.timestamp() if record.create_timestamp else None
        if not _gone(pid, created):
            continue
        instance.report_run_failed(
            run,
            f"tiến trình cchc-etl run (pid {pid}, {run.tags.get(HOST_TAG)}) đã dừng mà không kết thúc lượt chạy / the cchc-etl "
            f"run process (pid {pid} on {run.tags.get(HOST_TAG)}) ended without finishing this run (killed?): marked as failed "
            "by a later cchc-etl run",
        )
        if storage.supports_global_concurrency_limits:
            storage.free_concurrency_slots_for_run(run.run_id)
        out.append(Orphan(run.run_id, run.tags.get("dagster/partition"), pid))
    return out
