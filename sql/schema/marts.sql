-- Published marts: the contract with analysts and BI tools (documented in assets/tables/).
CREATE SCHEMA IF NOT EXISTS marts;

CREATE TABLE IF NOT EXISTS marts.period_report (
    period_start DATE NOT NULL,
    org_unit_code VARCHAR NOT NULL,
    org_level VARCHAR NOT NULL,
    rpt_carried_over BIGINT NOT NULL,
    rpt_received BIGINT NOT NULL,
    rpt_received_direct BIGINT NOT NULL,
    rpt_received_online BIGINT NOT NULL,
    rpt_received_postal BIGINT NOT NULL,
    rpt_resolved_early BIGINT NOT NULL,
    rpt_resolved_on_time BIGINT NOT NULL,
    rpt_resolved_late BIGINT NOT NULL,
    rpt_withdrawn_rejected BIGINT NOT NULL,
    rpt_pending_within BIGINT NOT NULL,
    rpt_pending_overdue BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS marts.indicator_values (
    period_type VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    org_unit_code VARCHAR NOT NULL,
    org_level VARCHAR NOT NULL,
    indicator_code VARCHAR NOT NULL,
    numerator DOUBLE,
    denominator DOUBLE,
    value DOUBLE,
    methodology_version VARCHAR NOT NULL
);

-- The periods scored, and how far a running quarter or year reaches (year to date).
CREATE TABLE IF NOT EXISTS marts.periods (
    period_type VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,           -- exclusive: first day after the last month included
    asof_month DATE NOT NULL,           -- export month whose state the period uses
    period_label VARCHAR NOT NULL,      -- 2024-01 | 2024-Q1 | 2024
    is_complete BOOLEAN NOT NULL,       -- false while the quarter / year is still running
    methodology_version VARCHAR NOT NULL,
    sources VARCHAR,                    -- event sources with files loaded in the period's months (comma list)
    sources_missing VARCHAR             -- sources that had files the month before one of its months and none in it, accepted by the operator (comma list, NULL when none)
);

-- Points of every scored indicator (methodology §3): the explanation of marts.scores.
CREATE TABLE IF NOT EXISTS marts.indicator_scores (
    period_type VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    org_unit_code VARCHAR NOT NULL,
    org_level VARCHAR NOT NULL,
    methodology_version VARCHAR NOT NULL,
    group_code VARCHAR NOT NULL,
    indicator_code VARCHAR NOT NULL,
    value DOUBLE,
    numerator DOUBLE,
    denominator DOUBLE,
    points DOUBLE NOT NULL,
    threshold DOUBLE,
    applicable BOOLEAN NOT NULL,
    score DOUBLE NOT NULL,
    max_score DOUBLE NOT NULL,
    reason VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS marts.scores (
    period_type VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    org_unit_code VARCHAR NOT NULL,
    org_level VARCHAR NOT NULL,
    methodology_version VARCHAR NOT NULL,
    group_code VARCHAR NOT NULL,        -- G1..G6 | TOTAL
    score DOUBLE NOT NULL,
    max_score DOUBLE NOT NULL,          -- applicable maximum (N/A indicators leave it)
    ratio DOUBLE,                       -- 100 * score / max_score; NULL when max_score = 0
    rank BIGINT,                        -- TOTAL rows: within (period, level, city), ties share
    classification VARCHAR              -- TOTAL rows: band from the methodology
);

CREATE TABLE IF NOT EXISTS marts.target_attainment (
    year INTEGER NOT NULL,
    org_unit_code VARCHAR NOT NULL,
    indicator_code VARCHAR NOT NULL,
    comparator VARCHAR NOT NULL,
    target_value DOUBLE NOT NULL,
    actual_value DOUBLE,
    met BOOLEAN,
    org_level VARCHAR NOT NULL,
    target_group VARCHAR,
    unit_category VARCHAR,
    second_value DOUBLE,
    numerator DOUBLE,
    denominator DOUBLE,
    previous_value DOUBLE,
    note VARCHAR,
    target_source VARCHAR,              -- landing (reference/targets) | methodology (default set)
    period_end DATE NOT NULL,           -- exclusive end of the year to date
    methodology_version VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS marts.par_index (
    year INTEGER NOT NULL,
    org_unit_code VARCHAR NOT NULL,
    org_level VARCHAR NOT NULL,
    methodology_version VARCHAR NOT NULL,
    area_code VARCHAR NOT NULL,         -- PAR_* areas | TOTAL
    score DOUBLE,
    max_score DOUBLE NOT NULL,
    ratio DOUBLE,
    rank BIGINT,
    classification VARCHAR
);
