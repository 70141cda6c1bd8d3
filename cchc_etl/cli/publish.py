"""``cchc-etl publish`` and ``cchc-etl grants``: the warehouse's marts in PostgreSQL, for BI.

    cchc-etl publish --warehouse URL --publish URL --from YYYY-MM --to YYYY-MM
    cchc-etl grants --publish URL --role ROLE [--publisher ROLE]

Wiring (cchc_etl/cli/__init__.py): ``add_commands(sub)`` in ``build_parser``; ``run --publish URL``
calls :func:`publish_after_run` once the months are built and their checks passed.
"""

from __future__ import annotations

import time

from cchc_etl import settings

PUBLISH_URL_HELP = "địa chỉ PostgreSQL / PostgreSQL URL, postgresql+psycopg://user[:password]@host:5432/db (env CCHC_PUBLISH_URL)"


def _target(url: str | None) -> str:
    from cchc_etl.cli.common import CliError

    url = url or settings.publish_url()
    if not url:
        raise CliError("no PostgreSQL target: pass --publish postgresql+psycopg://user@host:5432/db or set CCHC_PUBLISH_URL")
    return url


def _one_line(exc: Exception, url: str = "") -> Exception:
    """Errors of the publish as the CLI's one-line CliError (no exception class name), credentials masked."""
    from cchc_etl.cli.common import CliError
    from cchc_etl.redaction import redact_exception

    return CliError(redact_exception(exc, known=[url]))


def publish_after_run(warehouse_url: str, publish_url: str, months: list[str], *, quiet: bool = False) -> dict[str, dict[str, int]]:
    """Publish already-built months (``YYYY-MM``) of the DuckDB warehouse to PostgreSQL, in order,
    one transaction per month. Called by ``cchc-etl run --publish URL`` after the run succeeded
    (every month built, no failed check); raises CliError (one line) on failure."""
    import psycopg

    from cchc_etl.publish import PublishError, publish_months
    from cchc_etl.warehouse import duckdb_path

    path = duckdb_path(warehouse_url)
    target = _target(publish_url)
    try:
        return publish_months(path, target, months, quiet=quiet)
    except (PublishError, psycopg.Error) as exc:
        raise _one_line(exc, target) from None


def cmd_publish(args) -> None:
    from cchc_etl.cli.common import months_between
    from cchc_etl.redaction import redact_url

    started = time.perf_counter()
    months = months_between(args.start, args.end)
    target = _target(args.publish)
    publish_after_run(args.warehouse, target, months)
    from cchc_etl.format_vi import noun, seconds

    print(f"Đã công bố / published {len(months)} {noun(len(months), 'month')} to {redact_url(target)} in "
          f"{seconds(time.perf_counter() - started)} "
          "(BI: schema bi; grant read access with cchc-etl grants --role ROLE)")


def cmd_grants(args) -> None:
    import psycopg

    from cchc_etl.publish import PublishError, grant_read_only
    from cchc_etl.redaction import redact_url

    target = _target(args.publish)
    try:
        statements = grant_read_only(target, args.role, publisher=args.publisher)
    except (PublishError, psycopg.Error) as exc:
        raise _one_line(exc, target) from None
    if args.verbose:
        for stmt in statements:
            print(f"  {stmt};")
    print(f"Vai trò chỉ đọc / read-only role {args.role!r} on {redact_url(target)}: reads schemas bi and marts (and tables "
          f"later publishes create there), nothing else. Give a login access with: GRANT {args.role} TO <login>;")


def add_commands(subparsers) -> None:
    """Add ``publish`` and ``grants`` to the ``cchc-etl`` sub-command parsers."""
    from cchc_etl.cli.common import MONTH_FROM_HELP, MONTH_TO_HELP, _month
    from cchc_etl.warehouse import DEFAULT_URL

    p = subparsers.add_parser(
        "publish", help="công bố các tháng đã xây sang PostgreSQL / publish built months to PostgreSQL (schemas marts, "
                        "quality, warehouse; views in bi)",
        description="Công bố các tháng đã có trong kho DuckDB sang PostgreSQL / publish months already built in the DuckDB warehouse to PostgreSQL: each month replaced in one "
                    "transaction (bulk COPY); the bi schema's views are the stable contract for BI tools. "
                    "Publishing a month twice changes nothing.")
    p.add_argument("--warehouse", default=settings.warehouse_url(), metavar="URL",
                   help=f"kho dữ liệu DuckDB / DuckDB warehouse, duckdb:///relative.duckdb or duckdb:////absolute.duckdb (env CCHC_WAREHOUSE_URL, default {DEFAULT_URL})")
    p.add_argument("--publish", default=None, metavar="URL", help=PUBLISH_URL_HELP)
    p.add_argument("--from", dest="start", required=True, type=_month, metavar="YYYY-MM", help=MONTH_FROM_HELP)
    p.add_argument("--to", dest="end", required=True, type=_month, metavar="YYYY-MM", help=MONTH_TO_HELP)
    p.set_defaults(func=cmd_publish)

    p = subparsers.add_parser(
        "grants", help="tạo hoặc cập nhật vai trò chỉ đọc cho công cụ BI / create or update the read-only role for BI tools",
        description="Tạo hoặc cập nhật vai trò chỉ đọc cho BI / create or update ROLE (NOLOGIN) as the read-only BI role: it reads schemas bi and marts, including "
                    "tables that later publishes create, and nothing else (no writes, no quality.quarantine raw values, "
                    "no staging or warehouse schemas). Logins are made members: GRANT ROLE TO login.")
    p.add_argument("--publish", default=None, metavar="URL", help=PUBLISH_URL_HELP)
    p.add_argument("--role", required=True, help="vai trò chỉ đọc cần tạo hoặc cập nhật / the read-only role to create or update, e.g. cchc_bi_reader")
    p.add_argument("--publisher", default=None, metavar="ROLE",
                   help="vai trò công bố (sở hữu các bảng) / the role that publishes (owns the tables; default: the user of --publish)")
    p.add_argument("--verbose", action="store_true", help="in các câu lệnh đã chạy / print the statements executed")
    p.set_defaults(func=cmd_grants)


__all__ = ["add_commands", "cmd_grants", "cmd_publish", "publish_after_run"]
