-- The same as int_dossier_latest.sql for one month, built from the previous month's month-end
-- state instead of the whole history: a dossier that matters to month $period_start is either in
-- this month's exports or was still open at the previous month's end (an event after an export's
-- month is quarantined, so an earlier export cannot close it inside this month). Exact when the
-- previous month-end state is current (months are built in order; see docs/operations/index.md).
WITH candidates AS (
    SELECT month, system, dossier_id, file_path, row_number, unit_code, procedure_code, status, channel,
           online_service_level, received_at, due_at, resolved_at, apology_sent, fee_required, paid_online,
           digitized_input, digitized_result, synced_national_portal, supplement_count,
           supplement_requested_at, supplement_completed_at, e_result, data_reused, citizen_store_linked,
           population_data_used
    FROM staging.stg_dossiers
    WHERE month = $asof_month
    UNION ALL
    SELECT export_month, system, dossier_id, file_path, row_number, unit_code, procedure_code, status, channel,
           online_service_level, received_at, due_at, resolved_at, apology_sent, fee_required, paid_online,
           digitized_input, digitized_result, synced_national_portal, supplement_count,
           supplement_requested_at, supplement_completed_at, e_result, data_reused, citizen_store_linked,
           population_data_used
    FROM core.fct_dossier_month_end
    WHERE period_start = $previous_month AND is_open_at_end
),
latest AS (
    SELECT * FROM candidates
    QUALIFY row_number() OVER (
        PARTITION BY system, dossier_id
        ORDER BY core.dossier_recency(month, status, resolved_at, file_path, row_number) DESC
    ) = 1
)
SELECT * FROM latest
WHERE core.dossier_matters(status, received_at, resolved_at, $period_start, $period_end)
