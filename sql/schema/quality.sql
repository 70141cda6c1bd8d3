-- Published data-quality tables (contract: assets/tables/quality.*.yaml).
CREATE SCHEMA IF NOT EXISTS quality;

CREATE TABLE IF NOT EXISTS quality.file_log (
    file_path        VARCHAR NOT NULL,   -- relative to the landing root, forward slashes
    source           VARCHAR NOT NULL,   -- dossiers, org_units, procedures, ...
    system           VARCHAR,            -- exporting system (file-name prefix before "__")
    month            DATE,               -- reporting month (first day); NULL for reference data
    sha256           VARCHAR,            -- content hash of the file as loaded
    rows_read        BIGINT NOT NULL,    -- every physical row/record, titles and header included
    rows_loaded      BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    rows_skipped     BIGINT NOT NULL,    -- title + header (of every sheet read) + blank + total + footer rows
    loaded_at        TIMESTAMPTZ NOT NULL,
    status           VARCHAR NOT NULL,   -- loaded | refused
    error            VARCHAR,            -- why a refused file could not be read
    container        VARCHAR,            -- csv | xlsx | xls | parquet
    encoding         VARCHAR,            -- detected text encoding (CSV)
    header_row       INTEGER,            -- physical row of the header (0 = none, e.g. Parquet)
    rows_blank       BIGINT,
    rows_total       BIGINT,
    load_fingerprint VARCHAR,            -- contract + loader version + PII key id: a change reloads
    sheets           VARCHAR,            -- JSON list, one entry per sheet (one unnamed for CSV / Parquet):
                                         -- sheet, read, reason (not read), header_row, header_rows,
                                         -- rows, header_choices (field, column chosen, columns passed over)
    rows_footer      BIGINT,             -- keyless rows after the last record (signatures, dates)
    -- the canonical fields the file carries (comma-separated, sorted; NULL when refused): a field it
    -- lacks is unknown for its rows, not blank (methodology §3, data not carried)
    fields_carried   VARCHAR,
    -- the feedback workbook `cchc-etl quarantine` wrote for this file's quarantined rows (by unit:
    -- the directory of the unit workbooks); NULL until written, and again once the file is reloaded
    feedback_path    VARCHAR,
    -- the PII key the file's rows were hashed with: cchc_etl.pii.key_fingerprint (never the key)
    pii_key_fingerprint VARCHAR
);
-- warehouses made by an earlier release
ALTER TABLE quality.file_log ADD COLUMN IF NOT EXISTS sheets VARCHAR;
ALTER TABLE quality.file_log ADD COLUMN IF NOT EXISTS rows_footer BIGINT;
ALTER TABLE quality.file_log ADD COLUMN IF NOT EXISTS fields_carried VARCHAR;
ALTER TABLE quality.file_log ADD COLUMN IF NOT EXISTS feedback_path VARCHAR;
ALTER TABLE quality.file_log ADD COLUMN IF NOT EXISTS pii_key_fingerprint VARCHAR;

CREATE TABLE IF NOT EXISTS quality.quarantine (
    file_path   VARCHAR NOT NULL,
    row_number  BIGINT NOT NULL,         -- 1-based physical row as a spreadsheet shows it
    column_name VARCHAR NOT NULL,        -- canonical field that failed (first failure)
    reason      VARCHAR NOT NULL,        -- Vietnamese / English
    raw_values  JSON,                    -- the row's cells by original header, PII hashed
    source      VARCHAR NOT NULL,
    month       DATE,
    sheet       VARCHAR                  -- workbook sheet of the row (NULL for CSV / Parquet)
);
ALTER TABLE quality.quarantine ADD COLUMN IF NOT EXISTS sheet VARCHAR;
