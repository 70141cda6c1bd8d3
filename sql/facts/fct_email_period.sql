-- Official e-mail account-months of the months in [$period_start, $period_end) (the export month is
-- the activity month), once per (system, account, month). "Regular" = active on at least
-- $regular_share_pct % of that month's working days (rounded up); working days from core.dim_date.
WITH months AS (
    SELECT month_start, count(*) FILTER (WHERE is_working_day) AS working_days
    FROM core.dim_date
    WHERE date >= $period_start AND date < $period_end
    GROUP BY month_start
)
SELECT
    CAST($period_start AS DATE) AS period_start,
    e.system, e.account_hash, e.month AS activity_month, e.file_path, e.row_number, e.unit_code, e.role,
    e.active_days, e.sent_count, e.received_count,
    m.working_days,
    CAST(ceil(m.working_days * $regular_share_pct / 100.0) AS INTEGER) AS regular_min_days,
    e.active_days >= ceil(m.working_days * $regular_share_pct / 100.0) AS is_regular
FROM staging.stg_email AS e
INNER JOIN months AS m ON e.month = m.month_start
WHERE e.month <= $asof_month
QUALIFY row_number() OVER (PARTITION BY e.system, e.account_hash, e.month ORDER BY e.file_path DESC, e.row_number DESC) = 1
