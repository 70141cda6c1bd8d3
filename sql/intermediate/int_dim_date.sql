-- core.dim_date: every day from 2000 to 2045 with the working-day calendar (methodology §4):
-- Monday-Friday, minus holidays and compensatory days off, plus make-up working Saturdays, from
-- staging.stg_holidays (the calendar is data; `cchc-etl holidays` proposes a default year).
WITH days AS (
    SELECT CAST(d AS DATE) AS date FROM generate_series(DATE '2000-01-01', DATE '2045-12-31', INTERVAL 1 DAY) AS t(d)
),
hol AS (
    SELECT date, first(name ORDER BY row_number) AS name, first(kind ORDER BY kind = 'makeup_working_day', row_number) AS kind
    FROM staging.stg_holidays WHERE date IS NOT NULL GROUP BY date
)
SELECT
    d.date,
    CAST(year(d.date) AS INTEGER) AS year,
    CAST(quarter(d.date) AS INTEGER) AS quarter,
    CAST(month(d.date) AS INTEGER) AS month,
    CAST(date_trunc('month', d.date) AS DATE) AS month_start,
    CAST(date_trunc('quarter', d.date) AS DATE) AS quarter_start,
    CAST(isodow(d.date) AS INTEGER) AS iso_day_of_week,
    isodow(d.date) >= 6 AS is_weekend,
    h.name AS holiday_name,
    h.kind AS holiday_kind,
    CASE
        WHEN h.kind = 'makeup_working_day' THEN TRUE
        WHEN h.kind IN ('holiday', 'compensatory_day_off') THEN FALSE
        ELSE isodow(d.date) <= 5
    END AS is_working_day
FROM days AS d
LEFT JOIN hol AS h ON d.date = h.date
