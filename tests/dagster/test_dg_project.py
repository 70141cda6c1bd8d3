"""The repository is a dg project (``[tool.dg]`` in pyproject.toml): ``dg check defs`` passes from
the repository root, the definitions are what the ``cchc_etl/defs/`` folder holds, an installed
package (no pyproject.toml beside it) loads the same folder, ``workspace.yaml`` still names the
code location, and loading it emits no deprecation, preview or beta warning."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

import yaml

from cchc_etl.definitions import defs, folder_definitions, load_defs_folder

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _env() -> dict[str, str]:
    # dg compares the active virtual environment with the project's; the interpreter's is the active one
    return {**os.environ, "VIRTUAL_ENV": str(Path(sys.prefix)), "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "NO_COLOR": "1"}


def test_pyproject_makes_a_dg_project_of_the_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["dg"]["directory_type"] == "project"
    project = config["tool"]["dg"]["project"]
    assert (project["root_module"], project["defs_module"]) == ("cchc_etl", "cchc_etl.defs")
    pins = {d.split("==")[0]: d.split("==")[1] for d in config["project"]["dependencies"] if "==" in d}
    assert pins["dagster-dg-cli"] == pins["dagster"], "dg moves in lock-step with dagster"
    workspace = yaml.safe_load((ROOT / "workspace.yaml").read_text(encoding="utf-8"))
    (location,) = workspace["load_from"]
    assert location["python_module"] == {"module_name": config["tool"]["dagster"]["module_name"],
                                         "location_name": project["code_location_name"]}


def test_dg_check_defs_passes():
    done = subprocess.run([str(BIN / "dg"), "check", "defs"], cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All definitions loaded successfully" in done.stdout + done.stderr


def test_loading_the_definitions_emits_no_warning():
    """Every warning counts: a deprecation, a preview or beta API, a superseded one."""
    code = ("import json, warnings\n"
            "with warnings.catch_warnings(record=True) as caught:\n"
            "    warnings.simplefilter('always')\n"
            "    from cchc_etl.definitions import defs\n"
            "    defs.get_repository_def().get_all_jobs()\n"
            "print(json.dumps([f'{w.category.__name__}: {w.filename}:{w.lineno}: {w.message}' for w in caught]))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def _asset_keys(d) -> set:
    return {k for a in d.assets for k in a.keys}


def _check_keys(d) -> set:
    return {k for c in d.asset_checks for k in c.check_keys}


def test_the_definitions_are_the_defs_folder_with_resources():
    folder = folder_definitions()
    assert _asset_keys(defs) == _asset_keys(folder) == set(defs.get_repository_def().asset_graph.get_all_asset_keys())
    assert _check_keys(defs) == _check_keys(folder) and _check_keys(folder)
    assert {j.name for j in defs.jobs} == {j.name for j in folder.jobs} == {"cchc_monthly", "cchc_reports"}
    assert {s.name for s in defs.schedules} == {s.name for s in folder.schedules} == {"cchc_monthly_schedule"}
    assert {s.name for s in defs.sensors} == {s.name for s in folder.sensors}
    assert not folder.resources
    assert set(defs.resources) == {"warehouse", "landing", "pii", "methodology", "postgres_publish", "exports", "reports"}


def test_an_installed_package_loads_the_same_folder(tmp_path):
    """A wheel has no pyproject.toml beside the package: the folder is found from the module, without a warning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        installed = load_defs_folder(tmp_path)
    assert [str(w.message) for w in caught] == []
    assert _asset_keys(installed) == _asset_keys(defs) and _check_keys(installed) == _check_keys(defs)
    assert {j.name for j in installed.jobs} == {j.name for j in defs.jobs}
    assert {s.name for s in installed.sensors} == {s.name for s in defs.sensors}
