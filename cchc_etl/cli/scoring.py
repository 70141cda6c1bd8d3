"""``cchc-etl explain`` and ``cchc-etl score``: drill-down and re-scoring under a methodology.

    cchc-etl explain --indicator ON_TIME_REPORT --unit STNMT --period 2024-01 [--level department]
    cchc-etl score --from 2024-01 --to 2024-12 --methodology vn-2025.1-strict

``score`` re-runs only the scoring assets (core/dim_indicator and the marts of score_month) of the
same Dagster job for each month, from what is already staged: history is re-scored under any
methodology version without reloading files; results of each version are kept side by side
(methodology_version column).
"""

from __future__ import annotations

import time

from cchc_etl import settings


def cmd_explain(args) -> None:
    from cchc_etl.cli.common import CliError
    from cchc_etl.explain import explain, format_explain
    from cchc_etl.methodology import current_version
    from cchc_etl.warehouse import connect, duckdb_path

    path = duckdb_path(args.warehouse)
    if not path.exists():
        raise CliError(f"warehouse not found: {path} (run `cchc-etl run` first)")
    with connect(args.warehouse, read_only=True) as con:
        try:
            result = explain(con, args.indicator, args.unit, args.period, args.level, args.methodology or current_version(), args.limit)
        except (LookupError, KeyError) as exc:
            raise CliError(str(exc).strip("'\"")) from None
    print(format_explain(result))


def cmd_score(args) -> None:
    from dagster import AssetKey

    from cchc_etl.cli.common import CliError, _instance, log_level, months_between
    from cchc_etl.definitions import build_definitions
    from cchc_etl.format_vi import seconds
    from cchc_etl.locks import exclusive_run
    from cchc_etl.methodology import current_version, load_methodology
    from cchc_etl.table_dictionary import marts_built_by
    from cchc_etl.warehouse import duckdb_path

    version = args.methodology or current_version()
    load_methodology(version)  # unknown or invalid version: one-line error before anything runs
    if not duckdb_path(args.warehouse).exists():
        raise CliError(f"warehouse not found: {duckdb_path(args.warehouse)} (run `cchc-etl run` first)")
    defs = build_definitions(warehouse_url=args.warehouse, methodology=version)
    job = defs.resolve_job_def("cchc_monthly")
    selection = [AssetKey(["core", "dim_indicator"])] + [AssetKey(["marts", n]) for n in marts_built_by("score_month")]
    instance = _instance()
    months = months_between(args.start, args.end)
    with exclusive_run(duckdb_path(args.warehouse)):  # a run or another scoring of this warehouse: refused here
        built = months_built(duckdb_path(args.warehouse), months)
        for i, month in enumerate(months):
            if month not in built:
                raise CliError(f"{month}: tháng chưa chạy (không có trạng thái hồ sơ cuối tháng trong core.fct_dossier_month_end; "
                               f"chạy `cchc-etl run --from {month}` trước) / the month has not been run (no month-end dossier "
                               f"state); {not_scored_text(months[i:])}")
            started = time.perf_counter()
            print(f"{month} … ", end="", flush=True)
            result = job.execute_in_process(
                partition_key=f"{month}-01", instance=instance, raise_on_error=False, asset_selection=selection,
                run_config={"loggers": {"console": {"config": {"log_level": log_level()}}}},
            )
            if not result.success:
                from cchc_etl.cli.common import _summarise

                failure = _summarise(month, result, 0).failure or "scoring failed"
                raise CliError(f"{month}: {failure}" + (f"; {not_scored_text(months[i + 1:])}" if months[i + 1:] else ""))
            print(f"xong / done — {seconds(time.perf_counter() - started)} ({version})")


def not_scored_text(months: list[str]) -> str:
    return f"các tháng chưa chấm điểm / months not scored: {', '.join(months)}"


def months_built(warehouse_file, months: list[str]) -> set[str]:
    """The months whose month-end dossier state the warehouse holds: a month whose run failed or
    never happened has none, and scoring it would publish figures of an empty month."""
    from cchc_etl.warehouse import connect

    with connect(warehouse_file, read_only=True) as con:
        exists = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'core' "
                             "AND table_name = 'fct_dossier_month_end'").fetchone()[0]
        if not exists:
            return set()
        rows = con.execute("SELECT DISTINCT strftime(period_start, '%Y-%m') FROM core.fct_dossier_month_end "
                           "WHERE period_start BETWEEN ? AND ?", [f"{months[0]}-01", f"{months[-1]}-01"]).fetchall()
    return {r[0] for r in rows}


def add_commands(sub) -> None:
    from cchc_etl.cli.common import METHODOLOGY_HELP, MONTH_FROM_HELP, MONTH_TO_HELP, _month
    from cchc_etl.warehouse import DEFAULT_URL

    wh_help = f"URL kho dữ liệu / warehouse URL (env CCHC_WAREHOUSE_URL, default {DEFAULT_URL})"
    p = sub.add_parser("explain", help="tử số, mẫu số và các dòng dữ liệu sau một giá trị chỉ số / the numerator, "
                                       "denominator and rows behind an indicator value and its points",
                       description="Truy từ một giá trị chỉ số đã công bố đến các dòng dữ liệu sau nó / drill down from a "
                                   "published indicator value to the rows behind it (methodology §7).")
    p.add_argument("--indicator", required=True, help="mã chỉ số / indicator code, e.g. ON_TIME_REPORT, IDX_2_1")
    p.add_argument("--unit", required=True, help="mã đơn vị / org unit code (the city code for city level)")
    p.add_argument("--period", required=True, help="kỳ / period: YYYY-MM, YYYY-Qn or YYYY")
    p.add_argument("--level", choices=("unit", "department", "city"), default=None,
                   help="số liệu riêng đơn vị (unit) hay cộng dồn (department, city) / figures of the unit alone (unit) or "
                        "rolled up (department, city); default: the lowest it has")
    p.add_argument("--warehouse", default=settings.warehouse_url(), metavar="URL", help=wh_help)
    p.add_argument("--methodology", default=None, help=METHODOLOGY_HELP)
    p.add_argument("--limit", type=int, default=50,
                   help="số dòng liệt kê / rows to list (default 50; counts are always complete)")
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser("score", help="chấm điểm lại các tháng đã nạp theo một phiên bản phương pháp / re-score months "
                                     "already loaded, under a methodology version",
                       description="Chạy lại các tài sản chấm điểm từ dữ liệu đã nạp (không đọc tệp) / re-run the scoring "
                                   "assets for the months from staged data (no files are read).")
    p.add_argument("--warehouse", default=settings.warehouse_url(), metavar="URL", help=wh_help)
    p.add_argument("--from", dest="start", required=True, type=_month, metavar="YYYY-MM", help=MONTH_FROM_HELP)
    p.add_argument("--to", dest="end", required=True, type=_month, metavar="YYYY-MM", help=MONTH_TO_HELP)
    p.add_argument("--methodology", default=None, help=METHODOLOGY_HELP)
    p.set_defaults(func=cmd_score)
