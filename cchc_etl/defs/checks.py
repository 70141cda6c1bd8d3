"""Asset checks generated from the Great Expectations suites in ``expectations/``.

One Dagster check per expectation, all evaluated by one GX validation of the partition:
severity critical -> ERROR and blocking (the marts are built only from validated data),
warning -> WARN.
"""


from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)

from cchc_etl.contract import load_source
from cchc_etl.defs.check_specs import check_spec
from cchc_etl.defs.partitions import WAREHOUSE_POOL
from cchc_etl.defs.resources import WarehouseResource
from cchc_etl.expectation_text import describe
from cchc_etl.format_vi import number
from cchc_etl.ingest import month_key
from cchc_etl.periods import month_start
from cchc_etl.staging import q
from cchc_etl.validation import ExpectationDef, Outcome, SuiteDef, all_suites, count_all_rows, load_table, take, validate


def expectation_description(suite: SuiteDef, e: ExpectationDef) -> dict:
    """``vi`` and ``en`` of the check: the suite's ``meta.description`` ("vi / en"), else derived
    from the expectation and the contract (cchc_etl.expectation_text)."""
    if " / " in e.description:
        vi, en = e.description.split(" / ", 1)
        return {"vi": vi, "en": en}
    described = describe(e.type, e.kwargs, load_source(suite.source))
    if described is None:  # tests/dagster/test_month_order.py names the expectation that needs a meta.description
        return {"vi": e.description or e.type, "en": e.description or e.type}
    return {"vi": described[0], "en": described[1]}


def scope_metadata(o: Outcome) -> dict:
    """What the check's figures cover: the partition's rows, the rows GX validated, and whether
    the counts are over all rows or GX's on its sample (``cchc_etl.validation``)."""
    rows = int(o.rows or 0)
    sample = int(o.sample_rows if o.sample_rows is not None else rows)
    if o.sampled:
        counts = (f"kết quả của GX trên mẫu {number(sample)} trong {number(rows)} dòng / "
                  f"GX's result on a sample of {number(sample)} of {number(rows)} rows")
    else:
        counts = f"đếm trên tất cả {number(rows)} dòng / counted over all {number(rows)} rows"
    return {
        "rows_validated": MetadataValue.int(rows),
        "gx_sample_rows": MetadataValue.int(sample),
        "gx_sampled": MetadataValue.bool(bool(o.sampled)),
        "counts_over": MetadataValue.text(counts),
    }


def suite_checks(suite: SuiteDef):
    asset_key = AssetKey(suite.asset.split("/"))

    @multi_asset_check(
        name=f"gx_{suite.name}",
        pool=WAREHOUSE_POOL,
        description=f"Great Expectations suite expectations/{suite.name}.json",
        specs=[check_spec(e.check_name, asset_key, **expectation_description(suite, e), blocking=e.severity == "critical",
                          monthly=suite.partition_column is not None)
               for e in suite.expectations],
    )
    def _check(context: AssetCheckExecutionContext, warehouse: WarehouseResource):
        where = ""
        params: list = []
        outcomes = None
        with warehouse.connect() as con:
            if suite.partition_column and context.has_partition_key:
                month = month_start(context.partition_key[:7])
                where = f" WHERE {q(suite.partition_column)} = ?"
                params = [month]
                # validated while the load step wrote these very rows (same files, same loader)?
                outcomes = take(suite, month.isoformat(), month_key(con, suite.source, month))
            if outcomes is None:
                outcomes = validate(suite, load_table(con, suite, where, params))
            # a month larger than GX's sample: the counts over all of its rows, in DuckDB
            outcomes = count_all_rows(con, suite, outcomes, where, params)
        for o in outcomes:
            meta = {
                "element_count": MetadataValue.int(int(o.element_count or 0)),
                "unexpected_count": MetadataValue.int(int(o.unexpected_count or 0)),
                "unexpected_percent": MetadataValue.float(float(o.unexpected_percent or 0.0)),
                "gx_severity": MetadataValue.text(o.severity),
                **scope_metadata(o),
            }
            if o.sample:
                meta["unexpected_sample"] = MetadataValue.json(o.sample)
            if o.error:
                meta["error"] = MetadataValue.text(o.error)
            yield AssetCheckResult(
                check_name=o.check_name, asset_key=asset_key, passed=o.success and not o.error,
                severity=AssetCheckSeverity.ERROR if o.severity == "critical" else AssetCheckSeverity.WARN,
                metadata=meta,
            )

    return _check


gx_checks = [suite_checks(s) for s in all_suites()]
