"""Hand-made landing tree for ``tests/integration/test_e2e_handmade.py``.

This module writes, at test time, a small landing area that the implementation's own
generator did not make: four dossier exports in four different containers / encodings /
header spellings, plus the two reference files.  Every expected figure in the e2e test was
derived BY HAND from the table below (see the test module for the per-unit tables).

Org tree (reference/org_units.csv, all valid_from 2015-01-01)::

    TP  city root
    ├── STP      department  Sở Tư pháp
    ├── SNN      department  Sở Nông nghiệp và Phát triển nông thôn
    │   └── SNN_CN1  unit    (parent SNN)
    ├── SYT      department  Sở Y tế              -- no dossiers at all: zero rows
    └── Q1       district    (department level, parent TP)
        ├── Q1P1 commune
        ├── Q1P2 commune
        └── Q1P3 commune, valid_to 2023-06-30, successor Q1P2 -- NOT in force in 2024: no rows

Procedure catalogue (reference/procedures.csv)::

    PA 1.000001.000.00.00.H29  online full     -> eligible for ONLINE_SHARE_ELIGIBLE
    PB 1.000002.000.00.00.H29  online partial  -> eligible
    PC 1.000003.000.00.00.H29  online none     -> NOT eligible (whatever the dossier says)
    PD 1.000004.000.00.00.H29  online full     -> eligible
    PX 2.000099.000.00.00.H29  NOT in the catalogue -> falls back to the dossier's own
                                "Mức độ" field (both PX dossiers say partial -> eligible)

Files (row = physical row as a spreadsheet shows it)::

    dossiers/2024-01/igate__jan.xlsx  XLSX, 2 title rows, blank row 3, header row 4 (Vietnamese
                                      with diacritics), data rows 5-23, "Tổng cộng" row 24.
                                      rows_read 24 = loaded 17 + quarantined 2 + skipped 5
    dossiers/2024-01/vnpt__jan.csv    UTF-16LE with BOM, TAB separated, CRLF; header line 1 in
                                      upper case without diacritics; national interface codes
                                      (channel 1/2/3, level 4/3/2, status 1-10); dates mixed
                                      "dd/mm/yyyy HH:MM:SS" and ISO "yyyy-mm-ddTHH:MM:SS".
                                      rows_read 15 = loaded 13 + quarantined 1 + skipped 1
    dossiers/2024-02/igate__feb.csv   Windows-1258, comma separated, CRLF; Vietnamese header on
                                      line 1 with tone marks as combining characters (the
                                      decomposed form cp1258 produces); dates "dd/mm/yyyy HH:MM".
                                      rows_read 15 = loaded 12 + quarantined 2 + skipped 1
    dossiers/2024-02/vnpt__feb.xls    XLS (xlwt / BIFF8), title row 1, header row 2 (other
                                      aliases), data rows 3-13, "Tổng cộng" row 14; real date
                                      cells, two received dates as text "dd-mm-yyyy HH:MM".
                                      rows_read 14 = loaded 10 + quarantined 1 + skipped 3
    reference/org_units.csv           UTF-8, header + 9 units  (rows_read 10, loaded 9, skipped 1)
    reference/procedures.csv          UTF-8, header + 4 procs  (rows_read 5, loaded 4, skipped 1)

Master table of dossiers.  ch = channel (D direct, O online, P postal); dates are 2024
unless marked; "JanRPT"/"FebRPT" = where the dossier counts in marts.period_report for the
month (co carried_over, rc received, E early, T on time, L late, WR withdrawn/rejected,
PW pending within, PO pending overdue, - nowhere); ap = apology_sent, dg = digitized_result;
el = counts in ONLINE_SHARE_ELIGIBLE's denominator.

System igate — January row in igate__jan.xlsx (row n), February row in igate__feb.csv (row n)::

  id      unit     proc ch  received      due          resolved      status(Jan→Feb)      ap dg el JanRPT    FebRPT
  G01     STP      PA   O   01-03 09:00   01-10 17:00  01-08 10:00   returned             .  y  y  rc E      -
  G02     STP      PA   D   01-04 08:00   01-12 17:00  01-12 15:00   resolved             .  y  y  rc T      -
  G03     STP      PB   D   01-05 08:30   01-15 17:00  01-17 09:00   resolved             y  n  y  rc L      -
  G04     STP      PB   P   01-08 08:00   01-22 17:00  01-09 10:00   rejected             .  .  y  rc WR     -
  G05     STP      PA   O   2023-12-20    01-05 17:00  01-04 11:00   returned             .  y  -  co E      -
  G06     STP      PC   D   2023-12-15    2023-12-22   2023-12-21    returned             .  y  -  -(closed before Jan)  -
  G07     STP      PA   O   01-22 09:00   02-05 17:00  Feb: 02-02    processing→resolved  .  y  y  rc PW     co E
  G08     STP      PB   D   01-10 08:00   01-24 17:00  Feb: 02-06    awaiting→returned    y  n  y  rc PO     co L
  HS-C01  STP      PA   O   01-10 09:00   01-17 17:00  01-16 14:00   returned             .  n  y  rc E      -
  G09     SNN      PB   O   01-15 10:00   01-29 17:00  01-29 08:00   resolved             .  n  y  rc T      -
  G10     SNN      PA   D   01-16 08:00   01-30 17:00  01-31 16:00   resolved             n  y  y  rc L      -
  G11     SNN      PC   D   01-25 08:00   01-31 17:00  -             processing→suspended n  .  n  rc PW     co PO
  G12     SNN      PB   O   01-19 08:00   01-30 17:00  01-20 09:00   withdrawn            .  .  y  rc WR     -
  G13     SNN_CN1  PA   O   01-09 14:00   01-15 17:00  01-15 06:30   returned             .  y  y  rc T (*tz) -
  G14     SNN_CN1  PA   O   01-29 08:00   02-07 17:00  -             processing (no Feb row) . . y  rc PW     co PO
  G15     SNN_CN1  PB   P   01-30 08:00   02-14 17:00  Feb: 02-14 10 processing→returned   .  y  y  rc PW     co T
  G16     SNN_CN1  PX   O   01-31 23:45   02-05 17:00  Feb: 02-05 09 processing→returned   .  n  y* rc PW     co T
  G17     STP      PA   O   02-01 06:00   02-08 17:00  02-07 10:00   returned (Feb only)  .  y  y  -         rc E (*tz)
  G18     STP      PB   D   02-05 08:00   02-19 17:00  02-20 10:00   resolved             n  n  y  -         rc L
  G19     SNN      PA   O   02-12 08:00   02-26 17:00  -             processing           y  .  y  -         rc PO
  G20     SNN      PB   P   02-20 08:00   03-05 17:00  -             processing           .  .  y  -         rc PW
  G21     SNN_CN1  PA   D   02-26 08:00   02-29 17:00  -             awaiting_supplement  .  .  y  -         rc PW (leap day)
  G22     SNN_CN1  PC   O   02-08 08:30   02-09 17:00  02-08 14:00   rejected (says full) .  n  n  -         rc WR
  G23     SNN      PC   D   02-13 08:00   02-16 17:00  02-16 11:00   resolved             .  y  n  -         rc T

System vnpt — January row in vnpt__jan.csv, February row in vnpt__feb.xls::

  id      unit     proc ch  received      due          resolved      status(Jan→Feb)      ap dg el JanRPT    FebRPT
  V01     Q1       PB   D   01-02 08:00   01-09 17:00  01-08 16:00   10 returned          .  y  y  rc E      -
  V02     Q1       PB   O   01-11 08:00   01-18 17:00  01-19 10:00   9 resolved           n  n  y  rc L      -
  V03     Q1       PA   P   01-12 09:00   01-26 17:00  -             5 awaiting→processing y  .  y  rc PO     co PO
  V04     Q1       PB   D   2023-12-28    01-11 17:00  Feb: 02-01    4 processing→returned n→y y y  co PO    co L
  V05     Q1       PC   D   (blank)       (blank)      -             1 submitted          .  .  .  -       -
  V06     Q1P1     PD   O   01-05 08:00   01-08 17:00  01-08 09:00   9 resolved           .  y  y  rc T      -
  V07     Q1P1     PC   D   01-15 08:00   01-16 17:00  01-15 16:00   10 returned (says 4) .  n  n  rc E      -
  HS-C01  Q1P1     PD   O   01-24 09:00   02-02 17:00  Feb: 02-01 15 2 processing→resolved .  n  y  rc PW     co E
  V08     Q1P1     PD   D   01-17 08:00   01-18 17:00  01-17 15:00   3 rejected           .  .  y  rc WR     -
  V09     Q1P2     PC   D   2023-12-29    01-03 17:00  01-03 11:00   10 returned          .  y  -  co T      -
  V10     Q1P2     PD   O   01-30 08:00   01-31 17:00  Feb: 02-09    8 suspended→withdrawn .  .  y  rc PW     co WR
  V11     Q1P2     PB   O   01-18 08:00   01-25 17:00  01-29 10:00   10 returned (says 2) y  n  y  rc L      -
  V12     STP      PA   P   01-23 08:00   01-30 17:00  01-26 10:00   9 resolved           .  y  y  rc E      -
  V13     Q1       PB   D   02-02 08:00   02-09 17:00  02-09 14:00   returned (Feb only)  .  y  y  -         rc T
  V14     Q1P1     PD   O   02-19 08:00   02-22 17:00  02-21 10:00   resolved             .  y  y  -         rc E
  V15     Q1P1     PD   P   02-27 08:00   03-01 17:00  -             processing           .  .  y  -         rc PW
  V16     Q1P2     PC   D   02-14 08:00   02-15 17:00  02-16 09:00   returned (Mức độ 2)  n  n  n  -         rc L
  V17     Q1P2     PX   O   02-22 08:00   02-28 17:00  -             awaiting_supplement  n  .  y* -         rc PO
  V18     Q1       PB   D   02-28 08:00   (blank)      -             submitted            .  .  .  -         -

  (*) el via the dossier's own level (PX is not in the catalogue).
  (*tz) local Asia/Ho_Chi_Minh time before 07:00: converting to UTC would move the date.
  HS-C01 exists in BOTH systems (different dossiers): the key is (system, dossier_id).
  G14 has no February row: its January state (open, due 02-07) stands for February.

Planted bad rows (each with exactly one problem; quarantined, counted nowhere)::

  IG-B1   igate__jan.xlsx row 12  status "Lưu trữ" (unknown word)        -> column status
  IG-B2   igate__jan.xlsx row 18  resolved_at 2024-02-03 in a Jan file    -> column resolved_at
  VN-B3   vnpt__jan.csv   row 11  resolved 01-19 before received 01-20    -> column resolved_at
  IG-B4   igate__feb.csv  row 7   received "31/02/2024"                   -> column received_at
  (blank) igate__feb.csv  row 12  dossier_id missing                      -> column dossier_id
  VN-B6   vnpt__feb.xls   row 8   unit_code XX99 not in org_units         -> column unit_code

Every dossier row carries an applicant name, ID number and phone (PII); ``PII_VALUES`` lists
them so the test can check that none reaches the warehouse in clear text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
import unicodedata
from pathlib import Path

# --------------------------------------------------------------------------- reference data

PA = "1.000001.000.00.00.H29"
PB = "1.000002.000.00.00.H29"
PC = "1.000003.000.00.00.H29"
PD = "1.000004.000.00.00.H29"
PX = "2.000099.000.00.00.H29"  # deliberately absent from the catalogue

PROC_NAMES = {
    PA: "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam",
    PB: "Cấp giấy phép khai thác, sử dụng nước mặt",
    PC: "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
    PD: "Đăng ký khai sinh",
    PX: "Thủ tục đặc thù của địa phương (chưa có trong danh mục)",
}

ORG_UNITS_HEADER = [
    "unit_code", "name", "level", "parent_code", "valid_from", "valid_to", "successor_code", "category",
]
ORG_UNITS = [
    ["TP", "Ủy ban nhân dân Thành phố", "city", "", "2015-01-01", "", "", ""],
    ["STP", "Sở Tư pháp", "department", "TP", "2015-01-01", "", "", ""],
    ["SNN", "Sở Nông nghiệp và Phát triển nông thôn", "department", "TP", "2015-01-01", "", "", ""],
    ["SYT", "Sở Y tế", "department", "TP", "2015-01-01", "", "", ""],
    ["SNN_CN1", "Chi cục Trồng trọt và Bảo vệ thực vật", "unit", "SNN", "2015-01-01", "", "", "sub_department"],
    ["Q1", "Ủy ban nhân dân Quận 1", "district", "TP", "2015-01-01", "", "", ""],
    ["Q1P1", "Ủy ban nhân dân Phường Bến Nghé", "commune", "Q1", "2015-01-01", "", "", ""],
    ["Q1P2", "Ủy ban nhân dân Phường Bến Thành", "commune", "Q1", "2015-01-01", "", "", ""],
    ["Q1P3", "Ủy ban nhân dân Phường Đa Kao (cũ)", "commune", "Q1", "2015-01-01", "2023-06-30", "Q1P2", ""],
]

PROCEDURES_HEADER = [
    "procedure_code", "name", "field_name", "level", "online_service_level", "full_online_eligible",
    "fee_required", "result_required", "statutory_days", "statutory_unit", "target_group",
    "valid_from", "valid_to",
]
PROCEDURES = [
    [PA, PROC_NAMES[PA], "Lý lịch tư pháp", "province", "full", "true", "true", "true", "10",
     "working_days", "general", "2015-01-01", ""],
    [PB, PROC_NAMES[PB], "Tài nguyên nước", "province", "partial", "false", "true", "true", "15",
     "working_days", "general", "2015-01-01", ""],
    [PC, PROC_NAMES[PC], "Chứng thực", "commune", "none", "false", "true", "true", "1",
     "working_days", "general", "2015-01-01", ""],
    [PD, PROC_NAMES[PD], "Hộ tịch", "commune", "full", "true", "false", "true", "1",
     "working_days", "general", "2015-01-01", ""],
]

# --------------------------------------------------------------------------- dossier rows

D = dt.datetime


def t(month: int, day: int, hour: int = 8, minute: int = 0) -> dt.datetime:
    """A 2024 local timestamp."""
    return D(2024, month, day, hour, minute)


def R(label, dossier_id, unit, proc, ch, lvl, recv, due, res, st, apo=None, dig=None, *,
      code=None, raw=None, text_dates=()):
    """One dossier row as exported.

    ch: direct/online/postal; lvl: dossier's own online level (full/partial/none/None or a
    literal string for the trap values); st: canonical status (None when ``raw`` gives an
    unknown word); code: the national-interface status code used by the UTF-16 file;
    raw: {field: literal cell text} overriding the rendering; text_dates: fields written as
    text instead of date cells (XLS only).
    """
    return dict(label=label, dossier_id=dossier_id, unit=unit, proc=proc, ch=ch, lvl=lvl,
                recv=recv, due=due, res=res, st=st, apo=apo, dig=dig, code=code,
                raw=dict(raw or {}), text_dates=tuple(text_dates))


# igate, January -- igate__jan.xlsx, data rows 5..23 in this order
IGATE_JAN = [
    R("G01", "IG-G01", "STP", PA, "online", "full", t(1, 3, 9), t(1, 10, 17), t(1, 8, 10), "returned", dig=True),
    R("G02", "IG-G02", "STP", PA, "direct", "full", t(1, 4, 8), t(1, 12, 17), t(1, 12, 15), "resolved", dig=True),
    R("G03", "IG-G03", "STP", PB, "direct", "partial", t(1, 5, 8, 30), t(1, 15, 17), t(1, 17, 9), "resolved", apo=True, dig=False),
    R("G04", "IG-G04", "STP", PB, "postal", "partial", t(1, 8, 8), t(1, 22, 17), t(1, 9, 10), "rejected"),
    R("G05", "IG-G05", "STP", PA, "online", "full", D(2023, 12, 20, 9), t(1, 5, 17), t(1, 4, 11), "returned", dig=True),
    R("G06", "IG-G06", "STP", PC, "direct", None, D(2023, 12, 15, 8), D(2023, 12, 22, 17), D(2023, 12, 21, 10), "returned", dig=True),
    R("G07", "IG-G07", "STP", PA, "online", "full", t(1, 22, 9), t(2, 5, 17), None, "processing"),
    R("B1", "IG-B1", "SNN", PB, "direct", "partial", t(1, 11, 8), t(1, 25, 17), t(1, 24, 10), None, raw={"status": "Lưu trữ"}),
    R("G08", "IG-G08", "STP", PB, "direct", "partial", t(1, 10, 8), t(1, 24, 17), None, "awaiting_supplement", apo=True),
    R("C01i", "HS-C01", "STP", PA, "online", "full", t(1, 10, 9), t(1, 17, 17), t(1, 16, 14), "returned", dig=False),
    R("G09", "IG-G09", "SNN", PB, "online", "partial", t(1, 15, 10), t(1, 29, 17), t(1, 29, 8), "resolved", dig=False),
    R("G10", "IG-G10", "SNN", PA, "direct", "full", t(1, 16, 8), t(1, 30, 17), t(1, 31, 16), "resolved", apo=False, dig=True),
    R("G11", "IG-G11", "SNN", PC, "direct", None, t(1, 25, 8), t(1, 31, 17), None, "processing"),
    R("B2", "IG-B2", "STP", PA, "online", "full", t(1, 26, 8), t(2, 9, 17), t(2, 3, 10), "resolved"),
    R("G12", "IG-G12", "SNN", PB, "online", "partial", t(1, 19, 8), t(1, 30, 17), t(1, 20, 9), "withdrawn"),
    R("G13", "IG-G13", "SNN_CN1", PA, "online", "full", t(1, 9, 14), t(1, 15, 17), t(1, 15, 6, 30), "returned", dig=True),
    R("G14", "IG-G14", "SNN_CN1", PA, "online", None, t(1, 29, 8), t(2, 7, 17), None, "processing"),
    R("G15", "IG-G15", "SNN_CN1", PB, "postal", "partial", t(1, 30, 8), t(2, 14, 17), None, "processing"),
    R("G16", "IG-G16", "SNN_CN1", PX, "online", "partial", t(1, 31, 23, 45), t(2, 5, 17), None, "processing"),
]

# vnpt, January -- vnpt__jan.csv (UTF-16), data lines 2..15 in this order
VNPT_JAN = [
    R("V01", "VN-V01", "Q1", PB, "direct", "3", t(1, 2, 8), t(1, 9, 17), t(1, 8, 16), "returned", dig=True, code="10"),
    R("V02", "VN-V02", "Q1", PB, "online", "3", t(1, 11, 8), t(1, 18, 17), t(1, 19, 10), "resolved", apo=False, dig=False, code="9"),
    R("V03", "VN-V03", "Q1", PA, "postal", "4", t(1, 12, 9), t(1, 26, 17), None, "awaiting_supplement", apo=True, code="5"),
    R("V04", "VN-V04", "Q1", PB, "direct", "3", D(2023, 12, 28, 8), t(1, 11, 17), None, "processing", apo=False, code="4"),
    R("V05", "VN-V05", "Q1", PC, "direct", "", None, None, None, "submitted", code="1"),
    R("V06", "VN-V06", "Q1P1", PD, "online", "4", t(1, 5, 8), t(1, 8, 17), t(1, 8, 9), "resolved", dig=True, code="9"),
    R("V07", "VN-V07", "Q1P1", PC, "direct", "4", t(1, 15, 8), t(1, 16, 17), t(1, 15, 16), "returned", dig=False, code="10"),
    R("C01v", "HS-C01", "Q1P1", PD, "online", "4", t(1, 24, 9), t(2, 2, 17), None, "processing", code="2"),
    R("V08", "VN-V08", "Q1P1", PD, "direct", "4", t(1, 17, 8), t(1, 18, 17), t(1, 17, 15), "rejected", code="3"),
    R("B3", "VN-B3", "Q1P2", PC, "direct", "", t(1, 20, 9), t(1, 27, 17), t(1, 19, 10), "returned", code="10"),
    R("V09", "VN-V09", "Q1P2", PC, "direct", "", D(2023, 12, 29, 8), t(1, 3, 17), t(1, 3, 11), "returned", dig=True, code="10"),
    R("V10", "VN-V10", "Q1P2", PD, "online", "4", t(1, 30, 8), t(1, 31, 17), None, "suspended", code="8"),
    R("V11", "VN-V11", "Q1P2", PB, "online", "2", t(1, 18, 8), t(1, 25, 17), t(1, 29, 10), "returned", apo=True, dig=False, code="10"),
    R("V12", "VN-V12", "STP", PA, "postal", "4", t(1, 23, 8), t(1, 30, 17), t(1, 26, 10), "resolved", dig=True, code="9"),
]

# igate, February -- igate__feb.csv (cp1258), data lines 2..15 in this order
IGATE_FEB = [
    R("G07", "IG-G07", "STP", PA, "online", "full", t(1, 22, 9), t(2, 5, 17), t(2, 2, 10), "resolved", dig=True),
    R("G08", "IG-G08", "STP", PB, "direct", "partial", t(1, 10, 8), t(1, 24, 17), t(2, 6, 10), "returned", apo=True, dig=False),
    R("G11", "IG-G11", "SNN", PC, "direct", None, t(1, 25, 8), t(1, 31, 17), None, "suspended", apo=False),
    R("G15", "IG-G15", "SNN_CN1", PB, "postal", "partial", t(1, 30, 8), t(2, 14, 17), t(2, 14, 10), "returned", dig=True),
    R("G16", "IG-G16", "SNN_CN1", PX, "online", "partial", t(1, 31, 23, 45), t(2, 5, 17), t(2, 5, 9), "returned", dig=False),
    R("B4", "IG-B4", "STP", PA, "direct", "full", None, t(2, 20, 17), None, "processing", raw={"recv": "31/02/2024"}),
    R("G17", "IG-G17", "STP", PA, "online", "full", t(2, 1, 6), t(2, 8, 17), t(2, 7, 10), "returned", dig=True),
    R("G18", "IG-G18", "STP", PB, "direct", "partial", t(2, 5, 8), t(2, 19, 17), t(2, 20, 10), "resolved", apo=False, dig=False),
    R("G19", "IG-G19", "SNN", PA, "online", "full", t(2, 12, 8), t(2, 26, 17), None, "processing", apo=True),
    R("G20", "IG-G20", "SNN", PB, "postal", "partial", t(2, 20, 8), t(3, 5, 17), None, "processing"),
    R("B5", "", "SNN", PB, "online", "partial", t(2, 7, 8), t(2, 21, 17), None, "processing"),
    R("G21", "IG-G21", "SNN_CN1", PA, "direct", "full", t(2, 26, 8), t(2, 29, 17), None, "awaiting_supplement"),
    R("G22", "IG-G22", "SNN_CN1", PC, "online", "full", t(2, 8, 8, 30), t(2, 9, 17), t(2, 8, 14), "rejected", dig=False),
    R("G23", "IG-G23", "SNN", PC, "direct", None, t(2, 13, 8), t(2, 16, 17), t(2, 16, 11), "resolved", dig=True),
]

# vnpt, February -- vnpt__feb.xls, data rows 3..13 in this order
VNPT_FEB = [
    R("V03", "VN-V03", "Q1", PA, "postal", "Mức độ 4", t(1, 12, 9), t(1, 26, 17), None, "processing", apo=True),
    R("V04", "VN-V04", "Q1", PB, "direct", "Mức độ 3", D(2023, 12, 28, 8), t(1, 11, 17), t(2, 1, 10), "returned", apo=True, dig=True),
    R("C01v", "HS-C01", "Q1P1", PD, "online", "Mức độ 4", t(1, 24, 9), t(2, 2, 17), t(2, 1, 15), "resolved", dig=False),
    R("V10", "VN-V10", "Q1P2", PD, "online", "Mức độ 4", t(1, 30, 8), t(1, 31, 17), t(2, 9, 10), "withdrawn"),
    R("V13", "VN-V13", "Q1", PB, "direct", "Mức độ 3", t(2, 2, 8), t(2, 9, 17), t(2, 9, 14), "returned", dig=True, text_dates=("recv",)),
    R("B6", "VN-B6", "XX99", PB, "direct", "Mức độ 3", t(2, 5, 8), t(2, 12, 17), None, "processing"),
    R("V14", "VN-V14", "Q1P1", PD, "online", "Mức độ 4", t(2, 19, 8), t(2, 22, 17), t(2, 21, 10), "resolved", dig=True),
    R("V15", "VN-V15", "Q1P1", PD, "postal", "Mức độ 4", t(2, 27, 8), t(3, 1, 17), None, "processing"),
    R("V16", "VN-V16", "Q1P2", PC, "direct", "Mức độ 2", t(2, 14, 8), t(2, 15, 17), t(2, 16, 9), "returned", apo=False, dig=False, text_dates=("recv",)),
    R("V17", "VN-V17", "Q1P2", PX, "online", "Mức độ 3", t(2, 22, 8), t(2, 28, 17), None, "awaiting_supplement", apo=False),
    R("V18", "VN-V18", "Q1", PB, "direct", "Mức độ 3", t(2, 28, 8), None, None, "submitted"),
]

FILES = {
    "igate_jan": "dossiers/2024-01/igate__jan.xlsx",
    "vnpt_jan": "dossiers/2024-01/vnpt__jan.csv",
    "igate_feb": "dossiers/2024-02/igate__feb.csv",
    "vnpt_feb": "dossiers/2024-02/vnpt__feb.xls",
    "org_units": "reference/org_units.csv",
    "procedures": "reference/procedures.csv",
}

# --------------------------------------------------------------------------- PII

_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
           "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
_MIDDLE = ["Thị Ngọc", "Văn Hữu", "Minh Quốc", "Thanh Xuân", "Thị Mỹ", "Đức Trọng", "Hoài Bảo"]
_GIVEN = ["Diễm Kiều", "Khắc Luận", "Tường Vy", "Quỳnh Hoa", "Thiện Nhân", "Bích Thủy", "Gia Huấn",
          "Ánh Nguyệt", "Duy Khiêm", "Hải Yến", "Tùng Lâm", "Thục Đoan", "Phước Lộc"]

_LABELS = sorted({r["label"] for rows in (IGATE_JAN, VNPT_JAN, IGATE_FEB, VNPT_FEB) for r in rows})
PII = {}
for _i, _label in enumerate(_LABELS, start=1):
    PII[_label] = {
        "name": f"{_FAMILY[_i % len(_FAMILY)]} {_MIDDLE[_i % len(_MIDDLE)]} {_GIVEN[_i % len(_GIVEN)]}",
        "id": f"07919{_i:02d}{(_i * 7331) % 100000:05d}",     # 12 digits, like a CCCD number
        "phone": f"09{(_i * 7) % 10}{(_i * 104729) % 10000000:07d}",  # 10 digits
    }
PII_VALUES = sorted({v for p in PII.values() for v in p.values()})

# --------------------------------------------------------------------------- encodings

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Encode Vietnamese text in Windows-1258 the way legacy tools do: tone marks as
    combining characters (decomposed), base letters with circumflex/breve/horn precomposed
    (cp1258 has no combining circumflex, breve or horn)."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", ch)
        tones = "".join(m for m in decomposed[1:] if m in _TONES)
        base = unicodedata.normalize("NFC", decomposed[0] + "".join(m for m in decomposed[1:] if m not in _TONES))
        out.append(base.encode("cp1258") + tones.encode("cp1258"))
    return b"".join(out)


# --------------------------------------------------------------------------- renderers

_CH_WORDS = {"direct": "Trực tiếp", "online": "Trực tuyến", "postal": "Bưu chính công ích"}
_CH_CODES = {"direct": "1", "online": "2", "postal": "3"}
_CH_XLS = {"direct": "Trực tiếp", "online": "Trực tuyến", "postal": "BCCI"}
_LVL_WORDS = {"full": "Toàn trình", "partial": "Một phần", "none": "", None: ""}
_ST_WORDS = {
    "submitted": "Mới nộp",
    "processing": "Đang xử lý",
    "awaiting_supplement": "Chờ bổ sung",
    "suspended": "Tạm dừng",
    "resolved": "Đã có kết quả",
    "returned": "Đã trả kết quả",
    "rejected": "Từ chối",
    "withdrawn": "Công dân rút hồ sơ",
}


def _lvl(value):
    return _LVL_WORDS.get(value, value)


def _bool(value, yes, no):
    if value is None:
        return ""
    return yes if value else no


def _write_xlsx_igate_jan(path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    header = ["STT", "Mã hồ sơ", "Mã TTHC", "Tên TTHC", "Mã cơ quan", "Hình thức nộp", "Mức độ DVC",
              "Ngày nhận", "Ngày hẹn trả", "Ngày hoàn thành", "Tình trạng", "Thư xin lỗi",
              "Số hóa kết quả", "Họ tên người nộp", "Số CMND/CCCD", "Số điện thoại", "Ghi chú"]
    ncol = len(header)
    ws.cell(row=1, column=1, value="BÁO CÁO TÌNH HÌNH TIẾP NHẬN VÀ GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH")
    ws.cell(row=2, column=1, value="Kỳ báo cáo: Tháng 01/2024 - Hệ thống thông tin giải quyết TTHC (iGate)")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncol)
    # row 3 is left blank
    for c, h in enumerate(header, start=1):
        ws.cell(row=4, column=c, value=h)
    fmt = "dd/mm/yyyy hh:mm"
    for i, r in enumerate(IGATE_JAN):
        row = 5 + i
        pii = PII[r["label"]]
        values = [
            i + 1, r["dossier_id"] or None, r["proc"], PROC_NAMES[r["proc"]], r["unit"],
            _CH_WORDS[r["ch"]], _lvl(r["lvl"]) or None, r["recv"], r["due"], r["res"],
            r["raw"].get("status") or _ST_WORDS[r["st"]],
            _bool(r["apo"], "Có", "Không") or None, _bool(r["dig"], "x", "") or None,
            pii["name"], pii["id"], pii["phone"],
            "Hồ sơ liên thông" if r["label"] == "G05" else None,
        ]
        for c, v in enumerate(values, start=1):
            if v is None:
                continue
            cell = ws.cell(row=row, column=c, value=v)
            if isinstance(v, dt.datetime):
                cell.number_format = fmt
    total_row = 5 + len(IGATE_JAN)
    ws.cell(row=total_row, column=2, value="Tổng cộng")
    ws.cell(row=total_row, column=4, value=f"{len(IGATE_JAN)} hồ sơ")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _write_utf16_vnpt_jan(path: Path) -> None:
    header = ["MA HO SO", "MA THU TUC", "TEN THU TUC", "MA DON VI", "KENH NOP", "MUC DO",
              "NGAY TIEP NHAN", "HAN XU LY", "NGAY CO KET QUA", "TRANG THAI", "THU XIN LOI",
              "SO HOA KET QUA", "HO TEN NGUOI NOP", "SO CCCD", "SO DIEN THOAI"]

    def ts(value, i):
        if value is None:
            return ""
        if i % 2 == 0:
            return value.strftime("%d/%m/%Y %H:%M:%S")
        return value.strftime("%Y-%m-%dT%H:%M:%S")

    lines = ["\t".join(header)]
    for i, r in enumerate(VNPT_JAN):
        pii = PII[r["label"]]
        lines.append("\t".join([
            r["dossier_id"], r["proc"], PROC_NAMES[r["proc"]], r["unit"], _CH_CODES[r["ch"]],
            r["lvl"] or "", ts(r["recv"], i), ts(r["due"], i), ts(r["res"], i), r["code"],
            _bool(r["apo"], "1", "0"), _bool(r["dig"], "1", "0"),
            pii["name"], pii["id"], pii["phone"],
        ]))
    data = "\r\n".join(lines) + "\r\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xff\xfe" + data.encode("utf-16-le"))


def _write_cp1258_igate_feb(path: Path) -> None:
    header = ["Mã hồ sơ", "Mã thủ tục", "Tên thủ tục", "Mã đơn vị", "Kênh nộp", "Mức độ DVC",
              "Ngày tiếp nhận", "Hạn xử lý", "Ngày có kết quả", "Trạng thái",
              "Đã gửi thư xin lỗi", "Số hoá kết quả", "Tên tổ chức/cá nhân", "Số định danh",
              "Điện thoại"]

    def ts(value):
        return "" if value is None else value.strftime("%d/%m/%Y %H:%M")

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for r in IGATE_FEB:
        pii = PII[r["label"]]
        w.writerow([
            r["dossier_id"], r["proc"], PROC_NAMES[r["proc"]], r["unit"], _CH_WORDS[r["ch"]],
            _lvl(r["lvl"]), r["raw"].get("recv") or ts(r["recv"]), ts(r["due"]), ts(r["res"]),
            _ST_WORDS[r["st"]], _bool(r["apo"], "Đã gửi", "Chưa gửi"), _bool(r["dig"], "x", ""),
            pii["name"], pii["id"], pii["phone"],
        ])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(to_cp1258(buf.getvalue()))


def _write_xls_vnpt_feb(path: Path) -> None:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("DanhSach")
    date_style = xlwt.easyxf(num_format_str="dd/mm/yyyy hh:mm")
    header = ["Số hồ sơ", "Mã thủ tục hành chính", "Tên thủ tục hành chính", "Mã đơn vị tiếp nhận",
              "Hình thức tiếp nhận", "Mức độ dịch vụ công", "Thời gian tiếp nhận", "Hạn giải quyết",
              "Ngày kết thúc xử lý", "Trạng thái hồ sơ", "Xin lỗi", "Số hóa kết quả", "Người nộp",
              "CCCD", "SĐT"]
    ws.write(0, 0, "DANH SÁCH HỒ SƠ TIẾP NHẬN THÁNG 02/2024 - VNPT")
    for c, h in enumerate(header):
        ws.write(1, c, h)
    for i, r in enumerate(VNPT_FEB):
        row = 2 + i
        pii = PII[r["label"]]
        values = [r["dossier_id"], r["proc"], PROC_NAMES[r["proc"]], r["unit"], _CH_XLS[r["ch"]],
                  r["lvl"] or ""]
        for c, v in enumerate(values):
            ws.write(row, c, v)
        for c, field in ((6, "recv"), (7, "due"), (8, "res")):
            v = r[field]
            if v is None:
                continue
            if field in r["text_dates"]:
                ws.write(row, c, v.strftime("%d-%m-%Y %H:%M"))
            else:
                ws.write(row, c, v, date_style)
        ws.write(row, 9, _ST_WORDS[r["st"]])
        apo = _bool(r["apo"], "Có", "Không")
        if apo:
            ws.write(row, 10, apo)
        dig = _bool(r["dig"], "Có", "")
        if dig:
            ws.write(row, 11, dig)
        ws.write(row, 12, pii["name"])
        ws.write(row, 13, pii["id"])
        ws.write(row, 14, pii["phone"])
    total = 2 + len(VNPT_FEB)
    ws.write(total, 0, "Tổng cộng")
    ws.write(total, 2, f"{len(VNPT_FEB)} hồ sơ")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(str(path))


def _write_utf8_csv(path: Path, header, rows) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode("utf-8"))


def build_landing(landing: Path) -> Path:
    """Write the whole landing tree under ``landing`` and return it."""
    landing = Path(landing)
    _write_utf8_csv(landing / FILES["org_units"], ORG_UNITS_HEADER, ORG_UNITS)
    _write_utf8_csv(landing / FILES["procedures"], PROCEDURES_HEADER, PROCEDURES)
    _write_xlsx_igate_jan(landing / FILES["igate_jan"])
    _write_utf16_vnpt_jan(landing / FILES["vnpt_jan"])
    _write_cp1258_igate_feb(landing / FILES["igate_feb"])
    _write_xls_vnpt_feb(landing / FILES["vnpt_feb"])
    return landing


def _verify(landing: Path) -> None:
    """Re-open every file with an independent reader and print what it holds."""
    import openpyxl
    import xlrd

    wb = openpyxl.load_workbook(landing / FILES["igate_jan"])
    ws = wb.active
    print(FILES["igate_jan"], "max_row", ws.max_row)
    for row in ws.iter_rows(values_only=True):
        print("   ", row[:12])
    assert ws.max_row == 24

    raw = (landing / FILES["vnpt_jan"]).read_bytes()
    assert raw[:2] == b"\xff\xfe"
    text = raw.decode("utf-16")
    recs = text.split("\r\n")
    assert recs[-1] == ""
    print(FILES["vnpt_jan"], "records", len(recs) - 1)
    for line in recs[:-1]:
        print("   ", line.split("\t")[:11])
    assert len(recs) - 1 == 15

    raw = (landing / FILES["igate_feb"]).read_bytes()
    text = raw.decode("cp1258")
    assert unicodedata.normalize("NFC", text) != text  # tone marks are combining
    rows = list(csv.reader(io.StringIO(unicodedata.normalize("NFC", text), newline="")))
    print(FILES["igate_feb"], "records", len(rows))
    for row in rows:
        print("   ", row[:11])
    assert len(rows) == 15
    assert rows[0][0] == "Mã hồ sơ" and rows[6][6] == "31/02/2024" and rows[11][0] == ""

    book = xlrd.open_workbook(str(landing / FILES["vnpt_feb"]))
    sh = book.sheet_by_index(0)
    print(FILES["vnpt_feb"], "nrows", sh.nrows)
    for i in range(sh.nrows):
        print("   ", sh.row_values(i)[:11])
    assert sh.nrows == 14

    for key in ("org_units", "procedures"):
        with open(landing / FILES[key], encoding="utf-8", newline="") as fh:
            print(FILES[key], "records", len(list(csv.reader(fh))))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tests.support.handmade_landing <output-dir>   (writes <output-dir>/landing)")
    out = build_landing(Path(sys.argv[1]) / "landing")
    print("landing written to", out)
    _verify(out)
