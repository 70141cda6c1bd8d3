"""The marts score_month builds are discovered, not listed: a mart is its table YAML (with a
``scoring`` block) and its ``sql/marts/<name>.sql``. A toy mart added in an overlay of
``assets/tables`` and ``sql/marts`` is built by score_month for every period, after the mart it
reads, and replaced (not duplicated) when the month is scored again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cchc_etl import scoring, table_dictionary
from cchc_etl.paths import ASSETS_DIR, SQL_DIR
from cchc_etl.scoring import marts
from cchc_etl.table_ddl import duckdb_table_ddl
from cchc_etl.table_dictionary import load_tables
from tests.support.scoring_fixture import Wh, month

TOY_YAML = """\
table: marts.level_summary
kind: table
published: false
title_vi: Tóm tắt theo cấp
title_en: Summary per level
grain: [period_type, period_start, methodology_version, org_level]
partition: period_start
description_vi: Số đơn vị và tỷ lệ điểm trung bình theo cấp, mỗi kỳ.
description_en: Per period and level, the units scored and their mean TOTAL ratio.
columns:
  - {name: period_type, type: VARCHAR, nullable: false, description_vi: loại kỳ, description_en: period type}
  - {name: period_start, type: DATE, nullable: false, description_vi: ngày đầu kỳ, description_en: period start}
  - {name: methodology_version, type: VARCHAR, nullable: false, description_vi: phiên bản, description_en: version}
  - {name: org_level, type: VARCHAR, nullable: false, description_vi: cấp, description_en: level}
  - {name: units, type: BIGINT, nullable: false, description_vi: số đơn vị, description_en: units scored}
  - {name: mean_ratio, type: DOUBLE, nullable: true, description_vi: tỷ lệ trung bình, description_en: mean TOTAL ratio}
scoring:
  periods: [month, quarter, year]
  replaces: [period_type, period_start, methodology_version]
  after: [scores]
"""

TOY_SQL = """\
-- marts.level_summary: per level of the prepared period, the units scored and their mean ratio
SELECT
    $period_type AS period_type,
    CAST($period_start AS DATE) AS period_start,
    $methodology_version AS methodology_version,
    org_level,
    count(*) AS units,
    avg(ratio) AS mean_ratio
FROM _mart_scores
WHERE group_code = 'TOTAL'
GROUP BY org_level
"""


@pytest.fixture
def toy_mart(tmp_path, monkeypatch):
    """assets/tables and sql/marts as they are, plus the toy mart's YAML and SQL; scoring reads
    the overlay. Returns the toy's YAML path."""
    tables, sql = tmp_path / "tables", tmp_path / "marts"
    shutil.copytree(ASSETS_DIR / "tables", tables)
    shutil.copytree(SQL_DIR / "marts", sql)
    (tables / "marts.level_summary.yaml").write_text(TOY_YAML, encoding="utf-8")
    (sql / "level_summary.sql").write_text(TOY_SQL, encoding="utf-8")
    monkeypatch.setattr(table_dictionary, "TABLES_DIR", tables)
    monkeypatch.setattr(marts, "MARTS_SQL_DIR", sql)
    return tables / "marts.level_summary.yaml"


def _create_table(con, yaml_path: Path) -> None:
    # the DDL the warehouse generates from the table YAML (cchc_etl.table_ddl)
    toy = next(t for t in load_tables(yaml_path.parent) if t.path == yaml_path)
    con.execute(duckdb_table_ddl(toy))


@pytest.fixture
def wh(tmp_path):
    w = Wh(tmp_path / "wh.duckdb")
    w.org("TP", "city")
    for d in ("D1", "D2"):
        w.org(d, "department", "TP")
    w.procedure("P1")
    w.dossier("2024-01", "A", "D1", "2024-01-10 08:00", "2024-02-05 17:00")
    w.dossier("2024-01", "B", "D1", "2024-01-05 08:00", "2024-01-20 17:00", "resolved", "2024-01-15 10:00")
    w.dossier("2024-01", "C", "D2", "2024-01-08 08:00", "2024-01-09 17:00", "resolved", "2024-01-12 10:00")
    yield w
    w.close()


def test_the_shipped_marts_are_discovered_in_dependency_order():
    found = [m.name for m in scoring.scored_marts()]
    assert set(found) >= {"marts.indicator_values", "marts.indicator_scores", "marts.scores", "marts.periods",
                          "marts.target_attainment", "marts.par_index"}  # a mart added later is discovered too
    assert found.index("marts.indicator_scores") < found.index("marts.scores")
    assert {m.name for m in scoring.scored_marts() if m.periods == ("year",)} == {"marts.target_attainment", "marts.par_index"}


def test_a_toy_mart_is_built_by_score_month(toy_mart, wh):
    assert "marts.level_summary" in {t.name for t in load_tables(toy_mart.parent)}, "the toy's YAML is a valid table YAML"
    found = [m.name for m in scoring.scored_marts()]
    assert found.index("marts.level_summary") > found.index("marts.scores")  # built after the mart it reads
    _create_table(wh.con, toy_mart)

    results = wh.score_month("2024-01")
    assert {r.period.type: r.rows["marts.level_summary"] for r in results} == {"month": 3, "quarter": 3, "year": 3}
    wh.score_month("2024-01")  # scored again: the period's rows are replaced

    expected = wh.con.execute("""
        SELECT period_type, period_start, methodology_version, org_level, count(*), avg(ratio) FROM marts.scores
        WHERE group_code = 'TOTAL' GROUP BY ALL ORDER BY ALL""").fetchall()
    built = wh.con.execute("SELECT * FROM marts.level_summary ORDER BY ALL").fetchall()
    assert built == expected
    assert {(r[0], r[3], r[4]) for r in built} == {(p, level, n) for p in ("month", "quarter", "year")
                                                   for level, n in (("city", 1), ("department", 2), ("unit", 2))}
    assert {r[1] for r in built} == {month("2024-01")}


@pytest.mark.parametrize(("block", "problem"), [
    ("scoring:\n  periods: [week]\n  replaces: [period_start]\n", "periods must be"),
    ("scoring:\n  periods: [month]\n  replaces: [no_such_column]\n", "replaces must name columns"),
    ("scoring:\n  periods: [month]\n  replaces: [period_start]\n  after: [no_such_mart]\n", "not a scored mart"),
])
def test_a_mart_definition_that_cannot_be_built_is_refused(toy_mart, block, problem):
    text = TOY_YAML[:TOY_YAML.index("scoring:")] + block
    toy_mart.write_text(text, encoding="utf-8")
    with pytest.raises(marts.MartDefinitionError, match=problem):
        scoring.scored_marts()


def test_a_scored_mart_needs_its_sql(toy_mart):
    (marts.MARTS_SQL_DIR / "level_summary.sql").unlink()
    with pytest.raises(marts.MartDefinitionError, match="no SQL file"):
        scoring.scored_marts()


def test_a_toy_mart_is_an_asset_of_score_month_with_its_columns(toy_mart):
    from dagster import AssetKey

    from cchc_etl.defs.reporting import column_schema
    from cchc_etl.defs.warehouse_models import score_month_asset

    asset = score_month_asset()
    key = AssetKey(["marts", "level_summary"])
    assert key in asset.keys
    assert asset.specs_by_key[key].description == "Per period and level, the units scored and their mean TOTAL ratio."
    assert asset.specs_by_key[key].group_name == "marts"
    schema = column_schema(None, "marts.level_summary")  # from the YAML: no connection is asked for
    assert [c.name for c in schema.columns] == ["period_type", "period_start", "methodology_version", "org_level", "units",
                                                "mean_ratio"]
