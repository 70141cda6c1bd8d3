"""Monthly event sources: raw file inventory, staging + quarantine + file log per source."""


import datetime as dt

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Config,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)

from cchc_etl.contract import event_sources, load_source
from cchc_etl.defs.check_specs import check_spec
from cchc_etl.defs.exports import ExportsResource, clean_leftovers
from cchc_etl.defs.partitions import WAREHOUSE_POOL, monthly_partitions
from cchc_etl.defs.reporting import load_metadata, table_metadata
from cchc_etl.defs.resources import LandingResource, PiiKeyResource, WarehouseResource
from cchc_etl.ingest import Loader, inventory
from cchc_etl.periods import month_start, previous_month
from cchc_etl.pii import DEMO_KEY_WARNING
from cchc_etl.validation import load_table, prewarm, submit, suite_for_table

LANDING_FILES = AssetKey(["raw", "landing_files"])


def partition_month(context) -> dt.date:
    return month_start(context.partition_key[:7])


class LandingFilesConfig(Config):
    """Run configuration of ``raw/landing_files``: event sources the operator accepts as missing
    for this run (``cchc-etl run --allow-missing SOURCE``), e.g. a vendor's export that is late."""

    allow_missing: list[str] = []


def missing_sources(rows: list[dict], month: dt.date) -> list[str]:
    """Event sources with recognised files in the month before ``month`` and none in ``month``
    (``rows``: ``cchc_etl.ingest.inventory``)."""
    def present(m: dt.date) -> set[str]:
        return {r["source"] for r in rows if r["month"] == m and r["problem"] is None}

    return sorted(present(previous_month(month)) - present(month))


@asset(
    key=LANDING_FILES,
    partitions_def=monthly_partitions,
    group_name="raw",
    pool=WAREHOUSE_POOL,
    kinds={"duckdb"},
    description="Inventory of the landing files of the month (every source folder), with what the loader makes of each.",
    check_specs=[
        check_spec("files_recognised", LANDING_FILES,
                   vi="Mọi tệp trong vùng tiếp nhận nằm đúng thư mục nguồn, thư mục tháng và mẫu tên tệp (tệp lạ được nêu tên "
                      "và không nạp)",
                   en="Every landing file is in a known source folder, month folder and file-name pattern (an unknown one "
                      "is named and left unloaded)"),
        check_spec("sources_present", LANDING_FILES, blocking=True,
                   vi="Nguồn dữ liệu nào có tệp tháng trước thì tháng này cũng có, trừ khi lần chạy chấp nhận thiếu "
                      "(cchc-etl run --allow-missing NGUỒN)",
                   en="Every event source that had files in the previous month has files in this month, unless the run "
                      "accepts its absence (config allow_missing, cchc-etl run --allow-missing SOURCE)"),
    ],
)
def landing_files(context: AssetExecutionContext, config: LandingFilesConfig, warehouse: WarehouseResource, landing: LandingResource,
                  exports: ExportsResource):
    month = partition_month(context)
    removed = clean_leftovers(warehouse.url, exports)
    if removed:
        context.log.info(f"removed what killed runs left: {', '.join(map(str, removed))}")
    unknown = sorted(set(config.allow_missing) - set(event_sources()))
    if unknown:
        raise ValueError(f"allow_missing: không phải nguồn dữ liệu theo tháng / not an event source: {', '.join(unknown)} "
                         f"(known: {', '.join(event_sources())})")
    everything = inventory(landing.root)
    missing = missing_sources(everything, month)
    refused_gap = [s for s in missing if s not in config.allow_missing]
    rows = [r for r in everything if r["month"] == month or (r["month"] is None and r["source"] != "reference" and r["problem"])]
    with warehouse.connect() as con:
        con.execute(
            "CREATE SCHEMA IF NOT EXISTS raw; CREATE TABLE IF NOT EXISTS raw.landing_files ("
            "month DATE, file_path VARCHAR, source VARCHAR, size_bytes BIGINT, modified_at TIMESTAMPTZ, problem VARCHAR)"
        )
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM raw.landing_files WHERE month = ?", [month])
        for r in rows:
            con.execute("INSERT INTO raw.landing_files VALUES (?, ?, ?, ?, ?, ?)",
                        [month, r["file_path"], r["source"], r["size_bytes"], r["modified_at"], r["problem"]])
        con.execute("COMMIT")
        table = table_metadata(con, "raw.landing_files", partition="month = ?", partition_params=(month,))
    problems = [r for r in rows if r["problem"]]
    yield MaterializeResult(metadata={
        **table,
        "files": MetadataValue.int(len(rows)),
        "by_source": MetadataValue.json({s: sum(1 for r in rows if r["source"] == s) for s in sorted({r["source"] for r in rows})}),
    })
    yield AssetCheckResult(
        check_name="files_recognised", passed=not problems, severity=AssetCheckSeverity.ERROR,
        description="; ".join(f"{r['file_path']}: {r['problem']}" for r in problems) or None,
        metadata={"problems": MetadataValue.md("\n".join(f"- {r['file_path']}: {r['problem']}" for r in problems) or "none")},
    )
    previous = previous_month(month).strftime("%Y-%m")
    yield AssetCheckResult(
        check_name="sources_present", passed=not refused_gap, severity=AssetCheckSeverity.ERROR,
        description=(
            f"thiếu nguồn dữ liệu tháng {month:%Y-%m} (có tệp tháng {previous}) / source(s) missing in {month:%Y-%m} that had "
            f"files in {previous}: {', '.join(refused_gap)} — chấp nhận cho lần chạy này / accept for this run: "
            + " ".join(f"--allow-missing {s}" for s in refused_gap)
        ) if refused_gap else None,
        metadata={"missing": MetadataValue.json(missing), "accepted_missing": MetadataValue.json(sorted(set(missing) & set(config.allow_missing)))},
    )


def prevalidate(con, spec, month: dt.date, rows_sql: str, key: tuple) -> None:
    """Hand the rows a month is about to stage to Great Expectations before they are written: GX
    validates them (in the helper process, or on a thread) while DuckDB writes the month, and the
    suite's check step takes the outcome if the month's files are still the same."""
    suite = suite_for_table(spec.staging_table)
    if suite is not None:
        submit(suite, month.isoformat(), key, load_table(con, suite, relation=f"({rows_sql})"))


def keys_in_several_files(con, spec, month: dt.date) -> dict:
    """Record keys (the contract's ``key``) that two or more files of the month carry when those
    files differ in content (sha256): ``{"keys": n, "files": [(file paths, keys, an example key)]}``
    per set of files, the largest first. Byte-identical copies carry identical rows and are left
    to the latest-row rule.

    A month whose loaded files share one content (the usual single export) cannot have such a key
    and is not scanned. Otherwise one pass finds the keys seen in two contents (each file's
    content a small number, compared by min and max: no per-key list); only those keys are then
    described by their files and an example."""
    contents = con.execute(
        "SELECT count(DISTINCT sha256) FROM quality.file_log WHERE source = ? AND month = ? AND status = 'loaded'",
        [spec.source, month]).fetchone()[0]
    if contents < 2:
        return {"keys": 0, "files": []}
    key = [k if k == "system" else spec.field(k).staged_name for k in spec.key]
    cols = ", ".join(f's."{k}"' for k in key)
    same_key = " AND ".join(f's."{k}" IS NOT DISTINCT FROM k."{k}"' for k in key)
    example = " || ' / ' || ".join(f'coalesce(CAST(s."{k}" AS VARCHAR), \'?\')' for k in key)
    rows = con.execute(
        f"""WITH content AS (
                SELECT file_path, dense_rank() OVER (ORDER BY sha256) AS content
                FROM quality.file_log WHERE source = $source AND month = $month
            ),
            shared AS (
                SELECT {cols} FROM {spec.staging_table} s JOIN content f ON f.file_path = s.file_path
                WHERE s.month = $month
                GROUP BY ALL
                HAVING min(f.content) <> max(f.content)
            ),
            per_key AS (
                SELECT {cols}, list(DISTINCT s.file_path ORDER BY s.file_path) AS files, min({example}) AS example
                FROM {spec.staging_table} s SEMI JOIN shared k ON {same_key}
                WHERE s.month = $month
                GROUP BY ALL
            )
            SELECT files, count(*) AS n, min(example) FROM per_key GROUP BY files ORDER BY n DESC, files""",
        {"source": spec.source, "month": month},
    ).fetchall()
    return {"keys": sum(r[1] for r in rows), "files": [(list(r[0]), r[1], r[2]) for r in rows[:10]]}


def source_assets(source: str):
    spec = load_source(source)
    stg = AssetKey(["staging", f"stg_{source}"])
    quarantine = AssetKey(["quality", f"{source}_quarantine"])
    file_log = AssetKey(["quality", f"{source}_file_log"])

    @multi_asset(
        name=f"load_{source}",
        partitions_def=monthly_partitions,
        pool=WAREHOUSE_POOL,
        specs=[
            AssetSpec(stg, group_name="staging", kinds={"duckdb"}, deps=[LANDING_FILES, AssetKey(["staging", "stg_org_units"])],
                      description=f"{spec.label_vi}: typed rows of the month's exports, PII hashed ({spec.staging_table})."),
            AssetSpec(quarantine, group_name="quality", kinds={"duckdb"}, deps=[LANDING_FILES],
                      description=f"Rows of {source} files that could not be loaded, with file, row, column and reason (quality.quarantine, source = '{source}')."),
            AssetSpec(file_log, group_name="quality", kinds={"duckdb"}, deps=[LANDING_FILES],
                      description=f"One row per {source} file of the month: hash and row accounting (quality.file_log, source = '{source}')."),
        ],
        check_specs=[
            check_spec("rows_accounted", file_log, blocking=True,
                       vi="Mỗi tệp: số dòng đọc = số dòng nạp + số dòng cách ly + số dòng bỏ qua",
                       en="rows_read = rows_loaded + rows_quarantined + rows_skipped for every file"),
            check_spec("files_readable", file_log,
                       vi="Không tệp nào của tháng bị từ chối (không đọc được, không có dòng tiêu đề, thiếu cột bắt buộc)",
                       en="No file of the month was refused (unreadable, no header, required column missing)"),
            check_spec("keys_in_one_file", stg, blocking=True,
                       vi=f"Không khoá {' + '.join(spec.key)} nào có trong hai tệp khác nội dung (sha256) của tháng: một "
                          "tệp xuất được đọc hai lần dưới tên khác, hoặc hai tệp xuất mâu thuẫn về một bản ghi",
                       en=f"No {' + '.join(spec.key)} is carried by two files of the month with different content "
                          "(sha256): one export read twice under another name, or two exports disagreeing about one record"),
            check_spec("quarantine_rate", quarantine,
                       vi="Tỷ lệ dòng dữ liệu bị cách ly dưới 5%", en="Share of data rows quarantined stays under 5%"),
        ],
    )
    def _load(context: AssetExecutionContext, warehouse: WarehouseResource, landing: LandingResource, pii: PiiKeyResource):
        month = partition_month(context)
        with warehouse.connect() as con:
            # a large file: Great Expectations is imported on a background thread while DuckDB parses
            # it (DuckDB releases the GIL); small months start the import when the step ends
            result = Loader(con, landing.root, pii.resolve(), on_large_input=prewarm, rotate_key=pii.rotate,
                            on_parsed=lambda spec, m, rows, key: prevalidate(con, spec, m, rows, key)).load_month(source, month)
            bad = con.execute(
                "SELECT file_path, rows_read, rows_loaded, rows_quarantined, rows_skipped FROM quality.file_log "
                "WHERE source = ? AND month = ? AND rows_read <> rows_loaded + rows_quarantined + rows_skipped",
                [source, month],
            ).fetchall()
            shared = keys_in_several_files(con, spec, month)
            of_source = {"scope": "source = ?", "scope_params": (source,), "partition": "month = ?", "partition_params": (month,)}
            tables = {stg: table_metadata(con, spec.staging_table, partition="month = ?", partition_params=(month,)),
                      quarantine: table_metadata(con, "quality.quarantine", **of_source),
                      file_log: table_metadata(con, "quality.file_log", **of_source)}
        prewarm()
        meta = load_metadata(result)
        demo_key = {"pii_key": MetadataValue.text(DEMO_KEY_WARNING)} if pii.uses_demo_key else {}
        yield MaterializeResult(asset_key=stg, metadata={"rows_loaded": meta["rows_loaded"], "files": meta["files"], **tables[stg],
                                                         **demo_key})
        feedback = ({"feedback_command": MetadataValue.text(
            f"cchc-etl quarantine --month {month:%Y-%m} --source {source} --out <thư mục / directory>  "
            "(tệp Excel cho đơn vị sửa dữ liệu; liên kết hiện ở đây / workbooks for the data owners, linked here)")}
            if result.total("rows_quarantined") else {})
        yield MaterializeResult(asset_key=quarantine, metadata={"rows_quarantined": meta["rows_quarantined"], **tables[quarantine],
                                                                **feedback})
        yield MaterializeResult(asset_key=file_log, metadata={**meta, **tables[file_log]})
        yield AssetCheckResult(
            check_name="rows_accounted", asset_key=file_log, passed=not bad,
            metadata={"mismatched_files": MetadataValue.json([list(map(str, b)) for b in bad])},
        )
        yield AssetCheckResult(
            check_name="keys_in_one_file", asset_key=stg, passed=not shared["keys"], severity=AssetCheckSeverity.ERROR,
            description=(
                f"{shared['keys']} khoá ({', '.join(spec.key)}) có trong nhiều tệp khác nội dung của tháng / keys carried by "
                f"several files of the month with different content: " + "; ".join(
                    f"{' + '.join(files)} ({n} keys, e.g. {example})" for files, n, example in shared["files"])
            ) if shared["keys"] else None,
            metadata={"keys": MetadataValue.int(shared["keys"]),
                      "files": MetadataValue.json([{"files": f, "keys": n, "example": e} for f, n, e in shared["files"]])},
        )
        refused = result.refused
        yield AssetCheckResult(
            check_name="files_readable", asset_key=file_log, passed=not refused, severity=AssetCheckSeverity.ERROR,
            description="; ".join(f.error for f in refused) or None,
            metadata={"refused": MetadataValue.md("\n".join(f"- {f.error}" for f in refused) or "none")},
        )
        data_rows = result.total("rows_loaded") + result.total("rows_quarantined")
        rate = 100.0 * result.total("rows_quarantined") / data_rows if data_rows else 0.0
        yield AssetCheckResult(
            check_name="quarantine_rate", asset_key=quarantine, passed=rate < 5.0, severity=AssetCheckSeverity.WARN,
            metadata={"quarantined_percent": MetadataValue.float(round(rate, 3)), "rows_quarantined": MetadataValue.int(result.total("rows_quarantined"))},
        )

    return _load


source_loaders = [source_assets(s) for s in event_sources()]
