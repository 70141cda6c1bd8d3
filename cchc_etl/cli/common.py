"""What every ``cchc-etl`` command shares: month arguments, help texts, the Dagster instance,
the logging level, and how a run's outcome is read from its events. Command modules import
this module only."""

from __future__ import annotations

import argparse
import logging
import re
import sys
from dataclasses import dataclass, field

from cchc_etl import settings
from cchc_etl.errors import CliError
from cchc_etl.periods import MONTH_LABEL, month_labels

MONTH = MONTH_LABEL


def _month(value: str) -> str:
    if not MONTH.match(value):
        raise argparse.ArgumentTypeError(f"expected YYYY-MM, got {value!r}")
    return value


def months_between(start: str, end: str) -> list[str]:
    if start > end:
        raise CliError(f"--from {start} is after --to {end}")
    return month_labels(start, end)



@dataclass
class CheckWarning:
    """A WARN-severity check that did not pass: which check, on which asset, how many rows."""

    check: str
    asset: str
    count: int | None = None
    description: str = ""

    def line(self) -> str:
        from cchc_etl.format_vi import number

        rows = f" — {number(self.count)} dòng / rows" if self.count is not None else ""
        return f"⚠ {self.check} ({self.asset}){rows}{': ' + self.description if self.description else ''}"


# check metadata that counts the rows a warning is about, in order of preference
_WARNING_COUNTS = ("unexpected_count", "unusable_rows", "rows_quarantined")


@dataclass
class MonthOutcome:
    month: str
    seconds: float
    success: bool
    loaded: int = 0
    quarantined: int = 0
    checks_passed: int = 0
    checks_failed: list[str] = field(default_factory=list)
    warnings: list[CheckWarning] = field(default_factory=list)
    failure: str | None = None
    step_seconds: dict[str, float] = field(default_factory=dict)  # Dagster step key -> wall seconds
    not_run: list[str] = field(default_factory=list)  # later months left unrun because this one failed


def _instance():
    from dagster import DagsterInstance

    if settings.dagster_home():
        return DagsterInstance.get()
    return DagsterInstance.ephemeral()


def _summarise(month: str, result, seconds: float) -> MonthOutcome:
    from dagster import AssetCheckSeverity

    out = MonthOutcome(month=month, seconds=seconds, success=result.success)
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            mat = event.event_specific_data.materialization
            key = mat.asset_key.path
            if key[0] == "staging" and key[-1].startswith("stg_") and "rows_loaded" in mat.metadata:
                out.loaded += int(mat.metadata["rows_loaded"].value)
            if key[0] == "quality" and key[-1].endswith("_quarantine"):
                out.quarantined += int(mat.metadata["rows_quarantined"].value)
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            ev = event.event_specific_data
            if ev.passed:
                out.checks_passed += 1
            else:
                name = f"{'/'.join(ev.asset_key.path)}:{ev.check_name}"
                detail = ev.description or ""
                if ev.severity == AssetCheckSeverity.ERROR:
                    out.checks_failed.append(f"{name}{' — ' + detail if detail else ''}")
                else:
                    meta = ev.metadata or {}
                    count = next((int(meta[k].value) for k in _WARNING_COUNTS if k in meta), None)
                    share = next((float(meta[k].value) for k in ("quarantined_percent", "unexpected_percent") if k in meta), None)
                    if not detail and share is not None:
                        from cchc_etl.format_vi import percent

                        detail = f"{percent(share)} số dòng / of the rows"
                    out.warnings.append(CheckWarning(ev.check_name, "/".join(ev.asset_key.path), count, detail))
        elif event.event_type_value in ("STEP_FAILURE", "PIPELINE_FAILURE") and out.failure is None:
            err = getattr(event.event_specific_data, "error", None)
            if err is not None:  # a run that fails before any step (its resources) has no step failure
                out.failure = _failure_text(err, event.step_key)
    return out


def _failure_text(err, step_key: str | None) -> str:
    cause = err
    while cause.cause is not None:
        cause = cause.cause
    if cause.cls_name == "WarehouseBusy":  # the operator's whole message, without a step or a class name
        return cause.message.strip().removeprefix("cchc_etl.locks.WarehouseBusy: ")
    text = error_text(err)
    return f"step {step_key}: {text}" if step_key else text


def error_text(err) -> str:
    """The root cause of a Dagster error, one line, without the exception's class name
    (``cchc_etl.defs.reference.ReferenceMissing: no org_units file`` -> ``no org_units file``)."""
    cause = err
    while cause.cause is not None:
        cause = cause.cause
    text = _first_line(cause.message) if cause.message else _first_line(err.message or "")
    return without_class_name(text, cause.cls_name)


def without_class_name(text: str, cls_name: str | None) -> str:
    """``text`` without a leading ``module.ClassName: `` of the class ``cls_name`` (any class when
    None), and without the quotes ``KeyError`` puts around its message."""
    found = re.match(r"([A-Za-z_][\w.]*): ", text)
    if found and (cls_name is None or found.group(1).rsplit(".", 1)[-1] == cls_name):
        text = text[found.end():]
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
            text = text[1:-1]
    return text



def _first_line(message: str) -> str:
    """The exception's own line (Dagster appends the traceback; DuckDB appends the SQL and a caret)."""
    lines = [ln.strip() for ln in message.strip().splitlines() if ln.strip()]
    return lines[0] if lines else message



LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG = logging.getLogger("cchc_etl.cli")


def log_level() -> str:
    """``CCHC_LOG_LEVEL``: CRITICAL (the default) prints only the progress lines and one error
    line; INFO adds a line per step, asset and check of each month; DEBUG adds Dagster's own log."""
    from cchc_etl.suggest import did_you_mean

    level = settings.log_level()
    if level not in LOG_LEVELS:
        raise CliError(f"CCHC_LOG_LEVEL={level!r}: mức ghi nhật ký không hợp lệ / not a log level{did_you_mean(level, LOG_LEVELS)}")
    return level


def _configure_logging() -> None:
    LOG.setLevel(log_level())
    LOG.propagate = False
    for handler in list(LOG.handlers):
        LOG.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)  # the stream in force now (tests redirect it)
    handler.setFormatter(logging.Formatter("cchc-etl: %(levelname)s: %(message)s"))
    LOG.addHandler(handler)



MONTH_FROM_HELP = "tháng đầu / first month, YYYY-MM"
MONTH_TO_HELP = "tháng cuối / last month, YYYY-MM"
METHODOLOGY_HELP = "phiên bản phương pháp / methodology version (env CCHC_METHODOLOGY, default vn-2025.1)"


def _min_dossiers(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"cần một số nguyên ≥ 0 / expected a whole number ≥ 0, got {value!r}")
    return int(value)
