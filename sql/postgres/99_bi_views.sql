-- The BI contract: views with explicit column lists, so that columns appended to the tables
-- never change what BI tools see. Re-created (CREATE OR REPLACE) only when this file changes
-- (its hash is kept in the comment on schema bi) or a view is missing.
CREATE OR REPLACE VIEW bi.period_report AS
SELECT period_start, org_unit_code, org_level,
       rpt_carried_over, rpt_received, rpt_received_direct, rpt_received_online, rpt_received_postal,
       rpt_resolved_early, rpt_resolved_on_time, rpt_resolved_late, rpt_withdrawn_rejected,
       rpt_pending_within, rpt_pending_overdue
FROM marts.period_report;

CREATE OR REPLACE VIEW bi.indicator_values AS
SELECT period_type, period_start, org_unit_code, org_level, indicator_code,
       numerator, denominator, value, methodology_version
FROM marts.indicator_values;

-- file accounting, without the error detail and the loader's fingerprint
CREATE OR REPLACE VIEW bi.file_log AS
SELECT file_path, source, system, month, sha256,
       rows_read, rows_loaded, rows_quarantined, rows_skipped,
       loaded_at, status, container, encoding, header_row, rows_blank, rows_total
FROM quality.file_log;

-- quarantined rows counted per file, column and reason; never the rows' raw values. The reason
-- is its kind ("ngày giờ không hợp lệ / unparseable date-time"), without the offending value.
CREATE OR REPLACE VIEW bi.quarantine_summary AS
SELECT month, source, file_path, column_name,
       regexp_replace(reason, ': .*$', '') AS reason,
       count(*) AS rows_quarantined
FROM quality.quarantine
GROUP BY month, source, file_path, column_name, regexp_replace(reason, ': .*$', '');

COMMENT ON VIEW bi.period_report IS 'Báo cáo kỳ / period report per month, unit, level (README: marts.period_report)';
COMMENT ON VIEW bi.indicator_values IS 'Chỉ số theo kỳ / indicator values (README: marts.indicator_values)';
COMMENT ON VIEW bi.file_log IS 'Landing files and their row accounting (quality.file_log without error detail)';
COMMENT ON VIEW bi.quarantine_summary IS 'Quarantined rows per file, column and reason kind; no raw values';
