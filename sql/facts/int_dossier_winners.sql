-- The row holding each dossier's latest state as of the export month $asof_month: its row from
-- the most recent export <= $asof_month by the latest-state rule (core.dossier_recency,
-- sql/macros/dossier_state.sql), chosen on narrow key columns; the result is the winning rows'
-- rowid in staging.
SELECT arg_max(rowid, core.dossier_recency(month, status, resolved_at, file_path, row_number)) AS rid
FROM staging.stg_dossiers
WHERE month <= $asof_month
GROUP BY system, dossier_id
