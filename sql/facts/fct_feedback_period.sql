-- State of every feedback item (PAKN) that matters to [$period_start, $period_end) as of the
-- export month $asof_month, by the dossiers' snapshot rule: latest row per (system, feedback_id)
-- among exports of months <= $asof_month; received before the end and not closed before the start.
-- answered / rejected / forwarded close an item at answered_at; only answered counts as handled.
WITH latest AS (
    SELECT *, status IN ('answered', 'rejected', 'forwarded') AS is_terminal
    FROM staging.stg_feedback
    WHERE month <= $asof_month
    QUALIFY row_number() OVER (
        PARTITION BY system, feedback_id
        ORDER BY month DESC, is_terminal DESC, answered_at DESC NULLS LAST, file_path DESC, row_number DESC
    ) = 1
)
SELECT
    CAST($period_start AS DATE) AS period_start,
    CAST($period_end AS TIMESTAMP) AS period_end,
    system, feedback_id, month AS export_month, file_path, row_number, unit_code,
    received_at, due_at, answered_at, status, published, topic, channel, category, dissatisfied, follow_up_complaint,
    received_at < $period_start AS is_carried_over,
    received_at >= $period_start AS is_received,
    is_terminal AND answered_at >= $period_start AND answered_at < $period_end AS is_closed,
    status = 'answered' AND answered_at >= $period_start AND answered_at < $period_end AS is_answered,
    NOT is_terminal OR answered_at >= $period_end AS is_open_at_end
FROM latest
WHERE received_at < $period_end
  AND NOT (is_terminal AND answered_at < $period_start)
