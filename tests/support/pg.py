"""A real PostgreSQL server for tests: a fresh database per test module, dropped afterwards.

The server is ``CCHC_TEST_PG_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``,
trust auth on the development machines): a superuser connection to a maintenance database.
Tests that use it never skip: an unreachable server fails them with the reason.

Roles are cluster-wide: :func:`make_role` gives each one a unique name and drops it at the end.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field

import psycopg
import pytest
from psycopg import sql

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def admin_url() -> str:
    return os.environ.get("CCHC_TEST_PG_URL", DEFAULT_ADMIN_URL)


def _conninfo(url: str, **overrides) -> str:
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    from cchc_etl.publish import conninfo

    params = conninfo_to_dict(conninfo(url))
    params.update({k: v for k, v in overrides.items() if v is not None})
    return make_conninfo(**params)


def admin_connect(dbname: str | None = None) -> psycopg.Connection:
    url = admin_url()
    try:
        return psycopg.connect(_conninfo(url, dbname=dbname), autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is required for these tests and is not reachable at {url!r}: {' '.join(str(exc).split())}\n"
            "Start a server (PostgreSQL 15+, a superuser able to CREATE DATABASE and CREATE ROLE) or point "
            "CCHC_TEST_PG_URL at one, e.g. postgresql://postgres@127.0.0.1:5432/postgres",
            pytrace=False,
        )


@dataclass
class TestDatabase:
    name: str
    url: str  # SQLAlchemy-style URL, as operators pass it: postgresql+psycopg://…/name
    conninfo: str  # libpq conninfo of the same database, superuser
    roles: list[str] = field(default_factory=list)

    __test__ = False  # not a test class

    def connect(self, *, user: str | None = None, autocommit: bool = True) -> psycopg.Connection:
        return psycopg.connect(_conninfo(self.conninfo, user=user), autocommit=autocommit)

    def url_as(self, user: str) -> str:
        from psycopg.conninfo import conninfo_to_dict

        p = conninfo_to_dict(self.conninfo)
        host = p.get("host", "127.0.0.1")
        port = p.get("port", "5432")
        return f"postgresql+psycopg://{user}@{host}:{port}/{self.name}"

    def make_role(self, prefix: str, *, login: bool = False) -> str:
        """A role with a unique name (dropped when the database goes)."""
        name = f"{prefix}_{secrets.token_hex(4)}"
        with admin_connect() as con:
            con.execute(sql.SQL("CREATE ROLE {} " + ("LOGIN" if login else "NOLOGIN")).format(sql.Identifier(name)))
        self.roles.append(name)
        return name

    def fetch(self, query: str | sql.Composable, params=None) -> list[tuple]:
        with self.connect() as con:
            return con.execute(query, params).fetchall()


def create_database(prefix: str = "cchc_test") -> TestDatabase:
    name = f"{prefix}_{secrets.token_hex(5)}"
    with admin_connect() as con:
        con.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(sql.Identifier(name)))
    info = _conninfo(admin_url(), dbname=name)
    from psycopg.conninfo import conninfo_to_dict

    p = conninfo_to_dict(info)
    auth = p.get("user", "postgres") + (f":{p['password']}" if p.get("password") else "")
    url = f"postgresql+psycopg://{auth}@{p.get('host', '127.0.0.1')}:{p.get('port', '5432')}/{name}"
    return TestDatabase(name=name, url=url, conninfo=info)


def drop_database(db: TestDatabase) -> None:
    with admin_connect() as con:
        con.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db.name)))
        for role in db.roles:  # their privileges lived in the dropped database
            con.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
