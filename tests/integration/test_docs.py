"""The docs site builds with ``mkdocs build --strict`` (a broken link or anchor fails it), and its
generated pages show what the code holds: every published table with its columns, every indicator
of the default methodology version with its formula, every source of the input contract. The
README's links lead to files that exist."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cchc_etl.contract import event_sources, load_source, reference_sources
from cchc_etl.methodology import DEFAULT_VERSION, load_methodology
from cchc_etl.publish import CONTRACT_TABLES
from cchc_etl.table_dictionary import load_tables

ROOT = Path(__file__).resolve().parents[2]


def build(config: Path, site: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
                          cwd=config.parent, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    done = build(ROOT / "mkdocs.yml", out)
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    return out


def page(site: Path, name: str) -> str:
    return (site / name / "index.html").read_text(encoding="utf-8")


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def section(document: str, anchor: str, next_anchor: str) -> str:
    """The HTML from the element with id ``anchor`` to the next element whose id matches ``next_anchor``."""
    start = document.index(f'id="{anchor}"')
    following = re.compile(rf'id="{next_anchor}"').search(document, start + len(anchor) + 5)
    return document[start:following.start() if following else len(document)]


def test_the_tables_page_lists_every_published_table_with_its_columns(site):
    document = page(site, "tables")
    ids = [t.name for t in load_tables()]
    other_ids = "(" + "|".join(re.escape(i) for i in ids) + ")"
    documented = {t.name: t for t in load_tables()}
    for published in CONTRACT_TABLES:
        assert f'id="{published.source}"' in document, f"{published.source} is not on the tables page"
        part = section(document, published.source, other_ids)
        codes = set(re.findall(r"<code>([^<]+)</code>", part))
        missing = [c.name for c in documented[published.source].columns if c.name not in codes]
        assert not missing, f"{published.source}: columns not listed {missing}"
        assert f"<code>{published.partition}</code>" in part


def test_the_methodology_page_shows_every_indicator_of_the_default_version(site):
    document = page(site, "methodology")
    method = load_methodology(DEFAULT_VERSION)
    version = section(document, f"version-{DEFAULT_VERSION}", "version-")
    rows = {m.group(1): m.group(0) for m in re.finditer(r'<tr>\s*<td><span id="indicator-([^"]+)"></span>.*?</tr>', version, re.S)}
    assert sorted(rows) == sorted(i.code for i in method.indicators), sorted(set(rows) ^ {i.code for i in method.indicators})
    for ind in method.indicators:
        row = text_of(rows[ind.code])
        assert ind.name_vi in row and ind.name_en in row, (ind.code, row)
        for condition in (ind.numerator, ind.denominator if ind.kind == "rate" else ""):
            assert " ".join(condition.split()) in row, (ind.code, condition, row)
        if ind.group:
            assert ind.group in row and f"{ind.points:g}".replace(".", ",") + " điểm" in row, (ind.code, row)
    text = text_of(version)
    for group in method.groups:
        assert group.code in text and group.name_vi in text
    for band in method.bands:
        assert band.label_vi in text
    for area in method.par_areas:
        assert area.code in text
    for target in method.default_targets:
        assert " ".join(target["note"].split()) in text


def test_the_landing_page_lists_every_source_and_field(site):
    document = page(site, "landing")
    sources = event_sources() + reference_sources()
    other_ids = "(" + "|".join(f"source-{re.escape(s)}" for s in sources) + ")"
    for name in sources:
        part = section(document, f"source-{name}", other_ids)
        codes = set(re.findall(r"<code>([^<]+)</code>", part))
        missing = [f.name for f in load_source(name).fields if f.name not in codes]
        assert not missing, f"{name}: fields not listed {missing}"


def test_an_unknown_generated_block_fails_the_build(tmp_path):
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    with (tmp_path / "docs" / "tables.md").open("a", encoding="utf-8") as f:
        f.write("\n<!-- generated: table -->\n")
    done = build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert done.returncode != 0
    assert "tables.md: unknown generated block 'table'" in done.stderr, done.stderr


def test_readme_links_lead_to_files_that_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = [target for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", readme) if "://" not in target]
    assert links, "the README links to no docs page"
    assert [t for t in links if not (ROOT / t).exists()] == []
    assert len(readme.splitlines()) <= 200
