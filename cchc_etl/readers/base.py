"""The canonical raw shape every reader returns, and header-row detection."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from cchc_etl.contract import SourceSpec
from cchc_etl.text import header_key, nfc

if TYPE_CHECKING:  # imported where used: a CSV read through DuckDB needs no Arrow
    import pyarrow as pa

HEADER_SCAN_ROWS = 30
# what a cell is trimmed of: space, tab, line feed, carriage return, no-break space (Excel)
TRIM_CHARS = " \t\n\r\xa0"
# a cell longer than this (UTF-8 bytes) quarantines its row; it is kept cut to CELL_SHOWN
# characters in the quarantine's raw values
CELL_LIMIT = 2 << 20
CELL_SHOWN = 200


EMPTY_FILE = "tệp rỗng (0 byte) / empty file (0 bytes)"


class Percent(float):
    """A spreadsheet number shown with a percent format: 0.98 displayed as 98 % means 98."""


class FileRefused(Exception):
    """A file that cannot be read at all: corrupt, no header, a required column missing."""

    def __init__(self, path: Path | str, problem: str):
        self.path = str(path)
        self.problem = problem.replace("\x00", "")  # a message quoting a hostile cell goes to PostgreSQL too
        super().__init__(f"{path}: {self.problem}")


@dataclass
class HeaderMatch:
    row_index: int  # 0-based index of the header row among the rows scanned
    mapping: dict[int, str]  # column position -> canonical field
    extras: dict[int, str]  # column position -> original header text (unknown columns)
    headers: list[str]
    # fields that several columns matched: {"field", "column" (the header chosen), "over" (the others)}
    choices: list[dict] = field(default_factory=list)
    header_rows: int = 1  # 2 when a group row above the sub-headers was combined with them


@dataclass
class RawData:
    """Data rows as text columns c0..cN with ``_row_number``; either a DuckDB SQL relation or Arrow."""

    path: Path
    container: str
    encoding: str | None
    header_row: int  # 1-based physical row of the (last) header row; rows above it are titles
    headers: list[str]
    mapping: dict[int, str]
    extras: dict[int, str]
    n_columns: int
    rows_physical: int  # every physical row/record of the file, titles and header included
    sql: str | None = None  # DuckDB relation yielding c0..cN in file order (CSV fast path)
    table: pa.Table | None = None  # or Arrow: c0..cN + _row_number
    first_row_number: int = 1  # physical row of the first data row (for ``sql``)
    fallback: Callable[[], RawData] | None = None  # exact reader if the fast path's count disagrees
    needs_nfc: bool = True  # False when the reader saw no combining marks anywhere in the file
    # the TRIM_CHARS that occur in the file at all (a cheap byte scan), so that cleaning tests
    # only for those; per column where the reader knows (Arrow), else for the whole file
    trim_chars: str = TRIM_CHARS
    column_trim_chars: dict[int, str] | None = None
    column_needs_nfc: dict[int, bool] | None = None
    notes: list[str] = field(default_factory=list)
    cleanup: list[Path] = field(default_factory=list)
    # title and header rows of every sheet read (a workbook read sheet by sheet); else header_row
    head_rows: int | None = None
    # the table carries ``_sheet`` (workbooks): row numbers are per sheet
    sheet_column: bool = False
    # per sheet (one entry without a name for CSV / Parquet): read or not and why, header row,
    # header choices; written to quality.file_log.sheets
    sheets: list[dict] = field(default_factory=list)
    # the table carries ``_long_column`` / ``_long_bytes``: a cell over CELL_LIMIT (see staging)
    long_cells: bool = False

    @property
    def skipped_head(self) -> int:
        return self.header_row if self.head_rows is None else self.head_rows

    @property
    def data_rows(self) -> int:
        return self.rows_physical - self.skipped_head

    def trim_chars_for(self, pos: int) -> str:
        if self.column_trim_chars is not None and pos in self.column_trim_chars:
            return self.column_trim_chars[pos]
        return self.trim_chars

    def needs_nfc_for(self, pos: int) -> bool:
        if self.column_needs_nfc is not None and pos in self.column_needs_nfc:
            return self.column_needs_nfc[pos]
        return self.needs_nfc

    def profile_arrow_text(self) -> None:
        """Per column of ``table``: which trim characters and whether combining marks occur, from
        the string data buffers (a memchr-speed scan; a sliced array may over-report, never miss).
        NUL characters are removed from the text (no export means one; PostgreSQL refuses them) and
        cells over CELL_LIMIT are marked (``mark_long_cells``)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        trim: dict[int, str] = {}
        combining: dict[int, bool] = {}
        for pos in range(self.n_columns):
            column = self.table.column(f"c{pos}")
            if any(chunk.type == pa.string() and chunk.buffers()[2] is not None
                   and np.any(np.frombuffer(chunk.buffers()[2], dtype=np.uint8) == 0) for chunk in column.chunks):
                column = pc.replace_substring(column, "\x00", "")
                self.table = self.table.set_column(pos, f"c{pos}", column)
            found: set[int] = set()
            marks = False
            for chunk in column.chunks:
                data = chunk.buffers()[2] if chunk.type == pa.string() else None
                if data is None:
                    found.update(b" \t\n\r\xa0")
                    marks = True
                    continue
                u = np.frombuffer(data, dtype=np.uint8)
                found.update(int(b) for b in (0x20, 0x09, 0x0A, 0x0D) if np.any(u == b))
                if np.any(u == 0xC2):  # lead byte of U+0080..U+00BF, no-break space among them
                    found.add(0xA0)
                marks = marks or bool(np.any((u == 0xCC) | (u == 0xCD)))  # U+0300..U+036F lead bytes
            trim[pos] = "".join(c for c in TRIM_CHARS if ord(c) in found)
            combining[pos] = marks
        self.column_trim_chars = trim
        self.column_needs_nfc = combining
        self.mark_long_cells()

    def mark_long_cells(self, limit: int = CELL_LIMIT) -> None:
        """Rows with a cell over ``limit`` UTF-8 bytes get ``_long_column`` (the first such column's
        header) and ``_long_bytes`` (its length): staging quarantines them. The cell is cut to
        CELL_SHOWN characters so that the quarantine stays readable. Offsets only: no data is read
        unless a cell is that long."""
        import pyarrow as pa
        import pyarrow.compute as pc

        n = self.table.num_rows
        which = pa.nulls(n, pa.string())
        size = pa.nulls(n, pa.int64())
        found = False
        for pos in reversed(range(self.n_columns)):  # the leftmost long cell is named
            column = self.table.column(f"c{pos}")
            lengths = pc.binary_length(column)
            if n == 0 or (pc.max(lengths).as_py() or 0) <= limit:
                continue
            found = True
            over = pc.fill_null(pc.greater(lengths, limit), False)
            header = self.headers[pos] if pos < len(self.headers) and self.headers[pos] else self.extras.get(pos, f"column_{pos + 1}")
            which = pc.if_else(over, pa.scalar(header, pa.string()), which)
            size = pc.if_else(over, pc.cast(lengths, pa.int64()), size)
            cut = pc.binary_join_element_wise(pc.utf8_slice_codeunits(column, 0, CELL_SHOWN), "…", "")
            self.table = self.table.set_column(pos, f"c{pos}", pc.if_else(over, cut, column))
        if found:
            self.table = self.table.append_column("_long_column", which).append_column("_long_bytes", size)
            self.long_cells = True


def alias_ranks(spec: SourceSpec, profile: dict[str, str] | None = None) -> dict[str, int]:
    """Folded header spelling -> its rank among the spellings of its field (lower is better): a
    system profile's spelling first, then the canonical name, then the aliases in the order the
    contract lists them (codes and identifiers before names and row numbers)."""
    index = spec.alias_index(profile)
    ranks: dict[str, int] = {}
    for f in spec.fields:
        for rank, spelling in enumerate((f.name, *f.aliases)):
            folded = header_key(spelling)
            if index.get(folded) == f.name:
                ranks.setdefault(folded, rank)
    for header in profile or {}:
        ranks[header_key(header)] = -1
    return ranks


def _combine(upper: list, lower: list, index: dict[str, str]) -> list:
    """Two header rows as one: a sub-header that names a field (under a merged group cell such as
    ``Thời gian``) wins over the cell above it; a plain header merged over both rows is kept."""
    out = []
    for pos in range(max(len(upper), len(lower))):
        u = upper[pos] if pos < len(upper) else None
        l_ = lower[pos] if pos < len(lower) else None
        u = None if u in (None, "") else u
        l_ = None if l_ in (None, "") else l_
        if l_ is not None and header_key(str(l_)) in index:
            out.append(l_)
        elif u is not None and header_key(str(u)) in index:
            out.append(u)
        else:
            out.append(l_ if l_ is not None else u)
    return out


_COLUMN_NUMBER = re.compile(r"\(?([0-9]{1,3})\)?")


def _is_column_numbers(row: list) -> bool:
    """The row of column numbers official forms print under their header: at least three cells,
    each a number, optionally in parentheses ("(1)", "2", 3.0), strictly increasing."""
    numbers = []
    for cell in row:
        if cell in (None, ""):
            continue
        text = str(int(cell)) if isinstance(cell, float) and cell.is_integer() else str(cell).strip()
        found = _COLUMN_NUMBER.fullmatch(text)
        if found is None:
            return False
        numbers.append(int(found.group(1)))
    return len(numbers) >= 3 and all(a < b for a, b in zip(numbers, numbers[1:]))


def match_header(rows: list[list[str]], spec: SourceSpec, path: Path, profile: dict[str, str] | None = None) -> HeaderMatch:
    """Find the header row among the first rows by matching known column names; a header may span
    two rows (a merged group cell above its sub-headers)."""
    index = spec.alias_index(profile)

    def fields_of(row) -> set[str]:
        return {index[f] for f in (header_key(str(c).replace("\x00", "")) for c in row if c not in (None, "")) if f in index}

    best: tuple[int, int] | None = None  # (matches, row_index)
    scanned = rows[:HEADER_SCAN_ROWS]
    for i, row in enumerate(scanned):
        matched = fields_of(row)
        if len(matched) >= 2 and (best is None or len(matched) > best[0]):
            best = (len(matched), i)
    if best is None:
        raise FileRefused(
            path,
            f"no header row found in the first {HEADER_SCAN_ROWS} rows: no row names at least two "
            f"known {spec.source} columns (e.g. {', '.join(spec.required[:3])})",
        )
    row_index = best[1]
    header_cells = list(rows[row_index])
    header_rows = 1
    # a two-row header: the best row with the row below or above, when together they name more
    # fields; the header then ends at the lower row
    for upper_i in (row_index, row_index - 1):
        if upper_i < 0 or upper_i + 1 >= len(scanned):
            continue
        combined = _combine(list(rows[upper_i]), list(rows[upper_i + 1]), index)
        if len(fields_of(combined)) > best[0]:
            header_cells, header_rows, row_index = combined, 2, upper_i + 1
            break
    if row_index + 1 < len(rows) and _is_column_numbers(rows[row_index + 1]):
        # official forms number their columns under the header: (1) (2) (3) ... is part of it
        row_index, header_rows = row_index + 1, header_rows + 1
    headers = [nfc(str(c).replace("\x00", "")).strip() if c not in (None, "") else "" for c in header_cells]
    ranks = alias_ranks(spec, profile)
    candidates: dict[str, list[int]] = {}
    for pos, header in enumerate(headers):
        name = index.get(header_key(header)) if header else None
        if name:
            candidates.setdefault(name, []).append(pos)
    chosen: dict[int, str] = {}
    choices: list[dict] = []
    for name, positions in candidates.items():
        # the best-ranked spelling wins; between equal spellings, the leftmost column
        win = min(positions, key=lambda p: (ranks.get(header_key(headers[p]), 1 << 20), p))
        chosen[win] = name
        if len(positions) > 1:
            choices.append({"field": name, "column": headers[win], "over": [headers[p] for p in positions if p != win]})
    mapping: dict[int, str] = {}
    extras: dict[int, str] = {}
    for pos, header in enumerate(headers):
        if pos in chosen:
            mapping[pos] = chosen[pos]
        elif header:
            extras[pos] = header
        # an unnamed column with no header is kept only if it carries data (see staging)
        else:
            extras[pos] = f"column_{pos + 1}"
    missing = [f for f in spec.required if f not in candidates]
    if missing:
        raise FileRefused(
            path,
            f"header row {row_index + 1}: required column(s) missing: {', '.join(missing)} "
            f"(found: {', '.join(h for h in headers if h) or 'nothing'})",
        )
    return HeaderMatch(row_index=row_index, mapping=mapping, extras=extras, headers=headers, choices=choices,
                       header_rows=header_rows)


def _number_text(value: float, *, numeric: bool, percent: bool) -> str:
    """A typed non-integral (or percent) number as text. For number fields the text is in
    exponent form (``1.125e0``): the text conventions of cchc_num (``1.214`` = 1214) cannot match
    it and DuckDB's cast reads it exactly. Other columns get the plain decimal (``1.125``)."""
    import decimal

    d = decimal.Decimal(repr(value))
    if percent:
        d = d * 100  # decimal arithmetic: 0.9689 -> 96.89 with no float noise
    if d == d.to_integral_value() and abs(d) < 10**17:
        text = str(int(d))
    else:
        text = format(d.normalize(), "f") if abs(d.adjusted()) < 17 else repr(float(d))
        if numeric and "e" not in text.lower():
            text += "e0"
    return text + "%" if percent and not numeric else text


def cell_text(value: object, numeric: bool = False) -> str | None:
    """Typed spreadsheet cell -> text the SQL parsers understand (ISO dates, plain numbers).
    ``numeric``: the column is a number field (see ``_number_text``)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Percent):
        if value != value:
            return None
        return _number_text(float(value), numeric=numeric, percent=True)
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        if value.is_integer() and abs(value) < 1e17:
            return str(int(value))
        if value in (float("inf"), float("-inf")):
            return repr(value)
        return _number_text(value, numeric=numeric, percent=False)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep="T", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.timedelta):
        return str(value.total_seconds() / 86400)
    return str(value)


def _text_array(values, numeric: bool = False) -> pa.Array:
    """One column of cells as Arrow text: all-text columns convert in C; a column with typed cells
    (numbers, dates, booleans from a spreadsheet) goes through ``cell_text`` cell by cell. Empty
    strings stay: cleaning turns them into NULL in SQL."""
    import pyarrow as pa

    try:
        return pa.array(values, pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid, TypeError):
        return pa.array([v if type(v) is str else cell_text(v, numeric) for v in values], pa.string())


def rows_to_arrow(rows: list[list[object]], first_row_number: int, n_columns: int,
                  numeric: set[int] | frozenset[int] = frozenset()) -> pa.Table:
    """Data rows (text or typed cells) -> Arrow table c0..cN + _row_number; ``numeric``: positions
    of number fields (typed non-integral numbers there get the exponent form)."""
    import pyarrow as pa

    if rows and n_columns and all(len(r) == n_columns for r in rows):
        # rectangular (calamine pads rows): one C-level copy into a 2-D object array, whose
        # column views pyarrow converts faster than tuples from zip(*rows)
        cells = np.empty((len(rows), n_columns), dtype=object)
        cells[:] = rows
        columns = {f"c{i}": _text_array(cells[:, i], i in numeric) for i in range(n_columns)}
    else:
        columns = {f"c{i}": _text_array([r[i] if i < len(r) else None for r in rows], i in numeric) for i in range(n_columns)}
    columns["_row_number"] = pa.array(range(first_row_number, first_row_number + len(rows)), pa.int64())
    return pa.table(columns)


def numeric_positions(spec: SourceSpec, mapping: dict[int, str]) -> set[int]:
    """Columns of number fields: typed numbers there keep their value (see ``_number_text``)."""
    return {pos for pos, name in mapping.items() if spec.field(name).type in ("num", "int")}
