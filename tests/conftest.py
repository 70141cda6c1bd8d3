"""Fixtures shared by every folder of the suite, and the ``postgres`` marker.

The suite is a package (``tests.unit``, ``tests.integration``, ``tests.postgres``,
``tests.dagster``; helpers in ``tests.support``): modules import each other by their full name
from the repository root, which pytest puts on ``sys.path`` for the root ``conftest.py``.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.pg import TestDatabase, create_database, drop_database

# the CLI's own default (CRITICAL): tests assert on its one-line error output
os.environ.pop("CCHC_LOG_LEVEL", None)

SAMPLE_PII_KEY = "test-publish-key"
SAMPLE_ROWS_PER_MONTH = 300


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory) -> Path:
    """A real warehouse built once per test run: the sample landing for Jan–Feb 2024 (seed 7,
    ~300 dossiers a month) through ``cchc-etl run``. Tests must not change it: copy it first."""
    from cchc_etl import cli
    from cchc_etl.sample import write_sample_landing

    root = tmp_path_factory.mktemp("sample_warehouse")
    landing = root / "landing"
    write_sample_landing(landing, "2024-01", "2024-02", rows_per_month=SAMPLE_ROWS_PER_MONTH, seed=7)
    path = root / "warehouse.duckdb"
    saved = os.environ.get("CCHC_PII_KEY")
    os.environ["CCHC_PII_KEY"] = SAMPLE_PII_KEY
    try:
        rc = cli.main(["run", "--landing", str(landing), "--warehouse", f"duckdb:///{path.resolve()}",
                       "--from", "2024-01", "--to", "2024-02"])
    finally:
        if saved is None:
            os.environ.pop("CCHC_PII_KEY", None)
        else:
            os.environ["CCHC_PII_KEY"] = saved
    assert rc == 0, "the pipeline run that builds the sample warehouse failed"
    return path


@pytest.fixture(scope="module")
def pg_database() -> Iterator[TestDatabase]:
    """A fresh PostgreSQL database (``cchc_test_<random>``) for the test module, dropped afterwards
    (tests/support/pg.py: the server is ``CCHC_TEST_PG_URL``)."""
    db = create_database()
    try:
        yield db
    finally:
        drop_database(db)


POSTGRES_DIR = Path(__file__).resolve().parent / "postgres"


def pytest_collection_modifyitems(config, items):
    """``postgres`` marks every test under tests/postgres/ and every other test that needs the
    server (through ``pg_database``): ``-m "not postgres"`` runs the suite without one."""
    for item in items:
        if POSTGRES_DIR in item.path.resolve().parents or "pg_database" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)
