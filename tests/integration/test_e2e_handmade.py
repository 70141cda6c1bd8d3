"""Independent end-to-end acceptance test on a hand-made landing tree.

The landing tree is written by ``tests/support/handmade_landing.py`` (its docstring holds the master
table of every dossier row and where it counts).  The test runs the real CLI

    cchc-etl run --landing <tmp>/landing --warehouse duckdb:///<tmp>/wh.duckdb \
                 --from 2024-01 --to 2024-02          (env CCHC_PII_KEY=test-key)

and checks the published tables against figures computed BY HAND from
``shared/spec/methodology.md`` §1-2 and ``shared/spec/input-contract.md``.  Nothing here is
derived from the implementation or from the fixture rows programmatically: every expected
number below is a literal.

Hand derivation (per unit; ids as in the master table)::

  JANUARY (state = January exports only)
  unit     co  rc  D O P  E T L WR PW PO   who
  STP       1   8  3 3 2  4 1 1  1  1  1   co G05(E); rc G01(O,E) G02(D,T) G03(D,L) G04(P,WR)
                                           G07(O,PW) G08(D,PO) HS-C01/igate(O,E) V12(P,E); G06 closed in Dec
  SNN       0   4  2 2 0  0 1 1  1  1  0   G09(O,T) G10(D,L) G11(D,PW: due 01-31 >= 01-31) G12(O,WR)
  SNN_CN1   0   4  0 3 1  0 1 0  0  3  0   G13(O,T: 06:30 on the due date) G14(O,PW) G15(P,PW) G16(O,PW)
  SYT       0   0  0 0 0  0 0 0  0  0  0
  Q1        1   3  1 1 1  1 0 1  0  0  2   co V04(PO); V01(D,E) V02(O,L) V03(P,PO); V05 submitted: nowhere
  Q1P1      0   4  2 2 0  1 1 0  1  1  0   V06(O,T) V07(D,E) HS-C01/vnpt(O,PW) V08(D,WR)
  Q1P2      1   2  0 2 0  0 1 1  0  1  0   co V09(T); V10(O,PW: due 01-31) V11(O,L)
  dept SNN  0   8  2 5 1  0 2 1  1  4  0   = SNN + SNN_CN1
  dept Q1   2   9  3 5 1  2 2 2  1  2  2   = Q1 + Q1P1 + Q1P2
  city TP   3  25  8 13 4 6 5 4  3  7  3   = STP + dept SNN + dept Q1 (+ SYT zeros)

  FEBRUARY (state = latest row among Jan + Feb exports)
  STP       2   2  1 1 0  2 0 2  0  0  0   co G07(E 02-02<02-05) G08(L 02-06>01-24); G17(O,E; recv 02-01 06:00) G18(D,L)
  SNN       1   3  1 1 1  0 1 0  0  1  2   co G11(PO, suspended); G19(O,PO due 02-26) G20(P,PW) G23(D,T)
  SNN_CN1   3   2  1 1 0  0 2 0  1  1  1   co G14(PO: no Feb row, due 02-07) G15(T) G16(T); G21(D,PW due 02-29) G22(O,WR)
  SYT       0   0  0 0 0  0 0 0  0  0  0
  Q1        2   1  1 0 0  0 1 1  0  0  1   co V03(PO) V04(L); V13(D,T); V18 submitted: nowhere
  Q1P1      1   2  0 1 1  2 0 0  0  1  0   co HS-C01/vnpt(E 02-01<02-02); V14(O,E) V15(P,PW)
  Q1P2      1   2  1 1 0  0 0 1  1  0  1   co V10(WR); V16(D,L) V17(O,PO due 02-28)
  dept SNN  4   5  2 2 1  0 3 0  1  2  3
  dept Q1   4   5  2 2 1  2 1 2  1  1  2
  city TP  10  12  5 5 2  4 4 4  2  3  5   (Feb co 10 = Jan PW 7 + PO 3)

Indicators (numerator, denominator): ON_TIME_REPORT (E+T, E+T+L); LATE_RATE (L, E+T+L);
APOLOGY_COVERAGE (apology among L + PO, L + PO); POSTAL_SHARE (P, rc);
ONLINE_SHARE_ELIGIBLE (online among eligible rc, eligible rc) -- eligible = catalogue level
partial/full (PA, PB, PD), PC never (even when the dossier claims level 4 / "Toàn trình":
V07, G22), PX (not in catalogue) by the dossier's own level (partial: G16, V17);
DIGITIZED_RESULT_RATE (digitized among E+T+L, E+T+L).

  JANUARY   ON_TIME  LATE   APOLOGY               POSTAL  ONLINE_ELIG             DIGITIZED
  STP       5/6      1/6    2/2 (G03 y, G08 y)    2/8     3/8                     4/6 (G01 G02 G05 V12)
  SNN       1/2      1/2    0/1 (G10 n)           0/4     2/3 (G11 is PC)         1/2 (G10)
  SNN_CN1   1/1      0/1    0/0 -> NULL           1/4     3/4 (G16 via own lvl)   1/1
  Q1        1/2      1/2    1/3 (V02 n,V03 y,V04 n) 1/3   1/3                     1/2 (V01)
  Q1P1      2/2      0/2    0/0 -> NULL           0/4     2/3 (V07 PC excluded)   1/2 (V06)
  Q1P2      1/2      1/2    1/1 (V11 y)           0/2     2/2 (V11 PB, says 2)    1/2 (V09)
  dept SNN  2/3      1/3    0/1                   1/8     5/7                     2/3
  dept Q1   4/6      2/6    2/4                   1/9     5/8                     3/6
  city      11/15    4/15   4/7                   4/25    13/23                   9/15

  FEBRUARY
  STP       2/4      2/4    1/2 (G08 y, G18 n)    0/2     1/2                     2/4 (G07 G17)
  SNN       1/1      0/1    1/2 (G11 n, G19 y)    1/3     1/2 (G23 is PC)         1/1 (G23)
  SNN_CN1   2/2      0/2    0/1 (G14 n)           0/2     0/1 (G22 PC excluded)   1/2 (G15)
  Q1        1/2      1/2    2/2 (V04 y, V03 y)    0/1     0/1                     2/2 (V13 V04)
  Q1P1      2/2      0/2    0/0 -> NULL           1/2     1/2                     1/2 (V14)
  Q1P2      0/1      1/1    0/2 (V16 n, V17 n)    0/2     1/1 (V16 PC; V17 PX)    0/1
  dept SNN  3/3      0/3    1/3                   1/5     1/3                     2/3
  dept Q1   3/5      2/5    2/4                   1/5     2/4                     3/5
  city      8/12     4/12   4/9                   2/12    4/9                     7/12

The department row of STP equals its unit row (it has no children).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import duckdb
import pytest

from tests.support import handmade_landing as hl

REPO_ROOT = Path(__file__).resolve().parents[2]
JAN = dt.date(2024, 1, 1)
FEB = dt.date(2024, 2, 1)

# --------------------------------------------------------------------------- expectations

RPT_COLUMNS = (
    "rpt_carried_over", "rpt_received", "rpt_received_direct", "rpt_received_online",
    "rpt_received_postal", "rpt_resolved_early", "rpt_resolved_on_time", "rpt_resolved_late",
    "rpt_withdrawn_rejected", "rpt_pending_within", "rpt_pending_overdue",
)
Z = (0,) * 11
#                          co  rc  D  O  P  E  T  L WR PW PO
_JAN_UNIT = {
    "STP":     (1,  8, 3, 3, 2, 4, 1, 1, 1, 1, 1),
    "SNN":     (0,  4, 2, 2, 0, 0, 1, 1, 1, 1, 0),
    "SNN_CN1": (0,  4, 0, 3, 1, 0, 1, 0, 0, 3, 0),
    "SYT":     Z,
    "Q1":      (1,  3, 1, 1, 1, 1, 0, 1, 0, 0, 2),
    "Q1P1":    (0,  4, 2, 2, 0, 1, 1, 0, 1, 1, 0),
    "Q1P2":    (1,  2, 0, 2, 0, 0, 1, 1, 0, 1, 0),
}
_JAN_DEPT = {
    "STP":     (1,  8, 3, 3, 2, 4, 1, 1, 1, 1, 1),
    "SNN":     (0,  8, 2, 5, 1, 0, 2, 1, 1, 4, 0),
    "SYT":     Z,
    "Q1":      (2,  9, 3, 5, 1, 2, 2, 2, 1, 2, 2),
}
_JAN_CITY = {"TP": (3, 25, 8, 13, 4, 6, 5, 4, 3, 7, 3)}

_FEB_UNIT = {
    "STP":     (2,  2, 1, 1, 0, 2, 0, 2, 0, 0, 0),
    "SNN":     (1,  3, 1, 1, 1, 0, 1, 0, 0, 1, 2),
    "SNN_CN1": (3,  2, 1, 1, 0, 0, 2, 0, 1, 1, 1),
    "SYT":     Z,
    "Q1":      (2,  1, 1, 0, 0, 0, 1, 1, 0, 0, 1),
    "Q1P1":    (1,  2, 0, 1, 1, 2, 0, 0, 0, 1, 0),
    "Q1P2":    (1,  2, 1, 1, 0, 0, 0, 1, 1, 0, 1),
}
_FEB_DEPT = {
    "STP":     (2,  2, 1, 1, 0, 2, 0, 2, 0, 0, 0),
    "SNN":     (4,  5, 2, 2, 1, 0, 3, 0, 1, 2, 3),
    "SYT":     Z,
    "Q1":      (4,  5, 2, 2, 1, 2, 1, 2, 1, 1, 2),
}
_FEB_CITY = {"TP": (10, 12, 5, 5, 2, 4, 4, 4, 2, 3, 5)}

EXPECTED_RPT = {}
for _period, _tables in ((JAN, (_JAN_UNIT, _JAN_DEPT, _JAN_CITY)), (FEB, (_FEB_UNIT, _FEB_DEPT, _FEB_CITY))):
    for _level, _table in zip(("unit", "department", "city"), _tables):
        for _code, _vals in _table.items():
            EXPECTED_RPT[(_period, _code, _level)] = _vals

INDICATORS = ("ON_TIME_REPORT", "LATE_RATE", "APOLOGY_COVERAGE", "POSTAL_SHARE",
              "ONLINE_SHARE_ELIGIBLE", "DIGITIZED_RESULT_RATE")
#                            ON_TIME   LATE     APOLOGY  POSTAL   ONLINE_EL DIGITIZED
_JAN_IND = {
    ("STP", "unit"):        ((5, 6),  (1, 6),  (2, 2), (2, 8),  (3, 8),  (4, 6)),
    ("SNN", "unit"):        ((1, 2),  (1, 2),  (0, 1), (0, 4),  (2, 3),  (1, 2)),
    ("SNN_CN1", "unit"):    ((1, 1),  (0, 1),  (0, 0), (1, 4),  (3, 4),  (1, 1)),
    ("Q1", "unit"):         ((1, 2),  (1, 2),  (1, 3), (1, 3),  (1, 3),  (1, 2)),
    ("Q1P1", "unit"):       ((2, 2),  (0, 2),  (0, 0), (0, 4),  (2, 3),  (1, 2)),
    ("Q1P2", "unit"):       ((1, 2),  (1, 2),  (1, 1), (0, 2),  (2, 2),  (1, 2)),
    ("STP", "department"):  ((5, 6),  (1, 6),  (2, 2), (2, 8),  (3, 8),  (4, 6)),
    ("SNN", "department"):  ((2, 3),  (1, 3),  (0, 1), (1, 8),  (5, 7),  (2, 3)),
    ("Q1", "department"):   ((4, 6),  (2, 6),  (2, 4), (1, 9),  (5, 8),  (3, 6)),
    ("TP", "city"):         ((11, 15), (4, 15), (4, 7), (4, 25), (13, 23), (9, 15)),
}
_FEB_IND = {
    ("STP", "unit"):        ((2, 4),  (2, 4),  (1, 2), (0, 2),  (1, 2),  (2, 4)),
    ("SNN", "unit"):        ((1, 1),  (0, 1),  (1, 2), (1, 3),  (1, 2),  (1, 1)),
    ("SNN_CN1", "unit"):    ((2, 2),  (0, 2),  (0, 1), (0, 2),  (0, 1),  (1, 2)),
    ("Q1", "unit"):         ((1, 2),  (1, 2),  (2, 2), (0, 1),  (0, 1),  (2, 2)),
    ("Q1P1", "unit"):       ((2, 2),  (0, 2),  (0, 0), (1, 2),  (1, 2),  (1, 2)),
    ("Q1P2", "unit"):       ((0, 1),  (1, 1),  (0, 2), (0, 2),  (1, 1),  (0, 1)),
    ("STP", "department"):  ((2, 4),  (2, 4),  (1, 2), (0, 2),  (1, 2),  (2, 4)),
    ("SNN", "department"):  ((3, 3),  (0, 3),  (1, 3), (1, 5),  (1, 3),  (2, 3)),
    ("Q1", "department"):   ((3, 5),  (2, 5),  (2, 4), (1, 5),  (2, 4),  (3, 5)),
    ("TP", "city"):         ((8, 12), (4, 12), (4, 9), (2, 12), (4, 9),  (7, 12)),
}
EXPECTED_IND = {}
for _period, _table in ((JAN, _JAN_IND), (FEB, _FEB_IND)):
    for (_code, _level), _pairs in _table.items():
        for _ind, (_num, _den) in zip(INDICATORS, _pairs):
            EXPECTED_IND[(_period, _code, _level, _ind)] = (_num, _den)

# file_path -> (source, system, month, rows_read, rows_loaded, rows_quarantined, rows_skipped)
EXPECTED_FILE_LOG = {
    # 2 title rows + blank row 3 + header row 4 + 19 data rows (5..23) + total row 24
    "dossiers/2024-01/igate__jan.xlsx": ("dossiers", "igate", JAN, 24, 17, 2, 5),
    # header line + 14 records (V05 "submitted" with blank dates is loaded, VN-B3 quarantined)
    "dossiers/2024-01/vnpt__jan.csv": ("dossiers", "vnpt", JAN, 15, 13, 1, 1),
    # header line + 14 records (IG-B4 and the blank-id row quarantined)
    "dossiers/2024-02/igate__feb.csv": ("dossiers", "igate", FEB, 15, 12, 2, 1),
    # title row 1 + header row 2 + 11 data rows (3..13) + total row 14
    "dossiers/2024-02/vnpt__feb.xls": ("dossiers", "vnpt", FEB, 14, 10, 1, 3),
}
# reference files: only the accounting is pinned (their month/system are not)
EXPECTED_REF_LOG = {
    "reference/org_units.csv": ("org_units", 10, 9, 0, 1),
    "reference/procedures.csv": ("procedures", 5, 4, 0, 1),
}

# (file_path, row_number) -> (column_name, a string that must appear in raw_values)
EXPECTED_QUARANTINE = {
    ("dossiers/2024-01/igate__jan.xlsx", 12): ("status", "IG-B1"),          # "Lưu trữ"
    ("dossiers/2024-01/igate__jan.xlsx", 18): ("resolved_at", "IG-B2"),     # 2024-02-03 in a Jan file
    ("dossiers/2024-01/vnpt__jan.csv", 11): ("resolved_at", "VN-B3"),       # resolved before received
    ("dossiers/2024-02/igate__feb.csv", 7): ("received_at", "IG-B4"),       # "31/02/2024"
    ("dossiers/2024-02/igate__feb.csv", 12): ("dossier_id", hl.PB),         # blank dossier id
    ("dossiers/2024-02/vnpt__feb.xls", 8): ("unit_code", "XX99"),           # unknown unit
}

# --------------------------------------------------------------------------- fixtures


def _cli_command(landing: Path, warehouse: Path) -> list[str]:
    exe = Path(sys.prefix) / "bin" / "cchc-etl"
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "cchc_etl.cli"]
    return base + ["run", "--landing", str(landing), "--warehouse", f"duckdb:///{warehouse}",
                   "--from", "2024-01", "--to", "2024-02"]


def _run_cli(landing: Path, warehouse: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["CCHC_PII_KEY"] = "test-key"
    return subprocess.run(_cli_command(landing, warehouse), cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=3600)


def _explain(proc: subprocess.CompletedProcess) -> str:
    return (f"cchc-etl exited {proc.returncode}\ncmd: {proc.args}\n"
            f"--- stdout (tail)\n{proc.stdout[-4000:]}\n--- stderr (tail)\n{proc.stderr[-6000:]}")


class Run:
    def __init__(self, base: Path):
        self.base = base
        self.landing = hl.build_landing(base / "landing")
        self.warehouse = base / "wh.duckdb"
        self.proc = _run_cli(self.landing, self.warehouse)

    def connect(self) -> duckdb.DuckDBPyConnection:
        assert self.proc.returncode == 0, _explain(self.proc)
        assert self.warehouse.exists(), f"no warehouse file at {self.warehouse}"
        return duckdb.connect(str(self.warehouse), read_only=True)


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    return Run(tmp_path_factory.mktemp("e2e_handmade"))


@pytest.fixture
def con(run):
    c = run.connect()
    try:
        yield c
    finally:
        c.close()


def _period_report(con) -> dict:
    cols = ", ".join(RPT_COLUMNS)
    rows = con.execute(
        f"SELECT period_start, org_unit_code, org_level, {cols} FROM marts.period_report "
        "WHERE period_start IN (DATE '2024-01-01', DATE '2024-02-01')").fetchall()
    out = {}
    for r in rows:
        key = (r[0], r[1], r[2])
        assert key not in out, f"duplicate period_report row {key}"
        out[key] = tuple(None if v is None else int(v) for v in r[3:])
    return out


def _compare_rpt(actual: dict, level: str) -> None:
    problems = []
    for key, exp in EXPECTED_RPT.items():
        if key[2] != level:
            continue
        got = actual.get(key)
        if got is None:
            problems.append(f"{key}: row missing")
            continue
        for col, e, g in zip(RPT_COLUMNS, exp, got):
            if e != g:
                problems.append(f"{key[0]} {key[1]} ({level}) {col}: expected {e}, got {g}")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- tests


def test_cli_exits_zero(run):
    assert run.proc.returncode == 0, _explain(run.proc)


def test_period_report_rows_present(con):
    """unit rows for every org unit in force except the root (SYT with zeros, Q1P3 expired
    2023-06-30 absent), department rows for the 4 children of TP, one city row."""
    actual = _period_report(con)
    assert set(actual) == set(EXPECTED_RPT), (
        f"missing: {sorted(set(EXPECTED_RPT) - set(actual))}\n"
        f"unexpected: {sorted(set(actual) - set(EXPECTED_RPT))}")


def test_period_report_units(con):
    _compare_rpt(_period_report(con), "unit")


def test_period_report_departments(con):
    _compare_rpt(_period_report(con), "department")


def test_period_report_city(con):
    _compare_rpt(_period_report(con), "city")


def test_period_report_identity(con):
    cols = ", ".join(RPT_COLUMNS)
    rows = con.execute(f"SELECT period_start, org_unit_code, org_level, {cols} FROM marts.period_report").fetchall()
    assert rows, "marts.period_report is empty"
    bad = []
    for r in rows:
        co, rc, _d, _o, _p, e, t, l, wr, pw, po = (int(v) for v in r[3:])
        if co + rc != e + t + l + wr + pw + po:
            bad.append(f"{r[:3]}: co+rc={co + rc} but outcomes={e + t + l + wr + pw + po}")
        if rc != _d + _o + _p:
            bad.append(f"{r[:3]}: received {rc} != direct+online+postal {_d + _o + _p}")
    assert not bad, "\n".join(bad)


def test_indicator_values(con):
    rows = con.execute(
        "SELECT period_start, org_unit_code, org_level, indicator_code, numerator, denominator, value, "
        "methodology_version FROM marts.indicator_values "
        "WHERE period_type = 'month' AND period_start IN (DATE '2024-01-01', DATE '2024-02-01') "
        "AND indicator_code IN ('ON_TIME_REPORT','LATE_RATE','APOLOGY_COVERAGE','POSTAL_SHARE',"
        "'ONLINE_SHARE_ELIGIBLE','DIGITIZED_RESULT_RATE')").fetchall()
    actual = {}
    for r in rows:
        key = (r[0], r[1], r[2], r[3])
        assert key not in actual, f"duplicate indicator_values row {key}"
        actual[key] = r[4:]
    problems = []
    for key, (num, den) in EXPECTED_IND.items():
        got = actual.get(key)
        if got is None:
            problems.append(f"{key}: row missing")
            continue
        g_num, g_den, g_val, g_ver = got
        if g_ver != "vn-2025.1":
            problems.append(f"{key}: methodology_version {g_ver!r}")
        if g_num is None or g_den is None or float(g_num) != num or float(g_den) != den:
            problems.append(f"{key}: expected {num}/{den}, got {g_num}/{g_den}")
        if den == 0:
            if g_val is not None:
                problems.append(f"{key}: denominator 0 must give NULL value, got {g_val}")
        elif g_val is None or abs(float(g_val) - 100.0 * num / den) > 1e-9:
            problems.append(f"{key}: expected value {100.0 * num / den!r}, got {g_val!r}")
    assert not problems, "\n".join(problems)


def test_indicator_values_null_when_no_denominator(con):
    """APOLOGY_COVERAGE has no late or overdue dossier for SNN_CN1 and Q1P1 in January."""
    for unit in ("SNN_CN1", "Q1P1"):
        row = con.execute(
            "SELECT numerator, denominator, value FROM marts.indicator_values WHERE period_type='month' "
            "AND period_start = DATE '2024-01-01' AND org_unit_code = ? AND org_level = 'unit' "
            "AND indicator_code = 'APOLOGY_COVERAGE'", [unit]).fetchall()
        assert len(row) == 1, f"{unit}: expected one APOLOGY_COVERAGE row, got {row}"
        num, den, val = row[0]
        assert float(den) == 0 and float(num) == 0 and val is None, (unit, row)


def test_file_log(con, run):
    rows = con.execute(
        "SELECT file_path, source, system, month, sha256, rows_read, rows_loaded, rows_quarantined, "
        "rows_skipped, loaded_at FROM quality.file_log").fetchall()
    by_path = {}
    for r in rows:
        assert r[0] not in by_path, f"file_log has several rows for {r[0]}"
        by_path[r[0]] = r
    problems = []
    for path, (source, system, month, read, loaded, quar, skipped) in EXPECTED_FILE_LOG.items():
        r = by_path.get(path)
        if r is None:
            problems.append(f"{path}: no file_log row (have {sorted(by_path)})")
            continue
        sha = hashlib.sha256((run.landing / path).read_bytes()).hexdigest()
        got = (r[1], r[2], r[3], str(r[4]).lower(), r[5], r[6], r[7], r[8])
        exp = (source, system, month, sha, read, loaded, quar, skipped)
        names = ("source", "system", "month", "sha256", "rows_read", "rows_loaded",
                 "rows_quarantined", "rows_skipped")
        for n, e, g in zip(names, exp, got):
            if e != g:
                problems.append(f"{path} {n}: expected {e!r}, got {g!r}")
        if r[9] is None:
            problems.append(f"{path}: loaded_at is NULL")
    for path, (source, read, loaded, quar, skipped) in EXPECTED_REF_LOG.items():
        r = by_path.get(path)
        if r is None:
            problems.append(f"{path}: no file_log row")
            continue
        got = (r[1], r[5], r[6], r[7], r[8])
        if got != (source, read, loaded, quar, skipped):
            problems.append(f"{path}: expected (source, read, loaded, quarantined, skipped) = "
                            f"{(source, read, loaded, quar, skipped)}, got {got}")
    for path, r in by_path.items():
        if r[5] != r[6] + r[7] + r[8]:
            problems.append(f"{path}: rows_read {r[5]} != loaded {r[6]} + quarantined {r[7]} + skipped {r[8]}")
    assert not problems, "\n".join(problems)


def test_quarantine(con):
    rows = con.execute(
        "SELECT file_path, row_number, column_name, reason, CAST(raw_values AS VARCHAR) "
        "FROM quality.quarantine").fetchall()
    got = {}
    for r in rows:
        key = (r[0], int(r[1]))
        assert key not in got, f"several quarantine rows for {key}: one row per source row expected"
        got[key] = r
    assert set(got) == set(EXPECTED_QUARANTINE), (
        f"missing: {sorted(set(EXPECTED_QUARANTINE) - set(got))}\n"
        f"unexpected: {sorted((k, got[k][2], got[k][3]) for k in set(got) - set(EXPECTED_QUARANTINE))}")
    problems = []
    for key, (column, marker) in EXPECTED_QUARANTINE.items():
        _path, _row, col, reason, raw = got[key]
        if col != column:
            problems.append(f"{key}: column_name expected {column!r}, got {col!r} (reason {reason!r})")
        if not reason or not str(reason).strip():
            problems.append(f"{key}: empty reason")
        try:
            json.loads(raw)
        except (TypeError, ValueError) as exc:
            problems.append(f"{key}: raw_values is not JSON text ({exc}): {raw!r}")
            continue
        if marker not in raw:
            problems.append(f"{key}: raw_values should contain {marker!r}: {raw!r}")
    assert not problems, "\n".join(problems)


def _pii_needles() -> list[str]:
    needles = set()
    for value in hl.PII_VALUES:
        if value.isdigit():
            needles.add(value)
            needles.add(value.lstrip("0"))  # a number parsed as an integer
            continue
        nfc = unicodedata.normalize("NFC", value)
        nfd = unicodedata.normalize("NFD", value)
        folded = "".join(c for c in nfd if not unicodedata.combining(c)).replace("Đ", "D").replace("đ", "d")
        for v in (nfc, nfd, folded):
            needles.add(v.lower())
            escaped = json.dumps(v)[1:-1]  # \uXXXX escapes, as json.dumps writes them
            needles.add(escaped.lower())
    return sorted(needles)


def test_no_raw_pii(con):
    tables = con.execute(
        "SELECT table_catalog, table_schema, table_name FROM information_schema.tables "
        "WHERE table_schema NOT IN ('information_schema', 'pg_catalog')").fetchall()
    assert tables, "warehouse has no tables"
    needles = _pii_needles()
    leaks = []
    for catalog, schema, table in tables:
        qualified = f'"{catalog}"."{schema}"."{table}"'
        cols = [r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_catalog = ? AND "
            "table_schema = ? AND table_name = ?", [catalog, schema, table]).fetchall()]
        for rownum, row in enumerate(con.execute(f"SELECT * FROM {qualified}").fetchall()):
            for col, value in zip(cols, row):
                if value is None:
                    continue
                text = str(value).lower()
                for needle in needles:
                    if needle in text:
                        leaks.append(f"{schema}.{table}.{col} row {rownum}: contains {needle!r}")
    assert not leaks, "raw PII found:\n" + "\n".join(leaks[:50])


def _snapshot(path: Path) -> dict:
    c = duckdb.connect(str(path), read_only=True)
    try:
        tables = c.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN ('marts', 'quality') ORDER BY 1, 2").fetchall()
        snap = {}
        for schema, table in tables:
            rows = c.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall()
            snap[f"{schema}.{table}"] = sorted(rows, key=repr)
        return snap
    finally:
        c.close()


def test_rerun_is_idempotent(run):
    """Runs last (module order): the same command a second time changes nothing in marts.* and
    quality.* (byte-identical files are a no-op)."""
    assert run.proc.returncode == 0, _explain(run.proc)
    before = _snapshot(run.warehouse)
    assert "marts.period_report" in before and "quality.file_log" in before, sorted(before)
    again = _run_cli(run.landing, run.warehouse)
    assert again.returncode == 0, _explain(again)
    after = _snapshot(run.warehouse)
    assert sorted(after) == sorted(before), "set of tables changed"
    changed = [name for name in before if before[name] != after[name]]
    details = []
    for name in changed:
        gone = [r for r in before[name] if r not in after[name]][:5]
        new = [r for r in after[name] if r not in before[name]][:5]
        details.append(f"{name}:\n  before: {gone}\n  after:  {new}")
    assert not changed, "tables changed by the second run:\n" + "\n".join(details)
