-- State of every dossier that matters to the period [$period_start, $period_end) as of the
-- export month $asof_month: its latest row among the exports of months <= $asof_month (a later
-- export never changes an earlier period; `dossier_latest`), restricted to dossiers received
-- before the end and not closed before the start. Flags for both on-time definitions (methodology §2 "report":
-- dates; §3 IDX_2_1 "index": timestamps, supplement time deducted, > 1 supplement = late) and the
-- procedure attributes in force in the period (catalogue first, the dossier's own fields else).
-- Yes/no inputs stay NULL where the export does not carry them (methodology §3 "Data not
-- carried": such a dossier is left out of the indicators reading that input).
WITH relevant AS (
    -- dossier_latest: sql/facts/int_dossier_latest.sql (or its incremental variant), possibly
    -- computed for a longer period ending at the same month: the filter is applied again here
    SELECT *, core.dossier_is_terminal(status) AS is_terminal
    FROM dossier_latest
    WHERE core.dossier_matters(status, received_at, resolved_at, $period_start, $period_end)
),
catalogue AS (
    SELECT procedure_code, online_service_level, full_online_eligible, result_required, target_group
    FROM staging.stg_procedures
    WHERE coalesce(valid_from, DATE '1900-01-01') < $period_end
      AND (valid_to IS NULL OR valid_to >= $period_start)
    QUALIFY row_number() OVER (PARTITION BY procedure_code ORDER BY valid_from DESC NULLS LAST) = 1
),
flagged AS (
    SELECT
        r.*,
        -- NULL when neither the catalogue nor the dossier's export carries it (unknown, not 'none')
        coalesce(c.online_service_level, r.online_service_level) AS online_level_effective,
        coalesce(c.full_online_eligible, c.online_service_level = 'full', r.online_service_level = 'full') AS full_online_eligible_effective,
        -- a procedure missing from the catalogue: the dossier has no such field, so unknown (NULL):
        -- the dossier is left out of IDX_4_1 and, unless it has an electronic result, of IDX_4_2
        c.result_required AS result_required_effective,
        c.target_group,
        c.procedure_code IS NOT NULL AS procedure_in_catalogue,
        r.received_at < $period_start AS is_carried_over,
        r.received_at >= $period_start AS is_received,
        r.is_terminal AND r.resolved_at >= $period_start AND r.resolved_at < $period_end AS is_closed,
        r.status IN ('resolved', 'returned') AND r.resolved_at >= $period_start AND r.resolved_at < $period_end AS is_resolved,
        r.status IN ('withdrawn', 'rejected') AND r.resolved_at >= $period_start AND r.resolved_at < $period_end AS is_withdrawn_rejected,
        NOT r.is_terminal OR r.resolved_at >= $period_end AS is_open_at_end
    FROM relevant AS r
    LEFT JOIN catalogue AS c ON r.procedure_code = c.procedure_code
),
index_clock AS (
    SELECT *,
        -- IDX_2_1: the dossier's end; the clock stops at the request while awaiting the citizen
        CASE
            WHEN is_closed THEN resolved_at
            WHEN status = 'awaiting_supplement' AND supplement_requested_at IS NOT NULL THEN supplement_requested_at
            ELSE CAST($period_end AS TIMESTAMP)
        END AS idx_end_at,
        CASE
            WHEN NOT is_closed AND status = 'awaiting_supplement' AND supplement_requested_at IS NOT NULL THEN INTERVAL 0 SECOND
            WHEN supplement_completed_at > supplement_requested_at THEN supplement_completed_at - supplement_requested_at
            ELSE INTERVAL 0 SECOND
        END AS idx_supplement_deduction
    FROM flagged
)
SELECT
    CAST($period_start AS DATE) AS period_start,
    CAST($period_end AS TIMESTAMP) AS period_end,
    system, dossier_id, month AS export_month, file_path, row_number, unit_code, procedure_code,
    status, channel, received_at, due_at, resolved_at, online_service_level, online_level_effective,
    full_online_eligible_effective, result_required_effective, target_group, procedure_in_catalogue,
    apology_sent,
    fee_required,
    paid_online,
    digitized_input,
    digitized_result,
    e_result,
    synced_national_portal,
    data_reused,
    citizen_store_linked,
    population_data_used,
    coalesce(supplement_count, 0) AS supplement_count,
    supplement_requested_at, supplement_completed_at,
    is_carried_over, is_received, is_closed, is_resolved,
    is_resolved AND CAST(resolved_at AS DATE) < CAST(due_at AS DATE) AS is_resolved_early,
    is_resolved AND CAST(resolved_at AS DATE) = CAST(due_at AS DATE) AS is_resolved_on_time,
    is_resolved AND CAST(resolved_at AS DATE) > CAST(due_at AS DATE) AS is_resolved_late,
    is_withdrawn_rejected,
    is_open_at_end,
    is_open_at_end AND CAST(due_at AS DATE) >= CAST($period_end AS DATE) - 1 AS is_pending_within,
    is_open_at_end AND CAST(due_at AS DATE) < CAST($period_end AS DATE) - 1 AS is_pending_overdue,
    idx_end_at,
    CAST(epoch(idx_supplement_deduction) AS BIGINT) AS idx_supplement_seconds,
    (is_closed OR is_open_at_end)
        AND idx_end_at - idx_supplement_deduction <= due_at
        AND coalesce(supplement_count, 0) <= 1 AS idx_on_time
FROM index_clock
