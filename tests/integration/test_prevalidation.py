"""Great Expectations starts on a month's rows before they are written (Loader.on_parsed ->
validation.submit), and the check step uses that outcome only while quality.file_log still
names the same files (validation.take with ingest.month_key). Both halves on real files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa

from cchc_etl import validation
from cchc_etl.ingest import Loader, month_key
from cchc_etl.staging import q, staged_columns
from cchc_etl.contract import load_source
from cchc_etl.warehouse import connect, ensure_schema

KEY = "prevalidation-key"
JAN = dt.date(2024, 1, 1)
HEADER = "dossier_id,procedure_code,unit_code,channel,received_at,due_at,resolved_at,status,applicant_name\n"


def _landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing" / "dossiers" / "2024-01"
    folder.mkdir(parents=True)
    (folder / "a__one.csv").write_text(
        HEADER + "A1,P1,U1,1,2024-01-02,2024-01-10,2024-01-05,9,Nguyễn Văn A\n"
        "A2,P1,U1,2,2024-01-03,2024-01-10,,2,Lê Thị B\n"
        "A3,P1,,2,2024-01-03,2024-01-10,,2,no unit: quarantined\n", encoding="utf-8")
    (folder / "b__two.csv").write_text(HEADER + "B1,P2,U2,3,2024-01-04,2024-01-20,,4,Trần C\n", encoding="utf-8")
    return tmp_path / "landing"


def _staged(con) -> list[tuple]:
    cols = ", ".join(["month", "system", "file_path", "row_number", *(q(c) for c, _ in staged_columns(load_source("dossiers"))), "extra"])
    return con.execute(f"SELECT {cols} FROM staging.stg_dossiers WHERE month = ? ORDER BY ALL", [JAN]).fetchall()


def test_parsed_rows_and_key_are_what_the_month_then_holds(tmp_path):
    landing = _landing(tmp_path)
    calls = []
    with connect(tmp_path / "wh.duckdb") as con:
        ensure_schema(con)

        def on_parsed(spec, month, rows_sql, key):
            calls.append((spec.source, month, con.execute(f"SELECT * FROM ({rows_sql}) ORDER BY ALL").fetchall(), key))

        Loader(con, landing, KEY, on_parsed=on_parsed).load_month("dossiers", JAN)
        assert len(calls) == 1
        source, month, rows, key = calls[0]
        assert (source, month) == ("dossiers", JAN)
        assert rows == _staged(con) and len(rows) == 3  # the quarantined row is not among them
        assert key == month_key(con, "dossiers", JAN)

        # an unchanged file keeps its old rows: the month is not wholly new, nothing is handed over
        (landing / "dossiers" / "2024-01" / "b__two.csv").write_text(HEADER + "B1,P2,U2,3,2024-01-04,2024-01-20,,9,Trần C\n",
                                                                     encoding="utf-8")
        Loader(con, landing, KEY, on_parsed=on_parsed).load_month("dossiers", JAN)
        assert len(calls) == 1


def test_outcome_is_taken_only_for_the_same_content(tmp_path):
    suite = validation.suite_for_table("staging.stg_dossiers")
    with connect(tmp_path / "wh.duckdb") as con:
        ensure_schema(con)
        Loader(con, _landing(tmp_path), KEY).load_month("dossiers", JAN)
        table = validation.load_table(con, suite, " WHERE month = ?", [JAN])
        key = month_key(con, "dossiers", JAN)
    assert isinstance(table, pa.Table) and table.num_rows == 3

    validation.submit(suite, JAN.isoformat(), key, table)
    assert validation.take(suite, JAN.isoformat(), key[:-1]) is None  # another month's content: validate afresh
    assert validation.take(suite, JAN.isoformat(), key) is None  # and the entry is gone once looked at

    validation.submit(suite, JAN.isoformat(), key, table)
    taken = validation.take(suite, JAN.isoformat(), key)
    direct = validation.validate(suite, table)
    assert taken is not None
    assert [(o.check_name, o.success, o.unexpected_count) for o in taken] == \
           [(o.check_name, o.success, o.unexpected_count) for o in direct]
    assert {o.check_name for o in taken} >= {"dossier_id_not_null", "status_in_set"}
