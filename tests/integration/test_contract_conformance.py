"""Contract conformance, generated from the contract's own text.

Every header spelling and every value spelling that ``../shared/spec/input-contract.md`` prints
(source tables, the national synchronisation names and codes, the formats table's yes/no words,
dates and numbers) is written into real files of every container the contract allows (CSV in
UTF-8 with and without BOM, UTF-16 tab-separated, Windows-1258; XLSX and XLS with text cells and,
where the value is a number or a date, typed cells; Parquet with string and typed columns), as
printed, in upper case, lower case and NFD. All files of a source land in one month folder and go
through the real ``Loader`` into a real DuckDB file once; each test then checks one container
and one group of spellings: every row must land as the documented canonical value.

When the contract changes, the cases follow (``contract_text`` reads the Markdown).
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.contract_text import CONTRACT_PATH, REFERENCE_TS, load_contract

if not CONTRACT_PATH.exists():
    pytest.skip(f"the input contract is not at {CONTRACT_PATH} (expected ../shared/spec/input-contract.md "
                "beside the repository)", allow_module_level=True)

import openpyxl  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from cchc_etl.contract import load_source  # noqa: E402
from cchc_etl.ingest import Loader  # noqa: E402
from cchc_etl.pii import hmac_hex  # noqa: E402
from cchc_etl.warehouse import connect, ensure_schema  # noqa: E402

KEY = "conformance-key"
MONTH = dt.date(2024, 1, 1)
CONTRACT = load_contract()
FIELDS = CONTRACT.fields
ORG_UNITS = ("unit_code,name,level,parent_code,valid_from,valid_to,successor_code,category\n"
             "TP,Thành phố,city,,2015-01-01,,,\nSTP,Sở Tư pháp,department,TP,2015-01-01,,,\n")

TEXT_CONTAINERS = ["csv_utf8", "csv_utf8_bom", "csv_utf16", "csv_cp1258", "xlsx", "xls", "parquet"]
TYPED_CONTAINERS = ["xlsx_typed", "xls_typed", "parquet_typed"]
FORMS = {
    "literal": lambda s: s,
    "upper": str.upper,
    "lower": str.lower,
    "nfd": lambda s: unicodedata.normalize("NFD", s),
}


class Quarantined:
    """Expected outcome: the row is quarantined on ``column``."""

    def __init__(self, column: str):
        self.column = column

    def __repr__(self):
        return f"<quarantined on {self.column}>"


class AnyOf(tuple):
    """Expected outcome: any one of these values."""


class Hashed:
    """Expected outcome: a keyed hash, never the clear value."""

    def __init__(self, clear: str):
        self.clear = clear

    def __repr__(self):
        return "<hashed>"


class SameKind:
    """Expected outcome: one non-blank value shared by every spelling of this kind, and only them."""

    def __init__(self, label: str):
        self.label = label

    def __repr__(self):
        return f"<the value of {self.label!r}>"


@dataclass
class Case:
    group: str
    source: str
    field: str
    raw: object  # text, or a typed cell (int, float, datetime, date, bool, Percent, ZonedTs)
    expected: object
    form: str = "literal"
    headers: dict = field(default_factory=dict)  # field -> header text overriding the first printed
    cid: str = ""
    container: str = ""  # header cases: the one container they are written to
    spelling: str = ""  # header cases: the header as printed
    # filled in when written
    file: str = ""
    row: int = 0


@dataclass(frozen=True)
class Percent:
    """A numeric cell with a percent number format (it holds 0.95 and shows 95 %)."""
    value: float


@dataclass(frozen=True)
class ZonedTs:
    """A Parquet timestamp with a UTC zone."""
    value: dt.datetime


# -- base rows: each source's required fields, written with contract spellings ------------------
def _first_word(source: str, fname: str) -> str:
    return FIELDS[source][fname].values[0].text


def base_row(source: str, key: str) -> dict[str, object]:
    if source == "dossiers":
        return {"dossier_id": key, "procedure_code": "1.001", "unit_code": "STP", "channel": _first_word("dossiers", "channel"),
                "received_at": "05/01/2024 08:30", "due_at": "20/01/2024 17:00", "resolved_at": "10/01/2024 10:00",
                "status": _first_word("dossiers", "status")}
    if source == "surveys":
        return {"response_id": key, "unit_code": "STP", "rated_at": "05/01/2024 08:30", "rating": "4"}
    if source == "feedback":
        return {"feedback_id": key, "unit_code": "STP", "received_at": "05/01/2024 08:30", "answered_at": "10/01/2024 10:00",
                "status": FIELDS["feedback"]["status"].enum[0]}
    if source == "documents":
        return {"document_id": key, "unit_code": "STP", "direction": _first_word("documents", "direction"),
                "registered_at": "05/01/2024 08:30", "form": _first_word("documents", "form")}
    if source == "email":
        return {"account": f"{key.lower()}@hcm.gov.vn", "unit_code": "STP", "role": _first_word("email", "role"), "active_days": "20"}
    if source == "self_assessment":  # reference data: no contract table, the bullet's columns
        return {"year": "2024", "period": "2024-01", "unit_code": "STP", "indicator_code": key, "value": "50"}
    if source == "holidays":  # the key is the date: one day per row, a year per file
        n, i = (int(x) for x in key.split("-")[-2:])
        day = dt.date(2000 + n % 100, 1, 1) + dt.timedelta(days=i)
        return {"date": day.isoformat(), "name": "Ngày nghỉ", "kind": CONTRACT.holiday_kinds[0][0]}
    raise KeyError(source)


REFERENCE_SOURCES = ("self_assessment", "holidays")  # in landing/reference; headers: the bullet's snake_case names


def header_of(source: str, fname: str, overrides: dict) -> str:
    if fname in overrides:
        return overrides[fname]
    if source in REFERENCE_SOURCES:
        return fname
    return FIELDS[source][fname].headers[0]


# -- the cases, from the contract -----------------------------------------------------------------
def _forms_of(text: str) -> list[tuple[str, str]]:
    seen, out = set(), []
    for name, fn in FORMS.items():
        v = fn(text)
        if v not in seen:
            seen.add(v)
            out.append((name, v))
    return out


def _expected_text(canonical, text):
    return unicodedata.normalize("NFC", text) if canonical is None else canonical


def value_cases() -> list[Case]:
    cases: list[Case] = []
    for source, fields in FIELDS.items():
        for f in fields.values():
            if not f.values:
                continue
            for sp in f.values:
                for form, text in _forms_of(sp.text):
                    cases.append(Case(f"{source}.{f.name} words", source, f.name, text, _expected_text(sp.canonical, text), form))
            if f.blank_value is not None and f.type == "enum":
                cases.append(Case(f"{source}.{f.name} blank", source, f.name, "", f.blank_value))
    # national synchronisation codes, as text and as number cells
    for fname, pairs in CONTRACT.codes.items():
        for code, canon in pairs:
            cases.append(Case(f"dossiers.{fname} codes", "dossiers", fname, code, canon))
            cases.append(Case(f"dossiers.{fname} codes", "dossiers", fname, int(code), canon))
            cases.append(Case(f"dossiers.{fname} codes float", "dossiers", fname, float(code), canon))
    for sp in FIELDS["surveys"]["rating"].values:
        if sp.text.isdigit():
            cases.append(Case("surveys.rating numbers", "surveys", "rating", int(sp.text), sp.canonical))
            cases.append(Case("surveys.rating numbers float", "surveys", "rating", float(sp.text), sp.canonical))
    # yes/no words of the formats table, in every yes/no column of every source
    for source, fields in FIELDS.items():
        for f in fields.values():
            if f.type != "bool":
                continue
            for word, value in CONTRACT.bools:
                if word == "":
                    # "`x`/blank": a blank in a column the file carries (its other rows say x) means no
                    cases.append(Case(f"{source} bool x/blank", source, f.name, "", False))
                    continue
                for form, text in _forms_of(word):
                    cases.append(Case(f"{source} bool words", source, f.name, text, value, form))
            cases.append(Case(f"{source} bool typed", source, f.name, 1, True))
            cases.append(Case(f"{source} bool typed", source, f.name, 0, False))
            cases.append(Case(f"{source} bool typed booleans", source, f.name, True, True))
            cases.append(Case(f"{source} bool typed booleans", source, f.name, False, False))
    # link-style yes/no: "Đường dẫn tệp kết quả (non-empty = yes)"
    link = {"e_result": "Đường dẫn tệp kết quả"}
    assert "Đường dẫn tệp kết quả" in FIELDS["dossiers"]["e_result"].headers
    cases.append(Case("dossiers.e_result link", "dossiers", "e_result", "https://dvc.hcm.gov.vn/kq/HS1.pdf", True, headers=link))
    cases.append(Case("dossiers.e_result link blank", "dossiers", "e_result", "", False, headers=link))
    # dates: every printed format, in the first timestamp field of each source
    for source, fname in [("dossiers", "received_at"), ("surveys", "rated_at"), ("feedback", "received_at"), ("documents", "registered_at")]:
        for fmt in CONTRACT.date_formats:
            ts = REFERENCE_TS
            if fmt == "excel_serial":
                serial = (ts - dt.datetime(1899, 12, 30)).total_seconds() / 86400
                cases.append(Case(f"{source}.{fname} dates excel serial", source, fname, str(int(serial)), dt.datetime(ts.year, ts.month, ts.day)))
                cases.append(Case(f"{source}.{fname} dates excel serial", source, fname, int(serial), dt.datetime(ts.year, ts.month, ts.day)))
                at_nine = dt.datetime(ts.year, ts.month, ts.day, 9)  # 0.375 of a day: exact in binary
                cases.append(Case(f"{source}.{fname} dates excel serial", source, fname, f"{int(serial)}.375", at_nine))
                continue
            if fmt == "date_cell":
                cases.append(Case(f"{source}.{fname} dates cell", source, fname, ts, ts))
                cases.append(Case(f"{source}.{fname} dates date cell", source, fname, ts.date(), dt.datetime(ts.year, ts.month, ts.day)))
                continue
            text = ts.strftime(fmt)
            expected = dt.datetime.strptime(text, fmt)
            cases.append(Case(f"{source}.{fname} dates {fmt}", source, fname, text, expected))
    # "Timestamps with a zone": Z, +hh, +hh:mm, +hhmm, with or without seconds; zoned Parquet
    local = REFERENCE_TS
    utc = local - dt.timedelta(hours=7)
    for text, exp in [
        (utc.strftime("%Y-%m-%dT%H:%M:%SZ"), local), (utc.strftime("%Y-%m-%d %H:%M:%S+00"), local),
        (local.strftime("%Y-%m-%dT%H:%M:%S+07:00"), local), ((utc + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+0200"), local),
        (utc.strftime("%Y-%m-%dT%H:%MZ"), local.replace(second=0)), (local.strftime("%Y-%m-%d %H:%M+07:00"), local.replace(second=0)),
    ]:
        cases.append(Case("dossiers.received_at zoned", "dossiers", "received_at", text, exp))
    cases.append(Case("dossiers.received_at zoned", "dossiers", "received_at", ZonedTs(utc), local))
    # "Explicit years": dd/mm/yy and dates before 2000 are quarantined
    for text in [REFERENCE_TS.strftime("%d/%m/%y"), REFERENCE_TS.strftime("%d/%m/%y %H:%M"), "07/01/1999", "1999-01-07"]:
        cases.append(Case("dossiers.received_at implausible years", "dossiers", "received_at", text, Quarantined("received_at")))
    # "A date without a time means that whole day: as a deadline (due_at), the end of that day"
    end = dt.datetime(2024, 1, 20, 23, 59, 59)
    cases.append(Case("dossiers.due_at date-only end of day", "dossiers", "due_at", "20/01/2024",
                      AnyOf([end, end.replace(microsecond=999999)])))
    cases.append(Case("dossiers.due_at date-only end of day", "dossiers", "due_at", dt.date(2024, 1, 20),
                      AnyOf([end, end.replace(microsecond=999999)])))
    # numbers: the formats table's examples, in the self-assessment value (a number) and in counts
    for text, value in CONTRACT.number_formats:
        cases.append(Case("self_assessment.value numbers text", "self_assessment", "value", text, value))
        if value == int(value):
            cases.append(Case("dossiers.supplement_count numbers text", "dossiers", "supplement_count", text, int(value)))
            cases.append(Case("email.sent_count numbers text", "email", "sent_count", text, int(value)))
    # "Typed cells keep their value": a number cell is a number, a percent cell holding 0.95 is 95
    for value in [1214.0, 84.64, 1.125, 1.5]:
        cases.append(Case("self_assessment.value numbers typed", "self_assessment", "value", value, float(value)))
    cases.append(Case("self_assessment.value percent cell", "self_assessment", "value", Percent(0.95), 95.0))
    cases.append(Case("dossiers.supplement_count typed", "dossiers", "supplement_count", 2, 2))
    cases.append(Case("dossiers.supplement_count typed float", "dossiers", "supplement_count", 2.0, 2))
    cases.append(Case("dossiers.supplement_count blank", "dossiers", "supplement_count", "", 0))
    # "An integral float (`4.0`) is accepted where an integer or a code is expected" (as text too)
    for fname, pairs in CONTRACT.codes.items():
        for code, canon in pairs:
            cases.append(Case(f"dossiers.{fname} codes integral float text", "dossiers", fname, f"{code}.0", canon))
    for n in (1, 5):
        cases.append(Case("surveys.rating integral float text", "surveys", "rating", f"{n}.0", n))
    cases.append(Case("dossiers.supplement_count integral float text", "dossiers", "supplement_count", "2.0", 2))
    # "Unparseable is quarantined ... integers included ... `2 lần` may be read as 2"
    cases.append(Case("dossiers.supplement_count unparseable", "dossiers", "supplement_count", "2 lần",
                      AnyOf([2, Quarantined("supplement_count")])))
    for text in ("hai", "??", "1/2"):
        cases.append(Case("dossiers.supplement_count unparseable", "dossiers", "supplement_count", text, Quarantined("supplement_count")))
        cases.append(Case("email.sent_count unparseable", "email", "sent_count", text, Quarantined("sent_count")))
    # holiday kinds: "case, spaces, `_` and `-` do not matter"; the contract names no canonical
    # identifier, so every spelling of a kind must land as one value, distinct per kind
    seps = CONTRACT.holiday_kind_separators
    for k, spellings in enumerate(CONTRACT.holiday_kinds):
        for sp in spellings:
            variants = {sp}
            for sep in [*seps, ""]:
                variants.add(re.sub(r"[" + re.escape("".join(seps)) + r"]", sep, sp))
            for v in sorted(variants):
                for form, text in _forms_of(v):
                    cases.append(Case("holidays.kind spellings", "holidays", "kind", text, SameKind(spellings[0]), form))
    # "A date cell where a period (YYYY-MM) is expected means that month"
    cases.append(Case("self_assessment.period date cell", "self_assessment", "period", dt.datetime(2024, 1, 1), "2024-01"))
    return cases


def header_cases() -> list[Case]:
    """Files whose header row spells every field its k-th printed way (the national
    synchronisation names in their own files). A planned staging pass costs about half a second
    per wide file, so the forms rotate instead of multiplying the files: in container c, file k,
    field i is written in form (i + k + c) mod 4. Every (field, spelling) is so tried in every
    container, and in every form across the containers (``test_header_cases_cover_every_form``)."""
    cases: list[Case] = []
    form_names = list(FORMS)
    for source, fields in FIELDS.items():
        width = max(len(f.headers) for f in fields.values())
        sets = [("headers", {f.name: f.headers[k % len(f.headers)] for f in fields.values()}, k) for k in range(width)]
        if source == "dossiers":
            national = CONTRACT.national_names
            nwidth = max(len(v) for v in national.values())
            for k in range(nwidth):
                names = {f.name: f.headers[0] for f in fields.values()}
                names.update({fname: alts[k % len(alts)] for fname, alts in national.items()})
                sets.append(("national names", names, k))
        for ci, container in enumerate(TEXT_CONTAINERS):
            for label, names, k in sets:
                forms = {fname: form_names[(i + k + ci) % len(form_names)] for i, fname in enumerate(fields)}
                hdrs = {fname: FORMS[forms[fname]](h) for fname, h in names.items()}
                for fname in fields:
                    value, expected = header_file_value(source, fname)
                    cases.append(Case(f"{source} {label}: {fname}", source, fname, value, expected, forms[fname], hdrs,
                                      cid=f"H{k}", container=container, spelling=names[fname]))
    return cases


def header_file_value(source: str, fname: str) -> tuple[object, object]:
    f = FIELDS[source][fname]
    base = base_row(source, "HDR-1")
    if fname in base:
        v = base[fname]
        if f.type == "enum":
            return v, next((sp.canonical for sp in f.values if sp.text == v), v)
        if f.type == "ts":
            return v, dt.datetime.strptime(v, "%d/%m/%Y %H:%M") if ":" in v else dt.datetime.strptime(v, "%d/%m/%Y")
        if f.type == "PII":
            return v, Hashed(v)
        if fname == "active_days":
            return v, 20
        if fname == "rating":
            return v, 4
        return v, v
    if f.type == "bool":
        return "Có", True
    if f.type == "int":
        return "2", 2
    if f.type == "ts":
        return "06/01/2024 09:00", dt.datetime(2024, 1, 6, 9)
    if f.type == "enum":
        if f.values:
            return f.values[0].text, f.values[0].canonical
        return CONTRACT.codes.get(fname, [("1", "direct")])[0]
    if f.type == "PII":
        return "Nguyễn Văn An", Hashed("Nguyễn Văn An")
    return f"Giá trị {fname}", f"Giá trị {fname}"


ALL_CASES = value_cases() + header_cases()
for _i, _c in enumerate(ALL_CASES):
    _c.cid = f"{_c.cid or 'V'}{_i:05d}"


def is_typed(raw) -> bool:
    return not isinstance(raw, str)


def containers_for(case: Case) -> list[str]:
    if case.container:
        return [case.container]
    return [c for c in (TYPED_CONTAINERS if is_typed(case.raw) else TEXT_CONTAINERS) if _typed_ok(case, c)]


# -- writing files ----------------------------------------------------------------------------------
def cp1258_bytes(text: str) -> bytes:
    """Windows-1258 as Vietnamese systems write it: precomposed base letters where the code page has
    them (â, ơ, ư, đ ...), tone marks as combining characters."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], parts[1:]
        for mark in list(marks):
            combined = unicodedata.normalize("NFC", base + mark)
            if len(combined) == 1:
                try:
                    combined.encode("cp1258")
                except UnicodeEncodeError:
                    continue
                base = combined
                marks = marks.replace(mark, "", 1)
        out += (base + marks).encode("cp1258")
    return bytes(out)


def _csv_cell(value: str, delimiter: str) -> str:
    if any(ch in value for ch in (delimiter, '"', "\n", "\r")):
        return '"' + value.replace('"', '""') + '"'
    return value


def write_text_table(path: Path, container: str, header: list[str], rows: list[list[object]]) -> int:
    """Writes; returns the physical row number of the first data row."""
    if container.startswith("csv"):
        delimiter = "\t" if container == "csv_utf16" else ","
        lines = [delimiter.join(_csv_cell(str(c), delimiter) for c in r) for r in [header, *rows]]
        text = "\r\n".join(lines) + "\r\n"
        if container == "csv_utf8":
            data = text.encode("utf-8")
        elif container == "csv_utf8_bom":
            data = codecs.BOM_UTF8 + text.encode("utf-8")
        elif container == "csv_utf16":
            data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
        else:
            data = cp1258_bytes(text)
        path.with_suffix(".csv").write_bytes(data)
        return 2
    if container.startswith("xlsx"):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(header)
        for r in rows:
            ws.append([None if c == "" else (c.value if isinstance(c, Percent) else c) for c in r])
            for col, c in enumerate(r, 1):
                if isinstance(c, Percent):
                    ws.cell(ws.max_row, col).number_format = "0%"
                elif isinstance(c, dt.datetime):
                    ws.cell(ws.max_row, col).number_format = "dd/mm/yyyy hh:mm:ss"
                elif isinstance(c, dt.date):
                    ws.cell(ws.max_row, col).number_format = "dd/mm/yyyy"
        wb.save(path.with_suffix(".xlsx"))
        return 2
    if container.startswith("xls"):
        import xlwt

        wb = xlwt.Workbook(encoding="utf-8")
        ws = wb.add_sheet("Sheet1")
        styles = {"pct": xlwt.easyxf(num_format_str="0%"), "dt": xlwt.easyxf(num_format_str="DD/MM/YYYY HH:MM:SS"),
                  "d": xlwt.easyxf(num_format_str="DD/MM/YYYY")}
        for c, h in enumerate(header):
            ws.write(0, c, h)
        for r, row in enumerate(rows, 1):
            for c, v in enumerate(row):
                if v == "" or v is None:
                    continue
                if isinstance(v, Percent):
                    ws.write(r, c, v.value, styles["pct"])
                elif isinstance(v, dt.datetime):
                    ws.write(r, c, v, styles["dt"])
                elif isinstance(v, dt.date):
                    ws.write(r, c, v, styles["d"])
                else:
                    ws.write(r, c, v)
        wb.save(str(path.with_suffix(".xls")))
        return 2
    if container.startswith("parquet"):
        columns = {}
        for c, h in enumerate(header):
            values = [r[c] for r in rows]
            typed = [v for v in values if not isinstance(v, str)]
            if not typed:
                columns[h] = pa.array([None if v == "" else v for v in values], pa.string())
                continue
            sample = typed[0]
            values = [None if v == "" else v for v in values]
            if isinstance(sample, ZonedTs):
                arr = pa.array([v and v.value for v in values], pa.timestamp("us", tz="UTC"))
            elif isinstance(sample, Percent):
                arr = pa.array([v and v.value for v in values], pa.float64())
            elif isinstance(sample, bool):
                arr = pa.array(values, pa.bool_())
            elif isinstance(sample, dt.datetime):
                arr = pa.array(values, pa.timestamp("us"))
            elif isinstance(sample, dt.date):
                arr = pa.array(values, pa.date32())
            elif isinstance(sample, float):
                arr = pa.array(values, pa.float64())
            else:
                arr = pa.array(values, pa.int64())
            columns[h] = arr
        pq.write_table(pa.table(columns), path.with_suffix(".parquet"))
        return 1
    raise ValueError(container)


def _typed_ok(case: Case, container: str) -> bool:
    """Percent cells and zoned timestamps exist only where the container has them."""
    if isinstance(case.raw, Percent):
        return container in ("xlsx_typed", "xls_typed")
    if isinstance(case.raw, ZonedTs):
        return container == "parquet_typed"
    return True


@dataclass
class Landing:
    root: Path
    files: dict = field(default_factory=dict)  # (container, group) -> [(case, relpath, row)]


def build_landing(root: Path) -> dict[tuple[str, str], list[tuple[Case, str, int]]]:
    """Writes every case into files; returns (container, group) -> [(case, file, row)]."""
    (root / "reference").mkdir(parents=True)
    (root / "reference" / "org_units.csv").write_text(ORG_UNITS, encoding="utf-8")
    placed: dict[tuple[str, str], list[tuple[Case, str, int]]] = defaultdict(list)
    # group cases into files: header cases by (source, group, k); value cases by (source, header
    # overrides) for text containers, by (source, group) for typed ones (a typed column holds one type)
    buckets: dict[tuple, list[Case]] = defaultdict(list)
    for case in ALL_CASES:
        for container in containers_for(case):
            if case.cid.startswith("H"):
                key = ("h", container, case.source, case.group.split(":")[0], case.cid[:2])
            elif container == "parquet_typed":  # a typed column holds one type; optional ones share a file
                required = case.source not in FIELDS or FIELDS[case.source][case.field].required
                key = ("t", container, case.source, type(case.raw).__name__, case.field if required else "*")
            elif is_typed(case.raw):  # spreadsheet cells are typed one by one
                key = ("t", container, case.source)
            else:
                key = ("v", container, case.source, tuple(sorted(case.headers.items())))
            buckets[key].append(case)
    n = 0
    for bkey, usable in buckets.items():
        source = usable[0].source
        container = bkey[1]
        if usable:
            n += 1
            system = f"s{n:04d}"
            folder = root / ("reference" if source in REFERENCE_SOURCES else f"{source}/2024-01")
            folder.mkdir(parents=True, exist_ok=True)
            stem = f"{source}__{system}" if source in REFERENCE_SOURCES else f"{system}__export"
            if bkey[0] == "h":
                first = usable[0]
                fields = list(FIELDS[source])
                header = [first.headers[f] for f in fields]
                row = [next(c.raw for c in usable if c.field == f) for f in fields]
                rows = [row]
                row_of = {c.cid: 0 for c in usable}
            else:
                overrides = usable[0].headers
                fields = list(dict.fromkeys([*base_row(source, "K-0-0"), *sorted({c.field for c in usable})]))
                header = [header_of(source, f, overrides) for f in fields]
                rows, row_of = [], {}
                typed_fields = {c.field for c in usable}
                for c in usable:
                    values = base_row(source, f"{c.cid}-{n}-{len(rows)}")
                    if container == "parquet_typed":  # the other typed columns of the file: blank
                        values.update({g: "" for g in typed_fields if g != c.field})
                    values[c.field] = c.raw
                    row_of[c.cid] = len(rows)
                    rows.append([values.get(f, "") for f in fields])
                # "`x`/blank": give every yes/no column an x elsewhere, so the file carries the convention
                if any(c.group.endswith("bool x/blank") for c in usable):
                    for f in fields:
                        if source in FIELDS and f in FIELDS[source] and FIELDS[source][f].type == "bool":
                            marker = base_row(source, f"XMARK-{n}-{len(rows)}")
                            marker[f] = "x"
                            rows.append([marker.get(g, "") for g in fields])
            first_row = write_text_table(folder / stem, container, header, rows)
            suffix = {"csv": ".csv", "xlsx": ".xlsx", "xls": ".xls", "parquet": ".parquet"}[container.split("_")[0]]
            rel = str((folder / stem).with_suffix(suffix).relative_to(root))
            for c in usable:
                placed[(container, c.group)].append((c, rel, first_row + row_of[c.cid]))
    return placed


@dataclass
class Outcome:
    staged: dict  # (file, row) -> {column: value}
    quarantine: dict  # (file, row) -> (column, reason)
    refused: dict  # file -> error


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    root = tmp_path_factory.mktemp("conformance")
    landing = root / "landing"
    placed = build_landing(landing)
    staged, quarantine, refused = {}, {}, {}
    with connect(root / "wh.duckdb") as con:
        ensure_schema(con)
        loader = Loader(con, landing, KEY)
        loader.load_reference("org_units")
        loader.load_reference("self_assessment")
        loader.load_reference("holidays")
        for source in FIELDS:
            loader.load_month(source, MONTH)
        for source in [*FIELDS, *REFERENCE_SOURCES]:
            table = load_source(source).staging_table
            cur = con.execute(f"SELECT * FROM {table}")
            cols = [d[0] for d in cur.description]
            for row in cur.fetchall():
                rec = dict(zip(cols, row))
                staged[(rec["file_path"], rec["row_number"])] = rec
        for file_path, row_number, column, reason in con.execute(
                "SELECT file_path, row_number, column_name, reason FROM quality.quarantine").fetchall():
            quarantine[(file_path, row_number)] = (column, reason)
        for file_path, error in con.execute("SELECT file_path, error FROM quality.file_log WHERE status <> 'loaded'").fetchall():
            refused[file_path] = error
    return placed, Outcome(staged, quarantine, refused)


def staged_name(source: str, fname: str) -> str:
    return f"{fname}_hash" if source in FIELDS and fname in FIELDS[source] and FIELDS[source][fname].type == "PII" else fname


def _matches(expected, got) -> bool:
    if isinstance(expected, AnyOf):
        return any(_matches(e, got) for e in expected)
    if isinstance(expected, Hashed):
        return isinstance(got, str) and got == hmac_hex(KEY, expected.clear) or (
            isinstance(got, str) and len(got) >= 32 and expected.clear not in got)
    if isinstance(expected, float) and isinstance(got, (int, float)) and not isinstance(got, bool):
        return abs(expected - got) < 1e-9
    if isinstance(expected, bool) or isinstance(got, bool):
        return type(expected) is type(got) and expected == got
    if isinstance(expected, int) and isinstance(got, (int, float)):
        return expected == got
    return expected == got


def check(container: str, group: str, placed, outcome: Outcome) -> list[str]:
    problems = []
    kinds: dict[str, dict[object, list[str]]] = {}
    for case, rel, row in placed[(container, group)]:
        shown = f"{case.cid} [{container}] {case.source}.{case.field} {case.form} {case.raw!r}"
        if case.cid.startswith("H"):
            shown = f"{case.cid} [{container}] {case.source}.{case.field} header {case.spelling!r} {case.form} as {case.headers[case.field]!r}"
        if rel in outcome.refused:
            problems.append(f"{shown}: expected {case.expected!r}, file refused: {outcome.refused[rel]}")
            continue
        q = outcome.quarantine.get((rel, row))
        rec = outcome.staged.get((rel, row))
        if q and isinstance(case.expected, AnyOf) and any(isinstance(e, Quarantined) and e.column == q[0] for e in case.expected):
            continue
        if isinstance(case.expected, Quarantined):
            if not q or q[0] != case.expected.column:
                got = f"quarantined on {q[0]}: {q[1]}" if q else f"loaded as {rec.get(staged_name(case.source, case.field))!r}" if rec else "missing"
                problems.append(f"{shown}: expected {case.expected!r}, got {got}")
            continue
        if q:
            problems.append(f"{shown}: expected {case.expected!r}, quarantined on {q[0]}: {q[1]}")
            continue
        if rec is None:
            problems.append(f"{shown}: expected {case.expected!r}, row {rel}:{row} neither loaded nor quarantined")
            continue
        col = staged_name(case.source, case.field)
        if col not in rec:
            problems.append(f"{shown}: expected {case.expected!r}, the staging table has no column {col}")
            continue
        if isinstance(case.expected, SameKind):
            if rec[col] is None:
                problems.append(f"{shown}: expected {case.expected!r}, got NULL")
            kinds.setdefault(case.expected.label, {}).setdefault(rec[col], []).append(shown)
            continue
        if not _matches(case.expected, rec[col]):
            problems.append(f"{shown}: expected {case.expected!r}, got {rec[col]!r}")
    for label, values in kinds.items():
        if len(values) > 1:
            problems.append(f"spellings of {label!r} landed as {len(values)} values: " + "; ".join(
                f"{v!r} <- {len(who)} spellings, e.g. {who[0]}" for v, who in values.items()))
    landed_as = [v for values in kinds.values() for v in values if v is not None]
    if len(landed_as) != len(set(landed_as)):
        problems.append(f"different kinds landed as one value: {kinds!r}")
    return problems


# -- known defects (issue 12): strict xfail per container x group ----------------------------------
# (container regex, group regex, reason); a fix makes the group pass and the strict mark fail:
# remove the line then.
KNOWN = [
]


def _params():
    groups = sorted({(c, case.group) for case in ALL_CASES for c in containers_for(case) if _typed_ok(case, c)})
    out = []
    for container, group in groups:
        marks = [pytest.mark.xfail(strict=True, reason=reason) for cre, gre, reason in KNOWN
                 if re.fullmatch(cre, container) and re.search(gre, group)]
        out.append(pytest.param(container, group, marks=marks[:1], id=f"{container}-{group}"))
    return out


@pytest.mark.parametrize("container,group", _params())
def test_spelling_lands_as_documented(landed, container, group):
    placed, outcome = landed
    assert placed[(container, group)], "no case was written for this group"
    problems = check(container, group, placed, outcome)
    assert not problems, f"{len(problems)} of {len(placed[(container, group)])} cases differ from the contract:\n" + "\n".join(problems)


def test_contract_text_is_understood():
    """The parser found what the contract prints (a contract edit that breaks parsing shows here)."""
    d = FIELDS["dossiers"]
    assert {"Bưu chính công ích (BCCI)", "Bưu chính công ích", "BCCI"} <= {v.text for v in d["channel"].values}
    assert "Đơn vị tiếp nhận" in d["unit_code"].headers and "Loại sổ" in FIELDS["documents"]["direction"].headers
    assert "Lấy từ kho dữ liệu điện tử của tổ chức, cá nhân" in d["citizen_store_linked"].headers
    assert CONTRACT.national_names["dossier_id"] == ["MaHoSo"] and len(CONTRACT.codes["status"]) == 10
    assert ("", False) in CONTRACT.bools and ("Đã gửi", True) in CONTRACT.bools
    assert "excel_serial" in CONTRACT.date_formats and "%d-%m-%Y %H:%M:%S" in CONTRACT.date_formats
    assert CONTRACT.number_formats == [("1.214", 1214.0), ("84,64", 84.64), ("95%", 95.0)]


def test_header_cases_cover_every_form():
    """Every printed header is tried in every container, and in every form in some container."""
    seen_container, seen_form = set(), set()
    for case in ALL_CASES:
        if case.cid.startswith("H"):
            seen_container.add((case.source, case.field, case.spelling, case.container))
            seen_form.add((case.source, case.field, case.spelling, case.form))
    for source, fields in FIELDS.items():
        for f in fields.values():
            spellings = f.headers + (CONTRACT.national_names.get(f.name, []) if source == "dossiers" else [])
            for h in spellings:
                assert {c for (s_, f_, h_, c) in seen_container if (s_, f_, h_) == (source, f.name, h)} == set(TEXT_CONTAINERS), (source, f.name, h)
                assert {m for (s_, f_, h_, m) in seen_form if (s_, f_, h_) == (source, f.name, h)} == set(FORMS), (source, f.name, h)
