"""The tables a publish copies, derived from the table dictionary (assets/tables/*.yaml, the
``publish`` block), and the rows a month's publish replaces in each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cchc_etl.table_dictionary import load_tables


@dataclass(frozen=True)
class PublishedTable:
    """One DuckDB table published to PostgreSQL, replaced month by month."""

    source: str  # DuckDB table, schema.table
    target: str  # PostgreSQL table, schema.table
    partition: str | None  # DATE column holding the month's first day (the year: INTEGER year column)
    reference_rows: bool = False  # rows whose partition is NULL (reference data) go with every month
    #: "month": partition = the month; "periods": (period_type, period_start) of the month, its
    #: quarter and its year (year to date); "year": partition = the month's year; "all": every
    #: row, replaced by every publish (small reference tables)
    granularity: str = "month"

    @property
    def schema(self) -> str:
        return self.target.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.target.split(".", 1)[1]


def _published() -> tuple[PublishedTable, ...]:
    return tuple(PublishedTable(t.name, t.publish.target, t.partition, t.publish.reference_rows, t.publish.granularity)
                 for t in load_tables() if t.publish is not None)


#: the published contract (assets/tables/, docs/tables.md), read by BI through the bi views
CONTRACT_TABLES: tuple[PublishedTable, ...] = tuple(t for t in _published() if t.schema in ("marts", "quality"))
#: not part of the BI contract: the dossier month-end fact and the reference tables the bi views
#: take their names from, for analysts with warehouse access
WAREHOUSE_TABLES: tuple[PublishedTable, ...] = tuple(t for t in _published() if t.schema == "warehouse")
DEFAULT_TABLES: tuple[PublishedTable, ...] = CONTRACT_TABLES + WAREHOUSE_TABLES


def partition_filter(t: PublishedTable, placeholder: str) -> str:
    """WHERE condition selecting the rows a month's publish replaces; every placeholder is the month."""
    if t.granularity == "all":
        return "TRUE"
    col = f'"{t.partition}"'
    if t.granularity == "periods":
        p = f"CAST({placeholder} AS DATE)"
        return (f"((period_type = 'month' AND {col} = {p})"
                f" OR (period_type = 'quarter' AND {col} = CAST(date_trunc('quarter', {p}) AS DATE))"
                f" OR (period_type = 'year' AND {col} = CAST(date_trunc('year', {p}) AS DATE)))")
    if t.granularity == "year":
        return f"{col} = CAST(extract(year FROM CAST({placeholder} AS DATE)) AS INTEGER)"
    return f"({col} = {placeholder} OR {col} IS NULL)" if t.reference_rows else f"{col} = {placeholder}"


def partition_params(t: PublishedTable, month: dt.date) -> list:
    return [month] * {"periods": 3, "all": 0}.get(t.granularity, 1)
