-- PostgreSQL publication of the warehouse (cchc_etl.publish). Files here run in name order,
-- every time a month is published: each statement is idempotent.
--   marts, quality : the DuckDB contract (generated from assets/tables/: cchc_etl.table_ddl), same
--                    tables, same columns, same order; types mapped DATE -> date, VARCHAR -> text,
--                    BIGINT -> bigint, INTEGER -> integer, DOUBLE -> double precision,
--                    TIMESTAMP -> timestamp, TIMESTAMPTZ -> timestamptz, JSON -> jsonb.
--   warehouse      : facts published for analysts and benchmarks, and the reference tables the bi
--                    views take their names from; not part of the BI contract.
--   bi             : views, the stable contract for BI tools (generated, and 99_bi_views.sql).
CREATE SCHEMA IF NOT EXISTS marts;
CREATE SCHEMA IF NOT EXISTS quality;
CREATE SCHEMA IF NOT EXISTS warehouse;
CREATE SCHEMA IF NOT EXISTS bi;
