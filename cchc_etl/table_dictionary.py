"""The table contract: one YAML file per core and published table (and documented view) of the
warehouse, ``assets/tables/<schema>.<table>.yaml``, holding its columns (name, DuckDB type,
nullability, descriptions in Vietnamese and English, DuckDB compression, whether its ``bi`` view
shows it), grain, partition column, and how it is published (``publish``: PostgreSQL target and
granularity), exported (``export``: the Parquet layout), built (``asset``) and shown to BI tools
(``bi``: the view and its human-name columns). Generated from it: the DDL and ``COMMENT ON`` of
both databases and the ``bi`` views (cchc_etl.table_ddl), the registries of marts
(``publish.CONTRACT_TABLES``, ``exports.MARTS``, ``defs.operations.MARTS``,
``defs.warehouse_models.SCORE_KEYS``), Dagster's column schema and the docs' tables page.
tests/integration/test_table_dictionary.py keeps it equal to the schema the warehouse creates.
"""

from __future__ import annotations

import functools
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
# what the generated DDL, the bi views and the registries of marts need (cchc_etl.table_ddl)
_TABLE_KEYS |= {"order", "publish", "export", "asset", "bi"}
_COLUMN_KEYS = {"name", "type", "nullable", "description_vi", "description_en"}
_COLUMN_KEYS |= {"compression", "bi"}
_PUBLISH_KEYS = {"target", "granularity", "reference_rows", "index"}
_BI_KEYS = {"view", "names", "names_after"}
_ASSET_KEYS = {"built_by", "description"}
GRANULARITIES = ("month", "periods", "year", "all")
EXPORT_KINDS = ("month", "periods", "year")
#: human-name columns a bi view can append (cchc_etl.table_ddl.bi_view_sql builds them)
NAME_COLUMNS = {
    "org_unit_name": ("tên đơn vị (phiên bản có hiệu lực trong kỳ)", "unit name (the version in force in the period)"),
    "org_level_vi": ("cấp bằng tiếng Việt", "level in Vietnamese"),
    "indicator_name_vi": ("tên chỉ số (tiếng Việt)", "indicator name (Vietnamese)"),
    "indicator_name_en": ("tên chỉ số (tiếng Anh)", "indicator name (English)"),
    "group_name_vi": ("tên nhóm chỉ số", "group name (Vietnamese)"),
    "period_label_vi": ("nhãn kỳ: `Tháng 01/2024`, `Quý I/2024`, `6 tháng đầu năm 2024`, `Năm 2024`",
                        "period label: `Tháng 01/2024`, `Quý I/2024`, `6 tháng đầu năm 2024` (year to date), `Năm 2024`"),
}


class TableDictionaryError(ValueError):
    pass


@dataclass(frozen=True)
class ColumnDoc:
    name: str
    type: str  # as DuckDB's information_schema.columns.data_type spells it
    nullable: bool
    description_vi: str
    description_en: str
    compression: str | None = None  # DuckDB's named compression (fsst, dictionary) where the file takes it
    bi: bool = True  # shown by the table's bi view

    @property
    def comment(self) -> str:
        return f"{self.description_vi} / {self.description_en}"


@dataclass(frozen=True)
class PublishDoc:
    """Where and how a table is published to PostgreSQL (cchc_etl.publish.PublishedTable)."""

    target: str
    granularity: str = "month"  # month | periods | year | all (every row, every publish)
    reference_rows: bool = False
    index: str | None = None  # indexed column (default: the partition column)


@dataclass(frozen=True)
class BiViewDoc:
    view: str  # bi.<name>
    names: tuple[str, ...] = ()  # human-name columns shown after the column ``names_after``
    #: the table's last column when the names were added: columns appended to the table later
    #: come after the names in the view (a view's columns can only be appended to)
    names_after: str | None = None


@dataclass(frozen=True)
class AssetDoc:
    built_by: str  # the Dagster asset (or multi-asset) that builds the table
    description: str


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
    order: int = 0
    publish: PublishDoc | None = None
    export: str | None = None  # partitioning of the Parquet export (cchc_etl.exports.MARTS)
    asset: AssetDoc | None = None
    bi: BiViewDoc | None = None

    @property
    def schema(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def table(self) -> str:
        return self.name.split(".", 1)[1]

    @property
    def comment(self) -> str:
        return f"{self.title_vi} / {self.title_en}: {self.description_en}"

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
                                 description_en=str(item.get("description_en", "")).strip(),
                                 compression=item.get("compression"), bi=item.get("bi", True)))
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
    publish = _block(raw, "publish", _PUBLISH_KEYS, fail)
    if publish is not None:
        if not raw["published"]:
            fail("publish: given for a table that is not published")
        publish = PublishDoc(target=publish.get("target", raw["table"]), granularity=publish.get("granularity", "month"),
                             reference_rows=bool(publish.get("reference_rows", False)), index=publish.get("index"))
        if publish.granularity not in GRANULARITIES:
            fail(f"publish.granularity must be one of {GRANULARITIES}")
        if publish.granularity != "all" and partition is None:
            fail("a table published month by month needs a partition column")
        if publish.index is not None and publish.index not in names:
            fail(f"publish.index {publish.index!r} is not a column")
    elif raw["published"]:
        publish = PublishDoc(target=raw["table"])
        if partition is None:
            fail("a table published month by month needs a partition column")
    export = raw.get("export")
    if export is not None and export not in EXPORT_KINDS:
        fail(f"export must be one of {EXPORT_KINDS}")
    asset = _block(raw, "asset", _ASSET_KEYS, fail)
    if asset is not None:
        asset = AssetDoc(built_by=str(asset.get("built_by", "")), description=" ".join(str(asset.get("description", "")).split()))
        if not asset.built_by or not asset.description:
            fail("asset needs built_by and description")
    if raw.get("scoring") is not None:
        # a mart score_month builds (its scoring block) is one of score_month's assets
        if asset is None:
            asset = AssetDoc(built_by="score_month", description=" ".join(str(raw.get("description_en", "")).split()))
        elif asset.built_by != "score_month":
            fail("a table with a scoring block is built by score_month")
    bi = _block(raw, "bi", _BI_KEYS, fail)
    if bi is not None:
        bi = BiViewDoc(view=str(bi.get("view", "")), names=tuple(bi.get("names") or ()), names_after=bi.get("names_after"))
        if bi.names and bi.names_after not in names:
            fail("bi.names_after must name the column the human names follow")
        if not bi.view.startswith("bi.") or publish is None:
            fail("bi.view must name a view of schema bi, of a published table")
        if unknown := [n for n in bi.names if n not in NAME_COLUMNS]:
            fail(f"bi.names: unknown name columns {unknown} (known: {sorted(NAME_COLUMNS)})")
        if clash := [n for n in bi.names if n in names]:
            fail(f"bi.names: {clash} are columns of the table already")
    return TableDoc(
        name=raw["table"], kind=raw.get("kind", "table"), published=raw["published"],
        title_vi=raw.get("title_vi", ""), title_en=raw.get("title_en", ""), grain=grain, partition=partition,
        description_vi=str(raw.get("description_vi", "")).strip(), description_en=str(raw.get("description_en", "")).strip(),
        notes_en=str(raw.get("notes_en", "")).strip(), columns=tuple(columns), path=path,
        order=int(raw.get("order", 0)), publish=publish, export=export, asset=asset, bi=bi)


def _block(raw: dict, key: str, allowed: set[str], fail) -> dict | None:
    block = raw.get(key)
    if block is None:
        return None
    if not isinstance(block, dict):
        fail(f"{key}: not a mapping")
    if unknown := set(block) - allowed:
        fail(f"{key}: unknown keys {sorted(unknown)}")
    return block


SCHEMA_ORDER = {"marts": 0, "quality": 1, "core": 2}


def load_tables(directory: Path | None = None) -> tuple[TableDoc, ...]:
    """Every table of the dictionary (``TABLES_DIR`` unless ``directory`` is given), ``marts``,
    ``quality``, then ``core``; within a schema by ``order`` (the publisher's order), then by name."""
    return _load_tables(Path(directory or TABLES_DIR))


@functools.cache
def _load_tables(directory: Path) -> tuple[TableDoc, ...]:
    tables = [_load(p) for p in sorted(directory.glob("*.yaml"))]
    targets = [t.publish.target for t in tables if t.publish]
    if len(set(targets)) != len(targets):
        raise TableDictionaryError(f"two tables are published to the same target: {sorted(targets)}")
    return tuple(sorted(tables, key=lambda t: (SCHEMA_ORDER.get(t.schema, 9), t.schema, t.order, t.name)))


def table(name: str) -> TableDoc:
    """The dictionary's entry for ``schema.table`` (KeyError when there is none)."""
    for t in load_tables():
        if t.name == name:
            return t
    raise KeyError(name)


def marts_built_by(asset: str) -> tuple[str, ...]:
    """Names (without schema) of the marts the asset ``asset`` builds, in the publisher's order."""
    return tuple(t.table for t in load_tables() if t.schema == "marts" and t.asset and t.asset.built_by == asset)


def exported_marts() -> dict[str, str]:
    """mart name -> partitioning of its Parquet export (cchc_etl.exports.MARTS)."""
    return {t.table: t.export for t in load_tables() if t.schema == "marts" and t.export}


__all__ = ["AssetDoc", "BiViewDoc", "ColumnDoc", "NAME_COLUMNS", "PublishDoc", "TABLES_DIR", "TableDictionaryError", "TableDoc",
           "exported_marts", "load_tables", "marts_built_by", "table"]
