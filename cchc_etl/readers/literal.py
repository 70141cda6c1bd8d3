"""Paths handed to DuckDB are literal file names.

DuckDB's file readers (``read_csv``, ``read_parquet``, ...) expand glob patterns in the path they
are given and have no option to turn that off: a landing file named ``vnpt__export_2024-0[1].csv``
would be read as ``vnpt__export_2024-01.csv``. A path with a character DuckDB may treat as a
pattern is therefore handed over as a symbolic link with a generated name (in a directory whose
own path is plain), which the kernel resolves to exactly the file meant.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from cchc_etl.leftovers import scratch_prefix

# glob characters of DuckDB's file systems, plus braces and the backslash (an escape there)
PATTERN_CHARS = frozenset("*?[]{}\\")


def is_plain(path: str | os.PathLike) -> bool:
    return not PATTERN_CHARS.intersection(str(path))


def _plain_dir(workdir: Path | None) -> tuple[Path, bool]:
    """A directory with a plain path for the link: ``workdir`` (cleaned by its owner) when its
    path is plain, else a new temporary directory (``True``: the caller removes it)."""
    if workdir is not None and is_plain(Path(workdir).resolve()):
        return Path(workdir), False
    for base in (tempfile.gettempdir(), "/tmp", "/var/tmp", os.getcwd()):
        if is_plain(base) and os.path.isdir(base):
            return Path(tempfile.mkdtemp(prefix=scratch_prefix("literal"), dir=base)), True
    raise OSError("no temporary directory with a path free of glob characters (* ? [ ] { } \\) for DuckDB")


def literal_path(path: Path, cleanup: list[Path], workdir: Path | None = None) -> Path:
    """``path`` if DuckDB reads it literally, else a generated plain-named link to it; what must be
    removed afterwards (the link, or its temporary directory) is appended to ``cleanup``."""
    absolute = Path(os.path.abspath(path))
    if is_plain(absolute):
        return absolute
    folder, owned = _plain_dir(workdir)
    suffix = absolute.suffix if is_plain(absolute.suffix) else ""
    fd, name = tempfile.mkstemp(prefix="literal-", suffix=suffix, dir=folder)
    os.close(fd)
    link = Path(name)
    link.unlink()
    link.symlink_to(absolute)
    cleanup.append(folder if owned else link)
    return link


def remove(paths: list[Path]) -> None:
    for p in paths:
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)


@contextlib.contextmanager
def literal(path: Path) -> Iterator[Path]:
    """``literal_path`` for the duration of a ``with`` block."""
    cleanup: list[Path] = []
    try:
        yield literal_path(path, cleanup)
    finally:
        remove(cleanup)


def sql_string(path: Path) -> str:
    """A path as a SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"
