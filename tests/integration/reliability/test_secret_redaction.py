"""Secret redaction: no password of a PostgreSQL connection string is printed, logged or stored.

Forms: the user-info password of a URL, ``password=`` / ``sslpassword=`` / ``passfile=`` in a
URL query, a libpq ``key=value`` conninfo (plain and quoted), malformed URLs and conninfos (with
and without ``@``), URLs inside exception texts, a URL given through ``CCHC_PUBLISH_URL``.
Places: ``cchc-etl publish``, ``cchc-etl grants``, ``cchc-etl run --publish`` (stdout, stderr,
Dagster's console log), and the Dagster instance after real materializations (event log,
materialization metadata, failure texts, run config, job snapshot, the storage files).

The PostgreSQL server of ``tests/support/pg.py`` trusts local connections, so a URL carrying a password
still connects: the publishes below really happen.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

import pytest

from cchc_etl import cli
from cchc_etl.redaction import MASK, redact, redact_url
from tests.support import handmade_landing
from tests.support.pg import TestDatabase

PII_KEY = "test-secret-redaction-key"
# each secret is distinct, so that an assertion names the form that leaked
USERINFO = "Us3rInfoPw_x91"
QUERY = "QueryPw_k27"
ENV = "EnvPw_q55"
SSL = "SslKeyPw_t08"


def _hosts(db: TestDatabase) -> tuple[str, str, str]:
    from psycopg.conninfo import conninfo_to_dict

    p = conninfo_to_dict(db.conninfo)
    return p.get("user", "postgres"), p.get("host", "127.0.0.1"), p.get("port", "5432")


def _assert_clean(text: str, *secrets: str) -> None:
    for secret in secrets or (USERINFO, QUERY, ENV, SSL):
        assert secret not in text, f"secret {secret!r} leaked: …{text[max(0, text.find(secret) - 120):text.find(secret) + 40]}…"


# --------------------------------------------------------------------------- the function, every form


@pytest.mark.parametrize("text, kept", [
    (f"postgresql+psycopg://etl:{USERINFO}@db.example:5432/cchc?sslmode=require", "postgresql+psycopg://etl:***@db.example:5432/cchc?sslmode=require"),
    (f"postgresql://etl:{USERINFO}@db.example/cchc", "postgresql://etl:***@db.example/cchc"),
    (f"postgres://etl:p@ss{USERINFO}@db.example/cchc", "postgres://etl:***@db.example/cchc"),  # unencoded "@" in the password
    (f"postgresql://etl@db.example/cchc?password={QUERY}&sslmode=require", "postgresql://etl@db.example/cchc?password=***&sslmode=require"),
    (f"postgresql://etl@db.example/cchc?sslmode=require&sslpassword={SSL}&passfile=/home/{QUERY}/.pgpass",
     "postgresql://etl@db.example/cchc?sslmode=require&sslpassword=***&passfile=***"),
    (f"host=db.example port=5432 user=etl password={QUERY} dbname=cchc", "host=db.example port=5432 user=etl password=*** dbname=cchc"),
    (f"host=db.example password = '{QUERY} with space' dbname=cchc", "host=db.example password = *** dbname=cchc"),
    (f"postgresql://etl:{USERINFO}/cchc", "postgresql://etl:***/cchc"),  # malformed: no "@"
    (f"postgresql://etl:{USERINFO}", "postgresql://etl:***"),
    (f"cannot connect to PostgreSQL postgresql://etl:{USERINFO}@db.example/cchc: connection refused",
     "cannot connect to PostgreSQL postgresql://etl:***@db.example/cchc: connection refused"),
    (f"(psycopg.OperationalError) connection failed [SQL: ?] url='postgresql+psycopg://etl:{USERINFO}@h/db'",
     "(psycopg.OperationalError) connection failed [SQL: ?] url='postgresql+psycopg://etl:***@h/db'"),
])
def test_redact_masks_every_form_and_keeps_the_rest(text, kept):
    assert redact(text) == kept
    _assert_clean(redact(text))


def test_redact_leaves_plain_text_and_ports_alone():
    for text in ("postgresql://etl@db.example:5432/cchc", "postgresql://[::1]:5432/cchc", "host=h port=5432 dbname=cchc",
                 "3 checks passed, 0 failed", "duckdb:///data/warehouse.duckdb"):
        assert redact(text) == text


def test_redact_masks_known_secrets_echoed_by_a_parser():
    url = f"postgresql://etl:{USERINFO}@h/db"
    assert redact(f'missing "=" after "{USERINFO}" in connection info string', known=[url]) == \
        f'missing "=" after "{MASK}" in connection info string'


def test_a_malformed_connection_string_is_not_shown():
    for text in (f"postgresql+psycopg//etl:{USERINFO}@h/db", f"host=h {QUERY}", f"postgresql:/etl:{USERINFO}@h/db?sslmode=x"):
        shown = redact_url(text)
        _assert_clean(shown)
        assert "not shown" in shown


# --------------------------------------------------------------------------- a real run, its output and its Dagster instance


@pytest.fixture(scope="module")
def published_run(tmp_path_factory, pg_database):  # noqa: F811
    """``cchc-etl run --publish URL`` on a hand-made landing, January 2024, with a persistent
    Dagster instance (DAGSTER_HOME) and Dagster's console log at DEBUG; the URL carries a user-info
    password and a query password."""
    root = tmp_path_factory.mktemp("secrets")
    landing = handmade_landing.build_landing(root / "landing")
    home = root / "dagster_home"
    home.mkdir()
    user, host, port = _hosts(pg_database)
    url = f"postgresql+psycopg://{user}:{USERINFO}@{host}:{port}/{pg_database.name}?password={QUERY}&application_name=cchc"
    warehouse = f"duckdb:///{(root / 'wh.duckdb').as_posix()}"
    saved = {k: os.environ.get(k) for k in ("CCHC_PII_KEY", "DAGSTER_HOME", "CCHC_LOG_LEVEL", "CCHC_PUBLISH_URL")}
    os.environ.update({"CCHC_PII_KEY": PII_KEY, "DAGSTER_HOME": str(home), "CCHC_LOG_LEVEL": "DEBUG"})
    os.environ.pop("CCHC_PUBLISH_URL", None)
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(["run", "--landing", str(landing), "--warehouse", warehouse, "--from", "2024-01", "--to", "2024-01",
                             "--publish", url])
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert code == 0, err.getvalue()[-2000:]
    return {"root": root, "home": home, "warehouse": warehouse, "stdout": out.getvalue(), "stderr": err.getvalue(), "url": url}


def test_run_publish_prints_no_secret(published_run, pg_database):  # noqa: F811
    out = published_run["stdout"]
    assert "Đã xuất bản / published to PostgreSQL" in out
    assert f":{MASK}@" in out and f"password={MASK}" in out
    _assert_clean(out)
    # Dagster's console log (CCHC_LOG_LEVEL=DEBUG) went to stderr: it logged the run, and no secret
    assert "publish__postgres" in published_run["stderr"] or "publish" in published_run["stderr"]
    _assert_clean(published_run["stderr"])
    assert pg_database.fetch("SELECT count(*) FROM bi.period_report WHERE period_start = '2024-01-01'")[0][0] > 0


def _instance_text(home: Path) -> tuple[str, list]:
    """Everything the persistent Dagster instance holds about its runs, as text, and the runs."""
    from dagster import DagsterInstance
    from dagster._serdes import serialize_value

    instance = DagsterInstance.from_config(str(home))
    try:
        runs = instance.get_runs()
        parts = []
        for run in runs:
            parts.append(serialize_value(run))
            parts.append(repr(run.run_config))
            parts.extend(serialize_value(entry) for entry in instance.all_logs(run.run_id))
            if run.job_snapshot_id:
                parts.append(serialize_value(instance.get_job_snapshot(run.job_snapshot_id)))
            if run.execution_plan_snapshot_id:
                parts.append(serialize_value(instance.get_execution_plan_snapshot(run.execution_plan_snapshot_id)))
        return "\n".join(parts), runs
    finally:
        instance.dispose()


def _publish_materializations(home: Path) -> list:
    from dagster import DagsterEventType, DagsterInstance

    from cchc_etl.defs.publish import PUBLISH_KEY

    instance = DagsterInstance.from_config(str(home))
    try:
        out = []
        for run in instance.get_runs():
            for entry in instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION):
                mat = entry.dagster_event.event_specific_data.materialization
                if mat.asset_key == PUBLISH_KEY:
                    out.append(mat)
        return out
    finally:
        instance.dispose()


def test_the_dagster_instance_stores_no_secret(published_run):
    home = published_run["home"]
    (mat,) = _publish_materializations(home)
    assert mat.metadata["status"].value == "published"
    target = mat.metadata["target"].value
    assert f":{MASK}@" in target and f"password={MASK}" in target
    text, runs = _instance_text(home)
    assert runs and "publish" in text
    _assert_clean(text)
    for path in home.rglob("*"):  # the storage files themselves (event log, runs, schedules)
        if path.is_file():
            data = path.read_bytes()
            for secret in (USERINFO, QUERY):
                assert secret.encode() not in data, f"{secret} stored in {path}"


# --------------------------------------------------------------------------- cchc-etl publish / grants, every form


def _cli(argv: list[str], capsys) -> tuple[int, str, str]:
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_publish_and_grants_redact_every_form(published_run, pg_database, capsys, monkeypatch):  # noqa: F811
    monkeypatch.delenv("CCHC_PUBLISH_URL", raising=False)
    user, host, port = _hosts(pg_database)
    db = pg_database.name
    wh = published_run["warehouse"]
    good = [
        f"postgresql+psycopg://{user}:{USERINFO}@{host}:{port}/{db}",
        f"postgresql://{user}@{host}:{port}/{db}?password={QUERY}",
        f"postgresql://{user}@{host}:{port}/{db}?sslpassword={SSL}&password={QUERY}",
        f"host={host} port={port} user={user} dbname={db} password={QUERY}",
        f"host={host} port={port} user={user} dbname={db} password='{QUERY} x'",
    ]
    for url in good:
        code, out, err = _cli(["publish", "--warehouse", wh, "--publish", url, "--from", "2024-01", "--to", "2024-01"], capsys)
        assert code == 0, err
        assert "Đã công bố / published 1 month to" in out and MASK in out, out
        _assert_clean(out + err)
    role = pg_database.make_role("cchc_bi_secret")
    code, out, err = _cli(["grants", "--publish", good[0], "--role", role, "--verbose"], capsys)
    assert code == 0, err
    assert f"GRANT {role} TO <login>" in out
    _assert_clean(out + err)

    # given through the environment only
    monkeypatch.setenv("CCHC_PUBLISH_URL", f"postgresql://{user}:{ENV}@{host}:{port}/{db}")
    code, out, err = _cli(["publish", "--warehouse", wh, "--from", "2024-01", "--to", "2024-01"], capsys)
    assert code == 0, err
    _assert_clean(out + err)
    monkeypatch.setenv("CCHC_PUBLISH_URL", f"postgresql://{user}:{ENV}@{host}:{port}/no_such_database_here")
    code, out, err = _cli(["publish", "--warehouse", wh, "--from", "2024-01", "--to", "2024-01"], capsys)
    assert code == 1 and "cannot connect to PostgreSQL" in err and f":{MASK}@" in err, err
    _assert_clean(out + err)
    monkeypatch.delenv("CCHC_PUBLISH_URL")

    bad = [  # (URL, what the one-line error says)
        (f"postgresql://{user}:{USERINFO}@{host}:{port}/no_such_database_here", "cannot connect"),
        (f"postgresql://{user}@{host}:{port}/no_such_database_here?password={QUERY}", "cannot connect"),
        (f"postgresql://{user}:{USERINFO}/{db}", "malformed PostgreSQL URL"),  # no "@": the password reads as a port
        (f"postgresql+psycopg//{user}:{USERINFO}@{host}/{db}", "malformed PostgreSQL URL"),  # "://" mistyped
        (f"host={host} dbname={db} {QUERY}", "malformed PostgreSQL URL"),  # a conninfo word without "="
        (f"host={host} dbname={db} password='{QUERY}", "malformed PostgreSQL URL"),  # unterminated quote
        (f"mysql://{user}:{USERINFO}@{host}/{db}", "not a PostgreSQL URL"),
    ]
    for url, says in bad:
        for command in (["publish", "--warehouse", wh, "--from", "2024-01", "--to", "2024-01"], ["grants", "--role", role]):
            code, out, err = _cli([*command, "--publish", url], capsys)
            assert code == 1 and says in err and err.count("\n") == 1, (url, err)
            assert "Traceback" not in err
            _assert_clean(out + err)

    # a URL typed where no option takes it: argparse's error names it, redacted
    with pytest.raises(SystemExit) as exit_:
        cli.main(["publish", f"postgresql://{user}:{USERINFO}@{host}/{db}", "--from", "2024-01", "--to", "2024-01"])
    captured = capsys.readouterr()
    assert exit_.value.code == 1 and "unrecognized arguments" in captured.err
    _assert_clean(captured.out + captured.err)


def test_cli_publish_subprocess_env_url(published_run, pg_database):  # noqa: F811
    """The console script as operators run it, the URL (with a query password) in the environment."""
    import subprocess

    user, host, port = _hosts(pg_database)
    env = {**os.environ, "CCHC_PUBLISH_URL": f"postgresql+psycopg://{user}@{host}:{port}/{pg_database.name}?password={ENV}"}
    env.pop("CCHC_LOG_LEVEL", None)
    proc = subprocess.run([sys.executable, "-m", "cchc_etl.cli", "publish", "--warehouse", published_run["warehouse"],
                           "--from", "2024-01", "--to", "2024-01"], capture_output=True, text=True, env=env, timeout=300,
                          cwd=Path(__file__).resolve().parents[3])
    assert proc.returncode == 0, proc.stderr
    assert f"password={MASK}" in proc.stdout
    _assert_clean(proc.stdout + proc.stderr)


# --------------------------------------------------------------------------- Dagster: failures and resource config


def test_a_failed_publish_stores_no_secret_in_the_event_log(published_run, pg_database, monkeypatch):  # noqa: F811
    from dagster import DagsterEventType, DagsterInstance, materialize
    from dagster._serdes import serialize_value

    from cchc_etl.defs.publish import PostgresPublishResource, publish_assets
    from cchc_etl.defs.resources import WarehouseResource

    user, host, port = _hosts(pg_database)
    wh = WarehouseResource(url=published_run["warehouse"])
    for url in (f"postgresql://{user}:{USERINFO}@{host}:{port}/no_such_database_here?password={QUERY}",
                f"postgresql://{user}:{USERINFO}/{pg_database.name}",
                f"host={host} dbname={pg_database.name} password='{QUERY}"):
        monkeypatch.setenv("CCHC_PUBLISH_URL", url)
        instance = DagsterInstance.ephemeral()
        result = materialize(publish_assets, partition_key="2024-01-01", instance=instance, raise_on_error=False,
                             resources={"warehouse": wh, "postgres_publish": PostgresPublishResource()})
        assert not result.success
        failures = instance.all_logs(result.run_id, of_type=DagsterEventType.STEP_FAILURE)
        assert failures
        stored = "\n".join(serialize_value(e) for e in instance.all_logs(result.run_id))
        assert "PostgreSQL" in stored and (MASK in stored or "not shown" in stored)  # the reason is there, redacted
        _assert_clean(stored)
        run = instance.get_run_by_id(result.run_id)
        _assert_clean(serialize_value(instance.get_job_snapshot(run.job_snapshot_id)))


def test_the_publish_resource_refuses_a_password_in_its_config():
    from cchc_etl.defs.publish import PostgresPublishResource

    assert PostgresPublishResource(url="postgresql+psycopg://etl@db.example:5432/cchc").url.endswith("/cchc")
    for url in (f"postgresql+psycopg://etl:{USERINFO}@db.example/cchc", f"postgresql://etl@db.example/cchc?password={QUERY}",
                f"host=db.example password={QUERY}"):
        with pytest.raises(Exception, match="no password in the resource config") as exc:
            PostgresPublishResource(url=url)
        _assert_clean(str(exc.value))
