-- Documents registered (incoming) or issued (outgoing) in [$period_start, $period_end), from
-- exports of months <= $asof_month, once per (system, document_id, direction). Secret documents
-- (secrecy other than normal; blank = normal) are kept and flagged: the rates exclude them.
SELECT
    CAST($period_start AS DATE) AS period_start,
    system, document_id, month AS export_month, file_path, row_number, unit_code, direction,
    doc_type, registered_at, form, digitally_signed, coalesce(secrecy, 'normal') AS secrecy,
    processed_online, via_interconnect,
    coalesce(secrecy, 'normal') <> 'normal' AS is_secret
FROM staging.stg_documents
WHERE month <= $asof_month AND registered_at >= $period_start AND registered_at < $period_end
QUALIFY row_number() OVER (PARTITION BY system, document_id, direction ORDER BY month DESC, file_path DESC, row_number DESC) = 1
