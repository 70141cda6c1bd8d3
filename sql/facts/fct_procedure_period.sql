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
    SELECT r.city_code, d.procedure_code,
           bool_or(d.fee_required) AS has_fee_dossier,
           bool_or(d.paid_online) AS has_paid_online_dossier,
           bool_or(d.population_data_used) AS has_population_data_dossier,
           count(*) AS dossiers_received
    FROM period_dossiers d
    JOIN period_rollup r ON r.member_code = d.unit_code AND r.rollup_level = 'city'
    WHERE d.is_received
    GROUP BY ALL
)
SELECT
    CAST($period_start AS DATE) AS period_start,
    coalesce(u.city_code, k.city_code) AS unit_code,
    coalesce(u.procedure_code, k.procedure_code) AS procedure_code,
    k.procedure_code IS NOT NULL AS in_force,
    coalesce(k.online_service_level IN ('partial', 'full'), FALSE) AS online_offered,
    coalesce(k.fee_required, u.has_fee_dossier, FALSE) AS fee_required,
    u.procedure_code IS NOT NULL AS has_dossier,
    coalesce(u.has_fee_dossier, FALSE) AS has_fee_dossier,
    coalesce(u.has_paid_online_dossier, FALSE) AS has_paid_online_dossier,
    coalesce(u.has_population_data_dossier, FALSE) AS has_population_data_dossier,
    coalesce(u.dossiers_received, 0) AS dossiers_received
FROM (SELECT c.city_code, k.* FROM cities c CROSS JOIN catalogue k) k
FULL OUTER JOIN used u ON u.city_code = k.city_code AND u.procedure_code = k.procedure_code
