"""Warehouse and mart assets for the month, built by the SQL in ``sql/``."""


from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Definitions,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)

from cchc_etl import build, explain, scoring
from cchc_etl.contract import event_sources
from cchc_etl.defs.check_specs import check_spec
from cchc_etl.defs.month_gate import require_month_validated
from cchc_etl.defs.operations import apply_marts_freshness
from cchc_etl.defs.partitions import WAREHOUSE_POOL, monthly_partitions, on_previous_month
from cchc_etl.defs.reporting import month_headline, table_metadata
from cchc_etl.defs.resources import MethodologyResource, WarehouseResource
from cchc_etl.periods import month_start
from cchc_etl.table_dictionary import marts_built_by
from cchc_etl.table_dictionary import table as dictionary_table

STG_DOSSIERS = AssetKey(["staging", "stg_dossiers"])
MONTH_END = AssetKey(["core", "fct_dossier_month_end"])


def _month(context):
    return month_start(context.partition_key[:7])


@asset(key=["core", "org_rollup"], partitions_def=monthly_partitions, pool=WAREHOUSE_POOL, group_name="core",
       kinds={"duckdb"}, deps=[AssetKey(["staging", "stg_org_units"])],
       description="Org structure in force in the month (as was): member unit -> unit, department and city it counts for.")
def org_rollup(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    with warehouse.connect() as con:
        n = build.build_org_rollup(con, _month(context))
        unattributed = con.execute(
            "SELECT count(DISTINCT unit_code) FROM staging.stg_dossiers d WHERE month = ? AND NOT EXISTS "
            "(SELECT 1 FROM core.org_rollup r WHERE r.period_type = 'month' AND r.period_start = ? AND r.member_code = d.unit_code)",
            [_month(context), _month(context)],
        ).fetchone()[0]
        table = table_metadata(con, "core.org_rollup", partition="period_type = 'month' AND period_start = ?",
                               partition_params=(_month(context),))
    return MaterializeResult(metadata={"rows": MetadataValue.int(n), "unattributed_unit_codes": MetadataValue.int(unattributed), **table})


# on_previous_month(MONTH_END): a month's state is the previous month's state plus this month's
# exports (build.build_dossier_month_end), so a backfill builds the months in order and stops
# at a month whose state could not be built. The other event sources are control dependencies:
# the state is built once the whole month is loaded and its blocking checks passed.
@asset(key=MONTH_END, partitions_def=monthly_partitions, pool=WAREHOUSE_POOL, group_name="core",
       kinds={"duckdb"}, deps=[*(AssetKey(["staging", f"stg_{s}"]) for s in event_sources()), AssetKey(["staging", "stg_procedures"]),
                               on_previous_month(MONTH_END)],
       description="Month-end state of every dossier relevant to the month (the previous month's state plus the month's "
                   "exports: latest row among exports up to the month) with §2 flags; built once every source of the month "
                   "is loaded and its blocking checks passed.",
       check_specs=[check_spec("procedures_in_catalogue", MONTH_END,
                               vi="Thủ tục của mọi hồ sơ có trong danh mục đang hiệu lực (phương pháp §2: hồ sơ của thủ tục "
                                  "ngoài danh mục dùng trường của chính nó và được đếm ở đây)",
                               en="Every dossier's procedure is in the catalogue in force (methodology §2: one that is not "
                                  "falls back to its own fields and is counted here)")])
def fct_dossier_month_end(context: AssetExecutionContext, warehouse: WarehouseResource):
    require_month_validated(context)
    month = _month(context)
    with warehouse.connect() as con:
        n = build.build_dossier_month_end(con, month)
        missing = con.execute(
            "SELECT procedure_code, count(*) FROM core.fct_dossier_month_end WHERE period_start = ? AND NOT procedure_in_catalogue "
            "GROUP BY ALL ORDER BY 2 DESC, 1", [month]).fetchall()
        table = table_metadata(con, "core.fct_dossier_month_end", partition="period_start = ?", partition_params=(month,))
    yield MaterializeResult(metadata={"rows": MetadataValue.int(n), **table})
    yield AssetCheckResult(
        check_name="procedures_in_catalogue", passed=not missing, severity=AssetCheckSeverity.WARN,
        description=(f"{sum(c for _, c in missing)} hồ sơ của {len(missing)} thủ tục không có trong danh mục / dossiers of "
                     f"procedures not in the catalogue: " + ", ".join(f"{p} ({c})" for p, c in missing[:10])) if missing else None,
        metadata={"dossiers": MetadataValue.int(sum(c for _, c in missing)),
                  "procedures": MetadataValue.json({str(p): c for p, c in missing[:200]})},
    )


@asset(key=["marts", "period_report"], partitions_def=monthly_partitions, pool=WAREHOUSE_POOL, group_name="marts",
       kinds={"duckdb"}, deps=[MONTH_END, AssetKey(["core", "org_rollup"])],
       description=dictionary_table("marts.period_report").asset.description)
def period_report(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    with warehouse.connect() as con:
        n = build.build_period_report(con, _month(context))
        city = con.execute(
            "SELECT sum(rpt_received), sum(rpt_resolved_early + rpt_resolved_on_time + rpt_resolved_late) FROM marts.period_report "
            "WHERE period_start = ? AND org_level = 'city'", [_month(context)],
        ).fetchone()
        table = table_metadata(con, "marts.period_report", partition="period_start = ?", partition_params=(_month(context),))
    return MaterializeResult(metadata={"rows": MetadataValue.int(n), "city_received": MetadataValue.int(int(city[0] or 0)),
                                       "city_resolved": MetadataValue.int(int(city[1] or 0)), **table})


@asset(key=["core", "dim_date"], pool=WAREHOUSE_POOL, group_name="core", kinds={"duckdb"},
       deps=[AssetKey(["staging", "stg_holidays"])],
       description="Calendar 2000-2045 with working days: Monday-Friday minus holidays and compensatory days off, plus make-up Saturdays.")
def dim_date(warehouse: WarehouseResource) -> MaterializeResult:
    with warehouse.connect() as con:
        n = build.build_dim_date(con)
        holidays = con.execute("SELECT count(*) FROM core.dim_date WHERE holiday_kind IS NOT NULL").fetchone()[0]
        table = table_metadata(con, "core.dim_date")
    return MaterializeResult(metadata={"rows": MetadataValue.int(n), "calendar_days_from_holidays": MetadataValue.int(holidays), **table})


@asset(key=["core", "dim_indicator"], pool=WAREHOUSE_POOL, group_name="core", kinds={"duckdb"},
       description="Indicators of the methodology version in use: names (vi/en), formula, unit, direction, points, threshold, levels.")
def dim_indicator(warehouse: WarehouseResource, methodology: MethodologyResource) -> MaterializeResult:
    with warehouse.connect() as con:
        n = scoring.build_dim_indicator(con, methodology.version)
        explain.create_indicator_rows_macro(con, methodology.version)
        table = table_metadata(con, "core.dim_indicator")
    return MaterializeResult(metadata={"rows": MetadataValue.int(n), "methodology_version": MetadataValue.text(methodology.version), **table})


def score_month_asset():
    """The ``score_month`` multi-asset: one asset per mart whose table YAML says score_month builds
    it (``asset.built_by`` or a ``scoring`` block), read when the definitions load."""
    score_keys = {name: AssetKey(["marts", name]) for name in marts_built_by("score_month")}
    descriptions = {name: dictionary_table(f"marts.{name}").asset.description for name in score_keys}

    @multi_asset(
        specs=[AssetSpec(key, group_name="marts", kinds={"duckdb"}, description=descriptions[name],
                         deps=[MONTH_END, AssetKey(["core", "org_rollup"]),
                               AssetKey(["core", "dim_date"]), AssetKey(["core", "dim_indicator"]),
                               *[AssetKey(["staging", f"stg_{s}"]) for s in
                                 ("surveys", "feedback", "documents", "email", "procedures", "self_assessment", "targets")]])
               for name, key in score_keys.items()],
        partitions_def=monthly_partitions,
        pool=WAREHOUSE_POOL,
        name="score_month",
        check_specs=[check_spec("reference_rows_usable", score_keys["target_attainment"],
                                vi="Mọi dòng chỉ tiêu và tự chấm điểm nêu chỉ số, phạm vi và đơn vị đã biết, tỷ lệ tự chấm trong "
                                   "khoảng 0-100 (các dòng khác được liệt kê theo tệp, dòng và cột)",
                                en="Every targets / self-assessment row names a known indicator, scope and unit, and "
                                   "self-assessed percentages lie in 0-100 (other rows are listed by file, row and column)"),
                     check_spec("received_balanced", score_keys["indicator_values"], blocking=True,
                                vi="Mỗi kỳ tính điểm: số hồ sơ tiếp nhận của thành phố bằng tổng của các đơn vị đang hoạt động "
                                   "(phương pháp §1: không đơn vị nào bị thiếu)",
                                en="For every period scored, the city's received count equals the dossiers received by the "
                                   "units in force (methodology §1: no unit's rows missing from the city)")],
    )
    def score_month(context: AssetExecutionContext, warehouse: WarehouseResource, methodology: MethodologyResource):
        month = _month(context)
        with warehouse.connect() as con:
            results = build.build_scores(con, month, methodology.version)
            unusable = scoring.unusable_reference_rows(con, methodology.version)
            periods_scored = [(r.period.type, r.period.start) for r in results]
            annual = {m.table for m in scoring.scored_marts() if m.periods == ("year",)}
            tables = {name: _scored_table_metadata(con, name, periods_scored, methodology.version, annual=name in annual)
                      for name in score_keys}
            headline = month_headline(con, month, methodology.version)
        periods = ", ".join(f"{r.period.label} ({r.period.type}{'' if r.period.complete else ', year to date'})" for r in results)
        for name, key in score_keys.items():
            meta = {"periods": MetadataValue.text(periods), "methodology_version": MetadataValue.text(methodology.version)}
            if any(f"marts.{name}" in r.rows for r in results):
                meta["rows"] = MetadataValue.int(sum(r.rows.get(f"marts.{name}", 0) for r in results))
            meta.update(tables[name])
            if name == "indicator_values":
                meta.update(headline)
            yield MaterializeResult(asset_key=key, metadata=meta)
        unbalanced = [r for r in results if not r.received_balanced]
        yield AssetCheckResult(
            check_name="received_balanced", asset_key=score_keys["indicator_values"], passed=not unbalanced,
            severity=AssetCheckSeverity.ERROR,
            description="; ".join(
                f"{r.period.label}: thành phố tiếp nhận {r.city_received}, các đơn vị đang hoạt động {r.units_received} / "
                f"city received {r.city_received}, units in force {r.units_received}" for r in unbalanced) or None,
            metadata={"periods": MetadataValue.json([
                {"period": r.period.label, "type": r.period.type, "city_received": r.city_received, "units_received": r.units_received}
                for r in results])},
        )
        yield AssetCheckResult(
            check_name="reference_rows_usable", asset_key=score_keys["target_attainment"], passed=not unusable,
            severity=AssetCheckSeverity.WARN,
            description=(f"{len(unusable)} reference rows not used: " + "; ".join(unusable[:5])) if unusable else None,
            metadata={"unusable_rows": MetadataValue.int(len(unusable)),
                      "rows": MetadataValue.md("\n".join(f"- {u}" for u in unusable[:200]) or "none")},
        )

    return score_month


score_month = score_month_asset()
#: the marts score_month builds (the table YAML's ``asset`` or ``scoring`` block)
SCORE_KEYS = {name: AssetKey(["marts", name]) for name in marts_built_by("score_month")}
SCORE_DESCRIPTIONS = {name: dictionary_table(f"marts.{name}").asset.description for name in SCORE_KEYS}


def _scored_table_metadata(con, name: str, periods: list, version: str, *, annual: bool) -> dict:
    """Table metadata of a scoring mart; its partition's rows are those of the periods the month
    scored (the month, its quarter, its year to date), or of its year for the annual marts."""
    if annual:
        years = sorted({start.year for _, start in periods})
        partition, params = f"year IN ({', '.join('?' for _ in years)})", tuple(years)
    else:
        partition = " OR ".join("(period_type = ? AND period_start = ?)" for _ in periods)
        params = tuple(v for p in periods for v in p)
    return table_metadata(con, f"marts.{name}", partition=f"methodology_version = ? AND ({partition})",
                          partition_params=(version, *params))


warehouse_assets = [dim_date, dim_indicator, org_rollup, fct_dossier_month_end, period_report, score_month]
# what the defs folder loads from this module: the marts with their freshness policy
defs = Definitions(assets=apply_marts_freshness(warehouse_assets))
