"""Temporary files a killed run leaves behind, removed when the next run starts.

A run writes some files under a temporary name and moves them into place (the exports' Parquet
parts and the analysts' snapshot, ``.<name>.tmp-<pid>`` beside the final file, see
``cchc_etl.exports``) and works in temporary directories (``cchc-<kind>-<pid>-…`` in the system's
temporary directory: the loader's transcoded files and links, the Great Expectations helper's
Arrow files). A run that ends normally removes them; a killed one cannot. Each name carries the
process id of its writer, so the next run removes exactly those whose process is gone, and
never the files of a run still going (another warehouse's, or a Dagster run beside it).

DuckDB's spill files (``<warehouse file>.tmp/duckdb_temp_*``, see ``cchc_etl.memory``) carry no
process id: they are stale when the process removing them holds the warehouse read-write (no
other process can then have it open) and its own DuckDB instance does not use them.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

PARTIAL_FILE = re.compile(r"^\..+\.tmp-(?P<pid>\d+)(\.wal)?$")
SCRATCH_KINDS = ("load", "gx", "literal")  # the loader's, the GX helper's, the literal-path links'
SCRATCH_DIR = re.compile(rf"^cchc-({'|'.join(SCRATCH_KINDS)})-(?P<pid>\d+)-")


def scratch_prefix(kind: str) -> str:
    """Prefix of a temporary directory of this process (``tempfile``'s ``prefix=``)."""
    assert kind in SCRATCH_KINDS, kind
    return f"cchc-{kind}-{os.getpid()}-"


def process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    except OSError:
        return False
    return True


def stale_partial_files(folder: Path, *, recursive: bool = False) -> list[Path]:
    """``.<name>.tmp-<pid>`` files (and their ``.wal``) under ``folder`` whose writer is gone."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = folder.rglob(".*.tmp-*") if recursive else folder.glob(".*.tmp-*")
    out = []
    for path in found:
        match = PARTIAL_FILE.match(path.name)
        if match and not path.is_dir() and not process_alive(int(match["pid"])):
            out.append(path)
    return sorted(out)


def stale_scratch_dirs(root: Path | None = None) -> list[Path]:
    """``cchc-<kind>-<pid>-…`` directories in the temporary directory whose process is gone."""
    root = Path(root or tempfile.gettempdir())
    try:
        entries = list(os.scandir(root))
    except OSError:
        return []
    out = []
    for entry in entries:
        match = SCRATCH_DIR.match(entry.name)
        if match and entry.is_dir(follow_symlinks=False) and not process_alive(int(match["pid"])):
            out.append(Path(entry.path))
    return sorted(out)


SPILL_FILE = re.compile(r"^duckdb_temp_")


def stale_spill_files(warehouse_file: Path, con) -> list[Path]:
    """DuckDB's spill files of ``warehouse_file`` that a killed process left. ``con``: a read-write
    connection of this process to that file (so no other process has it open); the files its
    instance uses are kept."""
    from cchc_etl.memory import spill_dir

    folder = spill_dir(warehouse_file)
    if not folder.is_dir():
        return []
    in_use = {os.path.realpath(r[0]) for r in con.execute("SELECT path FROM duckdb_temporary_files()").fetchall()}
    return sorted(p for p in folder.iterdir()
                  if SPILL_FILE.match(p.name) and p.is_file() and not p.is_symlink() and os.path.realpath(p) not in in_use)


def clean(*, parquet_root: Path | None = None, snapshot: Path | None = None, temp_root: Path | None = None,
          warehouse: tuple[Path, object] | None = None) -> list[Path]:
    """Remove what killed runs left: partial Parquet parts under ``parquet_root``, partial
    snapshots beside ``snapshot``, scratch directories in ``temp_root`` (default: the system's),
    and with ``warehouse`` = (warehouse file, a read-write connection to it) DuckDB's stale spill
    files. Returns what was removed."""
    found: list[Path] = []
    if warehouse is not None:
        found += stale_spill_files(*warehouse)
    if parquet_root is not None:
        found += stale_partial_files(parquet_root, recursive=True)
    if snapshot is not None:
        name = Path(snapshot).name
        found += [p for p in stale_partial_files(Path(snapshot).parent) if p.name.startswith(f".{name}.tmp-")]
    found += stale_scratch_dirs(temp_root)
    removed = []
    for path in found:
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except FileNotFoundError:
            continue
        except OSError:
            continue  # someone else's file we may not remove: left alone
        removed.append(path)
    return removed
