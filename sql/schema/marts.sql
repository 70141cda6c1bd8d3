-- Published marts: the contract with analysts and BI tools (documented in README).
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
