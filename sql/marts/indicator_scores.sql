-- marts.indicator_scores: points per scored indicator (methodology §3) of every org unit and level
-- of the prepared period (`_period_rollup`), from its values (`_period_values`) and the
-- indicators' points, thresholds and levels in core.dim_indicator; with why it is N/A.
WITH scored AS (
    SELECT
        indicator_code,
        group_code,
        points,
        threshold,
        kind,
        value_is,
        string_split(levels, ',') AS levels
    FROM core.dim_indicator
    WHERE methodology_version = $methodology_version AND group_code IS NOT NULL
),

units AS (
    SELECT DISTINCT rollup_code, rollup_level, city_code FROM _period_rollup
),

judged AS (
    SELECT
        u.rollup_code,
        u.rollup_level,
        u.city_code,
        d.group_code,
        d.indicator_code,
        d.points,
        d.threshold,
        d.kind,
        d.value_is,
        v.value,
        v.numerator,
        v.denominator,
        v.unknown,
        list_contains(d.levels, u.rollup_level) AS at_level
    FROM units AS u
    CROSS JOIN scored AS d
    LEFT JOIN _period_values AS v
        ON
            u.rollup_code = v.rollup_code
            AND u.rollup_level = v.rollup_level
            AND d.indicator_code = v.indicator_code
)

SELECT
    $period_type AS period_type,
    CAST($period_start AS DATE) AS period_start,
    rollup_code AS org_unit_code,
    rollup_level AS org_level,
    city_code,
    $methodology_version AS methodology_version,
    group_code,
    indicator_code,
    value,
    numerator,
    denominator,
    points,
    threshold,
    at_level AND value IS NOT NULL AS applicable,
    CASE
        WHEN NOT at_level OR value IS NULL THEN 0.0
        WHEN kind = 'self_assessed' AND value_is = 'points' THEN least(greatest(value, 0), points)
        -- a self-assessed percentage outside 0-100 is flagged (reference_rows_usable), not capped
        WHEN threshold IS NULL THEN value / 100.0 * points
        WHEN value >= threshold THEN points
        ELSE greatest(value, 0) / threshold * points
    END AS score,
    CASE WHEN at_level AND value IS NOT NULL THEN points ELSE 0.0 END AS max_score,
    CASE
        WHEN NOT at_level
            THEN 'N/A: không áp dụng cho cấp ' || rollup_level || ' / not applicable at this level'
        WHEN value IS NULL AND kind = 'self_assessed'
            THEN 'N/A: không có số liệu tự đánh giá cho kỳ này / no self-assessment for this period'
        WHEN value IS NULL AND kind = 'derived'
            THEN 'N/A: chỉ số đầu vào không có giá trị hoặc không tiếp nhận hồ sơ / an input is N/A or nothing was received'
        WHEN value IS NULL AND unknown > 0
            THEN 'N/A: tệp xuất không có dữ liệu đầu vào của chỉ số / the exports do not carry this indicator''s inputs'
        WHEN value IS NULL THEN 'N/A: mẫu số bằng 0 / denominator is 0'
        WHEN points = 0 THEN 'theo dõi, không tính điểm / monitoring only, 0 points'
        WHEN kind = 'self_assessed' AND value_is = 'points'
            THEN 'điểm tự đánh giá (tối đa ' || points || ') / self-assessed points'
        WHEN kind = 'self_assessed' AND (value < 0 OR value > 100)
            THEN 'giá trị tự đánh giá ngoài 0–100 (đã cảnh báo, không cắt) / self-assessed value outside 0-100 (flagged, not capped)'
        WHEN threshold IS NULL THEN 'điểm = giá trị / 100 × ' || points || ' / score = value / 100 × points'
        WHEN value >= threshold THEN 'đạt ngưỡng ' || threshold || '%: đủ điểm / threshold met: full points'
        ELSE 'dưới ngưỡng ' || threshold || '%: điểm = giá trị / ngưỡng × ' || points || ' / below threshold'
    END AS reason
FROM judged
