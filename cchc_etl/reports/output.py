"""Where report files go and how they are written: ``<root>/<period>/`` where root is the
configured directory (``--out``, ``CCHC_REPORTS_DIR``) or ``reports/`` next to the warehouse;
each file is written to a temporary file in the same directory and renamed over the old one, so
a reader never sees half a file and a failed build leaves the previous file in place. The
scorecard site (``html``) is a directory, ``<period>/site/``, written whole into a temporary
directory beside it and then exchanged with the previous one in one step (``renameat2`` with
``RENAME_EXCHANGE`` on Linux; elsewhere two renames, leaving a moment without the directory)."""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from cchc_etl import settings
from cchc_etl.reports.data import ReportData, ReportOptions, load_report_data
from cchc_etl.reports.period import resolve_period
from cchc_etl.reports.rows import scope_for, scopes
from cchc_etl.reports.workbook import build_workbook

REPORTS_DIR_ENV = settings.REPORTS_DIR.name
FORMATS = ("xlsx", "html", "docx")
SUPPORTED_FORMATS = FORMATS


class UnsupportedFormat(ValueError):
    pass


def reports_root(warehouse_file: Path, configured: str | Path | None = None) -> Path:
    configured = configured or settings.reports_dir()
    return Path(configured) if configured else Path(warehouse_file).parent / "reports"


def file_name(period_label: str, unit_code: str, fmt: str = "xlsx") -> str:
    return f"bao-cao-cchc_{period_label}_{re.sub(r'[^0-9A-Za-z_.-]', '_', unit_code)}.{fmt}"


def check_formats(formats: list[str]) -> None:
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise UnsupportedFormat(f"định dạng không hợp lệ / unknown format: {', '.join(unknown)} (xlsx, html, docx)")


def replace_atomically(path: Path, write) -> None:
    """``write(temporary_path)`` then rename it over ``path`` (same directory, same file system)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # the rename itself durable (POSIX)
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one step (Linux ``renameat2``); False where that is not available."""
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


def _fsync_tree(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())


def replace_directory(path: Path, write) -> None:
    """``write(temporary_directory)`` then put that directory in place of ``path``: a reader sees
    the previous site or the new one, and a failed build leaves the previous one in place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    try:
        write(tmp)
        _fsync_tree(tmp)
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; the site is read like the files beside it
        if not path.exists():
            os.rename(tmp, path)
        elif _exchange(tmp, path):
            shutil.rmtree(tmp)  # the previous site, now under the temporary name
        else:
            old = path.with_name(f".{path.name}.old.{os.getpid()}")
            os.rename(path, old)
            os.rename(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@dataclass
class ReportRun:
    period_label: str
    complete: bool
    directory: Path
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    to_date_note: str = ""          # 'lũy kế đến hết tháng 02/2024' for a period not over yet


def write_reports(data: ReportData, directory: Path, units: list[str] | None = None,
                  formats: list[str] | tuple = ("xlsx",)) -> list[Path]:
    """One file per scope (default: the city and every department) and format, into ``directory``:
    the workbook (xlsx) and the drafted results report (docx); and the scorecard site (html) of
    the cities of those scopes, every page of it, in ``directory/site/`` (its ``index.html`` is
    the path returned)."""
    from cchc_etl.reports.docx_report import build_document
    from cchc_etl.reports.site import SITE_DIR, build_site

    codes = units or scopes(data)
    resolved = [scope_for(data, code) for code in codes]  # an unknown unit fails before any file is written
    builders = {"xlsx": build_workbook, "docx": build_document}
    written = []
    for scope in resolved:
        for fmt in formats:
            if fmt == "html":
                continue
            doc = builders[fmt](data, scope)
            target = directory / file_name(data.period.label, scope.code, fmt)
            replace_atomically(target, doc.save)
            written.append(target)
    if "html" in formats:
        cities = sorted({scope.city_code for scope in resolved})
        replace_directory(directory / SITE_DIR, lambda tmp: build_site(data, tmp, cities))
        written.append(directory / SITE_DIR / "index.html")
    return written


def write_workbooks(data: ReportData, directory: Path, units: list[str] | None = None) -> list[Path]:
    """One workbook per scope (default: the city and every department), into ``directory``."""
    return write_reports(data, directory, units, ("xlsx",))


def build_reports(warehouse_file: Path, period_label: str, *, version: str, units: list[str] | None = None,
                  out: str | Path | None = None, formats: list[str] | tuple = ("xlsx",),
                  options: ReportOptions | None = None) -> ReportRun:
    """Read the warehouse (read-only) for the period and write its reports."""
    from cchc_etl.warehouse import connect

    check_formats(list(formats))
    started = time.perf_counter()
    if not Path(warehouse_file).exists():
        raise FileNotFoundError(f"không tìm thấy kho dữ liệu / warehouse not found: {warehouse_file} (chạy / run `cchc-etl run` trước / first)")
    with connect(Path(warehouse_file), read_only=True) as con:
        period = resolve_period(con, period_label, version)
        data = load_report_data(con, period, options)
        if "html" in formats:
            from cchc_etl.reports.site import load_samples

            data.samples = load_samples(con, data)
    directory = reports_root(warehouse_file, out) / period.label
    files = write_reports(data, directory, units, list(dict.fromkeys(formats)))
    return ReportRun(period.label, period.complete, directory, files, time.perf_counter() - started, period.to_date_note)
