-- Indicator values per (org unit, level) of the prepared period (methodology §3): the fact counts
-- of `_unit_counts` (per member unit and indicator; generated from the methodology's formulas by
-- cchc_etl.scoring.values) summed through the roll-up `_period_rollup`, self-assessed values for
-- exactly the unit and its natural level (`_period_natural_levels`), derived values; NULL when
-- N/A. The indicators and their levels are core.dim_indicator's rows of the version.
WITH indicators AS (
    SELECT indicator_code, kind, formula, levels
    FROM core.dim_indicator
    WHERE methodology_version = $methodology_version
),

-- every (org unit, level) of the period x every indicator applicable at that level
grid AS (
    SELECT DISTINCT
        r.rollup_code,
        r.rollup_level,
        r.city_code,
        i.indicator_code,
        i.kind,
        i.formula
    FROM _period_rollup AS r
    INNER JOIN indicators AS i ON list_contains(string_split(i.levels, ','), r.rollup_level)
),

summed_raw AS (
    SELECT
        r.rollup_code,
        r.rollup_level,
        c.indicator_code,
        sum(c.numerator) AS numerator,
        sum(c.denominator) AS denominator,
        sum(c.unknown) AS unknown
    FROM _period_rollup AS r
    INNER JOIN _unit_counts AS c ON r.member_code = c.unit_code
    GROUP BY ALL
),

summed AS (
    SELECT
        g.rollup_code,
        g.rollup_level,
        g.indicator_code,
        CAST(coalesce(s.numerator, 0) AS DOUBLE) AS numerator,
        CASE WHEN g.kind = 'rate' THEN CAST(coalesce(s.denominator, 0) AS DOUBLE) END AS denominator,
        CASE WHEN g.kind = 'rate' THEN CAST(coalesce(s.unknown, 0) AS DOUBLE) END AS unknown,
        CASE
            WHEN g.kind = 'count' THEN CAST(coalesce(s.numerator, 0) AS DOUBLE)
            WHEN coalesce(s.denominator, 0) > 0 THEN 100.0 * s.numerator / s.denominator
        END AS value
    FROM grid AS g
    LEFT JOIN summed_raw AS s
        ON
            g.rollup_code = s.rollup_code
            AND g.rollup_level = s.rollup_level
            AND g.indicator_code = s.indicator_code
    WHERE g.kind IN ('rate', 'count')
),

dissatisfied AS (
    SELECT
        r.rollup_code,
        r.rollup_level,
        count(*) AS n
    FROM _period_rollup AS r
    INNER JOIN _f_survey AS s ON r.member_code = s.unit_code
    WHERE s.rating <= $dissatisfied_rating_max
    GROUP BY ALL
),

self_assessment AS (
    SELECT
        n.unit_code,
        n.natural_level,
        s.indicator_code,
        last(s.value ORDER BY s.file_path, s.row_number) AS value
    FROM staging.stg_self_assessment AS s
    INNER JOIN _period_rollup AS r ON s.unit_code = r.member_code
    INNER JOIN _period_natural_levels AS n ON r.attributed_code = n.unit_code
    WHERE
        s.period = $period_label
        AND s.indicator_code IN (SELECT i.indicator_code FROM indicators AS i WHERE i.kind = 'self_assessed')
    GROUP BY ALL
),

self_assessed AS (
    SELECT
        g.rollup_code,
        g.rollup_level,
        g.indicator_code,
        CAST(NULL AS DOUBLE) AS numerator,
        CAST(NULL AS DOUBLE) AS denominator,
        CAST(NULL AS DOUBLE) AS unknown,
        sa.value
    FROM grid AS g
    LEFT JOIN self_assessment AS sa
        ON
            g.rollup_code = sa.unit_code
            AND g.rollup_level = sa.natural_level
            AND g.indicator_code = sa.indicator_code
    WHERE g.kind = 'self_assessed'
),

-- methodology §3 dossier_satisfaction: IDX_2_1 less the share of dissatisfied survey answers in
-- the dossiers received
derived AS (
    SELECT
        g.rollup_code,
        g.rollup_level,
        g.indicator_code,
        CAST(NULL AS DOUBLE) AS numerator,
        CAST(NULL AS DOUBLE) AS denominator,
        CAST(NULL AS DOUBLE) AS unknown,
        CASE
            WHEN idx.value IS NOT NULL AND rec.numerator > 0
                THEN greatest(0, idx.value - 100.0 * coalesce(dis.n, 0) / rec.numerator)
        END AS value
    FROM (
        SELECT DISTINCT rollup_code, rollup_level, indicator_code
        FROM grid
        WHERE kind = 'derived' AND formula = 'dossier_satisfaction'
    ) AS g
    LEFT JOIN summed AS idx
        ON
            g.rollup_code = idx.rollup_code
            AND g.rollup_level = idx.rollup_level
            AND idx.indicator_code = 'IDX_2_1'
    LEFT JOIN summed AS rec
        ON
            g.rollup_code = rec.rollup_code
            AND g.rollup_level = rec.rollup_level
            AND rec.indicator_code = 'RPT_RECEIVED'
    LEFT JOIN dissatisfied AS dis
        ON g.rollup_code = dis.rollup_code AND g.rollup_level = dis.rollup_level
)

SELECT rollup_code, rollup_level, indicator_code, numerator, denominator, unknown, value FROM summed
UNION ALL
SELECT rollup_code, rollup_level, indicator_code, numerator, denominator, unknown, value FROM self_assessed
UNION ALL
SELECT rollup_code, rollup_level, indicator_code, numerator, denominator, unknown, value FROM derived
