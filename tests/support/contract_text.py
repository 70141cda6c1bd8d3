"""The input contract read from its own text (``../shared/spec/input-contract.md``).

Test helpers parse the Markdown the users read, so that a spelling printed there is tried as it
is printed; nothing here reads the project's YAML. Where the text does not say which canonical
value a printed word stands for (fewer words than enum members), a small table below says it and
cites the contract line; a printed word missing from that table fails the suite loudly.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTRACT_PATH = REPO_ROOT.parent / "shared" / "spec" / "input-contract.md"

# input-contract.md, dossiers table, row `status`: seven printed words for eight enum members
# (`submitted` has no word; the words follow the enum order from `processing` on).
# row `online_service_level`: "Toàn trình / Một phần" for enum(full, partial, none).
# email table, row `role`: "lãnh đạo / công chức / viên chức" for enum(leader, staff).
EXPLICIT_WORDS = {
    ("dossiers", "status"): {
        "Đang xử lý": "processing", "Chờ bổ sung": "awaiting_supplement", "Tạm dừng": "suspended",
        "Đã có kết quả": "resolved", "Đã trả kết quả": "returned", "Từ chối": "rejected",
        "Công dân rút hồ sơ": "withdrawn",
    },
    ("dossiers", "online_service_level"): {"Toàn trình": "full", "Một phần": "partial"},
    ("email", "role"): {"lãnh đạo": "leader", "công chức": "staff", "viên chức": "staff"},
}
# input-contract.md, coded values paragraph: "channel `1` counter / `2` online / `3` postal":
# `counter` is the interface's word for the enum member `direct`.
CODE_WORDS = {"counter": "direct"}


@dataclass
class Spelling:
    text: str
    canonical: object  # enum member, int (rating) or the text itself (str fields)
    origin: str  # which printed form it comes from, for messages


@dataclass
class Field:
    source: str
    name: str
    headers: list[str]
    type: str  # str, ts, bool, int, enum, PII, date ...
    enum: list[str]
    required: bool
    values: list[Spelling] = field(default_factory=list)
    blank_value: object = None  # "2 or blank = none", "(blank = 0)", "(blank = normal)"
    line: str = ""


@dataclass
class Contract:
    fields: dict[str, dict[str, Field]]  # source -> field -> Field
    national_names: dict[str, list[str]]  # field -> interface names (dossiers)
    codes: dict[str, list[tuple[str, str]]]  # field -> (code, canonical)
    bools: list[tuple[str, bool | None]]  # spelling -> value (None: blank)
    date_formats: list[str]  # strftime patterns, plus "excel_serial", "date_cell"
    number_formats: list[tuple[str, float]]  # printed example -> value
    holiday_kinds: list[list[str]]  # per kind: its printed spellings (English first)
    holiday_kind_separators: list[str]  # characters that "do not matter" in a kind


def _is_abbreviation(text: str) -> bool:
    return bool(re.fullmatch(r"[A-ZĐ0-9]{2,}", text))


def _split_names(part: str) -> list[str]:
    """Header names separated by commas and " / "; a comma piece starting lower case continues
    the previous name ("Lấy từ kho dữ liệu điện tử của tổ chức, cá nhân", "Số, ký hiệu")."""
    pieces: list[str] = []
    for piece in part.split(","):
        piece = piece.strip()
        if not piece:
            continue
        if pieces and piece[0].islower():
            pieces[-1] = pieces[-1] + ", " + piece
        else:
            pieces.append(piece)
    out = []
    for piece in pieces:
        out.extend(p.strip() for p in piece.split(" / ") if p.strip())
    return out


def _expand_name(name: str) -> list[str]:
    """"X (ABBR)" -> the whole text, X and ABBR; a lower-case note "(code)" is dropped."""
    m = re.fullmatch(r"(.*?)\s*\(([^()]*)\)", name)
    if not m:
        return [name]
    base, inner = m.group(1).strip(), m.group(2).strip()
    if _is_abbreviation(inner):
        return [name, base, inner]
    return [base]


def _parse_cell(source: str, fname: str, cell: str, type_: str, enum: list[str]) -> tuple[list[str], list[tuple[str, list[str]]], dict]:
    """-> headers, [(printed value, its spellings)], extras (legacy words, blank value, range)."""
    extras: dict = {}
    cell = cell.split(" — ")[0].strip()
    legacy = re.search(r"\s*\(legacy: ([^)]*)\)", cell)
    if legacy:
        cell = cell.replace(legacy.group(0), "")
        words, _, rest = legacy.group(1).partition(";")
        extras["legacy"] = [w.strip() for w in words.split(" / ")]
        m = re.search(r"(\S+) or blank = (\w+)", rest)
        if m:
            extras["legacy_code"] = (m.group(1), m.group(2))
            extras["blank"] = m.group(2)
    rng = re.search(r",\s*or (\d+)[–-](\d+)\s*$", cell)
    if rng:
        cell = cell[: rng.start()]
        extras["range"] = (int(rng.group(1)), int(rng.group(2)))
    head, sep, values = cell.partition(": ")
    printed_values: list[str] = []
    if sep:
        printed_values = [v.strip() for v in values.split(" / ") if v.strip()]
    else:
        # "Văn bản đến / Văn bản đi (Loại sổ)": an enum whose printed words are its members,
        # the parenthesis naming the header
        m = re.fullmatch(r"(.*?)\s*\(([^()]*)\)", head)
        if type_ == "enum" and m and len(m.group(1).split(" / ")) == len(enum) and not _is_abbreviation(m.group(2)):
            printed_values = [v.strip() for v in m.group(1).split(" / ")]
            head = m.group(2)
    # parenthetical examples or notes in the header part ("(Quyết định, Công văn, ...)",
    # "(non-empty = yes)"): drop any that are not an abbreviation before splitting on commas
    notes = [n for n in re.findall(r"\s*\(([^()]*)\)", head) if not _is_abbreviation(n.strip())]
    for n in notes:
        head = head.replace(f" ({n})", "").replace(f"({n})", "")
    headers: list[str] = []
    for name in _split_names(head):
        headers.extend(_expand_name(name))
    values_out = []
    for v in printed_values:
        m = re.fullmatch(r"(.*?)\s*\((\d+)\)", v)
        if m:  # "Rất hài lòng (5)": the number is the value
            values_out.append((v, [v, m.group(1).strip()], int(m.group(2))))
        else:
            values_out.append((v, _expand_name(v), None))
    return headers, values_out, extras


def _canonical_values(f: Field, printed, extras) -> None:
    explicit = EXPLICIT_WORDS.get((f.source, f.name))
    for i, (word, spellings, number) in enumerate(printed):
        if number is not None:
            canonical: object = number
        elif f.type == "enum":
            if explicit is not None:
                if word not in explicit:
                    raise AssertionError(f"contract word {word!r} of {f.source}.{f.name} has no entry in EXPLICIT_WORDS")
                canonical = explicit[word]
            elif len(printed) == len(f.enum):
                canonical = f.enum[i]
            else:
                raise AssertionError(f"{f.source}.{f.name}: cannot map {len(printed)} words to {f.enum}; add EXPLICIT_WORDS")
        else:
            canonical = None  # free text: lands as written (NFC)
        for s in dict.fromkeys(spellings):
            f.values.append(Spelling(s, canonical, word))
    for i, word in enumerate(extras.get("legacy", [])):
        f.values.append(Spelling(word, f.enum[i], f"legacy {word}"))
    if "legacy_code" in extras:
        code, canon = extras["legacy_code"]
        f.values.append(Spelling(code, canon, f"legacy {code}"))
    if "range" in extras:
        lo, hi = extras["range"]
        for n in range(lo, hi + 1):
            f.values.append(Spelling(str(n), n, f"{lo}–{hi}"))
    if "blank" in extras:
        f.blank_value = extras["blank"]


def _table_rows(section: str) -> list[list[str]]:
    rows = []
    for line in section.splitlines():
        if not line.startswith("|") or line.startswith("|---"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows.append(cells)
    return rows


def _enum_members(type_: str) -> list[str]:
    m = re.fullmatch(r"enum\(([^)]*)\)", type_)
    return [x.strip() for x in m.group(1).split(",")] if m else []


def _parse_sources(text: str) -> dict[str, dict[str, Field]]:
    out: dict[str, dict[str, Field]] = {}
    parts = re.split(r"^### `(\w+)`.*$", text, flags=re.M)
    for source, body in zip(parts[1::2], parts[2::2]):
        body = body.split("\n### ")[0]
        fields: dict[str, Field] = {}
        for cells in _table_rows(body):
            if cells[0] == "field" or len(cells) < 4:
                continue
            name, cell, type_, ro = cells[0], cells[1], cells[2], cells[3]
            enum = _enum_members(type_)
            base_type = "enum" if enum else type_.split()[0]
            headers, printed, extras = _parse_cell(source, name, cell, base_type, enum)
            blank = re.search(r"\(blank = (\w+)\)", ro)
            f = Field(source, name, headers, base_type, enum, ro.startswith("R"), line="| " + " | ".join(cells) + " |")
            if blank:
                f.blank_value = int(blank.group(1)) if blank.group(1).isdigit() else blank.group(1)
            _canonical_values(f, printed, extras)
            fields[name] = f
        out[source] = fields
    return out


def _parse_national(text: str, dossiers: dict[str, Field]) -> tuple[dict[str, list[str]], dict[str, list[tuple[str, str]]]]:
    para = re.search(r"national synchronisation interface's own field names must load as they are:\n(.*?)\n\n", text, re.S)
    names: dict[str, list[str]] = {}
    for group, fname in re.findall(r"([A-Za-z][A-Za-z /]*?)\s*\((\w+)\)", para.group(1).replace("\n", " ")):
        names.setdefault(fname, []).extend(n.strip() for n in group.split(" / "))
    coded = re.search(r"Coded values from the national synchronisation interface must be accepted as well as words:\n(.*?)`submitted`", text, re.S)
    block = coded.group(1).replace("\n", " ")
    codes: dict[str, list[tuple[str, str]]] = {}
    channel = re.search(r"channel (.*?);", block).group(1)
    members = dossiers["channel"].enum
    for i, (code, word) in enumerate(re.findall(r"`(\d+)` (\w+)", channel)):
        canon = word if word in members else CODE_WORDS.get(word, members[i])
        codes.setdefault("channel", []).append((code, canon))
    level = re.search(r"online level (.*?);", block).group(1)
    for code, word in re.findall(r"`(\d+)`(?: or blank)? (\w+)", level):
        codes.setdefault("online_service_level", []).append((code, word))
    status = re.search(r"status `1`–`10` \((.*)\)\.", block).group(1)
    for piece in re.split(r",\s*", status):
        left, arrow, right = piece.partition("→")
        numbers = re.findall(r"\b(\d+)\b", left)
        canon = right.strip() if arrow else left.split(maxsplit=1)[1].strip()
        for n in numbers:
            codes.setdefault("status", []).append((n, canon))
    return names, codes


def _formats_row(text: str, trait: str) -> str:
    for cells in _table_rows(text.split("## Sources and canonical fields")[0]):
        if cells[0] == trait:
            return cells[1]
    raise AssertionError(f"formats table has no {trait!r} row")


def _expand_optional(pattern: str) -> list[str]:
    m = re.search(r"\[([^\[\]]*)\]", pattern)
    if not m:
        return [" ".join(pattern.split())]
    return _expand_optional(pattern[: m.start()] + pattern[m.end():]) + _expand_optional(pattern[: m.start()] + m.group(1) + pattern[m.end():])


def _parse_dates(cell: str) -> list[str]:
    out = []
    if "ISO 8601" in cell:
        for sep in re.findall(r"with `(\w)` or a (space)", cell)[0]:
            s = "T" if sep == "T" else " "
            out += [f"%Y-%m-%d{s}%H:%M:%S", f"%Y-%m-%d{s}%H:%M", "%Y-%m-%d"]
    for pat in re.findall(r"`([dmyHMS/\-: \[\]]+)`", cell):
        for p in _expand_optional(pat):
            p = p.replace("dd", "%d").replace("mm", "%m").replace("yyyy", "%Y").replace("HH", "%H").replace("MM", "%M").replace("SS", "%S")
            out.append(p)
    if "Excel serial" in cell:
        out.append("excel_serial")
    if "date cells" in cell:
        out.append("date_cell")
    return list(dict.fromkeys(out))


def _parse_numbers(cell: str) -> list[tuple[str, float]]:
    out = []
    for example in re.findall(r"`([^`]+)`", cell):
        if re.fullmatch(r"\d{1,3}(\.\d{3})+", example):
            out.append((example, float(example.replace(".", ""))))
        elif re.fullmatch(r"\d+,\d+", example):
            out.append((example, float(example.replace(",", "."))))
        elif re.fullmatch(r"\d+%", example):
            out.append((example, float(example[:-1])))
        else:
            raise AssertionError(f"number example {example!r} not understood")
    return out


def _parse_bools(cell: str) -> list[tuple[str, bool | None]]:
    out: list[tuple[str, bool | None]] = []
    for yes, no in re.findall(r"`([^`/]+)`/blank|`([^`]+)`", cell) and []:
        pass
    for m in re.finditer(r"`([^`]+)`(/blank)?", cell):
        if m.group(2):
            out.append((m.group(1), True))
            out.append(("", False))
        else:
            yes, no = m.group(1).split("/")
            out += [(yes, True), (no, False)]
    return out


def _parse_holiday_kinds(text: str) -> tuple[list[list[str]], list[str]]:
    bullet = re.search(r"- `holidays`: .*?kind \((.*?)\)", text, re.S).group(1).replace("\n", " ")
    kinds_part, _, rule = bullet.partition(";")
    kinds = [[en, vi.strip()] for en, vi in re.findall(r"`([^`]+)` / ([^,;]+)", kinds_part)]
    separators = re.findall(r"`([^`])`", rule) + ([" "] if "spaces" in rule else [])
    return kinds, separators


def load_contract(path: Path = CONTRACT_PATH) -> Contract:
    text = path.read_text(encoding="utf-8")
    fields = _parse_sources(text)
    names, codes = _parse_national(text, fields["dossiers"])
    return Contract(
        fields=fields, national_names=names, codes=codes,
        bools=_parse_bools(_formats_row(text, "booleans")),
        date_formats=_parse_dates(_formats_row(text, "dates")),
        number_formats=_parse_numbers(_formats_row(text, "numbers")),
        holiday_kinds=_parse_holiday_kinds(text)[0], holiday_kind_separators=_parse_holiday_kinds(text)[1],
    )


REFERENCE_TS = dt.datetime(2024, 1, 7, 9, 5, 3)
