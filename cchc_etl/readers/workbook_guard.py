"""Spreadsheet bombs: what an XLSX/XLSM package may declare before any parser touches it.

A workbook is a zip of XML parts, and the parsers hold what it declares in memory: calamine
allocates every cell of a sheet's extent (32 bytes each: one cell at XFD1048576 is 512 GiB),
the text of every part it reads, and openpyxl an object per style. The package is looked at
with the standard library first, reading only its central directory and the first bytes of each
sheet: sizes, compression ratios, the style sheet and shared strings, and each sheet's extent
(declared in ``<dimension ref=…>``, and for a small sheet the cells actually present). What
passes is parsed in a worker process under a memory budget (``readers.sandbox``), which catches
whatever slips through.

The limits accept any real export: Excel's largest sheet (1,048,576 rows × 30 columns) is about
1.5 GB of sheet XML compressed 10-30 times; a month of 3 million rows is three such sheets.
"""

from __future__ import annotations

import os
import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import unescape

from cchc_etl import settings
from cchc_etl.readers.base import FileRefused

GiB, MiB, KiB = 1 << 30, 1 << 20, 1 << 10

# a package: parts, all of them uncompressed, one part's compression ratio (checked for parts of
# at least RATIO_FLOOR: a small part may be as repetitive as it likes)
MAX_PARTS = 10_000
MAX_DIRECTORY = 16 * MiB  # the zip's central directory (zipfile holds an object per entry)
MAX_UNCOMPRESSED = 8 * GiB
MAX_RATIO = 100  # sheet XML compresses 10-30 times; deflate's ceiling (a bomb) is about 1,030
RATIO_FLOOR = 32 * MiB
MAX_STYLES = 16 * MiB  # about 200,000 cell formats; Excel itself allows 64,000
MAX_SHARED_STRINGS = 1 * GiB
MAX_PACKAGE_PART = 64 * MiB  # workbook.xml and its relationships, read whole here
# a sheet's extent: Excel's grid, cells of the bounding box (calamine allocates each), and cells
# per byte of sheet XML once the extent is large (a real sheet writes its cells)
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_CELLS = MAX_ROWS * 128
DENSE_FLOOR = 1 << 24
MAX_CELLS_PER_BYTE = 64
HEAD_BYTES = 64 * KiB  # where <dimension> is (it comes before <sheetData>)
SCAN_BYTES = HEAD_BYTES  # sheets up to this size are scanned for the cells they hold before parsing (~1 ms)
DIAGNOSE_BYTES = 64 * MiB  # and, after a read ran out of memory, sheets up to this size


@dataclass(frozen=True)
class Limits:
    max_uncompressed: int
    max_ratio: float
    max_cells: int
    max_columns: int


def limits() -> Limits:
    """The module's limits, each overridable by ``CCHC_WORKBOOK_<NAME>`` (``MAX_UNCOMPRESSED=16GiB``)."""
    def get(setting: settings.Setting, default):
        value = setting.get()
        return default if value is None else value

    return Limits(max_uncompressed=get(settings.WORKBOOK_MAX_UNCOMPRESSED, MAX_UNCOMPRESSED),
                  max_ratio=get(settings.WORKBOOK_MAX_RATIO, MAX_RATIO), max_cells=get(settings.WORKBOOK_MAX_CELLS, MAX_CELLS),
                  max_columns=get(settings.WORKBOOK_MAX_COLUMNS, MAX_COLUMNS))


# --------------------------------------------------------------------------- numbers in messages


def vn_int(n: int | float) -> str:
    return f"{n:,.0f}".replace(",", ".")


def en_int(n: int | float) -> str:
    return f"{n:,.0f}"


def size_text(n: int, vn: bool) -> str:
    """Bytes in the largest binary unit, one decimal (Vietnamese: decimal comma)."""
    for unit, scale in (("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
        if n >= scale:
            text = f"{n / scale:.1f}".removesuffix(".0")
            return f"{text.replace('.', ',') if vn else text} {unit}"
    return f"{n} byte" if vn else f"{n} bytes"


def _both(vi: str, en: str) -> str:
    return f"{vi} / {en}"


# --------------------------------------------------------------------------- cell references

_REF = re.compile(r"\$?([A-Za-z]{1,7})\$?([0-9]{1,10})")


def column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _parse_range(ref: str) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """``A1:XFD1048576`` -> ((1, 1), (1048576, 16384)) as (row, column), 1-based; None if unreadable."""
    ends = [_REF.fullmatch(p.strip()) for p in ref.split(":")]
    if not 1 <= len(ends) <= 2 or not all(ends):
        return None
    cells = [(int(m.group(2)), column_number(m.group(1))) for m in ends]
    first, last = cells[0], cells[-1]
    return (min(first[0], last[0]), min(first[1], last[1])), (max(first[0], last[0]), max(first[1], last[1]))


def _ref_text(first: tuple[int, int], last: tuple[int, int]) -> str:
    a = f"{column_letters(first[1])}{first[0]}"
    b = f"{column_letters(last[1])}{last[0]}"
    return a if a == b else f"{a}:{b}"


@dataclass(frozen=True)
class Extent:
    first: tuple[int, int]  # (row, column), 1-based
    last: tuple[int, int]

    @property
    def cells(self) -> int:
        return (self.last[0] - self.first[0] + 1) * (self.last[1] - self.first[1] + 1)

    @property
    def ref(self) -> str:
        return _ref_text(self.first, self.last)


_TOKEN = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_R_ATTR = re.compile(rb"""\sr\s*=\s*["']\$?([A-Za-z]{0,7})\$?([0-9]{0,10})["']""")


def cells_present(xml: bytes) -> Extent | None:
    """The bounding box of the cells a sheet's XML holds, as calamine places them: a cell
    without ``r`` follows the previous one, a row without ``r`` the previous row; a cell with no
    content (``<c r="…" s="1"/>``, a formatted empty cell) holds nothing."""
    row, col = 0, 0
    low_r = low_c = 1 << 62
    high_r = high_c = 0
    for token in _TOKEN.finditer(xml):
        kind, attrs = token.group(1), token.group(2)
        ref = _R_ATTR.search(attrs)
        if kind == b"row":
            row = int(ref.group(2)) if ref and ref.group(2) else row + 1
            col = 0
            continue
        if ref and ref.group(1) and ref.group(2):
            r, col = int(ref.group(2)), column_number(ref.group(1).decode())
        else:
            r, col = row, col + 1
        if attrs.endswith(b"/"):
            continue
        low_r, high_r = min(low_r, r), max(high_r, r)
        low_c, high_c = min(low_c, col), max(high_c, col)
    if not high_r:
        return None
    return Extent((low_r, low_c), (high_r, high_c))


def extent_problem(sheet: str, extent: Extent, xml_bytes: int, declared: bool, lim: Limits) -> str | None:
    """Why a sheet's extent cannot be read, or None."""
    vi_kind, en_kind = ("vùng khai báo", "declared extent") if declared else ("vùng có dữ liệu", "extent of its cells")
    head_vi = f"trang {sheet!r}: {vi_kind} {extent.ref}"
    head_en = f"sheet {sheet!r}: {en_kind} {extent.ref}"
    row, col = extent.last
    if row > MAX_ROWS or col > lim.max_columns:
        return _both(f"{head_vi} vượt quá {vn_int(MAX_ROWS)} dòng × {vn_int(lim.max_columns)} cột",
                     f"{head_en} goes beyond {en_int(MAX_ROWS)} rows × {en_int(lim.max_columns)} columns")
    cells = extent.cells
    if cells > lim.max_cells:
        return _both(f"{head_vi} có {vn_int(cells)} ô, vượt giới hạn {vn_int(lim.max_cells)} ô",
                     f"{head_en} spans {en_int(cells)} cells, over the limit of {en_int(lim.max_cells)}")
    if cells > DENSE_FLOOR and cells > MAX_CELLS_PER_BYTE * xml_bytes:
        return _both(f"{head_vi} có {vn_int(cells)} ô mà XML của trang chỉ có {size_text(xml_bytes, True)} "
                     f"(quá {MAX_CELLS_PER_BYTE} ô mỗi byte)",
                     f"{head_en} spans {en_int(cells)} cells in only {size_text(xml_bytes, False)} of sheet XML "
                     f"(over {MAX_CELLS_PER_BYTE} cells per byte)")
    return None


# --------------------------------------------------------------------------- the package

_DIMENSION = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*?\bref\s*=\s*["']([^"']*)["']""")
_SHEET = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet\b([^>]*)>")
_RELATIONSHIP = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Relationship\b([^>]*)>")


def _attr(attrs: bytes, name: bytes) -> str | None:
    found = re.search(rb"(?:^|\s)(?:[A-Za-z_][\w.-]*:)?" + name + rb"""\s*=\s*["']([^"']*)["']""", attrs)
    return found.group(1).decode("utf-8", "replace") if found else None


def _central_directory_size(path: Path) -> int | None:
    """The central directory's size from the end record (ZIP64 too), before zipfile reads it."""
    with path.open("rb") as fh:
        size = fh.seek(0, os.SEEK_END)
        tail_len = min(size, 22 + 65_535 + 20)
        fh.seek(size - tail_len)
        tail = fh.read(tail_len)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return None
    entries, cd_size = struct.unpack("<10xHL6x", tail[at:at + 22])
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF:
        locator = tail[at - 20:at] if at >= 20 else b""
        if locator[:4] == b"PK\x06\x07":
            (offset,) = struct.unpack("<8xQ4x", locator)
            with path.open("rb") as fh:
                fh.seek(offset)
                record = fh.read(56)
            if record[:4] == b"PK\x06\x06" and len(record) == 56:
                return struct.unpack("<40xQ8x", record)[0]
    return cd_size


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes | None:
    """At most ``cap`` bytes of a part (a part may expand past what it declares); None if the
    standard library cannot read it (encrypted, an unknown compression): the parser decides."""
    try:
        with archive.open(info) as stream:
            return stream.read(cap)
    except Exception:  # zlib.error, BadZipFile, RuntimeError (encrypted), NotImplementedError, ...
        return None


def _sheet_parts(archive: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo]) -> list[tuple[str, zipfile.ZipInfo]]:
    """(sheet name, part) of every worksheet: through the workbook and its relationships, else
    every part under ``xl/worksheets/`` named by its path."""
    named: list[tuple[str, zipfile.ZipInfo]] = []
    book = next((infos[n] for n in infos if n.lower() == "xl/workbook.xml"), None)
    rels = next((infos[n] for n in infos if n.lower() == "xl/_rels/workbook.xml.rels"), None)
    if book is not None and rels is not None and book.file_size <= MAX_PACKAGE_PART and rels.file_size <= MAX_PACKAGE_PART:
        book_xml = _read_capped(archive, book, MAX_PACKAGE_PART) or b""
        rels_xml = _read_capped(archive, rels, MAX_PACKAGE_PART) or b""
        targets = {}
        for m in _RELATIONSHIP.finditer(rels_xml):
            rid, target = _attr(m.group(1), b"Id"), _attr(m.group(1), b"Target")
            if rid and target:
                part = target.lstrip("/") if target.startswith("/") else os.path.normpath("xl/" + target).replace(os.sep, "/")
                targets[rid] = part.lower()
        lowered = {n.lower(): i for n, i in infos.items()}
        for m in _SHEET.finditer(book_xml):
            name, rid = _attr(m.group(1), b"name"), _attr(m.group(1), b"id")
            info = lowered.get(targets.get(rid or "", ""))
            if name is not None and info is not None:
                named.append((unescape(name, {"&quot;": '"', "&apos;": "'"}).replace("\x00", ""), info))
    seen = {info.filename for _, info in named}
    for n, info in infos.items():
        if re.fullmatch(r"xl/worksheets/[^/]+\.xml", n, re.I) and n not in seen:
            named.append((n, info))
    return named


def inspect_workbook(path: Path, lim: Limits | None = None) -> None:
    """Refuse (``FileRefused``) a workbook package whose sizes, ratios or sheet extents no real
    export has. A file that is no zip at all (a legacy .xls, a corrupt file) is left to the parser."""
    lim = lim or limits()
    try:
        if not zipfile.is_zipfile(path):
            return
        directory = _central_directory_size(path)
    except OSError:
        return
    if directory is not None and directory > MAX_DIRECTORY:
        raise FileRefused(path, _both(f"danh mục của gói zip {size_text(directory, True)}, vượt giới hạn {size_text(MAX_DIRECTORY, True)}",
                                      f"the zip's central directory is {size_text(directory, False)}, over the limit of {size_text(MAX_DIRECTORY, False)}"))
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise FileRefused(path, _both(f"gói có {vn_int(len(parts))} phần, vượt giới hạn {vn_int(MAX_PARTS)}",
                                          f"the package has {en_int(len(parts))} parts, over the limit of {en_int(MAX_PARTS)}"))
        total = sum(p.file_size for p in parts)
        if total > lim.max_uncompressed:
            raise FileRefused(path, _both(
                f"giải nén ra {size_text(total, True)}, vượt giới hạn {size_text(lim.max_uncompressed, True)}",
                f"it uncompresses to {size_text(total, False)}, over the limit of {size_text(lim.max_uncompressed, False)}"))
        for p in parts:
            lower = p.filename.lower()
            for suffix, limit, vi, en in (("styles.xml", MAX_STYLES, "bảng kiểu dáng", "the style sheet"),
                                          ("sharedstrings.xml", MAX_SHARED_STRINGS, "bảng chuỗi dùng chung", "the shared strings")):
                if lower.startswith("xl/") and lower.endswith(suffix) and p.file_size > limit:
                    raise FileRefused(path, _both(
                        f"{vi} {p.filename} giải nén ra {size_text(p.file_size, True)}, vượt giới hạn {size_text(limit, True)}",
                        f"{en} {p.filename} uncompresses to {size_text(p.file_size, False)}, over the limit of {size_text(limit, False)}"))
            ratio = p.file_size / max(p.compress_size, 1)
            if p.file_size >= RATIO_FLOOR and ratio > lim.max_ratio:
                raise FileRefused(path, _both(
                    f"bom nén: phần {p.filename} nở {vn_int(ratio)} lần ({size_text(p.compress_size, True)} thành "
                    f"{size_text(p.file_size, True)}), giới hạn {vn_int(lim.max_ratio)} lần",
                    f"zip bomb: part {p.filename} expands {en_int(ratio)} times ({size_text(p.compress_size, False)} to "
                    f"{size_text(p.file_size, False)}), limit {en_int(lim.max_ratio)} times"))
        infos = {p.filename: p for p in parts}
        for sheet, info in _sheet_parts(archive, infos):
            head = _read_capped(archive, info, HEAD_BYTES)
            if head is None:
                continue
            declared = _DIMENSION.search(head)
            bounds = _parse_range(declared.group(1).decode("ascii", "replace")) if declared else None
            if bounds is not None:
                problem = extent_problem(sheet, Extent(*bounds), info.file_size, True, lim)
                if problem:
                    raise FileRefused(path, problem)
            if info.file_size <= SCAN_BYTES:
                xml = head if info.file_size <= len(head) else _read_capped(archive, info, SCAN_BYTES + 1)
                extent = cells_present(xml) if xml is not None and len(xml) <= SCAN_BYTES else None
                problem = extent and extent_problem(sheet, extent, info.file_size, False, lim)
                if problem:
                    raise FileRefused(path, problem)


def far_cells(path: Path, lim: Limits | None = None) -> str | None:
    """After a read ran out of memory: the sheet whose cells span an extent no budget holds, if
    a sheet small enough to scan has one (``DIAGNOSE_BYTES``)."""
    lim = lim or limits()
    try:
        with zipfile.ZipFile(path) as archive:
            infos = {p.filename: p for p in archive.infolist()}
            for sheet, info in _sheet_parts(archive, infos):
                if info.file_size > DIAGNOSE_BYTES:
                    continue
                xml = _read_capped(archive, info, DIAGNOSE_BYTES + 1)
                extent = cells_present(xml) if xml is not None and len(xml) <= DIAGNOSE_BYTES else None
                problem = extent and extent_problem(sheet, extent, info.file_size, False, lim)
                if problem:
                    return problem
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return None
    return None
