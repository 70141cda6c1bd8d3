-- The blocking check `received_balanced` (methodology §1) of the prepared period: dossiers
-- received in [$period_start, $period_end) by units in force (or attributed to one through
-- successor_code), and the sum of the cities' RPT_RECEIVED in `_period_values`.
WITH in_force AS (
    SELECT unit_code FROM staging.stg_org_units
    WHERE coalesce(valid_from, DATE '1900-01-01') < $period_end AND (valid_to IS NULL OR valid_to >= $period_start)
    UNION
    SELECT member_code FROM _period_rollup
)

SELECT
    (SELECT count(*) FROM _f_dossier AS d WHERE d.is_received AND d.unit_code IN (SELECT f.unit_code FROM in_force AS f))
        AS units_received,
    (
        SELECT CAST(coalesce(sum(value), 0) AS BIGINT) FROM _period_values
        WHERE indicator_code = 'RPT_RECEIVED' AND rollup_level = 'city'
    ) AS city_received
