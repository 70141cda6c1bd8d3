-- Satisfaction ratings given in [$period_start, $period_end), from exports of months <= $asof_month;
-- a rating exported twice counts once (its row from the latest export, then file and row).
WITH winners AS (
    SELECT arg_max(rowid, struct_pack(m := month, f := file_path, n := row_number)) AS rid
    FROM staging.stg_surveys
    WHERE month <= $asof_month AND rated_at >= $period_start AND rated_at < $period_end
    GROUP BY system, response_id
)
SELECT
    CAST($period_start AS DATE) AS period_start,
    system, response_id, month AS export_month, file_path, row_number, unit_code, dossier_id,
    rated_at, rating, channel
FROM staging.stg_surveys
WHERE rowid IN (SELECT w.rid FROM winners AS w)
