-- marts.target_attainment (methodology §5), year periods: each of the year's targets (`_targets`:
-- reference/targets rows, else the methodology's defaults) against every org unit it applies to.
-- Values are those of the year to date recomputed per target group (`_target_values`), and last
-- year's for year-over-year comparators (`_previous_values`); units and their natural level are
-- `_period_natural_levels`.
WITH org_units AS (
    SELECT unit_code, level, category FROM staging.stg_org_units
    QUALIFY row_number() OVER (PARTITION BY unit_code ORDER BY valid_from DESC NULLS LAST) = 1
),

units AS (
    SELECT
        n.unit_code,
        n.natural_level,
        n.city_code,
        o.level AS org_unit_level,
        o.category
    FROM _period_natural_levels AS n
    LEFT JOIN org_units AS o ON n.unit_code = o.unit_code
),

-- each target x each org unit it applies to
scoped AS (
    SELECT
        t.year,
        t.scope,
        t.indicator_code,
        t.comparator,
        t.value AS target_value,
        t.target_group,
        t.unit_category,
        t.second_value,
        t.note,
        t.target_source,
        u.unit_code,
        u.natural_level,
        u.city_code
    FROM _targets AS t
    INNER JOIN units AS u
        ON (
            (t.scope = 'city' AND u.natural_level = 'city')
            OR (t.scope = 'unit' AND u.natural_level <> 'city')
            OR (t.scope IN ('department', 'district', 'commune') AND t.scope = u.org_unit_level)
            OR (t.scope = u.unit_code)
        )
    WHERE t.unit_category IS NULL OR t.unit_category = '' OR u.category = t.unit_category
),

valued AS (
    SELECT
        s.*,
        v.numerator,
        v.denominator,
        v.value AS unit_value,
        prev.value AS previous_value,
        coalesce(i.higher_is_better, TRUE) AS higher_is_better
    FROM scoped AS s
    LEFT JOIN core.dim_indicator AS i
        ON s.indicator_code = i.indicator_code AND i.methodology_version = $methodology_version
    LEFT JOIN _target_values AS v
        ON
            coalesce(s.target_group, '') = v.target_group
            AND s.unit_code = v.org_unit_code
            AND s.natural_level = v.org_level
            AND s.indicator_code = v.indicator_code
    LEFT JOIN _previous_values AS prev
        ON
            coalesce(s.target_group, '') = prev.target_group
            AND s.unit_code = prev.org_unit_code
            AND s.natural_level = prev.org_level
            AND s.indicator_code = prev.indicator_code
),

per_unit AS (
    SELECT
        year,
        unit_code AS org_unit_code,
        natural_level AS org_level,
        indicator_code,
        comparator,
        target_value,
        target_group,
        unit_category,
        second_value,
        note,
        target_source,
        numerator,
        denominator,
        previous_value,
        CASE comparator
            WHEN 'increase_pp' THEN unit_value - previous_value
            WHEN 'increase_rel' THEN CASE WHEN previous_value > 0 THEN 100.0 * (unit_value - previous_value) / previous_value END
            ELSE unit_value
        END AS actual_value
    FROM valued
    WHERE comparator <> 'share_of_units'
),

-- one row per city: the share of the scope's units (with a value) meeting second_value
shares AS (
    SELECT
        year,
        city_code AS org_unit_code,
        'city' AS org_level,
        indicator_code,
        comparator,
        target_value,
        target_group,
        unit_category,
        second_value,
        note,
        target_source,
        CAST(count(*) FILTER (WHERE meets) AS DOUBLE) AS numerator,
        CAST(count(*) FILTER (WHERE unit_value IS NOT NULL) AS DOUBLE) AS denominator,
        CAST(NULL AS DOUBLE) AS previous_value,
        CASE
            WHEN count(*) FILTER (WHERE unit_value IS NOT NULL) > 0
                THEN 100.0 * count(*) FILTER (WHERE meets) / count(*) FILTER (WHERE unit_value IS NOT NULL)
        END AS actual_value
    FROM (
        SELECT
            *,
            CASE WHEN higher_is_better THEN unit_value >= second_value ELSE unit_value <= second_value END AS meets
        FROM valued
        WHERE comparator = 'share_of_units'
    ) AS x
    GROUP BY ALL
),

all_rows AS (
    SELECT * FROM per_unit
    UNION ALL BY NAME
    SELECT * FROM shares
)

SELECT
    year,
    org_unit_code,
    indicator_code,
    comparator,
    target_value,
    actual_value,
    CASE
        WHEN actual_value IS NULL THEN NULL
        WHEN comparator IN ('>=', 'increase_pp', 'increase_rel', 'share_of_units') THEN round(actual_value, 6) >= target_value
        WHEN comparator = '>' THEN round(actual_value, 6) > target_value
        WHEN comparator = '<=' THEN round(actual_value, 6) <= target_value
        WHEN comparator = '<' THEN round(actual_value, 6) < target_value
        WHEN comparator = '=' THEN round(actual_value, 6) = target_value
    END AS met,
    org_level,
    target_group,
    unit_category,
    second_value,
    numerator,
    denominator,
    previous_value,
    note,
    target_source,
    CAST($period_end AS DATE) AS period_end,
    $methodology_version AS methodology_version
FROM all_rows
