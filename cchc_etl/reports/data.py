"""Every figure of the reports, read from the warehouse (a read-only connection; no landing file).

``load_report_data`` reads the whole city once for a period; the sheets' rows for the city, a
department or a unit are then cut from these frames (``cchc_etl.reports.rows``) without going back
to the warehouse, so the city's workbook and one per department cost one pass.

Sources, all of them published or core warehouse relations:

* dossier counts and lists: the period's dossier facts, i.e. the rows ``marts.period_report`` and
  the ``RPT_*`` indicators count (``core.fct_dossier_month_end`` for a period of one month so far,
  else ``core.dossier_facts(start, end, asof)``), attributed through ``core.org_rollup`` (computed
  by ``sql/intermediate/int_org_rollup.sql`` for a half year, which the marts do not score);
  lĩnh vực and procedure names from the procedure catalogue in force, else the dossier's export;
* ``marts.scores``, ``marts.indicator_scores``, ``marts.target_attainment``,
  ``marts.indicator_values`` (trends) and ``core.dim_indicator`` / ``core.dim_date``.

No PII column is ever selected: the dossier lists carry codes, names of procedures and units, and
dates only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from cchc_etl.methodology import load_methodology
from cchc_etl.reports.period import ReportPeriod
from cchc_etl.sql_text import sql_file, used_params

# counts per (member unit, procedure, lĩnh vực), methodology §2 (RPT_*), plus the split the form's
# convention needs: open and overdue dossiers that are awaiting the citizen's supplement
COUNTS = ("carried_over", "received", "received_online", "received_direct", "received_postal", "resolved_early",
          "resolved_on_time", "resolved_late", "withdrawn_rejected", "pending_within", "pending_overdue",
          "pending_overdue_awaiting")
COUNT_SQL = {
    "carried_over": "is_carried_over", "received": "is_received",
    "received_online": "is_received AND channel = 'online'", "received_direct": "is_received AND channel = 'direct'",
    "received_postal": "is_received AND channel = 'postal'", "resolved_early": "is_resolved_early",
    "resolved_on_time": "is_resolved_on_time", "resolved_late": "is_resolved_late",
    "withdrawn_rejected": "is_withdrawn_rejected", "pending_within": "is_pending_within",
    "pending_overdue": "is_pending_overdue",
    "pending_overdue_awaiting": "is_pending_overdue AND status = 'awaiting_supplement'",
}
NO_FIELD = "Chưa xác định lĩnh vực"
TREND_INDICATORS = ("ON_TIME_REPORT", "ONLINE_SHARE_ELIGIBLE", "SATISFACTION_RATE", "RPT_RECEIVED")
STATUS_VI = {"processing": "Đang xử lý", "awaiting_supplement": "Chờ bổ sung", "suspended": "Tạm dừng",
             "resolved": "Đã có kết quả", "returned": "Đã trả kết quả", "rejected": "Từ chối", "withdrawn": "Rút hồ sơ"}


@dataclass(frozen=True)
class ReportOptions:
    near_due_days: int = 1          # open dossiers due within this many working days (1: the legal notice limit)
    supplement_days: int = 10       # awaiting a supplement for longer than this many working days

    def __post_init__(self):
        if not 0 <= self.near_due_days <= 30:
            raise ValueError(f"near_due_days: 0-30 ngày làm việc / working days, got {self.near_due_days}")
        if not 0 <= self.supplement_days <= 365:
            raise ValueError(f"supplement_days: 0-365 ngày làm việc / working days, got {self.supplement_days}")


@dataclass
class ReportData:
    period: ReportPeriod
    options: ReportOptions
    cities: list[str]
    units: pd.DataFrame          # unit_code, name, level, parent_code, category (units in force in the period)
    rollup: pd.DataFrame         # member_code, unit_code (None for the city's own code), department_code, city_code
    counts: pd.DataFrame         # member_code, procedure_code, field_name, *COUNTS
    procedures: pd.DataFrame     # procedure_code, procedure_name
    late: pd.DataFrame           # open and overdue at the period end (Phụ lục II)
    near_due: pd.DataFrame       # open, due within options.near_due_days working days of the period end
    awaiting: pd.DataFrame       # awaiting a supplement for longer than options.supplement_days working days
    awaiting_undated: pd.DataFrame  # member_code, n: awaiting a supplement with no request date
    scores: pd.DataFrame | None  # marts.scores of the period (None: not defined for the period type)
    previous_scores: pd.DataFrame | None
    indicator_scores: pd.DataFrame | None
    targets: pd.DataFrame
    trend: pd.DataFrame          # month, org_unit_code, org_level, indicator_code, numerator, denominator, value
    groups: list[tuple[str, str]] = field(default_factory=list)   # (G1, Công khai, minh bạch), ...
    bands: list[tuple[str, float | None]] = field(default_factory=list)
    values: pd.DataFrame | None = None  # marts.indicator_values of the period, every unit and level (None: half year)
    samples: pd.DataFrame | None = None  # rows behind each unit's indicators (the site's unit pages; html only)
    memo: dict = field(default_factory=dict, repr=False)  # frames derived once per scope (cchc_etl.reports.rows)


def facts_relation(con: duckdb.DuckDBPyConnection, p: ReportPeriod) -> str:
    """The period's dossier facts: the month-end state when the period has one month so far (it
    is built already), else the rows over the whole period as of its last month."""
    one_month = p.start == p.asof and con.execute(
        "SELECT count(*) > 0 FROM core.fct_dossier_month_end WHERE period_start = ?", [p.start]).fetchone()[0]
    if one_month:
        return f"(SELECT * FROM core.fct_dossier_month_end WHERE period_start = DATE '{p.start.isoformat()}')"
    return f"core.dossier_facts(DATE '{p.start.isoformat()}', TIMESTAMP '{p.end.isoformat()} 00:00:00', DATE '{p.asof.isoformat()}')"


def _rollup(con: duckdb.DuckDBPyConnection, p: ReportPeriod) -> pd.DataFrame:
    if p.scored:
        rows = con.execute("SELECT member_code, rollup_code, rollup_level, city_code FROM core.org_rollup "
                           "WHERE period_type = ? AND period_start = ?", [p.type, p.start]).df()
    else:
        sql = sql_file("intermediate/int_org_rollup.sql")
        params = {"period_start": p.start, "period_end": p.end}
        rows = con.execute(f"SELECT member_code, rollup_code, rollup_level, city_code FROM ({sql})", used_params(sql, params)).df()
    if rows.empty:
        raise LookupError(f"không có cơ cấu tổ chức cho kỳ {p.label} / no org structure for {p.label}")
    wide = rows.pivot_table(index=["member_code", "city_code"], columns="rollup_level", values="rollup_code", aggfunc="first")
    wide = wide.reindex(columns=["unit", "department"]).reset_index()
    wide.columns.name = None
    out = wide.rename(columns={"unit": "unit_code", "department": "department_code"})
    return out[["member_code", "unit_code", "department_code", "city_code"]].astype(object).where(out.notna(), None)


def _units(con: duckdb.DuckDBPyConnection, p: ReportPeriod) -> pd.DataFrame:
    return con.execute("""
        SELECT unit_code, name, level, parent_code, category FROM staging.stg_org_units
        WHERE coalesce(valid_from, DATE '1900-01-01') < ? AND (valid_to IS NULL OR valid_to >= ?)
        QUALIFY row_number() OVER (PARTITION BY unit_code ORDER BY valid_from DESC NULLS LAST) = 1
        ORDER BY unit_code""", [p.end, p.start]).df()


def _stage_facts(con: duckdb.DuckDBPyConnection, p: ReportPeriod) -> None:
    """Temp table report_facts: the period's dossiers with their lĩnh vực and procedure name (the
    catalogue in force, else the dossier's own export) and the flags the reports count."""
    facts = facts_relation(con, p)
    flag_names = ("is_carried_over", "is_received", "is_resolved", "is_resolved_early", "is_resolved_on_time",
                  "is_resolved_late", "is_withdrawn_rejected", "is_open_at_end", "is_pending_within", "is_pending_overdue")
    flags = ", ".join(f"f.{c}" for c in flag_names)
    # only the columns used below: the facts' other columns are never computed
    used = ("system, dossier_id, file_path, row_number, unit_code, procedure_code, status, channel, received_at, due_at, "
            "resolved_at, supplement_requested_at, " + ", ".join(flag_names))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE report_facts AS
        WITH f AS MATERIALIZED (SELECT {used} FROM {facts}),
        catalogue AS (
            SELECT procedure_code, nullif(trim(name), '') AS name, nullif(trim(field_name), '') AS field_name
            FROM staging.stg_procedures
            WHERE coalesce(valid_from, DATE '1900-01-01') < $end AND (valid_to IS NULL OR valid_to >= $start)
            QUALIFY row_number() OVER (PARTITION BY procedure_code ORDER BY valid_from DESC NULLS LAST) = 1
        ),
        fc AS MATERIALIZED (
            SELECT f.*, c.field_name AS catalogue_field, c.name AS catalogue_name
            FROM f LEFT JOIN catalogue c ON c.procedure_code = f.procedure_code
        ),
        -- the dossier's own export is read only for the rows the catalogue does not name fully
        uncatalogued AS (SELECT * FROM fc WHERE catalogue_field IS NULL OR catalogue_name IS NULL),
        own AS (  -- one row per fact row (a key may repeat across the sheets of a workbook)
            SELECT file_path, row_number, dossier_id, any_value(field_name) AS field_name,
                   any_value(procedure_name) AS procedure_name
            FROM staging.stg_dossiers WHERE file_path IN (SELECT DISTINCT file_path FROM uncatalogued)
            GROUP BY ALL
        ),
        named AS (
            SELECT *, catalogue_field AS field, catalogue_name AS pname FROM fc
            WHERE catalogue_field IS NOT NULL AND catalogue_name IS NOT NULL
            UNION ALL BY NAME
            SELECT f.*, coalesce(f.catalogue_field, nullif(trim(o.field_name), '')) AS field,
                   coalesce(f.catalogue_name, nullif(trim(o.procedure_name), '')) AS pname
            FROM uncatalogued f
            LEFT JOIN own o ON o.file_path = f.file_path AND o.row_number = f.row_number AND o.dossier_id = f.dossier_id
        )
        SELECT f.system, f.dossier_id, f.unit_code AS member_code, f.procedure_code, f.status, f.channel,
               f.received_at, f.due_at, f.resolved_at, f.supplement_requested_at,
               coalesce(f.field, '{NO_FIELD}') AS field_name, f.pname AS procedure_name, {flags}
        FROM named f
    """, {"start": p.start, "end": p.end})


def _counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    cols = ", ".join(f"count(*) FILTER (WHERE {cond}) AS {name}" for name, cond in COUNT_SQL.items())
    return con.execute(f"SELECT member_code, procedure_code, field_name, {cols} FROM report_facts GROUP BY ALL "
                       "ORDER BY member_code, field_name, procedure_code").df()


# working days strictly after the first date and up to the second, from the warehouse calendar
_WORKING_DAYS = ("(SELECT count(*) FROM core.dim_date d WHERE d.is_working_day AND d.date > {after} AND d.date <= {upto})")
_LIST_COLUMNS = ("system, dossier_id, member_code, procedure_code, procedure_name, field_name, status, "
                 "CAST(received_at AS DATE) AS received_date, CAST(due_at AS DATE) AS due_date")


def _lists(con: duckdb.DuckDBPyConnection, p: ReportPeriod, o: ReportOptions) -> tuple[pd.DataFrame, ...]:
    last = f"DATE '{p.last_day.isoformat()}'"
    late = con.execute(f"""
        SELECT {_LIST_COLUMNS}, {_WORKING_DAYS.format(after='CAST(due_at AS DATE)', upto=last)} AS working_days_overdue
        FROM report_facts WHERE is_pending_overdue
        ORDER BY working_days_overdue DESC, due_date, member_code, dossier_id""").df()
    near = con.execute(f"""
        SELECT * FROM (
            SELECT {_LIST_COLUMNS}, {_WORKING_DAYS.format(after=last, upto='CAST(due_at AS DATE)')} AS working_days_left
            FROM report_facts WHERE is_pending_within)
        WHERE working_days_left <= {int(o.near_due_days)}
        ORDER BY working_days_left, due_date, member_code, dossier_id""").df()
    awaiting = con.execute(f"""
        SELECT * FROM (
            SELECT {_LIST_COLUMNS}, CAST(supplement_requested_at AS DATE) AS requested_date,
                   {_WORKING_DAYS.format(after='CAST(supplement_requested_at AS DATE)', upto=last)} AS working_days_waiting
            FROM report_facts WHERE is_open_at_end AND status = 'awaiting_supplement' AND supplement_requested_at IS NOT NULL)
        WHERE working_days_waiting > {int(o.supplement_days)}
        ORDER BY working_days_waiting DESC, member_code, dossier_id""").df()
    undated = con.execute("SELECT member_code, count(*) AS n FROM report_facts WHERE is_open_at_end "
                          "AND status = 'awaiting_supplement' AND supplement_requested_at IS NULL GROUP BY ALL").df()
    return late, near, awaiting, undated


def _procedures(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT procedure_code, mode(procedure_name) AS procedure_name FROM report_facts "
                       "GROUP BY ALL ORDER BY procedure_code").df()


def _scores(con: duckdb.DuckDBPyConnection, ptype: str, start: dt.date, version: str) -> pd.DataFrame:
    return con.execute("SELECT org_unit_code, org_level, group_code, score, max_score, ratio, rank, classification "
                       "FROM marts.scores WHERE period_type = ? AND period_start = ? AND methodology_version = ?",
                       [ptype, start, version]).df()


def _indicator_scores(con: duckdb.DuckDBPyConnection, p: ReportPeriod) -> pd.DataFrame:
    return con.execute("""
        SELECT s.org_unit_code, s.org_level, s.group_code, s.indicator_code, coalesce(i.name_vi, s.indicator_code) AS name_vi,
               s.numerator, s.denominator, s.value, s.points, s.threshold, s.applicable, s.score, s.max_score, s.reason
        FROM marts.indicator_scores s
        LEFT JOIN core.dim_indicator i ON i.indicator_code = s.indicator_code AND i.methodology_version = s.methodology_version
        WHERE s.period_type = ? AND s.period_start = ? AND s.methodology_version = ?
        ORDER BY s.org_unit_code, s.org_level, s.group_code, s.indicator_code""",
                       [p.type, p.start, p.methodology_version]).df()


def _targets(con: duckdb.DuckDBPyConnection, p: ReportPeriod) -> pd.DataFrame:
    return con.execute("""
        SELECT t.*, coalesce(i.name_vi, t.indicator_code) AS name_vi, i.unit AS indicator_unit, i.kind AS indicator_kind
        FROM marts.target_attainment t
        LEFT JOIN core.dim_indicator i ON i.indicator_code = t.indicator_code AND i.methodology_version = t.methodology_version
        WHERE t.year = ? AND t.methodology_version = ?
        ORDER BY t.indicator_code, t.comparator, t.org_level, t.org_unit_code""",
                       [p.start.year, p.methodology_version]).df()


def _values(con: duckdb.DuckDBPyConnection, p: ReportPeriod) -> pd.DataFrame:
    return con.execute("""
        SELECT org_unit_code, org_level, indicator_code, numerator, denominator, value FROM marts.indicator_values
        WHERE period_type = ? AND period_start = ? AND methodology_version = ?""",
                       [p.type, p.start, p.methodology_version]).df()


def _trend(con: duckdb.DuckDBPyConnection, p: ReportPeriod) -> pd.DataFrame:
    """The months of the period's year up to its last month: the trend indicators and the service
    index ratio (as indicator SERVICE_INDEX_RATIO, value = marts.scores TOTAL ratio)."""
    year_start = dt.date(p.start.year, 1, 1)
    codes = ", ".join(f"'{c}'" for c in TREND_INDICATORS)
    return con.execute(f"""
        SELECT period_start AS month, org_unit_code, org_level, indicator_code, numerator, denominator, value
        FROM marts.indicator_values
        WHERE period_type = 'month' AND period_start >= $start AND period_start <= $asof AND methodology_version = $v
          AND indicator_code IN ({codes})
        UNION ALL
        SELECT period_start, org_unit_code, org_level, 'SERVICE_INDEX_RATIO', score, max_score, ratio
        FROM marts.scores
        WHERE period_type = 'month' AND period_start >= $start AND period_start <= $asof AND methodology_version = $v
          AND group_code = 'TOTAL'
        ORDER BY 1, 2, 3, 4""", {"start": year_start, "asof": p.asof, "v": p.methodology_version}).df()


def load_report_data(con: duckdb.DuckDBPyConnection, period: ReportPeriod, options: ReportOptions | None = None) -> ReportData:
    options = options or ReportOptions()
    method = load_methodology(period.methodology_version)
    rollup = _rollup(con, period)
    _stage_facts(con, period)
    try:
        counts = _counts(con)
        procedures = _procedures(con)
        late, near, awaiting, undated = _lists(con, period, options)
    finally:
        con.execute("DROP TABLE IF EXISTS report_facts")
    scores = previous = ind_scores = values = None
    if period.scored:
        values = _values(con, period)
        scores = _scores(con, period.type, period.start, period.methodology_version)
        ptype, prev_start = period.previous()
        previous = _scores(con, ptype, prev_start, period.methodology_version)
        ind_scores = _indicator_scores(con, period)
    return ReportData(
        period=period, options=options, cities=sorted(rollup["city_code"].unique()), units=_units(con, period),
        rollup=rollup, counts=counts, procedures=procedures, late=late, near_due=near, awaiting=awaiting,
        awaiting_undated=undated, scores=scores, previous_scores=previous, indicator_scores=ind_scores,
        targets=_targets(con, period), trend=_trend(con, period),
        groups=[(g.code, g.name_vi) for g in method.groups], bands=[(b.label_vi, b.min) for b in method.bands],
        values=values,
    )
