"""Snapshot semantics: the state as of each month end, and the latest state, per dossier."""

import datetime as dt
from pathlib import Path

from cchc_etl import build
from cchc_etl.ingest import Loader
from cchc_etl.warehouse import connect, ensure_schema

ORG = "unit_code,name,level,parent_code,valid_from,valid_to,successor_code,category\nTP,TP,city,,2015-01-01,,,\nSTP,STP,department,TP,2015-01-01,,,\n"
HEAD = "dossier_id,procedure_code,unit_code,channel,received_at,due_at,resolved_at,status\n"


def test_month_end_and_latest_state(tmp_path: Path):
    landing = tmp_path / "landing"
    (landing / "reference").mkdir(parents=True)
    (landing / "reference" / "org_units.csv").write_text(ORG, encoding="utf-8")
    jan = landing / "dossiers" / "2024-01"
    feb = landing / "dossiers" / "2024-02"
    jan.mkdir(parents=True)
    feb.mkdir(parents=True)
    # A: open at the end of January, resolved late in February; B: resolved in January
    (jan / "x__jan.csv").write_text(HEAD + "A,P,STP,2,2024-01-30T08:00:00,2024-02-02,,4\nB,P,STP,1,2024-01-10T08:00:00,2024-01-12,2024-01-11T09:00:00,9\n", encoding="utf-8")
    (feb / "x__feb.csv").write_text(HEAD + "A,P,STP,2,2024-01-30T08:00:00,2024-02-02,2024-02-05T10:00:00,10\n", encoding="utf-8")
    with connect(tmp_path / "wh.duckdb") as con:
        ensure_schema(con)
        loader = Loader(con, landing, "k")
        loader.load_reference("org_units")
        for month in (dt.date(2024, 1, 1), dt.date(2024, 2, 1)):
            loader.load_month("dossiers", month)
            build.build_org_rollup(con, month)
            build.build_dossier_month_end(con, month)
            build.build_period_report(con, month)
        state = dict(con.execute(
            "SELECT period_start || ':' || dossier_id, status FROM core.fct_dossier_month_end ORDER BY 1").fetchall())
        latest = dict(con.execute("SELECT dossier_id, status FROM core.dossier_latest").fetchall())
        report = con.execute(
            "SELECT period_start, rpt_carried_over, rpt_received, rpt_resolved_early, rpt_resolved_late, rpt_pending_within "
            "FROM marts.period_report WHERE org_level = 'city' ORDER BY period_start").fetchall()
    assert state == {"2024-01-01:A": "processing", "2024-01-01:B": "resolved", "2024-02-01:A": "returned"}
    assert latest == {"A": "returned", "B": "resolved"}
    assert report == [
        (dt.date(2024, 1, 1), 0, 2, 1, 0, 1),  # A pending within (due 2 Feb >= 31 Jan), B early
        (dt.date(2024, 2, 1), 1, 0, 0, 1, 0),  # A carried over, resolved late on 5 Feb
    ]
