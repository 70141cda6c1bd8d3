"""The input contract as data: one YAML file per source in ``assets/sources/``.

Readers, staging SQL, quarantine rules and the Great Expectations suites all take their
column lists from these specs, so adding a source starts with adding its YAML file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from cchc_etl.paths import ASSETS_DIR
from cchc_etl.text import enum_key, fold, header_key, nfc

FIELD_TYPES = {"str", "ts", "date", "bool", "int", "num", "enum", "pii", "period"}
# "X (ABBR)" as the contract prints a value: the whole text, X alone and ABBR alone all match
_WITH_ABBREVIATION = re.compile(r"^(?P<text>.*\S)\s*\((?P<abbr>[^()]*\S[^()]*)\)$")
# an integral float where a code is expected: "2.0", "10,0", "4.00" (the SQL macro cchc_code)
_INTEGRAL_FLOAT = re.compile(r"^([0-9]+)[.,]0{1,2}$")
COMPRESSIONS = {"auto", "dictionary", "fsst"}

# the one yes/no vocabulary (folded): Có/Không, x/blank, 1/0, true/false, yes/no, Đã gửi/Chưa gửi
BOOL_TRUE = frozenset({"co", "x", "1", "true", "yes", "y", "t", "da gui", "da", "roi", "dung", "co gui", "v", "1 0"})
BOOL_FALSE = frozenset({"khong", "0", "false", "no", "n", "f", "chua gui", "chua", "sai", "k", "khong gui", "0 0"})


# how exports write them, matched as written before any folding (the usual cells cost nothing)
_BOOL_DISPLAY = {
    True: ("Có", "x", "1", "true", "yes", "y", "t", "Đã gửi", "Đã", "Rồi", "Đúng", "Có gửi", "v", "1.0", "1,0"),
    False: ("Không", "0", "false", "no", "n", "f", "Chưa gửi", "Chưa", "Sai", "k", "Không gửi", "0.0", "0,0"),
}
BOOL_WRITTEN = {
    variant: value
    for value, words in _BOOL_DISPLAY.items()
    for word in words
    for variant in (word, word.lower(), word.upper(), word.capitalize())
}


def read_yaml(path: Path) -> object:
    """A YAML file of ``assets/`` through libyaml's C parser when PyYAML has it (about 10x faster
    than the pure-Python ``safe_load``: every run reads the contracts and the methodology)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader


def expand_spelling(spelling: str) -> tuple[str, ...]:
    """A value spelling and what it implies: ``Bưu chính công ích (BCCI)`` is also
    ``Bưu chính công ích`` and ``BCCI``; ``Rất hài lòng (5)`` is also ``Rất hài lòng`` and ``5``."""
    match = _WITH_ABBREVIATION.match(spelling.strip())
    if not match:
        return (spelling,)
    return (spelling, match.group("text").strip(), match.group("abbr").strip())


def parse_bool(value: str, *, nonempty_is_true: bool = False) -> bool | None:
    folded = fold(value)
    if folded in BOOL_TRUE:
        return True
    if folded in BOOL_FALSE:
        return False
    return True if nonempty_is_true and folded else None


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    blank_value: object = None
    event: bool = False
    nonempty_is_true: bool = False
    references: str | None = None
    sql_type: str | None = None  # enum whose canonical values are stored as another type (rating -> INTEGER)
    compression: str | None = None  # DuckDB storage of a text column (see staging.column_compression)
    deadline: bool = False  # ts: a date without a time is the end of that day
    open_values: bool = False  # enum: a value outside the vocabulary is kept as written (a unit code)

    @property
    def is_pii(self) -> bool:
        return self.type == "pii"

    @property
    def staged_name(self) -> str:
        return f"{self.name}_hash" if self.is_pii else self.name

    def exact_map(self) -> dict[str, str]:
        """Spellings as written (NFC) -> canonical value: the cheap first lookup."""
        out: dict[str, str] = {}
        for canonical, spellings in self.values.items():
            out.setdefault(canonical, canonical)
            for spelling in spellings:
                for variant in expand_spelling(spelling):
                    out.setdefault(nfc(variant), canonical)
        return out

    def map_value(self, value: str) -> object:
        """One raw cell of an enum or bool field -> canonical value, None when unknown."""
        if self.type == "bool":
            return parse_bool(value, nonempty_is_true=self.nonempty_is_true)
        exact = self.exact_map().get(nfc(value).strip())
        if exact is not None:
            return exact  # symbols such as ">=" fold to nothing: match them as written first
        text = _INTEGRAL_FLOAT.sub(r"\1", value.strip())
        found = self.exact_map().get(text) or self.value_map().get(enum_key(text))
        if found is None and self.open_values and value.strip():
            return nfc(value).strip()
        return found

    def value_map(self) -> dict[str, str]:
        """Enum match key (``text.enum_key``: no case, accents, spaces, ``_`` or ``-``) ->
        canonical value (canonical names map to themselves)."""
        out: dict[str, str] = {}
        for canonical, spellings in self.values.items():
            for spelling in (canonical, *spellings):
                for variant in expand_spelling(spelling):
                    if enum_key(variant):  # a spelling that folds to nothing can only match exactly
                        out.setdefault(enum_key(variant), canonical)
        return out

    def value_collisions(self) -> list[str]:
        """Spellings whose match key names two canonical values (a contract error)."""
        seen: dict[str, tuple[str, str]] = {}
        out = []
        for canonical, spellings in self.values.items():
            for spelling in (canonical, *spellings):
                for variant in expand_spelling(spelling):
                    key = enum_key(variant)
                    if not key:
                        continue
                    other = seen.setdefault(key, (canonical, variant))
                    if other[0] != canonical:
                        out.append(f"{self.name}: {variant!r} ({canonical}) and {other[1]!r} ({other[0]}) match alike")
        return out


@dataclass(frozen=True)
class RowRule:
    column: str
    when: str  # SQL over the typed columns
    reason: str


@dataclass(frozen=True)
class SourceSpec:
    source: str
    label_vi: str
    key: tuple[str, ...]
    staging_table: str
    fields: tuple[FieldSpec, ...]
    total_marker_columns: tuple[str, ...] = ()
    reference: bool = False
    required_file: bool = False  # reference data the pipeline cannot run without (org_units)
    rules: tuple[RowRule, ...] = ()
    text: str = ""  # the YAML itself: part of the load fingerprint

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def required(self) -> list[str]:
        return [f.name for f in self.fields if f.required]

    def alias_index(self, profile: dict[str, str] | None = None) -> dict[str, str]:
        """Header match key (``text.header_key``) -> canonical field name."""
        index: dict[str, str] = {}
        for spec in self.fields:
            index[header_key(spec.name)] = spec.name
            for alias in spec.aliases:
                index.setdefault(header_key(alias), spec.name)
        for header, name in (profile or {}).items():
            index[header_key(header)] = name
        return index


def _load(path: Path) -> SourceSpec:
    raw = read_yaml(path)
    fields = []
    for item in raw["fields"]:
        if item["type"] not in FIELD_TYPES:
            raise ValueError(f"{path}: field {item['name']}: unknown type {item['type']!r}")
        compression = item.get("compression", "auto")
        if not isinstance(compression, str) or compression not in COMPRESSIONS:
            raise ValueError(f"{path}: field {item['name']}: unknown compression {compression!r} ({', '.join(sorted(COMPRESSIONS))})")
        if compression != "auto" and (item["type"] not in ("str", "enum", "pii") or item.get("sql_type")):
            raise ValueError(f"{path}: field {item['name']}: compression applies to text columns only (type {item['type']})")
        fields.append(
            FieldSpec(
                name=item["name"],
                type=item["type"],
                required=bool(item.get("required", False)),
                aliases=tuple(str(a) for a in item.get("aliases", [])),
                values={k: tuple(str(s) for s in v) for k, v in (item.get("values") or {}).items()},
                blank_value=item.get("blank_value"),
                event=bool(item.get("event", False)),
                nonempty_is_true=bool(item.get("nonempty_is_true", False)),
                references=item.get("references"),
                sql_type=item.get("sql_type"),
                compression=item.get("compression"),
                deadline=bool(item.get("deadline", False)),
                open_values=bool(item.get("open_values", False)),
            )
        )
        collisions = fields[-1].value_collisions()
        if collisions:
            raise ValueError(f"{path}: field {item['name']}: {'; '.join(collisions)}")
    return SourceSpec(
        source=raw["source"],
        label_vi=raw.get("label_vi", raw["source"]),
        key=tuple(raw.get("key", [])),
        staging_table=raw["staging_table"],
        fields=tuple(fields),
        total_marker_columns=tuple(raw.get("total_marker_columns", [])),
        reference=bool(raw.get("reference", False)),
        required_file=bool(raw.get("required", False)),
        rules=tuple(RowRule(r["column"], r["when"], r["reason"]) for r in raw.get("rules", [])),
        text=path.read_text(encoding="utf-8"),
    )


@cache
def load_source(name: str) -> SourceSpec:
    path = ASSETS_DIR / "sources" / f"{name}.yaml"
    if not path.exists():
        raise KeyError(f"no source contract {path}")
    return _load(path)


def event_sources() -> list[str]:
    """Sources that arrive monthly under landing/<source>/<YYYY-MM>/."""
    return sorted(
        p.stem for p in (ASSETS_DIR / "sources").glob("*.yaml") if not load_source(p.stem).reference
    )


def reference_sources() -> list[str]:
    return sorted(
        p.stem for p in (ASSETS_DIR / "sources").glob("*.yaml") if load_source(p.stem).reference
    )


@cache
def load_profile(system: str | None, source: str) -> dict[str, str]:
    """Vendor header spellings of one exporting system: ``assets/profiles/<system>.yaml``."""
    if not system:
        return {}
    path = ASSETS_DIR / "profiles" / f"{system}.yaml"
    if not path.exists():
        return {}
    raw = read_yaml(path) or {}
    columns = ((raw.get("sources") or {}).get(source) or {}).get("columns") or {}
    spec = load_source(source)
    names = {f.name for f in spec.fields}
    unknown = sorted(set(columns.values()) - names)
    if unknown:
        raise ValueError(f"{path}: unknown {source} field(s): {', '.join(unknown)}")
    return {str(k): str(v) for k, v in columns.items()}
