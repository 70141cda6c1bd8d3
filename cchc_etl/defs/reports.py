"""Asset group ``reports``: the workbooks officials hand in, written after each month is scored.

``reports/workbooks`` (monthly partitions) writes, for the month, its quarter, its half year
(months 1-6: "6 tháng đầu năm") and its year, each to date, the city's workbook and one per
department, the drafted results report of each and the scorecard site (``site/index.html``) into
``<root>/<period>/`` (default ``reports/`` next to the warehouse). It reads the
warehouse through a read-only connection and loads each period's figures once for all the
workbooks of that period.

It is not part of ``cchc_monthly`` (a run of the CLI or of the schedule loads and scores only);
the job ``cchc_reports`` materializes it, and the sensor ``cchc_reports_after_scoring``
(automation conditions, stopped by default like the other sensors) requests a month's
partition once its marts are rebuilt and none of them is missing or in progress.
"""


import datetime as dt
import time

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    AutomationCondition,
    AutomationConditionSensorDefinition,
    ConfigurableResource,
    DefaultSensorStatus,
    MaterializeResult,
    MetadataValue,
    asset,
    define_asset_job,
    in_process_executor,
)

from cchc_etl import warehouse as wh
from cchc_etl.defs.partitions import WAREHOUSE_POOL, monthly_partitions
from cchc_etl.defs.resources import MethodologyResource, WarehouseResource
from cchc_etl.periods import month_start
from cchc_etl.reports.data import ReportOptions
from cchc_etl.reports.output import build_reports, reports_root

REPORTS_GROUP = "reports"
WORKBOOKS = AssetKey(["reports", "workbooks"])
SCORED_MARTS = [AssetKey(["marts", n]) for n in ("period_report", "indicator_values", "indicator_scores", "scores",
                                                  "target_attainment", "periods")]

# after the month's marts are rebuilt, for any month (not only the latest, as eager() would)
AFTER_SCORING = (
    AutomationCondition.any_deps_updated().since_last_handled()
    & ~AutomationCondition.any_deps_missing()
    & ~AutomationCondition.any_deps_in_progress()
    & ~AutomationCondition.in_progress()
).with_label("after the month's marts are rebuilt")


class ReportsResource(ConfigurableResource):
    """Where the workbooks go (empty: ``reports/`` next to the warehouse, or ``CCHC_REPORTS_DIR``),
    whose workbooks are written (empty: the city's and one per department) and the windows of the
    near-due lists."""

    root: str = ""
    units: list[str] = []
    near_due_days: int = 1
    supplement_days: int = 10
    formats: list[str] = ["xlsx", "docx", "html"]   # the workbook, the drafted results report, the scorecard site

    def options(self) -> ReportOptions:
        return ReportOptions(near_due_days=self.near_due_days, supplement_days=self.supplement_days)


def report_periods(month: dt.date) -> list[str]:
    """The periods a month completes or extends: itself, its quarter, its half year (first six
    months only) and its year."""
    labels = [f"{month:%Y-%m}", f"{month.year}-Q{(month.month - 1) // 3 + 1}"]
    if month.month <= 6:
        labels.append(f"{month.year}-H1")
    return labels + [f"{month.year}"]


@asset(
    key=WORKBOOKS,
    partitions_def=monthly_partitions,
    pool=WAREHOUSE_POOL,  # reads the warehouse file: never while a run writes it
    group_name=REPORTS_GROUP,
    kinds={"excel", "html"},
    deps=SCORED_MARTS,
    automation_condition=AFTER_SCORING,
    description="Excel workbooks of the month, its quarter, half year and year to date (Biểu 06/VPCP/KSTT and its variants "
                "by unit and by procedure, service index, targets, late and near-due lists, trends): the city's and one per "
                "department, with the drafted results report of each (Báo cáo kết quả thực hiện công tác CCHC, docx), and the "
                "scorecard site (Chỉ số phục vụ, static HTML: <period>/site/index.html, a page per department and unit), in "
                "<reports root>/<period>/, replaced atomically.",
)
def report_workbooks(context: AssetExecutionContext, warehouse: WarehouseResource, reports: ReportsResource,
                     methodology: MethodologyResource) -> MaterializeResult:
    month = month_start(context.partition_key[:7])
    warehouse.release()  # the reports read through a read-only connection of their own
    source = wh.duckdb_path(warehouse.url)
    started = time.perf_counter()
    files: dict[str, list[str]] = {}
    to_date: list[str] = []
    for label in report_periods(month):
        run = build_reports(source, label, version=methodology.version, out=reports.root or None, units=reports.units or None,
                            options=reports.options(), formats=reports.formats)
        files[run.period_label] = [str(f) for f in run.files]
        if not run.complete:
            to_date.append(run.period_label)
    return MaterializeResult(metadata={
        "root": MetadataValue.path(str(reports_root(source, reports.root or None))),
        "workbooks": MetadataValue.int(sum(f.endswith(".xlsx") for v in files.values() for f in v)),
        "documents": MetadataValue.int(sum(f.endswith(".docx") for v in files.values() for f in v)),
        "sites": MetadataValue.json({p: f for p, v in files.items() for f in v if f.endswith(".html")}),
        "files": MetadataValue.json(files),
        "periods_to_date": MetadataValue.text(", ".join(to_date) or "none"),
        "seconds": MetadataValue.float(round(time.perf_counter() - started, 2)),
    })


report_assets = [report_workbooks]
reports_job = define_asset_job(
    "cchc_reports",
    selection=AssetSelection.groups(REPORTS_GROUP),
    description="The reports of a month and of the quarter, half year and year it completes or extends.",
    executor_def=in_process_executor,
)
reports_sensor = AutomationConditionSensorDefinition(
    "cchc_reports_after_scoring",
    target=AssetSelection.groups(REPORTS_GROUP),
    default_status=DefaultSensorStatus.STOPPED,
    minimum_interval_seconds=60,
    description="Requests reports/workbooks for a month once its marts are rebuilt (switch on in the UI).",
)
