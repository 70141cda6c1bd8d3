"""``cchc-etl``: the same Dagster definitions, run in-process from the command line.

    cchc-etl sample --out DIR --from 2024-01 --to 2024-03 [--rows N] [--seed S]
    cchc-etl run --landing DIR --warehouse URL --from YYYY-MM --to YYYY-MM [--allow-missing SOURCE ...] [--rotate-pii-key]
    cchc-etl demo

Exit code 0 on success; otherwise 1 with a one-line reason on stderr. One module per group of
commands (``run``, ``scoring``, ``publish``, ``reports``, ``feedback``), each importing only
``cchc_etl.cli.common``; this module assembles the parser.
"""

from __future__ import annotations

import argparse
import os
import sys

from cchc_etl import settings
from cchc_etl.cli import feedback, publish, reports, run, scoring

# what callers and tests reach as cchc_etl.cli.<name>
from cchc_etl.cli.common import (  # noqa: F401
    CheckWarning,
    CliError,
    MonthOutcome,
    _configure_logging,
    _summarise,
    error_text,
    months_between,
    without_class_name,
)
from cchc_etl.cli.run import _raise_for, progress_line, run_months  # noqa: F401


class _Parser(argparse.ArgumentParser):
    """Usage mistakes get the same one-line error and exit code as every other failure; ``--help``
    is described in Vietnamese and English like every other option."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="hiện trợ giúp này rồi thoát / show this help and exit")

    def error(self, message: str):  # noqa: D401 - argparse API
        from cchc_etl.redaction import redact

        self.exit(1, f"cchc-etl: error: {redact(message)} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cchc-etl", description="cchc-etl: kho dữ liệu cải cách hành chính / CCHC data warehouse")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser,
                                title="lệnh / commands", metavar="COMMAND")
    for commands in (run, publish, scoring, reports, feedback):
        commands.add_commands(sub)
    return parser


def error_message(exc: Exception, args) -> str:
    """The one line printed for a failure: the exception's text with credentials masked, without
    its class name; an unexpected error says how to see more."""
    from cchc_etl.pii import MissingPiiKey
    from cchc_etl.redaction import redact_exception
    from cchc_etl.suggest import UnknownCode

    message = redact_exception(exc, known=[getattr(args, "publish", None) or "", settings.publish_url()])
    if isinstance(exc, KeyError) and not isinstance(exc, UnknownCode):
        message = without_class_name(f"KeyError: {message}", "KeyError")
    if isinstance(exc, (CliError, MissingPiiKey, FileNotFoundError, ValueError, LookupError)):
        return message
    return f"{message or 'lỗi nội bộ / internal error'} (CCHC_DEBUG=1 để xem chi tiết / shows the traceback)"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        _configure_logging()
        args.func(args)
    except KeyboardInterrupt:
        print("cchc-etl: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # one line, never a traceback nor an exception's class name, for operators
        print(f"cchc-etl: error: {error_message(exc, args)}", file=sys.stderr)
        if settings.debug():
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

