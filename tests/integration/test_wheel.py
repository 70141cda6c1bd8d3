"""The built wheel installs anywhere: it carries ``assets/``, ``sql/`` and ``expectations/``
inside the package and runs the demo in a fresh virtual environment, from a directory outside
the checkout.

The wheel is built from a copy of the project's files (tracked and untracked, not ignored), so
that the build leaves no ``build/`` or ``*.egg-info`` in the checkout. The fresh environment
reaches the already-installed dependencies through a ``.pth`` line naming this interpreter's
site-packages: a directory named in a ``.pth`` file is only added to ``sys.path``, its own
``.pth`` files (the editable install's finder) are not run, so ``cchc_etl`` comes from the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA_FOLDERS = ("assets", "expectations", "sql")


def _project_files() -> list[str]:
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=ROOT, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.fail(f"the wheel is built from the checkout's files, listed by git: {exc}")
    return [f for f in out.decode().split("\0") if f and (ROOT / f).is_file()]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in _project_files():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, src / name)
    dist = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", str(src), "-w", str(dist)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (built,) = dist.glob("cchc_etl-*.whl")
    return built


def test_wheel_carries_the_data_folders_and_no_tests(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    files = _project_files()
    for folder in DATA_FOLDERS:
        # a dotfile there is a tool's configuration (sqlfluff's per-folder .sqlfluff), not data
        shipped = {f"cchc_etl/_data/{f}" for f in files if f.startswith(f"{folder}/") and not Path(f).name.startswith(".")}
        assert shipped, folder
        assert shipped <= names, sorted(shipped - names)
    assert {f for f in files if f.startswith("cchc_etl/") and f.endswith(".py")} <= names
    assert not [n for n in names if n.startswith(("tests/", "bench/")) or "/tests/" in n]
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"cchc_etl"}, tops  # nothing else at the top: no sql/, assets/, deploy/ ...


@dataclass(frozen=True)
class Installed:
    bin: Path
    site: Path
    env: dict
    cwd: Path

    def run(self, *argv, timeout: int = 300) -> subprocess.CompletedProcess:
        return subprocess.run([self.bin / argv[0], *argv[1:]], cwd=self.cwd, env=self.env, capture_output=True,
                              text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Installed:
    """The wheel in a fresh virtual environment, run from a directory outside the checkout with no
    ``PYTHONPATH`` and no ``CCHC_*`` variable."""
    root = tmp_path_factory.mktemp("installed")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    deps = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    (site / "installed_dependencies.pth").write_text("".join(f"{d}\n" for d in deps))
    proc = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                           str(wheel)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DAGSTER_HOME") and not k.startswith("CCHC_")}
    cwd = root / "elsewhere"
    cwd.mkdir()
    return Installed(venv / "bin", site, env, cwd)


def test_wheel_finds_its_data_in_the_package(installed):
    proc = installed.run("python", "-c", "import cchc_etl, cchc_etl.paths as p; print(cchc_etl.__file__); print(p.SQL_DIR)")
    assert proc.returncode == 0, proc.stderr
    module, sql_dir = proc.stdout.split()
    assert Path(module).is_relative_to(installed.site), module  # the wheel's copy, not the checkout's
    assert Path(sql_dir) == installed.site / "cchc_etl" / "_data" / "sql"


def test_wheel_runs_the_demo_outside_the_checkout(installed):
    demo = installed.cwd / "demo"
    proc = installed.run("cchc-etl", "demo", "--dir", str(demo), "--from", "2024-01", "--to", "2024-01", "--rows", "50")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    with duckdb.connect(str(demo / "warehouse.duckdb"), read_only=True) as con:
        for table in ("marts.scores", "marts.period_report"):
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0, table
    reports = sorted(p.relative_to(demo).as_posix() for p in (demo / "reports").rglob("*") if p.is_file())
    # the workbook, the drafted report and the scorecard site with its packaged stylesheet
    assert {Path(r).suffix for r in reports} == {".xlsx", ".docx", ".html", ".css"}, reports
    assert "reports/2024-Q1/site/index.html" in reports
    css = next(r for r in reports if r.endswith(".css"))
    packaged = installed.run("python", "-c", "import cchc_etl.reports.site as s; print(s.STATIC_DIR / 'site.css')")
    assert packaged.returncode == 0, packaged.stderr
    assert (demo / css).read_bytes() == Path(packaged.stdout.strip()).read_bytes()
    assert all(r.startswith("reports/2024-Q1/") for r in reports), reports


def test_wheel_loads_the_dagster_definitions_and_the_holidays_command(installed):
    from cchc_etl.definitions import defs

    listing = ("from cchc_etl.definitions import defs; r = defs.get_repository_def(); "
               "print(sorted(j.name for j in r.get_all_jobs())); "
               "print(sorted(k.to_user_string() for k in r.assets_defs_by_key)); "
               "print(sorted(k.to_user_string() for k in r.asset_checks_defs_by_key))")
    proc = installed.run("python", "-c", listing)
    assert proc.returncode == 0, proc.stderr[-3000:]
    repo = defs.get_repository_def()  # the checkout's, in this process
    assert proc.stdout.splitlines() == [str(sorted(j.name for j in repo.get_all_jobs())),
                                        str(sorted(k.to_user_string() for k in repo.assets_defs_by_key)),
                                        str(sorted(k.to_user_string() for k in repo.asset_checks_defs_by_key))]

    proc = installed.run("cchc-etl", "holidays", "2026")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "date,name,kind" and "2026-01-01" in proc.stdout
