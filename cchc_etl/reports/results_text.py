"""The drafted results report (Báo cáo kết quả thực hiện công tác cải cách hành chính) of one scope
as plain blocks: headings, paragraphs officials edit, and tables. Pure functions over
``ReportData``; ``cchc_etl.reports.docx_report`` lays the blocks out in Word.

Every figure comes from the marts: dossier counts are the Biểu 06 totals (which reconcile with
``RPT_*`` and ``marts.period_report``), rates are ``marts.indicator_values`` of the scope at the
level it is scored on, the service index is ``marts.scores`` and the targets
``marts.target_attainment``. A figure the marts do not hold is said to be missing, never guessed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cchc_etl.reports.data import ReportData
from cchc_etl.reports.rows import (
    RANK_GROUPS, Scope, form06, score_level, scorecard, targets,
)
from cchc_etl.reports.vn_format import fmt_dec_vi, fmt_int_vi, fmt_pct_vi

MISSING = "chưa có số liệu trong kho dữ liệu"
NOT_SCORED = "không tính cho kỳ 6 tháng (xem báo cáo các quý)"
LEVEL_HEADERS = ("Cấp", "Tiếp nhận mới", "Từ kỳ trước", "Trực tuyến", "Đã giải quyết", "Trước hạn", "Đúng hạn",
                 "Quá hạn", "Tỷ lệ trước và đúng hạn", "Đang giải quyết trong hạn", "Đang giải quyết quá hạn")
TARGET_HEADERS = ("Chỉ tiêu", "Đơn vị", "Yêu cầu", "Thực hiện")
RANK_HEADERS = ("Hạng", "Đơn vị", "Tổng điểm", "Tỷ lệ điểm", "Xếp loại", "Thay đổi hạng so với kỳ trước")


@dataclass
class Block:
    kind: str                        # title | heading | para | table | note
    text: str = ""
    headers: tuple = ()
    rows: list = field(default_factory=list)
    bold_rows: tuple = ()            # indices of rows shown bold (totals)


def frac(x, y) -> str:
    """'1.234/5.678 (21,73 %)'; the share of y that x is."""
    return f"{fmt_int_vi(x)}/{fmt_int_vi(y)} ({fmt_pct_vi(100.0 * x / y)})" if y else f"{fmt_int_vi(x)}/{fmt_int_vi(y)}"


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


class Figures:
    """The scope's indicator values (numerator, denominator, value) at the level it is scored on."""

    def __init__(self, data: ReportData, scope: Scope):
        self.by_code: dict[str, tuple] = {}
        self.missing = MISSING if data.values is not None else NOT_SCORED
        if data.values is None:
            return
        level = "city" if scope.is_city else score_level(scope.level)
        v = data.values
        v = v[(v["org_unit_code"] == scope.code) & (v["org_level"] == level)]
        self.by_code = {r.indicator_code: (r.numerator, r.denominator, r.value) for r in v.itertuples()}

    def rate(self, code: str) -> tuple | None:
        """(numerator, denominator) of a rate the marts hold with a denominator > 0, else None."""
        got = self.by_code.get(code)
        if got is None or _missing(got[0]) or _missing(got[1]) or not got[1]:
            return None
        return int(got[0]), int(got[1])

    def sentence(self, code: str, label: str) -> str:
        r = self.rate(code)
        return f"{label}: {self.missing if r is None else frac(*r)}"


def _period_phrase(data: ReportData) -> str:
    p = data.period
    name = p.name_vi[0].lower() + p.name_vi[1:]
    return name + (f" ({p.to_date_note})" if p.to_date_note else "")


def _dossiers(data: ReportData, scope: Scope) -> list[Block]:
    form = form06(data, scope)
    total = form[-1].values
    rec = total["received"]
    resolved = total["resolved_early"] + total["resolved_on_time"] + total["resolved_late"]
    pending = total["pending_within"] + total["pending_overdue"]
    out = [Block("heading", "I. KẾT QUẢ TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH"), Block("heading", "1. Tiếp nhận hồ sơ")]
    out.append(Block("para", (
        f"Trong kỳ, bộ phận một cửa đã tiếp nhận {fmt_int_vi(rec)} hồ sơ mới; ngoài ra có {fmt_int_vi(total['carried_over'])} "
        f"hồ sơ từ kỳ trước chuyển qua. Trong số hồ sơ tiếp nhận mới: nộp trực tuyến {frac(total['received_online'], rec)}, "
        f"nộp trực tiếp {frac(total['received_direct'], rec)}, qua dịch vụ bưu chính công ích "
        f"{frac(total['received_postal'], rec)}.")))
    out.append(Block("heading", "2. Kết quả giải quyết"))
    text = (f"Đã giải quyết {fmt_int_vi(resolved)} hồ sơ, trong đó giải quyết trước hạn {frac(total['resolved_early'], resolved)}, "
            f"đúng hạn {frac(total['resolved_on_time'], resolved)}, quá hạn {frac(total['resolved_late'], resolved)}; "
            f"giải quyết trước và đúng hạn {frac(total['resolved_early'] + total['resolved_on_time'], resolved)}. "
            f"Có {fmt_int_vi(total['withdrawn_rejected'])} hồ sơ rút hoặc bị từ chối. Đến cuối kỳ còn {fmt_int_vi(pending)} "
            f"hồ sơ đang giải quyết, trong đó trong hạn {frac(total['pending_within'], pending)}, quá hạn "
            f"{frac(total['pending_overdue'], pending)}.")
    out.append(Block("para", text))
    out.append(Block("heading", "3. Kết quả theo cấp"))
    out.append(Block("note", "Bảng 1. Tình hình tiếp nhận, giải quyết hồ sơ theo cấp (đơn vị tính: hồ sơ)"))
    rows, bold = [], []
    for r in form:
        if r.kind == "item":
            continue
        v = r.values
        done = v["resolved_early"] + v["resolved_on_time"] + v["resolved_late"]
        in_time = v["resolved_early"] + v["resolved_on_time"]
        label = "Tổng cộng" if r.kind == "total" else r.label
        if r.kind == "total":
            bold.append(len(rows))
        rows.append([label, fmt_int_vi(v["received"]), fmt_int_vi(v["carried_over"]), fmt_int_vi(v["received_online"]),
                     fmt_int_vi(done), fmt_int_vi(v["resolved_early"]), fmt_int_vi(v["resolved_on_time"]),
                     fmt_int_vi(v["resolved_late"]), fmt_pct_vi(100.0 * in_time / done) if done else "N/A",
                     fmt_int_vi(v["pending_within"]), fmt_int_vi(v["pending_overdue"])])
    out.append(Block("table", headers=LEVEL_HEADERS, rows=rows, bold_rows=tuple(bold)))
    return out


def _services(fig: Figures) -> list[Block]:
    return [
        Block("heading", "II. DỊCH VỤ CÔNG TRỰC TUYẾN, BƯU CHÍNH CÔNG ÍCH VÀ SỐ HÓA"),
        Block("para", fig.sentence("ONLINE_SHARE_ELIGIBLE", "Tỷ lệ hồ sơ nộp trực tuyến trên các thủ tục được cung cấp "
                                   "trực tuyến") + "."),
        Block("para", fig.sentence("POSTAL_SHARE", "Tiếp nhận qua dịch vụ bưu chính công ích") + "."),
        Block("para", fig.sentence("DIGITIZED_RESULT_RATE", "Số hóa kết quả giải quyết thủ tục hành chính") + "; "
              + fig.sentence("IDX_4_2", "hồ sơ được số hóa thành phần và kết quả") + "; "
              + fig.sentence("IDX_4_1", "hồ sơ có kết quả điện tử") + "."),
    ]


def _satisfaction(fig: Figures) -> list[Block]:
    return [
        Block("heading", "III. MỨC ĐỘ HÀI LÒNG, THƯ XIN LỖI VÀ PHẢN ÁNH, KIẾN NGHỊ"),
        Block("para", fig.sentence("SATISFACTION_RATE", "Người dân, doanh nghiệp đánh giá hài lòng") + "."),
        Block("para", fig.sentence("APOLOGY_COVERAGE", "Hồ sơ trễ hạn có thư xin lỗi gửi người dân, doanh nghiệp") + "."),
        Block("para", fig.sentence("IDX_5_2", "Phản ánh, kiến nghị (PAKN) được xử lý đúng hạn") + "; "
              + fig.sentence("FEEDBACK_PUBLISHED", "kết quả xử lý PAKN được công khai") + "."),
    ]


def _documents(fig: Figures) -> list[Block]:
    return [
        Block("heading", "IV. VĂN BẢN ĐIỆN TỬ VÀ THƯ ĐIỆN TỬ CÔNG VỤ"),
        Block("para", fig.sentence("DOC_ELECTRONIC_RATE", "Văn bản điện tử (trừ văn bản mật)") + "; "
              + fig.sentence("DOC_OUT_SIGNED_SENT", "văn bản đi điện tử có ký số") + "; "
              + fig.sentence("DOC_IN_PROCESSED_ONLINE", "văn bản đến được xử lý trên môi trường mạng") + "; "
              + fig.sentence("DOC_INTERCONNECT_RATE", "văn bản gửi, nhận qua trục liên thông") + "."),
        Block("para", fig.sentence("EMAIL_ACTIVE_RATE", "Tài khoản thư điện tử công vụ sử dụng thường xuyên")
              + "; " + fig.sentence("EMAIL_LEADER_REGULAR", "lãnh đạo sử dụng thư điện tử công vụ thường xuyên") + "."),
    ]


def _target_rows(rows: list[dict]) -> list[list[str]]:
    return [[t["name_vi"] + (f" ({t['group_vi']})" if t.get("group_vi") else ""), t["unit"], t["condition"], t["actual"]]
            for t in rows]


def _targets(data: ReportData, scope: Scope) -> list[Block]:
    all_t = targets(data, scope)
    year = data.period.start.year
    out = [Block("heading", f"V. THỰC HIỆN CÁC CHỈ TIÊU NĂM {year}")]
    if not all_t:
        return out + [Block("para", f"Không có chỉ tiêu năm {year} nào trong kho dữ liệu cho đơn vị.")]
    met = [t for t in all_t if t["status"] == "Đạt"]
    not_met = [t for t in all_t if t["status"] == "Chưa đạt"]
    no_data = [t for t in all_t if t["status"] == "Chưa đủ số liệu"]
    assessed = len(met) + len(not_met)
    lead = f"Có {fmt_int_vi(len(all_t))} chỉ tiêu được giao; "
    lead += f"đã đạt {frac(len(met), assessed)} chỉ tiêu có đủ số liệu" if assessed else "chưa chỉ tiêu nào có đủ số liệu"
    lead += f"; {fmt_int_vi(len(no_data))} chỉ tiêu chưa đủ số liệu để đánh giá." if no_data else "."
    if not data.period.complete:
        lead += f" Số liệu {data.period.to_date_note}."
    out.append(Block("para", lead))
    for title, part in (("1. Các chỉ tiêu đã đạt", met), ("2. Các chỉ tiêu chưa đạt", not_met),
                        ("3. Các chỉ tiêu chưa đủ số liệu", no_data)):
        if part:
            out += [Block("heading", title), Block("table", headers=TARGET_HEADERS, rows=_target_rows(part))]
    return out


def _ranking(data: ReportData, scope: Scope) -> list[Block]:
    out = [Block("heading", "VI. XẾP HẠNG BỘ CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP")]
    if data.scores is None:
        return out + [Block("para", "Bộ chỉ số phục vụ người dân, doanh nghiệp chỉ được tính theo tháng, quý và năm; kỳ này "
                                    "không có điểm và xếp hạng trong kho dữ liệu (xem báo cáo quý hoặc năm).")]
    lines = scorecard(data, scope)
    own = next((x for x in lines if x["unit_code"] == scope.code), None)
    if own is not None and own["score"] is not None and not _missing(own["score"]):
        text = (f"Bộ chỉ số phục vụ người dân, doanh nghiệp của {scope.name}: đạt {fmt_dec_vi(own['score'])}/"
                f"{fmt_dec_vi(own['max_score'])} điểm ({fmt_pct_vi(own['ratio'])}), xếp loại {own['band'] or '—'}")
        if own["rank"] is not None:
            text += f", xếp hạng {own['rank']}/{own['ranked_in_group']} trong nhóm"
        out.append(Block("para", text + "."))
    for g, name in RANK_GROUPS:
        part = [x for x in lines if x["group"] == g]
        if not part:
            continue
        out.append(Block("heading", f"Xếp hạng {name.lower()}"))
        rows = [["—" if x["rank"] is None else str(x["rank"]), x["unit"], fmt_dec_vi(x["score"]), fmt_pct_vi(x["ratio"]),
                 x["band"] or "—", _rank_change(x["rank_change"])] for x in part]
        out.append(Block("table", headers=RANK_HEADERS, rows=rows))
    return out


def _rank_change(change) -> str:
    if change is None:
        return "—"
    return "không đổi" if change == 0 else (f"tăng {change} bậc" if change > 0 else f"giảm {-change} bậc")


def results_blocks(data: ReportData, scope: Scope) -> list[Block]:
    p = data.period
    fig = Figures(data, scope)
    blocks = [
        Block("note", scope.reporting_name.upper()),
        Block("title", "BÁO CÁO"),
        Block("title", f"Kết quả thực hiện công tác cải cách hành chính {_period_phrase(data)}"),
        Block("note", f"Kính gửi: {scope.recipient_name}"),
        Block("para", f"Thực hiện chương trình, kế hoạch cải cách hành chính, {scope.reporting_name} báo cáo kết quả thực "
                      f"hiện công tác cải cách hành chính {_period_phrase(data)} như sau:"),
    ]
    blocks += _dossiers(data, scope) + _services(fig) + _satisfaction(fig) + _documents(fig)
    blocks += _targets(data, scope) + _ranking(data, scope)
    blocks += [Block("heading", "VII. ĐÁNH GIÁ CHUNG VÀ ĐỀ XUẤT, KIẾN NGHỊ"),
               Block("para", "[Đơn vị bổ sung đánh giá ưu điểm, hạn chế, nguyên nhân và đề xuất, kiến nghị.]"),
               Block("note", "Số liệu trích từ kho dữ liệu cải cách hành chính; tỷ lệ làm tròn hai chữ số thập phân. "
                             f"Xếp hạng riêng từng nhóm đơn vị trong toàn {scope.city_name}.")]
    return blocks
