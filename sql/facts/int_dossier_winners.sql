-- The row holding each dossier's latest state as of the export month $asof_month: its row from
-- the most recent export <= $asof_month (ties: terminal first, latest resolved_at, then file and
-- row), chosen on narrow key columns; the result is the winning rows' rowid in staging.
SELECT arg_max(rowid, struct_pack(
           m := month,
           t := status IN ('resolved', 'returned', 'rejected', 'withdrawn'),
           r := coalesce(resolved_at, TIMESTAMP '0001-01-01 00:00:00'),
           f := file_path,
           n := row_number)) AS rid
FROM staging.stg_dossiers
WHERE month <= $asof_month
GROUP BY system, dossier_id
