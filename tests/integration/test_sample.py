"""Tests for the sample landing-tree generator (cchc_etl/sample.py).

The files are read back with openpyxl / csv and interpreted with the alias and value lists of
assets/sources/*.yaml, independently of the warehouse readers.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

import openpyxl  # noqa: E402

from cchc_etl.methodology import load_methodology  # noqa: E402
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
    for fmt in ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y"):
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
            # the contract's field names in its order; the optional applicant_email and
            # applicant_address (added to the contract later) are not part of this export
            contract = [f["name"] for f in DOSSIERS["fields"]]
            assert header == list(DOSSIER_FIELDS) == [f for f in contract if f in header]
            assert set(contract) - set(header) == {"applicant_email", "applicant_address"}
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
    for source in NEW_EVENT_SOURCES:  # every source follows the seed
        assert a.source_files(source) and any(
            (tmp_path / "a" / rel).read_bytes() != (tmp_path / "c" / rel).read_bytes()
            for rel in a.source_files(source)), source
    # a longer run reproduces the common months byte for byte
    write_sample_landing(tmp_path / "d", "2024-01", "2024-03", rows_per_month=80, seed=3)
    for rel in a.files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "d" / rel).read_bytes(), rel
    for rel in [f for f in a.files if f.endswith(".xlsx")]:
        props = openpyxl.load_workbook(tmp_path / "a" / rel).properties
        assert props.created == props.modified == dt.datetime(2024, 1, 1), rel


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


# =========================================================================== other sources
#
# surveys, feedback, documents, email and the reference files holidays / targets /
# self_assessment, read back with openpyxl / csv and checked against their YAML contracts.

NEW_EVENT_SOURCES = ("surveys", "feedback", "documents", "email")
NEW_REFERENCE = ("holidays", "targets", "self_assessment")
CONTRACTS = {name: load_contract(name) for name in NEW_EVENT_SOURCES + NEW_REFERENCE}
ALIASES = {name: alias_map(c) for name, c in CONTRACTS.items()}
VALUES = {name: value_maps(c) for name, c in CONTRACTS.items()}
FIELDS = {name: {f["name"]: f for f in c["fields"]} for name, c in CONTRACTS.items()}
TRUE_WORDS, FALSE_WORDS = {"co", "1", "x", "true", "yes"}, {"khong", "0", "false", "no"}
ENUM_PROBLEM = {"status": "unknown_status", "rating": "unknown_rating", "direction": "unknown_direction",
                "role": "unknown_role"}
DOCUMENT_EXTRA = unicodedata.normalize("NFC", "Trích yếu")


def exact_spellings(contract: dict) -> set[str]:
    """Header spellings exactly as the contract writes them (canonical names and aliases)."""
    return {unicodedata.normalize("NFC", a) for f in contract["fields"] for a in [f["name"], *f.get("aliases", [])]}


def read_table(path: Path, source: str) -> tuple[list[tuple[int, dict]], dict, list]:
    """Rows as (physical row number, {field: raw value}), layout counts and the header cells."""
    aliases = ALIASES[source]
    counts = {"title": 0, "header": 0, "blank": 0, "total": 0, "physical": 0}
    rows: list[tuple[int, dict]] = []
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            records = list(csv.reader(fh))
        header = records[0]
        counts.update(header=1, physical=len(records))
        fields = [aliases.get(norm(h)) for h in header]
        for i, rec in enumerate(records[1:], start=2):
            rows.append((i, {f: v for f, v in zip(fields, rec) if f}))
        return rows, counts, header
    ws = openpyxl.load_workbook(path).active
    header, fields = None, None
    for i, rec in enumerate(ws.iter_rows(min_row=1, max_row=ws.max_row, values_only=True), start=1):
        counts["physical"] = i
        if all(v is None or v == "" for v in rec):
            counts["blank"] += 1
            continue
        if header is None:
            mapped = [aliases.get(norm(v)) if v is not None else None for v in rec]
            if sum(m is not None for m in mapped) >= 2:
                header, fields = list(rec), mapped
                counts["header"] = 1
            else:
                counts["title"] += 1
            continue
        if isinstance(rec[0], str) and norm(rec[0]).startswith("tong"):
            counts["total"] += 1
            continue
        rows.append((i, {f: v for f, v in zip(fields, rec) if f is not None}))
    return rows, counts, header


def parse_bool(v):
    if v in (None, ""):
        return None
    k = norm(v)
    if k in TRUE_WORDS:
        return True
    if k in FALSE_WORDS:
        return False
    raise ValueError(v)


def canon(source: str, field_name: str, v):
    """Canonical value of one cell (None when blank); ValueError when it does not parse."""
    if v in (None, ""):
        return None
    kind = FIELDS[source][field_name]["type"]
    if kind in ("ts", "date"):
        return parse_ts(v)
    if kind == "enum":
        return VALUES[source][field_name][norm(v)]  # KeyError when unknown
    if kind == "bool":
        return parse_bool(v)
    if kind == "int":
        if isinstance(v, int) or re.fullmatch(r"-?\d+", str(v)):
            return int(v)
        raise ValueError(v)
    if kind == "num":
        return float(str(v).replace(",", "."))
    return v


def new_problems(source: str, row: dict, month: str, units: set[str]) -> list[tuple[str, str]]:
    """Every rule violation of a row of a new event source (independent of the loader)."""
    found: list[tuple[str, str]] = []
    val: dict = {}
    for name, f in FIELDS[source].items():
        raw = row.get(name)
        if raw in (None, ""):
            val[name] = None
            if f.get("required"):
                found.append((name, "missing_required"))
            continue
        try:
            val[name] = canon(source, name, raw)
        except (ValueError, KeyError):
            val[name] = None
            kind = f["type"]
            found.append((name, "unparseable_date" if kind in ("ts", "date") else
                          ENUM_PROBLEM.get(name, "unknown_value") if kind == "enum" else "unparseable"))
            continue
        if f.get("references") == "org_units" and raw not in units:
            found.append((name, "unknown_unit"))
    end = month_end(month)
    for name, f in FIELDS[source].items():
        if f.get("event") and val.get(name) is not None and val[name] > end:
            found.append((name, "event_after_month_end"))
    if source == "feedback":
        if val["answered_at"] and val["received_at"] and val["answered_at"] < val["received_at"]:
            found.append(("answered_at", "answered_before_received"))
        if val["status"] in ("answered", "rejected", "forwarded") and row.get("answered_at") in (None, ""):
            found.append(("answered_at", "missing_for_closed"))
    if source == "email" and val["active_days"] is not None and not 0 <= val["active_days"] <= 31:
        found.append(("active_days", "out_of_range"))
    return found


@pytest.fixture(scope="module")
def new_parsed(landing):
    out, manifest = landing
    return {rel: read_table(out / rel, rel.split("/")[0])
            for source in NEW_EVENT_SOURCES for rel in manifest.source_files(source)}


def clean_rows(manifest, rel, rows) -> list[dict]:
    bad = bad_rows_of(manifest, rel)
    return [r for n, r in rows if n not in bad]


def canon_row(source: str, row: dict) -> dict:
    return {k: canon(source, k, v) for k, v in row.items()}


def holiday_calendar(out: Path) -> tuple[set[dt.date], set[dt.date]]:
    """(weekdays off, make-up working Saturdays) from reference/holidays.csv."""
    rows, _, _ = read_table(out / "reference" / "holidays.csv", "holidays")
    off, makeup = set(), set()
    for _, r in rows:
        d = parse_ts(r["date"]).date()
        kind = canon("holidays", "kind", r["kind"])
        (makeup if kind == "makeup_working_day" else off).add(d)
    return off, makeup


# --------------------------------------------------------------------------- layout


def test_every_source_every_month(landing):
    out, manifest = landing
    for month in MONTHS:
        for source in ("dossiers",) + NEW_EVENT_SOURCES:
            files = manifest.source_files(source, month)
            assert files, (source, month)
            for rel in files:
                assert LAYOUT_RE.match(rel)["source"] == source
    expected = {"surveys": {"igate", "vnpt"}, "feedback": {"hcm1022", "vnpt"},
                "documents": {"qlvb", "ioffice"}, "email": {"mailhcm"}}
    for source, systems in expected.items():
        for month in MONTHS:
            assert {LAYOUT_RE.match(r)["system"] for r in manifest.source_files(source, month)} == systems
    assert manifest.source_files("documents") and all(r.endswith(".xlsx") for r in manifest.source_files("documents"))
    assert all(r.endswith(".csv") for r in manifest.source_files("email"))
    refs = manifest.source_files("reference")
    assert refs[:2] == ["reference/org_units.csv", "reference/procedures.xlsx"]  # reference files first
    assert {f"reference/{k}.csv" for k in NEW_REFERENCE} <= set(refs)
    assert manifest.files[: len(refs)] == refs


def test_new_headers_are_contract_spellings(landing, new_parsed):
    out, manifest = landing
    rels = list(new_parsed) + [f"reference/{k}.csv" for k in NEW_REFERENCE]
    for rel in rels:
        source = rel.split("/")[1].split(".")[0] if rel.startswith("reference/") else rel.split("/")[0]
        header = new_parsed[rel][2] if rel in new_parsed else read_table(out / rel, source)[2]
        spellings = exact_spellings(CONTRACTS[source])
        extras = [h for h in header if h not in spellings]
        if source == "documents":
            assert extras == [DOCUMENT_EXTRA] and norm(DOCUMENT_EXTRA) not in ALIASES["documents"], rel
        else:
            assert extras == [], (rel, extras)
        mapped = [ALIASES[source][norm(h)] for h in header if h in spellings]
        assert len(set(mapped)) == len(mapped), rel
        required = {f["name"] for f in CONTRACTS[source]["fields"] if f.get("required")}
        assert required <= set(mapped), (rel, required - set(mapped))
        assert unicodedata.is_normalized("NFC", "".join(map(str, header)))
    # CSV exports of the national systems use snake_case; the XLSX ones Vietnamese headers
    for rel in manifest.source_files("surveys") + manifest.source_files("feedback"):
        header = new_parsed[rel][2]
        if rel.endswith(".csv"):
            assert header == [f["name"] for f in CONTRACTS[rel.split("/")[0]]["fields"]], rel
        else:
            assert all(h != ALIASES[rel.split("/")[0]][norm(h)] for h in header), rel


def test_new_sources_row_accounting(landing, new_parsed):
    out, manifest = landing
    for rel, (rows, counts, _) in new_parsed.items():
        assert rows, rel
        assert counts["physical"] == manifest.physical_rows(rel), rel
        assert len(rows) == manifest.data_rows[rel], rel
        skipped = manifest.skipped_rows[rel]
        for k in ("title", "header", "blank", "total"):
            assert counts[k] == skipped[k], (rel, k)
        if rel.endswith(".xlsx"):
            assert skipped["title"] == 3 and skipped["blank"] == 1 and skipped["header"] == 1
        else:
            assert skipped == {"title": 0, "header": 1, "blank": 0, "total": 0}
    for kind in NEW_REFERENCE:
        rel = f"reference/{kind}.csv"
        rows, counts, _ = read_table(out / rel, kind)
        assert len(rows) == manifest.data_rows[rel] > 0 and counts["physical"] == manifest.physical_rows(rel)
        assert manifest.bad_rows[rel] == []
    # the CSVs: BOM or not, one physical line per record (no quoted line breaks)
    for rel in [r for r in manifest.files if r.endswith(".csv")]:
        raw = (out / rel).read_bytes()
        assert raw.count(b"\n") == manifest.physical_rows(rel), rel


def test_new_sources_planted_bad_rows_and_clean_rest(landing, new_parsed):
    out, manifest = landing
    units = org_codes(out)
    kinds_seen: dict[str, set[tuple[str, str]]] = {s: set() for s in NEW_EVENT_SOURCES}
    for rel, (rows, _, _) in new_parsed.items():
        source, month = rel.split("/")[0], rel.split("/")[1]
        bad = bad_rows_of(manifest, rel)
        assert 1 <= len(bad) <= 2, rel
        assert len(set(bad.values())) == len(bad)
        assert set(bad) <= {n for n, _ in rows}
        for n, row in rows:
            problems = new_problems(source, row, month, units)
            if n in bad:
                assert problems == [bad[n]], (rel, n, problems, bad[n])
                kinds_seen[source].add(bad[n])
            else:
                assert problems == [], (rel, n, problems)
    # three months are enough for the rotation to show every kind of every source
    assert kinds_seen["surveys"] == {("rated_at", "unparseable_date"), ("rating", "unknown_rating"),
                                     ("response_id", "missing_required"), ("unit_code", "unknown_unit"),
                                     ("rated_at", "event_after_month_end")}
    assert kinds_seen["feedback"] == {("received_at", "unparseable_date"), ("status", "unknown_status"),
                                      ("feedback_id", "missing_required"), ("unit_code", "unknown_unit"),
                                      ("answered_at", "event_after_month_end")}
    assert kinds_seen["documents"] == {("registered_at", "unparseable_date"), ("direction", "unknown_direction"),
                                       ("document_id", "missing_required"), ("unit_code", "unknown_unit"),
                                       ("registered_at", "event_after_month_end")}
    assert kinds_seen["email"] == {("role", "unknown_role"), ("account", "missing_required"),
                                   ("unit_code", "unknown_unit"), ("active_days", "out_of_range")}


# --------------------------------------------------------------------------- semantics


def test_surveys_rate_the_months_resolved_dossiers(landing, parsed, new_parsed):
    out, manifest = landing
    resolved_total = rated_total = satisfied = 0
    channels = set()
    for month in MONTHS:
        start, end = dt.datetime.strptime(month + "-01", "%Y-%m-%d"), month_end(month)
        for rel in manifest.source_files("surveys", month):
            system = LAYOUT_RE.match(rel)["system"]
            (d_rel,) = [r for r in manifest.dossier_files(month) if LAYOUT_RE.match(r)["system"] == system]
            dossiers = {r["dossier_id"]: r for r in clean_rows(manifest, d_rel, parsed[d_rel][0])}
            resolved = {i for i, r in dossiers.items() if canon_status(r["status"]) in ("resolved", "returned")
                        and start <= parse_ts(r["resolved_at"]) <= end}
            rows = new_parsed[rel][0]
            raw_ratings = {r["rating"] for _, r in rows}
            if rel.endswith(".xlsx"):  # words in the one-stop export, digits in the national one
                assert {"Rất hài lòng", "Hài lòng"} <= raw_ratings
            else:
                assert {"5", "4"} <= raw_ratings and all(re.fullmatch(r"\d", v) for v in raw_ratings if v != "")
            linked = []
            for r in map(lambda x: canon_row("surveys", x), clean_rows(manifest, rel, rows)):
                assert start <= r["rated_at"] <= end
                channels.add(r["channel"])
                satisfied += int(r["rating"]) >= 4
                rated_total += 1
                if r["dossier_id"] is None:
                    assert r["channel"] == "kiosk"
                    continue
                d = dossiers[r["dossier_id"]]
                assert r["dossier_id"] in resolved, r
                assert r["unit_code"] == d["unit_code"]
                assert r["rated_at"] >= parse_ts(d["resolved_at"]).replace(second=0)
                linked.append(r["dossier_id"])
            assert len(linked) == len(set(linked)), rel  # one rating per dossier
            assert 0.45 <= len(linked) / len(resolved) <= 0.7, (rel, len(linked), len(resolved))
            resolved_total += len(resolved)
    assert 0.93 <= satisfied / rated_total <= 0.995
    assert channels == {"kiosk", "web", "sms", "zalo"}


def test_feedback_snapshot_rule_and_deadlines(landing, new_parsed):
    out, manifest = landing
    off, makeup = holiday_calendar(out)

    def workday(d: dt.date) -> bool:
        return (d.weekday() < 5 and d not in off) or d in makeup

    def add_workdays(t: dt.datetime, n: int) -> dt.datetime:
        d = t.date()
        for _ in range(n):
            d += dt.timedelta(days=1)
            while not workday(d):
                d += dt.timedelta(days=1)
        return dt.datetime.combine(d, t.time())

    by_system: dict[str, list[str]] = {}
    for rel in manifest.source_files("feedback"):
        by_system.setdefault(LAYOUT_RE.match(rel)["system"], []).append(rel)
    stats = {"late": 0, "carried": 0, "published": 0, "answered": 0, "dissatisfied": 0, "follow_up": 0, "open": 0}
    categories, published_words = set(), set()
    states: dict[str, dict[str, dict]] = {}
    for rel, (rows, _, _) in new_parsed.items():
        if not rel.startswith("feedback/"):
            continue
        ids = [r["feedback_id"] for _, r in rows if r["feedback_id"]]
        assert len(ids) == len(set(ids)), rel
        published_words |= {r["published"] for _, r in rows}
        states[rel] = {}
        for raw in clean_rows(manifest, rel, rows):
            r = canon_row("feedback", raw)
            states[rel][r["feedback_id"]] = r
            assert r["due_at"] == add_workdays(r["received_at"], 10), r  # 10 working days to answer
            categories.add(r["category"])
            if r["status"] == "open":
                stats["open"] += 1
                assert r["answered_at"] is None and r["published"] is False
            else:
                assert r["received_at"] <= r["answered_at"] <= month_end(rel.split("/")[1])
            if r["status"] == "answered":
                stats["answered"] += 1
                stats["late"] += r["answered_at"] > r["due_at"]
                stats["published"] += bool(r["published"])
                stats["dissatisfied"] += bool(r["dissatisfied"])
            stats["follow_up"] += bool(r["follow_up_complaint"])
    for system, files in by_system.items():
        files.sort()
        for prev_rel, next_rel in zip(files, files[1:]):
            prev, nxt = states[prev_rel], states[next_rel]
            next_start = month_end(prev_rel.split("/")[1]) + dt.timedelta(seconds=1)
            for fid, s in prev.items():
                if s["status"] != "open":
                    assert fid not in nxt, (system, fid)
                    continue
                assert fid in nxt, f"{system}: open feedback {fid} missing from {next_rel}"
                n = nxt[fid]
                stats["carried"] += 1
                assert (n["received_at"], n["due_at"], n["unit_code"]) == (s["received_at"], s["due_at"], s["unit_code"])
                if n["answered_at"] is not None:
                    assert n["answered_at"] >= next_start
            for fid, n in nxt.items():
                if n["received_at"] < next_start:
                    assert fid in prev, (system, fid)
    assert stats["carried"] > 5 and stats["open"] > 5
    assert 0 < stats["late"] < 0.2 * stats["answered"]
    assert stats["published"] > 0.85 * stats["answered"]
    assert stats["dissatisfied"] > 0 and stats["follow_up"] > 0
    assert published_words == {"Có", "Không"}
    assert categories == {"quy định hành chính", "hành vi, thái độ"}


def test_documents_log(landing, new_parsed):
    out, manifest = landing
    electronic = plain = 0
    secrecy_raw, directions, forms = set(), set(), set()
    for rel in manifest.source_files("documents"):
        rows = new_parsed[rel][0]
        month = rel.split("/")[1]
        start, end = dt.datetime.strptime(month + "-01", "%Y-%m-%d"), month_end(month)
        ids = [r["document_id"] for _, r in rows if r["document_id"]]
        assert len(ids) == len(set(ids)), rel
        for raw in clean_rows(manifest, rel, rows):
            secrecy_raw.add(raw.get("secrecy"))
            r = canon_row("documents", raw)
            assert start <= r["registered_at"] <= end
            assert r["registered_at"].weekday() < 6 and dt.time(7, 30) <= r["registered_at"].time() <= dt.time(17, 0)
            directions.add(r["direction"])
            forms.add(r["form"])
            if r["secrecy"] in (None, "normal"):
                plain += 1
                electronic += r["form"] == "electronic"
            else:
                assert r["form"] == "paper" and not r["via_interconnect"]
            if r["form"] == "paper":
                assert r["digitally_signed"] is False and r["via_interconnect"] is False
            for f in ("digitally_signed", "processed_online", "via_interconnect"):
                assert isinstance(r[f], bool)
    assert directions == {"incoming", "outgoing"} and forms == {"electronic", "paper"}
    assert 0.94 <= electronic / plain <= 0.995
    assert secrecy_raw == {None, "Thường", "Mật"}


def test_email_accounts(landing, new_parsed):
    out, manifest = landing
    address = re.compile(r"^[a-z]+\d*\.[a-z0-9]+@tphcm\.gov\.vn$")
    per_month: dict[str, set[str]] = {}
    accounts: dict[str, tuple[str, str]] = {}
    regular = leaders = 0
    for rel in manifest.source_files("email"):
        month = rel.split("/")[1]
        y, m = map(int, month.split("-"))
        off, makeup = holiday_calendar(out)
        days = [dt.date(y, m, 1) + dt.timedelta(days=i) for i in range(31)]
        wd = sum(1 for d in days if d.month == m and ((d.weekday() < 5 and d not in off) or d in makeup))
        rows = new_parsed[rel][0]
        raw_accounts = [r["account"] for _, r in rows if r["account"]]
        assert len(raw_accounts) == len(set(raw_accounts)), rel
        per_month[month] = set()
        for raw in clean_rows(manifest, rel, rows):
            r = canon_row("email", raw)
            assert address.match(r["account"]), r["account"]
            assert raw["role"] in ("Lãnh đạo", "Công chức", "Viên chức")
            assert 0 <= r["active_days"] <= min(23, wd)
            assert r["sent_count"] >= 0 and r["received_count"] >= 0
            per_month[month].add(r["account"])
            assert accounts.setdefault(r["account"], (r["unit_code"], r["role"])) == (r["unit_code"], r["role"])
            if r["role"] == "leader":
                leaders += 1
                regular += r["active_days"] >= -(-wd // 2)
    everyone = set.union(*per_month.values())
    for month, seen in per_month.items():  # the same accounts every month (minus planted rows)
        assert len(everyone - seen) <= 2, month
    per_unit: dict[str, list[str]] = {}
    for acc, (unit, role) in accounts.items():
        per_unit.setdefault(unit, []).append(role)
    assert set(per_unit) <= org_codes(out) and len(per_unit) >= 20
    assert all(8 <= len(roles) <= 12 and roles.count("leader") >= 2 for roles in per_unit.values())
    assert 0.8 <= regular / leaders < 1


def test_reference_holidays(landing):
    out, _ = landing
    rows, _, header = read_table(out / "reference" / "holidays.csv", "holidays")
    assert (out / "reference" / "holidays.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    recs = [(parse_ts(r["date"]).date(), r["name"], canon("holidays", "kind", r["kind"]), r["kind"]) for _, r in rows]
    dates = [d for d, *_ in recs]
    assert len(dates) == len(set(dates)) and {d.year for d in dates} == {2024}
    assert {k for *_, k in recs} == {"Nghỉ lễ", "Nghỉ bù", "Làm bù"}
    kinds = {d: k for d, _, k, _ in recs}
    for d in ("2024-01-01", "2024-02-08", "2024-02-09", "2024-02-12", "2024-02-13", "2024-02-14",
              "2024-04-18", "2024-04-30", "2024-05-01", "2024-09-02"):
        assert kinds[dt.date.fromisoformat(d)] in ("holiday", "compensatory_day_off"), d
    for d, _, kind, _ in recs:
        if kind == "makeup_working_day":
            assert d.weekday() == 5
        else:
            assert d.weekday() < 5
    assert all(name for _, name, _, _ in recs)


def test_reference_targets(landing):
    out, _ = landing
    path = out / "reference" / "targets.csv"
    rows, _, header = read_table(path, "targets")
    assert header == [f["name"] for f in CONTRACTS["targets"]["fields"]]
    t = [canon_row("targets", r) for _, r in rows]
    assert {r["year"] for r in t} == {2024}
    keys = [(r["year"], r["scope"], r["indicator_code"]) for r in t]
    assert len(keys) == len(set(keys))
    assert {r["scope"] for r in t} <= {"city", "department", "district", "commune", "unit"}
    by = {(r["scope"], r["indicator_code"]): r for r in t}
    assert {c for _, c in by} == {"ON_TIME_REPORT", "LATE_RATE", "ONLINE_SHARE_ELIGIBLE", "SATISFACTION_RATE",
                                  "IDX_5_2", "FEEDBACK_PUBLISHED", "DIGITIZED_RESULT_RATE", "DOC_ELECTRONIC_RATE",
                                  "EMAIL_LEADER_REGULAR", "APOLOGY_COVERAGE"}

    def check(key, comparator, value, **extra):
        r = by[key]
        assert (r["comparator"], float(r["value"])) == (comparator, value), key
        for k, v in extra.items():
            assert r[k] == v, (key, k)

    check(("city", "ON_TIME_REPORT"), ">=", 98, target_group="!land,investment,complaints")
    check(("city", "LATE_RATE"), "<", 4, target_group="land,investment,complaints")
    check(("unit", "ON_TIME_REPORT"), "share_of_units", 80, unit_category="land_registry_branch", second_value=97)
    check(("city", "ONLINE_SHARE_ELIGIBLE"), "increase_pp", 10)
    check(("city", "SATISFACTION_RATE"), ">=", 95)
    check(("city", "IDX_5_2"), ">=", 100)
    check(("city", "FEEDBACK_PUBLISHED"), ">=", 100)
    check(("department", "DIGITIZED_RESULT_RATE"), ">=", 30)
    check(("district", "DIGITIZED_RESULT_RATE"), ">=", 20)
    check(("commune", "DIGITIZED_RESULT_RATE"), ">=", 15)
    for code in ("DOC_ELECTRONIC_RATE", "EMAIL_LEADER_REGULAR", "APOLOGY_COVERAGE"):
        check(("city", code), ">=", 100)
    # comparators are written with words that fold to distinct keys (symbols all fold to "")
    assert all(norm(r["comparator"]) for _, r in rows)


def test_reference_self_assessment(landing):
    out, _ = landing
    rows, _, _ = read_table(out / "reference" / "self_assessment.csv", "self_assessment")
    assert 4 <= len(rows) <= 80
    units = org_codes(out)
    codes = set()
    for _, raw in rows:
        r = canon_row("self_assessment", raw)
        assert re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?", r["period"]), r
        assert r["period"][:4] == str(r["year"]) and r["unit_code"] in units
        assert r["value"] >= 0 and r["evidence"]
        codes.add(r["indicator_code"])
    assert {"IDX_1_1", "PAR_DIRECTION"} <= codes
    assert {c for c in codes if c.startswith("PAR_")} == {a.code for a in load_methodology().par_areas}  # every PAR Index area
    assert any("," in r["value"] for _, r in rows)  # Vietnamese decimal comma


def test_longer_and_other_years(tmp_path):
    """Files of the common months are identical in a run that starts earlier in the same way;
    a run over a year boundary writes one row set per year in the reference files."""
    m = write_sample_landing(tmp_path / "y", "2024-12", "2025-01", rows_per_month=60, seed=5)
    rows, _, _ = read_table(tmp_path / "y" / "reference" / "targets.csv", "targets")
    assert sorted({r["year"] for _, r in rows}) == ["2024", "2025"]
    hol, _, _ = read_table(tmp_path / "y" / "reference" / "holidays.csv", "holidays")
    dates = {parse_ts(r["date"]).date() for _, r in hol}
    assert dt.date(2025, 1, 28) in dates and dt.date(2025, 4, 7) in dates and dt.date(2024, 2, 9) in dates
    sa, _, _ = read_table(tmp_path / "y" / "reference" / "self_assessment.csv", "self_assessment")
    assert {r["period"] for _, r in sa} >= {"2024-Q4", "2025-Q1", "2024", "2025"}
    for source in NEW_EVENT_SOURCES:
        assert len(m.source_files(source)) == (2 if source == "email" else 4)
        for rel in m.source_files(source):
            assert 1 <= len(m.bad_rows[rel]) <= 2, rel


def test_default_sample_is_fast(tmp_path):
    """The default sample (2000 new dossiers a month, 3 months) is meant for a quick demo."""
    import time

    cpu = time.process_time()
    write_sample_landing(tmp_path, "2024-01", "2024-03", rows_per_month=2000, seed=7)
    assert time.process_time() - cpu < 12
