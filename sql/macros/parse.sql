-- Parsing macros shared by every source's staging SQL (cchc_etl.staging generates the calls).
-- Explicit formats only: a value that matches none of them is NULL here and the row is
-- quarantined by the caller; there is no day/month guessing.

-- trim spaces, tabs, line breaks and no-break spaces (Excel); the guard skips DuckDB's
-- comparatively slow trim() for the usual value that has none
CREATE OR REPLACE TEMP MACRO cchc_clean(x) AS
    CASE WHEN starts_with(x, ' ') OR ends_with(x, ' ') OR starts_with(x, chr(9)) OR ends_with(x, chr(9))
              OR starts_with(x, chr(160)) OR ends_with(x, chr(160)) OR ends_with(x, chr(13)) OR starts_with(x, chr(10))
         THEN nullif(trim(x, ' ' || chr(9) || chr(10) || chr(13) || chr(160)), '')
         WHEN x = '' THEN NULL
         ELSE x END;

-- match key: ASCII camel case split (TrucTuyen -> truc tuyen), lower case, no diacritics
-- (đ -> d), single spaces; the same as cchc_etl.text.fold (tested)
CREATE OR REPLACE TEMP MACRO cchc_fold(x) AS
    trim(regexp_replace(lower(strip_accents(replace(replace(regexp_replace(x, '([a-z])([A-Z])', '\1 \2', 'g'),
        'Đ', 'd'), 'đ', 'd'))), '[^0-9a-z]+', ' ', 'g'));

-- Excel serial day numbers (1954..2119) -> timestamp; 1899-12-30 is Excel's day zero
CREATE OR REPLACE TEMP MACRO cchc_excel_serial(x) AS
    CASE WHEN regexp_full_match(x, '[0-9]{5}(\.[0-9]+)?') AND x::DOUBLE BETWEEN 20000 AND 80000
         THEN TIMESTAMP '1899-12-30' + to_microseconds(round(x::DOUBLE * 86400000000)::BIGINT)
    END;

-- ISO 8601 first (DuckDB's own cast: fast, Y-M-D only); an explicit offset or Z is converted to
-- Vietnam time; then Excel serials; then the day-first formats, never month-first.
CREATE OR REPLACE TEMP MACRO cchc_ts(x) AS
    CASE
        WHEN x IS NULL THEN NULL
        WHEN length(x) > 19 AND regexp_matches(x, '[0-9]:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})$')
            THEN timezone('Asia/Ho_Chi_Minh', TRY_CAST(x AS TIMESTAMPTZ))
        ELSE coalesce(
            CASE WHEN x[5:5] = '-' THEN TRY_CAST(x AS TIMESTAMP) END,
            cchc_excel_serial(x),
            try_strptime(x, [
                '%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y',
                '%d-%m-%Y %H:%M:%S', '%d-%m-%Y %H:%M', '%d-%m-%Y'
            ]))
    END;

CREATE OR REPLACE TEMP MACRO cchc_date(x) AS CAST(cchc_ts(x) AS DATE);

-- cchc_bool_word(folded) is generated from cchc_etl.contract.BOOL_TRUE / BOOL_FALSE (one vocabulary,
-- cchc_etl.staging.bool_word_sql); staging inlines the same CASE per yes/no column (bool_sql).

-- text to NFC; only values carrying combining marks (NFD, Windows-1258) need the work
CREATE OR REPLACE TEMP MACRO cchc_nfc(x) AS
    CASE WHEN regexp_matches(x, '[\x{0300}-\x{036F}\x{1AB0}-\x{1AFF}\x{1DC0}-\x{1DFF}\x{20D0}-\x{20FF}\x{FE20}-\x{FE2F}]')
         THEN nfc_normalize(x) ELSE x END;


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
