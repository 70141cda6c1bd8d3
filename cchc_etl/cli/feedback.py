"""``cchc-etl quarantine``: a month's quarantined rows as workbooks for the data owners.

    cchc-etl quarantine --month 2024-03 [--source dossiers] [--system igate] [--by system|unit] --out DIR

Reads the warehouse only (not the landing files); records each workbook in
``quality.file_log.feedback_path`` and, when ``DAGSTER_HOME`` names a Dagster instance, as an
observation of the month's ``quality/<source>_quarantine`` partition that the UI shows with
links to the files. See :mod:`cchc_etl.feedback`.
"""

from __future__ import annotations

from pathlib import Path

from cchc_etl import settings


def cmd_quarantine(args) -> None:
    import duckdb

    from cchc_etl.cli.common import CliError
    from cchc_etl.contract import event_sources
    from cchc_etl.feedback import record_feedback, write_feedback
    from cchc_etl.format_vi import noun, number
    from cchc_etl.suggest import did_you_mean
    from cchc_etl.warehouse import connect
    from cchc_etl.warehouse_file import warehouse_file

    path = warehouse_file(args.warehouse)
    if not path.exists():
        raise CliError(f"không có kho dữ liệu / warehouse not found: {path} (run `cchc-etl run` first)")
    if args.source and args.source not in event_sources():
        raise CliError(f"--source: không phải nguồn dữ liệu theo tháng / not an event source: {args.source!r}"
                       f"{did_you_mean(args.source, event_sources())}")
    out = Path(args.out)
    with connect(path, read_only=True) as con:
        if args.system:
            systems = [r[0] for r in con.execute("SELECT DISTINCT system FROM quality.file_log WHERE system IS NOT NULL").fetchall()]
            if args.system not in systems:
                raise CliError(f"--system: không có hệ thống này trong quality.file_log / no such system: {args.system!r}"
                               f"{did_you_mean(args.system, systems)}")
        written = write_feedback(con, args.month, out, by=args.by, source=args.source, system=args.system)
    if not written:
        print(f"Tháng {args.month} không có dòng bị cách ly / no quarantined rows in {args.month}"
              + (f" ({', '.join(x for x in (args.source, args.system) if x)})" if args.source or args.system else ""))
        return
    for w in written:
        print(f"  {w.path.resolve()}: {number(w.rows)} dòng / {noun(w.rows, 'row')}, "
              f"{number(len(w.files))} tệp gốc / original {noun(len(w.files), 'file')}")
    try:
        with connect(path) as con:
            recorded = record_feedback(con, written, out)
    except duckdb.Error as exc:
        raise CliError(f"đã ghi {number(len(written))} tệp vào / wrote {number(len(written))} {noun(len(written), 'workbook')} "
                       f"to {out.resolve()}, nhưng không "
                       f"ghi được vào quality.file_log / but could not record them: {' '.join(str(exc).split())}") from None
    if settings.dagster_home():
        from cchc_etl.cli.common import _instance
        from cchc_etl.feedback import feedback_observations

        instance = _instance()
        for observation in feedback_observations(args.month, written):
            instance.report_runless_asset_event(observation)
        print(f"Giao diện Dagster / Dagster UI: các tài sản quality/<nguồn>_quarantine, tháng {args.month}, "
              f"có liên kết đến các tệp / link these workbooks (DAGSTER_HOME={settings.dagster_home()})")
    print(f"Đã ghi {number(len(written))} tệp Excel / wrote {number(len(written))} {noun(len(written), 'workbook')} to "
          f"{out.resolve()} (quality.file_log.feedback_path: {number(recorded)} tệp gốc / original {noun(recorded, 'file')})")


def add_commands(sub) -> None:
    from cchc_etl.cli.common import _month
    from cchc_etl.warehouse import DEFAULT_URL

    p = sub.add_parser(
        "quarantine", help="gửi dòng bị cách ly cho đơn vị sửa / quarantined rows as workbooks for the data owners",
        description="Ghi các dòng bị cách ly của một tháng thành tệp Excel, mỗi hệ thống (hoặc mỗi đơn vị) một tệp, để "
                    "người có thể sửa dữ liệu sửa và gửi lại / write a month's quarantined rows as XLSX workbooks, one per "
                    "exporting system (or per unit), with the original file, sheet, row, column, reason and raw cells "
                    "(PII hashed as stored). Reads the warehouse only.")
    p.add_argument("--month", required=True, type=_month, help="tháng / month, YYYY-MM")
    p.add_argument("--out", required=True, help="thư mục ghi các tệp Excel / directory to write the workbooks to")
    p.add_argument("--source", default=None, help="chỉ một nguồn / only this source, e.g. dossiers")
    p.add_argument("--system", default=None, help="chỉ một hệ thống xuất / only this exporting system, e.g. igate")
    p.add_argument("--by", choices=("system", "unit"), default="system",
                   help="một tệp cho mỗi hệ thống hay mỗi đơn vị / one workbook per system (vendor) or per unit (default system)")
    p.add_argument("--warehouse", default=settings.warehouse_url(),
                   help=f"kho dữ liệu DuckDB / DuckDB warehouse (env CCHC_WAREHOUSE_URL, default {DEFAULT_URL})")
    p.set_defaults(func=cmd_quarantine)


__all__ = ["add_commands", "cmd_quarantine"]
