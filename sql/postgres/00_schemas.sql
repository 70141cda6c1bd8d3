-- PostgreSQL publication of the warehouse (cchc_etl.publish). Files here run in name order,
-- every time a month is published: each statement is idempotent.
--   marts, quality : the DuckDB contract (sql/schema/marts.sql, sql/schema/quality.sql), same
--                    tables, same columns, same order; types mapped DATE -> date, VARCHAR -> text,
--                    BIGINT -> bigint, INTEGER -> integer, DOUBLE -> double precision,
--                    TIMESTAMP -> timestamp, TIMESTAMPTZ -> timestamptz, JSON -> jsonb.
--   warehouse      : facts published for analysts and benchmarks, not part of the BI contract.
--   bi             : views, the stable contract for BI tools (99_bi_views.sql).
CREATE SCHEMA IF NOT EXISTS marts;
CREATE SCHEMA IF NOT EXISTS quality;
CREATE SCHEMA IF NOT EXISTS warehouse;
CREATE SCHEMA IF NOT EXISTS bi;
