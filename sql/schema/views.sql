-- Views over staging, created after the staging tables.
-- Latest known state of every dossier (its row from the most recent export), whatever month
-- it was last seen in; the month-end states per month are core.fct_dossier_month_end.
CREATE OR REPLACE VIEW core.dossier_latest AS
SELECT * EXCLUDE (is_terminal)
FROM (
    SELECT *, status IN ('resolved', 'returned', 'rejected', 'withdrawn') AS is_terminal
    FROM staging.stg_dossiers
)
QUALIFY row_number() OVER (
    PARTITION BY system, dossier_id
    ORDER BY month DESC, is_terminal DESC, resolved_at DESC NULLS LAST, file_path DESC, row_number DESC
) = 1;
