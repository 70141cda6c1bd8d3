-- Organisation structure in force in [$period_start, $period_end) ("as was"), as a roll-up map:
-- every unit code rows may carry (historical codes follow successor_code to the unit in force)
-- -> the units whose figures include it: itself (unit), its department, its city.
WITH RECURSIVE
versions AS (
    SELECT unit_code, name, level, parent_code, valid_from, valid_to, successor_code
    FROM staging.stg_org_units
),
in_force AS (
    SELECT * FROM versions
    WHERE coalesce(valid_from, DATE '1900-01-01') < $period_end
      AND (valid_to IS NULL OR valid_to >= $period_start)
    QUALIFY row_number() OVER (PARTITION BY unit_code ORDER BY valid_from DESC NULLS LAST) = 1
),
last_version AS (
    SELECT * FROM versions
    QUALIFY row_number() OVER (PARTITION BY unit_code ORDER BY valid_from DESC NULLS LAST) = 1
),
successor_hops AS (
    SELECT unit_code AS member_code, unit_code AS current_code, 0 AS hop FROM last_version
    UNION ALL
    SELECT h.member_code, v.successor_code, h.hop + 1
    FROM successor_hops h
    JOIN last_version v ON v.unit_code = h.current_code
    WHERE h.current_code NOT IN (SELECT unit_code FROM in_force)
      AND v.successor_code IS NOT NULL AND h.hop < 10
),
attribution AS (
    SELECT member_code, current_code AS attributed_code
    FROM successor_hops
    WHERE current_code IN (SELECT unit_code FROM in_force)
    QUALIFY row_number() OVER (PARTITION BY member_code ORDER BY hop) = 1
),
roots AS (
    SELECT unit_code FROM in_force
    WHERE level = 'city' AND (parent_code IS NULL OR parent_code NOT IN (SELECT unit_code FROM in_force))
),
-- the parent each unit in force rolls up to: its parent when in force, else the unit in force at
-- the end of the parent's successor chain (a commune of an abolished district counts for the
-- district's successor; methodology §1: no row of a unit in force may be missing from its
-- department's or the city's figures)
in_force_parent AS (
    SELECT f.unit_code,
           CASE WHEN f.unit_code IN (SELECT unit_code FROM roots) THEN NULL
                ELSE coalesce(pa.attributed_code, f.parent_code) END AS parent_code
    FROM in_force f
    LEFT JOIN attribution pa ON pa.member_code = f.parent_code AND pa.attributed_code <> f.unit_code
),
ancestry AS (
    SELECT unit_code AS unit_code, unit_code AS ancestor_code, parent_code, 0 AS depth FROM in_force_parent
    UNION ALL
    SELECT a.unit_code, p.unit_code, p.parent_code, a.depth + 1
    FROM ancestry a JOIN in_force_parent p ON p.unit_code = a.parent_code
    WHERE a.depth < 20
),
city_of AS (
    SELECT a.unit_code, a.ancestor_code AS city_code
    FROM ancestry a WHERE a.ancestor_code IN (SELECT unit_code FROM roots)
),
targets AS (
    SELECT unit_code, unit_code AS rollup_code, 'unit' AS rollup_level FROM in_force
    WHERE unit_code NOT IN (SELECT unit_code FROM roots)
    UNION ALL
    SELECT a.unit_code, a.ancestor_code, 'department'
    FROM ancestry a JOIN in_force_parent d ON d.unit_code = a.ancestor_code
    WHERE d.parent_code IN (SELECT unit_code FROM roots)
    UNION ALL
    SELECT unit_code, city_code, 'city' FROM city_of
)
SELECT
    CAST($period_start AS DATE) AS period_start,
    att.member_code,
    att.attributed_code,
    t.rollup_code,
    t.rollup_level,
    c.city_code
FROM attribution att
JOIN targets t ON t.unit_code = att.attributed_code
JOIN city_of c ON c.unit_code = att.attributed_code
