-- marts.scores: group and TOTAL scores of the prepared period from its indicator scores
-- (`_mart_indicator_scores`, built before it), the ratio on the applicable maximum, the
-- competition rank and the methodology's band (`ratio_band`) (methodology §3, §6).
WITH groups AS (
    SELECT
        org_unit_code,
        org_level,
        city_code,
        group_code,
        sum(score ORDER BY indicator_code) AS score,
        sum(max_score ORDER BY indicator_code) AS max_score
    FROM _mart_indicator_scores
    GROUP BY ALL
),

total AS (
    SELECT
        org_unit_code,
        org_level,
        city_code,
        'TOTAL' AS group_code,
        sum(score ORDER BY group_code) AS score,
        sum(max_score ORDER BY group_code) AS max_score
    FROM groups
    GROUP BY ALL
),

group_and_total AS (
    SELECT
        org_unit_code,
        org_level,
        city_code,
        group_code,
        score,
        max_score
    FROM groups
    UNION ALL
    SELECT
        org_unit_code,
        org_level,
        city_code,
        group_code,
        score,
        max_score
    FROM total
),

rated AS (
    SELECT
        org_unit_code,
        org_level,
        city_code,
        group_code,
        score,
        max_score,
        CASE WHEN max_score > 0 THEN 100.0 * score / max_score END AS ratio
    FROM group_and_total
)

SELECT
    $period_type AS period_type,
    CAST($period_start AS DATE) AS period_start,
    s.org_unit_code,
    s.org_level,
    $methodology_version AS methodology_version,
    s.group_code,
    s.score,
    s.max_score,
    s.ratio,
    CASE
        WHEN s.group_code = 'TOTAL' AND s.ratio IS NOT NULL
            THEN rank() OVER (
                PARTITION BY s.org_level, s.city_code, s.group_code = 'TOTAL' AND s.ratio IS NOT NULL
                ORDER BY round(s.ratio, 2) DESC
            )
    END AS rank,
    CASE
        WHEN s.group_code = 'TOTAL' AND s.ratio IS NOT NULL
            THEN ratio_band(s.ratio)
    END AS classification
FROM rated AS s
