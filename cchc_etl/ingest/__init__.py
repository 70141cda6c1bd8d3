"""Landing area -> staging tables, quarantine and file log, one source-month per transaction.

Per month the loader compares the landing files with what ``quality.file_log`` says was
loaded: an unchanged file (same content hash and load fingerprint) is left alone, a changed
or new file replaces exactly its own rows, and a file no longer present has its rows removed.
Every file ends with rows_read = rows_loaded + rows_quarantined + rows_skipped, or with a
``refused`` entry naming the problem; other files of the month load regardless.

``landing`` finds and names the files (and hashes them), ``loader`` loads them, ``results`` holds
what a load reports, ``file_log`` what the file log records beyond the counts.
"""

from __future__ import annotations

from cchc_etl.ingest.file_log import fields_carried, month_key
from cchc_etl.ingest.landing import FILE_NAME, MONTH_DIR, LandingFile, inventory, month_files, reference_files, sha256_file
from cchc_etl.ingest.loader import LARGE_INPUT_BYTES, Loader, Prepared
from cchc_etl.ingest.results import AccountingError, FileResult, LoadResult

__all__ = [
    "FILE_NAME",
    "inventory",
    "LandingFile",
    "MONTH_DIR",
    "month_files",
    "reference_files",
    "sha256_file",
    "AccountingError",
    "FileResult",
    "LoadResult",
    "fields_carried",
    "month_key",
    "LARGE_INPUT_BYTES",
    "Loader",
    "Prepared",
]
