-- marts.par_index (methodology §6), year periods: the PAR Index areas' self-assessed scores of each
-- unit that assessed any (`_par_areas`: the methodology's areas and maxima), capped at the area's
-- maximum, their TOTAL, ratio, rank and band (`ratio_band`).
WITH assessed AS (
    SELECT
        n.unit_code,
        n.natural_level,
        n.city_code,
        s.indicator_code AS area_code,
        last(s.value ORDER BY s.file_path, s.row_number) AS value
    FROM staging.stg_self_assessment AS s
    INNER JOIN _period_rollup AS r ON s.unit_code = r.member_code
    INNER JOIN _period_natural_levels AS n ON r.attributed_code = n.unit_code
    WHERE s.period = $period_label AND s.indicator_code IN (SELECT a.area_code FROM _par_areas AS a)
    GROUP BY ALL
),

units AS (
    SELECT DISTINCT unit_code, natural_level, city_code FROM assessed
),

per_area AS (
    SELECT
        u.unit_code,
        u.natural_level,
        u.city_code,
        a.area_code,
        least(greatest(s.value, 0), a.max_score) AS score,
        CASE WHEN s.value IS NOT NULL THEN a.max_score ELSE 0 END AS max_score
    FROM units AS u
    CROSS JOIN _par_areas AS a
    LEFT JOIN assessed AS s ON u.unit_code = s.unit_code AND a.area_code = s.area_code
),

total AS (
    SELECT
        unit_code,
        natural_level,
        city_code,
        'TOTAL' AS area_code,
        sum(coalesce(score, 0) ORDER BY area_code) AS score,
        sum(max_score ORDER BY area_code) AS max_score
    FROM per_area
    GROUP BY ALL
),

area_and_total AS (
    SELECT
        unit_code,
        natural_level,
        city_code,
        area_code,
        score,
        max_score
    FROM per_area
    UNION ALL
    SELECT
        unit_code,
        natural_level,
        city_code,
        area_code,
        score,
        max_score
    FROM total
),

rated AS (
    SELECT
        unit_code,
        natural_level,
        city_code,
        area_code,
        score,
        max_score,
        CASE WHEN max_score > 0 THEN 100.0 * score / max_score END AS ratio
    FROM area_and_total
)

SELECT
    CAST($year AS INTEGER) AS year,
    s.unit_code AS org_unit_code,
    s.natural_level AS org_level,
    $methodology_version AS methodology_version,
    s.area_code,
    s.score,
    s.max_score,
    s.ratio,
    CASE
        WHEN s.area_code = 'TOTAL' AND s.ratio IS NOT NULL
            THEN rank() OVER (
                PARTITION BY s.natural_level, s.city_code, s.area_code = 'TOTAL' AND s.ratio IS NOT NULL
                ORDER BY round(s.ratio, 2) DESC
            )
    END AS rank,
    CASE
        WHEN s.area_code = 'TOTAL' AND s.ratio IS NOT NULL
            THEN ratio_band(s.ratio)
    END AS classification
FROM rated AS s
