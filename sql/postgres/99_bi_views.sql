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

CREATE OR REPLACE VIEW bi.periods AS
SELECT period_type, period_start, period_end, asof_month, period_label, is_complete, methodology_version,
       sources, sources_missing
FROM marts.periods;

CREATE OR REPLACE VIEW bi.scores AS
SELECT period_type, period_start, org_unit_code, org_level, methodology_version,
       group_code, score, max_score, ratio, rank, classification
FROM marts.scores;

CREATE OR REPLACE VIEW bi.indicator_scores AS
SELECT period_type, period_start, org_unit_code, org_level, methodology_version, group_code, indicator_code,
       value, numerator, denominator, points, threshold, applicable, score, max_score, reason
FROM marts.indicator_scores;

CREATE OR REPLACE VIEW bi.target_attainment AS
SELECT year, org_unit_code, indicator_code, comparator, target_value, actual_value, met,
       org_level, target_group, unit_category, second_value, numerator, denominator, previous_value,
       note, target_source, period_end, methodology_version
FROM marts.target_attainment;

CREATE OR REPLACE VIEW bi.par_index AS
SELECT year, org_unit_code, org_level, methodology_version, area_code, score, max_score, ratio, rank, classification
FROM marts.par_index;

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

COMMENT ON VIEW bi.period_report IS 'Báo cáo kỳ / period report per month, unit, level (docs: Bảng / Tables, marts.period_report)';
COMMENT ON VIEW bi.indicator_values IS 'Chỉ số theo kỳ / indicator values (docs: Bảng / Tables, marts.indicator_values)';
COMMENT ON VIEW bi.file_log IS 'Landing files and their row accounting (quality.file_log without error detail)';
COMMENT ON VIEW bi.quarantine_summary IS 'Quarantined rows per file, column and reason kind; no raw values';
COMMENT ON VIEW bi.periods IS 'Kỳ đã chấm điểm / periods scored, year to date reach (docs: Bảng / Tables, marts.periods)';
COMMENT ON VIEW bi.scores IS 'Điểm, xếp hạng, xếp loại / scores, ranks, bands (docs: Bảng / Tables, marts.scores)';
COMMENT ON VIEW bi.indicator_scores IS 'Điểm từng chỉ số / points per indicator (docs: Bảng / Tables, marts.indicator_scores)';
COMMENT ON VIEW bi.target_attainment IS 'Kết quả thực hiện chỉ tiêu / plan targets (docs: Bảng / Tables, marts.target_attainment)';
COMMENT ON VIEW bi.par_index IS 'Chỉ số CCHC / PAR Index (docs: Bảng / Tables, marts.par_index)';
