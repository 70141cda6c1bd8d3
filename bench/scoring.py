"""Benchmark suite `scoring`: a year of a large city (12 months, ~5M dossiers) scored from staged tables.

    python bench/run.py --suite scoring [--dossiers 5000000]
    python bench/scoring.py [--dossiers 5000000]

Setup (not timed, cached in bench/out/scoring_<N>.duckdb, keyed by the dossier count): a
warehouse created by ``ensure_schema`` whose staging tables hold one year (2024-01..2024-12) of
generated exports, produced in SQL from ``range`` and hashes: N distinct dossiers spread over the
months, ~10% of them still open at their month end and exported again by the next month with a
newer state (the snapshot rule), ~300 units under 30 departments under one city, 1,500
procedures, ~2M survey ratings, ~50k feedback items, ~500k documents, 5,000 e-mail accounts x 12
months, a few holidays, no targets (the methodology's defaults apply). The start point is
*staging only*: core.fct_dossier_month_end is empty.

Timed, in a fresh process on a copy of the cached file (the copy is made before and outside the
timing): what scoring a year needs — ``build_dim_date``, the dossier month-end facts of the 12
months in order (``build_dossier_month_end``: the first from the whole history, the next ones
from the previous month-end state plus the month's exports), then ``score_range``: the 12 months,
the 4 quarters and the year (``vn-2025.1``; periods ending at the same month share one pass over
the dossiers' history). Per-stage seconds are printed by the child.
Anchor, in another fresh process on the cached file (read-only): a plain DuckDB query doing the
minimal physical work over the same staged rows — latest row per dossier (QUALIFY row_number)
and one GROUP BY unit_code, month counting received / resolved / on time for the year.
Last line: scoring_s=… anchor_s=… peak_rss_mb=… (wall seconds of both processes, peak RSS of the
scoring process; budget: scoring <= 60 s and <= 3 GB at 5M dossiers).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(ROOT))

YEAR = 2024
N_UNITS, N_DEPARTMENTS, N_PROCEDURES = 300, 30, 1500

# uniform [0, 1) from a row number and a salt: vectorised, deterministic
MACROS = """
CREATE OR REPLACE TEMP MACRO u(i, k) AS CAST(hash(i, k) % 1000003 AS DOUBLE) / 1000003.0;
CREATE OR REPLACE TEMP MACRO secs(n) AS to_seconds(CAST(n AS BIGINT));
"""


def _generate(con, dossiers: int) -> None:
    """Staged rows of one year, all in SQL (see the module docstring)."""
    n = int(dossiers)
    n_surveys = max(1000, n * 2 // 5)
    n_feedback = max(200, n // 100)
    n_documents = max(1000, n // 10)
    n_accounts = max(100, min(5000, n // 1000))
    con.execute(MACROS)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _months AS
        SELECT CAST(m AS DATE) AS m_start, CAST(m + INTERVAL 1 MONTH AS DATE) AS m_end,
               CAST(month(m) - 1 AS INTEGER) AS mi, strftime(m, '%Y-%m') AS label,
               date_diff('second', CAST(m AS DATE), CAST(m + INTERVAL 1 MONTH AS DATE)) AS m_secs
        FROM generate_series(TIMESTAMP '{YEAR}-01-01', TIMESTAMP '{YEAR}-12-01', INTERVAL 1 MONTH) t(m)
    """)
    # -- reference: one city, 30 departments, 300 units (units i -> department i % 30)
    con.execute(f"""
        INSERT INTO staging.stg_org_units (file_path, row_number, unit_code, name, level, parent_code, category)
        SELECT 'landing/reference/org_units.xlsx', 1, 'HCM', 'Ủy ban nhân dân Thành phố', 'city', NULL, NULL
        UNION ALL
        SELECT 'landing/reference/org_units.xlsx', i + 2, 'D' || lpad(CAST(i + 1 AS VARCHAR), 2, '0'),
               'Sở ' || (i + 1), 'department', 'HCM', 'department'
        FROM range({N_DEPARTMENTS}) t(i)
        UNION ALL
        SELECT 'landing/reference/org_units.xlsx', i + 100, 'U' || lpad(CAST(i + 1 AS VARCHAR), 3, '0'),
               'Đơn vị trực thuộc ' || (i + 1), 'unit', 'D' || lpad(CAST(i % {N_DEPARTMENTS} + 1 AS VARCHAR), 2, '0'),
               CASE WHEN i % 3 = 0 THEN 'district' ELSE 'branch' END
        FROM range({N_UNITS}) t(i)
    """)
    con.execute(f"""
        INSERT INTO staging.stg_procedures (file_path, row_number, procedure_code, name, field_name, level,
            online_service_level, full_online_eligible, fee_required, result_required, statutory_days, statutory_unit,
            target_group, valid_from, valid_to)
        SELECT 'landing/reference/procedures.xlsx', i + 1, 'P' || lpad(CAST(i + 1 AS VARCHAR), 5, '0'),
               'Thủ tục hành chính số ' || (i + 1) || ' về cấp giấy phép', 'Lĩnh vực ' || (i % 40 + 1),
               CASE i % 3 WHEN 0 THEN 'province' WHEN 1 THEN 'district' ELSE 'commune' END,
               CASE WHEN u(i, 1) < 0.45 THEN 'full' WHEN u(i, 1) < 0.80 THEN 'partial' ELSE 'none' END,
               u(i, 1) < 0.45, u(i, 2) < 0.30, u(i, 3) < 0.90, 1 + i % 20, 'working_days',
               CASE WHEN i % 100 < 6 THEN 'land' WHEN i % 100 < 8 THEN 'investment' WHEN i % 100 < 9 THEN 'complaints' END,
               NULL, NULL
        FROM range({N_PROCEDURES}) t(i)
    """)
    con.execute(f"""
        INSERT INTO staging.stg_holidays (file_path, row_number, date, name, kind)
        SELECT 'landing/reference/holidays.csv', row_number() OVER (), CAST(d AS DATE), name, kind FROM (VALUES
            ('{YEAR}-01-01', 'Tết Dương lịch', 'holiday'),
            ('{YEAR}-02-08', 'Tết Nguyên đán', 'holiday'), ('{YEAR}-02-09', 'Tết Nguyên đán', 'holiday'),
            ('{YEAR}-02-12', 'Tết Nguyên đán', 'holiday'), ('{YEAR}-02-13', 'Tết Nguyên đán', 'holiday'),
            ('{YEAR}-02-14', 'Tết Nguyên đán', 'holiday'), ('{YEAR}-04-18', 'Giỗ Tổ Hùng Vương', 'holiday'),
            ('{YEAR}-04-29', 'Nghỉ bù', 'compensatory_day_off'), ('{YEAR}-04-30', 'Giải phóng miền Nam', 'holiday'),
            ('{YEAR}-05-01', 'Quốc tế Lao động', 'holiday'), ('{YEAR}-05-04', 'Làm bù', 'makeup_working_day'),
            ('{YEAR}-09-02', 'Quốc khánh', 'holiday'), ('{YEAR}-09-03', 'Quốc khánh', 'holiday')
        ) t(d, name, kind)
    """)
    # -- dossiers: N distinct, received in month i * 12 // N; 10% still open at their month end
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _d AS
        WITH b AS (
            SELECT i, CAST(i * 12 // {n} AS INTEGER) AS mi,
                   CAST(floor(pow(u(i, 10), 2) * {N_PROCEDURES}) AS INTEGER) AS pi,
                   CAST(floor(u(i, 11) * {N_UNITS}) AS INTEGER) AS ui,
                   u(i, 12) AS r_recv, u(i, 13) AS r_due, u(i, 14) AS r_open, u(i, 15) AS r_status,
                   u(i, 16) AS r_took, u(i, 17) AS r_chan, u(i, 18) AS r_sup, u(i, 19) AS r_next, u(i, 20) AS r_flag
            FROM range({n}) t(i)
        ),
        p AS (
            SELECT row_number - 1 AS pi, procedure_code, name AS procedure_name, field_name, online_service_level, fee_required
            FROM staging.stg_procedures
        )
        SELECT b.*, m.m_start, m.m_end, m.label, p.procedure_code, p.procedure_name, p.field_name, p.online_service_level,
               p.fee_required,
               'U' || lpad(CAST(ui + 1 AS VARCHAR), 3, '0') AS unit_code,
               CASE WHEN ui < 120 THEN 'hcm1022' ELSE 'vnpt' END AS system,
               'G' || lpad(CAST(ui + 1 AS VARCHAR), 3, '0') || '-' || strftime(m.m_start, '%y%m') || '-' || lpad(CAST(i AS VARCHAR), 8, '0') AS dossier_id,
               CAST(m.m_start AS TIMESTAMP) + secs(r_recv * (m.m_secs - 86400)) AS received_at,
               CASE WHEN r_chan < 0.45 THEN 'direct' WHEN r_chan < 0.95 THEN 'online' ELSE 'postal' END AS channel,
               r_open < 0.10 AS stays_open
        FROM b JOIN _months m USING (mi) JOIN p USING (pi)
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _d2 AS
        SELECT *, received_at + to_days(CAST(1 + floor(r_due * 15) AS INTEGER)) AS due_at FROM _d
    """)
    con.execute("DROP TABLE _d")
    common = """
        system, file_path, row_number, dossier_id, procedure_code, procedure_name, field_name, unit_code, channel,
        online_service_level, received_at, due_at, resolved_at, returned_at, status, result_channel, apology_sent,
        fee_required, paid_online, digitized_input, digitized_result, synced_national_portal, supplement_count,
        supplement_requested_at, supplement_completed_at, e_result, data_reused, citizen_store_linked,
        population_data_used, applicant_name_hash, applicant_id_hash, applicant_phone_hash, extra
    """
    flags_a = """
        fee_required AND channel = 'online' AND r_flag < 0.6,
        u(i, 30) < 0.70, u(i, 31) < 0.60, u(i, 32) < 0.92
    """
    flags_b = """
        u(i, 33) < 0.50, u(i, 34) < 0.30, u(i, 35) < 0.20, u(i, 36) < 0.25,
        sha256('n' || i), sha256('i' || i), CASE WHEN u(i, 37) < 0.9 THEN sha256('p' || i) END,
        CAST(NULL AS JSON)
    """
    # the export of the receiving month: closed in the month (90%) or still open (10%)
    con.execute(f"""
        INSERT INTO staging.stg_dossiers (month, {common})
        WITH x AS (
            SELECT *,
                   CASE WHEN stays_open THEN CASE WHEN r_status < 0.7 THEN 'processing' ELSE 'awaiting_supplement' END
                        WHEN r_status < 0.60 THEN 'resolved' WHEN r_status < 0.92 THEN 'returned'
                        WHEN r_status < 0.95 THEN 'rejected' ELSE 'withdrawn' END AS status,
                   CASE WHEN NOT stays_open THEN least(received_at + secs(date_diff('second', received_at, due_at) * r_took * 1.1),
                                                       CAST(m_end AS TIMESTAMP) - INTERVAL 1 SECOND) END AS resolved_at
            FROM _d2
        )
        SELECT m_start, system, 'landing/dossiers/' || label || '/' || system || '_' || label || '.xlsx', i + 1, dossier_id,
               procedure_code, procedure_name, field_name, unit_code, channel, online_service_level, received_at, due_at,
               resolved_at,
               CASE WHEN status = 'returned' THEN least(resolved_at + INTERVAL 4 HOUR, CAST(m_end AS TIMESTAMP) - INTERVAL 1 SECOND) END,
               status,
               CASE WHEN status IN ('resolved', 'returned') THEN CASE WHEN channel = 'online' THEN 'online' ELSE 'direct' END END,
               resolved_at > due_at AND r_flag < 0.5,
               fee_required, {flags_a}, supplement_count, supplement_requested_at, supplement_completed_at, {flags_b}
        FROM (SELECT *,
                     CASE WHEN status = 'awaiting_supplement' OR r_sup < 0.08 THEN 1 WHEN r_sup < 0.10 THEN 2 ELSE 0 END AS supplement_count,
                     CASE WHEN status = 'awaiting_supplement' OR r_sup < 0.10
                          THEN least(received_at + INTERVAL 1 DAY, CAST(m_end AS TIMESTAMP) - INTERVAL 2 SECOND) END AS supplement_requested_at,
                     CASE WHEN status <> 'awaiting_supplement' AND r_sup < 0.10 AND resolved_at IS NOT NULL
                          THEN least(received_at + INTERVAL 2 DAY, resolved_at) END AS supplement_completed_at
              FROM x) y
    """)
    # the next month's export of the dossiers left open (none after December): 85% closed, 15% still processing
    con.execute(f"""
        INSERT INTO staging.stg_dossiers (month, {common})
        WITH x AS (
            SELECT d.*, m.m_start AS next_start, m.m_end AS next_end, m.label AS next_label,
                   CASE WHEN r_next < 0.50 THEN 'resolved' WHEN r_next < 0.80 THEN 'returned' WHEN r_next < 0.85 THEN 'withdrawn'
                        ELSE 'processing' END AS status
            FROM _d2 d JOIN _months m ON m.mi = d.mi + 1
            WHERE d.stays_open
        ),
        y AS (
            SELECT *,
                   CASE WHEN status <> 'processing'
                        THEN CAST(next_start AS TIMESTAMP) + secs(r_took * (date_diff('second', next_start, next_end) - 7200)) END AS resolved_at,
                   r_status >= 0.7 AS had_supplement
            FROM x
        )
        SELECT next_start, system, 'landing/dossiers/' || next_label || '/' || system || '_' || next_label || '.xlsx', {n} + i + 1,
               dossier_id, procedure_code, procedure_name, field_name, unit_code, channel, online_service_level, received_at,
               due_at, resolved_at,
               CASE WHEN status = 'returned' THEN least(resolved_at + INTERVAL 4 HOUR, CAST(next_end AS TIMESTAMP) - INTERVAL 1 SECOND) END,
               status,
               CASE WHEN status IN ('resolved', 'returned') THEN CASE WHEN channel = 'online' THEN 'online' ELSE 'direct' END END,
               resolved_at > due_at AND r_flag < 0.5,
               fee_required, {flags_a}, supplement_count, supplement_requested_at, supplement_completed_at, {flags_b}
        FROM (SELECT *,
                     CASE WHEN had_supplement THEN 1 ELSE 0 END AS supplement_count,
                     CASE WHEN had_supplement THEN least(received_at + INTERVAL 1 DAY, CAST(m_end AS TIMESTAMP) - INTERVAL 2 SECOND) END
                         AS supplement_requested_at,
                     CASE WHEN had_supplement THEN CAST(next_start AS TIMESTAMP) + INTERVAL 1 HOUR END AS supplement_completed_at
              FROM y) z
    """)
    con.execute("DROP TABLE _d2")
    # -- surveys: ratings of dossiers, mostly satisfied
    con.execute(f"""
        INSERT INTO staging.stg_surveys (month, system, file_path, row_number, response_id, unit_code, dossier_id, rated_at, rating, channel)
        SELECT m.m_start, 'dvc', 'landing/surveys/' || m.label || '/danh_gia_' || m.label || '.xlsx', i + 1,
               'DG' || lpad(CAST(i AS VARCHAR), 9, '0'), 'U' || lpad(CAST(floor(u(i, 40) * {N_UNITS}) + 1 AS VARCHAR), 3, '0'),
               'G' || lpad(CAST(i * 5 // 2 AS VARCHAR), 8, '0'),
               CAST(m.m_start AS TIMESTAMP) + secs(u(i, 41) * (m.m_secs - 60)),
               CASE WHEN u(i, 42) < 0.55 THEN 5 WHEN u(i, 42) < 0.88 THEN 4 WHEN u(i, 42) < 0.96 THEN 3 WHEN u(i, 42) < 0.99 THEN 2 ELSE 1 END,
               CASE WHEN u(i, 43) < 0.6 THEN 'Cổng dịch vụ công' ELSE 'Kiosk' END
        FROM range({n_surveys}) t(i) JOIN _months m ON m.mi = CAST(i * 12 // {n_surveys} AS INTEGER)
    """)
    # -- feedback (PAKN): 10% open at the month end, answered in the next month's export
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _f AS
        SELECT i, m.mi, m.m_start, m.m_end, m.label, 'PA' || lpad(CAST(i AS VARCHAR), 7, '0') AS feedback_id,
               'U' || lpad(CAST(floor(u(i, 50) * {N_UNITS}) + 1 AS VARCHAR), 3, '0') AS unit_code,
               CAST(m.m_start AS TIMESTAMP) + secs(u(i, 51) * (m.m_secs - 86400 * 3)) AS received_at,
               u(i, 52) AS r_status, u(i, 53) < 0.10 AS stays_open
        FROM range({n_feedback}) t(i) JOIN _months m ON m.mi = CAST(i * 12 // {n_feedback} AS INTEGER)
    """)
    fb_cols = "month, system, file_path, row_number, feedback_id, unit_code, received_at, due_at, answered_at, status, published, topic, channel, category, dissatisfied, follow_up_complaint"
    con.execute(f"""
        INSERT INTO staging.stg_feedback ({fb_cols})
        SELECT m_start, 'hcm1022', 'landing/feedback/' || label || '/pakn_' || label || '.xlsx', i + 1, feedback_id, unit_code,
               received_at, received_at + INTERVAL 14 DAY,
               CASE WHEN NOT stays_open THEN least(received_at + secs(u(i, 54) * 16 * 86400), CAST(m_end AS TIMESTAMP) - INTERVAL 1 SECOND) END,
               CASE WHEN stays_open THEN 'open' WHEN r_status < 0.89 THEN 'answered' WHEN r_status < 0.96 THEN 'forwarded' ELSE 'rejected' END,
               u(i, 55) < 0.8, 'Chủ đề ' || (i % 12), 'Cổng 1022', CASE WHEN u(i, 56) < 0.8 THEN 'quy định hành chính' ELSE 'hành vi, thái độ' END,
               u(i, 57) < 0.03, u(i, 58) < 0.01
        FROM _f
        UNION ALL
        SELECT m.m_start, 'hcm1022', 'landing/feedback/' || m.label || '/pakn_' || m.label || '.xlsx', {n_feedback} + i + 1, feedback_id,
               unit_code, received_at, received_at + INTERVAL 14 DAY,
               CAST(m.m_start AS TIMESTAMP) + secs(u(i, 54) * 20 * 86400), 'answered',
               u(i, 55) < 0.8, 'Chủ đề ' || (i % 12), 'Cổng 1022', 'quy định hành chính', u(i, 57) < 0.03, u(i, 58) < 0.01
        FROM _f JOIN _months m ON m.mi = _f.mi + 1
        WHERE stays_open
    """)
    con.execute("DROP TABLE _f")
    # -- documents: 60% incoming, mostly electronic, 1.5% secret
    con.execute(f"""
        INSERT INTO staging.stg_documents (month, system, file_path, row_number, document_id, unit_code, direction, reference_number,
            doc_type, registered_at, form, digitally_signed, secrecy, urgency, processed_online, via_interconnect)
        SELECT m.m_start, 'qlvb', 'landing/documents/' || m.label || '/vanban_' || m.label || '.xlsx', i + 1,
               'VB' || lpad(CAST(i AS VARCHAR), 8, '0'), 'U' || lpad(CAST(floor(u(i, 60) * {N_UNITS}) + 1 AS VARCHAR), 3, '0'),
               CASE WHEN u(i, 61) < 0.6 THEN 'incoming' ELSE 'outgoing' END, (i % 9000) || '/UBND-VP',
               CASE WHEN i % 5 = 0 THEN 'Quyết định' ELSE 'Công văn' END,
               CAST(m.m_start AS TIMESTAMP) + secs(u(i, 62) * (m.m_secs - 60)),
               CASE WHEN u(i, 63) < 0.015 OR u(i, 64) < 0.025 THEN 'paper' ELSE 'electronic' END,
               u(i, 64) >= 0.025 AND u(i, 65) < 0.95,
               CASE WHEN u(i, 63) < 0.015 THEN 'confidential' WHEN u(i, 66) < 0.5 THEN 'normal' END,
               NULL, u(i, 67) < 0.9, u(i, 68) < 0.7
        FROM range({n_documents}) t(i) JOIN _months m ON m.mi = CAST(i * 12 // {n_documents} AS INTEGER)
    """)
    # -- e-mail: every account once a month
    con.execute(f"""
        INSERT INTO staging.stg_email (month, system, file_path, row_number, account_hash, unit_code, role, active_days, sent_count, received_count)
        SELECT m.m_start, 'mail', 'landing/email/' || m.label || '/email_' || m.label || '.xlsx', a + 1, sha256('acct' || a),
               'U' || lpad(CAST(a % {N_UNITS} + 1 AS VARCHAR), 3, '0'), CASE WHEN a % 4 = 0 THEN 'leader' ELSE 'staff' END,
               CAST(floor(u(a * 12 + m.mi, 70) * 23) AS BIGINT), CAST(floor(u(a * 12 + m.mi, 71) * 200) AS BIGINT),
               CAST(floor(u(a * 12 + m.mi, 72) * 400) AS BIGINT)
        FROM range({n_accounts}) t(a) CROSS JOIN _months m
    """)


def ensure_setup(dossiers: int) -> Path:
    """The cached staging-only warehouse for ``dossiers`` (built once, then reused)."""
    from cchc_etl.warehouse import connect, ensure_schema

    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"scoring_{dossiers}.duckdb"
    if path.exists():
        return path
    partial = out / f"scoring_{dossiers}.partial.duckdb"
    partial.unlink(missing_ok=True)
    t = time.perf_counter()
    with connect(partial) as con:
        ensure_schema(con)
        _generate(con, dossiers)
        con.execute("CHECKPOINT")
    partial.rename(path)
    print(f"setup: staged a year of {dossiers:,} dossiers in {time.perf_counter() - t:.1f}s -> {path.relative_to(ROOT)}")
    return path


SCORING = textwrap.dedent(
    f"""
    import datetime as dt, resource, sys, time
    from pathlib import Path
    t_start = time.perf_counter()
    from cchc_etl import build
    from cchc_etl.scoring import score_range
    from cchc_etl.warehouse import connect
    VERSION = "vn-2025.1"
    year = {YEAR}
    months = [dt.date(year, m, 1) for m in range(1, 13)]
    rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stages = {{}}
    with connect(Path(sys.argv[1])) as con:
        print(f"import + connect {{time.perf_counter() - t_start:.2f}}s")
        t = time.perf_counter()
        build.build_dim_date(con)
        stages["dim_date"] = time.perf_counter() - t
        t = time.perf_counter()
        for m in months:
            s = time.perf_counter()
            n = build.build_dossier_month_end(con, m)
            print(f"  month-end {{m:%Y-%m}}: {{n:>10,}} rows {{time.perf_counter() - s:6.2f}}s  peak RSS so far {{rss():6.0f}} MB")
        stages["month_end"] = time.perf_counter() - t
        # what re-scoring the year needs: 12 months, each quarter once, the year once; periods
        # ending at the same month share one pass over the dossiers' history (score_range)
        t = time.perf_counter()
        for r in score_range(con, months, VERSION):
            print(f"  score {{r.period.type:7s}} {{r.period.label:8s}}: {{r.indicator_rows:>6,}} values {{r.score_rows:>5,}} scores"
                  f" {{r.seconds:6.2f}}s  peak RSS so far {{rss():6.0f}} MB")
        stages["score_periods"] = time.perf_counter() - t
        received = con.execute(
            "SELECT numerator FROM marts.indicator_values WHERE period_type = 'year' AND org_level = 'city' "
            "AND indicator_code = 'RPT_RECEIVED'").fetchone()
        on_time = con.execute(
            "SELECT value FROM marts.indicator_values WHERE period_type = 'year' AND org_level = 'city' "
            "AND indicator_code = 'ON_TIME_REPORT'").fetchone()
    print("stages: " + ", ".join(f"{{k}} {{v:.2f}}s" for k, v in stages.items())
          + f"; total in process {{time.perf_counter() - t_start:.2f}}s")
    print(f"check: year, city: RPT_RECEIVED = {{int(received[0]) if received else None:,}}, "
          f"ON_TIME_REPORT = {{on_time[0] if on_time else None}}")
    """
)

ANCHOR = textwrap.dedent(
    f"""
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    con.execute("SET enable_progress_bar = false")
    con.execute("SET TimeZone = 'Asia/Ho_Chi_Minh'")
    t = time.perf_counter()
    con.execute('''
        CREATE TEMP TABLE report AS
        WITH latest AS (
            SELECT unit_code, received_at, due_at, resolved_at, status
            FROM staging.stg_dossiers
            WHERE month <= DATE '{YEAR}-12-01'
            QUALIFY row_number() OVER (PARTITION BY system, dossier_id ORDER BY month DESC, row_number DESC) = 1
        )
        SELECT unit_code, CAST(date_trunc('month', received_at) AS DATE) AS month,
               count(*) AS received,
               count(*) FILTER (WHERE status IN ('resolved', 'returned')) AS resolved,
               count(*) FILTER (WHERE status IN ('resolved', 'returned') AND CAST(resolved_at AS DATE) <= CAST(due_at AS DATE)) AS on_time
        FROM latest
        WHERE received_at >= DATE '{YEAR}-01-01' AND received_at < DATE '{YEAR + 1}-01-01'
        GROUP BY ALL
    ''')
    groups, received, resolved, on_time = con.execute(
        "SELECT count(*), sum(received), sum(resolved), sum(on_time) FROM report").fetchone()
    print(f"anchor: {{groups:,}} (unit, month) groups, received {{received:,}} resolved {{resolved:,}} on time {{on_time:,}} "
          f"in {{time.perf_counter() - t:.2f}}s")
    """
)


def setup_and_describe(dossiers: int) -> Path:
    """Build (or reuse) the cached setup and print what it holds."""
    import duckdb

    t = time.perf_counter()
    setup = ensure_setup(dossiers)
    with duckdb.connect(str(setup), read_only=True) as con:
        counts = {tbl: con.execute(f"SELECT count(*) FROM staging.{tbl}").fetchone()[0]
                  for tbl in ("stg_dossiers", "stg_surveys", "stg_feedback", "stg_documents", "stg_email")}
        distinct = con.execute("SELECT count(DISTINCT dossier_id) FROM staging.stg_dossiers").fetchone()[0]
    print(f"staged (cached, {setup.stat().st_size / 2**20:,.0f} MB): {distinct:,} dossiers in {counts['stg_dossiers']:,} rows; "
          + ", ".join(f"{k} {v:,}" for k, v in counts.items() if k != "stg_dossiers")
          + f"  [{time.perf_counter() - t:.1f}s]")
    return setup


def suite_scoring(dossiers: int, keep: bool = False) -> str:
    import subprocess

    from common import measure, scratch_dir

    # in a child process: Linux keeps ru_maxrss across execve, so a parent that generated the data
    # itself would inflate the peak RSS reported for the measured children
    setup = ROOT / "bench" / "out" / f"scoring_{dossiers}.duckdb"
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "--setup-only", "--dossiers", str(dossiers)], check=True, cwd=ROOT)

    anchor_s, anchor_rss, anchor_out = measure([sys.executable, "-c", ANCHOR, str(setup)])
    print(f"anchor  (plain DuckDB: latest row per dossier + GROUP BY unit, month): {anchor_s:6.2f} s  peak RSS {anchor_rss:7.0f} MB")
    print(textwrap.indent(anchor_out.strip(), "    "))

    with scratch_dir("cchc-bench-scoring-", keep) as work:
        db = work / "warehouse.duckdb"
        t = time.perf_counter()
        shutil.copyfile(setup, db)  # not timed
        print(f"copied the setup warehouse in {time.perf_counter() - t:.1f}s (not timed)")
        score_s, score_rss, score_out = measure([sys.executable, "-c", SCORING, str(db)])
        print(f"scoring (dim_date + 12 month-end facts + 12 months, 4 quarters, year; fresh process): "
              f"{score_s:6.2f} s  peak RSS {score_rss:7.0f} MB")
        print(textwrap.indent(score_out.strip(), "    "))
        verdict = "within" if score_s <= 60 and score_rss <= 3072 else "OVER"
        print(f"budget (<= 60 s, <= 3 GB at 5M dossiers): {verdict}; scoring / anchor = {score_s / anchor_s:.1f}x")
        return f"scoring_s={score_s:.2f} anchor_s={anchor_s:.2f} peak_rss_mb={score_rss:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dossiers", type=int, default=5_000_000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--setup-only", action="store_true", help="build (or reuse) the cached setup and describe it")
    args = parser.parse_args()
    if args.setup_only:
        setup_and_describe(args.dossiers)
        return
    print(suite_scoring(args.dossiers, keep=args.keep))


if __name__ == "__main__":
    main()
