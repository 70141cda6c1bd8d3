-- The band of a score ratio (methodology §3, §6): the first band, in the methodology's order,
-- whose minimum the ratio rounded to 2 decimals reaches, else the band without a minimum.
-- A temporary macro over the temp relation `_bands`, created with it for each period scored
-- (cchc_etl.scoring.scores.create_bands); marts.scores and marts.par_index classify with it.
CREATE OR REPLACE TEMP MACRO ratio_band(ratio) AS (
    SELECT arg_min(b.label_vi, b.sort_key)
    FROM _bands AS b
    -- `ratio` is the macro's parameter, not a column of _bands
    WHERE b.min IS NULL OR round(ratio, 2) >= b.min  -- noqa: RF03
);
