-- The dossier latest-state rule (input contract), written once: core.dossier_latest,
-- int_dossier_winners.sql, int_dossier_latest.sql, int_dossier_latest_incremental.sql and
-- fct_dossier_period.sql call these macros. Created with the schema (cchc_etl.warehouse).

-- a status that closes the dossier
CREATE OR REPLACE MACRO core.dossier_is_terminal(status) AS
    status IN ('resolved', 'returned', 'rejected', 'withdrawn');

-- the order of a dossier's rows, latest state greatest: its row from the most recent export
-- month; ties: a terminal status first, then the latest resolved_at (NULL last), then file and
-- row. Compare with arg_max(..., dossier_recency(...)) or ORDER BY dossier_recency(...) DESC.
CREATE OR REPLACE MACRO core.dossier_recency(month, status, resolved_at, file_path, row_number) AS
    struct_pack(
        m := month,
        t := core.dossier_is_terminal(status),
        r := coalesce(resolved_at, TIMESTAMP '0001-01-01 00:00:00'),
        f := file_path,
        n := row_number
    );

-- whether a dossier in that state matters to the period [period_start, period_end): received
-- before the end, not closed before the start, not merely submitted
CREATE OR REPLACE MACRO core.dossier_matters(status, received_at, resolved_at, period_start, period_end) AS
    status <> 'submitted'
    AND received_at < period_end
    AND NOT (core.dossier_is_terminal(status) AND resolved_at < period_start);
