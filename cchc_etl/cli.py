"""``cchc-etl``: the same Dagster definitions, run in-process from the command line.

    cchc-etl sample --out DIR --from 2024-01 --to 2024-03 [--rows N] [--seed S]
    cchc-etl run --landing DIR --warehouse URL --from YYYY-MM --to YYYY-MM [--allow-missing SOURCE ...]
    cchc-etl demo

Exit code 0 on success; otherwise 1 with a one-line reason on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class CliError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """Usage mistakes get the same one-line error and exit code as every other failure."""

    def error(self, message: str):  # noqa: D401 - argparse API
        from cchc_etl.redaction import redact

        self.exit(1, f"cchc-etl: error: {redact(message)} (see {self.prog} --help)\n")


def _month(value: str) -> str:
    if not MONTH.match(value):
        raise argparse.ArgumentTypeError(f"expected YYYY-MM, got {value!r}")
    return value


def months_between(start: str, end: str) -> list[str]:
    y, m = map(int, start.split("-"))
    ey, em = map(int, end.split("-"))
    if (y, m) > (ey, em):
        raise CliError(f"--from {start} is after --to {end}")
    out = []
    while (y, m) <= (ey, em):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@dataclass
class MonthOutcome:
    month: str
    seconds: float
    success: bool
    loaded: int = 0
    quarantined: int = 0
    checks_passed: int = 0
    checks_failed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failure: str | None = None
    step_seconds: dict[str, float] = field(default_factory=dict)  # Dagster step key -> wall seconds


def _instance():
    from dagster import DagsterInstance

    if os.environ.get("DAGSTER_HOME"):
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
                    out.warnings.append(name)
        elif event.event_type_value == "STEP_FAILURE" and out.failure is None:
            err = event.event_specific_data.error
            cause = err
            while cause.cause is not None:
                cause = cause.cause
            out.failure = f"step {event.step_key}: {_first_line(cause.message) if cause.message else err.message}"
    return out


def _step_seconds(instance, run_id: str) -> dict[str, float]:
    """Wall seconds of each step of the run, from the start and end events in Dagster's event log
    (only those are read: a run logs about fifteen times as many)."""
    from dagster import DagsterEventType

    started: dict[str, float] = {}
    out: dict[str, float] = {}
    kinds = {DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE}
    for record in instance.get_records_for_run(run_id, of_type=kinds).records:
        entry = record.event_log_entry
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type_value == "STEP_START":
            started[event.step_key] = entry.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE") and event.step_key in started:
            out[event.step_key] = round(entry.timestamp - started[event.step_key], 3)
    return out


def _first_line(message: str) -> str:
    """The exception's own line (Dagster appends the traceback; DuckDB appends the SQL and a caret)."""
    lines = [ln.strip() for ln in message.strip().splitlines() if ln.strip()]
    return lines[0] if lines else message


def run_months(landing: Path, warehouse_url: str, months: list[str], *, pii_key: str | None, allow_demo_key: bool,
               methodology: str | None = None, quiet: bool = False, publish_url: str | None = None,
               timings: bool = False, allow_missing: list[str] | None = None) -> list[MonthOutcome]:
    if not landing.is_dir():
        raise CliError(f"landing directory not found: {landing}")
    from cchc_etl import validation

    validation.start_worker()  # imports Great Expectations in a helper process while Dagster starts here
    from cchc_etl.readers import WORKBOOK_SUFFIXES, sandbox

    folders = ["reference", *(f"*/{month}" for month in months)]
    if any(p.suffix.lower() in WORKBOOK_SUFFIXES for folder in folders for p in landing.glob(f"{folder}/*")):
        sandbox.prestart()  # and the workbook reader's process (readers.sandbox), likewise
    try:
        return _run_months(landing, warehouse_url, months, pii_key=pii_key, allow_demo_key=allow_demo_key,
                           methodology=methodology, quiet=quiet, publish_url=publish_url, timings=timings,
                           allow_missing=allow_missing)
    finally:
        validation.stop_worker()


def _run_months(landing: Path, warehouse_url: str, months: list[str], *, pii_key: str | None, allow_demo_key: bool,
                methodology: str | None, quiet: bool, publish_url: str | None, timings: bool = False,
                allow_missing: list[str] | None = None) -> list[MonthOutcome]:
    from cchc_etl.definitions import build_definitions

    with _publish_url_in_env(publish_url):
        return _run_job(landing, warehouse_url, months, pii_key=pii_key, allow_demo_key=allow_demo_key, methodology=methodology,
                        quiet=quiet, timings=timings, allow_missing=allow_missing, build_definitions=build_definitions)


@contextlib.contextmanager
def _publish_url_in_env(publish_url: str | None):
    """The publish target reaches the job's resource through CCHC_PUBLISH_URL, read when the step
    runs: a URL in the resource's config would be stored (password included) in the job snapshot
    of Dagster's instance."""
    from cchc_etl.publish import PUBLISH_URL_ENV

    if not publish_url:
        yield
        return
    saved = os.environ.get(PUBLISH_URL_ENV)
    os.environ[PUBLISH_URL_ENV] = publish_url
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(PUBLISH_URL_ENV, None)
        else:
            os.environ[PUBLISH_URL_ENV] = saved


def _run_job(landing: Path, warehouse_url: str, months: list[str], *, pii_key: str | None, allow_demo_key: bool,
             methodology: str | None, quiet: bool, timings: bool, allow_missing: list[str] | None,
             build_definitions) -> list[MonthOutcome]:
    defs = build_definitions(landing=str(landing), warehouse_url=warehouse_url, pii_key=pii_key,
                             allow_demo_key=allow_demo_key, methodology=methodology)
    job = defs.resolve_job_def("cchc_monthly")
    instance = _instance()
    outcomes = []
    for i, month in enumerate(months, 1):
        if not quiet:
            print(f"[{i}/{len(months)}] {month} … ", end="", flush=True)
        started = time.perf_counter()
        result = job.execute_in_process(
            partition_key=f"{month}-01", instance=instance, raise_on_error=False,
            # failures are reported once, as one line, by main(); CCHC_LOG_LEVEL=INFO shows Dagster's log
            run_config={"loggers": {"console": {"config": {"log_level": os.environ.get("CCHC_LOG_LEVEL", "CRITICAL")}}},
                        **landing_run_config(allow_missing)},
        )
        outcome = _summarise(month, result, time.perf_counter() - started)
        outcome.step_seconds = _step_seconds(instance, result.run_id)
        outcomes.append(outcome)
        if not quiet:
            state = "xong / done" if outcome.success and not outcome.checks_failed else "LỖI / FAILED"
            print(f"{state} in {outcome.seconds:.1f}s — {outcome.loaded:,} rows loaded, {outcome.quarantined:,} quarantined, "
                  f"{outcome.checks_passed} checks passed"
                  + (f", {len(outcome.warnings)} warnings" if outcome.warnings else ""))
            for failed in outcome.checks_failed:
                print(f"      ✗ {failed}")
            if timings:
                for step, seconds in sorted(outcome.step_seconds.items(), key=lambda kv: -kv[1]):
                    print(f"      {seconds:7.2f}s  {step}")
        if not outcome.success:
            break  # later months build on this one's state
    return outcomes


def landing_run_config(allow_missing: list[str] | None) -> dict:
    """Run config of the raw/landing_files asset: the event sources accepted as missing this run."""
    if not allow_missing:
        return {}
    return {"ops": {"raw__landing_files": {"config": {"allow_missing": sorted(set(allow_missing))}}}}


def _raise_for(outcomes: list[MonthOutcome]) -> None:
    for o in outcomes:
        if not o.success:
            raise CliError(f"{o.month}: {o.failure or 'run failed'}" + (f" (failed checks: {'; '.join(o.checks_failed)})" if o.checks_failed else ""))
    for o in outcomes:
        if o.checks_failed:
            raise CliError(f"{o.month}: failed checks: {'; '.join(o.checks_failed)}")


def cmd_sample(args) -> None:
    from cchc_etl.sample import write_sample_landing

    manifest = write_sample_landing(Path(args.out), args.start, args.end, rows_per_month=args.rows, seed=args.seed)
    print(f"Đã tạo dữ liệu mẫu / sample landing written: {args.out} ({len(manifest.files)} files, months {args.start}..{args.end})")


def cmd_run(args) -> None:
    from cchc_etl.pii import resolve_key
    from cchc_etl.warehouse import duckdb_path

    duckdb_path(args.warehouse)  # a wrong URL fails here, before any work
    resolve_key()  # so does a missing CCHC_PII_KEY
    months = months_between(args.start, args.end)
    if args.allow_missing:
        from cchc_etl.contract import event_sources

        unknown = sorted(set(args.allow_missing) - set(event_sources()))
        if unknown:
            raise CliError(f"--allow-missing: không phải nguồn dữ liệu theo tháng / not an event source: {', '.join(unknown)} "
                           f"(known: {', '.join(event_sources())})")
    # with a publish URL the job's publish/postgres asset publishes each month after its checks
    outcomes = run_months(Path(args.landing), args.warehouse, months, pii_key=None, allow_demo_key=False,
                          methodology=args.methodology, publish_url=args.publish, timings=args.timings,
                          allow_missing=args.allow_missing)
    _raise_for(outcomes)
    print(f"Kho dữ liệu / warehouse: {args.warehouse}")
    if args.publish:
        from cchc_etl.redaction import redact_url

        print(f"Đã xuất bản / published to PostgreSQL: {redact_url(args.publish)}")


def print_summary(warehouse_url: str, month: str) -> None:
    from cchc_etl.warehouse import connect

    with connect(warehouse_url, read_only=True) as con:
        start = dt.date.fromisoformat(f"{month}-01")
        city = con.execute(
            "SELECT org_unit_code, numerator, denominator, value FROM marts.indicator_values "
            "WHERE period_type = 'month' AND period_start = ? AND org_level = 'city' AND indicator_code = 'ON_TIME_REPORT'",
            [start],
        ).fetchall()
        ranked = con.execute(
            """SELECT i.org_unit_code, u.name, i.numerator, i.denominator, i.value
               FROM marts.indicator_values i
               LEFT JOIN (SELECT unit_code, any_value(name) AS name FROM staging.stg_org_units GROUP BY unit_code) u
                      ON u.unit_code = i.org_unit_code
               WHERE i.period_type = 'month' AND i.period_start = ? AND i.org_level = 'unit'
                 AND i.indicator_code = 'ON_TIME_REPORT' AND i.denominator >= 5
               ORDER BY i.value DESC, i.denominator DESC, i.org_unit_code""",
            [start],
        ).fetchall()
    print()
    print(f"Tóm tắt tháng {month} / summary for {month}")
    for code, num, den, value in city:
        shown = f"{value:.2f}%" if value is not None else "N/A"
        print(f"  Tỷ lệ giải quyết đúng hạn toàn thành phố / city on-time rate ({code}): {shown} ({int(num):,}/{int(den):,})")
    if ranked:
        print("  Đơn vị cao nhất / top units:")
        for code, name, num, den, value in ranked[:3]:
            print(f"    {code:<12} {name or '':<40} {value:6.2f}% ({int(num):,}/{int(den):,})")
        print("  Đơn vị thấp nhất / bottom units:")
        for code, name, num, den, value in ranked[-3:][::-1]:
            print(f"    {code:<12} {name or '':<40} {value:6.2f}% ({int(num):,}/{int(den):,})")
    print_scores(warehouse_url, start)


def print_scores(warehouse_url: str, month: dt.date) -> None:
    """The quarter's service-index ranking of departments and the year's targets (to date)."""
    from cchc_etl.warehouse import connect

    quarter = dt.date(month.year, (month.month - 1) // 3 * 3 + 1, 1)
    with connect(warehouse_url, read_only=True) as con:
        version = con.execute("SELECT max(methodology_version) FROM marts.scores").fetchone()[0]
        city = con.execute(
            "SELECT org_unit_code, score, max_score, ratio, classification FROM marts.scores WHERE period_type = 'quarter' "
            "AND period_start = ? AND org_level = 'city' AND group_code = 'TOTAL' AND methodology_version = ?", [quarter, version]).fetchall()
        depts = con.execute(
            """SELECT s.rank, s.org_unit_code, u.name, s.ratio, s.classification FROM marts.scores s
               LEFT JOIN (SELECT unit_code, any_value(name) AS name FROM staging.stg_org_units GROUP BY unit_code) u ON u.unit_code = s.org_unit_code
               WHERE s.period_type = 'quarter' AND s.period_start = ? AND s.org_level = 'department' AND s.group_code = 'TOTAL'
                 AND s.rank IS NOT NULL AND s.methodology_version = ? ORDER BY s.rank, s.org_unit_code""", [quarter, version]).fetchall()
        targets = con.execute(
            "SELECT count(*) FILTER (WHERE met), count(*) FILTER (WHERE NOT met), count(*) FILTER (WHERE met IS NULL) "
            "FROM marts.target_attainment WHERE year = ? AND methodology_version = ?", [month.year, version]).fetchone()
    label = f"{quarter.year}-Q{(quarter.month - 1) // 3 + 1}"
    for code, score, max_score, ratio, band in city:
        if ratio is not None:
            print(f"  Bộ chỉ số phục vụ {label} / service index {label} ({code}): {score:.2f}/{max_score:g} điểm = {ratio:.2f}% — {band}")
    if depts:
        print(f"  Xếp hạng sở, ngành, quận huyện {label} / department ranking ({version}):")
        for rank, code, name, ratio, band in depts[:5]:
            print(f"    {rank:>2}. {code:<10} {name or '':<40} {ratio:6.2f}%  {band}")
        if len(depts) > 5:
            print(f"    … {len(depts) - 5} đơn vị khác / more (marts.scores)")
    if targets and sum(targets):
        met, missed, unknown = targets
        print(f"  Chỉ tiêu năm {month.year} (lũy kế) / {month.year} targets to date: {met} đạt / met, {missed} chưa đạt / not met"
              + (f", {unknown} chưa đủ số liệu / no data" if unknown else "") + " (marts.target_attainment)")


def cmd_demo(args) -> None:
    from cchc_etl.pii import DEMO_KEY
    from cchc_etl.sample import write_sample_landing

    from cchc_etl.warehouse import duckdb_path

    out = Path(args.dir)
    landing = out / "landing"
    url = args.warehouse or f"duckdb:///{(out / 'warehouse.duckdb').as_posix()}"
    duckdb_path(url)
    write_sample_landing(landing, args.start, args.end, rows_per_month=args.rows, seed=args.seed)
    print(f"Dữ liệu mẫu / sample landing: {landing}")
    if not os.environ.get("CCHC_PII_KEY"):
        print(f"CHÚ Ý / NOTE: CCHC_PII_KEY is not set; the demo hashes PII with the public demo key {DEMO_KEY!r}. "
              "Never use it for real data.")
    outcomes = run_months(landing, url, months_between(args.start, args.end), pii_key=None, allow_demo_key=True)
    _raise_for(outcomes)
    print_summary(url, args.end)
    print(f"\nKho dữ liệu / warehouse: {url}  (duckdb {url.removeprefix('duckdb:///')} → SELECT * FROM marts.period_report)")


def cmd_holidays(args) -> None:
    from cchc_etl.calendar_vn import holidays_csv, write_holidays_csv

    if args.out:
        n = write_holidays_csv(Path(args.out), args.years)
        print(f"Đã ghi {n} ngày / wrote {n} rows to {args.out} — a proposal: replace it with the official decision "
              "for the Tết break and make-up days (landing/reference/holidays.csv)")
    else:
        sys.stdout.write(holidays_csv(args.years))


def build_parser() -> argparse.ArgumentParser:
    from cchc_etl.warehouse import DEFAULT_URL

    parser = _Parser(prog="cchc-etl", description="cchc-etl: kho dữ liệu cải cách hành chính / CCHC data warehouse")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("sample", help="write a realistic sample landing tree", description="Write a sample landing tree in the contract's layout.")
    p.add_argument("--out", required=True, help="landing root to write")
    p.add_argument("--from", dest="start", required=True, type=_month, help="first month YYYY-MM")
    p.add_argument("--to", dest="end", required=True, type=_month, help="last month YYYY-MM")
    p.add_argument("--rows", type=int, default=2000, help="new dossiers per month (default 2000)")
    p.add_argument("--seed", type=int, default=7, help="random seed (same seed, same files)")
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("run", help="materialize every asset for a range of months", description="Materialize every asset for the months, in order.")
    p.add_argument("--landing", default=os.environ.get("CCHC_LANDING_DIR", "landing"), help="landing root (env CCHC_LANDING_DIR)")
    p.add_argument("--warehouse", default=os.environ.get("CCHC_WAREHOUSE_URL", DEFAULT_URL),
                   help=f"duckdb:///relative.duckdb or duckdb:////absolute.duckdb (env CCHC_WAREHOUSE_URL, default {DEFAULT_URL})")
    p.add_argument("--from", dest="start", required=True, type=_month, help="first month YYYY-MM")
    p.add_argument("--to", dest="end", required=True, type=_month, help="last month YYYY-MM")
    p.add_argument("--methodology", default=None, help="methodology version (env CCHC_METHODOLOGY, default vn-2025.1)")
    p.add_argument("--publish", default=os.environ.get("CCHC_PUBLISH_URL") or None,
                   help="also publish each month to PostgreSQL: postgresql+psycopg://user@host:5432/db (env CCHC_PUBLISH_URL)")
    p.add_argument("--timings", action="store_true", help="print the wall seconds of every step of each month, slowest first")
    p.add_argument("--allow-missing", dest="allow_missing", action="append", default=[], metavar="SOURCE",
                   help="accept for this run that an event source (e.g. dossiers) which had files the month before has none "
                        "(repeatable); otherwise the check raw/landing_files:sources_present fails the month")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("demo", help="sample + run + summary, with no set-up", description="Generate sample data, run the pipeline and print a summary.")
    p.add_argument("--dir", default="data/demo", help="where the sample landing and the warehouse go (default data/demo)")
    p.add_argument("--warehouse", default=None, help="warehouse URL (default duckdb:///<dir>/warehouse.duckdb)")
    p.add_argument("--from", dest="start", default="2024-01", type=_month)
    p.add_argument("--to", dest="end", default="2024-03", type=_month)
    p.add_argument("--rows", type=int, default=2000)
    p.add_argument("--seed", type=int, default=7)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("holidays", help="propose the holiday calendar of some years (lunar Tết, Hùng Kings' day, days off in lieu)",
                       description="Write a default holidays file (date,name,kind) for the years; the official decision overrides it.")
    p.add_argument("years", nargs="+", type=int, help="years, e.g. 2026 2027")
    p.add_argument("--out", default=None, help="CSV to write (default: print)")
    p.set_defaults(func=cmd_holidays)

    from cchc_etl.cli_publish import add_commands
    from cchc_etl.cli_scoring import add_commands as add_scoring_commands

    add_commands(sub)
    add_scoring_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except KeyboardInterrupt:
        print("cchc-etl: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # one line, never a traceback, for operators
        from cchc_etl.pii import MissingPiiKey

        from cchc_etl.redaction import redact_exception

        kind = "" if isinstance(exc, (CliError, MissingPiiKey, FileNotFoundError, ValueError)) else f"{type(exc).__name__}: "
        message = redact_exception(exc, known=[getattr(args, "publish", None) or "", os.environ.get("CCHC_PUBLISH_URL", "")])
        print(f"cchc-etl: error: {kind}{message}", file=sys.stderr)
        if os.environ.get("CCHC_DEBUG"):
            raise
        return 1
    return 0


def entry() -> None:
    """The ``cchc-etl`` console script: ``main`` and then a quick exit. Once the command's work is
    done and its output flushed, the interpreter's teardown of Dagster, DuckDB and pandas modules
    (over half a second) serves nobody: exit handlers run (temporary directories, logging), the
    module teardown is skipped."""
    import atexit

    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        atexit._run_exitfuncs()
    finally:
        os._exit(code)


if __name__ == "__main__":
    entry()
