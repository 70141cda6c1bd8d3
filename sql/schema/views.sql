-- Views over staging, created after the staging tables.
-- Latest known state of every dossier (its row from the most recent export, by the latest-state
-- rule of sql/macros/dossier_state.sql), whatever month it was last seen in; the month-end states
-- per month are core.fct_dossier_month_end.
CREATE OR REPLACE VIEW core.dossier_latest AS
SELECT * FROM staging.stg_dossiers  -- noqa: AM04
QUALIFY row_number() OVER (
    PARTITION BY system, dossier_id
    ORDER BY core.dossier_recency(month, status, resolved_at, file_path, row_number) DESC
) = 1;

-- Org units with history (dimension): every version of every unit, with the unit each code maps
-- to today ("as is": following successor_code to a unit still in force) for trends across mergers.
-- "As was" (the structure in force in a period) is core.org_rollup.
CREATE OR REPLACE VIEW core.dim_org_unit AS
WITH RECURSIVE last_version AS (
    SELECT * FROM staging.stg_org_units
    QUALIFY row_number() OVER (PARTITION BY unit_code ORDER BY valid_from DESC NULLS LAST) = 1
),
hops AS (
    SELECT unit_code AS member_code, unit_code AS current_code, 0 AS hop FROM last_version
    UNION ALL
    SELECT h.member_code, v.successor_code AS current_code, h.hop + 1 AS hop
    FROM hops AS h INNER JOIN last_version AS v ON h.current_code = v.unit_code
    WHERE v.valid_to IS NOT NULL AND v.valid_to < current_date AND v.successor_code IS NOT NULL AND h.hop < 10
),
as_is AS (
    SELECT member_code, current_code FROM hops
    QUALIFY row_number() OVER (PARTITION BY member_code ORDER BY hop DESC) = 1
)
SELECT o.unit_code, o.name, o.level, o.parent_code, o.valid_from, o.valid_to, o.successor_code, o.category,
       a.current_code AS as_is_code,
       (o.valid_to IS NULL OR o.valid_to >= current_date) AS in_force_today,
       o.file_path, o.row_number
FROM staging.stg_org_units AS o
LEFT JOIN as_is AS a ON o.unit_code = a.member_code;

-- "As is" mapping only: historical unit code -> today's unit (itself when still in force).
CREATE OR REPLACE VIEW core.org_unit_as_is AS
SELECT DISTINCT unit_code, as_is_code FROM core.dim_org_unit;

-- Procedures catalogue with validity (dimension).
CREATE OR REPLACE VIEW core.dim_procedure AS
SELECT procedure_code, name, field_name, level, online_service_level, full_online_eligible, fee_required,
       result_required, statutory_days, statutory_unit, target_group, valid_from, valid_to, file_path, row_number
FROM staging.stg_procedures;

-- Marts seen "as is": indicator values of historical units re-labelled with today's successor
-- (numerators and denominators summed, value recomputed), so that trends survive mergers.
-- Counts (denominator NULL) add up; rates are recomputed from the sums; self-assessed and derived
-- values (both NULL) of merged units cannot be combined and stay NULL.
CREATE OR REPLACE VIEW marts.indicator_values_as_is AS
SELECT v.period_type, v.period_start, coalesce(a.as_is_code, v.org_unit_code) AS org_unit_code, v.org_level,
       v.indicator_code, sum(v.numerator) AS numerator, sum(v.denominator) AS denominator,
       CASE WHEN count(*) = 1 THEN any_value(v.value)
            WHEN count(v.denominator) = 0 AND count(v.numerator) = count(*) THEN sum(v.numerator)
            WHEN sum(v.denominator) > 0 THEN 100.0 * sum(v.numerator) / sum(v.denominator) END AS value,
       v.methodology_version
FROM marts.indicator_values AS v
LEFT JOIN core.org_unit_as_is AS a ON v.org_unit_code = a.unit_code
GROUP BY ALL;

-- Self-assessed values (fact): the period written as YYYY-MM, YYYY-Qn or YYYY, parsed.
CREATE OR REPLACE VIEW core.fct_self_assessment AS
SELECT
    CASE WHEN period LIKE '%-Q%' THEN 'quarter' WHEN length(period) = 7 THEN 'month' ELSE 'year' END AS period_type,
    CASE WHEN period LIKE '%-Q%' THEN make_date(CAST(left(period, 4) AS INTEGER), (CAST(right(period, 1) AS INTEGER) - 1) * 3 + 1, 1)
         WHEN length(period) = 7 THEN make_date(CAST(left(period, 4) AS INTEGER), CAST(right(period, 2) AS INTEGER), 1)
         ELSE make_date(CAST(left(period, 4) AS INTEGER), 1, 1) END AS period_start,
    period AS period_label, unit_code, indicator_code, value, evidence, file_path, row_number
FROM staging.stg_self_assessment;
