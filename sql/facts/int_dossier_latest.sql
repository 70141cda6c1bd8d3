-- Latest state of every dossier as of the export month $asof_month (the rows chosen by
-- int_dossier_winners.sql, `dossier_winners`), keeping only those that matter to
-- [$period_start, $period_end): received before the end, not closed before the start, not merely
-- submitted. Only the winners' rows are read in full.
SELECT
    month, system, dossier_id, file_path, row_number, unit_code, procedure_code, status, channel,
    online_service_level, received_at, due_at, resolved_at, apology_sent, fee_required, paid_online,
    digitized_input, digitized_result, synced_national_portal, supplement_count,
    supplement_requested_at, supplement_completed_at, e_result, data_reused, citizen_store_linked,
    population_data_used
FROM staging.stg_dossiers
WHERE
    rowid IN (SELECT w.rid FROM dossier_winners AS w)
    AND core.dossier_matters(status, received_at, resolved_at, $period_start, $period_end)
