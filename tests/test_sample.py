"""Tests for the sample landing-tree generator (cchc_etl/sample.py).

The files are read back with openpyxl / csv and interpreted with the alias and value lists of
assets/sources/*.yaml, independently of the warehouse readers.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
try:  # pytest may run without the project root on sys.path
    import cchc_etl.sample  # noqa: F401
except ModuleNotFoundError:  # pragma: no cover
    sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402

from cchc_etl.sample import (  # noqa: E402
    DOSSIER_FIELDS,
    IGATE_EXTRA_COLUMN,
    IGATE_HEADERS,
    write_bench_csv,
    write_bench_landing,
    write_sample_landing,
)

SOURCES = ROOT / "assets" / "sources"
MONTHS = ["2024-01", "2024-02", "2024-03"]
LAYOUT_RE = re.compile(
    r"^(?P<source>dossiers|surveys|feedback|documents|email)/(?P<month>\d{4}-(0[1-9]|1[0-2]))/"
    r"(?P<system>[a-z0-9][a-z0-9_]*)__(?P<rest>[^/]+)\.(?P<ext>csv|xlsx|xls|parquet)$"
)
REFERENCE_RE = re.compile(
    r"^reference/(?P<kind>org_units|procedures|holidays|targets|self_assessment)(__[^/]+)?"
    r"\.(csv|xlsx|xls|parquet)$"
)
OPEN = {"processing", "awaiting_supplement", "suspended"}
TERMINAL = {"resolved", "returned", "rejected", "withdrawn"}
RANK = {"submitted": 0, "processing": 1, "awaiting_supplement": 1, "suspended": 1,
        "resolved": 2, "rejected": 2, "withdrawn": 2, "returned": 3}
EVENTS = ("received_at", "resolved_at", "returned_at", "supplement_requested_at", "supplement_completed_at")


# --------------------------------------------------------------------------- helpers


def norm(s: str) -> str:
    s = unicodedata.normalize("NFD", str(s)).replace("đ", "d").replace("Đ", "D")
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]", "", s.lower())


def load_contract(name: str) -> dict:
    return yaml.safe_load((SOURCES / f"{name}.yaml").read_text(encoding="utf-8"))


def alias_map(contract: dict) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in contract["fields"]:
        for a in [f["name"], *f.get("aliases", [])]:
            out.setdefault(norm(a), f["name"])
    return out


def value_maps(contract: dict) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for f in contract["fields"]:
        if f.get("values"):
            out[f["name"]] = {norm(v): canon for canon, vs in f["values"].items() for v in vs}
    return out


DOSSIERS = load_contract("dossiers")
D_ALIASES = alias_map(DOSSIERS)
D_VALUES = value_maps(DOSSIERS)


def parse_ts(v):
    """Timestamp from a datetime cell, 'dd/mm/yyyy HH:MM' or ISO text; None if blank;
    raises ValueError when unparseable."""
    if v is None or v == "":
        return None
    if isinstance(v, dt.datetime):
        return v
    s = str(v)
    for fmt in ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(s, fmt)
        except ValueError:
            pass
    raise ValueError(s)


def canon_status(v) -> str | None:
    return D_VALUES["status"].get(norm(v)) if v not in (None, "") else None


def month_end(month: str) -> dt.datetime:
    y, m = map(int, month.split("-"))
    nxt = dt.datetime(y + m // 12, m % 12 + 1, 1)
    return nxt - dt.timedelta(seconds=1)


def read_dossier_file(path: Path) -> tuple[list[tuple[int, dict]], dict]:
    """Rows as (physical row number, {field: raw value}) plus layout counts."""
    counts = {"title": 0, "header": 0, "blank": 0, "total": 0, "physical": 0}
    rows: list[tuple[int, dict]] = []
    if path.suffix == ".csv":
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), "vnpt export is UTF-8 with BOM"
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            counts["header"] = 1
            fields = [D_ALIASES[norm(h)] for h in header]
            for i, rec in enumerate(reader, start=2):
                rows.append((i, dict(zip(fields, rec))))
        counts["physical"] = len(rows) + 1
        return rows, counts
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    header_idx, fields = None, None
    for i, rec in enumerate(ws.iter_rows(min_row=1, max_row=ws.max_row, values_only=True), start=1):
        counts["physical"] = i
        if all(v is None or v == "" for v in rec):
            counts["blank"] += 1
            continue
        if header_idx is None:
            mapped = [D_ALIASES.get(norm(v)) if v is not None else None for v in rec]
            if sum(m is not None for m in mapped) >= 5:
                header_idx, fields = i, mapped
                counts["header"] = 1
            else:
                counts["title"] += 1
            continue
        if str(rec[0]).strip().lower() in ("tổng cộng", "total"):
            counts["total"] += 1
            counts["total_value"] = rec[1]
            continue
        rows.append((i, {f: v for f, v in zip(fields, rec) if f is not None}))
    return rows, counts


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    out = tmp_path_factory.mktemp("landing")
    manifest = write_sample_landing(out, MONTHS[0], MONTHS[-1], rows_per_month=400, seed=7)
    return out, manifest


@pytest.fixture(scope="module")
def parsed(landing):
    out, manifest = landing
    return {rel: read_dossier_file(out / rel) for rel in manifest.dossier_files()}


def org_codes(out: Path) -> set[str]:
    with (out / "reference" / "org_units.csv").open(encoding="utf-8", newline="") as fh:
        return {r["unit_code"] for r in csv.DictReader(fh)}


def bad_rows_of(manifest, rel) -> dict[int, tuple[str, str]]:
    return {r: (c, p) for r, c, p in manifest.bad_rows[rel]}


# --------------------------------------------------------------------------- layout


def test_layout_matches_contract(landing):
    out, manifest = landing
    on_disk = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert on_disk == sorted(manifest.files)
    assert manifest.months == MONTHS
    systems_per_month: dict[str, set[str]] = {}
    for rel in on_disk:
        if rel.startswith("reference/"):
            assert REFERENCE_RE.match(rel), rel
            continue
        m = LAYOUT_RE.match(rel)
        assert m, f"{rel} does not follow <source>/<YYYY-MM>/<system>__<anything>.<ext>"
        systems_per_month.setdefault(m["month"], set()).add(m["system"])
    assert set(systems_per_month) == set(MONTHS)
    assert all(len(s) >= 2 for s in systems_per_month.values())
    assert {"reference/org_units.csv", "reference/procedures.xlsx"} <= set(on_disk)


def test_org_units_reference(landing):
    out, _ = landing
    with (out / "reference" / "org_units.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["unit_code", "name", "level", "parent_code", "valid_from", "valid_to",
                                     "successor_code", "category"]
        units = list(reader)
    by_code = {u["unit_code"]: u for u in units}
    assert len(by_code) == len(units)
    levels = [u["level"] for u in units]
    assert levels.count("city") == 1 and by_code["HCM"]["level"] == "city"
    assert 6 <= levels.count("department") <= 10
    assert levels.count("district") >= 3
    assert levels.count("commune") >= 6
    assert any(u["level"] == "unit" and u["category"] == "land_registry_branch"
               and by_code[u["parent_code"]]["level"] == "department" for u in units)
    for u in units:
        if u["level"] != "city":
            assert u["parent_code"] in by_code, u
        if u["level"] == "commune":
            assert by_code[u["parent_code"]]["level"] == "district"
        assert dt.date.fromisoformat(u["valid_from"])
    historic = [u for u in units if u["valid_to"]]
    assert len(historic) == 1
    h = historic[0]
    assert dt.date.fromisoformat(h["valid_to"]) > dt.date.fromisoformat(h["valid_from"])
    assert h["successor_code"] in by_code and not by_code[h["successor_code"]]["valid_to"]
    assert unicodedata.is_normalized("NFC", (out / "reference" / "org_units.csv").read_text(encoding="utf-8"))


def test_procedures_reference(landing):
    out, manifest = landing
    contract = load_contract("procedures")
    aliases, values = alias_map(contract), value_maps(contract)
    ws = openpyxl.load_workbook(out / "reference" / "procedures.xlsx").active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "DANH MỤC THỦ TỤC HÀNH CHÍNH"
    assert all(v is None for v in rows[1])
    fields = [aliases[norm(h)] for h in rows[2]]
    assert len(set(fields)) == len(fields) == 13
    procs = [dict(zip(fields, r)) for r in rows[3:]]
    assert 35 <= len(procs) <= 50
    assert manifest.data_rows["reference/procedures.xlsx"] == len(procs)
    code_re = re.compile(r"^[12]\.\d{6}\.000\.00\.00\.H29$")
    assert len({p["procedure_code"] for p in procs}) == len(procs)
    for p in procs:
        assert code_re.match(p["procedure_code"]), p["procedure_code"]
        assert values["level"][norm(p["level"])] in {"province", "district", "commune"}
        assert values["online_service_level"][norm(p["online_service_level"])] in {"full", "partial", "none"}
        assert values["statutory_unit"][norm(p["statutory_unit"])]
        assert p["full_online_eligible"] in ("Có", "Không") and p["fee_required"] in ("Có", "Không")
        assert p["target_group"] in (None, "", "land", "investment", "complaints")
        assert isinstance(p["valid_from"], dt.datetime)
        assert float(p["statutory_days"]) > 0
    assert {p["target_group"] for p in procs} >= {"land", "investment", "complaints"}


def test_headers_map_to_contract(landing, parsed):
    out, manifest = landing
    for rel in manifest.dossier_files():
        path = out / rel
        if path.suffix == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as fh:
                header = next(csv.reader(fh))
            assert header == [f["name"] for f in DOSSIERS["fields"]] == list(DOSSIER_FIELDS)
        else:
            ws = openpyxl.load_workbook(path).active
            header = [c.value for c in ws[5]]
            assert header[-1] == IGATE_EXTRA_COLUMN and norm(IGATE_EXTRA_COLUMN) not in D_ALIASES
            mapped = [D_ALIASES[norm(h)] for h in header[:-1]]
            assert mapped == list(IGATE_HEADERS) and len(set(mapped)) == len(mapped)
            # realistic one-stop export: title rows above the header, Vietnamese words
            assert ws["A1"].value.startswith("BÁO CÁO") and ws["A3"].value.startswith("Kỳ báo cáo")


def test_pii_columns_present(parsed):
    cccd = re.compile(r"^\d{12}$|^03\d{8}$")
    phone = re.compile(r"^09\d{8}$")
    for rel, (rows, _) in parsed.items():
        assert rows
        names = [r["applicant_name"] for _, r in rows]
        assert all(names) and any(c in "".join(names) for c in "ễễạảấệịọ")
        assert all(cccd.match(str(r["applicant_id"])) for _, r in rows), rel
        phones = [r["applicant_phone"] for _, r in rows if r["applicant_phone"] not in (None, "")]
        assert len(phones) > 0.9 * len(rows) and all(phone.match(str(p)) for p in phones)
        assert any(re.match(r"^079\d{9}$", str(r["applicant_id"])) for _, r in rows)


# --------------------------------------------------------------------------- accounting


def test_row_accounting(landing, parsed):
    out, manifest = landing
    for rel, (rows, counts) in parsed.items():
        assert counts["physical"] == manifest.physical_rows(rel), rel
        assert len(rows) == manifest.data_rows[rel]
        skipped = manifest.skipped_rows[rel]
        for k in ("title", "header", "blank", "total"):
            assert counts[k] == skipped[k], (rel, k)
        if rel.endswith(".xlsx"):
            assert skipped == {"title": 3, "header": 1, "blank": 2, "total": 1}
            assert counts["total_value"] == len(rows)
            # the mid-data blank row sits between data rows
            numbers = [n for n, _ in rows]
            gaps = [b - a for a, b in zip(numbers, numbers[1:])]
            assert gaps.count(2) == 1 and set(gaps) == {1, 2}
        else:
            assert skipped == {"title": 0, "header": 1, "blank": 0, "total": 0}
    # reference files are accounted for too
    assert manifest.physical_rows("reference/org_units.csv") == len(
        (out / "reference/org_units.csv").read_text(encoding="utf-8").splitlines())
    ws = openpyxl.load_workbook(out / "reference/procedures.xlsx").active
    assert manifest.physical_rows("reference/procedures.xlsx") == ws.max_row


def _problems(row: dict, month: str, units: set[str]) -> list[tuple[str, str]]:
    """Every rule violation of a row (independent re-implementation of the contract checks)."""
    found = []
    ts = {}
    for f in EVENTS + ("due_at",):
        try:
            ts[f] = parse_ts(row.get(f))
        except ValueError:
            found.append((f, "unparseable_date"))
            ts[f] = None
    if not row.get("dossier_id"):
        found.append(("dossier_id", "missing_required"))
    status = canon_status(row.get("status"))
    if status is None:
        found.append(("status", "unknown_status"))
    if row.get("unit_code") not in units:
        found.append(("unit_code", "unknown_unit"))
    if ts["resolved_at"] and ts["received_at"] and ts["resolved_at"] < ts["received_at"]:
        found.append(("resolved_at", "resolved_before_received"))
    end = month_end(month)
    for f in EVENTS:
        if ts[f] is not None and ts[f] > end:
            found.append((f, "event_after_month_end"))
    if status != "submitted" and status is not None and ("received_at", "unparseable_date") not in found:
        if ts["received_at"] is None or ts["due_at"] is None:
            found.append(("received_at", "missing_required"))
        elif ts["due_at"] < ts["received_at"]:
            found.append(("due_at", "due_before_received"))
    if status in TERMINAL and ts["resolved_at"] is None and ("resolved_at", "unparseable_date") not in found:
        found.append(("resolved_at", "missing_for_terminal"))
    return found


def test_planted_bad_rows_and_clean_rest(landing, parsed):
    out, manifest = landing
    units = org_codes(out)
    kinds_seen = set()
    for rel, (rows, _) in parsed.items():
        month = rel.split("/")[1]
        bad = bad_rows_of(manifest, rel)
        assert 1 <= len(bad) <= 8, rel
        assert len({c for c, _ in bad.values()}) == len(bad)  # at most one of each kind per file
        numbers = {n for n, _ in rows}
        assert set(bad) <= numbers
        for n, row in rows:
            problems = _problems(row, month, units)
            if n in bad:
                assert problems == [bad[n]], (rel, n, problems, bad[n])
                kinds_seen.add(bad[n][1])
            else:
                assert problems == [], (rel, n, problems)
    assert kinds_seen == {"unparseable_date", "unknown_status", "missing_required", "resolved_before_received",
                          "unknown_unit", "event_after_month_end"}


# --------------------------------------------------------------------------- semantics


def _states(rows, bad) -> dict[str, dict]:
    out = {}
    for n, r in rows:
        if n in bad:
            continue
        out[r["dossier_id"]] = {
            "status": canon_status(r["status"]),
            "received_at": parse_ts(r["received_at"]),
            "due_at": parse_ts(r["due_at"]),
            "resolved_at": parse_ts(r["resolved_at"]),
            "supplement_count": int(r["supplement_count"] or 0),
            "row": r,
        }
    return out


def _by_system(manifest) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for rel in manifest.dossier_files():
        out.setdefault(LAYOUT_RE.match(rel)["system"], []).append(rel)
    return {k: sorted(v) for k, v in out.items()}


def test_ids_unique_per_system_file(parsed):
    for rel, (rows, _) in parsed.items():
        ids = [r["dossier_id"] for _, r in rows if r["dossier_id"]]
        assert len(ids) == len(set(ids)), rel
        assert all(re.search(r"-\d{6}-\d{4}$", i) for i in ids)


def test_open_dossiers_reappear_next_month(landing, parsed):
    out, manifest = landing
    carried_total = 0
    for system, files in _by_system(manifest).items():
        for prev_rel, next_rel in zip(files, files[1:]):
            prev = _states(parsed[prev_rel][0], bad_rows_of(manifest, prev_rel))
            nxt = _states(parsed[next_rel][0], bad_rows_of(manifest, next_rel))
            next_start = month_end(prev_rel.split("/")[1]) + dt.timedelta(seconds=1)
            for did, s in prev.items():
                if s["status"] in TERMINAL:
                    assert did not in nxt, f"{system}: {did} closed in {prev_rel} reappears"
                    continue
                assert did in nxt, f"{system}: open dossier {did} missing from {next_rel}"
                n = nxt[did]
                carried_total += 1
                assert RANK[n["status"]] >= RANK[s["status"]], (did, s["status"], n["status"])
                if s["status"] != "submitted":
                    assert (n["received_at"], n["due_at"]) == (s["received_at"], s["due_at"]), did
                    assert n["supplement_count"] >= s["supplement_count"]
                if n["resolved_at"] is not None:
                    assert n["resolved_at"] >= next_start  # closed during the next month
            # a dossier received before the month (not submitted) must come from the previous export
            for did, n in nxt.items():
                if n["received_at"] is not None and n["received_at"] < next_start:
                    assert did in prev or did in {r["dossier_id"] for _, r in parsed[prev_rel][0]}, did
    assert carried_total > 50


def test_realistic_distribution(landing, parsed):
    out, manifest = landing
    new = total = online = postal = late = closed = apology_late = overdue_open = 0
    supp = {0: 0, 1: 0, 2: 0}
    weekday = received = 0
    for rel, (rows, _) in parsed.items():
        month = rel.split("/")[1]
        start = dt.datetime.strptime(month + "-01", "%Y-%m-%d")
        end = month_end(month)
        for n, r in _states(rows, bad_rows_of(manifest, rel)).items():
            row = r["row"]
            total += 1
            ch = D_VALUES["channel"][norm(row["channel"])]
            online += ch == "online"
            postal += ch == "postal"
            supp[r["supplement_count"]] += 1
            if r["received_at"] is None:
                continue
            assert r["received_at"].time() >= dt.time(7, 30) and r["received_at"].time() <= dt.time(17, 0)
            received += 1
            weekday += r["received_at"].weekday() < 5
            if r["received_at"] >= start:
                new += 1
                closed += r["status"] in TERMINAL
            if r["status"] in ("resolved", "returned"):
                if r["resolved_at"].date() > r["due_at"].date():
                    late += 1
                    apology_late += norm(row["apology_sent"]) in ("co", "1")
            if r["status"] in OPEN and r["due_at"] < end:
                overdue_open += 1
    assert 0.35 <= online / total <= 0.65
    assert 0.02 <= postal / total <= 0.09
    resolved_total = sum(1 for _, (rows, _) in parsed.items() for _, r in rows
                         if canon_status(r["status"]) in ("resolved", "returned"))
    assert 0.6 <= closed / new <= 0.9
    assert 0.003 <= late / resolved_total <= 0.05
    assert apology_late > 0.6 * late
    assert overdue_open > 0
    assert supp[0] > 0.8 * total and supp[1] > supp[2] > 0
    assert weekday > 0.95 * received


# --------------------------------------------------------------------------- determinism


def test_determinism(tmp_path):
    a = write_sample_landing(tmp_path / "a", "2024-01", "2024-02", rows_per_month=80, seed=3)
    b = write_sample_landing(tmp_path / "b", "2024-01", "2024-02", rows_per_month=80, seed=3)
    c = write_sample_landing(tmp_path / "c", "2024-01", "2024-02", rows_per_month=80, seed=4)
    assert a.files == b.files == c.files
    for rel in a.files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    assert a.bad_rows == b.bad_rows and a.data_rows == b.data_rows
    assert any((tmp_path / "a" / rel).read_bytes() != (tmp_path / "c" / rel).read_bytes()
               for rel in a.dossier_files())
    # a longer run reproduces the common months byte for byte
    d = write_sample_landing(tmp_path / "d", "2024-01", "2024-03", rows_per_month=80, seed=3)
    for rel in a.files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "d" / rel).read_bytes(), rel
    props = openpyxl.load_workbook(tmp_path / "a" / a.dossier_files("2024-01")[0]).properties
    assert props.created == props.modified == dt.datetime(2024, 1, 1)


def test_month_arguments_validated(tmp_path):
    with pytest.raises(ValueError):
        write_sample_landing(tmp_path, "2024-3", "2024-04", rows_per_month=10)
    with pytest.raises(ValueError):
        write_sample_landing(tmp_path, "2024-05", "2024-04", rows_per_month=10)


# --------------------------------------------------------------------------- bench


def test_bench_csv(tmp_path):
    path = tmp_path / "bench.csv"
    write_bench_csv(path, rows=20_000, month="2024-02", seed=11)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)
    assert header == list(DOSSIER_FIELDS)
    assert len(rows) == 20_000
    idx = {f: i for i, f in enumerate(header)}
    end = month_end("2024-02")
    ids = set()
    statuses = set()
    for r in rows:
        ids.add(r[idx["dossier_id"]])
        st = r[idx["status"]]
        statuses.add(st)
        received = dt.datetime.fromisoformat(r[idx["received_at"]])
        assert dt.datetime(2024, 2, 1) <= received <= end
        assert dt.datetime.fromisoformat(r[idx["due_at"]]) >= received
        for f in EVENTS[1:]:
            if r[idx[f]]:
                t = dt.datetime.fromisoformat(r[idx[f]])
                assert received <= t <= end, (f, r)
        if D_VALUES["status"][st] in TERMINAL:
            assert r[idx["resolved_at"]]
        assert r[idx["channel"]] in ("1", "2", "3")
        assert re.match(r"^(\d{12}|03\d{8})$", r[idx["applicant_id"]])
    assert len(ids) == len(rows)
    assert statuses <= {str(i) for i in range(1, 11)} and {"4", "9", "10"} <= statuses
    # deterministic
    path2 = tmp_path / "bench2.csv"
    write_bench_csv(path2, rows=20_000, month="2024-02", seed=11)
    assert path2.read_bytes() == raw


def test_bench_landing_layout(tmp_path):
    p = write_bench_landing(tmp_path, rows=1_000, month="2024-05", seed=1)
    rel = p.relative_to(tmp_path).as_posix()
    assert rel == "dossiers/2024-05/vnpt__bench.csv" and LAYOUT_RE.match(rel)
    assert (tmp_path / "reference" / "org_units.csv").exists()
    assert (tmp_path / "reference" / "procedures.xlsx").exists()
    units = org_codes(tmp_path)
    with p.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 1_000 and {r["unit_code"] for r in rows} <= units


def test_bench_custom_units_and_bad_fraction(tmp_path):
    path = tmp_path / "b.csv"
    write_bench_csv(path, rows=5_000, units=["Q1", "Q3"], procedures=["1.001193.000.00.00.H29", "X.1"],
                    bad_fraction=0.01)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["unit_code"] for r in rows} == {"Q1", "Q3"}
    assert {r["procedure_code"] for r in rows} == {"1.001193.000.00.00.H29", "X.1"}
    bad = sum(r["received_at"] == "abc" for r in rows)
    assert 10 <= bad <= 100
