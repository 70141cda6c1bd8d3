"""Environment variables are read in one place, ``cchc_etl/settings.py``: no other module of the
package reads ``os.environ`` (an AST scan), every variable the docs, the README, the Makefile, the
tests or the benchmarks name is a setting, and the configuration page is the one written from the
settings."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from cchc_etl import locks, memory, settings, summary, validation
from cchc_etl.readers import sandbox, workbook_guard

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "cchc_etl"
VARIABLE = re.compile(r"\b(?:CCHC_[A-Z0-9_]*[A-Z0-9]|DAGSTER_HOME)\b")


def environment_reads(source: str) -> list[tuple[int, str]]:
    """Lines of ``source`` that touch the process environment: ``os.environ``, ``os.getenv``,
    ``os.environb``, ``os.putenv`` or those names imported from ``os``."""
    found = []
    names = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in names and isinstance(node.value, ast.Name) and node.value.id == "os":
            found.append((node.lineno, f"os.{node.attr}"))
        elif isinstance(node, ast.ImportFrom) and node.module == "os" and names & {a.name for a in node.names}:
            found.append((node.lineno, f"from os import {', '.join(a.name for a in node.names)}"))
    return found


def test_the_scan_finds_each_way_of_reading_the_environment():
    source = ("import os\nfrom os import getenv\na = os.environ.get('X')\nb = os.getenv('Y')\n"
              "c = dict(os.environ)\nos.environ['Z'] = '1'\nd = os.path.join('a')\n")
    assert sorted(line for line, _ in environment_reads(source)) == [2, 3, 4, 5, 6]


def test_only_the_settings_module_reads_the_environment():
    offenders = []
    for path in sorted([*PACKAGE.rglob("*.py"), *(ROOT / "bench").rglob("*.py")]):
        if path == PACKAGE / "settings.py":
            continue
        offenders += [f"{path.relative_to(ROOT)}:{line}: {what}" for line, what in environment_reads(path.read_text(encoding="utf-8"))]
    assert offenders == [], "read the variable through cchc_etl.settings:\n" + "\n".join(offenders)


def _mentioned(paths) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in paths:
        for name in VARIABLE.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_variable_the_project_names_is_a_setting():
    files = [ROOT / "README.md", ROOT / "Makefile", *(ROOT / "docs").rglob("*.md"), *(ROOT / "deploy").rglob("*.*"),
             *PACKAGE.rglob("*.py"), *(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").rglob("*.py")]
    files = [f for f in files if f.is_file() and f != Path(__file__).resolve()]
    unknown = {name: sorted(where) for name, where in _mentioned(files).items() if name not in settings.BY_NAME}
    assert unknown == {}, "add these to cchc_etl/settings.py (or correct the name)"


def test_every_setting_is_read_somewhere():
    """A setting nothing asks for is a variable the docs promise and nothing honours: the package
    asks for each operations setting (``settings.LOCK_WAIT`` or ``settings.lock_wait()``), the tests
    or the benchmarks name each development one."""
    package = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py") if p.name != "settings.py")
    tools = "\n".join(p.read_text(encoding="utf-8") for folder in ("tests", "bench") for p in (ROOT / folder).rglob("*.py")
                      if p != Path(__file__).resolve())
    unread = []
    for constant, s in vars(settings).items():
        if not isinstance(s, settings.Setting):
            continue
        if s.audience == settings.OPERATIONS:
            if not re.search(rf"\bsettings\.(?:{constant}\b|{constant.lower()}\()", package):
                unread.append(s.name)
        elif s.name not in tools:
            unread.append(s.name)
    assert unread == []


def test_the_configuration_page_is_written_from_the_settings():
    page = (ROOT / "docs" / "operations" / "configuration.md").read_text(encoding="utf-8")
    assert page == settings.configuration_page(), \
        "regenerate it: python -m cchc_etl.settings docs/operations/configuration.md"
    rows = {m.group(1) for m in re.finditer(r"^\| `([A-Z_0-9]+)` \|", page, re.M)}
    assert rows == set(settings.BY_NAME)


def test_a_value_is_read_when_asked_for_and_blank_counts_as_unset(monkeypatch):
    monkeypatch.delenv("CCHC_LANDING_DIR", raising=False)
    assert settings.landing_dir() == "landing"
    monkeypatch.setenv("CCHC_LANDING_DIR", "/srv/landing")
    assert settings.landing_dir() == "/srv/landing"
    monkeypatch.setenv("CCHC_LANDING_DIR", "  ")
    assert settings.landing_dir() == "landing"
    monkeypatch.setenv("CCHC_ALLOW_DEMO_KEY", "yes")
    assert settings.allow_demo_key() is False
    monkeypatch.setenv("CCHC_ALLOW_DEMO_KEY", "1")
    assert settings.allow_demo_key() is True


@pytest.mark.parametrize(("setting", "value", "read"), [
    (settings.LOCK_WAIT, "-1", locks.lock_wait),
    (settings.SUMMARY_MIN_DOSSIERS, "2,5", summary.default_min_dossiers),
    (settings.GX_SAMPLE_ROWS, "0", validation.sample_rows),
    (settings.DUCKDB_MEMORY_LIMIT, "80%", memory.memory_limit),
])
def test_a_refused_value_names_its_variable(setting, value, read, monkeypatch):
    monkeypatch.setenv(setting.name, value)
    with pytest.raises(ValueError) as refused:
        read()
    assert str(refused.value).startswith(f"{setting.name}={value!r}: "), refused.value


def test_parsed_values_reach_the_modules(monkeypatch):
    monkeypatch.setenv("CCHC_LOCK_WAIT", "2,5")
    monkeypatch.setenv("CCHC_WORKBOOK_MEMORY", "512MiB")
    monkeypatch.setenv("CCHC_WORKBOOK_MAX_UNCOMPRESSED", "1GiB")
    monkeypatch.setenv("CCHC_WORKBOOK_MAX_CELLS", "1000")
    monkeypatch.delenv("CCHC_WORKBOOK_MAX_COLUMNS", raising=False)
    assert locks.lock_wait() == 2.5
    assert sandbox.memory_budget() == 512 << 20
    limits = workbook_guard.limits()
    assert (limits.max_uncompressed, limits.max_cells, limits.max_columns) == (1 << 30, 1000, workbook_guard.MAX_COLUMNS)


def test_an_override_lasts_for_its_block(monkeypatch):
    monkeypatch.setenv("CCHC_PUBLISH_URL", "postgresql://before")
    with settings.overridden(settings.PUBLISH_URL, "postgresql://during"):
        assert settings.publish_url() == "postgresql://during"
        assert settings.child_environment()["CCHC_PUBLISH_URL"] == "postgresql://during"
    assert settings.publish_url() == "postgresql://before"
    monkeypatch.delenv("CCHC_PUBLISH_URL")
    with settings.overridden(settings.PUBLISH_URL, "postgresql://during"):
        pass
    assert settings.publish_url() == ""
