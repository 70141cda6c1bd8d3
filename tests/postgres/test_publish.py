"""Publishing to PostgreSQL, against a real server (``tests/support/pg.py``: a fresh database for this
module on CCHC_TEST_PG_URL, default postgresql://postgres@127.0.0.1:5432/postgres; never skipped).

A small real warehouse is built once by the real pipeline (sample landing, 2 months, ~300
dossiers a month, ``cchc-etl run``). Covered: PostgreSQL equals DuckDB row for row for every
published table; the PostgreSQL tables mirror the DuckDB contract; publishing twice changes
nothing; re-publishing a month replaces only that month; a publish killed midway (a subprocess
that exits after a COPY) leaves the previous version; text is NFC on arrival and a NFD value is
caught (and nothing published); the read-only BI role reads bi and marts, including tables later
publishes create, and nothing else; the CLI commands and the Dagster asset.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import textwrap
import unicodedata
from pathlib import Path

import duckdb
import pytest
from psycopg import errors, sql

from tests.support.pg import TestDatabase

from cchc_etl import cli  # noqa: E402
from cchc_etl.publish import (  # noqa: E402
    _partition_filter,
    _partition_params,
    CONTRACT_TABLES,
    DEFAULT_TABLES,
    PublishedTable,
    PublishError,
    conninfo,
    grant_read_only,
    nfc_violations,
    publish_month,
)

JAN, FEB = dt.date(2024, 1, 1), dt.date(2024, 2, 1)
PUBLISHED = {t.target: t for t in DEFAULT_TABLES}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def warehouse(sample_warehouse) -> Path:
    """A real warehouse: sample landing for Jan–Feb 2024 through ``cchc-etl run`` (conftest)."""
    return sample_warehouse


def variant(warehouse: Path, name: str, *statements: str) -> Path:
    """A copy of the warehouse changed by some SQL (the original is left alone)."""
    path = warehouse.with_name(f"{name}.duckdb")
    shutil.copyfile(warehouse, path)
    con = duckdb.connect(str(path))
    try:
        for stmt in statements:
            con.execute(stmt)
    finally:
        con.close()
    return path


# --------------------------------------------------------------------------- comparing contents


def _norm(value):
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value


def _rows(rows, json_cols: set[int] = frozenset()) -> list[tuple]:
    out = []
    for row in rows:
        out.append(tuple(_norm(json.loads(v)) if i in json_cols and isinstance(v, str) else _norm(v) for i, v in enumerate(row)))
    return sorted(out, key=repr)


def duck_rows(path: Path, t: PublishedTable, month: dt.date | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        cur = con.execute(f"SELECT * FROM {t.source}" + (f" WHERE {_partition_filter(t, '?')}" if month else ""),
                          _partition_params(t, month) if month else [])
        json_cols = {i for i, d in enumerate(cur.description) if d[0] == "raw_values"}
        return _rows(cur.fetchall(), json_cols)
    finally:
        con.close()


def pg_rows(db: TestDatabase, t: PublishedTable, month: dt.date | None = None) -> list[tuple]:
    schema, name = t.target.split(".")
    query = sql.SQL("SELECT * FROM {}").format(sql.Identifier(schema, name))
    if month:
        query += sql.SQL(" WHERE ") + sql.SQL(_partition_filter(t, "%s"))
    return _rows(db.fetch(query, _partition_params(t, month) if month else None))


def pg_snapshot(db: TestDatabase) -> dict[str, list[tuple]]:
    return {target: pg_rows(db, t) for target, t in PUBLISHED.items()}


def duck_snapshot(path: Path) -> dict[str, list[tuple]]:
    return {target: duck_rows(path, t) for target, t in PUBLISHED.items()}


def assert_same(pg: dict, duck: dict) -> None:
    for table in PUBLISHED:
        assert len(pg[table]) == len(duck[table]), f"{table}: {len(pg[table])} rows in PostgreSQL, {len(duck[table])} in DuckDB"
        diff = [(a, b) for a, b in zip(pg[table], duck[table]) if a != b]
        assert not diff, f"{table}: first difference (PostgreSQL, DuckDB): {diff[0]}"


def publish_both(warehouse: Path, db: TestDatabase) -> None:
    for month in (JAN, FEB):
        publish_month(warehouse, db.url, month)


# --------------------------------------------------------------------------- the tests


def test_sqlalchemy_urls_become_libpq_conninfo():
    from psycopg.conninfo import conninfo_to_dict

    info = conninfo_to_dict(conninfo("postgresql+psycopg://bi%40x:p%40ss@db.example:6543/cchc?sslmode=require"))
    assert info == {"host": "db.example", "port": "6543", "user": "bi@x", "password": "p@ss", "dbname": "cchc", "sslmode": "require"}
    assert conninfo_to_dict(conninfo("postgresql://postgres@127.0.0.1/x"))["dbname"] == "x"
    assert conninfo_to_dict(conninfo("host=127.0.0.1 dbname=y"))["dbname"] == "y"
    with pytest.raises(PublishError, match="not a PostgreSQL URL"):
        conninfo("mysql://u@h/db")


def test_postgres_tables_mirror_the_duckdb_contract(pg_database, warehouse):
    publish_month(warehouse, pg_database.url, JAN)
    pg_type = {"VARCHAR": "text", "BIGINT": "bigint", "INTEGER": "integer", "DOUBLE": "double precision", "DATE": "date",
               "TIMESTAMP WITH TIME ZONE": "timestamp with time zone", "TIMESTAMP": "timestamp without time zone",
               "JSON": "jsonb", "BOOLEAN": "boolean"}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for t in DEFAULT_TABLES:
            schema, name = t.source.split(".")
            duck_cols = con.execute("SELECT column_name, data_type, is_nullable FROM information_schema.columns "
                                    "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position", [schema, name]).fetchall()
            pg_cols = pg_database.fetch("SELECT column_name, data_type, is_nullable FROM information_schema.columns "
                                        "WHERE table_schema || '.' || table_name = %s ORDER BY ordinal_position", [t.target])
            assert pg_cols == [(c, pg_type[ty], n) for c, ty, n in duck_cols], t.target
    finally:
        con.close()
    assert {r[0] for r in pg_database.fetch("SELECT table_schema || '.' || table_name FROM information_schema.views WHERE table_schema = 'bi'")} == {
        "bi.period_report", "bi.indicator_values", "bi.periods", "bi.scores", "bi.indicator_scores", "bi.target_attainment",
        "bi.par_index", "bi.file_log", "bi.quarantine_summary"}


def test_published_tables_equal_the_warehouse_row_for_row(pg_database, warehouse):
    counts = {m: publish_month(warehouse, pg_database.url, m) for m in (JAN, FEB)}
    assert all(n > 0 for c in counts.values() for t, n in c.items() if t != "quality.quarantine"), counts
    assert_same(pg_snapshot(pg_database), duck_snapshot(warehouse))
    # the BI views show the same figures, and the quarantine only as counts, never raw values
    assert pg_database.fetch("SELECT count(*), sum(rpt_received) FROM bi.period_report") == \
        pg_database.fetch("SELECT count(*), sum(rpt_received) FROM marts.period_report")
    summary_cols = [r[0] for r in pg_database.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'bi' AND table_name = 'quarantine_summary' ORDER BY ordinal_position")]
    assert summary_cols == ["month", "source", "file_path", "column_name", "reason", "rows_quarantined"]
    total, = pg_database.fetch("SELECT (SELECT sum(rows_quarantined) FROM bi.quarantine_summary), (SELECT count(*) FROM quality.quarantine)")
    assert total[0] == total[1] > 0
    assert not pg_database.fetch("SELECT 1 FROM bi.quarantine_summary WHERE reason LIKE '%: %'"), "reason kinds carry no raw value"
    assert "error" not in [r[0] for r in pg_database.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'bi' AND table_name = 'file_log'")]


def test_publishing_twice_changes_nothing(pg_database, warehouse):
    publish_both(warehouse, pg_database)
    before = pg_snapshot(pg_database)
    views_before = pg_database.fetch("SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'bi' ORDER BY 2")
    counts = publish_month(warehouse, pg_database.url, JAN), publish_month(warehouse, pg_database.url, JAN)
    assert counts[0] == counts[1]
    assert pg_snapshot(pg_database) == before
    assert pg_database.fetch("SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'bi' ORDER BY 2") == views_before


def test_republishing_a_month_replaces_only_that_month(pg_database, warehouse):
    publish_both(warehouse, pg_database)
    with pg_database.connect() as con:
        con.execute("UPDATE marts.period_report SET rpt_received = -1 WHERE period_start = %s", [JAN])
        con.execute("DELETE FROM warehouse.fct_dossier_month_end WHERE period_start = %s AND row_number %% 2 = 0", [JAN])
        con.execute("INSERT INTO marts.period_report SELECT * FROM marts.period_report WHERE period_start = %s LIMIT 1", [JAN])
        con.execute("UPDATE marts.indicator_values SET value = 42 WHERE period_start = %s", [FEB])  # Feb: someone else's state
    feb_before = {t: pg_rows(pg_database, PUBLISHED[t], FEB) for t in PUBLISHED}
    publish_month(warehouse, pg_database.url, JAN)
    for target, t in PUBLISHED.items():
        assert pg_rows(pg_database, t, JAN) == duck_rows(warehouse, t, JAN), f"{target}: January not restored"
        assert pg_rows(pg_database, t, FEB) == feb_before[target], f"{target}: February changed by a January publish"
    assert pg_database.fetch("SELECT DISTINCT value FROM marts.indicator_values WHERE period_start = %s", [FEB]) == [(42.0,)]
    publish_month(warehouse, pg_database.url, FEB)
    assert_same(pg_snapshot(pg_database), duck_snapshot(warehouse))


HOLD_MARKER = "test: holding after COPY"


def _publish_code(path: Path, db: TestDatabase, month: dt.date, hook: str | None = None) -> list[str]:
    """A publish in a fresh process; ``hook`` "N" makes it exit (os._exit(1): no cleanup, no
    rollback) right after its N-th COPY, "N:hold" print HOLD_MARKER and wait there, transaction
    open, to be killed. The hook wraps the module's COPY function: production code has none."""
    code = textwrap.dedent(f"""
        import datetime, os, sys, time
        from cchc_etl.publish import month as publish
        hook = {hook or ""!r}
        if hook:
            die_after, copy, copies = int(hook.split(":")[0]), publish._copy_table, []
            def copy_then_die(cur, duck, t, month):
                rows = copy(cur, duck, t, month)
                copies.append(t.target)
                if len(copies) == die_after:
                    if hook.endswith(":hold"):
                        print({HOLD_MARKER!r}, "into", t.target, flush=True)
                        time.sleep(600)
                    print("test: exiting after COPY into", t.target, file=sys.stderr, flush=True)
                    os._exit(1)
                return rows
            publish._copy_table = copy_then_die
        print(publish.publish_month({str(path)!r}, {db.url!r}, datetime.date.fromisoformat({month.isoformat()!r})), flush=True)
    """)
    return [sys.executable, "-c", code]


def test_a_publish_killed_midway_leaves_the_previous_version(pg_database, warehouse):
    publish_both(warehouse, pg_database)
    before = pg_snapshot(pg_database)
    changed = variant(
        warehouse, "changed",
        f"UPDATE marts.period_report SET rpt_received = rpt_received + 1000 WHERE period_start = DATE '{JAN}'",
        f"UPDATE marts.indicator_values SET value = 1 WHERE period_start = DATE '{JAN}'",
        f"UPDATE core.fct_dossier_month_end SET status = 'changed' WHERE period_start = DATE '{JAN}'",
        f"DELETE FROM quality.quarantine WHERE month = DATE '{JAN}'",
    )
    assert duck_snapshot(changed) != duck_snapshot(warehouse)
    for die_after in (1, 3):  # right after the first COPY (period_report), and after the third (file_log)
        proc = subprocess.run(_publish_code(changed, pg_database, JAN, str(die_after)), capture_output=True, text=True, timeout=120)
        assert proc.returncode == 1 and "test: exiting after COPY" in proc.stderr and "Traceback" not in proc.stderr, \
            f"the publish was meant to die after COPY #{die_after}:\n{proc.stdout}\n{proc.stderr}"
        assert pg_snapshot(pg_database) == before, f"a publish killed after COPY #{die_after} changed PostgreSQL"

    # SIGKILL while the month's transaction is open (4 tables copied): readers meanwhile see the
    # previous month, whole; after the kill nothing of the new version remains
    proc = subprocess.Popen(_publish_code(changed, pg_database, JAN, "4:hold"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert HOLD_MARKER in line, f"publish did not reach the hook: {line!r} {proc.stderr.read() if proc.poll() is not None else ''}"
        assert pg_snapshot(pg_database) == before, "a reader saw part of an uncommitted publish"
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -9
    assert pg_snapshot(pg_database) == before

    # the same publish, not killed, replaces January in one go (and waits for nothing: the lock
    # of the killed session is gone with it)
    proc = subprocess.run(_publish_code(changed, pg_database, JAN), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert_same(pg_snapshot(pg_database), duck_snapshot(changed))
    publish_month(warehouse, pg_database.url, JAN)
    assert pg_snapshot(pg_database) == before


def test_text_arrives_nfc_and_nfd_is_caught(pg_database, warehouse):
    publish_both(warehouse, pg_database)
    with pg_database.connect() as con:
        for t in DEFAULT_TABLES:
            assert nfc_violations(con, t.target) == {}, t.target
    assert pg_database.fetch("SELECT count(*) FROM quality.quarantine WHERE reason ~ '[^[:ascii:]]'")[0][0] > 0  # real Vietnamese text checked
    # the check itself: NFD values (in text and inside jsonb) are found, NFC ones are not
    nfd = unicodedata.normalize("NFD", "Hồ sơ trễ hạn")
    assert nfd != unicodedata.normalize("NFC", nfd)
    with pg_database.connect() as con:
        con.execute("CREATE TABLE public.nfc_probe (id int, name text, extra jsonb)")
        con.execute("INSERT INTO public.nfc_probe VALUES (1, %s, %s), (2, %s, %s), (3, 'ascii', NULL)",
                    [unicodedata.normalize("NFC", nfd), json.dumps({"k": "Hồ sơ"}, ensure_ascii=False), nfd, json.dumps({"k": nfd}, ensure_ascii=False)])
        assert nfc_violations(con, "public.nfc_probe") == {"name": 1, "extra": 1}
        assert nfc_violations(con, "public.nfc_probe", where=sql.SQL("id <> %s"), params=[2]) == {}
        con.execute("DROP TABLE public.nfc_probe")
    # a warehouse with a NFD value: the publish refuses, PostgreSQL keeps the previous month
    before = pg_snapshot(pg_database)
    bad = variant(warehouse, "nfd", f"UPDATE marts.period_report SET org_unit_code = '{nfd}' "
                                    f"WHERE period_start = DATE '{JAN}' AND org_level = 'city'")
    with pytest.raises(PublishError, match=r"not in Unicode NFC in marts.period_report \(org_unit_code: 1\)"):
        publish_month(bad, pg_database.url, JAN)
    assert pg_snapshot(pg_database) == before


def _denied(db: TestDatabase, login: str, statement: str) -> None:
    with db.connect(user=login) as con, pytest.raises(errors.InsufficientPrivilege):
        con.execute(statement)


def test_read_only_role_for_bi(pg_database, warehouse):
    db = pg_database
    publish_both(warehouse, db)
    with db.connect() as con:  # a staging schema readable by everyone, as a careless set-up might leave it
        con.execute("CREATE SCHEMA IF NOT EXISTS staging; CREATE TABLE IF NOT EXISTS staging.stg_probe (x text); "
                    "GRANT USAGE ON SCHEMA staging TO PUBLIC; GRANT SELECT ON staging.stg_probe TO PUBLIC; "
                    "GRANT USAGE ON SCHEMA quality TO PUBLIC; GRANT SELECT ON quality.quarantine TO PUBLIC")
    role = db.make_role("cchc_bi_reader")
    grant_read_only(db.url, role)
    grant_read_only(db.url, role)  # updating is idempotent
    login = db.make_role("cchc_bi_login", login=True)
    with db.connect() as con:
        con.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(role), sql.Identifier(login)))
    assert db.fetch("SELECT rolcanlogin, rolsuper FROM pg_roles WHERE rolname = %s", [role]) == [(False, False)]

    readable = ["bi.period_report", "bi.indicator_values", "bi.file_log", "bi.quarantine_summary", "marts.period_report", "marts.indicator_values"]
    with db.connect(user=login) as con:
        for view in readable:
            assert con.execute(f"SELECT count(*) FROM {view}").fetchone()[0] > 0, view
    denied = [
        "INSERT INTO marts.period_report SELECT * FROM marts.period_report LIMIT 1",
        "UPDATE marts.period_report SET rpt_received = 0",
        "DELETE FROM marts.indicator_values",
        "TRUNCATE marts.indicator_values",
        "INSERT INTO bi.file_log SELECT * FROM bi.file_log LIMIT 1",
        "UPDATE bi.file_log SET status = 'x'",
        "DELETE FROM bi.file_log",
        "CREATE TABLE marts.mine (x int)",
        "CREATE VIEW bi.mine AS SELECT 1 AS x",
        "CREATE TABLE public.mine (x int)",
        "SELECT raw_values FROM quality.quarantine",
        "SELECT count(*) FROM quality.quarantine",
        "SELECT count(*) FROM quality.file_log",
        "SELECT count(*) FROM warehouse.fct_dossier_month_end",
        "SELECT count(*) FROM staging.stg_probe",
    ]
    for statement in denied:
        _denied(db, login, statement)
    # the views with human names join reference tables (not updatable whatever the grants): no right to write either
    writable = db.fetch("SELECT c.relname, p FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, "
                        "unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p "
                        "WHERE n.nspname = 'bi' AND has_table_privilege(%s, c.oid, p)", [login])
    assert writable == []

    # rights on tables and views that later publishes create (default privileges)
    later = PublishedTable("marts.period_report", "marts.period_report_later", "period_start")
    with db.connect() as con:
        con.execute("DROP VIEW bi.file_log")
    publish_month(warehouse, db.url, FEB, tables=(*DEFAULT_TABLES, later))
    assert db.fetch("SELECT to_regclass('bi.file_log') IS NOT NULL, to_regclass('marts.period_report_later') IS NOT NULL") == [(True, True)]
    with db.connect(user=login) as con:
        assert con.execute("SELECT count(*) FROM marts.period_report_later").fetchone()[0] > 0
        assert con.execute("SELECT count(*) FROM bi.file_log").fetchone()[0] > 0
    _denied(db, login, "DELETE FROM marts.period_report_later")
    _denied(db, login, "SELECT count(*) FROM quality.quarantine")


def _cli(argv: list[str], monkeypatch) -> int:
    return cli.main(argv)


def test_cli_publish_and_grants(pg_database, warehouse, monkeypatch, capsys):
    monkeypatch.delenv("CCHC_PUBLISH_URL", raising=False)
    for command in ("publish", "grants"):
        with pytest.raises(SystemExit) as exit_:
            _cli([command, "--help"], monkeypatch)
        assert exit_.value.code == 0
        assert "--publish" in capsys.readouterr().out
    url = f"duckdb:///{warehouse.resolve()}"
    assert _cli(["publish", "--warehouse", url, "--publish", pg_database.url, "--from", "2024-01", "--to", "2024-02"], monkeypatch) == 0
    out = capsys.readouterr().out
    assert "2024-01" in out and "2024-02" in out and "marts.period_report" in out
    assert_same(pg_snapshot(pg_database), duck_snapshot(warehouse))
    role = pg_database.make_role("cchc_bi_cli")
    assert _cli(["grants", "--publish", pg_database.url, "--role", role], monkeypatch) == 0
    assert f"GRANT {role} TO <login>" in capsys.readouterr().out
    # failures: one line on stderr, exit code 1
    assert _cli(["publish", "--warehouse", url, "--from", "2024-01", "--to", "2024-01"], monkeypatch) == 1
    assert "CCHC_PUBLISH_URL" in capsys.readouterr().err
    assert _cli(["publish", "--warehouse", url, "--publish", pg_database.url, "--from", "2023-12", "--to", "2023-12"], monkeypatch) == 1
    err = capsys.readouterr().err
    assert err.startswith("cchc-etl: error: 2023-12: no rows in marts.period_report") and err.count("\n") == 1, err
    bad = pg_database.url.rsplit("/", 1)[0] + "/no_such_database_here"
    assert _cli(["publish", "--warehouse", url, "--publish", bad, "--from", "2024-01", "--to", "2024-01"], monkeypatch) == 1
    assert "cannot connect to PostgreSQL" in capsys.readouterr().err


def test_publish_after_run(pg_database, warehouse, capsys):
    from cchc_etl.cli.publish import publish_after_run

    counts = publish_after_run(f"duckdb:///{warehouse.resolve()}", pg_database.url, ["2024-01", "2024-02"])
    assert set(counts) == {"2024-01", "2024-02"} and counts["2024-02"]["marts.period_report"] > 0
    assert "2024-02" in capsys.readouterr().out
    with pytest.raises(cli.CliError, match="no rows"):
        publish_after_run(f"duckdb:///{warehouse.resolve()}", pg_database.url, ["2025-01"], quiet=True)


def test_dagster_asset_publishes_or_skips(pg_database, warehouse, monkeypatch):
    from dagster import materialize

    from cchc_etl.defs.publish import PUBLISH_KEY, SKIPPED, PostgresPublishResource, publish_assets
    from cchc_etl.defs.resources import WarehouseResource

    monkeypatch.delenv("CCHC_PUBLISH_URL", raising=False)
    wh = WarehouseResource(url=f"duckdb:///{warehouse.resolve()}")
    result = materialize(publish_assets, partition_key="2024-02-01", resources={"warehouse": wh, "postgres_publish": PostgresPublishResource()})
    assert result.success
    (mat,) = [e.materialization for e in result.get_asset_materialization_events() if e.asset_key == PUBLISH_KEY]
    assert mat.metadata["status"].value == SKIPPED

    with pg_database.connect() as con:
        con.execute("DELETE FROM marts.period_report WHERE period_start = %s", [FEB])
    result = materialize(publish_assets, partition_key="2024-02-01",
                         resources={"warehouse": wh, "postgres_publish": PostgresPublishResource(url=pg_database.url)})
    assert result.success
    (mat,) = [e.materialization for e in result.get_asset_materialization_events() if e.asset_key == PUBLISH_KEY]
    assert mat.metadata["status"].value == "published"
    assert mat.metadata["rows_by_table"].value["marts.period_report"] == len(duck_rows(warehouse, PUBLISHED["marts.period_report"], FEB))
    assert pg_rows(pg_database, PUBLISHED["marts.period_report"], FEB) == duck_rows(warehouse, PUBLISHED["marts.period_report"], FEB)


def test_contract_tables_are_the_readme_contract():
    assert [t.target for t in CONTRACT_TABLES] == [
        "marts.period_report", "marts.indicator_values", "marts.indicator_scores", "marts.scores", "marts.periods",
        "marts.target_attainment", "marts.par_index", "quality.file_log", "quality.quarantine"]
    assert [t.target for t in DEFAULT_TABLES if t not in CONTRACT_TABLES] == [
        "warehouse.fct_dossier_month_end", "warehouse.dim_indicator", "warehouse.dim_org_unit"]
