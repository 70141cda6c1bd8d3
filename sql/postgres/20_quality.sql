-- Mirror of sql/schema/quality.sql. Rows with month NULL belong to reference files; they are
-- refreshed with every published month.
CREATE TABLE IF NOT EXISTS quality.file_log (
    file_path        text NOT NULL,
    source           text NOT NULL,
    system           text,
    month            date,
    sha256           text,
    rows_read        bigint NOT NULL,
    rows_loaded      bigint NOT NULL,
    rows_quarantined bigint NOT NULL,
    rows_skipped     bigint NOT NULL,
    loaded_at        timestamptz NOT NULL,
    status           text NOT NULL,
    error            text,
    container        text,
    encoding         text,
    header_row       integer,
    rows_blank       bigint,
    rows_total       bigint,
    load_fingerprint text,
    sheets           text,               -- JSON: per sheet read or not and why, header row, header choices
    rows_footer      bigint,
    fields_carried   text,
    feedback_path    text,               -- the feedback workbook written by cchc-etl quarantine
    pii_key_fingerprint text             -- the PII key the rows were hashed with (a fingerprint, never the key)
);
ALTER TABLE quality.file_log ADD COLUMN IF NOT EXISTS sheets text;
ALTER TABLE quality.file_log ADD COLUMN IF NOT EXISTS rows_footer bigint;
ALTER TABLE quality.file_log ADD COLUMN IF NOT EXISTS fields_carried text;
ALTER TABLE quality.file_log ADD COLUMN IF NOT EXISTS feedback_path text;
ALTER TABLE quality.file_log ADD COLUMN IF NOT EXISTS pii_key_fingerprint text;
CREATE INDEX IF NOT EXISTS file_log_month ON quality.file_log (month);

CREATE TABLE IF NOT EXISTS quality.quarantine (
    file_path   text NOT NULL,
    row_number  bigint NOT NULL,
    column_name text NOT NULL,
    reason      text NOT NULL,
    raw_values  jsonb,                   -- the row's cells by original header, PII hashed: not for BI
    source      text NOT NULL,
    month       date,
    sheet       text
);
ALTER TABLE quality.quarantine ADD COLUMN IF NOT EXISTS sheet text;
CREATE INDEX IF NOT EXISTS quarantine_month ON quality.quarantine (month);
