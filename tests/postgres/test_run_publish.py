"""`cchc-etl run --publish URL`: each month is published by the job's publish/postgres asset."""

import datetime as dt

from cchc_etl.cli import main
from cchc_etl.sample import write_sample_landing



def test_run_with_publish_lands_marts_in_postgres(tmp_path, monkeypatch, capsys, pg_database):
    monkeypatch.setenv("CCHC_PII_KEY", "publish-cli-test")
    landing = tmp_path / "landing"
    write_sample_landing(landing, "2024-01", "2024-01", rows_per_month=200, seed=3)
    url = f"duckdb:///{(tmp_path / 'wh.duckdb').as_posix()}"
    code = main(["run", "--landing", str(landing), "--warehouse", url, "--from", "2024-01", "--to", "2024-01",
                 "--publish", pg_database.url])
    assert code == 0, capsys.readouterr().err
    rows = pg_database.fetch("SELECT period_start, count(*), sum(rpt_received) FROM bi.period_report WHERE org_level = 'city' GROUP BY 1")
    assert len(rows) == 1 and rows[0][0] == dt.date(2024, 1, 1) and rows[0][2] > 0
    import duckdb

    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:
        expected = con.execute("SELECT sum(rpt_received) FROM marts.period_report WHERE org_level = 'city'").fetchone()[0]
    assert rows[0][2] == expected
