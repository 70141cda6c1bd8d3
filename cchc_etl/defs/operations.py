"""Operations: the monthly schedule, the landing sensor and the marts' freshness policy.

``build_operations(job)`` takes the ``cchc_monthly`` job as a parameter (this module must not
import ``cchc_etl.definitions``, which imports it).

**Schedule** ``cchc_monthly_schedule``: 06:00 on the 3rd of every month, Asia/Ho_Chi_Minh time;
requests the partition of the month that has just closed (run on 2024-03-03 -> 2024-02-01). The
two days leave time for late exports; the landing sensor covers anything that arrives later.

**Sensor** ``cchc_landing_sensor`` (every 60 s): lists the landing root (env ``CCHC_LANDING_DIR``,
default ``landing``, read at every tick) and compares it with its cursor, which keeps per file the
size, mtime and SHA-256 last seen. Only a file whose size or mtime moved is hashed again, so a
tick over an unchanged landing area reads no file content.

- Event files ``<source>/<YYYY-MM>/<file>`` (known event sources, hidden files and Excel lock
  files ``~$*`` ignored): a new file, a change of content or a removal requests that month's
  partition, one run per month however many files changed. Touching a file without changing its
  bytes requests nothing.
- A month that has not closed yet (its partition does not exist: the partitions end at the last
  complete month) is deferred: its files are hashed but not acknowledged, and the month is
  requested on the first tick after it closes.
- Reference files ``reference/<kind>[__*].<ext>`` (known reference kinds): a change requests the
  **latest closed month present in the landing area** (that run reloads the reference tables and
  rebuilds that month). Earlier months keep their published figures until an operator backfills
  them (published months never change silently); with no event month at all the change is only
  acknowledged.
- ``run_key`` = month + hash of the sorted (path, sha256 or "deleted") of the files behind the
  request, so the same content never launches a second run even if a cursor update were lost.
  Consequence: a file removed and later restored with identical bytes does not re-trigger (that
  content was already requested once); re-run the month from the UI.
- Uploaders should copy under a hidden name (``.name.part``) and rename when complete: hidden
  files are ignored, so a half-copied file is never requested.

A correction to an old month is requested for that month only. Later months take the state of
every dossier "as of" their month end from all exports up to then, so after correcting an old
month, backfill the months after it as well (UI: Materialize -> partition range; CLI:
``cchc-etl run --from M --to LATEST``).

**Freshness** (``apply_marts_freshness``): the marts carry a ``FreshnessPolicy.cron``: they must
have been materialized between 06:00 on the 3rd and 12:00 on the 5th of each month (Vietnam time),
i.e. the schedule's run must have succeeded by then; otherwise the UI shows them as failing their
freshness policy until the next materialization. The policy is evaluated by the daemon
(``freshness: enabled: true``, the default since 1.12). It is asset-level, not partition-level: a
backfill of an old month inside the window also counts as fresh.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from dagster import (
    AssetKey,
    AssetSpec,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    FreshnessPolicy,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    apply_freshness_policy,
    map_asset_specs,
    schedule,
    sensor,
)

from cchc_etl import settings
from cchc_etl.defs.partitions import TIMEZONE, monthly_partitions
from cchc_etl.ingest import MONTH_DIR, sha256_file
from cchc_etl.periods import month_start
from cchc_etl.table_dictionary import load_tables

SCHEDULE_NAME = "cchc_monthly_schedule"
SENSOR_NAME = "cchc_landing_sensor"
SCHEDULE_CRON = "0 6 3 * *"  # 06:00 on the 3rd, Asia/Ho_Chi_Minh
SENSOR_INTERVAL_SECONDS = 60
CURSOR_VERSION = 1
#: every mart an asset builds (the ``asset`` key of assets/tables/marts.*.yaml)
MARTS = [AssetKey(["marts", t.table]) for t in load_tables() if t.schema == "marts" and t.asset]

# marts must be rebuilt between the schedule (3rd 06:00) and 12:00 on the 5th
MARTS_FRESHNESS = FreshnessPolicy.cron(deadline_cron="0 12 5 * *", lower_bound_delta=dt.timedelta(days=2, hours=6), timezone=TIMEZONE)

_TZ = ZoneInfo(TIMEZONE)
_FIRST_MONTH = monthly_partitions.start.date().replace(day=1)


# ---------------------------------------------------------------------------------------------
# months

def closed_month(at: dt.datetime) -> dt.date:
    """The month that has just closed at ``at`` (Vietnam time): 2024-03-03 06:00+07 -> 2024-02-01."""
    local = at.astimezone(_TZ) if at.tzinfo else at.replace(tzinfo=_TZ)
    return (local.date().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def partition_exists(month: dt.date, now: dt.datetime) -> bool:
    """Partitions run from 2020-01 to the last complete month (end_offset=0)."""
    return _FIRST_MONTH <= month <= closed_month(now)


def partition_key(month: dt.date) -> str:
    return month.strftime("%Y-%m-01")


# ---------------------------------------------------------------------------------------------
# landing scan (pure: no Dagster), tested directly and wrapped by the sensor

@dataclass(frozen=True)
class Entry:
    size: int
    mtime_ns: int
    sha256: str
    acked: bool  # its content (sha256) has been requested, or deliberately needs no request

    def dump(self) -> list:
        return [self.size, self.mtime_ns, self.sha256, int(self.acked)]

    @classmethod
    def load(cls, raw: list) -> Entry:
        return cls(int(raw[0]), int(raw[1]), str(raw[2]), bool(raw[3]))


@dataclass
class MonthRequest:
    month: dt.date
    changes: dict[str, str] = field(default_factory=dict)  # path -> sha256 or "deleted"

    @property
    def run_key(self) -> str:
        digest = hashlib.sha256(json.dumps(sorted(self.changes.items())).encode()).hexdigest()[:20]
        return f"landing:{self.month:%Y-%m}:{digest}"


@dataclass
class ScanResult:
    requests: list[MonthRequest]
    cursor: str
    deferred: list[str]  # months with files whose partition does not exist yet
    notes: list[str]
    hashed: int  # files whose content was read this tick


def _event_sources() -> set[str]:
    from cchc_etl.contract import event_sources

    return set(event_sources())


def _reference_kinds() -> set[str]:
    from cchc_etl.contract import reference_sources

    return set(reference_sources())


def _visible(path: Path) -> bool:
    return path.is_file() and not path.name.startswith((".", "~$"))


def landing_listing(root: Path) -> dict[str, tuple[dt.date | None, os.stat_result, Path]]:
    """relative path -> (month or None for reference files, stat, absolute path)."""
    from cchc_etl.readers import SUPPORTED_SUFFIXES

    found: dict[str, tuple[dt.date | None, os.stat_result, Path]] = {}
    if not root.is_dir():
        return found
    for source in sorted(_event_sources()):
        folder = root / source
        if not folder.is_dir():
            continue
        for month_dir in sorted(p for p in folder.iterdir() if p.is_dir() and MONTH_DIR.match(p.name)):
            for path in sorted(month_dir.iterdir()):
                if _visible(path):
                    found[path.relative_to(root).as_posix()] = (month_start(month_dir.name), path.stat(), path)
    kinds = _reference_kinds()
    reference = root / "reference"
    if reference.is_dir():
        for path in sorted(reference.iterdir()):
            if _visible(path) and path.suffix.lower() in SUPPORTED_SUFFIXES and path.stem.split("__")[0] in kinds:
                found[path.relative_to(root).as_posix()] = (None, path.stat(), path)
    return found


def parse_cursor(cursor: str | None) -> dict[str, Entry]:
    if not cursor:
        return {}
    data = json.loads(cursor)
    if data.get("v") != CURSOR_VERSION:
        return {}
    return {path: Entry.load(raw) for path, raw in data.get("files", {}).items()}


def dump_cursor(entries: dict[str, Entry]) -> str:
    return json.dumps({"v": CURSOR_VERSION, "files": {p: e.dump() for p, e in sorted(entries.items())}},
                      separators=(",", ":"))


def scan_landing(root: Path, cursor: str | None, now: dt.datetime, *, hash_budget_seconds: float | None = 30.0) -> ScanResult:
    """Compare the landing area with the cursor; return the months to request and the new cursor.

    hash_budget_seconds bounds the time spent hashing in one tick (a first tick over years of
    exports): files left unhashed are hashed on the next ticks, and a month (or the reference
    set) with a file still unhashed is held back so that it is requested once, complete.
    """
    started = time.monotonic()
    previous = parse_cursor(cursor)
    listing = landing_listing(root)
    entries: dict[str, Entry] = {}
    changed_events: dict[dt.date, dict[str, str]] = {}
    changed_refs: dict[str, str] = {}
    held: set[dt.date | None] = set()  # months (None: reference) with a file not hashed yet
    deferred: set[dt.date] = set()
    notes: list[str] = []
    hashed = 0

    for rel, (month, st, path) in listing.items():
        old = previous.get(rel)
        if old is not None and old.size == st.st_size and old.mtime_ns == st.st_mtime_ns:
            sha = old.sha256
        elif hash_budget_seconds is not None and time.monotonic() - started > hash_budget_seconds:
            held.add(month)
            if old is not None:
                entries[rel] = old
            continue
        else:
            try:
                sha = sha256_file(path)
            except FileNotFoundError:  # removed between listing and hashing: the next tick sees it gone
                if old is not None:
                    entries[rel] = old
                continue
            hashed += 1
        if month is not None and not partition_exists(month, now):
            if month >= _FIRST_MONTH:
                deferred.add(month)
            else:
                notes.append(f"{rel}: month before the first partition ({_FIRST_MONTH:%Y-%m}), ignored")
            # acknowledged only once its month closes (a file from before the first partition: never needed)
            entries[rel] = Entry(st.st_size, st.st_mtime_ns, sha, acked=month < _FIRST_MONTH)
            continue
        entries[rel] = Entry(st.st_size, st.st_mtime_ns, sha, acked=True)
        if old is not None and old.acked and old.sha256 == sha:
            continue
        if month is None:
            changed_refs[rel] = sha
        else:
            changed_events.setdefault(month, {})[rel] = sha

    for rel, old in previous.items():
        if rel in listing or not old.acked:
            continue
        month = _month_of(rel)
        if month is None:
            changed_refs[rel] = "deleted"
        elif partition_exists(month, now):
            changed_events.setdefault(month, {})[rel] = "deleted"

    # held back: leave the changes unacknowledged (a removed file keeps its old entry) for the next tick
    for month in held:
        for rel, sha in (changed_refs if month is None else changed_events.get(month, {})).items():
            entries[rel] = previous[rel] if sha == "deleted" else _unacked(entries[rel])
        if month is None:
            changed_refs = {}
        else:
            changed_events.pop(month, None)
    if held:
        notes.append(f"hash budget of {hash_budget_seconds:g}s used up; held back until hashed: "
                     + ", ".join("reference" if m is None else f"{m:%Y-%m}" for m in sorted(held, key=lambda m: m or dt.date.min)))

    requests = {m: MonthRequest(m, dict(c)) for m, c in changed_events.items()}
    if changed_refs:
        closed = [m for (m, _, _) in listing.values() if m is not None and partition_exists(m, now)]
        if closed:
            latest = max(closed)
            if latest in held:  # its request will carry the reference change once the month is complete
                for rel, sha in changed_refs.items():
                    entries[rel] = previous[rel] if sha == "deleted" else _unacked(entries[rel])
            else:
                requests.setdefault(latest, MonthRequest(latest)).changes.update(changed_refs)
        else:
            notes.append(f"reference file(s) changed ({', '.join(sorted(changed_refs))}) but no closed month is in the "
                         "landing area: nothing to rebuild")
    return ScanResult(
        requests=[requests[m] for m in sorted(requests)],
        cursor=dump_cursor(entries),
        deferred=[f"{m:%Y-%m}" for m in sorted(deferred)],
        notes=notes,
        hashed=hashed,
    )


def _unacked(entry: Entry) -> Entry:
    return Entry(entry.size, entry.mtime_ns, entry.sha256, acked=False)


def _month_of(rel: str) -> dt.date | None:
    parts = rel.split("/")
    if len(parts) == 3 and MONTH_DIR.match(parts[1]):
        return month_start(parts[1])
    return None


def landing_root(landing_dir: str | None = None) -> Path:
    return Path(landing_dir or settings.landing_dir())


# ---------------------------------------------------------------------------------------------
# Dagster definitions

def build_operations(job, *, landing_dir: str | None = None, running: bool = False,
                     now=None) -> tuple[ScheduleDefinition, SensorDefinition]:
    """The monthly schedule and the landing sensor targeting ``job`` (the ``cchc_monthly`` job).

    landing_dir: fixed landing root (default: ``CCHC_LANDING_DIR`` read at each tick, else ``landing``).
    running: start both in the RUNNING state (default STOPPED: switch them on in the UI once;
             the state is kept in the instance storage).
    now: clock for the sensor (tests); default the real time.
    """
    clock = now or (lambda: dt.datetime.now(dt.timezone.utc))

    @schedule(
        name=SCHEDULE_NAME,
        cron_schedule=SCHEDULE_CRON,
        execution_timezone=TIMEZONE,
        job=job,
        default_status=DefaultScheduleStatus.RUNNING if running else DefaultScheduleStatus.STOPPED,
        description="06:00 on the 3rd (Asia/Ho_Chi_Minh): materialize the month that has just closed.",
    )
    def monthly_schedule(context: ScheduleEvaluationContext):
        at = context.scheduled_execution_time or dt.datetime.now(dt.timezone.utc)
        month = closed_month(at)
        if not partition_exists(month, at):
            return SkipReason(f"{month:%Y-%m} is before the first partition")
        return RunRequest(partition_key=partition_key(month), tags={"cchc/trigger": "schedule"})

    @sensor(
        name=SENSOR_NAME,
        job=job,
        minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
        default_status=DefaultSensorStatus.RUNNING if running else DefaultSensorStatus.STOPPED,
        description="New, changed or removed landing files -> the partition of their month (reference files -> the latest "
                    "closed month); cursor: size, mtime and SHA-256 per file.",
    )
    def landing_sensor(context: SensorEvaluationContext):
        root = landing_root(landing_dir)
        if not root.is_dir():
            return SensorResult(skip_reason=SkipReason(f"landing root not found: {root}"), cursor=context.cursor)
        result = scan_landing(root, context.cursor, clock())
        for note in result.notes:
            context.log.info(note)
        if result.deferred:
            context.log.info(f"months not closed yet (requested once they close): {', '.join(result.deferred)}")
        if not result.requests:
            detail = f"; waiting for {', '.join(result.deferred)} to close" if result.deferred else ""
            return SensorResult(skip_reason=SkipReason(f"no new or changed landing files under {root}{detail}"),
                                cursor=result.cursor)
        return SensorResult(
            run_requests=[
                RunRequest(
                    partition_key=partition_key(r.month),
                    run_key=r.run_key,
                    tags={"cchc/trigger": "landing_sensor", "cchc/changed_files": str(len(r.changes))},
                )
                for r in result.requests
            ],
            cursor=result.cursor,
        )

    return monthly_schedule, landing_sensor


def apply_marts_freshness(assets: Iterable, policy: FreshnessPolicy = MARTS_FRESHNESS) -> list:
    """The same asset definitions with ``policy`` attached to the marts' specs (others unchanged)."""

    def attach(spec: AssetSpec) -> AssetSpec:
        return apply_freshness_policy(spec, policy) if spec.key in MARTS else spec

    return list(map_asset_specs(attach, list(assets)))
