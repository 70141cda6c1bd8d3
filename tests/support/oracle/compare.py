"""Run the real pipeline on a landing tree and compare the marts with the oracle, figure by figure.

A mismatch is filed under a group ``(figure kind, code)``:
  ("report", "RPT_RECEIVED")        marts.period_report column (months)
  ("count", "RPT_RECEIVED")         marts.indicator_values value of a count (month, quarter, year)
  ("value", "IDX_2_1")              marts.indicator_values numerator / denominator / value
  ("score", "G2")                   marts.scores score / max_score / ratio of a group or TOTAL
  ("rank", "TOTAL"), ("band", "TOTAL")
  ("as_is", "RPT"), ("as_is", "rates")  marts.indicator_values_as_is, counts and rates
"""

from __future__ import annotations

import datetime as dt
import math
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import duckdb

from . import methodology as M

REPO_ROOT = Path(__file__).resolve().parents[3]


def run_pipeline(landing: Path, warehouse: Path, months: list[dt.date]) -> None:
    exe = Path(sys.prefix) / "bin" / "cchc-etl"
    cmd = ([str(exe)] if exe.exists() else [sys.executable, "-m", "cchc_etl.cli"]) + [
        "run", "--landing", str(landing), "--warehouse", f"duckdb:///{warehouse}",
        "--from", f"{months[0]:%Y-%m}", "--to", f"{months[-1]:%Y-%m}"]
    env = dict(os.environ, CCHC_PII_KEY="test-key", PYTHONPATH=str(REPO_ROOT))
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise AssertionError(f"cchc-etl exited {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")


def read_marts(warehouse: Path) -> dict:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cols = [c.lower() for c in M.RPT_CODES]
        report = {("month", r[0], r[2], r[1]): dict(zip(M.RPT_CODES, r[3:])) for r in con.execute(
            f"SELECT period_start, org_unit_code, org_level, {', '.join(cols)} FROM marts.period_report").fetchall()}
        values = {(r[0], r[1], r[3], r[2], r[4]): (r[5], r[6], r[7]) for r in con.execute(
            "SELECT period_type, period_start, org_unit_code, org_level, indicator_code, numerator, denominator, value "
            "FROM marts.indicator_values").fetchall()}
        as_is = {(r[0], r[1], r[3], r[2], r[4]): (r[5], r[6], r[7]) for r in con.execute(
            "SELECT period_type, period_start, org_unit_code, org_level, indicator_code, numerator, denominator, value "
            "FROM marts.indicator_values_as_is").fetchall()}
        scores = {(r[0], r[1], r[3], r[2], r[4]): tuple(r[5:]) for r in con.execute(
            "SELECT period_type, period_start, org_unit_code, org_level, group_code, score, max_score, ratio, rank, "
            "classification FROM marts.scores").fetchall()}
    finally:
        con.close()
    return {"report": report, "values": values, "scores": scores, "as_is": as_is}


def same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def compare(oracle: dict, marts: dict) -> dict:
    """{group: [mismatch descriptions]}"""
    bad = defaultdict(list)
    for key, want in oracle["report"].items():
        got = marts["report"].get(key)
        for code in M.RPT_CODES:
            g = None if got is None else got[code]
            if g != want[code]:
                bad[("report", code)].append(f"{key}: warehouse {g} oracle {want[code]}")
    for key in set(marts["report"]) - set(oracle["report"]):
        bad[("report", "ROWS")].append(f"{key}: warehouse row, none in the oracle")
    for key, want in oracle["values"].items():
        code = key[4]
        got = marts["values"].get(key)
        if code in M.RPT_CODES:
            continue
        if got is None:
            if want[2] is not None or (want[1] or 0) != 0:
                bad[("value", code)].append(f"{key}: no warehouse row, oracle {want}")
            continue
        fields = ("value",) if code == "IDX_5_4" or code in M.SELF_ASSESSED else ("numerator", "denominator", "value")
        for i, name in enumerate(("numerator", "denominator", "value")):
            if name in fields and not same(got[i], want[i]):
                bad[("value", code)].append(f"{key}: warehouse {got} oracle {want}")
                break
    # counts (RPT_*) for every period type: the oracle's report counts per period
    for key, got in marts["values"].items():
        if key[4] in M.RPT_CODES:
            want = oracle["counts"].get(key[:4])
            w = None if want is None else want[key[4]]
            if not same(got[2], w):
                bad[("count", key[4])].append(f"{key}: warehouse {got[2]} oracle {w}")
    for key, want in oracle["scores"].items():
        got = marts["scores"].get(key)
        if got is None:
            bad[("score", key[4])].append(f"{key}: no warehouse row, oracle {want}")
            continue
        if not all(same(got[i], want[i]) for i in range(3)):
            bad[("score", key[4])].append(f"{key}: warehouse {got[:3]} oracle {want[:3]}")
        if key[4] == "TOTAL":
            if not same(got[3], want[3]):
                bad[("rank", "TOTAL")].append(f"{key}: warehouse {got[3]} oracle {want[3]}")
            if not same(got[4], want[4]):
                bad[("band", "TOTAL")].append(f"{key}: warehouse {got[4]} oracle {want[4]}")
    # the "as is" view (§1): counts and rates of historical units under their current successor
    for key, want in oracle["as_is"].items():
        got = marts["as_is"].get(key)
        group = ("as_is", "RPT" if key[4] in M.RPT_CODES else "rates")
        if got is None:
            if want[0]:
                bad[group].append(f"{key}: no warehouse row, oracle {want}")
            continue
        idx = (0, 2) if group[1] == "RPT" else (0, 1, 2)
        if not all(same(got[i], want[i]) for i in idx):
            bad[group].append(f"{key}: warehouse {got} oracle {want}")
    for key in set(marts["scores"]) - set(oracle["scores"]):
        bad[("score", "ROWS")].append(f"{key}: warehouse row, none in the oracle")
    return dict(bad)


def check_tree(tree, base: Path) -> tuple[dict, dict]:
    """Write, run, compare.  Returns (mismatches, figure counts)."""
    landing = tree.write(base / "landing")
    warehouse = base / "wh.duckdb"
    run_pipeline(landing, warehouse, tree.months)
    oracle = M.compute(**tree.oracle_input())
    marts = read_marts(warehouse)
    bad = compare(oracle, marts)
    return bad, {"values": len(oracle["values"]), "scores": len(oracle["scores"]), "report": len(oracle["report"])}
