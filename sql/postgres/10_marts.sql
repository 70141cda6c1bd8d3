-- Mirror of sql/schema/marts.sql (the published marts; contract documented in README).
CREATE TABLE IF NOT EXISTS marts.period_report (
    period_start date NOT NULL,
    org_unit_code text NOT NULL,
    org_level text NOT NULL,
    rpt_carried_over bigint NOT NULL,
    rpt_received bigint NOT NULL,
    rpt_received_direct bigint NOT NULL,
    rpt_received_online bigint NOT NULL,
    rpt_received_postal bigint NOT NULL,
    rpt_resolved_early bigint NOT NULL,
    rpt_resolved_on_time bigint NOT NULL,
    rpt_resolved_late bigint NOT NULL,
    rpt_withdrawn_rejected bigint NOT NULL,
    rpt_pending_within bigint NOT NULL,
    rpt_pending_overdue bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS period_report_period_start ON marts.period_report (period_start);

CREATE TABLE IF NOT EXISTS marts.indicator_values (
    period_type text NOT NULL,
    period_start date NOT NULL,
    org_unit_code text NOT NULL,
    org_level text NOT NULL,
    indicator_code text NOT NULL,
    numerator double precision,
    denominator double precision,
    value double precision,
    methodology_version text NOT NULL
);
CREATE INDEX IF NOT EXISTS indicator_values_period_start ON marts.indicator_values (period_start);
