"""What ``write_sample_landing`` wrote: files, data rows, skipped rows, planted bad rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class SampleManifest:
    """What ``write_sample_landing`` wrote.

    ``files``: paths relative to ``out_dir`` (posix), reference files first.
    ``data_rows[file]``: data rows written, planted bad rows included.
    ``bad_rows[file]``: ``(row_number, column, problem)`` for the rows planted on purpose;
    ``row_number`` is the 1-based physical row in the file (title and header rows counted).
    ``skipped_rows[file]``: ``{"title": n, "header": n, "blank": n, "total": n}``.
    ``physical_rows(file) == data_rows[file] + skipped_total(file)``.
    """

    out_dir: Path
    months: list[str]
    files: list[str] = field(default_factory=list)
    data_rows: dict[str, int] = field(default_factory=dict)
    bad_rows: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)
    skipped_rows: dict[str, dict[str, int]] = field(default_factory=dict)
    seed: int = 0
    rows_per_month: int = 0

    def skipped_total(self, file: str) -> int:
        return sum(self.skipped_rows.get(file, {}).values())

    def physical_rows(self, file: str) -> int:
        return self.data_rows[file] + self.skipped_total(file)

    def dossier_files(self, month: str | None = None) -> list[str]:
        return self.source_files("dossiers", month)

    def source_files(self, source: str, month: str | None = None) -> list[str]:
        """Files of one monthly source (``dossiers``, ``surveys``, ...), optionally of one month;
        for ``reference`` the reference files."""
        pre = f"{source}/" + (f"{month}/" if month else "")
        return [f for f in self.files if f.startswith(pre)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "out_dir": str(self.out_dir),
            "months": list(self.months),
            "seed": self.seed,
            "rows_per_month": self.rows_per_month,
            "files": list(self.files),
            "data_rows": dict(self.data_rows),
            "bad_rows": {k: [list(r) for r in v] for k, v in self.bad_rows.items()},
            "skipped_rows": {k: dict(v) for k, v in self.skipped_rows.items()},
        }

    def _add(self, rel: str, data: int, skipped: dict[str, int], bad: list[tuple[int, str, str]] | None = None):
        self.files.append(rel)
        self.data_rows[rel] = data
        self.skipped_rows[rel] = {k: skipped.get(k, 0) for k in ("title", "header", "blank", "total")}
        self.bad_rows[rel] = list(bad or [])
