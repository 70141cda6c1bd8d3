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
    SELECT h.member_code, v.successor_code AS current_code, h.hop + 1 AS hop
    FROM successor_hops AS h
    INNER JOIN last_version AS v ON h.current_code = v.unit_code
    WHERE h.current_code NOT IN (SELECT f.unit_code FROM in_force AS f)
      AND v.successor_code IS NOT NULL AND h.hop < 10
),
attribution AS (
    SELECT member_code, current_code AS attributed_code
    FROM successor_hops
    WHERE current_code IN (SELECT f.unit_code FROM in_force AS f)
    QUALIFY row_number() OVER (PARTITION BY member_code ORDER BY hop) = 1
),
roots AS (
    SELECT c.unit_code FROM in_force AS c
    WHERE c.level = 'city' AND (c.parent_code IS NULL OR c.parent_code NOT IN (SELECT f.unit_code FROM in_force AS f))
),
-- the parent each unit in force rolls up to: its parent when in force, else the unit in force at
-- the end of the parent's successor chain (a commune of an abolished district counts for the
-- district's successor; methodology §1: no row of a unit in force may be missing from its
-- department's or the city's figures)
in_force_parent AS (
    SELECT f.unit_code,
           CASE WHEN f.unit_code IN (SELECT ro.unit_code FROM roots AS ro) THEN NULL
                ELSE coalesce(pa.attributed_code, f.parent_code) END AS parent_code
    FROM in_force AS f
    LEFT JOIN attribution AS pa ON f.parent_code = pa.member_code AND f.unit_code <> pa.attributed_code
),
ancestry AS (
    SELECT unit_code, unit_code AS ancestor_code, parent_code, 0 AS depth FROM in_force_parent
    UNION ALL
    SELECT a.unit_code, p.unit_code AS ancestor_code, p.parent_code, a.depth + 1 AS depth
    FROM ancestry AS a INNER JOIN in_force_parent AS p ON a.parent_code = p.unit_code
    WHERE a.depth < 20
),
city_of AS (
    SELECT a.unit_code, a.ancestor_code AS city_code
    FROM ancestry AS a WHERE a.ancestor_code IN (SELECT ro.unit_code FROM roots AS ro)
),
targets AS (
    SELECT unit_code, unit_code AS rollup_code, 'unit' AS rollup_level FROM in_force
    WHERE unit_code NOT IN (SELECT ro.unit_code FROM roots AS ro)
    UNION ALL
    SELECT a.unit_code, a.ancestor_code AS rollup_code, 'department' AS rollup_level
    FROM ancestry AS a INNER JOIN in_force_parent AS d ON a.ancestor_code = d.unit_code
    WHERE d.parent_code IN (SELECT ro.unit_code FROM roots AS ro)
    UNION ALL
    SELECT unit_code, city_code AS rollup_code, 'city' AS rollup_level FROM city_of
)
SELECT
    CAST($period_start AS DATE) AS period_start,
    att.member_code,
    att.attributed_code,
    t.rollup_code,
    t.rollup_level,
    c.city_code
FROM attribution AS att
INNER JOIN targets AS t ON att.attributed_code = t.unit_code
INNER JOIN city_of AS c ON att.attributed_code = c.unit_code
