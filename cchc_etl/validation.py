"""Great Expectations 1.x suites kept as JSON in ``expectations/``, run over one partition.

GX is imported lazily (it costs seconds of CPU); two ways keep that off the critical path:

- ``start_worker`` (the command line's runs): a helper process imports GX at once, on the core
  the main process leaves idle while it imports Dagster and runs the first, Python-bound steps
  (a thread could not: imports hold the GIL). ``validate`` then hands it each partition as an
  Arrow IPC file and gets the outcomes back; the main process never imports GX.
- ``prewarm`` (runs launched by Dagster itself): the import starts on a background thread while
  DuckDB, which releases the GIL, parses a large file.

If the helper process is not available, ``validate`` runs the suite in this process.

Memory is bounded by design: GX's pandas engine gets at most ``CCHC_GX_SAMPLE_ROWS`` rows
(default 100,000) of a partition. A month within that is validated whole, by GX alone. A larger
month gives GX a deterministic sample (the rows first by a hash of the suite's columns: the same
rows on every run, whichever path loads them), and ``count_all_rows`` then counts every
expectation that ``cchc_etl.expectations_sql`` translates over all of the partition's rows in
DuckDB: the checks' pass or fail and counts are exact, not sampled. An expectation without a
translation keeps GX's result on the sample, marked ``sampled``.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from cchc_etl import settings
from cchc_etl.paths import EXPECTATIONS_DIR

if TYPE_CHECKING:  # pandas is imported by pyarrow's to_pandas when a frame is built: start_worker stays light
    import pandas as pd

_prewarm_lock = threading.Lock()
_prewarmed = False


def prewarm() -> None:
    global _prewarmed
    with _prewarm_lock:
        if _prewarmed or _worker is not None:
            return
        _prewarmed = True
    threading.Thread(target=lambda: __import__("great_expectations"), daemon=True, name="gx-import").start()


@dataclass(frozen=True)
class ExpectationDef:
    check_name: str
    type: str
    kwargs: dict
    severity: str  # critical | warning | info
    description: str  # the suite's meta.description ("vi / en"), or empty

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

    @property
    def source(self) -> str:
        """The contract source of a staging table's suite (staging.stg_dossiers -> dossiers)."""
        return self.table.split(".")[-1].removeprefix("stg_")


SAMPLE_ROWS_ENV = settings.GX_SAMPLE_ROWS.name
DEFAULT_SAMPLE_ROWS = settings.GX_SAMPLE_ROWS.default
ROWS_KEY = b"cchc.rows"  # Arrow schema metadata of a loaded partition: its row count before sampling


def sample_rows() -> int:
    """The most rows GX validates of one partition (``CCHC_GX_SAMPLE_ROWS``, default 100,000)."""
    return settings.gx_sample_rows()


def _columns_sql(suite: SuiteDef) -> str:
    return ", ".join('"' + c.replace('"', '""') + '"' for c in suite.columns)


def load_table(con, suite: SuiteDef, where: str = "", params: list | None = None, *, relation: str | None = None):
    """The suite's columns of one partition (of ``relation`` instead of the suite's table if given),
    as Arrow: every row if there are at most ``sample_rows()``, else that many, chosen by a hash of
    the columns (the same rows on every run; rows alike in every column are alike to GX). The
    partition's row count is in the schema metadata (``partition_rows``)."""
    cols = _columns_sql(suite)
    source = f"{relation or suite.table}{where}"
    rows = con.execute(f"SELECT count(*) FROM {source}", params or []).fetchone()[0]
    limit = sample_rows()
    if rows <= limit:
        table = con.execute(f"SELECT {cols} FROM {source}", params or []).to_arrow_table()
    else:  # top-N: DuckDB keeps `limit` rows in memory, never the partition
        table = con.execute(f"SELECT {cols} FROM {source} ORDER BY hash({cols}), {cols} LIMIT {limit}", params or []).to_arrow_table()
    return table.replace_schema_metadata({**(table.schema.metadata or {}), ROWS_KEY: str(rows).encode()})


def partition_rows(table) -> int:
    """Rows of the partition ``table`` was loaded from (``load_table``), sampled or not."""
    raw = (table.schema.metadata or {}).get(ROWS_KEY)
    return int(raw) if raw is not None else table.num_rows


def to_frame(table) -> pd.DataFrame:
    """Text as Arrow-backed pandas strings: no copy, and GX's pandas engine validates them about as
    fast as categoricals, which cost a second per million distinct ids to build."""
    import pandas as pd
    import pyarrow as pa

    return table.to_pandas(types_mapper=lambda t: pd.ArrowDtype(t) if pa.types.is_string(t) or pa.types.is_large_string(t) else None)


def load_frame(con, suite: SuiteDef, where: str = "", params: list | None = None) -> pd.DataFrame:
    """The suite's columns of one partition as pandas (see ``to_frame``)."""
    return to_frame(load_table(con, suite, where, params))


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
    rows: int | None = None  # rows of the partition
    sample_rows: int | None = None  # rows GX validated (= rows unless the partition was sampled)
    sampled: bool = False  # the result is GX's on the sample (no SQL count over all rows)


def _expectation_def(e: dict) -> ExpectationDef:
    meta = e.get("meta", {})
    name = meta.get("check_name") or f"{e['type']}__{'_'.join(str(v) for v in e['kwargs'].values() if isinstance(v, str))}"
    return ExpectationDef(name, e["type"], e["kwargs"], e.get("severity", "critical"), meta.get("description", ""))


def load_suite(path: Path) -> SuiteDef:
    """A staging table's suite: the baseline its contract implies (``baseline_expectations``),
    then the rules of ``path`` that the contract cannot express. A rule of the file that the
    baseline already holds (same check name, or same expectation and arguments) is refused."""
    from cchc_etl.contract import load_source

    raw = json.loads(path.read_text(encoding="utf-8"))
    meta = raw.get("meta", {})
    baseline = baseline_expectations(load_source(meta["table"].split(".")[-1].removeprefix("stg_")))
    implied = {e["meta"]["check_name"] for e in baseline} | {_rule_key(e) for e in baseline}
    for e in raw["expectations"]:
        name = e.get("meta", {}).get("check_name")
        if name in implied or _rule_key(e) in implied:
            raise ValueError(f"{path.name}: {name or e['type']} is implied by the contract (baseline_expectations); "
                             "the file keeps only the rules the contract cannot express")
    exps = [_expectation_def(e) for e in [*baseline, *raw["expectations"]]]
    return SuiteDef(raw["name"], meta["asset"], meta["table"], meta.get("partition_column"), tuple(exps))


def _rule_key(e: dict) -> str:
    return json.dumps([e["type"], e["kwargs"]], sort_keys=True)


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


# expectations whose domain is a set of columns (not the table): they may run on a frame of
# just those columns
_MULTICOLUMN = ("expect_column_pair_", "expect_compound_columns_", "expect_multicolumn_")


def _batches(suite: SuiteDef) -> list[tuple[list[str] | None, list[int]]]:
    """The suite split into (columns, positions of its expectations) batches: each multi-column
    expectation on a frame of just its columns, the others (single-column, table) on the whole
    frame (None). GX's pandas engine drops rows with missing values (``ignore_row_if``) by
    filtering the whole batch frame, every column of it, several times per expectation: 0.5 s of
    a 1 s suite at 1M rows for one column pair. Such an expectation reads only its own columns
    and every frame has every row, so the outcomes are the same."""
    narrow = [i for i, e in enumerate(suite.expectations) if e.type.startswith(_MULTICOLUMN)]
    wide = [i for i in range(len(suite.expectations)) if i not in narrow]
    return ([(None, wide)] if wide else []) + [(list(dict.fromkeys(suite.expectations[i].columns)), [i]) for i in narrow]


def run_suite(suite: SuiteDef, frame: pd.DataFrame) -> list[Outcome]:
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    definition = _gx_batch_definition(suite.name)  # also makes the context the active one
    results: dict[int, object] = {}
    for columns, positions in _batches(suite):
        gx_suite = gx.ExpectationSuite(name=suite.name)
        for i in positions:
            e = suite.expectations[i]
            gx_suite.add_expectation(ExpectationConfiguration(
                type=e.type, kwargs=e.kwargs, meta={"check_name": e.check_name, "position": i}, severity=e.severity,
            ).to_domain_obj())
        batch = definition.get_batch(batch_parameters={"dataframe": frame if columns is None else frame[columns]})
        for r in batch.validate(gx_suite, result_format="SUMMARY").results:
            results[r.expectation_config.meta["position"]] = r
    outcomes = []
    for position, e in enumerate(suite.expectations):
        r = results[position]
        name = e.check_name
        res = r.result or {}
        error = None
        if r.exception_info and r.exception_info.get("raised_exception"):
            error = r.exception_info.get("exception_message")
        elif r.exception_info and not isinstance(r.exception_info.get("raised_exception"), bool):
            msgs = [v.get("exception_message") for v in r.exception_info.values() if isinstance(v, dict)]
            error = "; ".join(m for m in msgs if m) or None
        outcomes.append(Outcome(
            check_name=name, success=bool(r.success), severity=e.severity,
            element_count=res.get("element_count", res.get("observed_value") if isinstance(res.get("observed_value"), int) else None),
            unexpected_count=res.get("unexpected_count"), unexpected_percent=res.get("unexpected_percent"),
            sample=[str(v) for v in (res.get("partial_unexpected_list") or [])[:10]], error=error,
        ))
    return outcomes


# -- the helper process ------------------------------------------------------------------------

class _Worker:
    """A helper Python process that imports GX and runs suites over Arrow IPC files, one at a time.

    Started as ``python -c`` with a socket (not with multiprocessing, whose spawn re-imports the
    caller's main script and whose fork would copy DuckDB's threads and locks)."""

    def __init__(self):
        import socket
        import subprocess
        import sys
        from multiprocessing.connection import Connection

        parent, child = socket.socketpair()
        env = settings.child_environment()
        package_root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = package_root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "import sys; from cchc_etl.validation import _serve; _serve(int(sys.argv[1]))",
                 str(child.fileno())],
                pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL, env=env,
            )
        finally:
            child.close()
        self.conn = Connection(parent.detach())
        self.lock = threading.Lock()

    def validate(self, suite: SuiteDef, table) -> list[Outcome]:
        import pyarrow as pa

        from cchc_etl.leftovers import scratch_prefix

        with self.lock, tempfile.TemporaryDirectory(prefix=scratch_prefix("gx")) as tmp:  # read back memory-mapped
            path = os.path.join(tmp, "partition.arrow")
            with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)
            self.conn.send((suite, path))
            while not self.conn.poll(0.5):
                if self.process.poll() is not None:
                    raise EOFError(f"GX helper process exited ({self.process.returncode})")
            status, payload = self.conn.recv()
        if status != "ok":
            raise RuntimeError(payload)
        return payload

    def stop(self) -> None:
        import subprocess

        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.conn.close()


# Packages GX imports at start-up only for expectations and renderers the suites do not use
# (distribution tests, charts): 1.5 of GX's 5 s import. The helper process defers them.
DEFERRED_IMPORTS = ("scipy", "altair")


class _DeferredImports:
    """A meta-path finder that gives the modules of ``roots`` a ``LazyLoader``: the module object
    exists at once and its code runs on first attribute access. An expectation that does use
    scipy (say, a KS test) loads it then, so the outcomes cannot change, only when the cost is paid."""

    def __init__(self, roots: tuple[str, ...]):
        self.roots = frozenset(roots)

    def find_spec(self, name, path, target=None):
        import importlib.util
        import sys

        if name.partition(".")[0] not in self.roots:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = importlib.util.LazyLoader(spec.loader)
                return spec
        return None


def defer_imports(roots: tuple[str, ...] = DEFERRED_IMPORTS) -> None:
    """Defer the import of ``roots`` (and their submodules) in this process until first use. For
    the helper process, which imports nothing else: a process-wide hook, so not for the caller's."""
    import sys

    if not any(isinstance(f, _DeferredImports) for f in sys.meta_path):
        sys.meta_path.insert(0, _DeferredImports(roots))


def _serve(fd: int) -> None:
    """The helper process: import GX at once, then validate what the parent sends until it sends None."""
    from multiprocessing.connection import Connection

    defer_imports()
    import great_expectations  # noqa: F401 - the point of the process: import while the parent starts up
    import pyarrow as pa

    conn = Connection(fd)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            conn.close()
            # nothing to flush or clean up: skip the interpreter's teardown of GX, pandas and
            # scipy (most of a second the parent would otherwise wait for)
            os._exit(0)
        suite, path = message
        try:
            with pa.memory_map(path) as source:
                table = pa.ipc.open_file(source).read_all()
            outcomes = run_suite(suite, to_frame(table))
            del table
            conn.send(("ok", outcomes))
        except BaseException as exc:  # reported to the parent, which then runs the suite itself
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


_worker: _Worker | None = None


def start_worker() -> None:
    """Start the GX helper process (idempotent). Call early: its import overlaps the caller's start-up."""
    global _worker
    with _prewarm_lock:
        if _worker is None and not _prewarmed:
            try:
                _worker = _Worker()
            except OSError:
                _worker = None


def stop_worker() -> None:
    global _worker
    with _prewarm_lock:
        worker, _worker = _worker, None
    if worker is not None:
        worker.stop()


def validate(suite: SuiteDef, table) -> list[Outcome]:
    """Run ``suite`` over one partition (an Arrow table from ``load_table``) in the helper process
    if there is one, else (or if it fails) here. A sampled partition's outcomes are GX's on the
    sample until ``count_all_rows``."""
    global _worker
    outcomes = None
    worker = _worker
    if worker is not None:
        try:
            outcomes = worker.validate(suite, table)
        except (OSError, EOFError, RuntimeError, BrokenPipeError):
            with _prewarm_lock:
                if _worker is worker:
                    _worker = None
            worker.stop()
    if outcomes is None:
        outcomes = run_suite(suite, to_frame(table))
    rows = partition_rows(table)
    return [replace(o, rows=rows, sample_rows=table.num_rows, sampled=rows > table.num_rows) for o in outcomes]


def count_all_rows(con, suite: SuiteDef, outcomes: list[Outcome], where: str = "", params: list | None = None) -> list[Outcome]:
    """``outcomes`` of a sampled partition (``validate``) made exact: each expectation that
    ``cchc_etl.expectations_sql`` translates is counted over every row of the partition of
    ``suite.table`` (``where`` / ``params`` as for ``load_table``) in DuckDB; the others keep GX's
    result on the sample (``sampled``). Outcomes of a partition validated whole are returned as
    they are."""
    import duckdb

    from cchc_etl import expectations_sql as xsql

    if not outcomes or not any(o.sampled for o in outcomes):
        return outcomes
    params = list(params or [])
    relation = f"(SELECT {_columns_sql(suite)} FROM {suite.table}{where})"

    def run(sql: str):  # ``params`` once per use of the relation in ``sql``
        return con.execute(sql, params * sql.count(relation)).fetchone()

    types = {name: type_ for name, type_, *_ in con.execute(f"DESCRIBE SELECT {_columns_sql(suite)} FROM {suite.table}").fetchall()}
    countings = [xsql.translate(e.type, e.kwargs, types) for e in suite.expectations]
    countings = [c if c is not None and set(c.columns) <= set(types) else None for c in countings]
    try:
        totals = run(xsql.counts_sql(relation, [c or xsql.Counting("table") for c in countings]))
        rows = totals[0]
        exact = []
        for i, (o, c) in enumerate(zip(outcomes, countings)):
            if c is None:
                exact.append(replace(o, rows=rows, sampled=True))
                continue
            missing, unexpected = (totals[1 + 2 * i], totals[2 + 2 * i]) if c.kind == "map" else \
                run(xsql.duplicates_sql(relation, c)) if c.kind == "unique" else (0, 0)
            counts = xsql.result(c, rows, int(missing or 0), int(unexpected or 0))
            sample: list = []
            if counts.unexpected_count:
                values = con.execute(sql := xsql.unexpected_rows_sql(relation, c), params * sql.count(relation)).fetchall()
                sample = [str(v[0]) if len(v) == 1 else str(list(v)) for v in values]
            exact.append(replace(o, success=counts.success, element_count=counts.element_count,
                                 unexpected_count=counts.unexpected_count, unexpected_percent=counts.unexpected_percent,
                                 sample=sample, error=None, rows=rows, sampled=False))
        return exact
    except duckdb.Error:  # a translation DuckDB cannot run on these columns: GX's results on the sample stand
        return [replace(o, sampled=True) for o in outcomes]


# -- validation started while the partition is still being loaded ------------------------------

_pending_lock = threading.Lock()
_pending: dict[tuple[str, str], tuple[tuple, object]] = {}
_executor = None


def submit(suite: SuiteDef, partition: str, key: tuple, table) -> None:
    """Start validating ``table`` — the rows partition ``partition`` of ``suite`` is about to hold —
    on a background thread (which hands it to the helper process, or runs GX here), so that GX
    works while DuckDB writes the rows. ``key`` identifies that content (the month's files, their
    hashes and load fingerprints); ``take`` uses the result only if the partition still matches."""
    global _executor
    from concurrent.futures import ThreadPoolExecutor

    with _pending_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gx-validate")
        _pending[(suite.name, partition)] = (key, _executor.submit(validate, suite, table))


def take(suite: SuiteDef, partition: str, key: tuple) -> list[Outcome] | None:
    """The outcomes of a ``submit`` of this partition with this content, or None (never submitted in
    this process, the content changed since, or the validation failed: the caller validates)."""
    with _pending_lock:
        entry = _pending.pop((suite.name, partition), None)
    if entry is None or entry[0] != key:
        return None
    try:
        return entry[1].result()
    except Exception:  # noqa: BLE001 - the caller validates the staged rows itself
        return None


def suite_for_table(table: str) -> SuiteDef | None:
    return next((s for s in all_suites() if s.table == table), None)


def baseline_expectations(spec) -> list[dict]:
    """The expectations every staged table carries, generated from its contract: rows present,
    required fields not null, coded fields within their canonical values. ``load_suite`` puts
    them before the rules of the table's JSON file in ``expectations/``, which holds only what
    the contract cannot express; ``tests/unit/test_expectations.py`` keeps the two apart."""
    out: list[dict] = [{
        "type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}, "severity": "warning",
        "meta": {"check_name": "has_rows",
                 "description": f"Tháng có dữ liệu {spec.label_vi[:1].lower()}{spec.label_vi[1:]} / the month has staged {spec.source}"},
    }]
    if not spec.reference:
        out.append({"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "system"}, "severity": "critical",
                    "meta": {"check_name": "system_not_null"}})
    for f in spec.fields:
        if f.required:
            out.append({"type": "expect_column_values_to_not_be_null", "kwargs": {"column": f.staged_name},
                        "severity": "critical", "meta": {"check_name": f"{f.name}_not_null"}})
        if f.type == "enum" and not f.open_values:  # an open vocabulary also holds unit codes
            values = sorted(f.values)
            if f.sql_type and f.sql_type.upper() in ("INTEGER", "BIGINT"):
                values = sorted(int(v) for v in values)
            out.append({"type": "expect_column_values_to_be_in_set", "kwargs": {"column": f.name, "value_set": values},
                        "severity": "critical", "meta": {"check_name": f"{f.name}_in_set"}})
    return out


if __name__ == "__main__":  # python -m cchc_etl.validation SOURCE  -> a new table's suite file on stdout
    import sys

    from cchc_etl.contract import load_source

    _spec = load_source(sys.argv[1])
    print(json.dumps({
        "name": f"stg_{_spec.source}",
        "meta": {"asset": f"staging/stg_{_spec.source}", "table": _spec.staging_table,
                 "partition_column": None if _spec.reference else "month"},
        "expectations": [],  # the contract's baseline is added when the suite is loaded; add the table's own rules here
    }, ensure_ascii=False, indent=2))
