"""What a load reports, file by file: rows read = loaded + quarantined + skipped, or a refusal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


class AccountingError(AssertionError):
    """rows_read != loaded + quarantined + skipped: a loader bug, never silently accepted."""


@dataclass
class FileResult:
    relative: str
    status: str  # loaded | unchanged | refused | removed
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_skipped: int = 0
    error: str | None = None


@dataclass
class LoadResult:
    source: str
    month: dt.date | None
    files: list[FileResult] = field(default_factory=list)

    @property
    def refused(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "refused"]

    def total(self, attr: str) -> int:
        return sum(getattr(f, attr) for f in self.files if f.status in ("loaded", "unchanged"))
