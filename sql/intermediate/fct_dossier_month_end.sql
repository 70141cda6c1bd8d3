-- Month-end state of every dossier that matters to the month [$period_start, $period_end):
-- its latest row among the exports of months <= $asof_month (a later export never changes an
-- earlier month), restricted to dossiers received before the end and not closed before the start.
-- Flags follow methodology §2 (report definition, day granularity).
WITH latest AS (
    SELECT *,
        status IN ('resolved', 'returned', 'rejected', 'withdrawn') AS is_terminal
    FROM staging.stg_dossiers
    WHERE month <= $asof_month
    QUALIFY row_number() OVER (
        PARTITION BY system, dossier_id
        ORDER BY month DESC, is_terminal DESC, resolved_at DESC NULLS LAST, file_path DESC, row_number DESC
    ) = 1
),
relevant AS (
    SELECT * FROM latest
    WHERE status <> 'submitted'
      AND received_at < $period_end
      AND NOT (is_terminal AND resolved_at < $period_start)
),
catalogue AS (
    SELECT procedure_code, online_service_level
    FROM staging.stg_procedures
    WHERE coalesce(valid_from, DATE '1900-01-01') < $period_end
      AND (valid_to IS NULL OR valid_to >= $period_start)
    QUALIFY row_number() OVER (PARTITION BY procedure_code ORDER BY valid_from DESC NULLS LAST) = 1
),
flagged AS (
    SELECT
        r.*,
        coalesce(c.online_service_level, r.online_service_level) AS online_level_effective,
        c.procedure_code IS NOT NULL AS procedure_in_catalogue,
        r.received_at < $period_start AS is_carried_over,
        r.received_at >= $period_start AS is_received,
        r.status IN ('resolved', 'returned') AND r.resolved_at >= $period_start AND r.resolved_at < $period_end AS is_resolved,
        r.status IN ('withdrawn', 'rejected') AND r.resolved_at >= $period_start AND r.resolved_at < $period_end AS is_withdrawn_rejected,
        NOT r.is_terminal OR r.resolved_at >= $period_end AS is_open_at_end
    FROM relevant r
    LEFT JOIN catalogue c USING (procedure_code)
)
SELECT
    CAST($period_start AS DATE) AS period_start,
    system, dossier_id, month AS export_month, file_path, row_number, unit_code, procedure_code,
    status, channel, received_at, due_at, resolved_at, online_level_effective, procedure_in_catalogue,
    coalesce(apology_sent, FALSE) AS apology_sent,
    coalesce(digitized_result, FALSE) AS digitized_result,
    is_carried_over, is_received, is_resolved,
    is_resolved AND CAST(resolved_at AS DATE) < CAST(due_at AS DATE) AS is_resolved_early,
    is_resolved AND CAST(resolved_at AS DATE) = CAST(due_at AS DATE) AS is_resolved_on_time,
    is_resolved AND CAST(resolved_at AS DATE) > CAST(due_at AS DATE) AS is_resolved_late,
    is_withdrawn_rejected,
    is_open_at_end,
    is_open_at_end AND CAST(due_at AS DATE) >= CAST($period_end AS DATE) - 1 AS is_pending_within,
    is_open_at_end AND CAST(due_at AS DATE) < CAST($period_end AS DATE) - 1 AS is_pending_overdue
FROM flagged
