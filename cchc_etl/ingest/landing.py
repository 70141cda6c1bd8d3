"""The landing tree as the loader sees it: the month folders and reference files of a source,
the ``<system>__<anything>.<ext>`` file names, content hashes, and the inventory of every file."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from cchc_etl.periods import MONTH_LABEL, month_start
from cchc_etl.readers import SUPPORTED_SUFFIXES

MONTH_DIR = MONTH_LABEL
FILE_NAME = re.compile(r"^(?P<system>[A-Za-z0-9][A-Za-z0-9_\-]*?)__(?P<rest>.+)$")


@dataclass(frozen=True)
class LandingFile:
    path: Path
    relative: str
    source: str
    month: dt.date | None
    system: str | None
    digest: Future | str = field(repr=False)  # the content hash, computed on a thread (see sha256)
    size: int

    @property
    def sha256(self) -> str:
        """Content hash. Hashing runs on a background thread from the moment the file is listed
        (hashlib releases the GIL): a file with no earlier load needs it only for its file-log
        entry, so it is hashed while the file is read and parsed."""
        return self.digest.result() if isinstance(self.digest, Future) else self.digest


def sha256_file(path: Path) -> str:
    with path.open("rb") as fh:
        if hasattr(hashlib, "file_digest"):  # Python 3.11+: one reused buffer, no copies
            return hashlib.file_digest(fh, "sha256").hexdigest()
        digest = hashlib.sha256()
        while chunk := fh.read(8 << 20):
            digest.update(chunk)
        return digest.hexdigest()


def month_files(landing: Path, source: str, month: dt.date) -> list[LandingFile]:
    folder = landing / source / month.strftime("%Y-%m")
    return [_landing_file(landing, p, source, month) for p in _data_files(folder)]


def reference_files(landing: Path, source: str) -> list[LandingFile]:
    folder = landing / "reference"
    found = [
        p for p in _data_files(folder)
        if p.stem == source or p.stem.startswith(f"{source}__")
    ]
    return [_landing_file(landing, p, source, None) for p in found]


def _data_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir()
        if p.is_file() and not p.name.startswith((".", "~$")) and p.suffix.lower() in SUPPORTED_SUFFIXES
    )


def _landing_file(landing: Path, path: Path, source: str, month: dt.date | None) -> LandingFile:
    match = FILE_NAME.match(path.stem)
    system = match.group("system") if match else None
    return LandingFile(
        path=path, relative=path.relative_to(landing).as_posix(), source=source, month=month,
        system=system, digest=_hasher().submit(sha256_file, path), size=path.stat().st_size,
    )


@functools.cache
def _hasher() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="sha256")


def inventory(landing: Path) -> list[dict]:
    """Every file under the landing root with what the loader makes of it (the raw-file asset)."""
    rows = []
    if not landing.is_dir():
        return rows
    from cchc_etl.contract import event_sources, reference_sources

    events, refs = set(event_sources()), set(reference_sources())
    for path in sorted(p for p in landing.rglob("*") if p.is_file() and not p.name.startswith(".")):
        rel = path.relative_to(landing)
        parts = rel.parts
        source, month, problem = parts[0], None, None
        if parts[0] == "reference":
            kind = path.stem.split("__")[0]
            source = kind
            if kind not in refs:
                problem = f"unknown reference kind {kind!r} (known: {', '.join(sorted(refs))})"
        elif parts[0] not in events:
            problem = f"unknown source folder {parts[0]!r} (known: {', '.join(sorted(events))})"
        elif len(parts) != 3 or not MONTH_DIR.match(parts[1]):
            problem = "expected <source>/<YYYY-MM>/<system>__<anything>.<ext>"
        else:
            month = month_start(parts[1])
            if not FILE_NAME.match(path.stem):
                problem = "file name must be <system>__<anything>.<ext>"
        if problem is None and path.suffix.lower() not in SUPPORTED_SUFFIXES:
            problem = f"unsupported file type {path.suffix!r}"
        rows.append({
            "file_path": rel.as_posix(), "source": source, "month": month,
            "size_bytes": path.stat().st_size, "modified_at": dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc),
            "problem": problem,
        })
    return rows
