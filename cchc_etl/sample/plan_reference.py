"""Reference files of the plan: ``reference/holidays.csv``, ``reference/targets.csv`` and
``reference/self_assessment.csv``."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Sequence

from cchc_etl.methodology import load_methodology
from cchc_etl.sample.common import _nfc, _vn_decimal
from cchc_etl.sample.documents import _org_sign
from cchc_etl.sample.holidays import HOLIDAY_HEADERS, _holidays_of
from cchc_etl.sample.manifest import SampleManifest
from cchc_etl.sample.tables import _write_csv_table

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
