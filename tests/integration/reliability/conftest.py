"""Fixtures of the reliability tests: a small sample landing tree and uninterrupted runs of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.integration.reliability.cli_runs import KEY_A, KEY_B, MONTHS, Clean


@pytest.fixture(scope="session")
def sample_landing(tmp_path_factory) -> Path:
    """Two months of every event source but documents, CSV exports only, and the reference files
    (each spreadsheet costs every run of these tests about a second)."""
    from cchc_etl.sample import write_sample_landing

    landing = tmp_path_factory.mktemp("reliability") / "landing"
    write_sample_landing(landing, MONTHS[0], MONTHS[-1], rows_per_month=20, seed=11)
    shutil.rmtree(landing / "documents")
    for workbook in landing.glob("*/20*/*.xlsx"):
        workbook.unlink()
    return landing


@pytest.fixture(scope="session")
def clean_b(sample_landing, tmp_path_factory) -> Clean:
    """Every month with key B, run in the background while the tests go on."""
    return Clean(sample_landing, tmp_path_factory.mktemp("clean_b"), KEY_B, MONTHS[-1])


@pytest.fixture(scope="session")
def clean_a_january(sample_landing, tmp_path_factory) -> Path:
    """January with key A."""
    return Clean(sample_landing, tmp_path_factory.mktemp("clean_a"), KEY_A, MONTHS[0]).warehouse()
