-- Per city and procedure for [$period_start, $period_end) (city-level indicators IDX_3_1, IDX_3_5A/B,
-- IDX_4_5A): the catalogue in force and what the city's dossiers received in the period used.
-- Reads the period's dossier facts from `period_dossiers` and its roll-up from `period_rollup`.
WITH catalogue AS (
    SELECT procedure_code, online_service_level, fee_required
    FROM staging.stg_procedures
    WHERE coalesce(valid_from, DATE '1900-01-01') < $period_end
      AND (valid_to IS NULL OR valid_to >= $period_start)
    QUALIFY row_number() OVER (PARTITION BY procedure_code ORDER BY valid_from DESC NULLS LAST) = 1
),
cities AS (
    SELECT DISTINCT city_code FROM period_rollup
),
used AS (
    -- a dossier whose export does not carry the input is left out (methodology §3 "Data not
    -- carried"): a flag is what the procedure's other dossiers say, unknown (NULL) when none says
    SELECT r.city_code, d.procedure_code,
           bool_or(d.fee_required) AS has_fee_dossier,
           bool_or(d.paid_online) AS has_paid_online_dossier,
           bool_or(d.population_data_used) AS has_population_data_dossier,
           count(*) AS dossiers_received
    FROM period_dossiers AS d
    INNER JOIN period_rollup AS r ON d.unit_code = r.member_code AND r.rollup_level = 'city'
    WHERE d.is_received
    GROUP BY ALL
),
carried AS (
    -- per city: does any dossier received in the period carry the input at all? If none does, a
    -- procedure without dossiers is unknown too (the indicator is N/A, not 0)
    SELECT r.city_code,
           bool_or(d.fee_required IS NOT NULL) AS fee_carried,
           bool_or(d.paid_online IS NOT NULL) AS paid_online_carried,
           bool_or(d.population_data_used IS NOT NULL) AS population_data_carried
    FROM period_dossiers AS d
    INNER JOIN period_rollup AS r ON d.unit_code = r.member_code AND r.rollup_level = 'city'
    WHERE d.is_received
    GROUP BY ALL
)
SELECT
    CAST($period_start AS DATE) AS period_start,
    coalesce(u.city_code, k.city_code) AS unit_code,
    coalesce(u.procedure_code, k.procedure_code) AS procedure_code,
    k.procedure_code IS NOT NULL AS in_force,
    CASE WHEN k.procedure_code IS NULL THEN FALSE ELSE k.online_service_level IN ('partial', 'full') END AS online_offered,
    coalesce(k.fee_required, u.has_fee_dossier) AS fee_required,
    u.procedure_code IS NOT NULL AS has_dossier,
    CASE WHEN u.procedure_code IS NOT NULL THEN u.has_fee_dossier WHEN c.fee_carried THEN FALSE END AS has_fee_dossier,
    CASE WHEN u.procedure_code IS NOT NULL THEN u.has_paid_online_dossier WHEN c.paid_online_carried THEN FALSE END
        AS has_paid_online_dossier,
    CASE WHEN u.procedure_code IS NOT NULL THEN u.has_population_data_dossier WHEN c.population_data_carried THEN FALSE END
        AS has_population_data_dossier,
    coalesce(u.dossiers_received, 0) AS dossiers_received
FROM (SELECT ci.city_code, ca.* FROM cities AS ci CROSS JOIN catalogue AS ca) AS k
FULL OUTER JOIN used AS u ON k.city_code = u.city_code AND k.procedure_code = u.procedure_code
LEFT JOIN carried AS c ON c.city_code = coalesce(u.city_code, k.city_code)
