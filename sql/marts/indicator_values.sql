-- marts.indicator_values: the prepared period's indicator values (`_period_values`,
-- sql/intermediate/int_indicator_values.sql) under the period and methodology version.
SELECT
    $period_type AS period_type,
    CAST($period_start AS DATE) AS period_start,
    rollup_code AS org_unit_code,
    rollup_level AS org_level,
    indicator_code,
    numerator,
    denominator,
    value,
    $methodology_version AS methodology_version
FROM _period_values
