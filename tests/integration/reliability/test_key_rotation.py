"""PII key rotation: a warehouse never holds hashes of two keys.

The warehouse records its key's fingerprint (``core.warehouse_meta``) and every file log row the
fingerprint its rows were hashed with; a run with another key is refused before it starts unless
it rotates (``--rotate-pii-key``), which reloads every loaded month: the result equals a clean run
with the new key, table by table.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.integration.reliability.cli_runs import KEY_A, KEY_B, cli, run_args, table_differences

from cchc_etl.ingest import Loader
from cchc_etl.pii import key_fingerprint
from cchc_etl.pii_key import KeyRefused, KeyState, read_state
from cchc_etl.warehouse import connect, ensure_schema

FP_A, FP_B = key_fingerprint(KEY_A), key_fingerprint(KEY_B)
JAN, FEB = dt.date(2024, 1, 1), dt.date(2024, 2, 1)


def _file_log_keys(warehouse: Path) -> dict[str | None, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return dict(con.execute("SELECT pii_key_fingerprint, count(*) FROM quality.file_log GROUP BY ALL").fetchall())


def _meta(warehouse: Path) -> dict[str, str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return dict(con.execute("SELECT key, value FROM core.warehouse_meta WHERE key LIKE 'pii_key%'").fetchall())


def test_a_load_with_another_key_is_refused_and_a_rotation_is_tracked(sample_landing, tmp_path):
    """The loader itself admits its key (every path: CLI, Dagster, scripts) before it writes."""
    with connect(f"duckdb:///{tmp_path / 'w.duckdb'}") as con:
        ensure_schema(con)
        for source in ("dossiers", "surveys"):
            Loader(con, sample_landing, KEY_A).load_month(source, JAN)
        files = len(list(sample_landing.glob("dossiers/2024-01/*"))) + len(list(sample_landing.glob("surveys/2024-01/*")))
        assert read_state(con) == KeyState(FP_A, None, frozenset({FP_A}), files)
        before = con.execute("SELECT * FROM staging.stg_dossiers ORDER BY ALL").fetchall()

        with pytest.raises(KeyRefused) as refused:
            Loader(con, sample_landing, KEY_B)
        message = str(refused.value)
        assert FP_A in message and FP_B in message and "--rotate-pii-key" in message
        assert "khoá PII khác khoá của kho" in message and "differs from the key that hashed the warehouse" in message
        assert con.execute("SELECT * FROM staging.stg_dossiers ORDER BY ALL").fetchall() == before
        assert read_state(con) == KeyState(FP_A, None, frozenset({FP_A}), files)

        # a rotation half done (dossiers reloaded with B, surveys still A): a load without the
        # option is refused whichever key it has
        Loader(con, sample_landing, KEY_B, rotate_key=True).load_month("dossiers", JAN)
        assert read_state(con) == KeyState(FP_A, FP_B, frozenset({FP_A, FP_B}), files)
        assert con.execute("SELECT * FROM staging.stg_dossiers ORDER BY ALL").fetchall() != before
        for key in (KEY_A, KEY_B):
            with pytest.raises(KeyRefused, match="has not finished"):
                Loader(con, sample_landing, key)
        # the rest reloaded: the next load with B finishes the rotation, and A is the foreign key
        Loader(con, sample_landing, KEY_B, rotate_key=True).load_month("surveys", JAN)
        Loader(con, sample_landing, KEY_B)
        assert read_state(con) == KeyState(FP_B, None, frozenset({FP_B}), files)
        with pytest.raises(KeyRefused, match="differs"):
            Loader(con, sample_landing, KEY_A)


def test_rotation_reloads_every_month_like_a_clean_run(clean_b, clean_a_january, sample_landing, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(clean_a_january, warehouse)  # January loaded with key A (closed, checkpointed: no .wal)
    january = len(list(sample_landing.glob("reference/*"))) + len(list(sample_landing.glob("*/2024-01/*")))
    assert _file_log_keys(warehouse) == {FP_A: january} and _meta(warehouse) == {"pii_key_fingerprint": FP_A}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        hashes_a = con.execute("SELECT applicant_id_hash FROM staging.stg_dossiers WHERE applicant_id_hash IS NOT NULL ORDER BY ALL").fetchall()

    # only February with key B: refused at start, nothing written
    stat = warehouse.stat()
    done = cli(*run_args(sample_landing, warehouse, "2024-02", "2024-02"), key=KEY_B, tmp=tmp_path)
    # nothing but the line naming the warehouse file: no month started
    assert done.returncode == 1 and all(line.startswith("Kho dữ liệu") for line in done.stdout.splitlines())
    assert done.stderr.startswith("cchc-etl: error: khoá PII khác khoá của kho") and done.stderr.count("\n") == 1
    assert FP_A in done.stderr and FP_B in done.stderr and "--rotate-pii-key" in done.stderr
    assert (warehouse.stat().st_mtime_ns, warehouse.stat().st_size) == (stat.st_mtime_ns, stat.st_size)

    # a rotation whose loaded month lost a landing file is refused, naming it
    reference = clean_b.warehouse()  # (the clean run reads the landing files: it is done before one is moved)
    moved = sample_landing / "dossiers" / "2024-01"
    gone = next(moved.glob("vnpt__*"))
    hidden = tmp_path / gone.name
    shutil.move(gone, hidden)
    try:
        done = cli(*run_args(sample_landing, warehouse, "2024-02", "2024-02"), "--rotate-pii-key", key=KEY_B, tmp=tmp_path)
    finally:
        shutil.move(hidden, gone)
    assert done.returncode == 1 and f"dossiers/2024-01/{gone.name}" in done.stderr and "cannot rotate the PII key" in done.stderr
    assert _file_log_keys(warehouse) == {FP_A: january}

    # the rotation: January is reloaded too, and the warehouse equals a clean run with key B
    done = cli(*run_args(sample_landing, warehouse, "2024-02", "2024-02"), "--rotate-pii-key", key=KEY_B, tmp=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "rotating the PII key" in done.stdout and "incl. loaded months 2024-01" in done.stdout
    assert table_differences(warehouse, reference) == {}
    every = len(list(sample_landing.glob("reference/*"))) + len(list(sample_landing.glob("*/2024-0*/*")))
    assert _file_log_keys(warehouse) == {FP_B: every} and _meta(warehouse) == {"pii_key_fingerprint": FP_B}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        hashes_b = con.execute("SELECT applicant_id_hash FROM staging.stg_dossiers WHERE month = ? AND applicant_id_hash IS NOT NULL "
                               "ORDER BY ALL", [JAN]).fetchall()
    assert hashes_a and not set(hashes_a) & set(hashes_b)

    # key A is now the foreign one
    done = cli(*run_args(sample_landing, warehouse, "2024-02", "2024-02"), key=KEY_A, tmp=tmp_path)
    assert done.returncode == 1 and FP_A in done.stderr and FP_B in done.stderr


def test_the_dagster_run_config_can_rotate():
    from dagster import validate_run_config

    from cchc_etl.definitions import build_definitions

    job = build_definitions().resolve_job_def("cchc_monthly")
    assert validate_run_config(job, {"resources": {"pii": {"config": {"rotate": True}}}})["resources"]["pii"]["config"]["rotate"] is True
