-- Each unit in force in the prepared period with the level its own figures are published at:
-- city for the root, department for units directly under it, unit otherwise. Reads the period's
-- roll-up `_period_rollup` (int_org_rollup.sql).
SELECT
    attributed_code AS unit_code,
    any_value(city_code) AS city_code,
    CASE
        WHEN bool_or(rollup_level = 'city' AND rollup_code = attributed_code) THEN 'city'
        WHEN bool_or(rollup_level = 'department' AND rollup_code = attributed_code) THEN 'department'
        ELSE 'unit'
    END AS natural_level
FROM _period_rollup
GROUP BY attributed_code
