-- The BI contract: views with explicit column lists, so that columns appended to the tables
-- never change what BI tools see. The views that show a published table's columns (and its
-- human names: unit, level, indicator, group, period) are generated from assets/tables/ (the
-- `bi` block; cchc_etl.table_ddl); the views with logic of their own are here. All of them are
-- re-created (CREATE OR REPLACE) only when their SQL changes (its hash is kept in the comment on
-- schema bi) or a view is missing.

-- quarantined rows counted per file, column and reason; never the rows' raw values. The reason
-- is its kind ("ngày giờ không hợp lệ / unparseable date-time"), without the offending value.
CREATE OR REPLACE VIEW bi.quarantine_summary AS
SELECT month, source, file_path, column_name,
       regexp_replace(reason, ': .*$', '') AS reason,
       count(*) AS rows_quarantined
FROM quality.quarantine
GROUP BY month, source, file_path, column_name, regexp_replace(reason, ': .*$', '');

COMMENT ON VIEW bi.quarantine_summary IS 'Dòng bị cách ly theo tệp, cột và loại lý do / Quarantined rows per file, column and reason kind; no raw values';
COMMENT ON COLUMN bi.quarantine_summary.month IS 'tháng báo cáo; NULL với dữ liệu tham chiếu / reporting month; NULL for reference data';
COMMENT ON COLUMN bi.quarantine_summary.source IS 'nguồn dữ liệu / source';
COMMENT ON COLUMN bi.quarantine_summary.file_path IS 'tệp trong vùng tiếp nhận / landing file';
COMMENT ON COLUMN bi.quarantine_summary.column_name IS 'trường không đạt / the canonical field that failed';
COMMENT ON COLUMN bi.quarantine_summary.reason IS 'loại lý do, không kèm giá trị / the kind of reason, without the value';
COMMENT ON COLUMN bi.quarantine_summary.rows_quarantined IS 'số dòng / rows';
