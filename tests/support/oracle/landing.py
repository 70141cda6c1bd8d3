"""Landing trees for the differential oracle, written the way real exports write them.

``trees()`` is a hypothesis strategy for a ``Tree``: the logical rows (canonical names, Python
values, fed to ``tests/support/oracle/methodology.py``) and ``Tree.write(landing)`` which writes the SAME
rows as files: dossiers from two systems (igate: UTF-8 CSV with BOM, Vietnamese headers, text
dates and Có/Không; vnpt: XLSX with title rows, other header aliases, real date cells, x/blank
booleans and a total row), surveys, feedback, documents, e-mail and the reference files.  Not the
project's own sample generator.

Flags (each switches on a situation a known defect mishandles; off by default):
  drop_optional      one dossier file per month lacks optional input columns (§3 data not carried)
  level_mismatch     the dossier's own online level differs from the catalogue's (§2, IDX_3_4)
  abolish_district   district QB abolished before the first month (successor QA), its commune keeps
                     parent QB (§1 roll-up through the parent's successor)
  self_assessed      self_assessment rows for IDX_1_1..IDX_1_3 and IDX_4_X at city level
  link_e_result      igate writes e_result as a link column (`Đường dẫn tệp kết quả`, blank = no) and
                     vnpt as x/blank (otherwise both write Có/Không there)
  uncatalogued       some dossiers name a procedure missing from the catalogue (§2: own fields apply)
  date_only_due      a deadline is sometimes written as a date without a time (contract, "Timestamps
                     with a zone": the end of that day; kept here as 23:59:59)

  holiday_spellings  holiday kinds spelled `Nghỉbù`, `compensatorydayoff`, `makeup_working_saturday`
                     (case, spaces, `_` and `-` do not matter), with compensatory days off in February

Always: a dossier resolved in one month is sometimes re-exported the next month as returned.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import strategies as st

from .methodology import next_month

FLAGS = ("drop_optional", "level_mismatch", "abolish_district", "self_assessed", "link_e_result", "uncatalogued",
         "date_only_due", "holiday_spellings")
DAY = dt.timedelta(days=1)
DATE_ONLY = dt.time(23, 59, 59)     # a deadline written without a time: the end of that day

# ----------------------------------------------------------------- contract spellings
CHANNEL_VI = {"direct": "Trực tiếp", "online": "Trực tuyến", "postal": "Bưu chính công ích"}
LEVEL_VI = {"full": "Toàn trình", "partial": "Một phần", "none": ""}
STATUS_VI = {"submitted": "Mới nộp", "processing": "Đang xử lý", "awaiting_supplement": "Chờ bổ sung",
             "suspended": "Tạm dừng", "resolved": "Đã có kết quả", "returned": "Đã trả kết quả",
             "rejected": "Từ chối", "withdrawn": "Công dân rút hồ sơ"}
FB_STATUS_VI = {"open": "Đang xử lý", "answered": "Đã trả lời", "rejected": "Từ chối", "forwarded": "Chuyển xử lý"}
RATING_VI = {5: "Rất hài lòng", 4: "Hài lòng", 3: "Bình thường", 2: "Không hài lòng", 1: "Rất không hài lòng"}
SECRECY_VI = {"normal": "Thường", "confidential": "Mật", "secret": "Tối mật"}
ORG_LEVEL_VI = {"city": "Thành phố", "department": "Sở", "unit": "Đơn vị trực thuộc", "district": "Quận",
                "commune": "Phường"}
HOLIDAY_KIND_VI = {"holiday": "Nghỉ lễ", "compensatory_day_off": "Nghỉ bù", "makeup_working_day": "Làm bù"}

# optional dossier inputs and their headers per system (igate CSV, vnpt XLSX)
BOOL_FIELDS = ("apology_sent", "fee_required", "paid_online", "digitized_input", "digitized_result",
               "synced_national_portal", "e_result", "data_reused", "citizen_store_linked", "population_data_used")
HEADERS = {
    "igate": {"dossier_id": "Mã hồ sơ", "procedure_code": "Mã thủ tục", "unit_code": "Mã đơn vị",
              "channel": "Kênh nộp", "online_service_level": "Mức độ DVC", "received_at": "Ngày tiếp nhận",
              "due_at": "Hạn xử lý", "resolved_at": "Ngày có kết quả", "status": "Trạng thái",
              "apology_sent": "Thư xin lỗi", "fee_required": "Có phí/lệ phí", "paid_online": "Thanh toán trực tuyến",
              "digitized_input": "Số hóa thành phần hồ sơ", "digitized_result": "Số hóa kết quả",
              "synced_national_portal": "Đồng bộ Cổng DVC quốc gia", "supplement_count": "Số lần yêu cầu bổ sung",
              "supplement_requested_at": "Ngày yêu cầu bổ sung", "supplement_completed_at": "Ngày công dân bổ sung",
              "e_result": "Có kết quả điện tử", "data_reused": "Tái sử dụng dữ liệu số hóa",
              "citizen_store_linked": "Lấy từ kho dữ liệu điện tử của tổ chức, cá nhân",
              "population_data_used": "Xác thực VNeID", "applicant_name": "Họ tên người nộp"},
    "vnpt": {"dossier_id": "Số hồ sơ", "procedure_code": "Mã TTHC", "unit_code": "Mã cơ quan",
             "channel": "Hình thức nộp", "online_service_level": "Mức độ DVC", "received_at": "Ngày nhận",
             "due_at": "Ngày hẹn trả", "resolved_at": "Ngày hoàn thành", "status": "Trạng thái",
             "apology_sent": "Đã gửi thư xin lỗi", "fee_required": "Có phí/lệ phí",
             "paid_online": "Thanh toán trực tuyến", "digitized_input": "Số hóa thành phần hồ sơ",
             "digitized_result": "Số hóa kết quả", "synced_national_portal": "Đồng bộ Cổng DVC quốc gia",
             "supplement_count": "Số lần yêu cầu bổ sung", "supplement_requested_at": "Ngày yêu cầu bổ sung",
             "supplement_completed_at": "Ngày công dân bổ sung", "e_result": "Có kết quả điện tử",
             "data_reused": "Có thành phần số hóa",
             "citizen_store_linked": "Lấy từ kho dữ liệu điện tử của tổ chức, cá nhân",
             "population_data_used": "Khai thác CSDL dân cư", "applicant_name": "Tên tổ chức/cá nhân"},
}
DROPPABLE = ("online_service_level", "synced_national_portal", "digitized_input", "digitized_result", "e_result",
             "data_reused", "citizen_store_linked", "population_data_used", "apology_sent")


def month_end(m: dt.date) -> dt.datetime:
    return dt.datetime.combine(next_month(m), dt.time())


@dataclass
class Tree:
    months: list
    flags: frozenset
    org_units: list = field(default_factory=list)
    procedures: list = field(default_factory=list)
    holidays: list = field(default_factory=list)
    dossiers: list = field(default_factory=list)       # one row per export (export_month, system)
    surveys: list = field(default_factory=list)
    feedback: list = field(default_factory=list)
    documents: list = field(default_factory=list)
    email: list = field(default_factory=list)
    self_assessment: list = field(default_factory=list)
    dropped: dict = field(default_factory=dict)         # (system, month) -> dropped columns

    def oracle_input(self) -> dict:
        return dict(months=self.months, dossiers=self.dossiers, org_units=self.org_units,
                    procedures=self.procedures, holidays=self.holidays, surveys=self.surveys,
                    feedback=self.feedback, documents=self.documents, email=self.email,
                    self_assessment=self.self_assessment)

    # ------------------------------------------------------------- writers
    def write(self, landing: Path) -> Path:
        ref = landing / "reference"
        _csv(ref / "org_units.csv", ["unit_code", "name", "level", "parent_code", "valid_from", "valid_to",
                                     "successor_code"],
             [[u["unit_code"], u["name"], ORG_LEVEL_VI[u["level_word"]], u["parent_code"] or "",
               _d(u["valid_from"]), _d(u["valid_to"]), u["successor_code"] or ""] for u in self.org_units])
        _csv(ref / "procedures.csv", ["procedure_code", "name", "level", "online_service_level",
                                      "full_online_eligible", "fee_required", "result_required", "valid_from"],
             [[p["procedure_code"], p["name"], "Tỉnh", LEVEL_VI[p["online_service_level"]] or "Không",
               _yn(p["full_online_eligible"]), _yn(p["fee_required"]), _yn(p["result_required"]),
               _d(p["valid_from"])] for p in self.procedures])
        _csv(ref / "holidays.csv", ["date", "name", "kind"],
             [[_d(h["date"]), h["name"], h.get("written") or HOLIDAY_KIND_VI[h["kind"]]] for h in self.holidays])
        if self.self_assessment:
            _csv(ref / "self_assessment.csv", ["year", "period", "unit_code", "indicator_code", "value", "evidence"],
                 [[r["year"], r["period"], r["unit_code"], r["indicator_code"], str(r["value"]).replace(".", ","),
                   "Báo cáo tự đánh giá"] for r in self.self_assessment])
        for m in self.months:
            tag = f"{m:%Y-%m}"
            for system in ("igate", "vnpt"):
                rows = [d for d in self.dossiers if d["export_month"] == m and d["system"] == system]
                cols = [c for c in HEADERS[system] if c not in self.dropped.get((system, m), ())]
                if system == "igate":
                    self._write_igate(landing / "dossiers" / tag / f"igate__hoso_{tag}.csv", rows, cols)
                else:
                    self._write_vnpt(landing / "dossiers" / tag / f"vnpt__baocao_{tag}.xlsx", rows, cols, m)
            _csv(landing / "surveys" / tag / f"igate__danhgia_{tag}.csv",
                 ["Mã đánh giá", "Mã đơn vị", "Ngày đánh giá", "Mức độ hài lòng"],
                 [[s["response_id"], s["unit_code"], _ts(s["rated_at"]),
                   RATING_VI[s["rating"]] if i % 2 else str(s["rating"])]
                  for i, s in enumerate(x for x in self.surveys if x["rated_at"].date() >= m
                                        and x["rated_at"] < month_end(m))])
            _csv(landing / "feedback" / tag / f"igate__pakn_{tag}.csv",
                 ["Mã PAKN", "Mã đơn vị xử lý", "Ngày tiếp nhận", "Hạn xử lý", "Ngày trả lời", "Trạng thái",
                  "Công khai kết quả", "Không hài lòng", "Có phản ánh tiếp"],
                 [[f["feedback_id"], f["unit_code"], _ts(f["received_at"]), _ts(f["due_at"]), _ts(f["answered_at"]),
                   FB_STATUS_VI[f["status"]], _yn(f["published"]), _yn(f["dissatisfied"]),
                   _yn(f["follow_up_complaint"])] for f in self.feedback if f["export_month"] == m])
            self._write_documents(landing / "documents" / tag / f"qlvb__vanban_{tag}.xlsx",
                                  [d for d in self.documents if d["export_month"] == m])
            _csv(landing / "email" / tag / f"mail__thudientu_{tag}.csv",
                 ["Tài khoản", "Mã đơn vị", "Chức vụ", "Số ngày đăng nhập"],
                 [[e["account"], e["unit_code"], "Lãnh đạo" if e["role"] == "leader" else "Công chức",
                   str(e["active_days"])] for e in self.email if e["export_month"] == m])
        return landing

    def _cell_igate(self, d, c):
        v = d.get(c)
        if c == "e_result" and "link_e_result" in self.flags:
            return f"https://dvc.example.vn/ketqua/{d['dossier_id']}.pdf" if v else ""
        if c in BOOL_FIELDS:
            return _yn(v)
        if c == "channel":
            return CHANNEL_VI[v]
        if c == "online_service_level":
            return LEVEL_VI[v]
        if c == "status":
            return STATUS_VI[v]
        if isinstance(v, dt.datetime):
            return _ts(v)
        return "" if v is None else str(v)

    def _write_igate(self, path, rows, cols):
        header = [HEADERS["igate"][c] for c in cols]
        if "link_e_result" in self.flags and "e_result" in cols:
            header[cols.index("e_result")] = "Đường dẫn tệp kết quả"
        _csv(path, header, [[self._cell_igate(d, c) for c in cols] for d in rows])

    def _write_vnpt(self, path, rows, cols, m):
        import openpyxl
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Báo cáo"
        ws.append(["BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH"])
        ws.append([f"Tháng {m.month:02d} năm {m.year}"])
        ws.append([])
        ws.append(["STT"] + [HEADERS["vnpt"][c] for c in cols])
        for i, d in enumerate(rows, 1):
            out = [i]
            for c in cols:
                v = d.get(c)
                if c == "e_result" and "link_e_result" not in self.flags:
                    out.append(_yn(v))    # x/blank here would meet issue-12 defect 2 (blank read as yes)
                elif c in BOOL_FIELDS:
                    out.append("x" if v else None)
                elif c == "channel":
                    out.append(CHANNEL_VI[v])
                elif c == "online_service_level":
                    out.append(LEVEL_VI[v] or None)
                elif c == "status":
                    out.append(STATUS_VI[v])
                elif c == "supplement_count":
                    out.append(v if v else None)
                elif isinstance(v, dt.datetime) and v.time() == DATE_ONLY:
                    out.append(v.date())      # a date cell without a time
                else:
                    out.append(v)
            ws.append(out)
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = "dd/mm/yyyy hh:mm:ss"
        ws.append(["Tổng cộng", f"{len(rows)} hồ sơ"])
        path.parent.mkdir(parents=True, exist_ok=True)
        wb.save(path)

    def _write_documents(self, path, docs):
        import openpyxl
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(["SỔ ĐĂNG KÝ VĂN BẢN"])
        ws.append(["Mã văn bản", "Mã đơn vị", "Loại sổ", "Ngày đến", "Hình thức", "Ký số", "Độ mật",
                   "Xử lý trên phần mềm", "Gửi nhận qua trục liên thông"])
        for d in docs:
            ws.append([d["document_id"], d["unit_code"], "Văn bản đến" if d["direction"] == "incoming" else "Văn bản đi",
                       d["registered_at"], "Điện tử" if d["form"] == "electronic" else "Giấy",
                       _yn(d["digitally_signed"]), SECRECY_VI[d["secrecy"]], _yn(d["processed_online"]),
                       _yn(d["via_interconnect"])])
            ws.cell(ws.max_row, 4).number_format = "dd/mm/yyyy hh:mm"
        path.parent.mkdir(parents=True, exist_ok=True)
        wb.save(path)


def _yn(v) -> str:
    return "Có" if v else "Không"


def _d(v) -> str:
    return "" if v is None else v.strftime("%d/%m/%Y")


def _ts(v) -> str:
    if v is None:
        return ""
    return v.strftime("%d/%m/%Y") if v.time() == DATE_ONLY else v.strftime("%d/%m/%Y %H:%M:%S")


def _csv(path: Path, header, rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))


# ----------------------------------------------------------------- logical content

UNITS = ["SO1", "SO2", "SO2_CN", "QA", "QA_P1", "QA_P2", "QB", "QB_P1"]
PROCS = ["1.000101", "1.000102", "1.000103", "1.000104", "1.000105"]
HOLIDAYS_2024 = [(dt.date(2024, 1, 1), "Tết Dương lịch", "holiday")] + \
    [(dt.date(2024, 2, d), "Tết Nguyên đán", "holiday") for d in range(8, 15)] + \
    [(dt.date(2024, 4, 18), "Giỗ Tổ Hùng Vương", "holiday"), (dt.date(2024, 4, 29), "Nghỉ bù", "compensatory_day_off"),
     (dt.date(2024, 4, 30), "Ngày Giải phóng", "holiday"), (dt.date(2024, 5, 1), "Quốc tế Lao động", "holiday"),
     (dt.date(2024, 5, 4), "Làm bù", "makeup_working_day"), (dt.date(2024, 3, 16), "Làm bù", "makeup_working_day")]


def build(rnd: random.Random, months: list, flags=frozenset()) -> Tree:
    t = Tree(months=months, flags=frozenset(flags))
    # new dossiers per system and month: more when a flag is on, so the situation surely shows
    rows = (15, 26) if flags else (4, 11)
    first, last = months[0], months[-1]
    since = dt.date(2015, 1, 1)

    def unit(code, name, level, word, parent, valid_to=None, successor=None):
        t.org_units.append(dict(unit_code=code, name=name, level=level, level_word=word, parent_code=parent,
                                valid_from=since, valid_to=valid_to, successor_code=successor))
    # ward merger: QA_P2 merged into QA_P1 at the end of a loaded month (or before the first one)
    k = rnd.randrange(-1, len(months))
    merge_to = (first - DAY) if k < 0 else (next_month(months[k]) - DAY)
    unit("TP", "Thành phố", "city", "city", None)
    unit("SO1", "Sở Tư pháp", "department", "department", "TP")
    unit("SO2", "Sở Tài nguyên và Môi trường", "department", "department", "TP")
    unit("SO2_CN", "Chi nhánh Văn phòng đăng ký đất đai", "unit", "unit", "SO2")
    unit("QA", "Quận A", "district", "district", "TP")
    unit("QA_P1", "Phường 1", "commune", "commune", "QA")
    unit("QA_P2", "Phường 2", "commune", "commune", "QA", merge_to, "QA_P1")
    if "abolish_district" in flags:
        unit("QB", "Quận B", "district", "district", "TP", first - DAY, "QA")
    else:
        unit("QB", "Quận B", "district", "district", "TP")
    unit("QB_P1", "Phường B1", "commune", "commune", "QB")

    for i, code in enumerate(PROCS):
        lvl = rnd.choice(["full", "partial", "none"])
        t.procedures.append(dict(procedure_code=code, name=f"Thủ tục {i + 1}", online_service_level=lvl,
                                 full_online_eligible=lvl == "full" or rnd.random() < 0.2,
                                 fee_required=rnd.random() < 0.5, result_required=rnd.random() < 0.7,
                                 valid_from=since, valid_to=None))
    cat = {p["procedure_code"]: p for p in t.procedures}
    t.holidays = [dict(date=d, name=n, kind=k) for d, n, k in HOLIDAYS_2024]
    if "holiday_spellings" in flags:
        spelled = {"compensatory_day_off": ["Nghỉbù", "compensatorydayoff"],
                   "makeup_working_day": ["makeup_working_saturday", "makeup working Saturday"]}
        t.holidays += [dict(date=dt.date(2024, 2, 15), name="Nghỉ bù Tết", kind="compensatory_day_off"),
                       dict(date=dt.date(2024, 2, 16), name="Nghỉ bù Tết", kind="compensatory_day_off")]
        for i, h in enumerate(t.holidays):
            if h["kind"] in spelled:
                h["written"] = spelled[h["kind"]][i % 2]

    def rand_ts(m):
        day = m + dt.timedelta(days=rnd.randrange((next_month(m) - m).days))
        return dt.datetime.combine(day, dt.time(rnd.randrange(7, 17), rnd.choice([0, 15, 30, 45])))

    def between(a, b):
        if b <= a:
            return a
        return a + dt.timedelta(minutes=rnd.randrange(int((b - a).total_seconds() // 60) + 1))

    # dossiers
    seq = 0
    for m in months:
        for system in ("igate", "vnpt"):
            dropped = ()
            if "drop_optional" in flags and system == ("igate" if m.month % 2 else "vnpt"):
                dropped = DROPPABLE
            t.dropped[(system, m)] = dropped
            for _ in range(rnd.randrange(*rows)):
                seq += 1
                _dossier_life(t, rnd, system, f"{system[:2].upper()}-{seq:05d}", m, cat, flags, rand_ts, between)
    for d in t.dossiers:   # the file lacks the column: the oracle does not know the value
        for c in t.dropped.get((d["system"], d["export_month"]), ()):
            d.pop(c, None)

    # surveys, feedback, documents, e-mail
    live = ["SO1", "SO2", "SO2_CN", "QA", "QA_P1", "QA_P2", "QB_P1"]
    n = 0
    for m in months:
        for _ in range(rnd.randrange(3, 9)):
            n += 1
            t.surveys.append(dict(response_id=f"DG{m:%y%m}{n:04d}", unit_code=rnd.choice(live), rated_at=rand_ts(m),
                                  rating=rnd.randint(1, 5)))
        for _ in range(rnd.randrange(2, 6)):
            n += 1
            _feedback_life(t, rnd, f"PAKN-{n:05d}", m, rnd.choice(live), rand_ts, between)
        for _ in range(rnd.randrange(4, 9)):
            n += 1
            t.documents.append(dict(document_id=f"VB-{n:05d}", unit_code=rnd.choice(live), export_month=m,
                                    direction=rnd.choice(["incoming", "outgoing"]), registered_at=rand_ts(m),
                                    form="electronic" if rnd.random() < 0.7 else "paper",
                                    digitally_signed=rnd.random() < 0.6,
                                    secrecy=rnd.choice(["normal"] * 5 + ["confidential", "secret"]),
                                    processed_online=rnd.random() < 0.6, via_interconnect=rnd.random() < 0.5))
        for a in range(6):
            t.email.append(dict(account=f"canbo{a}@tp.gov.vn", unit_code=live[a], export_month=m,
                                role="leader" if a % 2 == 0 else "staff",
                                # near February's bar (7 of 14 working days with the days off, 8 without)
                                active_days=rnd.choice([6, 7, 7, 8]) if "holiday_spellings" in flags
                                else rnd.randrange(0, 23)))
    if "self_assessed" in flags:
        labels = [f"{m:%Y-%m}" for m in months] + [str(first.year), f"{first.year}-Q{(first.month - 1) // 3 + 1}"]
        for code in ("IDX_1_1", "IDX_1_2", "IDX_1_3", "IDX_4_X"):
            for lab in labels:
                t.self_assessment.append(dict(year=first.year, period=lab, unit_code="TP", indicator_code=code,
                                              value=rnd.choice([100, 87.5, 60, 25])))
    return t


def _dossier_life(t, rnd, system, did, m, cat, flags, rand_ts, between):
    last = t.months[-1]
    proc = rnd.choice(PROCS + (["2.000999"] * 2 if "uncatalogued" in flags else []))
    rec = rand_ts(m)
    due = dt.datetime.combine(rec.date() + dt.timedelta(days=rnd.randrange(0, 16)),
                              DATE_ONLY if "date_only_due" in flags and rnd.random() < 0.4 else dt.time(17, 0))
    own_level = cat[proc]["online_service_level"] if proc in cat else rnd.choice(["full", "partial", "none"])
    if "level_mismatch" in flags and rnd.random() < 0.4:
        own_level = rnd.choice(["full", "partial", "none"])
    base = dict(system=system, dossier_id=did, procedure_code=proc, unit_code=rnd.choice(UNITS + (["QB_P1"] * 3 if "abolish_district" in flags else [])),
                channel=rnd.choice(["direct", "online", "postal"]), online_service_level=own_level,
                received_at=rec, due_at=due, applicant_name=rnd.choice(["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng"]))
    fee = rnd.random() < 0.5
    for f in BOOL_FIELDS:
        base[f] = rnd.random() < 0.5
    base["fee_required"] = fee
    base["paid_online"] = fee and rnd.random() < 0.6
    if rnd.random() < 0.06:      # submitted online, never taken in: kept, counted nowhere
        t.dossiers.append(dict(base, export_month=m, status="submitted", resolved_at=None, supplement_count=0,
                               supplement_requested_at=None, supplement_completed_at=None))
        return
    close = due + dt.timedelta(hours=rnd.randrange(-240, 120))
    close = max(close, rec + dt.timedelta(minutes=30))
    if rnd.random() < 0.15:
        close = dt.datetime(2099, 1, 1)
    final = rnd.choice(["resolved"] * 4 + ["returned"] * 3 + ["rejected", "withdrawn"])
    count = rnd.choice([0, 0, 0, 1, 1, 2])
    req = between(rec, min(close, rec + dt.timedelta(days=10))) if count else None
    comp = between(req, min(close, req + dt.timedelta(days=5))) if req else None
    e = m
    while e <= last:
        end_e = month_end(e)
        if close < end_e:
            t.dossiers.append(dict(base, export_month=e, status=final, resolved_at=close, supplement_count=count,
                                   supplement_requested_at=req, supplement_completed_at=comp))
            if final == "resolved" and e < last and rnd.random() < 0.3:   # result handed over next month
                t.dossiers.append(dict(t.dossiers[-1], export_month=next_month(e), status="returned"))
            return
        # an open dossier is in the month's export, now and then missing (entered late; not re-exported)
        if rnd.random() > (0.05 if e == m else 0.1):
            st_ = rnd.choice(["processing", "processing", "awaiting_supplement", "suspended"])
            row = dict(base, export_month=e, status=st_, resolved_at=None, supplement_count=count,
                       supplement_requested_at=req if req and req < end_e else None,
                       supplement_completed_at=comp if comp and comp < end_e and req < end_e else None)
            if st_ == "awaiting_supplement":
                row.update(supplement_count=max(1, count), supplement_completed_at=None,
                           supplement_requested_at=between(rec, end_e - dt.timedelta(minutes=1)))
            row["apology_sent"] = rnd.random() < 0.5
            t.dossiers.append(row)
        e = next_month(e)


def _feedback_life(t, rnd, fid, m, unit, rand_ts, between):
    rec = rand_ts(m)
    due = rec + dt.timedelta(days=rnd.randrange(3, 20))
    status = rnd.choice(["answered"] * 4 + ["rejected", "forwarded"])
    close = due + dt.timedelta(hours=rnd.randrange(-200, 100)) if status == "answered" \
        else between(rec, due)
    close = max(close, rec + dt.timedelta(hours=1))
    if rnd.random() < 0.15:
        close = dt.datetime(2099, 1, 1)
    base = dict(system="igate", feedback_id=fid, unit_code=unit, received_at=rec, due_at=due,
                published=rnd.random() < 0.7, dissatisfied=rnd.random() < 0.2, follow_up_complaint=rnd.random() < 0.1)
    e = m
    while e <= t.months[-1]:
        if close < month_end(e):
            t.feedback.append(dict(base, export_month=e, status=status, answered_at=close))
            return
        t.feedback.append(dict(base, export_month=e, status="open", answered_at=None))
        e = next_month(e)


@st.composite
def trees(draw, flags=frozenset(), max_months=3):
    # the first choice is what hypothesis tries first: three months across a quarter's end
    start = draw(st.sampled_from([dt.date(2024, 2, 1), dt.date(2023, 12, 1), dt.date(2024, 1, 1), dt.date(2024, 5, 1)]))
    n = draw(st.sampled_from([m for m in (3, 2, 1) if m <= max_months]))
    months = [start]
    for _ in range(n - 1):
        months.append(next_month(months[-1]))
    # a seeded Random, not st.randoms(): hypothesis' simplest random stream (all zeros) makes a
    # degenerate tree where every flag is yes and every choice the first
    seed = draw(st.integers(0, 2**32 - 1))
    return build(random.Random(seed), months, flags)
