"""``cchc-etl grants`` run by the publishing login, which is no superuser and cannot create roles.

Set-up as the README tells an administrator: a LOGIN role for the publisher owning its database,
the NOLOGIN BI role created once. Then the publisher's ``grants`` only grants; without the role,
or with a role only an administrator may fix, it stops with one line naming the administrator's
statement, no traceback, nothing changed. Against the real server of ``tests/support/pg.py``; every
role and database made here is dropped.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from psycopg import errors, sql

from tests.support.pg import TestDatabase, admin_connect, create_database, drop_database

from cchc_etl import cli
from cchc_etl.publish import PublishError, grant_read_only


@pytest.fixture
def publisher_db() -> Iterator[tuple[TestDatabase, str]]:
    """A fresh database owned by a new non-superuser LOGIN role without CREATEROLE."""
    db = create_database("cchc_grants")
    try:
        publisher = db.make_role("cchc_publisher", login=True)
        with admin_connect() as con:
            con.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(db.name), sql.Identifier(publisher)))
        assert db.fetch("SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = %s", [publisher]) == [(False, False)]
        yield db, publisher
    finally:
        drop_database(db)


def _admin_creates(db: TestDatabase, prefix: str, attributes: str = "NOLOGIN") -> str:
    role = db.make_role(prefix)  # NOLOGIN, made by the superuser (dropped with the database)
    if attributes != "NOLOGIN":
        with admin_connect() as con:
            con.execute(sql.SQL("ALTER ROLE {} " + attributes).format(sql.Identifier(role)))
    return role


def _grants(db: TestDatabase, publisher: str, role: str, capsys) -> tuple[int, str, str]:
    code = cli.main(["grants", "--publish", db.url_as(publisher), "--role", role])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_publisher_without_createrole_grants_on_a_role_the_admin_created(publisher_db, capsys):
    db, publisher = publisher_db
    role = _admin_creates(db, "cchc_bi_reader")
    code, out, err = _grants(db, publisher, role, capsys)
    assert code == 0, err
    assert f"GRANT {role} TO <login>" in out
    assert grant_read_only(db.url_as(publisher), role)  # again: idempotent
    # the tables belong to the publisher (it created them), and the role reads the bi views and marts only
    assert db.fetch("SELECT tableowner FROM pg_tables WHERE schemaname = 'marts' AND tablename = 'period_report'") == [(publisher,)]
    login = db.make_role("cchc_bi_login", login=True)
    with admin_connect(db.name) as con:
        con.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(role), sql.Identifier(login)))
    with db.connect(user=login) as con:
        assert con.execute("SELECT count(*) FROM bi.period_report").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM marts.indicator_values").fetchone()[0] == 0
    for statement in ("SELECT count(*) FROM quality.quarantine", "SELECT count(*) FROM warehouse.fct_dossier_month_end",
                      "INSERT INTO marts.period_report SELECT * FROM marts.period_report", "CREATE TABLE public.mine (x int)"):
        with db.connect(user=login) as con, pytest.raises(errors.InsufficientPrivilege):
            con.execute(statement)
    # tables a later publish creates are readable too (default privileges of the publisher)
    with db.connect(user=publisher) as con:
        con.execute("CREATE TABLE marts.later (x int); INSERT INTO marts.later VALUES (1)")
    with db.connect(user=login) as con:
        assert con.execute("SELECT x FROM marts.later").fetchall() == [(1,)]


def test_without_the_role_grants_names_the_admin_statement_and_changes_nothing(publisher_db, capsys):
    db, publisher = publisher_db
    missing = "cchc_bi_not_created_yet"
    code, out, err = _grants(db, publisher, missing, capsys)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err and "permission denied" not in err, err
    assert f'CREATE ROLE "{missing}" NOLOGIN' in err and "an administrator runs once" in err and "quản trị viên" in err, err
    assert f"role {missing} does not exist" in err and f"vai trò {missing} chưa tồn tại" in err
    assert db.fetch("SELECT count(*) FROM pg_roles WHERE rolname = %s", [missing]) == [(0,)]
    assert db.fetch("SELECT count(*) FROM pg_namespace WHERE nspname IN ('bi', 'marts')") == [(0,)]  # no DDL either
    # the administrator follows the message, and the same command then succeeds
    with admin_connect() as con:
        con.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(missing)))
    db.roles.append(missing)
    code, out, err = _grants(db, publisher, missing, capsys)
    assert code == 0, err


def test_a_role_only_an_admin_can_fix_is_refused_with_the_statement(publisher_db, capsys):
    db, publisher = publisher_db
    role = _admin_creates(db, "cchc_bi_login_by_mistake", "LOGIN")
    code, out, err = _grants(db, publisher, role, capsys)
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err, err
    assert f'ALTER ROLE "{role}" NOLOGIN' in err and "an administrator runs once" in err, err
    assert db.fetch("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", [role]) == [(True,)]

    member = _admin_creates(db, "cchc_bi_reads_all")
    with admin_connect() as con:
        con.execute(sql.SQL("GRANT pg_read_all_data TO {}").format(sql.Identifier(member)))
    with pytest.raises(PublishError, match=f'REVOKE "pg_read_all_data" FROM "{member}"'):
        grant_read_only(db.url_as(publisher), member)


def test_a_publisher_with_createrole_creates_the_role(publisher_db, capsys):
    db, publisher = publisher_db
    with admin_connect() as con:
        con.execute(sql.SQL("ALTER ROLE {} CREATEROLE").format(sql.Identifier(publisher)))
    role = "cchc_bi_made_by_publisher"
    db.roles.insert(0, role)  # dropped before the publisher
    code, out, err = _grants(db, publisher, role, capsys)
    assert code == 0, err
    assert db.fetch("SELECT rolcanlogin, rolsuper FROM pg_roles WHERE rolname = %s", [role]) == [(False, False)]
