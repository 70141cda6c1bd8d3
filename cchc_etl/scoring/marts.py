"""The marts ``score_month`` builds, discovered rather than listed: every ``marts.<name>`` whose
table YAML (``assets/tables/marts.<name>.yaml``) has a ``scoring`` block is built for each period
from ``sql/marts/<name>.sql``. The block says which period types build it, which columns identify
the rows of one build (deleted before the insert) and which marts it reads::

    scoring:
      periods: [month, quarter, year]
      replaces: [period_type, period_start, methodology_version]
      after: [indicator_scores]     # optional: reads _mart_indicator_scores

The SQL reads the prepared period's relations (``_period_rollup``, ``_period_values``, ...),
earlier marts of the period as ``_mart_<name>`` and the parameters of ``mart_params``; its rows
are inserted ``BY NAME`` into the table's YAML columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from cchc_etl import table_dictionary
from cchc_etl.contract import read_yaml
from cchc_etl.methodology import Methodology
from cchc_etl.paths import SQL_DIR
from cchc_etl.periods import Period
from cchc_etl.sql_text import used_params

# where the marts' SQL is found (a test points it, and table_dictionary.TABLES_DIR, at a tree of its own)
MARTS_SQL_DIR = SQL_DIR / "marts"
PERIOD_TYPES = ("month", "quarter", "year")


class MartDefinitionError(ValueError):
    pass


@dataclass(frozen=True)
class ScoredMart:
    name: str                   # marts.<table>
    sql_path: Path
    periods: tuple[str, ...]
    replaces: tuple[str, ...]
    after: tuple[str, ...]
    columns: tuple[str, ...]

    @property
    def table(self) -> str:
        return self.name.split(".", 1)[1]

    @property
    def temp(self) -> str:
        return f"_mart_{self.table}"

    def sql(self) -> str:
        return self.sql_path.read_text(encoding="utf-8")


def mart_params(p: Period, method: Methodology) -> dict:
    """Every parameter a mart's SQL may use (each query gets those it names)."""
    return p.params() | {"period_type": p.type, "period_label": p.label, "is_complete": p.complete,
                         "methodology_version": method.version, "year": p.start.year}


def _mart(path: Path) -> ScoredMart | None:
    raw = read_yaml(path) or {}
    block = raw.get("scoring")
    if block is None:
        return None
    name = raw["table"]
    columns = tuple(c["name"] for c in raw.get("columns", []))

    def fail(problem: str):
        raise MartDefinitionError(f"{path.name}: scoring: {problem}")

    if not isinstance(block, dict) or set(block) - {"periods", "replaces", "after"}:
        fail("a mapping of periods, replaces and after")
    periods = tuple(block.get("periods") or ())
    if not periods or set(periods) - set(PERIOD_TYPES):
        fail(f"periods must be some of {PERIOD_TYPES}")
    replaces = tuple(block.get("replaces") or ())
    if not replaces or set(replaces) - set(columns):
        fail("replaces must name columns of the table")
    sql_path = MARTS_SQL_DIR / f"{name.split('.', 1)[1]}.sql"
    if not sql_path.is_file():
        fail(f"no SQL file {sql_path}")
    return ScoredMart(name, sql_path, periods, replaces, tuple(block.get("after") or ()), columns)


def scored_marts() -> list[ScoredMart]:
    """The marts score_month builds, each after those it reads (then by name)."""
    found = {m.table: m for path in sorted(table_dictionary.TABLES_DIR.glob("marts.*.yaml")) if (m := _mart(path))}
    ordered: list[ScoredMart] = []
    visiting: set[str] = set()

    def visit(m: ScoredMart) -> None:
        if m in ordered:
            return
        if m.table in visiting:
            raise MartDefinitionError(f"marts.{m.table}: scoring.after makes a cycle")
        visiting.add(m.table)
        for dep in m.after:
            if dep not in found:
                raise MartDefinitionError(f"marts.{m.table}: scoring.after names {dep!r}, not a scored mart")
            visit(found[dep])
        ordered.append(m)

    for table in sorted(found):
        visit(found[table])
    return ordered


def compute_marts(con: duckdb.DuckDBPyConnection, p: Period, params: dict) -> list[ScoredMart]:
    """The period's rows of every mart its type builds, as temp tables ``_mart_<name>``."""
    built = []
    for mart in scored_marts():
        if p.type in mart.periods:
            sql = mart.sql()
            con.execute(f"CREATE OR REPLACE TEMP TABLE {mart.temp} AS {sql}", used_params(sql, params))
            built.append(mart)
    return built


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def write_marts(con: duckdb.DuckDBPyConnection, marts: list[ScoredMart], params: dict) -> dict[str, int]:
    """Replace the period's rows of each mart by its ``_mart_<name>`` rows (inside the caller's
    transaction); the rows written per mart."""
    written = {}
    for mart in marts:
        where = " AND ".join(f"{_ident(c)} = ${c}" for c in mart.replaces)
        con.execute(f"DELETE FROM {mart.name} WHERE {where}", {c: params[c] for c in mart.replaces})
        columns = ", ".join(_ident(c) for c in mart.columns)
        con.execute(f"INSERT INTO {mart.name} BY NAME SELECT {columns} FROM {mart.temp}")
        written[mart.name] = con.execute(f"SELECT count(*) FROM {mart.temp}").fetchone()[0]
    return written


def drop_marts(con: duckdb.DuckDBPyConnection, marts: list[ScoredMart]) -> None:
    for mart in marts:
        con.execute(f"DROP TABLE IF EXISTS {mart.temp}")
