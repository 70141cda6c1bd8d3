"""Publish a month of the DuckDB warehouse to PostgreSQL (no Dagster here: the CLI, the Dagster
asset ``publish/postgres`` and the benchmark all call :func:`publish_month`).

What a publish does, for one month:

1. DDL, in its own short transaction (:mod:`.ddl`): the schemas, the tables and ``COMMENT ON``
   generated from the table dictionary (assets/tables/), the ``bi`` views re-created only when
   their SQL changed. Columns appended to a DuckDB table are appended to its PostgreSQL table.
2. Data, in ONE transaction: for every published table, ``DELETE`` the month's rows, then
   ``COPY … FROM STDIN (FORMAT binary)`` the month's rows read from DuckDB (read-only connection,
   Arrow batches encoded to PostgreSQL's binary COPY format with numpy/pyarrow, no row-by-row
   Python, :mod:`.copy_binary`). Before ``COMMIT``: the row counts must match and every text
   value must be NFC (``normalize(x, NFC) = x``). Readers see the previous month until the commit, then the new
   one; a publish that dies midway leaves the previous version (the server rolls back).
   Concurrent publishes queue on an advisory lock.

Publishing the same month twice leaves identical data. Rows of the quality tables whose
``month`` is NULL belong to reference files (org units, procedures, …): they are replaced with
every published month, from the warehouse's current state.

URLs: SQLAlchemy style (``postgresql+psycopg://user:pw@host:5432/db?sslmode=require``),
``postgresql://…`` or a libpq conninfo string (``host=… dbname=…``).

Read-only BI access: :func:`grant_read_only`.

The modules: :mod:`.errors`, :mod:`.connection` (URLs, connections), :mod:`.tables` (what is
published, from the dictionary), :mod:`.ddl`, :mod:`.copy_binary`, :mod:`.nfc`, :mod:`.month`
(a month's publish), :mod:`.grants`.
"""

from __future__ import annotations

from cchc_etl.publish.connection import conninfo, open_duckdb, pg_connect
from cchc_etl.publish.copy_binary import COPY_HEADER, COPY_TRAILER, EXPORT_CAST, binary_supported, encode_binary
from cchc_etl.publish.ddl import BI_VIEWS, BI_VIEWS_FILE, PG_SQL_DIR, ensure_schema
from cchc_etl.publish.errors import ADVISORY_LOCK_KEY, PUBLISH_URL_ENV, PublishError
from cchc_etl.publish.grants import PRIVATE_SCHEMAS, READABLE_SCHEMAS, grant_read_only
from cchc_etl.publish.month import BATCH_ROWS, publish_month, publish_months
from cchc_etl.publish.nfc import nfc_violations
from cchc_etl.publish.tables import CONTRACT_TABLES, DEFAULT_TABLES, WAREHOUSE_TABLES, PublishedTable, partition_filter, partition_params
from cchc_etl.redaction import redact

# the names of the single-module publisher, for importers of the private helpers
_partition_filter, _partition_params = partition_filter, partition_params

__all__ = [
    "ADVISORY_LOCK_KEY", "BATCH_ROWS", "BI_VIEWS", "BI_VIEWS_FILE", "CONTRACT_TABLES", "COPY_HEADER", "COPY_TRAILER", "DEFAULT_TABLES",
    "EXPORT_CAST", "PG_SQL_DIR", "PRIVATE_SCHEMAS", "PUBLISH_URL_ENV", "READABLE_SCHEMAS", "WAREHOUSE_TABLES", "PublishError",
    "PublishedTable", "binary_supported", "conninfo", "encode_binary", "ensure_schema", "grant_read_only", "nfc_violations",
    "open_duckdb", "partition_filter", "partition_params", "pg_connect", "publish_month", "publish_months", "redact",
]
