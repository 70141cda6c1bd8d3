"""``cchc-etl sample``, ``run``, ``demo`` and ``holidays``: the monthly pipeline from the command
line, the same Dagster job run in-process month by month."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from cchc_etl import settings
from cchc_etl.cli.common import (
    LOG,
    METHODOLOGY_HELP,
    MONTH_FROM_HELP,
    MONTH_TO_HELP,
    CliError,
    MonthOutcome,
    _instance,
    _min_dossiers,
    _month,
    _summarise,
    log_level,
    months_between,
)
from cchc_etl.summary import print_summary


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


def run_months(landing: Path, warehouse_url: str, months: list[str], *, pii_key: str | None, allow_demo_key: bool,
               methodology: str | None = None, quiet: bool = False, publish_url: str | None = None,
               timings: bool = False, allow_missing: list[str] | None = None, rotate_pii_key: bool = False) -> list[MonthOutcome]:
    if not landing.is_dir():
        raise CliError(f"landing directory not found: {landing}")
    from cchc_etl import pii_key as warehouse_key
    from cchc_etl import validation
    from cchc_etl.pii import key_fingerprint, resolve_key
    from cchc_etl.warehouse import duckdb_path

    # a key other than the warehouse's is refused here, before anything runs
    fingerprint = key_fingerprint(resolve_key(pii_key, allow_demo=allow_demo_key))
    plan = warehouse_key.plan_run(duckdb_path(warehouse_url), landing, months, fingerprint, rotate=rotate_pii_key)
    if plan.rotate and not quiet:
        print(f"Đổi khoá PII / rotating the PII key to {fingerprint}: {len(plan.months)} tháng / months "
              f"({warehouse_key.months_label(plan.months)})" + (f", incl. loaded months {', '.join(plan.reloaded)}" if plan.reloaded else ""))
    validation.start_worker()  # imports Great Expectations in a helper process while Dagster starts here
    from cchc_etl.readers import WORKBOOK_SUFFIXES, sandbox

    folders = ["reference", *(f"*/{month}" for month in months)]
    if any(p.suffix.lower() in WORKBOOK_SUFFIXES for folder in folders for p in landing.glob(f"{folder}/*")):
        sandbox.prestart()  # and the workbook reader's process (readers.sandbox), likewise
    try:
        _clean_leftovers(warehouse_url, quiet=quiet)
        outcomes = _run_months(landing, warehouse_url, plan.months, pii_key=pii_key, allow_demo_key=allow_demo_key,
                               methodology=methodology, quiet=quiet, publish_url=publish_url, timings=timings,
                               allow_missing=allow_missing, rotate_pii_key=plan.rotate)
    finally:
        validation.stop_worker()
    if plan.rotate:
        from cchc_etl.warehouse import connect

        with connect(warehouse_url) as con:
            remaining = warehouse_key.finish_rotation(con, fingerprint)
        if remaining:
            failed = next((o for o in outcomes if not o.success or o.checks_failed), None)
            raise CliError((f"{failed.month}: {failed.failure or '; '.join(failed.checks_failed)} — " if failed else "")
                           + warehouse_key.rotation_unfinished(remaining, fingerprint))
    return outcomes


def _clean_leftovers(warehouse_url: str, *, quiet: bool) -> None:
    """Partial exports and scratch directories of killed runs (``cchc_etl.leftovers``)."""
    from cchc_etl.defs.exports import ExportsResource, clean_leftovers

    exports = ExportsResource(parquet_root=settings.parquet_dir(), snapshot_path=settings.snapshot_path())
    removed = clean_leftovers(warehouse_url, exports)
    if removed and not quiet:
        print(f"Đã xoá tệp tạm của lần chạy bị dừng / removed what killed runs left: {len(removed)} "
              f"({', '.join(p.name for p in removed[:5])}{' …' if len(removed) > 5 else ''})")


def _run_months(landing: Path, warehouse_url: str, months: list[str], *, pii_key: str | None, allow_demo_key: bool,
                methodology: str | None, quiet: bool, publish_url: str | None, timings: bool = False,
                allow_missing: list[str] | None = None, rotate_pii_key: bool = False) -> list[MonthOutcome]:
    from cchc_etl.definitions import build_definitions

    with _publish_url_in_env(publish_url):
        return _run_job(landing, warehouse_url, months, pii_key=pii_key, allow_demo_key=allow_demo_key, methodology=methodology,
                        quiet=quiet, timings=timings, allow_missing=allow_missing, build_definitions=build_definitions,
                        rotate_pii_key=rotate_pii_key)


def _publish_url_in_env(publish_url: str | None):
    """The publish target reaches the job's resource through CCHC_PUBLISH_URL, read when the step
    runs: a URL in the resource's config would be stored (password included) in the job snapshot
    of Dagster's instance."""
    return settings.overridden(settings.PUBLISH_URL, publish_url)


def _run_job(landing: Path, warehouse_url: str, months: list[str], *, pii_key: str | None, allow_demo_key: bool,
             methodology: str | None, quiet: bool, timings: bool, allow_missing: list[str] | None,
             build_definitions, rotate_pii_key: bool = False) -> list[MonthOutcome]:
    from cchc_etl.orphan_runs import fail_orphaned_runs, run_tags

    defs = build_definitions(landing=str(landing), warehouse_url=warehouse_url, pii_key=pii_key,
                             allow_demo_key=allow_demo_key, methodology=methodology, rotate_pii_key=rotate_pii_key)
    job = defs.resolve_job_def("cchc_monthly")
    instance = _instance()
    if settings.dagster_home():
        for orphan in fail_orphaned_runs(instance):
            if not quiet:
                print(f"Lượt chạy bị bỏ dở / orphaned run {orphan.run_id} ({orphan.partition or '-'}, pid {orphan.pid} is gone): "
                      "đánh dấu thất bại / marked as failed")
    outcomes = []
    for i, month in enumerate(months, 1):
        if not quiet:
            print(f"[{i}/{len(months)}] {month} … ", end="", flush=True)
        started = time.perf_counter()
        result = job.execute_in_process(
            partition_key=f"{month}-01", instance=instance, raise_on_error=False, tags=run_tags(),
            # failures are reported once, as one line, by main(); CCHC_LOG_LEVEL=DEBUG shows Dagster's own event log
            run_config={"loggers": {"console": {"config": {"log_level": log_level()}}}, **landing_run_config(allow_missing)},
        )
        outcome = _summarise(month, result, time.perf_counter() - started)
        outcome.step_seconds = _step_seconds(instance, result.run_id)
        outcomes.append(outcome)
        log_month(month, result, outcome)
        if not quiet:
            print(progress_line(outcome))
            for failed in outcome.checks_failed:
                print(f"      ✗ {failed}")
            for warning in outcome.warnings:
                print(f"      {warning.line()}")
            if timings:
                from cchc_etl.format_vi import number

                for step, secs in sorted(outcome.step_seconds.items(), key=lambda kv: -kv[1]):
                    print(f"      {number(secs, 2):>7}s  {step}")
        if not outcome.success:
            # a month fails when its run fails (a step failed or a blocking check failed): later
            # months build on its month-end state, as core/fct_dossier_month_end depends on its
            # previous partition in the asset graph (a backfill stops there as well)
            outcome.not_run = months[i:]
            if not quiet and outcome.not_run:
                print(f"      {not_run_text(outcome.not_run)}")
            break
    return outcomes


def progress_line(o: MonthOutcome) -> str:
    """``xong / done — 12,3 s — 1.015 dòng đã nạp / rows loaded, …`` for one month."""
    from cchc_etl.format_vi import noun, number, seconds

    state = "xong / done" if o.success and not o.checks_failed else "LỖI / FAILED"
    line = (f"{state} — {seconds(o.seconds)} — {number(o.loaded)} dòng đã nạp / {noun(o.loaded, 'row')} loaded, "
            f"{number(o.quarantined)} dòng cách ly / quarantined, "
            f"{number(o.checks_passed)} kiểm tra đạt / {noun(o.checks_passed, 'check')} passed")
    if o.warnings:
        line += f", {number(len(o.warnings))} cảnh báo / {noun(len(o.warnings), 'warning')}"
    return line


def log_month(month: str, result, outcome: MonthOutcome) -> None:
    """At CCHC_LOG_LEVEL=INFO: each step with its seconds, each asset materialized with its row
    counts, each check with its outcome."""
    if not LOG.isEnabledFor(logging.INFO):
        return
    from cchc_etl.format_vi import number

    for event in result.all_events:
        kind = event.event_type_value
        if kind == "STEP_SUCCESS":
            LOG.info("%s: bước / step %s — %s s", month, event.step_key, number(outcome.step_seconds.get(event.step_key, 0.0), 2))
        elif kind == "ASSET_MATERIALIZATION":
            mat = event.event_specific_data.materialization
            counts = ", ".join(f"{k} {number(v.value)}" for k, v in mat.metadata.items()
                               if isinstance(getattr(v, "value", None), int) and not isinstance(v.value, bool))
            LOG.info("%s: tài sản / asset %s%s", month, "/".join(mat.asset_key.path), f" ({counts})" if counts else "")
        elif kind == "ASSET_CHECK_EVALUATION":
            ev = event.event_specific_data
            state = "đạt / passed" if ev.passed else f"KHÔNG ĐẠT / FAILED ({ev.severity.value})"
            LOG.info("%s: kiểm tra / check %s:%s — %s", month, "/".join(ev.asset_key.path), ev.check_name, state)


def not_run_text(months: list[str]) -> str:
    return (f"các tháng chưa chạy / months not run: {', '.join(months)} (mỗi tháng dựa trên trạng thái cuối tháng trước / "
            "each month builds on the previous month's state)")


def landing_run_config(allow_missing: list[str] | None) -> dict:
    """Run config of the raw/landing_files asset: the event sources accepted as missing this run."""
    if not allow_missing:
        return {}
    return {"ops": {"raw__landing_files": {"config": {"allow_missing": sorted(set(allow_missing))}}}}


def _raise_for(outcomes: list[MonthOutcome]) -> None:
    for o in outcomes:
        if not o.success:
            raise CliError(f"{o.month}: {o.failure or 'run failed'}" + (f" (failed checks: {'; '.join(o.checks_failed)})" if o.checks_failed else "")
                           + (f"; {not_run_text(o.not_run)}" if o.not_run else ""))
    for o in outcomes:
        if o.checks_failed:
            raise CliError(f"{o.month}: failed checks: {'; '.join(o.checks_failed)}")


def cmd_sample(args) -> None:
    from cchc_etl.sample import write_sample_landing

    manifest = write_sample_landing(Path(args.out), args.start, args.end, rows_per_month=args.rows, seed=args.seed)
    print(f"Đã tạo dữ liệu mẫu / sample landing written: {args.out} ({len(manifest.files)} files, months {args.start}..{args.end})")


def cmd_run(args) -> None:
    from cchc_etl.locks import exclusive_run
    from cchc_etl.pii import resolve_key
    from cchc_etl.warehouse import duckdb_path

    duckdb_path(args.warehouse)  # a wrong URL fails here, before any work
    resolve_key()  # so does a missing CCHC_PII_KEY
    months = months_between(args.start, args.end)
    if args.allow_missing:
        from cchc_etl.contract import event_sources

        unknown = sorted(set(args.allow_missing) - set(event_sources()))
        if unknown:
            from cchc_etl.suggest import did_you_mean

            raise CliError(f"--allow-missing: không phải nguồn dữ liệu theo tháng / not an event source: {', '.join(unknown)}"
                           f"{did_you_mean(unknown[0], event_sources())}")
    if args.methodology:
        from cchc_etl.methodology import load_methodology

        load_methodology(args.methodology)  # an unknown version: one line, before any work
    if not Path(args.landing).is_dir():
        raise CliError(f"landing directory not found: {args.landing}")
    from cchc_etl.warehouse_file import announce, warehouse_file

    url = announce(args.warehouse)
    # with a publish URL the job's publish/postgres asset publishes each month after its checks
    with exclusive_run(duckdb_path(url)):  # a second run is refused here, naming this one; a reader is waited for
        outcomes = run_months(Path(args.landing), url, months, pii_key=None, allow_demo_key=False,
                              methodology=args.methodology, publish_url=args.publish, timings=args.timings,
                              allow_missing=args.allow_missing, rotate_pii_key=args.rotate_pii_key)
    _raise_for(outcomes)
    print_summary(url, months[-1], min_dossiers=args.min_dossiers, methodology=args.methodology)
    print(f"\nKho dữ liệu / warehouse: {warehouse_file(url)}")
    if args.publish:
        from cchc_etl.redaction import redact_url

        print(f"Đã xuất bản / published to PostgreSQL: {redact_url(args.publish)}")


def cmd_demo(args) -> None:
    from cchc_etl.locks import exclusive_run
    from cchc_etl.pii import DEMO_KEY_WARNING
    from cchc_etl.sample import write_sample_landing
    from cchc_etl.warehouse import duckdb_path
    from cchc_etl.warehouse_file import announce, warehouse_file

    out = Path(args.dir)
    landing = out / "landing"
    url = args.warehouse or f"duckdb:///{(out / 'warehouse.duckdb').as_posix()}"
    duckdb_path(url)
    months = months_between(args.start, args.end)
    with exclusive_run(duckdb_path(url)):  # before the sample is rewritten under a running demo
        write_sample_landing(landing, args.start, args.end, rows_per_month=args.rows, seed=args.seed)
        print(f"Dữ liệu mẫu / sample landing: {landing.resolve()}")
        url = announce(url, warn_checkout=False)  # data/demo inside the checkout is the demo's own place
        if not settings.pii_key():
            print(DEMO_KEY_WARNING)
        outcomes = run_months(landing, url, months, pii_key=None, allow_demo_key=True)
    _raise_for(outcomes)
    print_summary(url, args.end, min_dossiers=args.min_dossiers)
    from cchc_etl.reports.demo import demo_reports

    print()
    demo_reports(url, args.end)
    path = warehouse_file(url)
    print(f"\nKho dữ liệu / warehouse: {path}  (duckdb {path} → SELECT * FROM marts.period_report)")


def cmd_holidays(args) -> None:
    from cchc_etl.calendar_vn import holidays_csv, write_holidays_csv

    if args.out:
        from importlib.metadata import version

        from cchc_etl.format_vi import noun, number

        n = write_holidays_csv(Path(args.out), args.years)
        print(f"Đã ghi {number(n)} ngày / wrote {number(n)} {noun(n, 'row')} to {args.out} — đề xuất theo holidays.VN "
              f"(holidays {version('holidays')}); đối chiếu với quyết định chính thức về nghỉ Tết và hoán đổi ngày làm việc / "
              "a proposal: check it against the official decision for the Tết break and swapped days "
              "(landing/reference/holidays.csv is what the warehouse uses)")
    else:
        sys.stdout.write(holidays_csv(args.years))


def add_commands(sub) -> None:
    from cchc_etl.summary import DEFAULT_MIN_DOSSIERS, MIN_DOSSIERS_ENV
    from cchc_etl.warehouse import DEFAULT_URL

    min_dossiers_help = (f"chỉ xếp hạng đơn vị có từ N hồ sơ đã giải quyết trong tháng / rank only units with at least N "
                         f"dossiers resolved in the month (env {MIN_DOSSIERS_ENV}, default {DEFAULT_MIN_DOSSIERS})")

    p = sub.add_parser("sample", help="tạo cây dữ liệu mẫu / write a realistic sample landing tree",
                       description="Tạo cây thư mục landing mẫu theo hợp đồng dữ liệu / write a sample landing tree in the "
                                   "contract's layout.")
    p.add_argument("--out", required=True, help="thư mục landing sẽ ghi / landing root to write")
    p.add_argument("--from", dest="start", required=True, type=_month, metavar="YYYY-MM", help=MONTH_FROM_HELP)
    p.add_argument("--to", dest="end", required=True, type=_month, metavar="YYYY-MM", help=MONTH_TO_HELP)
    p.add_argument("--rows", type=int, default=2000, help="số hồ sơ mới mỗi tháng / new dossiers per month (default 2000)")
    p.add_argument("--seed", type=int, default=7, help="hạt giống ngẫu nhiên / random seed (same seed, same files; default 7)")
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("run", help="chạy mọi tài sản cho các tháng / materialize every asset for a range of months",
                       description="Chạy mọi tài sản Dagster cho từng tháng, theo thứ tự, rồi in tóm tắt tháng cuối / "
                                   "materialize every asset for the months, in order, then print the last month's summary.")
    p.add_argument("--landing", default=settings.landing_dir(),
                   help="thư mục landing / landing root (env CCHC_LANDING_DIR, default landing)")
    p.add_argument("--warehouse", default=settings.warehouse_url(), metavar="URL",
                   help=f"kho dữ liệu DuckDB / DuckDB warehouse: duckdb:///relative.duckdb or duckdb:////absolute.duckdb "
                        f"(env CCHC_WAREHOUSE_URL, default {DEFAULT_URL})")
    p.add_argument("--from", dest="start", required=True, type=_month, metavar="YYYY-MM", help=MONTH_FROM_HELP)
    p.add_argument("--to", dest="end", required=True, type=_month, metavar="YYYY-MM", help=MONTH_TO_HELP)
    p.add_argument("--methodology", default=None, help=METHODOLOGY_HELP)
    p.add_argument("--publish", default=settings.publish_url() or None,
                   help="xuất bản từng tháng sang PostgreSQL / also publish each month to PostgreSQL: "
                        "postgresql+psycopg://user@host:5432/db (env CCHC_PUBLISH_URL)")
    p.add_argument("--timings", action="store_true",
                   help="in số giây của từng bước, chậm nhất trước / print the wall seconds of every step of each month, slowest first")
    p.add_argument("--allow-missing", dest="allow_missing", action="append", default=[], metavar="SOURCE",
                   help="chấp nhận một nguồn theo tháng vắng tệp trong lần chạy này (lặp lại được) / accept for this run that an "
                        "event source (e.g. dossiers) which had files the month before has none (repeatable); otherwise the "
                        "check raw/landing_files:sources_present fails the month")
    p.add_argument("--min-dossiers", dest="min_dossiers", type=_min_dossiers, default=None, metavar="N", help=min_dossiers_help)
    p.add_argument("--rotate-pii-key", dest="rotate_pii_key", action="store_true",
                   help="đổi khóa PII: nạp lại mọi tháng đã nạp bằng khóa mới / accept a CCHC_PII_KEY other than the "
                        "warehouse's: every loaded month is reloaded from its landing files with the new key (with the "
                        "months asked), so that no two keys are mixed")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("demo", help="dữ liệu mẫu + chạy + tóm tắt, không cần cài đặt / sample + run + summary, with no set-up",
                       description="Tạo dữ liệu mẫu, chạy toàn bộ quy trình và in tóm tắt; băm dữ liệu cá nhân bằng khóa demo "
                                   "công khai khi CCHC_PII_KEY chưa đặt / generate sample data, run the pipeline and print a "
                                   "summary; PII is hashed with the public demo key when CCHC_PII_KEY is not set.")
    p.add_argument("--dir", default="data/demo",
                   help="nơi đặt dữ liệu mẫu và kho / where the sample landing and the warehouse go (default data/demo)")
    p.add_argument("--warehouse", default=None, metavar="URL",
                   help="URL kho dữ liệu / warehouse URL (default duckdb:///<dir>/warehouse.duckdb)")
    p.add_argument("--from", dest="start", default="2024-01", type=_month, metavar="YYYY-MM", help=MONTH_FROM_HELP + " (default 2024-01)")
    p.add_argument("--to", dest="end", default="2024-03", type=_month, metavar="YYYY-MM", help=MONTH_TO_HELP + " (default 2024-03)")
    p.add_argument("--rows", type=int, default=2000, help="số hồ sơ mới mỗi tháng / new dossiers per month (default 2000)")
    p.add_argument("--seed", type=int, default=7, help="hạt giống ngẫu nhiên / random seed (same seed, same files; default 7)")
    p.add_argument("--min-dossiers", dest="min_dossiers", type=_min_dossiers, default=None, metavar="N", help=min_dossiers_help)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("holidays", help="đề xuất lịch nghỉ lễ của các năm / propose the holiday calendar of some years "
                                        "(holidays.VN: lunar Tết, Hùng Kings' day, days off in lieu, official swaps)",
                       description="Ghi tệp ngày nghỉ đề xuất (date,name,kind) cho các năm; quyết định chính thức được ưu tiên / "
                                   "write a proposed holidays file (date,name,kind) for the years; the official decision "
                                   "overrides it (landing/reference/holidays.csv is what the warehouse uses).")
    p.add_argument("years", nargs="+", type=int, help="các năm / years, e.g. 2026 2027")
    p.add_argument("--out", default=None, help="tệp CSV sẽ ghi / CSV file to write (default: print)")
    p.set_defaults(func=cmd_holidays)
