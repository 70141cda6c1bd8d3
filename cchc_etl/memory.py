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
from pathlib import Path

import duckdb

from cchc_etl import settings

MEMORY_LIMIT_ENV = settings.DUCKDB_MEMORY_LIMIT.name
DEFAULT_MEMORY_LIMIT = settings.DUCKDB_MEMORY_LIMIT.default
SPILL_SUFFIX = ".tmp"

MemoryLimitError = settings.MemoryLimitError
_refused = settings.memory_limit_refused


def memory_limit() -> str:
    """The configured limit as DuckDB takes it (``CCHC_DUCKDB_MEMORY_LIMIT``, default 2GB); a value
    that is not a size raises :class:`MemoryLimitError`."""
    return settings.duckdb_memory_limit()


def spill_dir(path: Path | str) -> Path:
    """Where DuckDB spills for the warehouse ``path``: ``<file>.tmp`` beside it."""
    return Path(f"{path}{SPILL_SUFFIX}")


def apply(con: duckdb.DuckDBPyConnection, path: Path | str, *, read_only: bool = False) -> None:
    """Set the budget on a fresh connection to the warehouse file ``path``."""
    limit = memory_limit()
    try:
        con.execute(f"SET memory_limit = '{limit}'")  # the pattern above admits no quote
    except duckdb.Error as exc:  # a unit DuckDB does not know
        raise _refused(settings.DUCKDB_MEMORY_LIMIT.raw() or "", str(exc).splitlines()[0]) from None
    if read_only:
        return  # DuckDB's default (the file's .tmp) applies; several readers may share it
    wanted = spill_dir(path)
    current = con.execute("SELECT current_setting('temp_directory')").fetchone()[0]
    if not current or os.path.abspath(current) != os.path.abspath(wanted):
        try:
            con.execute(f"SET temp_directory = '{str(wanted.absolute()).replace(chr(39), chr(39) * 2)}'")
        except duckdb.NotImplementedException:  # this process's instance already spills elsewhere: it goes on there
            pass
