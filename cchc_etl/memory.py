"""The warehouse's memory budget: every DuckDB connection to it works within
``CCHC_DUCKDB_MEMORY_LIMIT`` (default 2GB) and spills what does not fit to ``<warehouse file>.tmp``.

DuckDB's buffer pool otherwise grows to 80 % of the machine's memory. ``memory_limit`` bounds the
buffer pool (tables, hash tables, sorts), not every allocation of the process: the Python side,
Dagster and the Great Expectations helper come on top (see README, Performance: suite `memory`).
Both settings belong to the database instance, which every connection of a process to the same
file shares: they are set on each open, the spill directory only while the instance has not
spilled yet (DuckDB refuses to move it once used; it removes its files when the last connection
closes, and ``cchc_etl.leftovers`` removes what a killed process left).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

MEMORY_LIMIT_ENV = "CCHC_DUCKDB_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "2GB"
SPILL_SUFFIX = ".tmp"

# DuckDB's own size grammar: a number and a unit (KB, MB, GB, TB in 1000s; KiB, MiB, GiB, TiB in
# 1024s; B; case and spaces free); a bare number or a percentage it refuses
_SIZE = re.compile(r"^\s*\d+(?:[.,]\d+)?\s*(?P<unit>[A-Za-z]+)\s*$")
_UNITS = {"b", "byte", "bytes", "k", "kb", "kilobyte", "kilobytes", "m", "mb", "megabyte", "megabytes", "g", "gb",
          "gigabyte", "gigabytes", "t", "tb", "terabyte", "terabytes", "kib", "mib", "gib", "tib"}


class MemoryLimitError(ValueError):
    """``CCHC_DUCKDB_MEMORY_LIMIT`` is not a size DuckDB takes; the message is for the operator."""


def _refused(raw: str, why: str = "") -> MemoryLimitError:
    return MemoryLimitError(
        f"{MEMORY_LIMIT_ENV}={raw!r}: không phải dung lượng hợp lệ, cần số kèm đơn vị như 2GB, 1.5GB, 512MB hoặc 4GiB "
        f"/ not a valid size: expected a number and a unit such as 2GB, 1.5GB, 512MB or 4GiB" + (f" ({why})" if why else ""))


def memory_limit() -> str:
    """The configured limit as DuckDB takes it (``CCHC_DUCKDB_MEMORY_LIMIT``, default 2GB); a value
    that is not a size raises :class:`MemoryLimitError`."""
    raw = os.environ.get(MEMORY_LIMIT_ENV, "")
    value = raw.strip()
    if not value:
        return DEFAULT_MEMORY_LIMIT
    found = _SIZE.match(value)
    if not found or found["unit"].lower() not in _UNITS:
        raise _refused(raw)
    value = value.replace(",", ".")  # 1,5GB: the Vietnamese decimal comma
    if float(re.match(r"[\d.]+", value).group()) <= 0:
        raise _refused(raw, "phải lớn hơn 0 / must be above 0")
    return value


def spill_dir(path: Path | str) -> Path:
    """Where DuckDB spills for the warehouse ``path``: ``<file>.tmp`` beside it."""
    return Path(f"{path}{SPILL_SUFFIX}")


def apply(con: duckdb.DuckDBPyConnection, path: Path | str, *, read_only: bool = False) -> None:
    """Set the budget on a fresh connection to the warehouse file ``path``."""
    limit = memory_limit()
    try:
        con.execute(f"SET memory_limit = '{limit}'")  # the pattern above admits no quote
    except duckdb.Error as exc:  # a unit DuckDB does not know
        raise _refused(os.environ.get(MEMORY_LIMIT_ENV, ""), str(exc).splitlines()[0]) from None
    if read_only:
        return  # DuckDB's default (the file's .tmp) applies; several readers may share it
    wanted = spill_dir(path)
    current = con.execute("SELECT current_setting('temp_directory')").fetchone()[0]
    if not current or os.path.abspath(current) != os.path.abspath(wanted):
        try:
            con.execute(f"SET temp_directory = '{str(wanted.absolute()).replace(chr(39), chr(39) * 2)}'")
        except duckdb.NotImplementedException:  # this process's instance already spills elsewhere: it goes on there
            pass
