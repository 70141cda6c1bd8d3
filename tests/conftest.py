import os
from pathlib import Path

import pytest

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
