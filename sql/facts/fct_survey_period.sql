-- Satisfaction ratings given in [$period_start, $period_end), from exports of months <= $asof_month;
-- a rating exported twice counts once (latest row per system and response_id).
SELECT
    CAST($period_start AS DATE) AS period_start,
    system, response_id, month AS export_month, file_path, row_number, unit_code, dossier_id,
    rated_at, rating, channel
FROM staging.stg_surveys
WHERE month <= $asof_month AND rated_at >= $period_start AND rated_at < $period_end
QUALIFY row_number() OVER (PARTITION BY system, response_id ORDER BY month DESC, file_path DESC, row_number DESC) = 1
