-- marts.periods: the prepared period, with the event sources it was built from (files loaded in
-- its months) and those missing from one of its months although they had files the month before
-- (a gap the operator accepted).
WITH present AS (
    SELECT DISTINCT source, month FROM quality.file_log
    WHERE month IS NOT NULL AND status = 'loaded'
),

followed AS (
    SELECT source, month, CAST(month + INTERVAL 1 MONTH AS DATE) AS next_month FROM present
)

SELECT
    $period_type AS period_type,
    CAST($period_start AS DATE) AS period_start,
    CAST($period_end AS DATE) AS period_end,
    CAST($asof_month AS DATE) AS asof_month,
    $period_label AS period_label,
    $is_complete AS is_complete,
    $methodology_version AS methodology_version,
    (
        SELECT string_agg(DISTINCT p.source, ',' ORDER BY p.source) FROM present AS p
        WHERE p.month >= $period_start AND p.month < $period_end
    ) AS sources,
    (
        SELECT string_agg(DISTINCT b.source, ',' ORDER BY b.source) FROM followed AS b
        WHERE
            b.next_month >= $period_start AND b.next_month < $period_end
            AND NOT EXISTS (SELECT 1 FROM present AS n WHERE n.source = b.source AND n.month = b.next_month)
    ) AS sources_missing
