"""Metadata shown in the Dagster UI: loads, tables (column schema, row counts) and the month's headline figures."""


import datetime as dt

from dagster import MetadataValue, TableColumn, TableColumnConstraints, TableSchema

from cchc_etl.ingest import LoadResult


def load_metadata(result: LoadResult) -> dict:
    lines = ["| file | status | read | loaded | quarantined | skipped |", "|---|---|---:|---:|---:|---:|"]
    for f in result.files:
        lines.append(f"| {f.relative} | {f.status} | {f.rows_read} | {f.rows_loaded} | {f.rows_quarantined} | {f.rows_skipped} |")
    meta = {
        "files": MetadataValue.int(len([f for f in result.files if f.status != "removed"])),
        "rows_read": MetadataValue.int(result.total("rows_read")),
        "rows_loaded": MetadataValue.int(result.total("rows_loaded")),
        "rows_quarantined": MetadataValue.int(result.total("rows_quarantined")),
        "rows_skipped": MetadataValue.int(result.total("rows_skipped")),
        "file_table": MetadataValue.md("\n".join(lines)),
    }
    if result.refused:
        meta["refused_files"] = MetadataValue.md("\n".join(f"- {f.error}" for f in result.refused))
    return meta


def column_schema(con, table: str) -> TableSchema:
    """The table's columns, types, nullability and descriptions (vi / en), as the UI's column view
    shows them: from the table dictionary (assets/tables/), else from DuckDB."""
    from cchc_etl.table_dictionary import table as dictionary_table

    try:
        doc = dictionary_table(table)
    except KeyError:
        doc = None
    if doc is not None:
        return TableSchema(columns=[
            TableColumn(name=c.name, type=c.type, description=c.comment, constraints=TableColumnConstraints(nullable=c.nullable))
            for c in doc.columns])
    schema, name = table.split(".")
    rows = con.execute(
        "SELECT column_name, data_type, is_nullable, comment FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = ? AND table_name = ? ORDER BY column_index",
        [schema, name],
    ).fetchall()
    return TableSchema(columns=[
        TableColumn(name=c, type=t, description=comment or None, constraints=TableColumnConstraints(nullable=bool(nullable)))
        for c, t, nullable, comment in rows
    ])


def table_metadata(con, table: str, *, scope: str = "", scope_params: tuple = (), partition: str = "",
                   partition_params: tuple = ()) -> dict:
    """Dagster's standard table metadata of an asset stored in ``table``: ``dagster/column_schema``,
    ``dagster/row_count`` (the asset's rows: those of ``table`` matching ``scope`` when several
    assets share the table) and, for a partitioned asset, ``dagster/partition_row_count`` (the
    rows of its partition: ``scope`` and ``partition``)."""
    where = f" WHERE {scope}" if scope else ""
    meta = {
        "dagster/column_schema": MetadataValue.table_schema(column_schema(con, table)),
        "dagster/row_count": MetadataValue.int(con.execute(f"SELECT count(*) FROM {table}{where}", list(scope_params)).fetchone()[0]),
    }
    if not scope:
        meta["dagster/table_name"] = MetadataValue.text(table)
    if partition:
        both = " AND ".join(f"({c})" for c in (scope, partition) if c)
        meta["dagster/partition_row_count"] = MetadataValue.int(
            con.execute(f"SELECT count(*) FROM {table} WHERE {both}", [*scope_params, *partition_params]).fetchone()[0])
    return meta


def month_headline(con, month: dt.date, version: str) -> dict:
    """The month's headline figures as numbers (the UI plots them over partitions): the city's
    received and resolved dossiers, its on-time rate and service-index ratio, and the rows the
    month's event files loaded, quarantined and the files refused. A figure that is not known
    (no dossier resolved, nothing scored) is left out rather than shown as 0."""
    received, resolved = con.execute(
        "SELECT sum(rpt_received), sum(rpt_resolved_early + rpt_resolved_on_time + rpt_resolved_late) "
        "FROM marts.period_report WHERE period_start = ? AND org_level = 'city'", [month]).fetchone()
    on_time = con.execute(
        "SELECT 100.0 * sum(numerator) / nullif(sum(denominator), 0) FROM marts.indicator_values WHERE period_type = 'month' "
        "AND period_start = ? AND org_level = 'city' AND indicator_code = 'ON_TIME_REPORT' AND methodology_version = ?",
        [month, version]).fetchone()[0]
    index = con.execute(
        "SELECT 100.0 * sum(score) / nullif(sum(max_score), 0) FROM marts.scores WHERE period_type = 'month' AND period_start = ? "
        "AND org_level = 'city' AND group_code = 'TOTAL' AND methodology_version = ?", [month, version]).fetchone()[0]
    loaded, quarantined, refused = con.execute(
        "SELECT coalesce(sum(rows_loaded), 0), coalesce(sum(rows_quarantined), 0), count(*) FILTER (WHERE status = 'refused') "
        "FROM quality.file_log WHERE month = ?", [month]).fetchone()
    figures = {
        "city_received": MetadataValue.int(int(received)) if received is not None else None,
        "city_resolved": MetadataValue.int(int(resolved)) if resolved is not None else None,
        "city_on_time_percent": MetadataValue.float(round(float(on_time), 2)) if on_time is not None else None,
        "city_service_index_percent": MetadataValue.float(round(float(index), 2)) if index is not None else None,
        "rows_loaded": MetadataValue.int(int(loaded)),
        "rows_quarantined": MetadataValue.int(int(quarantined)),
        "files_refused": MetadataValue.int(int(refused)),
    }
    return {k: v for k, v in figures.items() if v is not None}
