"""sqlfluff lints the project's SQL (``sql/``) with the DuckDB dialect and the rules of
``.sqlfluff`` (``sql/postgres`` in the PostgreSQL dialect): a violation fails the test, naming the
file, line and rule."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _lint(*paths: Path, config: list[str] = ()) -> list[dict]:
    run = subprocess.run([sys.executable, "-m", "sqlfluff", "lint", *map(str, paths), *config, "--format", "json", "--nofail"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert run.stdout.strip(), run.stderr
    return json.loads(run.stdout)


def _violations(report: list[dict]) -> list[str]:
    return [f"{f['filepath']}:{v['start_line_no']} {v['code']} {v['description']}" for f in report for v in f["violations"]]


def test_sql_passes_sqlfluff():
    report = _lint(ROOT / "sql")
    assert len(report) >= len(list((ROOT / "sql").rglob("*.sql"))), "every SQL file is linted"
    assert not _violations(report), "\n".join(_violations(report))


def test_the_lint_catches_a_violation(tmp_path):
    # the project's configuration does flag what its rules forbid: an implicit alias (AL01), a
    # lower-case keyword (CP01)
    probe = tmp_path / "probe.sql"
    probe.write_text("SELECT o.unit_code from staging.stg_org_units o WHERE o.period_start = $period_start\n", encoding="utf-8")
    codes = {v.split()[1] for v in _violations(_lint(probe, config=["--config", str(ROOT / ".sqlfluff")]))}
    assert {"AL01", "CP01"} <= codes, codes
