-- Parsing macros shared by every source's staging SQL (cchc_etl.staging generates the calls).
-- Explicit formats only: a value that matches none of them is NULL here and the row is
-- quarantined by the caller; there is no day/month guessing.

-- match key: lower case, no diacritics (đ -> d), single spaces
CREATE OR REPLACE TEMP MACRO cchc_fold(x) AS
    trim(regexp_replace(lower(strip_accents(replace(replace(x, 'Đ', 'd'), 'đ', 'd'))), '[^0-9a-z]+', ' ', 'g'));

-- Excel serial day numbers (1954..2119) -> timestamp; 1899-12-30 is Excel's day zero
CREATE OR REPLACE TEMP MACRO cchc_excel_serial(x) AS
    CASE WHEN regexp_full_match(x, '[0-9]{5}(\.[0-9]+)?') AND x::DOUBLE BETWEEN 20000 AND 80000
         THEN TIMESTAMP '1899-12-30' + to_microseconds(round(x::DOUBLE * 86400000000)::BIGINT)
    END;

CREATE OR REPLACE TEMP MACRO cchc_ts(x) AS
    CASE
        WHEN x IS NULL THEN NULL
        WHEN regexp_full_match(x, '[0-9]{5}(\.[0-9]+)?') THEN cchc_excel_serial(x)
        ELSE try_strptime(x, [
            '%Y-%m-%dT%H:%M:%S.%f', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M',
            '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%d',
            '%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y',
            '%d-%m-%Y %H:%M:%S', '%d-%m-%Y %H:%M', '%d-%m-%Y'
        ])
    END;

CREATE OR REPLACE TEMP MACRO cchc_date(x) AS CAST(cchc_ts(x) AS DATE);

CREATE OR REPLACE TEMP MACRO cchc_bool_word(f) AS
    CASE
        WHEN f IN ('co', 'x', '1', 'true', 'yes', 'y', 't', 'da gui', 'da', 'roi', 'dung', 'co gui', 'v') THEN TRUE
        WHEN f IN ('khong', '0', 'false', 'no', 'n', 'f', 'chua gui', 'chua', 'sai', 'k', 'khong gui') THEN FALSE
    END;

-- numbers: "1.214" (dot thousands), "84,64" (comma decimal), "95%"
CREATE OR REPLACE TEMP MACRO cchc_num(x) AS
    CASE
        WHEN x IS NULL THEN NULL
        WHEN regexp_full_match(replace(replace(x, ' ', ''), '%', ''), '-?[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?')
            THEN TRY_CAST(replace(replace(replace(replace(x, ' ', ''), '%', ''), '.', ''), ',', '.') AS DOUBLE)
        WHEN regexp_full_match(replace(replace(x, ' ', ''), '%', ''), '-?[0-9]+,[0-9]+')
            THEN TRY_CAST(replace(replace(replace(x, ' ', ''), '%', ''), ',', '.') AS DOUBLE)
        ELSE TRY_CAST(replace(replace(x, ' ', ''), '%', '') AS DOUBLE)
    END;

CREATE OR REPLACE TEMP MACRO cchc_int(x) AS
    CASE WHEN cchc_num(x) = floor(cchc_num(x)) THEN CAST(cchc_num(x) AS BIGINT) END;
