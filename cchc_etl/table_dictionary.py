"""The table dictionary: one YAML file per published table (and documented view) of the warehouse,
``assets/tables/<schema>.<table>.yaml``, holding its columns (name, DuckDB type, nullability,
descriptions in Vietnamese and English), grain, partition column and whether it is published to
PostgreSQL. The docs' tables page is generated from it; tests/test_table_dictionary.py keeps it
equal to the schema the warehouse creates.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from cchc_etl.contract import read_yaml
from cchc_etl.paths import ASSETS_DIR

TABLES_DIR = ASSETS_DIR / "tables"
KINDS = ("table", "view")
_TABLE_KEYS = {"table", "kind", "published", "title_vi", "title_en", "grain", "partition", "description_vi",
               "description_en", "notes_en", "columns"}
# built by score_month (cchc_etl.scoring.marts reads the block)
_TABLE_KEYS |= {"scoring"}
_COLUMN_KEYS = {"name", "type", "nullable", "description_vi", "description_en"}


class TableDictionaryError(ValueError):
    pass


@dataclass(frozen=True)
class ColumnDoc:
    name: str
    type: str  # as DuckDB's information_schema.columns.data_type spells it
    nullable: bool
    description_vi: str
    description_en: str


@dataclass(frozen=True)
class TableDoc:
    name: str  # schema.table
    kind: str
    published: bool
    title_vi: str
    title_en: str
    grain: tuple[str, ...]
    partition: str | None
    description_vi: str
    description_en: str
    notes_en: str
    columns: tuple[ColumnDoc, ...]
    path: Path

    @property
    def schema(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _load(path: Path) -> TableDoc:
    def fail(problem: str):
        raise TableDictionaryError(f"{path.name}: {problem}")

    try:
        raw = read_yaml(path) or {}
    except yaml.YAMLError as exc:
        fail(f"not valid YAML: {exc}")

    if not isinstance(raw, dict):
        fail("not a mapping")
    if unknown := set(raw) - _TABLE_KEYS:
        fail(f"unknown keys {sorted(unknown)}")
    if raw.get("table") != path.stem:
        fail(f"table {raw.get('table')!r} does not match the file name {path.stem!r}")
    if raw.get("kind", "table") not in KINDS:
        fail(f"kind must be one of {KINDS}")
    if not isinstance(raw.get("published"), bool):
        fail("published must be true or false")
    columns = []
    for item in raw.get("columns") or []:
        if unknown := set(item) - _COLUMN_KEYS:
            fail(f"column {item.get('name')!r}: unknown keys {sorted(unknown)}")
        if not item.get("name") or not item.get("type"):
            fail(f"a column without name or type: {item}")
        columns.append(ColumnDoc(name=item["name"], type=item["type"], nullable=item.get("nullable", True),
                                 description_vi=str(item.get("description_vi", "")).strip(),
                                 description_en=str(item.get("description_en", "")).strip()))
    if not columns:
        fail("no columns")
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        fail("a column is listed twice")
    grain = tuple(raw.get("grain") or ())
    if missing := [g for g in grain if g not in names]:
        fail(f"grain names columns it does not list: {missing}")
    partition = raw.get("partition")
    if partition is not None and partition not in names:
        fail(f"partition column {partition!r} is not a column")
    return TableDoc(
        name=raw["table"], kind=raw.get("kind", "table"), published=raw["published"],
        title_vi=raw.get("title_vi", ""), title_en=raw.get("title_en", ""), grain=grain, partition=partition,
        description_vi=str(raw.get("description_vi", "")).strip(), description_en=str(raw.get("description_en", "")).strip(),
        notes_en=str(raw.get("notes_en", "")).strip(), columns=tuple(columns), path=path)


def load_tables(directory: Path = TABLES_DIR) -> tuple[TableDoc, ...]:
    """Every table of the dictionary, ``marts`` before ``quality``, then by name."""
    order = {"marts": 0, "quality": 1}
    tables = [_load(p) for p in sorted(directory.glob("*.yaml"))]
    return tuple(sorted(tables, key=lambda t: (order.get(t.schema, 9), t.schema, t.name)))


__all__ = ["ColumnDoc", "TABLES_DIR", "TableDictionaryError", "TableDoc", "load_tables"]
