"""Realistic sample landing tree for the CCHC warehouse (no Dagster import).

Three public entry points:

``write_sample_landing(out_dir, start_month, end_month, rows_per_month=2000, seed=7)``
    Writes a landing tree as the input contract (``shared/spec/input-contract.md``) lays
    it out::

        OUT/reference/org_units.csv                       (UTF-8, snake_case header)
        OUT/reference/procedures.xlsx                     (title row, blank row, VN header)
        OUT/reference/holidays.csv                        (BOM, VN header, dd/mm/yyyy, VN kinds)
        OUT/reference/targets.csv                         (snake_case header, VN comparator words)
        OUT/reference/self_assessment.csv                 (BOM, VN header, comma decimals)
        OUT/dossiers/<YYYY-MM>/igate__hoso_<YYYY-MM>.xlsx (one-stop export, VN words)
        OUT/dossiers/<YYYY-MM>/vnpt__export_<YYYY-MM>.csv (national coded values, BOM)
        OUT/surveys/<YYYY-MM>/igate__danhgia_<YYYY-MM>.xlsx   (rating words, date cells, total row)
        OUT/surveys/<YYYY-MM>/vnpt__danhgia_<YYYY-MM>.csv     (snake_case, ratings 1-5, BOM)
        OUT/feedback/<YYYY-MM>/hcm1022__pakn_<YYYY-MM>.xlsx   (PAKN, VN header and words)
        OUT/feedback/<YYYY-MM>/vnpt__pakn_<YYYY-MM>.csv       (snake_case, no BOM, LF)
        OUT/documents/<YYYY-MM>/qlvb__sovanban_<YYYY-MM>.xlsx    (document log, date cells)
        OUT/documents/<YYYY-MM>/ioffice__sovanban_<YYYY-MM>.xlsx (other header aliases, text dates)
        OUT/email/<YYYY-MM>/mailhcm__thongke_<YYYY-MM>.csv    (one row per account, VN header)

    and returns a :class:`SampleManifest` (files, data rows, skipped rows, planted bad rows).
    Every header is a canonical field name or an alias of ``assets/sources/<source>.yaml``.

``write_bench_csv(path, rows=1_000_000, month="2024-01", seed=11, units=None, procedures=None)``
    One large vnpt-style CSV for a single month, vectorised with numpy/pyarrow (no Python
    loop per row). ``write_bench_landing(out_dir, rows, month, seed)`` writes the reference
    files plus ``dossiers/<month>/vnpt__bench.csv`` so that the bench file is loadable.

``write_reference(out_dir, seed)``
    The two reference files (``org_units.csv`` and ``procedures.xlsx``) under
    ``out_dir/reference/``. The catalogue is fixed data (module constants ``ORG_UNITS`` and
    ``PROCEDURES``); ``seed`` is accepted for API symmetry and does not change the content,
    so every sample and bench tree shares the same unit and procedure codes.

How the dossier data is simulated
---------------------------------
Every dossier gets its whole life at creation (submission, reception, due date, supplement
requests, suspension, result, return), and each monthly export is a *snapshot at the end of
the month* of the dossiers that were still open at the end of the previous month plus the
ones submitted during the month. Hence:

* a dossier open (or only ``submitted``) at the end of month M reappears in M+1's export of
  the same system with the same ``dossier_id``/``received_at``/``due_at`` and a state that is
  equal or later; a dossier that reached a terminal state (resolved, returned, rejected,
  withdrawn) in M does not reappear;
* no event timestamp (received, resolved, returned, supplement) is after the end of the
  export month, except in the rows planted on purpose (see below);
* the simulation starts two months before ``start_month`` so that the first export carries a
  realistic backlog of older open dossiers; ``rows_per_month`` is the number of *new*
  dossiers submitted per month over all systems, so a file holds more rows than its share of
  ``rows_per_month`` (the carried-over open dossiers);
* each month has its own random stream (``seed`` + month), so a longer run reproduces the
  shorter run's files byte for byte for the common months (same ``start_month``).

Systems: ``igate`` serves the provincial departments and their land-registry branches
(procedures of level Tỉnh); ``vnpt`` serves districts and communes (Huyện / Xã). Working
hours are 07:30-11:30 and 13:00-17:00 on working days: those of the calendar the sample writes
to ``reference/holidays.csv``, which the warehouse loads, but for the few departures listed in
``worktime`` (make-up Saturdays are not worked, 2/1/2026 is, 31/8/2026 is not).
``due_at`` is computed once at reception from the procedure's statutory time and never
changes, even when a supplement request pauses the processing (the contract's "due_at is
authoritative"); so dossiers with supplements can be late under the provincial *report*
definition and on time under the *index* definition, as in real data.

Rows planted on purpose: each has exactly one problem; a dossier file holds at most one of
each kind and at most one bad row per 15 data rows (tiny files get fewer kinds). They are
recorded in ``SampleManifest.bad_rows`` as ``(row_number, column, problem)``, with the 1-based
physical row number in the file counting title and header rows (a CSV header is row 1). They
are always placed on dossiers received and closed in that month, so they never disturb the
month-to-month continuity of open dossiers:

====================  ===========================  ==========================================
column                problem                      igate value / vnpt value
====================  ===========================  ==========================================
received_at           ``unparseable_date``         ``31/02/YYYY 08:15`` / ``abc``
status                ``unknown_status``           ``Đang chờ ký duyệt`` / ``12``
dossier_id            ``missing_required``         blank
resolved_at           ``resolved_before_received`` 1-3 days before ``received_at``
unit_code             ``unknown_unit``             ``SKHCN`` / ``Q5`` (not in org_units)
returned_at           ``event_after_month_end``    2 days after the end of the month
====================  ===========================  ==========================================

The igate XLSX also holds 3 title rows, a blank separator row, the header row, one fully
blank row in the middle of the data and a final ``Tổng cộng`` total row; it has one vendor
column that is not in the contract (``Ghi chú nội bộ``). ``SampleManifest.skipped_rows``
counts them per file, so ``physical rows = data rows + skipped rows`` and a reader must end
with ``rows read = loaded + quarantined + skipped``.

PII (applicant name, CCCD / tax code, phone) is synthetic but realistic, and present in clear
text: this is the raw landing, the warehouse must hash or drop it at ingest.

The other sources
-----------------
* ``surveys``: about 60% of the dossiers resolved in the month (not the planted bad ones) get
  one rating from the system that exported them, after the result (kiosk at the counter a few
  minutes after the return; web / zalo / sms later), always within the month; about 97% are
  >= 4; a few kiosk ratings carry no dossier id. igate writes the words ("Rất hài lòng" ...),
  vnpt the digits 1-5.
* ``feedback`` (PAKN): ``max(20, rows_per_month // 25)`` new items a month, ``due_at`` = received
  + 10 working days; ~89% answered (7% of them after ``due_at``), 7% forwarded, 4% rejected;
  the items still open at a month end reappear in the next month's export of the same system
  with the same id / received / due and a newer state (the dossiers' snapshot rule; the
  simulation starts one month early for a backlog). Published Có/Không, category "quy định hành
  chính" / "hành vi, thái độ", a few dissatisfied / follow-up complaints. ``hcm1022`` serves the
  departments and land-registry branches, ``vnpt`` the districts and communes.
* ``documents``: ``max(24, rows_per_month // 8)`` documents per system and month (``qlvb``:
  departments and branches, ``ioffice``: districts and communes), 60% incoming; ~97.5% of the
  non-classified ones electronic; 1.5% "Mật" (on paper), the rest blank or "Thường"; one vendor
  column (``Trích yếu``, see ``DOCUMENT_EXTRA_COLUMN``) and a "Tổng số" total row.
* ``email``: every receiving unit has 8-12 official accounts (``nva.stp@tphcm.gov.vn``, the same
  every month; 2-4 leaders), one row per account and month; ``active_days`` is within the
  month's working days (<= 23), leaders mostly active on more than half of them.
* ``reference/holidays.csv``: the years of the sample, from a built-in table for 2022-2026 (SAMPLE
  DATA: plausible, the 2024/2025 Tết breaks and Hùng Kings' days are the official ones, the swaps
  are illustrative), weekdays off (``Nghỉ lễ``, ``Nghỉ bù``) and make-up Saturdays (``Làm bù``).
* ``reference/targets.csv``: the 2022 HCMC plan's targets (shared/seeds/001) repeated for each
  year of the sample. ``target_group`` is a comma-separated list of procedure groups, ``!`` in
  front meaning "all but these"; comparators are the contract's words (``từ`` = >=, ``dưới`` = <,
  ``tăng điểm phần trăm``, ``tỷ lệ đơn vị``).
* ``reference/self_assessment.csv``: a few city / unit rows per year (quarters of the sample's
  months, one month, the year), comma decimals.

The rows planted in the monthly files of these sources: 1-2 per file (2 when it has >= 12 rows),
each with exactly one problem, recorded in the manifest like the dossier ones. The kinds rotate
over months and systems so that a few consecutive files show them all; feedback rows are only
planted on items received and closed in the month (the carried-over ones stay intact):

========  ======================================================================================
source    (column, problem)
========  ======================================================================================
surveys   (rated_at, unparseable_date) ``30/02/YYYY 14:20`` / ``YYYY-02-30T14:20:00``;
          (rating, unknown_rating) ``Tạm được`` / ``6``; (response_id, missing_required);
          (unit_code, unknown_unit); (rated_at, event_after_month_end)
feedback  (received_at, unparseable_date) ``31/02/YYYY 08:45`` / ``YYYY-02-30 08:45:00``;
          (status, unknown_status) ``Chờ phê duyệt``; (feedback_id, missing_required);
          (unit_code, unknown_unit); (answered_at, event_after_month_end)
documents (registered_at, unparseable_date) ``31/04/YYYY 09:30``; (direction, unknown_direction)
          ``Văn bản nội bộ``; (document_id, missing_required); (unit_code, unknown_unit);
          (registered_at, event_after_month_end)
email     (role, unknown_role) ``Thực tập sinh``; (account, missing_required);
          (unit_code, unknown_unit) ``Q5``; (active_days, out_of_range) ``42``
========  ======================================================================================

The bench CSV (``write_bench_csv``) has no bad rows unless ``bad_fraction`` > 0, in which case
that fraction of rows gets ``received_at = "abc"`` (unparseable date); its timestamps are not
snapped to working hours (only received_at is), it is meant for volume, not for realism.

Command line::

    python -m cchc_etl.sample landing 2024-01 2024-06 --rows 2000 --seed 7
    python -m cchc_etl.sample --bench landing_bench --rows 1000000 --month 2024-01

Layout
------
=====================  =====================================================================
module                 holds
=====================  =====================================================================
``catalogue``          the fixed unit and procedure catalogue (``ORG_UNITS``, ``PROCEDURES``)
``dossier_fields``     dossier columns, igate headers, vendor words and codes
``people``             synthetic applicants (names, ids, phones)
``months``             ``YYYY-MM`` labels
``worktime``           working days and hours, due dates
``manifest``           ``SampleManifest``
``xlsx``, ``tables``   deterministic XLSX and CSV writers
``reference``          ``org_units.csv``, ``procedures.xlsx``
``holidays``           the calendar written to ``holidays.csv``
``plan_reference``     ``holidays.csv``, ``targets.csv``, ``self_assessment.csv``
``dossiers``           the dossier simulation
``bad_rows``           rows planted on purpose
``vendors``            the igate and vnpt dossier exports
``surveys``,           the monthly exports of the other sources
``feedback``,
``documents``,
``email_accounts``
``landing``            ``write_sample_landing``
``bench``              ``write_bench_csv``, ``write_bench_landing``
``command``            ``python -m cchc_etl.sample``
=====================  =====================================================================
"""

from __future__ import annotations

from cchc_etl.sample.bench import write_bench_csv, write_bench_landing
from cchc_etl.sample.catalogue import ORG_UNITS, PROCEDURES, OrgUnit, Procedure, active_procedure_codes, receiving_unit_codes
from cchc_etl.sample.command import main
from cchc_etl.sample.common import FIXED_DOC_TIME
from cchc_etl.sample.documents import DOCUMENT_EXTRA_COLUMN, DOCUMENT_FIELDS
from cchc_etl.sample.dossier_fields import DOSSIER_FIELDS, IGATE_EXTRA_COLUMN, IGATE_HEADERS
from cchc_etl.sample.email_accounts import EMAIL_DOMAIN, EMAIL_FIELDS, EMAIL_HEADERS
from cchc_etl.sample.feedback import FEEDBACK_FIELDS
from cchc_etl.sample.holidays import HOLIDAY_HEADERS
from cchc_etl.sample.landing import write_sample_landing
from cchc_etl.sample.manifest import SampleManifest
from cchc_etl.sample.plan_reference import SELF_ASSESSMENT_HEADERS, TARGET_FIELDS
from cchc_etl.sample.reference import write_reference
from cchc_etl.sample.surveys import SURVEY_FIELDS

__all__ = [
    "active_procedure_codes",
    "ORG_UNITS",
    "OrgUnit",
    "Procedure",
    "PROCEDURES",
    "receiving_unit_codes",
    "DOSSIER_FIELDS",
    "IGATE_EXTRA_COLUMN",
    "IGATE_HEADERS",
    "SampleManifest",
    "write_reference",
    "SURVEY_FIELDS",
    "FEEDBACK_FIELDS",
    "DOCUMENT_EXTRA_COLUMN",
    "DOCUMENT_FIELDS",
    "EMAIL_DOMAIN",
    "EMAIL_FIELDS",
    "EMAIL_HEADERS",
    "HOLIDAY_HEADERS",
    "SELF_ASSESSMENT_HEADERS",
    "TARGET_FIELDS",
    "write_sample_landing",
    "write_bench_csv",
    "write_bench_landing",
    "FIXED_DOC_TIME",
    "main",
]
