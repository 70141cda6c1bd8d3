"""The month-end dossier state built incrementally (previous month-end + this month's exports)
equals the state computed from the whole history, row for row, on the generated sample (which
carries open dossiers from month to month, re-exports and corrections); and quarter / year
facts computed through the shared as-of pass equal those computed on their own."""

from __future__ import annotations

import datetime as dt

import pytest

from cchc_etl import build, facts, scoring
from cchc_etl.ingest import Loader
from cchc_etl.methodology import load_methodology
from cchc_etl.periods import period
from cchc_etl.sample import write_sample_landing
from cchc_etl.warehouse import connect, ensure_schema, used_params

MONTHS = [dt.date(2024, m, 1) for m in (1, 2, 3, 4)]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    root = tmp_path_factory.mktemp("state")
    write_sample_landing(root / "landing", "2024-01", "2024-04", rows_per_month=400, seed=11)
    with connect(root / "wh.duckdb") as c:
        ensure_schema(c)
        loader = Loader(c, root / "landing", "state-test-key")
        for ref in ("org_units", "procedures", "holidays"):
            loader.load_reference(ref)
        build.build_dim_date(c)
        for m in MONTHS:
            for source in ("dossiers", "surveys", "feedback", "documents", "email"):
                loader.load_month(source, m)
            build.build_dossier_month_end(c, m)  # incremental from the second month on
        yield c


def _full_history(con, month: dt.date) -> list[tuple]:
    params = build.month_params(month)
    sql = facts.dossier_fact_sql()
    return con.execute(f"SELECT * FROM ({sql}) ORDER BY system, dossier_id", used_params(sql, params)).fetchall()


def test_incremental_month_end_equals_full_history(con):
    carried = con.execute("SELECT count(*) FROM core.fct_dossier_month_end WHERE period_start = ? AND is_carried_over",
                          [MONTHS[-1]]).fetchone()[0]
    assert carried > 20, "the sample must carry dossiers over for this test to mean anything"
    for m in MONTHS[1:]:
        built = con.execute("SELECT * FROM core.fct_dossier_month_end WHERE period_start = ? ORDER BY system, dossier_id",
                            [m]).fetchall()
        assert built == _full_history(con, m), m


def test_shared_as_of_pass_equals_separate_periods(con):
    method = load_methodology("vn-2025.1")
    q, y = period("quarter", dt.date(2024, 1, 1), dt.date(2024, 3, 1)), period("year", dt.date(2024, 1, 1), dt.date(2024, 3, 1))
    separate = {}
    for p in (q, y):
        scoring._prepare_period(con, p, method)
        separate[p.type] = con.execute("SELECT * FROM _f_dossier ORDER BY ALL").fetchall()
    winners_sql = scoring.sql_file("facts/int_dossier_winners.sql")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _w AS {winners_sql}", used_params(winners_sql, y.params()))
    shared = f"({facts.dossier_latest_sql('_w')})"
    for p in (q, y):
        scoring._prepare_period(con, p, method, shared)
        assert con.execute("SELECT * FROM _f_dossier ORDER BY ALL").fetchall() == separate[p.type], p.type
    assert len(separate["year"]) > 500
