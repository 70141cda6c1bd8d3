"""Metadata shown in the Dagster UI for loads."""


from dagster import MetadataValue

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
