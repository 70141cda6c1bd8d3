-- Core warehouse layer (schema core; "warehouse" would clash with the default file name): intermediate structures and facts (partitioned by period_start).
CREATE SCHEMA IF NOT EXISTS core;

CREATE TABLE IF NOT EXISTS core.org_rollup (
    period_start  DATE NOT NULL,
    member_code   VARCHAR NOT NULL,   -- any unit code rows may carry (historical codes included)
    attributed_code VARCHAR NOT NULL, -- the unit in force in the period it is attributed to
    rollup_code   VARCHAR NOT NULL,   -- the unit whose figures include the member's rows
    rollup_level  VARCHAR NOT NULL,   -- unit | department | city
    city_code     VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS core.fct_dossier_month_end (
    period_start DATE NOT NULL,        -- the month whose month-end state this is
    system VARCHAR NOT NULL,
    dossier_id VARCHAR NOT NULL,
    export_month DATE NOT NULL,        -- the export the state was taken from (<= period month)
    file_path VARCHAR NOT NULL,
    row_number BIGINT NOT NULL,
    unit_code VARCHAR NOT NULL,
    procedure_code VARCHAR,
    status VARCHAR NOT NULL,
    channel VARCHAR NOT NULL,
    received_at TIMESTAMP,
    due_at TIMESTAMP,
    resolved_at TIMESTAMP,
    online_level_effective VARCHAR,    -- catalogue in force, else the dossier's own field
    procedure_in_catalogue BOOLEAN,
    apology_sent BOOLEAN,
    digitized_result BOOLEAN,
    is_carried_over BOOLEAN,
    is_received BOOLEAN,
    is_resolved BOOLEAN,               -- a result was issued in the period
    is_resolved_early BOOLEAN,
    is_resolved_on_time BOOLEAN,
    is_resolved_late BOOLEAN,
    is_withdrawn_rejected BOOLEAN,
    is_open_at_end BOOLEAN,
    is_pending_within BOOLEAN,
    is_pending_overdue BOOLEAN
);
