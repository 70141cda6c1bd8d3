-- Mirror of core.fct_dossier_month_end (sql/schema/core.sql): one row per dossier relevant to
-- the month. Not part of the BI contract (the read-only BI role cannot read this schema).
CREATE TABLE IF NOT EXISTS warehouse.fct_dossier_month_end (
    period_start date NOT NULL,
    system text NOT NULL,
    dossier_id text NOT NULL,
    export_month date NOT NULL,
    file_path text NOT NULL,
    row_number bigint NOT NULL,
    unit_code text NOT NULL,
    procedure_code text,
    status text NOT NULL,
    channel text NOT NULL,
    received_at timestamp,
    due_at timestamp,
    resolved_at timestamp,
    online_level_effective text,
    procedure_in_catalogue boolean,
    apology_sent boolean,
    digitized_result boolean,
    is_carried_over boolean,
    is_received boolean,
    is_resolved boolean,
    is_resolved_early boolean,
    is_resolved_on_time boolean,
    is_resolved_late boolean,
    is_withdrawn_rejected boolean,
    is_open_at_end boolean,
    is_pending_within boolean,
    is_pending_overdue boolean
);
CREATE INDEX IF NOT EXISTS fct_dossier_month_end_period_start ON warehouse.fct_dossier_month_end (period_start);
