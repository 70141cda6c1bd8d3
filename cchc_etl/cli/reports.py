"""``cchc-etl report``: the reports officials hand in, from the warehouse only.

    cchc-etl report --period 2024-Q1 [--unit STNMT ...] [--out DIR] [--format xlsx,html,docx]

Without ``--unit``: the city's workbook (and drafted results report, docx) and one per department;
``html``: the scorecard site of the whole city (``<period>/site/index.html``, a page per department
and unit). Files go to ``<DIR>/<period>/`` (default ``reports/`` next to the warehouse, env
``CCHC_REPORTS_DIR``) and replace the previous ones atomically.
"""

from __future__ import annotations

from cchc_etl import settings


class ReportRefused(ValueError):
    """One line for the operator. A ValueError, which ``cli.main`` prints without a class name
    however the CLI was started (``python -m cchc_etl.cli`` has its own copy of ``CliError``)."""


def cmd_report(args) -> None:
    import duckdb

    from cchc_etl.methodology import current_version
    from cchc_etl.reports.data import ReportOptions
    from cchc_etl.reports.output import UnsupportedFormat, build_reports, check_formats
    from cchc_etl.warehouse import duckdb_path

    formats = [f.strip().lower() for f in args.format.split(",") if f.strip()] or ["xlsx"]
    try:
        check_formats(formats)
        options = ReportOptions(near_due_days=args.near_due_days, supplement_days=args.supplement_days)
    except (UnsupportedFormat, ValueError) as exc:
        raise ReportRefused(str(exc)) from None
    path = duckdb_path(args.warehouse)
    if not path.exists():
        raise ReportRefused(f"không tìm thấy kho dữ liệu / warehouse not found: {path} (chạy / run `cchc-etl run` trước / first)")
    try:
        run = build_reports(path, args.period, version=args.methodology or current_version(), units=args.unit or None,
                            out=args.out, formats=formats, options=options)
    except duckdb.IOException as exc:  # another process holds the file (a run writing it)
        reason = str(exc).strip().splitlines()[0]
        raise ReportRefused(f"không mở được kho dữ liệu / cannot open the warehouse {path}: {reason} — một lần chạy đang ghi kho? "
                       "chạy lại sau, hoặc dùng bản sao chỉ đọc / a run may be writing it: retry after it, or use the "
                       f"read-only snapshot (--warehouse duckdb:///{path.with_name(path.stem + '_snapshot' + path.suffix)})") from None
    except (LookupError, ValueError) as exc:
        raise ReportRefused(str(exc).strip("'\"")) from None
    state = "đủ kỳ / complete" if run.complete else f"{run.to_date_note} / to date"
    print(f"Báo cáo kỳ / reports for {run.period_label} ({state}): {len(run.files)} tệp / files in {run.directory} "
          f"({run.seconds:.1f}s)")
    for f in run.files:
        print(f"  {f}")


def add_commands(sub) -> None:
    from cchc_etl.warehouse import DEFAULT_URL

    p = sub.add_parser("report", help="lập báo cáo của một kỳ / the Biểu 06 workbook, service index, targets, late and near-due lists of a period",
                       description="Lập báo cáo của một kỳ từ kho dữ liệu (không đọc tệp landing) / build the reports of a period from the warehouse (no landing file is read): the city's "
                                   "workbook and one per department, or the units named.")
    p.add_argument("--period", required=True, help="kỳ báo cáo / the period: YYYY-MM, YYYY-Qn, YYYY-H1, YYYY-H2 or YYYY")
    p.add_argument("--unit", action="append", default=[], metavar="CODE",
                   help="chỉ báo cáo của đơn vị này / only this unit's workbook (repeatable; default: the city and every department)")
    p.add_argument("--out", default=None,
                   help="thư mục gốc / root directory; files go to <out>/<period>/ (env CCHC_REPORTS_DIR, default reports/ next to the warehouse)")
    p.add_argument("--format", default="xlsx", help="định dạng / the formats: xlsx (workbook), docx (drafted results report), html "
                                                    "(scorecard site of the whole city, <period>/site/index.html), or several: xlsx,html,docx")
    p.add_argument("--warehouse", default=settings.warehouse_url(),
                   help=f"URL kho dữ liệu / warehouse URL (env CCHC_WAREHOUSE_URL, default {DEFAULT_URL})")
    p.add_argument("--methodology", default=None, help="phiên bản phương pháp / methodology version (env CCHC_METHODOLOGY, default vn-2025.1)")
    p.add_argument("--near-due-days", dest="near_due_days", type=int, default=1,
                   help="số ngày làm việc trước hạn / list open dossiers due within this many working days of the period end (default 1; 2 or 3 also usual)")
    p.add_argument("--supplement-days", dest="supplement_days", type=int, default=10,
                   help="số ngày làm việc chờ bổ sung / list dossiers awaiting a supplement for longer than this many working days (default 10)")
    p.set_defaults(func=cmd_report)
