-- Last year's values for the year-over-year targets (methodology §5): the published values of
-- year $previous_year_start ('' target group), and those recomputed per procedure group
-- (`_previous_group_values`; the published values are unfiltered).
SELECT '' AS target_group, org_unit_code, org_level, indicator_code, value
FROM marts.indicator_values
WHERE period_type = 'year' AND period_start = $previous_year_start AND methodology_version = $methodology_version
UNION ALL
SELECT target_group, org_unit_code, org_level, indicator_code, value
FROM _previous_group_values
