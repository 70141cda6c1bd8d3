-- Documents registered (incoming) or issued (outgoing) in [$period_start, $period_end), from
-- exports of months <= $asof_month, once per (system, document_id, direction) (the row from the
-- latest export, then file and row). Secret documents (secrecy other than normal; blank =
-- normal) are kept and flagged: the rates exclude them.
WITH winners AS (
    SELECT arg_max(rowid, struct_pack(m := month, f := file_path, n := row_number)) AS rid
    FROM staging.stg_documents
    WHERE month <= $asof_month AND registered_at >= $period_start AND registered_at < $period_end
    GROUP BY system, document_id, direction
)
SELECT
    CAST($period_start AS DATE) AS period_start,
    system, document_id, month AS export_month, file_path, row_number, unit_code, direction,
    doc_type, registered_at, form, digitally_signed, coalesce(secrecy, 'normal') AS secrecy,
    processed_online, via_interconnect,
    coalesce(secrecy, 'normal') <> 'normal' AS is_secret
FROM staging.stg_documents
WHERE rowid IN (SELECT w.rid FROM winners AS w)
