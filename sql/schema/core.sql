-- Core warehouse layer (schema core; "warehouse" would clash with the default file name): intermediate structures and facts (partitioned by period_start).
CREATE SCHEMA IF NOT EXISTS core;

CREATE TABLE IF NOT EXISTS core.org_rollup (
    period_type   VARCHAR NOT NULL,   -- month | quarter | year
    period_start  DATE NOT NULL,
    member_code   VARCHAR NOT NULL,   -- any unit code rows may carry (historical codes included)
    attributed_code VARCHAR NOT NULL, -- the unit in force in the period it is attributed to
    rollup_code   VARCHAR NOT NULL,   -- the unit whose figures include the member's rows
    rollup_level  VARCHAR NOT NULL,   -- unit | department | city
    city_code     VARCHAR NOT NULL
);

-- Month-end state of the dossiers relevant to each month: sql/facts/fct_dossier_period.sql
-- named compression for the text columns: writing a month of 1M dossiers skips DuckDB's trial
-- of the other methods (see cchc_etl.staging.column_compression)
CREATE TABLE IF NOT EXISTS core.fct_dossier_month_end (
    period_start DATE NOT NULL,        -- the month whose month-end state this is
    period_end TIMESTAMP NOT NULL,     -- first instant after the month
    system VARCHAR USING COMPRESSION dictionary NOT NULL,
    dossier_id VARCHAR USING COMPRESSION fsst NOT NULL,
    export_month DATE NOT NULL,        -- the export the state was taken from (<= period month)
    file_path VARCHAR USING COMPRESSION dictionary NOT NULL,
    row_number BIGINT NOT NULL,
    unit_code VARCHAR USING COMPRESSION dictionary NOT NULL,
    procedure_code VARCHAR USING COMPRESSION dictionary,
    status VARCHAR USING COMPRESSION dictionary NOT NULL,
    channel VARCHAR USING COMPRESSION dictionary NOT NULL,
    received_at TIMESTAMP,
    due_at TIMESTAMP,
    resolved_at TIMESTAMP,
    online_service_level VARCHAR USING COMPRESSION dictionary,      -- the dossier's own field
    online_level_effective VARCHAR USING COMPRESSION dictionary,    -- catalogue in force, else the dossier's own field
    full_online_eligible_effective BOOLEAN,
    result_required_effective BOOLEAN, -- catalogue in force, else NULL (unknown)
    target_group VARCHAR USING COMPRESSION dictionary,              -- the procedure's group in the catalogue (land, investment, ...)
    procedure_in_catalogue BOOLEAN,
    apology_sent BOOLEAN,
    fee_required BOOLEAN,
    paid_online BOOLEAN,
    digitized_input BOOLEAN,
    digitized_result BOOLEAN,
    e_result BOOLEAN,
    synced_national_portal BOOLEAN,
    data_reused BOOLEAN,
    citizen_store_linked BOOLEAN,
    population_data_used BOOLEAN,
    supplement_count BIGINT,
    supplement_requested_at TIMESTAMP,
    supplement_completed_at TIMESTAMP,
    is_carried_over BOOLEAN,
    is_received BOOLEAN,
    is_closed BOOLEAN,                 -- any terminal status reached in the period
    is_resolved BOOLEAN,               -- a result was issued in the period
    is_resolved_early BOOLEAN,
    is_resolved_on_time BOOLEAN,
    is_resolved_late BOOLEAN,
    is_withdrawn_rejected BOOLEAN,
    is_open_at_end BOOLEAN,
    is_pending_within BOOLEAN,
    is_pending_overdue BOOLEAN,
    idx_end_at TIMESTAMP,              -- IDX_2_1: resolved_at, the supplement request while awaiting, else the period end
    idx_supplement_seconds BIGINT,     -- IDX_2_1: citizen's supplement time deducted (seconds)
    idx_on_time BOOLEAN                -- IDX_2_1 "index" definition
);

CREATE TABLE IF NOT EXISTS core.dim_date (
    date DATE NOT NULL,
    year INTEGER NOT NULL,
    quarter INTEGER NOT NULL,
    month INTEGER NOT NULL,
    month_start DATE NOT NULL,
    quarter_start DATE NOT NULL,
    iso_day_of_week INTEGER NOT NULL,   -- 1 = Monday ... 7 = Sunday
    is_weekend BOOLEAN NOT NULL,
    holiday_name VARCHAR,
    holiday_kind VARCHAR,               -- holiday | compensatory_day_off | makeup_working_day
    is_working_day BOOLEAN NOT NULL
);

CREATE TABLE IF NOT EXISTS core.dim_indicator (
    methodology_version VARCHAR NOT NULL,
    indicator_code VARCHAR NOT NULL,
    section VARCHAR,                    -- methodology section: 2 report, 3 service index, 4 e-government, 5 plan
    name_vi VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL,
    fact VARCHAR NOT NULL,              -- dossier | survey | feedback | document | email | procedure | self_assessment | derived
    kind VARCHAR NOT NULL,              -- rate | count | self_assessed | derived
    unit VARCHAR,
    higher_is_better BOOLEAN,
    formula VARCHAR,
    numerator_sql VARCHAR,
    denominator_sql VARCHAR,
    group_code VARCHAR,
    points DOUBLE,
    threshold DOUBLE,
    levels VARCHAR,
    on_time_definition VARCHAR,         -- which on-time definition, where it matters
    value_is VARCHAR                    -- self_assessed: points (score = value, capped) | percent
);
