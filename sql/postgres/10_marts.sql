-- Mirror of sql/schema/marts.sql (the published marts; contract documented in assets/tables/).
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

CREATE TABLE IF NOT EXISTS marts.periods (
    period_type text NOT NULL,
    period_start date NOT NULL,
    period_end date NOT NULL,
    asof_month date NOT NULL,
    period_label text NOT NULL,
    is_complete boolean NOT NULL,
    methodology_version text NOT NULL,
    sources text,
    sources_missing text
);
ALTER TABLE marts.periods ADD COLUMN IF NOT EXISTS sources text;
ALTER TABLE marts.periods ADD COLUMN IF NOT EXISTS sources_missing text;
CREATE INDEX IF NOT EXISTS periods_period_start ON marts.periods (period_start);

CREATE TABLE IF NOT EXISTS marts.indicator_scores (
    period_type text NOT NULL,
    period_start date NOT NULL,
    org_unit_code text NOT NULL,
    org_level text NOT NULL,
    methodology_version text NOT NULL,
    group_code text NOT NULL,
    indicator_code text NOT NULL,
    value double precision,
    numerator double precision,
    denominator double precision,
    points double precision NOT NULL,
    threshold double precision,
    applicable boolean NOT NULL,
    score double precision NOT NULL,
    max_score double precision NOT NULL,
    reason text NOT NULL
);
CREATE INDEX IF NOT EXISTS indicator_scores_period_start ON marts.indicator_scores (period_start);

CREATE TABLE IF NOT EXISTS marts.scores (
    period_type text NOT NULL,
    period_start date NOT NULL,
    org_unit_code text NOT NULL,
    org_level text NOT NULL,
    methodology_version text NOT NULL,
    group_code text NOT NULL,
    score double precision NOT NULL,
    max_score double precision NOT NULL,
    ratio double precision,
    rank bigint,
    classification text
);
CREATE INDEX IF NOT EXISTS scores_period_start ON marts.scores (period_start);

CREATE TABLE IF NOT EXISTS marts.target_attainment (
    year integer NOT NULL,
    org_unit_code text NOT NULL,
    indicator_code text NOT NULL,
    comparator text NOT NULL,
    target_value double precision NOT NULL,
    actual_value double precision,
    met boolean,
    org_level text NOT NULL,
    target_group text,
    unit_category text,
    second_value double precision,
    numerator double precision,
    denominator double precision,
    previous_value double precision,
    note text,
    target_source text,
    period_end date NOT NULL,
    methodology_version text NOT NULL
);
CREATE INDEX IF NOT EXISTS target_attainment_year ON marts.target_attainment (year);

CREATE TABLE IF NOT EXISTS marts.par_index (
    year integer NOT NULL,
    org_unit_code text NOT NULL,
    org_level text NOT NULL,
    methodology_version text NOT NULL,
    area_code text NOT NULL,
    score double precision,
    max_score double precision NOT NULL,
    ratio double precision,
    rank bigint,
    classification text
);
CREATE INDEX IF NOT EXISTS par_index_year ON marts.par_index (year);
