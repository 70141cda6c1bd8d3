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
hours are 07:30-11:30 and 13:00-17:00 on working days (weekends and a built-in approximation
of public holidays are skipped; this calendar is only the generator's, never the warehouse's).
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
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import random
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from cchc_etl.methodology import load_methodology

__all__ = [
    "SampleManifest",
    "write_sample_landing",
    "write_reference",
    "write_bench_csv",
    "write_bench_landing",
    "ORG_UNITS",
    "PROCEDURES",
    "DOSSIER_FIELDS",
    "IGATE_HEADERS",
    "IGATE_EXTRA_COLUMN",
    "receiving_unit_codes",
    "active_procedure_codes",
    "SURVEY_FIELDS",
    "FEEDBACK_FIELDS",
    "DOCUMENT_FIELDS",
    "DOCUMENT_EXTRA_COLUMN",
    "EMAIL_FIELDS",
]

# Fixed timestamp written into XLSX document properties (and zip entries) so that the same
# seed gives byte-identical files.
FIXED_DOC_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


# ---------------------------------------------------------------------------------------
# Reference data
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgUnit:
    unit_code: str
    name: str
    level: str  # city, department, district, commune, unit
    parent_code: str
    valid_from: str
    valid_to: str = ""
    successor_code: str = ""
    category: str = ""


_VF = "2015-01-01"

ORG_UNITS: tuple[OrgUnit, ...] = tuple(
    OrgUnit(*(_nfc(x) for x in row))
    for row in [
        ("HCM", "Thành phố Hồ Chí Minh", "city", "", _VF, "", "", ""),
        # departments (Sở)
        ("STP", "Sở Tư pháp", "department", "HCM", _VF, "", "", ""),
        ("STNMT", "Sở Tài nguyên và Môi trường", "department", "HCM", _VF, "", "", ""),
        ("SKHDT", "Sở Kế hoạch và Đầu tư", "department", "HCM", _VF, "", "", ""),
        ("SXD", "Sở Xây dựng", "department", "HCM", _VF, "", "", ""),
        ("SCT", "Sở Công Thương", "department", "HCM", _VF, "", "", ""),
        ("SGTVT", "Sở Giao thông vận tải", "department", "HCM", _VF, "", "", ""),
        ("SLDTBXH", "Sở Lao động - Thương binh và Xã hội", "department", "HCM", _VF, "", "", ""),
        ("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn", "department", "HCM", _VF, "", "", ""),
        # land-registry branches under the natural-resources department
        ("VPDK_Q1", "Chi nhánh Văn phòng Đăng ký đất đai Quận 1", "unit", "STNMT", _VF, "", "",
         "land_registry_branch"),
        ("VPDK_Q3", "Chi nhánh Văn phòng Đăng ký đất đai Quận 3", "unit", "STNMT", _VF, "", "",
         "land_registry_branch"),
        ("VPDK_CC", "Chi nhánh Văn phòng Đăng ký đất đai huyện Củ Chi", "unit", "STNMT", _VF, "",
         "", "land_registry_branch"),
        # districts and their communes / wards
        ("Q1", "Quận 1", "district", "HCM", _VF, "", "", "urban_district"),
        ("Q1_BN", "Phường Bến Nghé", "commune", "Q1", _VF, "", "", "ward"),
        ("Q1_BT", "Phường Bến Thành", "commune", "Q1", _VF, "", "", "ward"),
        ("Q1_DK", "Phường Đa Kao", "commune", "Q1", _VF, "", "", "ward"),
        ("Q3", "Quận 3", "district", "HCM", _VF, "", "", "urban_district"),
        ("Q3_VTS", "Phường Võ Thị Sáu", "commune", "Q3", _VF, "", "", "ward"),
        ("Q3_P9", "Phường 9", "commune", "Q3", _VF, "", "", "ward"),
        # historic ward, merged into Phường 9 at the end of 2023 (no dossier references it)
        ("Q3_P12", "Phường 12", "commune", "Q3", _VF, "2023-12-31", "Q3_P9", "ward"),
        ("CC", "Huyện Củ Chi", "district", "HCM", _VF, "", "", "rural_district"),
        ("CC_TT", "Thị trấn Củ Chi", "commune", "CC", _VF, "", "", "town"),
        ("CC_TTD", "Xã Tân Thạnh Đông", "commune", "CC", _VF, "", "", "commune"),
        ("CC_PVA", "Xã Phước Vĩnh An", "commune", "CC", _VF, "", "", "commune"),
    ]
)

_ORG_BY_CODE = {u.unit_code: u for u in ORG_UNITS}
_DEPARTMENTS = [u.unit_code for u in ORG_UNITS if u.level == "department"]
_DISTRICTS = [u.unit_code for u in ORG_UNITS if u.level == "district"]
_COMMUNES = [u.unit_code for u in ORG_UNITS if u.level == "commune" and not u.valid_to]
_LAND_BRANCHES = [u.unit_code for u in ORG_UNITS if u.category == "land_registry_branch"]


@dataclass(frozen=True)
class Procedure:
    procedure_code: str
    name: str
    field_name: str
    level: str  # province / district / commune
    online_service_level: str  # full / partial / none
    full_online_eligible: bool
    fee_required: bool
    result_required: bool
    statutory_days: float
    statutory_unit: str  # working_days / days / hours / months
    target_group: str
    weight: float  # relative monthly volume (generator only, not written)
    owners: tuple[str, ...]  # receiving units (generator only, not written)
    org_applicant: float = 0.0  # share of organisations among applicants
    valid_from: str = _VF
    valid_to: str = ""


def _code(a: int, b: int) -> str:
    return f"{a}.{b:06d}.000.00.00.H29"


_P, _D, _C = "province", "district", "commune"
_F, _PA, _N = "full", "partial", "none"
_WD, _DAYS, _H, _M = "working_days", "days", "hours", "months"
_LB = tuple(_LAND_BRANCHES)
_DI = tuple(_DISTRICTS)
_CO = tuple(_COMMUNES)

PROCEDURES: tuple[Procedure, ...] = tuple(
    Procedure(row[0], _nfc(row[1]), _nfc(row[2]), *row[3:])
    for row in [
        # --- Tư pháp
        (_code(2, 1417), "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam",
         "Lý lịch tư pháp", _P, _F, True, True, True, 10, _WD, "", 6.0, ("STP",)),
        (_code(1, 1193), "Đăng ký khai sinh", "Hộ tịch", _C, _F, True, False, True, 1, _WD, "", 6.0, _CO),
        (_code(1, 894), "Đăng ký kết hôn", "Hộ tịch", _C, _PA, False, False, True, 3, _WD, "", 2.0, _CO),
        (_code(1, 656), "Đăng ký khai tử", "Hộ tịch", _C, _F, True, False, True, 1, _WD, "", 1.5, _CO),
        (_code(2, 908), "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp",
         "Chứng thực", _C, _PA, False, True, True, 8, _H, "", 12.0, _CO),
        (_code(1, 1022), "Cấp bản sao trích lục hộ tịch", "Hộ tịch", _C, _F, True, True, True, 1, _WD, "", 3.0, _CO),
        (_code(1, 1695), "Đăng ký khai sinh có yếu tố nước ngoài", "Hộ tịch", _D, _PA, False, True, True, 15, _WD,
         "", 0.5, _DI),
        (_code(2, 815), "Chứng thực chữ ký trong các giấy tờ, văn bản", "Chứng thực", _D, _N, False, True, True, 1,
         _WD, "", 4.0, _DI),
        # --- Đất đai (land)
        (_code(1, 4227), "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
         "Đất đai", _P, _PA, False, True, True, 10, _WD, "land", 10.0, _LB),
        (_code(1, 3003), "Cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất lần đầu",
         "Đất đai", _P, _PA, False, True, True, 20, _WD, "land", 3.0, _LB),
        (_code(1, 1990), "Đăng ký thế chấp quyền sử dụng đất, tài sản gắn liền với đất",
         "Đăng ký biện pháp bảo đảm", _P, _F, True, True, True, 3, _WD, "land", 8.0, _LB, 0.3),
        (_code(1, 2273), "Xóa đăng ký thế chấp quyền sử dụng đất, tài sản gắn liền với đất",
         "Đăng ký biện pháp bảo đảm", _P, _F, True, True, False, 3, _WD, "land", 5.0, _LB, 0.3),
        (_code(1, 4238), "Cấp đổi Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất",
         "Đất đai", _P, _PA, False, True, True, 7, _WD, "land", 4.0, _LB),
        (_code(1, 4269), "Thẩm định nhu cầu sử dụng đất để xem xét giao đất, cho thuê đất cho tổ chức",
         "Đất đai", _P, _PA, False, False, True, 30, _DAYS, "land", 0.3, ("STNMT",), 1.0),
        (_code(1, 5399), "Cấp giấy phép khai thác, sử dụng nước dưới đất", "Tài nguyên nước", _P, _PA, False, True,
         True, 25, _WD, "", 0.3, ("STNMT",), 0.8),
        (_code(2, 381), "Giao đất, cho thuê đất cho hộ gia đình, cá nhân", "Đất đai", _D, _PA, False, True, True,
         20, _WD, "land", 0.3, _DI),
        # --- Đầu tư / doanh nghiệp (investment)
        (_code(2, 1610), "Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên",
         "Thành lập và hoạt động của doanh nghiệp", _P, _F, True, True, True, 3, _WD, "investment", 6.0,
         ("SKHDT",), 0.9),
        (_code(2, 2017), "Đăng ký thành lập doanh nghiệp tư nhân", "Thành lập và hoạt động của doanh nghiệp", _P,
         _F, True, True, True, 3, _WD, "investment", 1.5, ("SKHDT",)),
        (_code(1, 5077), "Đăng ký thay đổi nội dung đăng ký doanh nghiệp",
         "Thành lập và hoạt động của doanh nghiệp", _P, _F, True, True, True, 3, _WD, "investment", 7.0,
         ("SKHDT",), 0.95),
        (_code(1, 9645), "Cấp Giấy chứng nhận đăng ký đầu tư đối với dự án không thuộc diện chấp thuận chủ trương đầu tư",
         "Đầu tư tại Việt Nam", _P, _PA, False, False, True, 15, _WD, "investment", 0.8, ("SKHDT",), 1.0),
        (_code(1, 9644), "Chấp thuận chủ trương đầu tư của Ủy ban nhân dân cấp tỉnh", "Đầu tư tại Việt Nam", _P,
         _PA, False, False, True, 35, _DAYS, "investment", 0.2, ("SKHDT",), 1.0),
        (_code(2, 575), "Đăng ký thành lập hộ kinh doanh", "Thành lập và hoạt động của hộ kinh doanh", _D, _F,
         True, True, True, 3, _WD, "investment", 6.0, _DI),
        # --- Xây dựng
        (_code(1, 9972), "Cấp giấy phép xây dựng mới đối với công trình cấp I, II", "Hoạt động xây dựng", _P, _PA,
         False, True, True, 20, _WD, "", 0.5, ("SXD",), 0.9),
        (_code(1, 9974), "Thẩm định Báo cáo nghiên cứu khả thi đầu tư xây dựng", "Hoạt động xây dựng", _P, _PA,
         False, True, True, 25, _WD, "investment", 0.3, ("SXD",), 1.0),
        (_code(1, 9994), "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ", "Hoạt động xây dựng", _D, _PA,
         False, True, True, 15, _WD, "", 4.0, _DI),
        # --- Công Thương
        (_code(2, 633), "Cấp Giấy phép bán lẻ sản phẩm rượu", "Lưu thông hàng hóa trong nước", _D, _F, True,
         True, True, 10, _WD, "", 0.5, _DI, 0.5),
        (_code(2, 162), "Cấp Giấy chứng nhận cửa hàng đủ điều kiện bán lẻ xăng dầu", "Kinh doanh khí", _P, _PA,
         False, True, True, 15, _WD, "", 0.3, ("SCT",), 1.0),
        (_code(2, 591), "Cấp Giấy phép kinh doanh bán buôn sản phẩm thuốc lá", "Lưu thông hàng hóa trong nước",
         _P, _F, True, True, True, 15, _WD, "", 0.3, ("SCT",), 1.0),
        # --- Giao thông vận tải
        (_code(1, 2804), "Đổi giấy phép lái xe do ngành Giao thông vận tải cấp", "Đường bộ", _P, _F, True, True,
         True, 5, _WD, "", 12.0, ("SGTVT",)),
        (_code(1, 2820), "Cấp giấy phép lái xe quốc tế", "Đường bộ", _P, _F, True, True, True, 5, _WD, "", 1.5,
         ("SGTVT",)),
        (_code(1, 2861), "Cấp phù hiệu xe ô tô kinh doanh vận tải", "Đường bộ", _P, _F, True, False, True, 2, _WD,
         "", 3.0, ("SGTVT",), 0.8),
        # --- Lao động - Thương binh và Xã hội
        (_code(1, 459), "Cấp giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam", "Việc làm",
         _P, _F, True, True, True, 5, _WD, "investment", 2.0, ("SLDTBXH",), 0.9),
        (_code(1, 1758), "Giải quyết chế độ trợ cấp ưu đãi đối với thân nhân người có công", "Người có công", _P,
         _PA, False, False, True, 12, _WD, "", 0.8, ("SLDTBXH",)),
        (_code(1, 1776), "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hàng tháng", "Bảo trợ xã hội", _C, _PA,
         False, False, True, 15, _WD, "", 1.0, _CO),
        # --- Nông nghiệp và Phát triển nông thôn
        (_code(2, 1827), "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm nông, lâm, thủy sản",
         "Quản lý chất lượng nông lâm sản và thủy sản", _P, _PA, False, True, True, 15, _WD, "", 0.6,
         ("SNNPTNT",), 0.9),
        (_code(1, 3619), "Cấp chứng chỉ hành nghề thú y", "Thú y", _P, _F, True, True, True, 5, _WD, "", 0.3,
         ("SNNPTNT",)),
        # --- Khiếu nại, tố cáo (complaints)
        (_code(2, 2409), "Giải quyết khiếu nại lần đầu tại cấp huyện", "Giải quyết khiếu nại", _D, _N, False,
         False, True, 30, _DAYS, "complaints", 0.3, _DI),
        (_code(2, 2410), "Giải quyết khiếu nại lần đầu tại cấp xã", "Giải quyết khiếu nại", _C, _N, False, False,
         True, 30, _DAYS, "complaints", 0.2, _CO),
        (_code(2, 2411), "Giải quyết tố cáo tại cấp huyện", "Giải quyết tố cáo", _D, _N, False, False, True, 2,
         _M, "complaints", 0.1, _DI),
        (_code(2, 2412), "Giải quyết khiếu nại lần đầu của Giám đốc Sở Tài nguyên và Môi trường",
         "Giải quyết khiếu nại", _P, _N, False, False, True, 30, _DAYS, "complaints", 0.2, ("STNMT",)),
        # --- abolished procedure (history only, no dossier uses it)
        (_code(1, 999), "Cấp Giấy xác nhận tình trạng hôn nhân (mẫu cũ)", "Hộ tịch", _C, _PA, False, False,
         True, 3, _WD, "", 0.0, _CO, 0.0, _VF, "2023-06-30"),
    ]
)

_ACTIVE_PROCS = [p for p in PROCEDURES if p.weight > 0 and not p.valid_to]


def receiving_unit_codes() -> list[str]:
    """Unit codes that receive dossiers in the samples (departments, branches, districts, communes)."""
    return _DEPARTMENTS + _LAND_BRANCHES + _DISTRICTS + _COMMUNES


def active_procedure_codes() -> list[str]:
    """Procedure codes used by the sample dossiers (in force, non-zero volume)."""
    return [p.procedure_code for p in _ACTIVE_PROCS]


# ---------------------------------------------------------------------------------------
# Dossier columns
# ---------------------------------------------------------------------------------------

# canonical field order (assets/sources/dossiers.yaml)
DOSSIER_FIELDS: tuple[str, ...] = (
    "dossier_id", "procedure_code", "procedure_name", "field_name", "unit_code", "channel",
    "online_service_level", "received_at", "due_at", "resolved_at", "returned_at", "status",
    "result_channel", "apology_sent", "fee_required", "paid_online", "digitized_input",
    "digitized_result", "synced_national_portal", "supplement_count", "supplement_requested_at",
    "supplement_completed_at", "e_result", "data_reused", "citizen_store_linked",
    "population_data_used", "applicant_name", "applicant_id", "applicant_phone",
)

# igate: (field, Vietnamese header, cell kind)
#   text | word (enum as Vietnamese word) | bool (Có/Không) | int
#   dt_cell (real Excel datetime cell) | dt_str ("dd/mm/yyyy HH:MM" text) | url (non-empty = yes)
_IGATE_COLUMNS: tuple[tuple[str, str, str], ...] = tuple(
    (f, _nfc(h), k)
    for f, h, k in [
        ("dossier_id", "Mã hồ sơ", "text"),
        ("procedure_code", "Mã thủ tục", "text"),
        ("procedure_name", "Tên thủ tục", "text"),
        ("field_name", "Lĩnh vực", "text"),
        ("unit_code", "Mã đơn vị", "text"),
        ("channel", "Kênh nộp", "word"),
        ("online_service_level", "Mức độ DVC", "word"),
        ("received_at", "Ngày tiếp nhận", "dt_str"),
        ("due_at", "Hạn xử lý", "dt_cell"),
        ("resolved_at", "Ngày có kết quả", "dt_cell"),
        ("returned_at", "Ngày trả kết quả", "dt_str"),
        ("status", "Trạng thái", "word"),
        ("result_channel", "Hình thức trả kết quả", "word"),
        ("apology_sent", "Thư xin lỗi", "bool"),
        ("fee_required", "Có phí/lệ phí", "bool"),
        ("paid_online", "Thanh toán trực tuyến", "bool"),
        ("digitized_input", "Số hóa thành phần hồ sơ", "bool"),
        ("digitized_result", "Số hóa kết quả", "bool"),
        ("synced_national_portal", "Đồng bộ Cổng DVC quốc gia", "bool"),
        ("supplement_count", "Số lần yêu cầu bổ sung", "int"),
        ("supplement_requested_at", "Ngày yêu cầu bổ sung", "dt_cell"),
        ("supplement_completed_at", "Ngày công dân bổ sung", "dt_str"),
        ("e_result", "Đường dẫn tệp kết quả", "url"),
        ("data_reused", "Tái sử dụng dữ liệu số hóa", "bool"),
        ("citizen_store_linked", "Lấy từ kho dữ liệu điện tử của tổ chức, cá nhân", "bool"),
        ("population_data_used", "Xác thực VNeID", "bool"),
        ("applicant_name", "Họ tên người nộp", "text"),
        ("applicant_id", "Số CMND/CCCD", "text"),
        ("applicant_phone", "Số điện thoại", "text"),
    ]
)
IGATE_HEADERS: dict[str, str] = {f: h for f, h, _ in _IGATE_COLUMNS}
IGATE_EXTRA_COLUMN = _nfc("Ghi chú nội bộ")

_WORDS: dict[str, dict[str, str]] = {
    "channel": {"direct": "Trực tiếp", "online": "Trực tuyến", "postal": "Bưu chính công ích"},
    "result_channel": {"direct": "Trực tiếp", "online": "Trực tuyến", "postal": "Bưu chính công ích"},
    "online_service_level": {"full": "Toàn trình", "partial": "Một phần", "none": ""},
    "status": {
        "submitted": "Chờ tiếp nhận",
        "processing": "Đang xử lý",
        "awaiting_supplement": "Chờ bổ sung",
        "suspended": "Tạm dừng",
        "resolved": "Đã có kết quả",
        "returned": "Đã trả kết quả",
        "rejected": "Từ chối",
        "withdrawn": "Công dân rút hồ sơ",
    },
}
_WORDS = {k: {a: _nfc(b) for a, b in v.items()} for k, v in _WORDS.items()}
_CODES: dict[str, dict[str, str]] = {
    "channel": {"direct": "1", "online": "2", "postal": "3"},
    "result_channel": {"direct": "1", "online": "2", "postal": "3"},
    "online_service_level": {"full": "4", "partial": "3", "none": "2"},
}
_OPEN = ("processing", "awaiting_supplement", "suspended")
_TERMINAL = ("resolved", "returned", "rejected", "withdrawn")

_IGATE_NOTES = [_nfc(s) for s in [
    "Đã liên hệ công dân qua điện thoại", "Chuyển phòng chuyên môn", "Hồ sơ liên thông",
    "Chờ ý kiến cơ quan phối hợp", "Đã nhắc hạn", "Kiểm tra lại thành phần hồ sơ",
]]

# ---------------------------------------------------------------------------------------
# Applicants (synthetic PII)
# ---------------------------------------------------------------------------------------

_FAMILY = [_nfc(s) for s in [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
    "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh", "Lâm", "Mai",
]]
_FAMILY_W = [38, 11, 9, 7, 4, 5, 4, 3, 4, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1]
_MIDDLE_M = [_nfc(s) for s in ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Hoàng", "Gia", "Tuấn"]]
_MIDDLE_F = [_nfc(s) for s in ["Thị", "Ngọc", "Thị Thu", "Thị Kim", "Thanh", "Minh", "Thị Mỹ", "Bảo", "Thùy", "Hoài"]]
_GIVEN_M = [_nfc(s) for s in [
    "An", "Bình", "Cường", "Dũng", "Hải", "Hiếu", "Hùng", "Khánh", "Long", "Nam", "Phong",
    "Phúc", "Quân", "Quang", "Sơn", "Tâm", "Thắng", "Trung", "Tuấn", "Vinh", "Khoa", "Đạt",
]]
_GIVEN_F = [_nfc(s) for s in [
    "Anh", "Châu", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Ngân", "Nhung",
    "Oanh", "Phương", "Quyên", "Thảo", "Trang", "Tuyết", "Vy", "Yến", "Hằng", "Thủy",
]]
_ORG_FORMS = [_nfc(s) for s in ["Công ty TNHH", "Công ty Cổ phần", "Công ty TNHH MTV", "Doanh nghiệp tư nhân"]]
_ORG_WORDS = [_nfc(s) for s in [
    "Thương mại Dịch vụ", "Xây dựng", "Đầu tư", "Sản xuất", "Công nghệ", "Xuất nhập khẩu",
    "Vận tải", "Thực phẩm", "Bất động sản", "Tư vấn",
]]
_ORG_NAMES = [_nfc(s) for s in [
    "Phú Thịnh", "Sài Gòn Xanh", "Hưng Phát", "Minh Long", "Đại Nam", "Tân Tiến", "Bến Thành",
    "An Khang", "Việt Hưng", "Phương Đông", "Hòa Bình", "Nam Việt", "Thành Công", "Kim Ngân",
]]


def _person(rng: random.Random) -> tuple[str, str, str]:
    female = rng.random() < 0.5
    fam = rng.choices(_FAMILY, _FAMILY_W)[0]
    mid = rng.choice(_MIDDLE_F if female else _MIDDLE_M)
    giv = rng.choice(_GIVEN_F if female else _GIVEN_M)
    year = rng.randint(1950, 2005)
    century_gender = (0 if year < 2000 else 2) + (1 if female else 0)
    province = "079" if rng.random() < 0.75 else rng.choice(["001", "031", "048", "052", "074", "075", "080", "083"])
    cccd = f"{province}{century_gender}{year % 100:02d}{rng.randrange(10**6):06d}"
    return f"{fam} {mid} {giv}", cccd, _phone(rng)


def _organisation(rng: random.Random) -> tuple[str, str, str]:
    name = f"{rng.choice(_ORG_FORMS)} {rng.choice(_ORG_WORDS)} {rng.choice(_ORG_NAMES)}"
    tax = f"03{rng.randrange(10**8):08d}"
    return name, tax, _phone(rng)


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.04:
        return ""
    return f"09{rng.randrange(10**8):08d}"


# ---------------------------------------------------------------------------------------
# Calendar helpers (generator-only approximation of the Vietnamese working calendar)
# ---------------------------------------------------------------------------------------

_HOLIDAY_RANGES = [
    ("2022-01-01", "2022-01-03"), ("2022-01-29", "2022-02-06"), ("2022-04-10", "2022-04-11"),
    ("2022-04-30", "2022-05-03"), ("2022-09-01", "2022-09-04"),
    ("2023-01-01", "2023-01-02"), ("2023-01-20", "2023-01-26"), ("2023-04-29", "2023-05-03"),
    ("2023-09-01", "2023-09-04"),
    ("2024-01-01", "2024-01-01"), ("2024-02-08", "2024-02-14"), ("2024-04-18", "2024-04-18"),
    ("2024-04-27", "2024-05-01"), ("2024-08-31", "2024-09-03"),
    ("2025-01-01", "2025-01-01"), ("2025-01-25", "2025-02-02"), ("2025-04-07", "2025-04-07"),
    ("2025-04-30", "2025-05-04"), ("2025-08-30", "2025-09-02"),
    ("2026-01-01", "2026-01-01"), ("2026-02-14", "2026-02-22"), ("2026-04-26", "2026-04-27"),
    ("2026-04-30", "2026-05-03"), ("2026-08-29", "2026-09-02"),
]


def _build_holidays() -> frozenset[dt.date]:
    out: set[dt.date] = set()
    for a, b in _HOLIDAY_RANGES:
        d, e = dt.date.fromisoformat(a), dt.date.fromisoformat(b)
        while d <= e:
            out.add(d)
            d += dt.timedelta(days=1)
    for y in range(2015, 2036):  # fixed-date holidays for the years not listed above
        for m, d in ((1, 1), (4, 30), (5, 1), (9, 2)):
            out.add(dt.date(y, m, d))
    return frozenset(out)


_HOLIDAYS = _build_holidays()
_HOLIDAYS_NP = np.array(sorted(_HOLIDAYS), dtype="datetime64[D]")

_AM0, _AM1 = dt.time(7, 30), dt.time(11, 30)
_PM0, _PM1 = dt.time(13, 0), dt.time(17, 0)


def _is_workday(d: dt.date) -> bool:
    return d.weekday() < 5 and d not in _HOLIDAYS


def _next_workday(d: dt.date) -> dt.date:
    d += dt.timedelta(days=1)
    while not _is_workday(d):
        d += dt.timedelta(days=1)
    return d


def _snap(t: dt.datetime, rng: random.Random | None = None) -> dt.datetime:
    """Move ``t`` forward into working hours; when moved, add a little jitter."""
    d, tt = t.date(), t.time()
    if not _is_workday(d):
        while not _is_workday(d):
            d += dt.timedelta(days=1)
        out = dt.datetime.combine(d, _AM0)
    elif tt < _AM0:
        out = dt.datetime.combine(d, _AM0)
    elif _AM1 <= tt < _PM0:
        out = dt.datetime.combine(d, _PM0)
    elif tt >= _PM1:
        out = dt.datetime.combine(_next_workday(d), _AM0)
    else:
        return t
    if rng is not None:
        out += dt.timedelta(seconds=rng.randrange(5 * 60, 100 * 60))
    return out


def _add_working_days(t: dt.datetime, n: int) -> dt.datetime:
    d = t.date()
    for _ in range(int(n)):
        d = _next_workday(d)
    return dt.datetime.combine(d, t.time())


def _add_working_hours(t: dt.datetime, hours: float) -> dt.datetime:
    t = _snap(t)
    remaining = dt.timedelta(hours=hours)
    while True:
        end = dt.datetime.combine(t.date(), _AM1 if t.time() < _AM1 else _PM1)
        left = end - t
        if remaining <= left:
            return t + remaining
        remaining -= left
        t = _snap(end + dt.timedelta(seconds=1))
        t = t.replace(second=0, microsecond=0)


def _roll_forward(t: dt.datetime) -> dt.datetime:
    d = t.date()
    while not _is_workday(d):
        d += dt.timedelta(days=1)
    return dt.datetime.combine(d, t.time())


def _add_months(t: dt.datetime, n: int) -> dt.datetime:
    y, m = divmod(t.month - 1 + n, 12)
    y, m = t.year + y, m + 1
    day = min(t.day, calendar.monthrange(y, m)[1])
    return t.replace(year=y, month=m, day=day)


def _due(recv: dt.datetime, p: Procedure) -> dt.datetime:
    if p.statutory_unit == _WD:
        return _add_working_days(recv, int(p.statutory_days))
    if p.statutory_unit == _DAYS:
        return _roll_forward(recv + dt.timedelta(days=p.statutory_days))
    if p.statutory_unit == _H:
        return _add_working_hours(recv, p.statutory_days)
    return _roll_forward(_add_months(recv, int(p.statutory_days)))


# months ---------------------------------------------------------------------------------


def _parse_month(s: str) -> tuple[int, int]:
    try:
        y, m = s.split("-")
        y_i, m_i = int(y), int(m)
        if len(y) != 4 or len(m) != 2 or not 1 <= m_i <= 12:
            raise ValueError
    except ValueError:
        raise ValueError(f"month must be 'YYYY-MM', got {s!r}") from None
    return y_i, m_i


def _shift_month(s: str, n: int) -> str:
    y, m = _parse_month(s)
    y, m0 = divmod(y * 12 + m - 1 + n, 12)
    return f"{y:04d}-{m0 + 1:02d}"


def _month_range(start: str, end: str) -> list[str]:
    _parse_month(start)
    _parse_month(end)
    if end < start:
        raise ValueError(f"end_month {end} is before start_month {start}")
    out, m = [], start
    while m <= end:
        out.append(m)
        m = _shift_month(m, 1)
    return out


def _month_bounds(s: str) -> tuple[dt.datetime, dt.datetime]:
    y, m = _parse_month(s)
    last = calendar.monthrange(y, m)[1]
    return dt.datetime(y, m, 1), dt.datetime(y, m, last, 23, 59, 59)


# ---------------------------------------------------------------------------------------
# Manifest
# ---------------------------------------------------------------------------------------


@dataclass
class SampleManifest:
    """What ``write_sample_landing`` wrote.

    ``files``: paths relative to ``out_dir`` (posix), reference files first.
    ``data_rows[file]``: data rows written, planted bad rows included.
    ``bad_rows[file]``: ``(row_number, column, problem)`` for the rows planted on purpose;
    ``row_number`` is the 1-based physical row in the file (title and header rows counted).
    ``skipped_rows[file]``: ``{"title": n, "header": n, "blank": n, "total": n}``.
    ``physical_rows(file) == data_rows[file] + skipped_total(file)``.
    """

    out_dir: Path
    months: list[str]
    files: list[str] = field(default_factory=list)
    data_rows: dict[str, int] = field(default_factory=dict)
    bad_rows: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)
    skipped_rows: dict[str, dict[str, int]] = field(default_factory=dict)
    seed: int = 0
    rows_per_month: int = 0

    def skipped_total(self, file: str) -> int:
        return sum(self.skipped_rows.get(file, {}).values())

    def physical_rows(self, file: str) -> int:
        return self.data_rows[file] + self.skipped_total(file)

    def dossier_files(self, month: str | None = None) -> list[str]:
        return self.source_files("dossiers", month)

    def source_files(self, source: str, month: str | None = None) -> list[str]:
        """Files of one monthly source (``dossiers``, ``surveys``, ...), optionally of one month;
        for ``reference`` the reference files."""
        pre = f"{source}/" + (f"{month}/" if month else "")
        return [f for f in self.files if f.startswith(pre)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "out_dir": str(self.out_dir),
            "months": list(self.months),
            "seed": self.seed,
            "rows_per_month": self.rows_per_month,
            "files": list(self.files),
            "data_rows": dict(self.data_rows),
            "bad_rows": {k: [list(r) for r in v] for k, v in self.bad_rows.items()},
            "skipped_rows": {k: dict(v) for k, v in self.skipped_rows.items()},
        }

    def _add(self, rel: str, data: int, skipped: dict[str, int], bad: list[tuple[int, str, str]] | None = None):
        self.files.append(rel)
        self.data_rows[rel] = data
        self.skipped_rows[rel] = {k: skipped.get(k, 0) for k in ("title", "header", "blank", "total")}
        self.bad_rows[rel] = list(bad or [])


# ---------------------------------------------------------------------------------------
# Deterministic XLSX
# ---------------------------------------------------------------------------------------


def _save_workbook_deterministic(wb, path: Path) -> None:
    """Save an openpyxl workbook with fixed document properties and zip timestamps."""
    from openpyxl.writer.excel import ExcelWriter

    wb.properties.creator = "cchc_etl.sample"
    wb.properties.lastModifiedBy = "cchc_etl.sample"
    wb.properties.created = FIXED_DOC_TIME
    wb.properties.modified = FIXED_DOC_TIME
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()  # unlike save_workbook(), does not reset 'modified'
    raw.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, src.read(info.filename))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())


# ---------------------------------------------------------------------------------------
# Reference writers
# ---------------------------------------------------------------------------------------

_ORG_HEADER = ("unit_code", "name", "level", "parent_code", "valid_from", "valid_to", "successor_code", "category")

_PROC_HEADERS = [_nfc(h) for h in [
    "Mã thủ tục", "Tên thủ tục", "Lĩnh vực", "Cấp thực hiện", "Mức độ DVC", "Đủ điều kiện toàn trình",
    "Có phí/lệ phí", "Có kết quả bằng văn bản", "Thời hạn giải quyết", "Đơn vị thời hạn", "Nhóm chỉ tiêu",
    "Hiệu lực từ", "Hiệu lực đến",
]]
_PROC_LEVEL_WORD = {_P: "Tỉnh", _D: "Huyện", _C: "Xã"}
_PROC_ONLINE_WORD = {_F: "Toàn trình", _PA: "Một phần", _N: "Không"}
_PROC_UNIT_WORD = {_WD: "Ngày làm việc", _DAYS: "Ngày", _H: "Giờ", _M: "Tháng"}


def _yn(b: bool) -> str:
    return _nfc("Có") if b else _nfc("Không")


def _write_reference(out_dir: Path, seed: int, manifest: SampleManifest | None = None) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    ref = Path(out_dir) / "reference"
    ref.mkdir(parents=True, exist_ok=True)

    # org_units.csv: UTF-8 (no BOM), canonical header, ISO dates
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(_ORG_HEADER)
    for u in ORG_UNITS:
        w.writerow([u.unit_code, u.name, u.level, u.parent_code, u.valid_from, u.valid_to,
                    u.successor_code, u.category])
    (ref / "org_units.csv").write_bytes(buf.getvalue().encode("utf-8"))
    if manifest is not None:
        manifest._add("reference/org_units.csv", len(ORG_UNITS), {"header": 1})

    # procedures.xlsx: title row, blank row, Vietnamese header, words for values
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh muc TTHC"
    ws.append([_nfc("DANH MỤC THỦ TỤC HÀNH CHÍNH")])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    ws.append(_PROC_HEADERS)
    for c in ws[3]:
        c.font = Font(bold=True)
    for p in PROCEDURES:
        vf = dt.datetime.fromisoformat(p.valid_from)
        vt = dt.datetime.fromisoformat(p.valid_to) if p.valid_to else None
        days: float | int = int(p.statutory_days) if float(p.statutory_days).is_integer() else p.statutory_days
        ws.append([
            p.procedure_code, p.name, p.field_name, _nfc(_PROC_LEVEL_WORD[p.level]),
            _nfc(_PROC_ONLINE_WORD[p.online_service_level]), _yn(p.full_online_eligible), _yn(p.fee_required),
            _yn(p.result_required), days, _nfc(_PROC_UNIT_WORD[p.statutory_unit]), p.target_group, vf, vt,
        ])
        r = ws.max_row
        ws.cell(r, 12).number_format = "dd/mm/yyyy"
        if vt is not None:
            ws.cell(r, 13).number_format = "dd/mm/yyyy"
    for col, width in zip("ABCDEFGHIJKLM", (24, 70, 34, 12, 12, 12, 10, 12, 10, 14, 12, 12, 12)):
        ws.column_dimensions[col].width = width
    _save_workbook_deterministic(wb, ref / "procedures.xlsx")
    if manifest is not None:
        manifest._add("reference/procedures.xlsx", len(PROCEDURES), {"title": 1, "blank": 1, "header": 1})


def write_reference(out_dir: str | Path, seed: int = 7) -> None:
    """Write ``out_dir/reference/org_units.csv`` and ``out_dir/reference/procedures.xlsx``.

    The content is fixed (``ORG_UNITS``, ``PROCEDURES``); ``seed`` does not change it."""
    _write_reference(Path(out_dir), seed)


# ---------------------------------------------------------------------------------------
# Dossier simulation
# ---------------------------------------------------------------------------------------


@dataclass
class _Dossier:
    system: str
    unit: str
    proc: Procedure
    channel: str
    submitted_at: dt.datetime
    received_at: dt.datetime
    due_at: dt.datetime
    outcome: str | None  # resolved / rejected / withdrawn / None (still open at the horizon)
    term_at: dt.datetime | None
    returned_at: dt.datetime | None
    supplements: list[tuple[dt.datetime, dt.datetime | None]]
    suspension: tuple[dt.datetime, dt.datetime | None, str] | None  # (start, end, vnpt code)
    apology_at: dt.datetime | None
    result_channel: str
    paid_online: bool
    digitized_input: bool
    digitized_result: bool
    synced: bool
    e_result: bool
    data_reused: bool
    citizen_store: bool
    population_data: bool
    applicant: tuple[str, str, str]
    note: str
    early_code2: float  # share of the processing span during which vnpt shows code 2 ("received")
    dossier_id: str = ""


def _system_of(p: Procedure) -> str:
    return "igate" if p.level == _P else "vnpt"


_UNIT_NUM = {code: 10 + i for i, code in enumerate(receiving_unit_codes())}


def _pick_channel(rng: random.Random, p: Procedure) -> str:
    p_online = {_F: 0.62, _PA: 0.4, _N: 0.0}[p.online_service_level]
    if rng.random() < p_online:
        return "online"
    return "postal" if rng.random() < 0.09 else "direct"


def _work_moment(rng: random.Random, days: list[dt.date]) -> dt.datetime:
    d = rng.choice(days)
    if d.weekday() == 5:  # Saturday morning at a one-stop desk
        minute = rng.randrange(240)
    else:
        minute = rng.randrange(480) if rng.random() < 0.85 else rng.randrange(120, 360)
    base = dt.datetime.combine(d, _AM0) if minute < 240 else dt.datetime.combine(d, _PM0)
    return base + dt.timedelta(minutes=minute % 240, seconds=rng.randrange(60))


def _citizen_lag(rng: random.Random) -> dt.timedelta:
    r = rng.random()
    if r < 0.7:
        days = rng.uniform(0.5, 5)
    elif r < 0.95:
        days = rng.uniform(5, 14)
    else:
        days = rng.uniform(14, 30)
    return dt.timedelta(days=days)


def _new_dossiers(month: str, n: int, seed: int) -> list[_Dossier]:
    rng = random.Random(f"cchc-sample:{seed}:{month}")
    m0, m1 = _month_bounds(month)
    all_days = [m0.date() + dt.timedelta(days=i) for i in range(m1.day)]
    workdays = [d for d in all_days if _is_workday(d)]
    saturdays = [d for d in all_days if d.weekday() == 5 and d not in _HOLIDAYS]
    weights = [p.weight for p in _ACTIVE_PROCS]
    out: list[_Dossier] = []
    for _ in range(n):
        p = rng.choices(_ACTIVE_PROCS, weights)[0]
        system = _system_of(p)
        unit = rng.choice(p.owners)
        channel = _pick_channel(rng, p)
        if channel == "online":
            d = rng.choice(all_days)
            hour = rng.choices(range(24), [1, 1, 1, 1, 1, 2, 4, 6, 9, 10, 10, 9, 7, 7, 9, 9, 9, 8, 7, 7,
                                           7, 6, 4, 2])[0]
            submitted = dt.datetime.combine(d, dt.time(hour, rng.randrange(60), rng.randrange(60)))
            received = _snap(submitted + dt.timedelta(minutes=rng.randrange(10, 360)), rng)
        else:
            # a few district/commune desks also open on Saturday morning
            sat = system == "vnpt" and bool(saturdays) and rng.random() < 0.04
            received = _work_moment(rng, saturdays if sat else workdays)
            submitted = received
        due = _due(received, p)
        span = due - received

        supplements: list[tuple[dt.datetime, dt.datetime | None]] = []
        suspension = None
        outcome: str | None
        r = rng.random()
        if r < (0.035 if channel == "online" else 0.012):
            outcome = "rejected"
            term = _snap(received + min(span, dt.timedelta(days=2)) * rng.uniform(0.05, 0.6), rng)
        elif r < 0.055:
            outcome = "withdrawn"
            term = _snap(received + span * rng.uniform(0.1, 0.8), rng)
        else:
            # a few dossiers get stuck (resolved months late), most finish well before the due date
            stuck = r < 0.059
            outcome = "resolved"
            late = stuck or rng.random() < 0.006
            if stuck:
                f = rng.uniform(2.0, 5.0)
            elif late:
                f = rng.uniform(1.05, 1.8)
            else:
                f = min(0.97, rng.betavariate(2.8, 2.0))
            # simple same-day/next-day procedures rarely need a supplement
            short = span < dt.timedelta(days=2)
            k = rng.choices((0, 1, 2), (0.97, 0.027, 0.003) if short else (0.86, 0.12, 0.02))[0]
            marks = sorted(rng.uniform(0.1, 0.85) for _ in range(k))
            susp_mark = rng.uniform(0.2, 0.8) if rng.random() < (0.005 if short else 0.03) else None
            # Most interrupted dossiers still fit in the fixed due date (the officer hurries,
            # the citizen answers quickly); the others overrun it (report-late, index on time).
            fit = (k or susp_mark is not None) and not late and rng.random() < 0.88
            if fit:
                f *= 0.55
            officer = span * f + (dt.timedelta(days=rng.uniform(10, 60)) if stuck else dt.timedelta())
            n_pauses = max(1, k + (susp_mark is not None))

            def pause() -> dt.timedelta:
                if fit:
                    return span * (rng.uniform(0.03, 0.3) / n_pauses)
                return _citizen_lag(rng)

            t, used, term = received, 0.0, None
            events = [("s", a) for a in marks] + ([("p", susp_mark)] if susp_mark is not None else [])
            events.sort(key=lambda e: e[1])
            for kind, a in events:
                t = _snap(t + officer * (a - used), rng)
                used = a
                if kind == "s":
                    if rng.random() < 0.05:  # the citizen never answers: closed as withdrawn later
                        supplements.append((t, None))
                        outcome = "withdrawn"
                        term = _snap(t + dt.timedelta(days=rng.uniform(30, 60)), rng)
                        break
                    done = t + pause()
                    done = _snap(done, rng) if channel != "online" else done
                    supplements.append((t, done))
                    t = done
                else:
                    code = "6" if (p.fee_required and rng.random() < 0.5) else "8"
                    if fit:
                        length = pause()
                    elif rng.random() < 0.2:
                        length = dt.timedelta(days=rng.uniform(20, 60))
                    else:
                        length = dt.timedelta(days=rng.uniform(1, 12))
                    end = _snap(t + length, rng)
                    suspension = (t, end, code)
                    t = end
            if outcome == "resolved":
                term = _snap(t + officer * (1 - used), rng)
                if fit and term > due and t < due:  # the officer makes it on the last day
                    term = t + (due - t) * rng.uniform(0.3, 0.9)
                    snapped = _snap(term, rng)
                    term = snapped if snapped <= due else term

        returned = None
        if outcome == "resolved" and term is not None and rng.random() < 0.88:
            if channel == "online" and rng.random() < 0.7:
                returned = term + dt.timedelta(minutes=rng.randrange(1, 180))
            else:
                returned = _snap(_add_working_days(term, rng.choice((0, 0, 1, 1, 2, 3, 5))) +
                                 dt.timedelta(minutes=rng.randrange(0, 120)), rng)
            if returned < term:
                returned = term
        apology = None
        if outcome == "resolved" and term is not None and term > due and rng.random() < 0.85:
            apology = max(received, due - dt.timedelta(hours=rng.uniform(0, 24)))

        if channel == "online":
            result_channel = rng.choices(["online", "direct", "postal"], [0.5, 0.44, 0.06])[0]
        elif channel == "postal":
            result_channel = rng.choices(["postal", "direct"], [0.8, 0.2])[0]
        else:
            result_channel = rng.choices(["direct", "postal", "online"], [0.85, 0.12, 0.03])[0]
        org = rng.random() < p.org_applicant
        applicant = _organisation(rng) if org else _person(rng)
        out.append(_Dossier(
            system=system, unit=unit, proc=p, channel=channel, submitted_at=submitted,
            received_at=received, due_at=due, outcome=outcome,
            term_at=term if outcome is not None else None, returned_at=returned,
            supplements=supplements, suspension=suspension, apology_at=apology,
            result_channel=result_channel,
            paid_online=p.fee_required and channel == "online" and rng.random() < 0.7,
            digitized_input=rng.random() < 0.86,
            digitized_result=rng.random() < 0.72,
            synced=rng.random() < 0.95,
            e_result=rng.random() < (0.8 if channel == "online" else 0.4),
            data_reused=rng.random() < (0.35 if channel == "online" else 0.12),
            citizen_store=rng.random() < (0.18 if channel == "online" else 0.03),
            population_data=rng.random() < (0.45 if channel == "online" else 0.2),
            applicant=applicant,
            note=rng.choice(_IGATE_NOTES) if rng.random() < 0.05 else "",
            early_code2=rng.uniform(0.0, 0.25),
        ))
    out.sort(key=lambda d: (d.submitted_at, d.system, d.unit))
    # dossier numbers: per system, unit and submission day, in submission order
    seq: dict[tuple[str, str, dt.date], int] = {}
    for d in out:
        key = (d.system, d.unit, d.submitted_at.date())
        seq[key] = seq.get(key, 0) + 1
        day = d.submitted_at.strftime("%y%m%d")
        num = _UNIT_NUM[d.unit]
        if d.system == "igate":
            d.dossier_id = f"H29.{num}-{day}-{seq[key]:04d}"
        else:
            d.dossier_id = f"000.00.{num}.H29-{day}-{seq[key]:04d}"
    return out


def _snapshot(d: _Dossier, T: dt.datetime) -> dict[str, Any] | None:
    """Canonical state of ``d`` as exported at ``T`` (None when not yet submitted)."""
    if d.submitted_at > T:
        return None
    p = d.proc
    row: dict[str, Any] = {
        "dossier_id": d.dossier_id, "procedure_code": p.procedure_code, "procedure_name": p.name,
        "field_name": p.field_name, "unit_code": d.unit, "channel": d.channel,
        "online_service_level": p.online_service_level, "received_at": None, "due_at": None,
        "resolved_at": None, "returned_at": None, "status": "submitted",
        "result_channel": d.result_channel, "apology_sent": False, "fee_required": p.fee_required,
        "paid_online": d.paid_online, "digitized_input": d.digitized_input, "digitized_result": False,
        "synced_national_portal": d.synced, "supplement_count": 0, "supplement_requested_at": None,
        "supplement_completed_at": None, "e_result": False, "data_reused": d.data_reused,
        "citizen_store_linked": d.citizen_store, "population_data_used": d.population_data,
        "applicant_name": d.applicant[0], "applicant_id": d.applicant[1], "applicant_phone": d.applicant[2],
        "_note": d.note, "_vnpt_status": "1",
    }
    if d.received_at > T:
        row["digitized_input"] = False
        row["synced_national_portal"] = False
        return row
    row["received_at"], row["due_at"] = d.received_at, d.due_at
    reqs = [(a, b) for a, b in d.supplements if a <= T]
    if reqs:
        row["supplement_count"] = len(reqs)
        row["supplement_requested_at"] = reqs[-1][0]
        done = reqs[-1][1]
        row["supplement_completed_at"] = done if done is not None and done <= T else None
    row["apology_sent"] = d.apology_at is not None and d.apology_at <= T
    if d.term_at is not None and d.term_at <= T:
        row["resolved_at"] = d.term_at
        if d.outcome == "resolved":
            returned = d.returned_at is not None and d.returned_at <= T
            row["status"] = "returned" if returned else "resolved"
            row["returned_at"] = d.returned_at if returned else None
            row["digitized_result"] = d.digitized_result
            row["e_result"] = d.e_result
            row["_vnpt_status"] = "10" if returned else "9"
        else:
            row["status"] = d.outcome
            row["_vnpt_status"] = "3" if d.outcome == "rejected" else "7"
        return row
    if reqs and row["supplement_completed_at"] is None:
        row["status"], row["_vnpt_status"] = "awaiting_supplement", "5"
    elif d.suspension is not None and d.suspension[0] <= T and (d.suspension[1] is None or d.suspension[1] > T):
        row["status"], row["_vnpt_status"] = "suspended", d.suspension[2]
    else:
        row["status"] = "processing"
        early = T < d.received_at + (d.due_at - d.received_at) * d.early_code2
        row["_vnpt_status"] = "2" if early else "4"
    return row


# ---------------------------------------------------------------------------------------
# Bad rows
# ---------------------------------------------------------------------------------------

_BAD_KINDS = (
    ("received_at", "unparseable_date"),
    ("status", "unknown_status"),
    ("dossier_id", "missing_required"),
    ("resolved_at", "resolved_before_received"),
    ("unit_code", "unknown_unit"),
    ("returned_at", "event_after_month_end"),
)


def _plant_bad_rows(rows: list[dict[str, Any]], system: str, month: str, seed: int) -> dict[int, tuple[str, str]]:
    """Corrupt a few rows in place; return {row index: (column, problem)}."""
    rng = random.Random(f"cchc-bad:{seed}:{month}:{system}")
    m0, m1 = _month_bounds(month)
    closed = [i for i, r in enumerate(rows)
              if r["status"] in ("resolved", "returned") and r["received_at"] is not None
              and r["received_at"] >= m0 and r["supplement_count"] == 0]
    rng.shuffle(closed)
    used: set[int] = set()
    out: dict[int, tuple[str, str]] = {}

    def take(pred) -> int | None:
        for i in closed:
            if i not in used and pred(rows[i]):
                used.add(i)
                return i
        return None

    cap = max(1, len(rows) // 15)  # a few per file: never more than one bad row per 15 data rows
    for column, problem in _BAD_KINDS:
        if len(out) >= cap:
            break
        if problem == "resolved_before_received":
            i = take(lambda r: r["status"] == "resolved")
            if i is None:
                i = take(lambda r: True)
        elif problem == "event_after_month_end":
            i = take(lambda r: r["status"] == "returned")
        else:
            i = take(lambda r: True)
        if i is None:
            continue
        r = rows[i]
        if problem == "unparseable_date":
            r["received_at"] = f"31/02/{m0.year} 08:15" if system == "igate" else "abc"
        elif problem == "unknown_status":
            r["status"] = _nfc("Đang chờ ký duyệt") if system == "igate" else "12"
            r["_vnpt_status"] = "12"
        elif problem == "missing_required":
            r["dossier_id"] = ""
        elif problem == "resolved_before_received":
            r["resolved_at"] = _snap(r["received_at"] - dt.timedelta(days=rng.choice((1, 2, 3))), rng)
            if r["resolved_at"] >= r["received_at"]:  # snapping crossed back: force a day earlier
                r["resolved_at"] = r["received_at"] - dt.timedelta(days=1)
        elif problem == "unknown_unit":
            r["unit_code"] = "SKHCN" if system == "igate" else "Q5"
        elif problem == "event_after_month_end":
            r["returned_at"] = (m1 + dt.timedelta(days=2)).replace(hour=9, minute=12, second=0)
        out[i] = (column, problem)
    return out


# ---------------------------------------------------------------------------------------
# Export writers
# ---------------------------------------------------------------------------------------


def _fmt_dt_str(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.strftime("%d/%m/%Y %H:%M")
    return v


def _igate_cell_value(field_name: str, kind: str, v: Any, row: dict[str, Any]) -> Any:
    if v is None or v == "":
        return None
    if kind == "word":
        if field_name in _WORDS and v in _WORDS[field_name]:
            return _WORDS[field_name][v] or None
        return v  # planted unknown word
    if kind == "bool":
        return _yn(bool(v))
    if kind == "int":
        return int(v)
    if kind == "dt_str":
        return _fmt_dt_str(v)
    if kind == "url":
        if not v:
            return None
        return f"https://dichvucong.hochiminhcity.gov.vn/files/ketqua/{row['_id_for_url']}.pdf"
    return v


def _write_igate(path: Path, rows: list[dict[str, Any]], bad: dict[int, tuple[str, str]], month: str,
                 seed: int) -> tuple[int, dict[str, int], list[tuple[int, str, str]]]:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    y, m = _parse_month(month)
    m0, m1 = _month_bounds(month)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_nfc("Danh sách hồ sơ"))
    for col, width in zip(range(1, 31), [22, 24, 50, 28, 10, 16, 12, 18, 18, 18, 18, 16, 18]):
        ws.column_dimensions[chr(64 + col)].width = width
    bold = Font(bold=True, size=13)
    title = WriteOnlyCell(ws, value=_nfc("BÁO CÁO DANH SÁCH HỒ SƠ"))
    title.font = bold
    ws.append([title])
    ws.append([_nfc("Đơn vị: Trung tâm Phục vụ hành chính công - các sở, ban, ngành Thành phố Hồ Chí Minh")])
    ws.append([_nfc(f"Kỳ báo cáo: tháng {m:02d}/{y} (từ ngày {m0:%d/%m/%Y} đến ngày {m1:%d/%m/%Y})")])
    ws.append([])
    header = []
    for h in [h for _, h, _ in _IGATE_COLUMNS] + [IGATE_EXTRA_COLUMN]:
        c = WriteOnlyCell(ws, value=h)
        c.font = Font(bold=True)
        header.append(c)
    ws.append(header)
    header_row = 5
    blank_after = len(rows) // 2 if len(rows) >= 2 else None  # blank row after this many data rows
    physical = header_row
    bad_out: list[tuple[int, str, str]] = []
    for i, r in enumerate(rows):
        if blank_after is not None and i == blank_after:
            ws.append([])
            physical += 1
        cells = []
        for f, _, kind in _IGATE_COLUMNS:
            v = _igate_cell_value(f, kind, r[f], r)
            if kind == "dt_cell" and isinstance(v, dt.datetime):
                c = WriteOnlyCell(ws, value=v)
                c.number_format = "dd/mm/yyyy hh:mm"
                cells.append(c)
            else:
                cells.append(v)
        cells.append(r["_note"] or None)
        ws.append(cells)
        physical += 1
        if i in bad:
            bad_out.append((physical, *bad[i]))
    ws.append([_nfc("Tổng cộng"), len(rows)])
    _save_workbook_deterministic(wb, path)
    skipped = {"title": 3, "header": 1, "blank": 1 + (1 if blank_after is not None else 0), "total": 1}
    return len(rows), skipped, bad_out


def _vnpt_value(f: str, v: Any, r: dict[str, Any]) -> str:
    if f == "status":
        return r["_vnpt_status"]
    if v is None:
        return ""
    if f in _CODES:
        return _CODES[f].get(v, str(v))
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%dT%H:%M:%S")
    return str(v)


def _write_vnpt(path: Path, rows: list[dict[str, Any]], bad: dict[int, tuple[str, str]]
                ) -> tuple[int, dict[str, int], list[tuple[int, str, str]]]:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(DOSSIER_FIELDS)
    bad_out = []
    for i, r in enumerate(rows):
        w.writerow([_vnpt_value(f, r[f], r) for f in DOSSIER_FIELDS])
        if i in bad:
            bad_out.append((i + 2, *bad[i]))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode("utf-8-sig"))
    return len(rows), {"header": 1}, bad_out


_SYSTEMS = ("igate", "vnpt")


def _file_name(system: str, month: str) -> str:
    return f"igate__hoso_{month}.xlsx" if system == "igate" else f"vnpt__export_{month}.csv"


# ---------------------------------------------------------------------------------------
# Other sources: shared helpers
# ---------------------------------------------------------------------------------------

# receiving units per exporting system (surveys and feedback follow the dossier split)
_PROVINCE_UNITS = tuple(_DEPARTMENTS + _LAND_BRANCHES)
_LOCAL_UNITS = tuple(_DISTRICTS + _COMMUNES)


def _minute_floor(t: dt.datetime) -> dt.datetime:
    return t.replace(second=0, microsecond=0)


def _minute_ceil(t: dt.datetime) -> dt.datetime:
    if t.second or t.microsecond:
        return t.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return t


def _month_workdays(month: str) -> list[dt.date]:
    m0, m1 = _month_bounds(month)
    return [d for d in (m0.date() + dt.timedelta(days=i) for i in range(m1.day)) if _is_workday(d)]


def _ascii_fold(s: str) -> str:
    s = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in s if not unicodedata.combining(c))


def _vn_decimal(v: float) -> str:
    """Vietnamese number text: comma decimal, no trailing zeros (``5,5``, ``6``)."""
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _bad_kinds(kinds: Sequence[tuple[str, str]], month: str, system_index: int, n_systems: int,
               n_bad: int) -> list[tuple[str, str]]:
    """``n_bad`` consecutive kinds of a fixed rotation over months and systems, so that the
    files of a few consecutive months already show every kind (never twice in one file)."""
    y, m = _parse_month(month)
    start = ((y * 12 + m - 1) * n_systems + system_index) * 2
    return [kinds[(start + k) % len(kinds)] for k in range(min(n_bad, len(kinds)))]


def _n_bad(n_rows: int) -> int:
    return 2 if n_rows >= 12 else (1 if n_rows >= 2 else 0)


def _plant(rows: list[dict[str, Any]], candidates: Iterable[int], kinds: Sequence[tuple[str, str]],
           rng: random.Random, apply) -> dict[int, tuple[str, str]]:
    """Corrupt one candidate row per kind (``apply(row, column, problem)`` returns False when the
    row does not suit the kind); returns {row index: (column, problem)}."""
    pool = list(candidates)
    rng.shuffle(pool)
    out: dict[int, tuple[str, str]] = {}
    for column, problem in kinds:
        for i in pool:
            if i not in out and apply(rows[i], column, problem):
                out[i] = (column, problem)
                break
    return out


def _cell(row: dict[str, Any], f: str, render) -> Any:
    """Planted raw text (``row['_raw']``) wins over the rendered canonical value."""
    if f in row["_raw"]:
        return row["_raw"][f]
    return render(row[f])


_XLSX_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_XLSX_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_XML_BAD = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def _xml_text(v: str) -> str:
    return v.translate(_XML_BAD).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _column_letter(i: int) -> str:
    """0-based column index -> A, B, ..., Z, AA, ..."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def _write_xlsx_table(path: Path, sheet: str, titles: Sequence[str], header: Sequence[str],
                      rows: Sequence[Sequence[Any]], *, date_columns: dict[int, str] | None = None,
                      total: Sequence[Any] | None = None, widths: Sequence[int] = ()
                      ) -> tuple[list[int], dict[str, int]]:
    """One sheet: title rows, a blank row, the header, the data, an optional total row.

    Datetimes in ``date_columns`` (position -> number format) become real date cells; other
    values are written as they are (``None``/"" = empty cell, text as inline strings, numbers
    as numbers). The package is written directly (no openpyxl: a cell costs ~1 µs instead of
    ~30 µs), with the fixed document time and zip timestamps. Returns the physical row number
    of every data row and the skipped-row counts."""
    formats = sorted(set((date_columns or {}).values()))
    fmt_style = {f: 3 + i for i, f in enumerate(formats)}  # cellXfs: 0 plain, 1 bold, 2 title
    col_style = {j: fmt_style[f] for j, f in (date_columns or {}).items()}
    letters = [_column_letter(j) for j in range(max(len(header), max((len(r) for r in rows), default=0), 2))]
    lines: list[str] = []
    skipped = {"title": 0, "header": 1, "blank": 0, "total": 0}
    width = len(header)

    def row_xml(r: int, values: Sequence[Any], style: int = 0, by_column: dict[int, int] | None = None) -> str:
        cells = []
        for j, v in enumerate(values):
            if v is None or v == "":
                continue
            ref = f"{letters[j]}{r}"
            s = (by_column or {}).get(j, style)
            attr = f' s="{s}"' if s else ""
            if isinstance(v, dt.datetime):
                serial = (v - _EXCEL_EPOCH) / dt.timedelta(days=1)
                cells.append(f'<c r="{ref}"{attr}><v>{serial!r}</v></c>')
            elif isinstance(v, bool):
                cells.append(f'<c r="{ref}"{attr} t="b"><v>{int(v)}</v></c>')
            elif isinstance(v, (int, float)):
                cells.append(f'<c r="{ref}"{attr}><v>{v!r}</v></c>')
            else:
                cells.append(f'<c r="{ref}"{attr} t="inlineStr"><is><t>{_xml_text(_nfc(str(v)))}</t></is></c>')
        return f'<row r="{r}">{"".join(cells)}</row>'

    physical = 0
    for i, text in enumerate(titles):
        physical += 1
        lines.append(row_xml(physical, [text], 2 if i == 0 else 0))
        skipped["title"] += 1
    if titles:
        physical += 1
        lines.append(f'<row r="{physical}"/>')
        skipped["blank"] += 1
    physical += 1
    lines.append(row_xml(physical, list(header), 1))
    numbers: list[int] = []
    for r in rows:
        physical += 1
        width = max(width, len(r))
        lines.append(row_xml(physical, r, 0, col_style))
        numbers.append(physical)
    if total is not None:
        physical += 1
        lines.append(row_xml(physical, list(total)))
        skipped["total"] = 1
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, start=1))
    worksheet = (
        f'{_XML_HEAD}<worksheet xmlns="{_XLSX_NS}" xmlns:r="{_XLSX_REL}">'
        f'<dimension ref="A1:{letters[max(width, 1) - 1]}{physical}"/>'
        f'<sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        + (f"<cols>{cols}</cols>" if cols else "")
        + "<sheetData>" + "".join(lines) + "</sheetData></worksheet>"
    )
    num_fmts = "".join(f'<numFmt numFmtId="{164 + i}" formatCode="{_xml_text(f)}"/>' for i, f in enumerate(formats))
    date_xfs = "".join(f'<xf numFmtId="{164 + i}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
                       for i in range(len(formats)))
    styles = (
        f'{_XML_HEAD}<styleSheet xmlns="{_XLSX_NS}">'
        + (f'<numFmts count="{len(formats)}">{num_fmts}</numFmts>' if formats else "")
        + '<fonts count="3"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
        '<font><b/><sz val="13"/><name val="Calibri"/><family val="2"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{3 + len(formats)}"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
        '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
        f"{date_xfs}</cellXfs>"
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
    )
    stamp = FIXED_DOC_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    parts = {
        "[Content_Types].xml": (
            f'{_XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>'),
        "_rels/.rels": (
            f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_XLSX_REL}/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
            'core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{_XLSX_REL}/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>"),
        "docProps/app.xml": (
            f'{_XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>cchc_etl.sample</Application></Properties>"),
        "docProps/core.xml": (
            f'{_XML_HEAD}<cp:coreProperties '
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            "<dc:creator>cchc_etl.sample</dc:creator><cp:lastModifiedBy>cchc_etl.sample</cp:lastModifiedBy>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>'),
        "xl/workbook.xml": (
            f'{_XML_HEAD}<workbook xmlns="{_XLSX_NS}" xmlns:r="{_XLSX_REL}">'
            f'<sheets><sheet name="{_xml_text(_nfc(sheet))[:31]}" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_XLSX_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_XLSX_REL}/styles" Target="styles.xml"/></Relationships>'),
        "xl/styles.xml": styles,
        "xl/worksheets/sheet1.xml": worksheet,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            archive.writestr(info, text.encode("utf-8"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())
    return numbers, skipped


def _write_csv_table(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]], *, bom: bool = True,
                     terminator: str = "\r\n") -> tuple[list[int], dict[str, int]]:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator=terminator)
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode("utf-8-sig" if bom else "utf-8"))
    return [i + 2 for i in range(len(rows))], {"header": 1}


def _iso(v: Any, sep: str = "T") -> str:
    return v.strftime(f"%Y-%m-%d{sep}%H:%M:%S") if isinstance(v, dt.datetime) else ("" if v is None else str(v))


def _period_titles(title: str, system_line: str, month: str) -> list[str]:
    y, m = _parse_month(month)
    m0, m1 = _month_bounds(month)
    return [title, system_line, f"Kỳ báo cáo: tháng {m:02d}/{y} (từ ngày {m0:%d/%m/%Y} đến ngày {m1:%d/%m/%Y})"]


# ---------------------------------------------------------------------------------------
# surveys — satisfaction ratings of the month's resolved dossiers
# ---------------------------------------------------------------------------------------

SURVEY_FIELDS: tuple[str, ...] = ("response_id", "unit_code", "dossier_id", "rated_at", "rating", "channel")
_SURVEY_HEADERS_VI = {  # igate export (aliases of assets/sources/surveys.yaml)
    "response_id": "Mã đánh giá", "unit_code": "Mã đơn vị", "dossier_id": "Mã hồ sơ",
    "rated_at": "Ngày đánh giá", "rating": "Mức độ hài lòng", "channel": "Kênh đánh giá",
}
_RATING_WORDS = {5: "Rất hài lòng", 4: "Hài lòng", 3: "Bình thường", 2: "Không hài lòng", 1: "Rất không hài lòng"}
_SURVEY_BAD = (
    ("rated_at", "unparseable_date"),
    ("rating", "unknown_rating"),
    ("response_id", "missing_required"),
    ("unit_code", "unknown_unit"),
    ("rated_at", "event_after_month_end"),
)


def _rating(rng: random.Random) -> int:
    return rng.choices((5, 4, 3, 2, 1), (0.80, 0.17, 0.02, 0.007, 0.003))[0]


def _survey_rows(dossier_rows: list[dict[str, Any]], bad: dict[int, tuple[str, str]], system: str, month: str,
                 seed: int) -> list[dict[str, Any]]:
    rng = random.Random(f"cchc-survey:{seed}:{month}:{system}")
    y, m = _parse_month(month)
    m0, m1 = _month_bounds(month)
    out: list[dict[str, Any]] = []
    for i, r in enumerate(dossier_rows):
        if i in bad or r["status"] not in ("resolved", "returned"):
            continue
        resolved = r["resolved_at"]
        if not isinstance(resolved, dt.datetime) or not m0 <= resolved <= m1:
            continue
        if rng.random() >= 0.6:  # ~60% of the dossiers resolved in the month get a rating
            continue
        base = r["returned_at"] if isinstance(r["returned_at"], dt.datetime) else resolved
        base = _minute_ceil(base)
        if base > m1:
            continue
        if r["channel"] == "online":
            channel = rng.choices(("web", "zalo", "sms"), (0.6, 0.25, 0.15))[0]
            lag = rng.randrange(2, 3 * 24 * 60)
        else:
            channel = rng.choices(("kiosk", "sms", "zalo"), (0.6, 0.3, 0.1))[0]
            lag = rng.randrange(1, 15) if channel == "kiosk" else rng.randrange(30, 2 * 24 * 60)
        room = int((m1 - base).total_seconds() // 60)
        if lag > room:  # resolved just before the month end: rated before it too
            lag = rng.randint(0, room)
        out.append({"unit_code": r["unit_code"], "dossier_id": r["dossier_id"],
                    "rated_at": base + dt.timedelta(minutes=lag), "rating": _rating(rng),
                    "channel": channel, "_raw": {}})
    # a few kiosk ratings of the service desk itself, not tied to a dossier
    units = _PROVINCE_UNITS if system == "igate" else _LOCAL_UNITS
    workdays = _month_workdays(month)
    for _ in range(max(1, len(out) // 30)):
        out.append({"unit_code": rng.choice(units), "dossier_id": None,
                    "rated_at": _minute_floor(_work_moment(rng, workdays)), "rating": _rating(rng),
                    "channel": "kiosk", "_raw": {}})
    out.sort(key=lambda s: (s["rated_at"], s["dossier_id"] or "", s["unit_code"]))
    yymm = f"{y % 100:02d}{m:02d}"
    for k, s in enumerate(out, start=1):
        s["response_id"] = f"DG-{yymm}-{k:05d}" if system == "igate" else f"{yymm}{k:06d}"
    return out


def _write_surveys(out: Path, manifest: SampleManifest, month: str,
                   dossiers: dict[str, tuple[list[dict[str, Any]], dict[int, tuple[str, str]]]], seed: int) -> None:
    y, _m = _parse_month(month)
    _, m1 = _month_bounds(month)
    for s_idx, system in enumerate(_SYSTEMS):
        rows = _survey_rows(*dossiers[system], system, month, seed)
        xlsx = system == "igate"
        rng = random.Random(f"cchc-survey-bad:{seed}:{month}:{system}")

        def apply(r: dict[str, Any], column: str, problem: str) -> bool:
            if problem == "unparseable_date":
                r["_raw"]["rated_at"] = f"30/02/{y} 14:20" if xlsx else f"{y}-02-30T14:20:00"
            elif problem == "unknown_rating":
                r["_raw"]["rating"] = _nfc("Tạm được") if xlsx else "6"
            elif problem == "missing_required":
                r["_raw"]["response_id"] = ""
            elif problem == "unknown_unit":
                r["_raw"]["unit_code"] = "SKHCN" if xlsx else "Q5"
            elif problem == "event_after_month_end":
                r["rated_at"] = (m1 + dt.timedelta(days=2)).replace(hour=9, minute=12, second=0)
            return True

        kinds = _bad_kinds(_SURVEY_BAD, month, s_idx, len(_SYSTEMS), _n_bad(len(rows)))
        bad = _plant(rows, range(len(rows)), kinds, rng, apply)
        if xlsx:
            rel = f"surveys/{month}/igate__danhgia_{month}.xlsx"
            render = {"rating": lambda v: _nfc(_RATING_WORDS[v])}
            table = [[_cell(r, f, render.get(f, lambda v: v)) for f in SURVEY_FIELDS] for r in rows]
            numbers, skipped = _write_xlsx_table(
                out / rel, "Kết quả đánh giá",
                _period_titles("BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG",
                               "Hệ thống thông tin giải quyết thủ tục hành chính Thành phố Hồ Chí Minh", month),
                [_SURVEY_HEADERS_VI[f] for f in SURVEY_FIELDS], table,
                date_columns={SURVEY_FIELDS.index("rated_at"): "dd/mm/yyyy hh:mm"},
                total=[_nfc("Tổng cộng"), len(rows)], widths=(16, 12, 24, 18, 20, 12))
        else:
            rel = f"surveys/{month}/vnpt__danhgia_{month}.csv"
            render = {"rated_at": _iso, "rating": str}
            table = [[_cell(r, f, render.get(f, lambda v: v)) for f in SURVEY_FIELDS] for r in rows]
            numbers, skipped = _write_csv_table(out / rel, SURVEY_FIELDS, table)
        manifest._add(rel, len(rows), skipped, sorted((numbers[i], *b) for i, b in bad.items()))


# ---------------------------------------------------------------------------------------
# feedback — citizen feedback and petitions (PAKN), snapshot at each month end
# ---------------------------------------------------------------------------------------

FEEDBACK_FIELDS: tuple[str, ...] = (
    "feedback_id", "unit_code", "received_at", "due_at", "answered_at", "status", "published", "topic",
    "channel", "category", "dissatisfied", "follow_up_complaint",
)
_FEEDBACK_HEADERS_VI = {  # hcm1022 export (aliases of assets/sources/feedback.yaml)
    "feedback_id": "Mã PAKN", "unit_code": "Mã đơn vị xử lý", "received_at": "Ngày tiếp nhận",
    "due_at": "Hạn xử lý", "answered_at": "Ngày trả lời", "status": "Trạng thái",
    "published": "Công khai kết quả", "topic": "Lĩnh vực", "channel": "Kênh tiếp nhận",
    "category": "Phân loại", "dissatisfied": "Không hài lòng", "follow_up_complaint": "Có phản ánh tiếp",
}
_FEEDBACK_STATUS_WORDS = {"open": "Đang xử lý", "answered": "Đã trả lời", "rejected": "Từ chối",
                          "forwarded": "Chuyển xử lý"}
_FEEDBACK_SYSTEMS = ("hcm1022", "vnpt")
_FEEDBACK_TOPICS = [_nfc(s) for s in [
    "Đất đai", "Xây dựng", "Hộ tịch", "Môi trường", "Giao thông", "Trật tự đô thị", "Đăng ký kinh doanh",
    "Chứng thực", "Lao động - việc làm", "Thủ tục hành chính",
]]
_FEEDBACK_CHANNELS = ((_nfc("Cổng 1022"), 40), (_nfc("Tổng đài 1022"), 25), ("Zalo", 15),
                      (_nfc("Trực tiếp"), 12), (_nfc("Thư điện tử"), 8))
_FEEDBACK_CATEGORIES = ((_nfc("quy định hành chính"), 78), (_nfc("hành vi, thái độ"), 22))
_FEEDBACK_BAD = (
    ("received_at", "unparseable_date"),
    ("status", "unknown_status"),
    ("feedback_id", "missing_required"),
    ("unit_code", "unknown_unit"),
    ("answered_at", "event_after_month_end"),
)


@dataclass
class _Feedback:
    system: str
    unit: str
    received_at: dt.datetime
    due_at: dt.datetime
    outcome: str  # answered / rejected / forwarded
    closed_at: dt.datetime
    published: bool
    topic: str
    channel: str
    category: str
    dissatisfied: bool
    follow_up: bool
    feedback_id: str = ""


def _new_feedback(month: str, n: int, seed: int) -> list[_Feedback]:
    rng = random.Random(f"cchc-feedback:{seed}:{month}")
    y, m = _parse_month(month)
    m0, m1 = _month_bounds(month)
    all_days = [m0.date() + dt.timedelta(days=i) for i in range(m1.day)]
    workdays = _month_workdays(month)
    units = list(_PROVINCE_UNITS + _LOCAL_UNITS)
    weights = ([3.0] * len(_DEPARTMENTS) + [2.0] * len(_LAND_BRANCHES) + [3.0] * len(_DISTRICTS)
               + [1.0] * len(_COMMUNES))
    out: list[_Feedback] = []
    for _ in range(n):
        unit = rng.choices(units, weights)[0]
        channel = rng.choices([c for c, _ in _FEEDBACK_CHANNELS], [w for _, w in _FEEDBACK_CHANNELS])[0]
        if channel == _nfc("Trực tiếp"):
            received = _work_moment(rng, workdays)
        else:
            received = dt.datetime.combine(rng.choice(all_days), dt.time(rng.randrange(6, 23), rng.randrange(60)))
        received = _minute_floor(received)
        due = _add_working_days(received, 10)  # 10 working days to answer
        span = due - received
        r = rng.random()
        if r < 0.04:
            outcome, closed = "rejected", received + dt.timedelta(days=rng.uniform(0.2, 3))
        elif r < 0.11:
            outcome, closed = "forwarded", received + dt.timedelta(days=rng.uniform(0.5, 4))
        else:
            outcome = "answered"
            f = rng.uniform(1.05, 2.2) if rng.random() < 0.07 else rng.uniform(0.15, 0.95)
            closed = received + span * f
        closed = max(received + dt.timedelta(minutes=5), _minute_ceil(_snap(closed, rng)))
        out.append(_Feedback(
            system="hcm1022" if unit in _PROVINCE_UNITS else "vnpt", unit=unit, received_at=received, due_at=due,
            outcome=outcome, closed_at=closed, published=outcome == "answered" and rng.random() < 0.95,
            topic=rng.choice(_FEEDBACK_TOPICS), channel=channel,
            category=rng.choices([c for c, _ in _FEEDBACK_CATEGORIES], [w for _, w in _FEEDBACK_CATEGORIES])[0],
            dissatisfied=outcome == "answered" and rng.random() < 0.05, follow_up=rng.random() < 0.03,
        ))
    out.sort(key=lambda f: (f.received_at, f.system, f.unit))
    seq: dict[tuple[str, str], int] = {}
    yymm = f"{y % 100:02d}{m:02d}"
    for f in out:
        key = (f.system, "" if f.system == "hcm1022" else f.unit)
        seq[key] = seq.get(key, 0) + 1
        if f.system == "hcm1022":
            f.feedback_id = f"PAKN-{yymm}-{seq[key]:05d}"
        else:
            f.feedback_id = f"000.00.{_UNIT_NUM[f.unit]}.H29-PA-{yymm}-{seq[key]:04d}"
    return out


def _feedback_snapshot(f: _Feedback, T: dt.datetime) -> dict[str, Any]:
    row: dict[str, Any] = {
        "feedback_id": f.feedback_id, "unit_code": f.unit, "received_at": f.received_at, "due_at": f.due_at,
        "answered_at": None, "status": "open", "published": False, "topic": f.topic, "channel": f.channel,
        "category": f.category, "dissatisfied": None, "follow_up_complaint": None, "_raw": {},
    }
    if f.closed_at <= T:
        row.update(status=f.outcome, answered_at=f.closed_at, published=f.published, dissatisfied=f.dissatisfied,
                   follow_up_complaint=f.follow_up)
    return row


def _write_feedback(out: Path, manifest: SampleManifest, month: str, items: list[_Feedback], seed: int) -> None:
    y, _m = _parse_month(month)
    m0, m1 = _month_bounds(month)
    for s_idx, system in enumerate(_FEEDBACK_SYSTEMS):
        rows = [_feedback_snapshot(f, m1) for f in items if f.system == system and f.received_at <= m1]
        rows.sort(key=lambda r: (r["received_at"], r["feedback_id"]))
        xlsx = system == "hcm1022"
        rng = random.Random(f"cchc-feedback-bad:{seed}:{month}:{system}")

        def apply(r: dict[str, Any], column: str, problem: str) -> bool:
            if problem == "unparseable_date":
                r["_raw"]["received_at"] = f"31/02/{y} 08:45" if xlsx else f"{y}-02-30 08:45:00"
            elif problem == "unknown_status":
                r["_raw"]["status"] = _nfc("Chờ phê duyệt")
            elif problem == "missing_required":
                r["_raw"]["feedback_id"] = ""
            elif problem == "unknown_unit":
                r["_raw"]["unit_code"] = "SKHCN" if xlsx else "Q5"
            elif problem == "event_after_month_end":
                if r["status"] != "answered":
                    return False
                r["answered_at"] = (m1 + dt.timedelta(days=2)).replace(hour=10, minute=5, second=0)
            return True

        # only items received and closed in the month: the open ones must carry over intact
        candidates = [i for i, r in enumerate(rows) if r["status"] != "open" and r["received_at"] >= m0]
        kinds = _bad_kinds(_FEEDBACK_BAD, month, s_idx, len(_FEEDBACK_SYSTEMS), _n_bad(len(rows)))
        bad = _plant(rows, candidates, kinds, rng, apply)
        if xlsx:
            rel = f"feedback/{month}/hcm1022__pakn_{month}.xlsx"
            render = {"received_at": _fmt_dt_str, "answered_at": _fmt_dt_str,
                      "status": lambda v: _nfc(_FEEDBACK_STATUS_WORDS[v]),
                      "published": _yn, "dissatisfied": lambda v: None if v is None else _yn(v),
                      "follow_up_complaint": lambda v: None if v is None else _yn(v)}
            table = [[_cell(r, f, render.get(f, lambda v: v)) for f in FEEDBACK_FIELDS] for r in rows]
            numbers, skipped = _write_xlsx_table(
                out / rel, "PAKN",
                _period_titles("DANH SÁCH PHẢN ÁNH, KIẾN NGHỊ CỦA NGƯỜI DÂN, DOANH NGHIỆP",
                               "Hệ thống tiếp nhận, giải quyết phản ánh, kiến nghị 1022 Thành phố Hồ Chí Minh", month),
                [_FEEDBACK_HEADERS_VI[f] for f in FEEDBACK_FIELDS], table,
                date_columns={FEEDBACK_FIELDS.index("due_at"): "dd/mm/yyyy hh:mm"},
                widths=(18, 12, 18, 18, 18, 14, 10, 22, 16, 22, 10, 10))
        else:
            rel = f"feedback/{month}/vnpt__pakn_{month}.csv"
            render = {"received_at": lambda v: _iso(v, " "), "due_at": lambda v: _iso(v, " "),
                      "answered_at": lambda v: _iso(v, " "),
                      "status": lambda v: _nfc(_FEEDBACK_STATUS_WORDS[v]), "published": _yn,
                      "dissatisfied": lambda v: "" if v is None else ("1" if v else "0"),
                      "follow_up_complaint": lambda v: "" if v is None else ("1" if v else "0")}
            table = [[_cell(r, f, render.get(f, lambda v: v)) for f in FEEDBACK_FIELDS] for r in rows]
            numbers, skipped = _write_csv_table(out / rel, FEEDBACK_FIELDS, table, bom=False, terminator="\n")
        manifest._add(rel, len(rows), skipped, sorted((numbers[i], *b) for i, b in bad.items()))


# ---------------------------------------------------------------------------------------
# documents — incoming / outgoing document log per unit
# ---------------------------------------------------------------------------------------

DOCUMENT_FIELDS: tuple[str, ...] = (
    "document_id", "unit_code", "direction", "reference_number", "doc_type", "registered_at", "form",
    "digitally_signed", "secrecy", "urgency", "processed_online", "via_interconnect",
)
# two document-management systems, two header spellings (aliases of assets/sources/documents.yaml)
_DOCUMENT_HEADERS_VI = {
    "qlvb": ("Mã văn bản", "Mã đơn vị", "Loại sổ", "Số ký hiệu", "Loại văn bản", "Ngày đăng ký", "Hình thức",
             "Ký số", "Độ mật", "Độ khẩn", "Xử lý trên phần mềm", "Gửi nhận qua trục liên thông"),
    "ioffice": ("ID văn bản", "Mã cơ quan", "Sổ văn bản", "Số/Ký hiệu", "Loại văn bản", "Ngày văn bản",
                "Hình thức văn bản", "Chữ ký số", "Mức độ mật", "Mức độ khẩn", "Hồ sơ công việc điện tử",
                "Trục liên thông"),
}
DOCUMENT_EXTRA_COLUMN = _nfc("Trích yếu")  # vendor column, not in the contract
_DOCUMENT_SYSTEMS = ("qlvb", "ioffice")
_DIRECTION_WORDS = {"incoming": "Văn bản đến", "outgoing": "Văn bản đi"}
_FORM_WORDS = {"electronic": "Điện tử", "paper": "Giấy"}
_SECRECY_WORDS = {None: None, "normal": "Thường", "confidential": "Mật"}
_DOC_TYPES = ((_nfc("Công văn"), "", 50), (_nfc("Quyết định"), _nfc("QĐ"), 12), (_nfc("Kế hoạch"), "KH", 10),
              (_nfc("Báo cáo"), "BC", 12), (_nfc("Tờ trình"), "TTr", 5), (_nfc("Thông báo"), "TB", 6),
              (_nfc("Giấy mời"), "GM", 5))
_DOC_SENDERS = ("UBND", "VPCP", "BNV", "BTTTT", "SNV", "STTTT", "STC", _nfc("SKHĐT"))
_DOC_URGENCY = ((_nfc("Thường"), 82), (_nfc("Khẩn"), 13), (_nfc("Thượng khẩn"), 4), (_nfc("Hỏa tốc"), 1))
_DOC_SUBJECTS = [_nfc(s) for s in [
    "V/v triển khai Kế hoạch cải cách hành chính năm {y}",
    "V/v báo cáo kết quả thực hiện công tác cải cách hành chính tháng {m}/{y}",
    "V/v góp ý dự thảo văn bản quy phạm pháp luật",
    "V/v tăng cường kỷ luật, kỷ cương hành chính",
    "V/v cung cấp thông tin phục vụ kiểm tra công vụ",
    "V/v số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
    "V/v mời họp giao ban công tác tháng {m}/{y}",
    "V/v công bố danh mục thủ tục hành chính",
    "V/v chuyển đơn phản ánh, kiến nghị",
]]
_DOCUMENT_BAD = (
    ("registered_at", "unparseable_date"),
    ("direction", "unknown_direction"),
    ("document_id", "missing_required"),
    ("unit_code", "unknown_unit"),
    ("registered_at", "event_after_month_end"),
)


def _org_sign(unit: str) -> str:
    u = _ORG_BY_CODE[unit]
    if u.level == "department":
        return unit
    if u.level == "unit":
        return _nfc("CNVPĐK")
    return "UBND"


def _document_rows(month: str, system: str, n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(f"cchc-documents:{seed}:{month}:{system}")
    y, m = _parse_month(month)
    workdays = _month_workdays(month)
    if system == "qlvb":
        units = list(_PROVINCE_UNITS)
        weights = [3.0] * len(_DEPARTMENTS) + [1.5] * len(_LAND_BRANCHES)
    else:
        units = list(_LOCAL_UNITS)
        weights = [4.0] * len(_DISTRICTS) + [1.0] * len(_COMMUNES)
    out: list[dict[str, Any]] = []
    for _ in range(n):
        unit = rng.choices(units, weights)[0]
        direction = "incoming" if rng.random() < 0.6 else "outgoing"
        doc_type, abbr, _w = rng.choices(_DOC_TYPES, [t[2] for t in _DOC_TYPES])[0]
        u = rng.random()
        secrecy = "confidential" if u < 0.015 else ("normal" if u < 0.25 else None)
        if secrecy == "confidential":
            form = "paper"  # classified documents travel on paper, outside the interconnect
        else:
            form = "electronic" if rng.random() < 0.975 else "paper"
        electronic = form == "electronic"
        signed = electronic and rng.random() < (0.98 if direction == "outgoing" else 0.95)
        processed = rng.random() < ((0.95 if electronic else 0.7) if direction == "incoming" else 0.92)
        interconnect = electronic and rng.random() < 0.85
        number = rng.randint(1, 2500)
        if direction == "outgoing":
            sign = _org_sign(unit)
            ref = f"{number}/{abbr}-{sign}" if abbr else f"{number}/{sign}-VP"
        else:
            sender = rng.choice(_DOC_SENDERS)
            ref = f"{number}/{abbr}-{sender}" if abbr else f"{number}/{sender}-VP"
        out.append({
            "unit_code": unit, "direction": direction, "reference_number": ref, "doc_type": doc_type,
            "registered_at": _minute_floor(_work_moment(rng, workdays)), "form": form,
            "digitally_signed": signed, "secrecy": secrecy,
            "urgency": rng.choices([w for w, _ in _DOC_URGENCY], [p for _, p in _DOC_URGENCY])[0],
            "processed_online": processed, "via_interconnect": interconnect,
            "_subject": rng.choice(_DOC_SUBJECTS).format(y=y, m=m), "_raw": {},
        })
    out.sort(key=lambda r: (r["registered_at"], r["unit_code"], r["reference_number"]))
    yymm = f"{y % 100:02d}{m:02d}"
    for k, r in enumerate(out, start=1):
        r["document_id"] = f"VB{yymm}-{k:06d}" if system == "qlvb" else f"{_UNIT_NUM[r['unit_code']]}.{yymm}.{k:05d}"
    return out


def _write_documents(out: Path, manifest: SampleManifest, month: str, n: int, seed: int) -> None:
    y, _m = _parse_month(month)
    _, m1 = _month_bounds(month)
    for s_idx, system in enumerate(_DOCUMENT_SYSTEMS):
        rows = _document_rows(month, system, n, seed)
        rng = random.Random(f"cchc-documents-bad:{seed}:{month}:{system}")
        qlvb = system == "qlvb"

        def apply(r: dict[str, Any], column: str, problem: str) -> bool:
            if problem == "unparseable_date":
                r["_raw"]["registered_at"] = f"31/04/{y} 09:30"
            elif problem == "unknown_direction":
                r["_raw"]["direction"] = _nfc("Văn bản nội bộ")
            elif problem == "missing_required":
                r["_raw"]["document_id"] = ""
            elif problem == "unknown_unit":
                r["_raw"]["unit_code"] = "SKHCN" if qlvb else "Q5"
            elif problem == "event_after_month_end":
                r["registered_at"] = (m1 + dt.timedelta(days=3)).replace(hour=8, minute=40, second=0)
            return True

        kinds = _bad_kinds(_DOCUMENT_BAD, month, s_idx, len(_DOCUMENT_SYSTEMS), _n_bad(len(rows)))
        bad = _plant(rows, range(len(rows)), kinds, rng, apply)
        render = {
            "direction": lambda v: _nfc(_DIRECTION_WORDS[v]), "form": lambda v: _nfc(_FORM_WORDS[v]),
            "secrecy": lambda v: _nfc(_SECRECY_WORDS[v]) if v else None, "digitally_signed": _yn,
            "processed_online": _yn, "via_interconnect": _yn,
            "registered_at": (lambda v: v) if qlvb else _fmt_dt_str,
        }
        table = [[_cell(r, f, render.get(f, lambda v: v)) for f in DOCUMENT_FIELDS] + [r["_subject"]] for r in rows]
        rel = f"documents/{month}/{system}__sovanban_{month}.xlsx"
        line = ("Hệ thống quản lý văn bản và điều hành - các sở, ban, ngành Thành phố" if qlvb
                else "Hệ thống quản lý văn bản iOffice - UBND quận, huyện, phường, xã, thị trấn")
        numbers, skipped = _write_xlsx_table(
            out / rel, "So van ban", _period_titles("SỔ ĐĂNG KÝ VĂN BẢN ĐẾN, VĂN BẢN ĐI", line, month),
            list(_DOCUMENT_HEADERS_VI[system]) + [DOCUMENT_EXTRA_COLUMN], table,
            date_columns={DOCUMENT_FIELDS.index("registered_at"): "dd/mm/yyyy hh:mm"} if qlvb else None,
            total=[_nfc(f"Tổng số: {len(rows)} văn bản")], widths=(16, 10, 14, 18, 14, 18, 12, 8, 10, 12, 12, 12, 60))
        manifest._add(rel, len(rows), skipped, sorted((numbers[i], *b) for i, b in bad.items()))


# ---------------------------------------------------------------------------------------
# email — official e-mail activity, one row per account per month
# ---------------------------------------------------------------------------------------

EMAIL_HEADERS: tuple[str, ...] = tuple(_nfc(h) for h in (
    "Địa chỉ email", "Mã đơn vị", "Nhóm", "Số ngày đăng nhập", "Số thư gửi", "Số thư nhận"))
EMAIL_FIELDS: tuple[str, ...] = ("account", "unit_code", "role", "active_days", "sent_count", "received_count")
EMAIL_DOMAIN = "tphcm.gov.vn"
_EMAIL_SYSTEM = "mailhcm"
_EMAIL_BAD = (
    ("role", "unknown_role"),
    ("account", "missing_required"),
    ("unit_code", "unknown_unit"),
    ("active_days", "out_of_range"),
)
_LEADERS_PER_LEVEL = {"department": 4, "district": 4, "unit": 2, "commune": 3}


def _email_accounts(unit: str, seed: int) -> list[tuple[str, str]]:
    """The unit's official accounts ``(address, role word)``: the same every month."""
    rng = random.Random(f"cchc-email-accounts:{seed}:{unit}")
    level = _ORG_BY_CODE[unit].level
    slug = unit.lower().replace("_", "")
    leaders = _LEADERS_PER_LEVEL.get(level, 2)
    staff_word = _nfc("Viên chức") if level == "unit" else _nfc("Công chức")
    seen: set[str] = set()
    out = []
    for k in range(rng.randint(8, 12)):
        name = _person(rng)[0]
        initials = "".join(_ascii_fold(w)[0] for w in name.split()).lower()
        local, j = initials, 1
        while local in seen:
            j += 1
            local = f"{initials}{j}"
        seen.add(local)
        out.append((f"{local}.{slug}@{EMAIL_DOMAIN}", _nfc("Lãnh đạo") if k < leaders else staff_word))
    return out


def _email_rows(month: str, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(f"cchc-email:{seed}:{month}")
    wd = min(23, len(_month_workdays(month)))
    half = -(-wd // 2)
    out = []
    for unit in receiving_unit_codes():
        for address, role in _email_accounts(unit, seed):
            u = rng.random()
            if role == _nfc("Lãnh đạo"):
                days = (rng.randint(max(half, wd - 4), wd) if u < 0.9
                        else rng.randint(max(1, half - 5), max(1, half - 1)) if u < 0.98 else 0)
            else:
                days = (rng.randint(half, wd) if u < 0.72
                        else rng.randint(1, max(1, half - 1)) if u < 0.92 else 0)
            out.append({"account": address, "unit_code": unit, "role": role, "active_days": days,
                        "sent_count": round(days * rng.uniform(1.0, 6.0)),
                        "received_count": round(max(days, 3) * rng.uniform(8.0, 30.0)), "_raw": {}})
    return out


def _write_email(out: Path, manifest: SampleManifest, month: str, seed: int) -> None:
    rows = _email_rows(month, seed)
    rng = random.Random(f"cchc-email-bad:{seed}:{month}")

    def apply(r: dict[str, Any], column: str, problem: str) -> bool:
        if problem == "unknown_role":
            r["_raw"]["role"] = _nfc("Thực tập sinh")
        elif problem == "missing_required":
            r["_raw"]["account"] = ""
        elif problem == "unknown_unit":
            r["_raw"]["unit_code"] = "Q5"
        elif problem == "out_of_range":
            r["_raw"]["active_days"] = "42"
        return True

    kinds = _bad_kinds(_EMAIL_BAD, month, 0, 1, _n_bad(len(rows)))
    bad = _plant(rows, range(len(rows)), kinds, rng, apply)
    table = [[_cell(r, f, lambda v: v) for f in EMAIL_FIELDS] for r in rows]
    rel = f"email/{month}/{_EMAIL_SYSTEM}__thongke_{month}.csv"
    numbers, skipped = _write_csv_table(out / rel, EMAIL_HEADERS, table)
    manifest._add(rel, len(rows), skipped, sorted((numbers[i], *b) for i, b in bad.items()))


# ---------------------------------------------------------------------------------------
# reference: holidays, targets, self-assessment
# ---------------------------------------------------------------------------------------

_HOLIDAY_NAMES = {
    "new_year": "Tết Dương lịch", "tet": "Tết Nguyên đán", "hung": "Giỗ Tổ Hùng Vương",
    "reunification": "Ngày Chiến thắng 30/4", "labour": "Ngày Quốc tế Lao động 1/5", "national": "Quốc khánh 2/9",
}
_HOLIDAY_KIND_WORDS = {"holiday": "Nghỉ lễ", "compensatory_day_off": "Nghỉ bù", "makeup_working_day": "Làm bù"}
# SAMPLE DATA — a plausible calendar, not the official notices. Working days only (weekends are
# never listed, except make-up working Saturdays). The 2024 and 2025 Tết breaks (8-14 Feb 2024,
# 25 Jan-2 Feb 2025) and Hùng Kings' days (18 Apr 2024, 7 Apr 2025) are the official dates; the
# swaps (compensatory days off, make-up Saturdays) are illustrative. Years missing here get only
# the fixed-date holidays (see _holidays_of).
_HOLIDAY_TABLE: dict[int, tuple[tuple[str, str, str], ...]] = {
    2022: (("2022-01-03", "new_year", "compensatory_day_off"),
           ("2022-01-31", "tet", "holiday"), ("2022-02-01", "tet", "holiday"), ("2022-02-02", "tet", "holiday"),
           ("2022-02-03", "tet", "holiday"), ("2022-02-04", "tet", "holiday"),
           ("2022-04-11", "hung", "compensatory_day_off"),
           ("2022-05-02", "reunification", "compensatory_day_off"),
           ("2022-05-03", "labour", "compensatory_day_off"),
           ("2022-09-01", "national", "holiday"), ("2022-09-02", "national", "holiday")),
    2023: (("2023-01-02", "new_year", "compensatory_day_off"),
           ("2023-01-20", "tet", "holiday"), ("2023-01-23", "tet", "holiday"), ("2023-01-24", "tet", "holiday"),
           ("2023-01-25", "tet", "holiday"), ("2023-01-26", "tet", "compensatory_day_off"),
           ("2023-05-01", "labour", "holiday"), ("2023-05-02", "hung", "compensatory_day_off"),
           ("2023-05-03", "reunification", "compensatory_day_off"),
           ("2023-09-01", "national", "holiday"), ("2023-09-04", "national", "compensatory_day_off")),
    2024: (("2024-01-01", "new_year", "holiday"),
           ("2024-02-08", "tet", "compensatory_day_off"), ("2024-02-09", "tet", "holiday"),
           ("2024-02-12", "tet", "holiday"), ("2024-02-13", "tet", "holiday"),
           ("2024-02-14", "tet", "compensatory_day_off"),
           ("2024-04-18", "hung", "holiday"),
           ("2024-04-29", "reunification", "compensatory_day_off"),
           ("2024-04-30", "reunification", "holiday"), ("2024-05-01", "labour", "holiday"),
           ("2024-05-04", "reunification", "makeup_working_day"),
           ("2024-09-02", "national", "holiday"), ("2024-09-03", "national", "holiday")),
    2025: (("2025-01-01", "new_year", "holiday"),
           ("2025-01-27", "tet", "compensatory_day_off"), ("2025-01-28", "tet", "holiday"),
           ("2025-01-29", "tet", "holiday"), ("2025-01-30", "tet", "holiday"), ("2025-01-31", "tet", "holiday"),
           ("2025-02-08", "tet", "makeup_working_day"),
           ("2025-04-07", "hung", "holiday"),
           ("2025-04-26", "reunification", "makeup_working_day"),
           ("2025-04-30", "reunification", "holiday"), ("2025-05-01", "labour", "holiday"),
           ("2025-05-02", "labour", "compensatory_day_off"),
           ("2025-09-01", "national", "holiday"), ("2025-09-02", "national", "holiday")),
    2026: (("2026-01-01", "new_year", "holiday"), ("2026-01-02", "new_year", "compensatory_day_off"),
           ("2026-01-10", "new_year", "makeup_working_day"),
           ("2026-02-16", "tet", "holiday"), ("2026-02-17", "tet", "holiday"), ("2026-02-18", "tet", "holiday"),
           ("2026-02-19", "tet", "holiday"), ("2026-02-20", "tet", "holiday"),
           ("2026-04-27", "hung", "compensatory_day_off"),
           ("2026-04-30", "reunification", "holiday"), ("2026-05-01", "labour", "holiday"),
           ("2026-09-01", "national", "holiday"), ("2026-09-02", "national", "holiday")),
}
HOLIDAY_HEADERS: tuple[str, ...] = tuple(_nfc(h) for h in ("Ngày", "Tên ngày lễ", "Loại"))


def _holidays_of(year: int) -> list[tuple[dt.date, str, str]]:
    """(date, name, kind word) of one year: the table above, else the fixed-date holidays that
    fall on a weekday (the lunar ones are unknown to the generator)."""
    if year in _HOLIDAY_TABLE:
        rows = [(dt.date.fromisoformat(d), n, k) for d, n, k in _HOLIDAY_TABLE[year]]
    else:
        fixed = ((1, 1, "new_year"), (4, 30, "reunification"), (5, 1, "labour"), (9, 2, "national"))
        rows = [(dt.date(year, m, d), n, "holiday") for m, d, n in fixed if dt.date(year, m, d).weekday() < 5]
    out = []
    for d, name, kind in rows:
        label = _HOLIDAY_NAMES[name]
        if kind == "compensatory_day_off":
            label = f"Nghỉ bù {label}"
        elif kind == "makeup_working_day":
            label = f"Làm bù (hoán đổi ngày nghỉ {label})"
        out.append((d, _nfc(label), _nfc(_HOLIDAY_KIND_WORDS[kind])))
    return out


TARGET_FIELDS: tuple[str, ...] = ("year", "scope", "indicator_code", "comparator", "value", "target_group",
                                  "unit_category", "second_value", "note")
# Comparators are written with the contract's Vietnamese words (``từ`` = >=, ``dưới`` = <,
# ``tăng điểm phần trăm`` = increase_pp, ``tỷ lệ đơn vị`` = share_of_units). ``target_group``
# holds a comma-separated list of procedure groups; a leading ``!`` means "all procedures except".
_TARGETS_2022_PLAN: tuple[tuple[str, str, str, str, str, str, str, str], ...] = (
    ("city", "ON_TIME_REPORT", "từ", "98", "!land,investment,complaints", "", "",
     "Tỷ lệ giải quyết hồ sơ TTHC đúng hạn từ 98% trở lên (trừ đất đai, đầu tư, khiếu nại, tố cáo)"),
    ("city", "LATE_RATE", "dưới", "4", "land,investment,complaints", "", "",
     "Tỷ lệ hồ sơ trễ hạn lĩnh vực đất đai, đầu tư, khiếu nại, tố cáo dưới 4%"),
    ("unit", "ON_TIME_REPORT", "tỷ lệ đơn vị", "80", "", "land_registry_branch", "97",
     "Trên 80% Chi nhánh Văn phòng đăng ký đất đai giải quyết hồ sơ đúng hạn từ 97%"),
    ("city", "ONLINE_SHARE_ELIGIBLE", "tăng điểm phần trăm", "10", "", "", "",
     "Tăng 10% tỷ lệ hồ sơ xử lý trực tuyến so với năm trước"),
    ("city", "SATISFACTION_RATE", "từ", "95", "", "", "",
     "Mức độ hài lòng của cá nhân, tổ chức đạt từ 95% trở lên"),
    ("city", "IDX_5_2", "từ", "100", "", "", "",
     "100% phản ánh, kiến nghị được xử lý và phản hồi đầy đủ, đúng hạn"),
    ("city", "FEEDBACK_PUBLISHED", "từ", "100", "", "", "",
     "Công khai 100% kết quả giải quyết phản ánh, kiến nghị"),
    ("department", "DIGITIZED_RESULT_RATE", "từ", "30", "", "", "",
     "Số hóa kết quả giải quyết TTHC cấp sở, ban, ngành tối thiểu 30%"),
    ("district", "DIGITIZED_RESULT_RATE", "từ", "20", "", "", "",
     "Số hóa kết quả giải quyết TTHC cấp huyện tối thiểu 20%"),
    ("commune", "DIGITIZED_RESULT_RATE", "từ", "15", "", "", "",
     "Số hóa kết quả giải quyết TTHC cấp xã tối thiểu 15%"),
    ("city", "DOC_ELECTRONIC_RATE", "từ", "100", "", "", "",
     "100% văn bản trao đổi dưới dạng điện tử (trừ văn bản mật)"),
    ("city", "EMAIL_LEADER_REGULAR", "từ", "100", "", "", "",
     "100% lãnh đạo sử dụng thư điện tử công vụ thường xuyên"),
    ("city", "APOLOGY_COVERAGE", "từ", "100", "", "", "",
     "100% hồ sơ trễ hạn có văn bản xin lỗi"),
)
SELF_ASSESSMENT_HEADERS: tuple[str, ...] = tuple(_nfc(h) for h in (
    "Năm", "Kỳ báo cáo", "Mã đơn vị", "Mã chỉ số", "Giá trị", "Minh chứng"))


def _self_assessment_rows(months: Sequence[str], seed: int) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for year in sorted({int(m[:4]) for m in months}):
        rng = random.Random(f"cchc-self-assessment:{seed}:{year}")
        ms = [m for m in months if int(m[:4]) == year]
        for q in sorted({(int(m[5:7]) - 1) // 3 + 1 for m in ms}):
            n = rng.randint(20, 300)
            out.append((str(year), f"{year}-Q{q}", "HCM", "IDX_1_1", _vn_decimal(rng.choice((5.5, 6, 6))),
                        f"Báo cáo số {n}/BC-UBND về công bố, công khai thủ tục hành chính quý {q}/{year}"))
            out.append((str(year), f"{year}-Q{q}", "HCM", "IDX_1_2", _vn_decimal(rng.choice((3.5, 4, 4))),
                        f"Báo cáo số {n}/BC-UBND, mục II.1"))
            out.append((str(year), f"{year}-Q{q}", "HCM", "IDX_1_3", _vn_decimal(rng.choice((1.5, 2))),
                        f"Báo cáo số {n}/BC-UBND, mục II.2"))
        out.append((str(year), ms[0], "Q1", "IDX_4_X", _vn_decimal(round(rng.uniform(1.2, 2.0), 1)),
                    f"Sổ chứng thực bản sao điện tử tháng {ms[0][5:7]}/{year}"))
        # PAR Index: the eight areas' self-assessed points per unit, 70-100 % of each area's maximum
        for unit in ("STP", "STNMT", "SKHDT", "Q1", "Q3", "CC"):
            for area in load_methodology().par_areas:
                out.append((str(year), str(year), unit, area.code, _vn_decimal(round(area.max * rng.uniform(0.7, 1.0), 2)),
                            f"Báo cáo tự đánh giá số {rng.randint(10, 400)}/BC-{_org_sign(unit)} năm {year}, lĩnh vực {area.name_vi}"))
    return [tuple(_nfc(v) for v in r) for r in out]


def _write_plan_reference(out: Path, months: Sequence[str], seed: int, manifest: SampleManifest) -> None:
    """``reference/holidays.csv``, ``reference/targets.csv`` and ``reference/self_assessment.csv``."""
    ref = out / "reference"
    years = sorted({int(m[:4]) for m in months})
    hol = [(d.strftime("%d/%m/%Y"), name, kind) for y in years for d, name, kind in _holidays_of(y)]
    _, skipped = _write_csv_table(ref / "holidays.csv", HOLIDAY_HEADERS, hol)
    manifest._add("reference/holidays.csv", len(hol), skipped)

    targets = [(str(y), scope, code, _nfc(comp), value, group, cat, second, _nfc(note))
               for y in years for scope, code, comp, value, group, cat, second, note in _TARGETS_2022_PLAN]
    _, skipped = _write_csv_table(ref / "targets.csv", TARGET_FIELDS, targets, bom=False, terminator="\n")
    manifest._add("reference/targets.csv", len(targets), skipped)

    sa = _self_assessment_rows(months, seed)
    _, skipped = _write_csv_table(ref / "self_assessment.csv", SELF_ASSESSMENT_HEADERS, sa)
    manifest._add("reference/self_assessment.csv", len(sa), skipped)


def write_sample_landing(out_dir: str | Path, start_month: str, end_month: str, rows_per_month: int = 2000,
                         seed: int = 7) -> SampleManifest:
    """Write reference data and the monthly exports of every source under ``out_dir``.

    ``rows_per_month`` is the number of new dossiers submitted per month across both systems;
    each dossier file also carries the dossiers still open at the end of the previous month.
    The other sources scale with it (ratings follow the resolved dossiers; feedback items,
    documents) except e-mail, which has one row per official account.
    """
    months = _month_range(start_month, end_month)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    manifest = SampleManifest(out_dir=out, months=months, seed=seed, rows_per_month=rows_per_month)
    _write_reference(out, seed, manifest)
    _write_plan_reference(out, months, seed, manifest)
    n_feedback = max(20, rows_per_month // 25)
    n_documents = max(24, rows_per_month // 8)

    active: list[_Dossier] = []
    feedback: list[_Feedback] = []
    first_sim = _shift_month(start_month, -2)
    for sim_month in [first_sim, _shift_month(start_month, -1)] + months:
        _, prev_end = _month_bounds(_shift_month(sim_month, -1))
        _, end = _month_bounds(sim_month)
        active = [d for d in active if d.term_at is None or d.term_at > prev_end]
        active.extend(_new_dossiers(sim_month, rows_per_month, seed))
        if sim_month != first_sim:  # feedback: one month of backlog is enough (answered within ~1 month)
            feedback = [f for f in feedback if f.closed_at > prev_end]
            feedback.extend(_new_feedback(sim_month, n_feedback, seed))
        if sim_month not in months:
            continue
        dossier_rows: dict[str, tuple[list[dict[str, Any]], dict[int, tuple[str, str]]]] = {}
        for system in _SYSTEMS:
            rows = []
            for d in active:
                if d.system != system:
                    continue
                snap = _snapshot(d, end)
                if snap is None:
                    continue
                snap["_id_for_url"] = d.dossier_id.replace(".", "_")
                rows.append(snap)
            rows.sort(key=lambda r: (r["received_at"] or dt.datetime.max, r["dossier_id"]))
            bad = _plant_bad_rows(rows, system, sim_month, seed)
            rel = f"dossiers/{sim_month}/{_file_name(system, sim_month)}"
            path = out / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if system == "igate":
                n, skipped, bad_out = _write_igate(path, rows, bad, sim_month, seed)
            else:
                n, skipped, bad_out = _write_vnpt(path, rows, bad)
            manifest._add(rel, n, skipped, bad_out)
            dossier_rows[system] = (rows, bad)
        _write_surveys(out, manifest, sim_month, dossier_rows, seed)
        _write_feedback(out, manifest, sim_month, feedback, seed)
        _write_documents(out, manifest, sim_month, n_documents, seed)
        _write_email(out, manifest, sim_month, seed)
    return manifest


# ---------------------------------------------------------------------------------------
# Bench CSV (vectorised)
# ---------------------------------------------------------------------------------------


def write_bench_csv(path: str | Path, rows: int = 1_000_000, month: str = "2024-01", seed: int = 11,
                    units: list[str] | None = None, procedures: list[str] | None = None,
                    bad_fraction: float = 0.0) -> None:
    """Write one large vnpt-style CSV (UTF-8 with BOM, snake_case header, coded values) for ``month``.

    Vectorised with numpy + pyarrow (no Python loop per row); rows are in received order.
    ``units``/``procedures`` default to the sample reference (``receiving_unit_codes()``,
    ``active_procedure_codes()``); each procedure goes to one of its owning units when that
    unit is in ``units``, else to any of ``units``; unknown procedure codes get weight 1,
    5 working days and no name. ``bad_fraction`` (default 0) of the rows get
    ``received_at = "abc"``; otherwise there are no bad rows, every event timestamp is within
    the month and every ``dossier_id`` is unique. Unlike the sample exports, only
    ``received_at`` is in working hours (the other timestamps are interpolated).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n = int(rows)
    if n < 0:
        raise ValueError("rows must be >= 0")
    rng = np.random.default_rng(seed)
    m0, m1 = _month_bounds(month)

    # procedures and units -------------------------------------------------------------
    by_code = {p.procedure_code: p for p in PROCEDURES}
    proc_codes = list(procedures) if procedures else active_procedure_codes()
    unit_codes = list(units) if units else receiving_unit_codes()
    if not proc_codes or not unit_codes:
        raise ValueError("units and procedures must not be empty")
    known = [by_code.get(c) for c in proc_codes]
    weights = np.array([(k.weight if k is not None and k.weight > 0 else 1.0) for k in known], dtype=float)
    weights /= weights.sum()
    p_online = np.array([{_F: 0.62, _PA: 0.4, _N: 0.0}[k.online_service_level] if k else 0.5 for k in known])
    p_fee = np.array([k.fee_required if k else False for k in known])
    unit_kind = {_WD: 0, _DAYS: 1, _H: 2, _M: 3}
    p_sunit = np.array([unit_kind[k.statutory_unit] if k else 0 for k in known])
    p_sdays = np.array([k.statutory_days if k else 5 for k in known], dtype=float)
    p_org = np.array([k.org_applicant if k else 0.0 for k in known])
    uset = {c: i for i, c in enumerate(unit_codes)}
    cands = []
    for k in known:
        c = [uset[u] for u in (k.owners if k else ()) if u in uset]
        cands.append(c or list(range(len(unit_codes))))
    width = max(len(c) for c in cands)
    cand_tab = np.array([c + [c[0]] * (width - len(c)) for c in cands], dtype=np.int64)
    cand_len = np.array([len(c) for c in cands], dtype=np.int64)

    # row skeleton, sorted by received time so that every derived column is in file order ---
    pidx = rng.choice(len(proc_codes), size=n, p=weights)
    uidx = cand_tab[pidx, (rng.random(n) * cand_len[pidx]).astype(np.int64)]
    days = np.arange(np.datetime64(m0.date()), np.datetime64(m1.date()) + 1, dtype="datetime64[D]")
    wdays = days[np.is_busday(days, holidays=_HOLIDAYS_NP)]
    if len(wdays) == 0:
        wdays = days
    rday = wdays[rng.integers(0, len(wdays), n)]
    minute = rng.integers(0, 480, n)
    tod = np.where(minute < 240, 7 * 3600 + 1800 + minute * 60, 13 * 3600 + (minute - 240) * 60)
    tod = tod + rng.integers(0, 60, n)
    received = rday.astype("datetime64[s]") + tod.astype("timedelta64[s]")
    order = np.argsort(received, kind="stable")
    pidx, uidx, rday, tod, received = pidx[order], uidx[order], rday[order], tod[order], received[order]
    del order

    # due_at ------------------------------------------------------------------------------
    sunit, sdays = p_sunit[pidx], p_sdays[pidx]
    hol = _HOLIDAYS_NP
    wd_due = np.busday_offset(rday, np.where(sunit == 0, sdays, 0).astype(np.int64), roll="forward", holidays=hol)
    cal_due = np.busday_offset(rday + np.where(sunit == 1, sdays, 0).astype("timedelta64[D]"), 0,
                               roll="forward", holidays=hol)
    mon_due = np.busday_offset(rday + np.where(sunit == 3, sdays * 30, 0).astype("timedelta64[D]"), 0,
                               roll="forward", holidays=hol)
    hr_due = np.busday_offset(rday, np.where(sunit == 2, np.ceil(sdays / 8), 0).astype(np.int64),
                              roll="forward", holidays=hol)
    due_day = np.select([sunit == 0, sunit == 1, sunit == 3], [wd_due, cal_due, mon_due], hr_due)
    due = due_day.astype("datetime64[s]") + tod.astype("timedelta64[s]")
    span = (due - received).astype(np.int64)  # seconds

    # outcome at the end of the month ------------------------------------------------------
    online = rng.random(n) < p_online[pidx]
    postal = ~online & (rng.random(n) < 0.09)
    u = rng.random(n)
    rejected = u < np.where(online, 0.035, 0.012)
    withdrawn = ~rejected & (u < 0.055)
    stuck = ~rejected & ~withdrawn & (u < 0.065)
    late = rng.random(n) < 0.015
    frac = np.where(late, rng.uniform(1.05, 1.8, n), np.minimum(0.97, rng.beta(2.0, 2.8, n)))
    frac = np.where(rejected, rng.uniform(0.02, 0.2, n), frac)
    frac = np.where(withdrawn, rng.uniform(0.1, 0.8, n), frac)
    term = received + (span * frac).astype("timedelta64[s]")
    month_end = np.datetime64(m1, "s")
    closed = ~stuck & (term <= month_end)
    ret_lag = np.where(online, rng.integers(60, 3 * 3600, n), rng.integers(3600, 5 * 86400, n))
    returned_at = term + ret_lag.astype("timedelta64[s]")
    resolvedish = closed & ~rejected & ~withdrawn
    is_returned = resolvedish & (returned_at <= month_end) & (rng.random(n) < 0.88)
    sc = rng.choice(3, size=n, p=[0.875, 0.11, 0.015])
    sc = np.where(rejected | withdrawn, 0, sc)
    horizon = np.where(closed, term, month_end)
    req = received + ((horizon - received).astype(np.int64) * rng.uniform(0.2, 0.6, n)).astype("timedelta64[s]")
    comp = req + ((horizon - req).astype(np.int64) * rng.uniform(0.2, 0.9, n)).astype("timedelta64[s]")
    awaiting = ~closed & (sc > 0) & (rng.random(n) < 0.5)
    suspended = ~closed & ~awaiting & (rng.random(n) < 0.03)

    # status codes of the national interface
    st = np.where(rng.random(n) < 0.15, 2, 4)
    st = np.where(awaiting, 5, st)
    st = np.where(suspended, np.where(p_fee[pidx], 6, 8), st)
    st = np.where(closed & rejected, 3, st)
    st = np.where(closed & withdrawn, 7, st)
    st = np.where(resolvedish, 9, st)
    st = np.where(is_returned, 10, st)
    apology = np.where(resolvedish & (term > due), rng.random(n) < 0.85,
                       ~closed & (month_end > due) & (rng.random(n) < 0.35))
    channel = np.where(online, 1, np.where(postal, 2, 0))  # index into ("1", "2", "3")
    result_channel = np.where(online, np.where(rng.random(n) < 0.5, 1, 0),
                              np.where(postal, 2, np.where(rng.random(n) < 0.88, 0, 2)))

    # dossier ids: per (unit, day) sequence in time order ------------------------------------
    day_num = (rday - np.datetime64(m0.date())).astype(np.int64)
    grp = uidx * 64 + day_num
    gorder = np.argsort(grp, kind="stable")  # stable: keeps time order within a group
    g_sorted = grp[gorder]
    starts = np.r_[0, np.flatnonzero(np.diff(g_sorted)) + 1] if n else np.array([], dtype=np.int64)
    run_start = np.repeat(starts, np.diff(np.r_[starts, n]))
    seq = np.empty(n, dtype=np.int64)
    seq[gorder] = np.arange(n) - run_start + 1
    del gorder, g_sorted, run_start
    pad = max(4, len(str(int(seq.max()))) if n else 4)
    unit_num = [_UNIT_NUM.get(c, 90 + i % 10) for i, c in enumerate(unit_codes)]

    # applicants ------------------------------------------------------------------------------
    female = rng.random(n) < 0.5
    fam_idx = rng.choice(len(_FAMILY), n, p=np.array(_FAMILY_W, dtype=float) / sum(_FAMILY_W))
    mid_idx = rng.integers(0, len(_MIDDLE_M), n)
    giv_idx = rng.integers(0, len(_GIVEN_M), n)
    org = rng.random(n) < p_org[pidx]
    org_idx = (rng.integers(0, len(_ORG_FORMS), n), rng.integers(0, len(_ORG_WORDS), n),
               rng.integers(0, len(_ORG_NAMES), n))
    year = rng.integers(1950, 2006, n)
    cg = np.where(year >= 2000, 2, 0) + female.astype(np.int64)
    cccd_num = 79 * 10**9 + cg * 10**8 + (year % 100) * 10**6 + rng.integers(0, 10**6, n)
    tax_num = 3 * 10**8 + rng.integers(0, 10**8, n)
    phone_num = 9 * 10**8 + rng.integers(0, 10**8, n)
    no_phone = rng.random(n) < 0.04
    flags = {
        "paid_online": p_fee[pidx] & online & (rng.random(n) < 0.7),
        "digitized_input": rng.random(n) < 0.86,
        "digitized_result": resolvedish & (rng.random(n) < 0.72),
        "synced_national_portal": rng.random(n) < 0.95,
        "e_result": resolvedish & (rng.random(n) < np.where(online, 0.8, 0.4)),
        "data_reused": rng.random(n) < np.where(online, 0.35, 0.12),
        "citizen_store_linked": rng.random(n) < np.where(online, 0.18, 0.03),
        "population_data_used": rng.random(n) < np.where(online, 0.45, 0.2),
    }
    bad = rng.random(n) < bad_fraction if bad_fraction > 0 else np.zeros(n, dtype=bool)

    # text assembly, chunk by chunk -------------------------------------------------------------
    def quoted(values: Iterable[str]) -> list[str]:
        return [f'"{v.replace(chr(34), chr(34) * 2)}"' if ("," in v or '"' in v or "\n" in v) else v
                for v in values]

    def lookup(values: Sequence[str], idx: np.ndarray) -> pa.Array:
        return pa.array(quoted(values), type=pa.string()).take(pa.array(idx))

    def ts(a: np.ndarray, mask: np.ndarray | None) -> pa.Array:
        arr = pa.array(a.astype(np.int64), mask=mask).cast(pa.timestamp("s"))
        return pc.fill_null(pc.replace_substring(pc.cast(arr, pa.string()), " ", "T"), "")

    def digits(a: np.ndarray, width: int) -> pa.Array:
        return pc.utf8_lpad(pc.cast(pa.array(a), pa.string()), width, "0")

    def b01(a: np.ndarray) -> pa.Array:
        return pc.cast(pa.array(a.astype(np.int8)), pa.string())

    proc_names = [k.name if k else "" for k in known]
    proc_fields = [k.field_name if k else "" for k in known]
    levels = [_CODES["online_service_level"][k.online_service_level] if k else "2" for k in known]
    id_prefix = [f"000.00.{k}.H29-" for k in unit_num]
    ymd = np.datetime_as_string(wdays, unit="D")
    yymmdd = [f"{d[2:4]}{d[5:7]}{d[8:10]}-" for d in ymd]
    wday_idx = np.searchsorted(wdays, rday)
    codes3 = ["1", "2", "3"]

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    chunk = 200_000
    with open(path, "wb") as fh:
        fh.write(b"\xef\xbb\xbf" + (",".join(DOSSIER_FIELDS) + "\r\n").encode("utf-8"))
        for lo in range(0, n, chunk):
            sl = slice(lo, min(n, lo + chunk))
            P, U = pidx[sl], uidx[sl]
            rec_txt = ts(received[sl], None)
            if bad[sl].any():
                rec_txt = pc.if_else(pa.array(bad[sl]), pa.scalar("abc"), rec_txt)
            fem = pa.array(female[sl])
            person = pc.binary_join_element_wise(
                lookup(_FAMILY, fam_idx[sl]),
                pc.if_else(fem, lookup(_MIDDLE_F, mid_idx[sl]), lookup(_MIDDLE_M, mid_idx[sl])),
                pc.if_else(fem, lookup(_GIVEN_F, giv_idx[sl]), lookup(_GIVEN_M, giv_idx[sl])), " ")
            company = pc.binary_join_element_wise(
                lookup(_ORG_FORMS, org_idx[0][sl]), lookup(_ORG_WORDS, org_idx[1][sl]),
                lookup(_ORG_NAMES, org_idx[2][sl]), " ")
            o = pa.array(org[sl])
            cols = {
                "dossier_id": pc.binary_join_element_wise(
                    lookup(id_prefix, U), lookup(yymmdd, wday_idx[sl]), digits(seq[sl], pad), ""),
                "procedure_code": lookup(proc_codes, P),
                "procedure_name": lookup(proc_names, P),
                "field_name": lookup(proc_fields, P),
                "unit_code": lookup(unit_codes, U),
                "channel": lookup(codes3, channel[sl]),
                "online_service_level": lookup(levels, P),
                "received_at": rec_txt,
                "due_at": ts(due[sl], None),
                "resolved_at": ts(term[sl], ~closed[sl]),
                "returned_at": ts(returned_at[sl], ~is_returned[sl]),
                "status": pc.cast(pa.array(st[sl]), pa.string()),
                "result_channel": lookup(codes3, result_channel[sl]),
                "apology_sent": b01(apology[sl]),
                "fee_required": b01(p_fee[P]),
                "supplement_count": pc.cast(pa.array(sc[sl]), pa.string()),
                "supplement_requested_at": ts(req[sl], ~(sc[sl] > 0)),
                "supplement_completed_at": ts(comp[sl], ~((sc[sl] > 0) & ~awaiting[sl])),
                "applicant_name": pc.if_else(o, company, person),
                "applicant_id": pc.if_else(o, digits(tax_num[sl], 10), digits(cccd_num[sl], 12)),
                "applicant_phone": pc.if_else(pa.array(no_phone[sl]), pa.scalar(""), digits(phone_num[sl], 10)),
            }
            for f, v in flags.items():
                cols[f] = b01(v[sl])
            line = pc.binary_join_element_wise(*[cols[f] for f in DOSSIER_FIELDS], ",")
            body = pc.binary_join_element_wise(line, pa.scalar("\r\n"), "")
            offsets = np.frombuffer(body.buffers()[1], dtype=np.int32)[body.offset: body.offset + len(body) + 1]
            fh.write(memoryview(body.buffers()[2])[offsets[0]:offsets[-1]])


def write_bench_landing(out_dir: str | Path, rows: int = 1_000_000, month: str = "2024-01", seed: int = 11) -> Path:
    """Reference files + ``dossiers/<month>/vnpt__bench.csv`` under ``out_dir``; returns the CSV path."""
    out = Path(out_dir)
    write_reference(out, seed)
    path = out / "dossiers" / month / "vnpt__bench.csv"
    write_bench_csv(path, rows=rows, month=month, seed=seed)
    return path


# ---------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    import argparse
    import json
    import time

    ap = argparse.ArgumentParser(prog="python -m cchc_etl.sample", description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("start_month", nargs="?")
    ap.add_argument("end_month", nargs="?")
    ap.add_argument("--rows", type=int, default=None, help="rows per month (sample) or total rows (bench)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--bench", action="store_true", help="write a bench landing (reference + one big CSV)")
    ap.add_argument("--month", default="2024-01", help="bench month")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    if a.bench:
        p = write_bench_landing(a.out_dir, rows=a.rows or 1_000_000, month=a.month,
                                seed=11 if a.seed is None else a.seed)
        print(f"wrote {p} in {time.perf_counter() - t0:.1f}s")
        return 0
    if not a.start_month:
        ap.error("start_month is required (YYYY-MM)")
    m = write_sample_landing(a.out_dir, a.start_month, a.end_month or a.start_month,
                             rows_per_month=a.rows or 2000, seed=7 if a.seed is None else a.seed)
    print(json.dumps({"files": m.files, "data_rows": m.data_rows,
                      "bad_rows": {k: v for k, v in m.bad_rows.items() if v}}, ensure_ascii=False, indent=1))
    print(f"done in {time.perf_counter() - t0:.1f}s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
