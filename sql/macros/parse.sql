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
    CASE WHEN regexp_full_match(x, '[0-9]{5}(\.[0-9]+)?') AND CAST(x AS DOUBLE) BETWEEN 20000 AND 80000
         THEN TIMESTAMP '1899-12-30' + to_microseconds(CAST(round(CAST(x AS DOUBLE) * 86400000000) AS BIGINT))
    END;

-- a zone suffix (Z, +hh, +hhmm, +hh:mm) -> minutes east of UTC
CREATE OR REPLACE TEMP MACRO cchc_zone_minutes(z) AS
    CASE WHEN z IN ('Z', 'z') THEN 0
         ELSE (CASE WHEN z[1:1] = '-' THEN -1 ELSE 1 END)
              * (CAST(z[2:3] AS INTEGER) * 60 + coalesce(TRY_CAST(nullif(replace(z[4:], ':', ''), '') AS INTEGER), 0))
    END;

-- ISO date and time (T or a space, with or without seconds) followed by a zone: converted to
-- Vietnam time (Asia/Ho_Chi_Minh); NULL when the text is not of that shape
CREATE OR REPLACE TEMP MACRO cchc_ts_zoned(x) AS
    CASE WHEN regexp_full_match(x, '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)? ?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)')
         THEN timezone('Asia/Ho_Chi_Minh', timezone('UTC',
                  TRY_CAST(regexp_replace(x, ' ?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$', '') AS TIMESTAMP)
                  - to_minutes(cchc_zone_minutes(regexp_extract(x, '([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$', 1)))))
    END;

-- any date-time the contract allows, with no plausibility floor (staging uses cchc_ts): ISO 8601
-- (DuckDB's own cast: fast, Y-M-D only), converted to Vietnam time when it carries a zone (Z, a
-- "+", or a third "-" after the date's two); then Excel serials; then the day-first formats,
-- never month-first. A time without a zone is already Vietnam time. (strpos, contains,
-- ends_with and LIKE without a regex are byte searches: x[5:5], a regex or counting the "-" by
-- replace and length per cell costs several times more.)
CREATE OR REPLACE TEMP MACRO cchc_ts_any(x) AS
    CASE
        WHEN x IS NULL THEN NULL
        WHEN strpos(x, '-') = 5
            THEN CASE WHEN contains(x, '+') OR ends_with(x, 'Z') OR ends_with(x, 'z') OR x LIKE '%-%-%-%'
                      THEN cchc_ts_zoned(x)
                      ELSE TRY_CAST(x AS TIMESTAMP) END
        ELSE coalesce(
            cchc_excel_serial(x),
            try_strptime(x, [
                '%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y',
                '%d-%m-%Y %H:%M:%S', '%d-%m-%Y %H:%M', '%d-%m-%Y'
            ]))
    END;

-- staging's date-time: a date before 2000 (two-digit years read as year 24 AD, Excel serials of
-- the 1950s..1990s) is implausible and NULL, so that the row is quarantined (see
-- cchc_ts_problem for the reason)
CREATE OR REPLACE TEMP MACRO cchc_ts(x) AS
    CASE WHEN cchc_ts_any(x) >= TIMESTAMP '2000-01-01' THEN cchc_ts_any(x) END;

-- a date without a time (ISO, day-first, a whole Excel serial): as a deadline, the end of that day
CREATE OR REPLACE TEMP MACRO cchc_is_date_only(x) AS
    regexp_full_match(x, '[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}[/-][0-9]{1,2}[/-][0-9]{4}|[0-9]{5}(\.0+)?');

CREATE OR REPLACE TEMP MACRO cchc_deadline(x) AS
    cchc_ts(x) + CASE WHEN length(x) <= 10 AND NOT contains(x, ':') AND cchc_is_date_only(x)
                      THEN INTERVAL 1 DAY - INTERVAL 1 MICROSECOND ELSE INTERVAL 0 SECOND END;

-- why a non-blank cell gave no date-time (the caller's quarantine reason)
CREATE OR REPLACE TEMP MACRO cchc_ts_problem(x) AS
    CASE
        WHEN regexp_full_match(x, '[0-9]{1,2}[/-][0-9]{1,2}[/-][0-9]{2}( .*)?')
            THEN 'năm hai chữ số, cần ghi đủ 4 chữ số / two-digit year, write the year in full: ' || x
        WHEN cchc_ts_any(x) IS NOT NULL
            THEN 'ngày trước năm 2000, không hợp lý / date before 2000, implausible: ' || x
        ELSE 'ngày giờ không hợp lệ / unparseable date-time: ' || x
    END;

-- a calendar date of reference data (validity of units and procedures, holidays): any year written
-- in full (a unit may be in force since 1976); two-digit years stay refused
CREATE OR REPLACE TEMP MACRO cchc_date(x) AS
    CASE WHEN NOT regexp_full_match(x, '[0-9]{1,2}[/-][0-9]{1,2}[/-][0-9]{2}( .*)?') THEN CAST(cchc_ts_any(x) AS DATE) END;

-- a reporting period: YYYY, YYYY-MM, YYYY-Qn as written; a date (an Excel or Parquet date cell,
-- an ISO date or date-time) means its month
CREATE OR REPLACE TEMP MACRO cchc_period(x) AS
    CASE
        WHEN regexp_full_match(x, '[0-9]{4}(-(0[1-9]|1[0-2]))?') THEN x
        WHEN regexp_full_match(x, '[0-9]{4}-[Qq][1-4]') THEN upper(x)
        WHEN regexp_full_match(x, '[0-9]{4}-[0-9]{2}-[0-9]{2}([T ].*)?') THEN strftime(cchc_ts(x), '%Y-%m')
    END;

-- cchc_bool_word(folded) is generated from cchc_etl.contract.BOOL_TRUE / BOOL_FALSE (one vocabulary,
-- cchc_etl.staging.bool_word_sql); staging inlines the same CASE per yes/no column (bool_sql).

-- text to NFC; only values carrying combining marks (NFD, Windows-1258) need the work
CREATE OR REPLACE TEMP MACRO cchc_nfc(x) AS
    CASE WHEN regexp_matches(x, '[\x{0300}-\x{036F}\x{1AB0}-\x{1AFF}\x{1DC0}-\x{1DFF}\x{20D0}-\x{20FF}\x{FE20}-\x{FE2F}]')
         THEN nfc_normalize(x) ELSE x END;


-- numbers: "1.214" (dot thousands), "84,64" (comma decimal), "95%". Plain digits, the usual
-- cell, first: one regex instead of three and a chain of replaces (up to 15 digits a DOUBLE holds
-- them exactly, as the general path would)
CREATE OR REPLACE TEMP MACRO cchc_num(x) AS
    CASE
        WHEN x IS NULL THEN NULL
        WHEN strlen(x) <= 15 AND regexp_full_match(x, '[0-9]+') THEN CAST(x AS DOUBLE)
        WHEN regexp_full_match(replace(replace(x, ' ', ''), '%', ''), '-?[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?')
            THEN TRY_CAST(replace(replace(replace(replace(x, ' ', ''), '%', ''), '.', ''), ',', '.') AS DOUBLE)
        WHEN regexp_full_match(replace(replace(x, ' ', ''), '%', ''), '-?[0-9]+,[0-9]+')
            THEN TRY_CAST(replace(replace(replace(x, ' ', ''), '%', ''), ',', '.') AS DOUBLE)
        ELSE TRY_CAST(replace(replace(x, ' ', ''), '%', '') AS DOUBLE)
    END;

-- integers: an integral number in any of the forms above (4.0, 5,0, 9.00 included); a count
-- written with its unit ("2 lần", "2 lần.") is that count; anything else is NULL (quarantined)
CREATE OR REPLACE TEMP MACRO cchc_int(x) AS
    CASE WHEN strlen(x) <= 15 AND regexp_full_match(x, '[0-9]+') THEN CAST(x AS BIGINT)  -- plain digits (see cchc_num)
         WHEN cchc_num(x) = floor(cchc_num(x)) THEN CAST(cchc_num(x) AS BIGINT)
         WHEN regexp_full_match(cchc_fold(x), '[0-9]+ ?lan')
            THEN CAST(regexp_extract(cchc_fold(x), '^[0-9]+') AS BIGINT)
    END;

-- an integral float written where a code is expected ("2.0", "10,0", "4.00") -> "2", "10", "4"
CREATE OR REPLACE TEMP MACRO cchc_code(x) AS
    regexp_replace(x, '^([0-9]+)[.,]0{1,2}$', '\1');

-- enum match key: the fold without spaces, so that case, spaces, "_" and "-" do not matter
-- ("makeup_working_saturday" = "Make-up working Saturday"); cchc_etl.text.enum_key
CREATE OR REPLACE TEMP MACRO cchc_enum_key(x) AS replace(cchc_fold(x), ' ', '');
