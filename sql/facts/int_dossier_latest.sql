-- Latest state of every dossier as of the export month $asof_month (its row from the most recent
-- export <= $asof_month; ties: terminal first, latest resolved_at, file, row), keeping only those
-- that matter to [$period_start, $period_end): received before the end, not closed before the
-- start, not merely submitted. The winner is chosen on narrow key columns (arg_max over rowid),
-- then only the winners' rows are read in full.
WITH winners AS (
    SELECT arg_max(rowid, struct_pack(
               m := month,
               t := status IN ('resolved', 'returned', 'rejected', 'withdrawn'),
               r := coalesce(resolved_at, TIMESTAMP '0001-01-01 00:00:00'),
               f := file_path,
               n := row_number)) AS rid
    FROM staging.stg_dossiers
    WHERE month <= $asof_month
    GROUP BY system, dossier_id
)
SELECT
    month, system, dossier_id, file_path, row_number, unit_code, procedure_code, status, channel,
    online_service_level, received_at, due_at, resolved_at, apology_sent, fee_required, paid_online,
    digitized_input, digitized_result, synced_national_portal, supplement_count,
    supplement_requested_at, supplement_completed_at, e_result, data_reused, citizen_store_linked,
    population_data_used
FROM staging.stg_dossiers
WHERE rowid IN (SELECT rid FROM winners)
  AND status <> 'submitted'
  AND received_at < $period_end
  AND NOT (status IN ('resolved', 'returned', 'rejected', 'withdrawn') AND resolved_at < $period_start)
