"""Great Expectations 1.x suites kept as JSON in ``expectations/``, run over one partition.

GX is imported lazily (it costs seconds); ``prewarm`` starts that import on a background
thread while DuckDB does the loading, so the checks do not pay for it on the critical path.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from cchc_etl.paths import EXPECTATIONS_DIR

_prewarm_lock = threading.Lock()
_prewarmed = False


def prewarm() -> None:
    global _prewarmed
    with _prewarm_lock:
        if _prewarmed:
            return
        _prewarmed = True
    threading.Thread(target=lambda: __import__("great_expectations"), daemon=True, name="gx-import").start()


@dataclass(frozen=True)
class ExpectationDef:
    check_name: str
    type: str
    kwargs: dict
    severity: str  # critical | warning | info
    description: str

    @property
    def columns(self) -> list[str]:
        cols = [self.kwargs[k] for k in ("column", "column_A", "column_B") if k in self.kwargs]
        return cols + list(self.kwargs.get("column_list", []))


@dataclass(frozen=True)
class SuiteDef:
    name: str
    asset: str
    table: str
    partition_column: str | None
    expectations: tuple[ExpectationDef, ...]

    @property
    def columns(self) -> list[str]:
        return sorted({c for e in self.expectations for c in e.columns})


def load_frame(con, suite: SuiteDef, where: str = "", params: list | None = None) -> pd.DataFrame:
    """The suite's columns of one partition as pandas; text as categoricals, which GX's pandas
    engine validates several times faster than object columns."""
    cols = ", ".join('"' + c.replace('"', '""') + '"' for c in suite.columns)
    table = con.execute(f"SELECT {cols} FROM {suite.table}{where}", params or []).to_arrow_table()
    return table.to_pandas(strings_to_categorical=True)


@dataclass(frozen=True)
class Outcome:
    check_name: str
    success: bool
    severity: str
    element_count: int | None
    unexpected_count: int | None
    unexpected_percent: float | None
    sample: list
    error: str | None = None


def load_suite(path: Path) -> SuiteDef:
    raw = json.loads(path.read_text(encoding="utf-8"))
    exps = []
    for e in raw["expectations"]:
        meta = e.get("meta", {})
        name = meta.get("check_name") or f"{e['type']}__{'_'.join(str(v) for v in e['kwargs'].values() if isinstance(v, str))}"
        exps.append(ExpectationDef(name, e["type"], e["kwargs"], e.get("severity", "critical"), meta.get("description", e["type"])))
    meta = raw.get("meta", {})
    return SuiteDef(raw["name"], meta["asset"], meta["table"], meta.get("partition_column"), tuple(exps))


@cache
def all_suites() -> tuple[SuiteDef, ...]:
    return tuple(load_suite(p) for p in sorted(EXPECTATIONS_DIR.glob("*.json")))


_gx_lock = threading.Lock()
_gx_batch_definitions: dict = {}


def _gx_batch_definition(suite_name: str):
    """One ephemeral GX context per process, with one dataframe asset per suite: each validation
    passes its partition's frame as a batch parameter, so a context is not rebuilt for every
    suite and month."""
    with _gx_lock:
        definition = _gx_batch_definitions.get(suite_name)
        if definition is None:
            import great_expectations as gx
            from great_expectations.data_context.types.base import ProgressBarsConfig
            from great_expectations.execution_engine import pandas_execution_engine

            if not _gx_batch_definitions:
                # GX labels an in-memory batch under 1 GB with an MD5 of every value in the frame
                # (pandas.util.hash_pandas_object): about a third of the suite's time at 1M rows, for
                # a marker that no expectation reads. Validation itself is unchanged.
                pandas_execution_engine.HASH_THRESHOLD = 0
                context = gx.get_context(mode="ephemeral")
                context.variables.progress_bars = ProgressBarsConfig(globally=False)
                _gx_batch_definitions[None] = context.data_sources.add_pandas(name="cchc")
            definition = (
                _gx_batch_definitions[None].add_dataframe_asset(name=suite_name).add_batch_definition_whole_dataframe("partition")
            )
            _gx_batch_definitions[suite_name] = definition
    return definition


def run_suite(suite: SuiteDef, frame: pd.DataFrame) -> list[Outcome]:
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    definition = _gx_batch_definition(suite.name)  # also makes the context the active one
    gx_suite = gx.ExpectationSuite(name=suite.name)
    for e in suite.expectations:
        gx_suite.add_expectation(
            ExpectationConfiguration(type=e.type, kwargs=e.kwargs, meta={"check_name": e.check_name}, severity=e.severity).to_domain_obj()
        )
    batch = definition.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(gx_suite, result_format="SUMMARY")
    outcomes = []
    by_name = {e.check_name: e for e in suite.expectations}
    for r in result.results:
        name = r.expectation_config.meta["check_name"]
        res = r.result or {}
        error = None
        if r.exception_info and r.exception_info.get("raised_exception"):
            error = r.exception_info.get("exception_message")
        elif r.exception_info and not isinstance(r.exception_info.get("raised_exception"), bool):
            msgs = [v.get("exception_message") for v in r.exception_info.values() if isinstance(v, dict)]
            error = "; ".join(m for m in msgs if m) or None
        outcomes.append(Outcome(
            check_name=name, success=bool(r.success), severity=by_name[name].severity,
            element_count=res.get("element_count", res.get("observed_value") if isinstance(res.get("observed_value"), int) else None),
            unexpected_count=res.get("unexpected_count"), unexpected_percent=res.get("unexpected_percent"),
            sample=[str(v) for v in (res.get("partial_unexpected_list") or [])[:10]], error=error,
        ))
    return outcomes


def baseline_expectations(spec) -> list[dict]:
    """The expectations every staged table must carry, derived from its contract: required
    fields not null, coded fields within their canonical values. The JSON suites in
    ``expectations/`` start from these (``python -m cchc_etl.validation SOURCE``) and add their
    own; ``tests/test_expectations.py`` keeps the two in step."""
    out: list[dict] = [{
        "type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}, "severity": "warning",
        "meta": {"check_name": "has_rows", "description": f"Tháng có dữ liệu / the month has staged {spec.source}"},
    }]
    if not spec.reference:
        out.append({"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "system"}, "severity": "critical",
                    "meta": {"check_name": "system_not_null"}})
    for f in spec.fields:
        if f.required:
            out.append({"type": "expect_column_values_to_not_be_null", "kwargs": {"column": f.staged_name},
                        "severity": "critical", "meta": {"check_name": f"{f.name}_not_null"}})
        if f.type == "enum":
            values = sorted(f.values)
            if f.sql_type and f.sql_type.upper() in ("INTEGER", "BIGINT"):
                values = sorted(int(v) for v in values)
            out.append({"type": "expect_column_values_to_be_in_set", "kwargs": {"column": f.name, "value_set": values},
                        "severity": "critical", "meta": {"check_name": f"{f.name}_in_set"}})
    return out


if __name__ == "__main__":  # python -m cchc_etl.validation SOURCE  -> a starter suite on stdout
    import sys

    from cchc_etl.contract import load_source

    _spec = load_source(sys.argv[1])
    print(json.dumps({
        "name": f"stg_{_spec.source}",
        "meta": {"asset": f"staging/stg_{_spec.source}", "table": _spec.staging_table,
                 "partition_column": None if _spec.reference else "month"},
        "expectations": baseline_expectations(_spec),
    }, ensure_ascii=False, indent=2))
