"""Readers: every container (CSV, XLSX, XLS, Parquet) to one canonical raw shape.

A reader finds the header row, maps header cells to the source's canonical fields and hands
back the data rows as text columns ``c0..cN`` in file order — a DuckDB relation (CSV fast path)
or an Arrow table with ``_row_number`` (the 1-based physical row a spreadsheet would show). Typing, quarantine and PII hashing happen afterwards in DuckDB SQL
(``cchc_etl.staging``) so that every container shares one set of parsing rules.
"""

from __future__ import annotations

from pathlib import Path

from cchc_etl.contract import SourceSpec
from cchc_etl.readers.base import FileRefused, RawData
from cchc_etl.readers.csv_reader import read_csv
from cchc_etl.readers.excel_reader import read_excel
from cchc_etl.readers.parquet_reader import read_parquet

SUPPORTED_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".parquet"}
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls"}  # read in a worker process under a memory budget (sandbox)

__all__ = ["FileRefused", "RawData", "read_raw", "SUPPORTED_SUFFIXES", "WORKBOOK_SUFFIXES"]


def read_raw(path: Path, spec: SourceSpec, *, profile: dict[str, str] | None = None, workdir: Path | None = None) -> RawData:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise FileRefused(path, f"unsupported file type {suffix!r} (accepted: .csv, .xlsx, .xls, .parquet)")
    if suffix in WORKBOOK_SUFFIXES:
        return read_excel(path, spec, profile=profile, workdir=workdir)
    if suffix == ".parquet":
        return read_parquet(path, spec, profile=profile)
    return read_csv(path, spec, profile=profile, workdir=workdir)
