"""CSV in UTF-8 (with or without BOM), UTF-16 (Excel "Unicode text") or Windows-1258.

Fast path: DuckDB's parallel CSV scanner reads the (UTF-8) file with the header row and
delimiter we detected. DuckDB drops empty lines, which would shift row numbers, so the fast
path is used only when the scanner's record count matches the physical line count; otherwise
(blank lines, quoted line breaks, ragged rows) the exact Python ``csv`` path takes over.
"""

from __future__ import annotations

import codecs
import csv
import os
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from cchc_etl.contract import SourceSpec
from cchc_etl.readers.base import CELL_LIMIT, EMPTY_FILE, HEADER_SCAN_ROWS, FileRefused, RawData, match_header, rows_to_arrow
from cchc_etl.readers.literal import literal_path

CHUNK = 8 << 20
DELIMITERS = [",", ";", "\t", "|"]
# Python's csv parser refuses a cell over its field limit (131,072 characters by default) with
# "field larger than field limit": raised to 16 MiB characters; a file with a longer cell is
# refused with its line. Cells over base.CELL_LIMIT bytes quarantine their row (the exact path;
# the fast path cannot hold one: DuckDB's max_line_size is the same figure).
FIELD_LIMIT = 16 << 20


# what a file named .csv may really be: said in the refusal
SIGNATURES = ((b"PK\x03\x04", "ZIP / XLSX"), (b"\x1f\x8b", "gzip"), (b"\xd0\xcf\x11\xe0", "OLE2 / XLS"), (b"%PDF", "PDF"),
              (b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"PAR1", "Parquet"), (b"7z\xbc\xaf", "7z"), (b"Rar!", "RAR"))
# control bytes no text export writes (tab, line feed, carriage return and NUL are left out: a
# NUL in a cell is removed, not a reason to refuse)
CONTROL_BYTES = bytes([*range(1, 9), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
# a Vietnamese letter of U+1EA0..U+1EFF in UTF-8 (most toned letters): E1 BA/BB xx, a sequence
# Windows-1258 text does not produce ("á»…")
UTF8_VIETNAMESE = re.compile(rb"\xe1[\xba\xbb][\x80-\xbf]")


def detect_encoding(path: Path) -> str:
    """BOM, then UTF-16 by NUL bytes, then strict UTF-8 over the whole file, else Windows-1258.
    A binary file (a known signature, or control bytes in its first 4 KiB) and a file that is
    partly UTF-8 and partly not are refused."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16"  # Excel "Unicode text": little-endian with BOM, read by DuckDB natively
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be"
    if head:
        even_nuls = head[0::2].count(0)
        odd_nuls = head[1::2].count(0)
        half = len(head) / 2
        if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
            return "utf-16-le"
        if even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
            return "utf-16-be"
    _refuse_binary(path, head)
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0  # of the data given to the decoder, which keeps an unfinished character back
    data = b""
    try:
        with path.open("rb") as fh:
            while data := fh.read(CHUNK):
                decoder.decode(data)
                offset += len(data)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        _refuse_mixed(path, offset - (len(exc.object) - len(data)) + exc.start)
        return "cp1258"
    return "utf-8"


def _refuse_binary(path: Path, head: bytes) -> None:
    kind = next((name for magic, name in SIGNATURES if head.startswith(magic)), None)
    controls = len(head) - len(head.translate(None, CONTROL_BYTES))
    if kind is None and (controls <= max(8, len(head) // 100) or _utf8_text(head)):
        return  # UTF-8 text with control characters in its cells is text: its rows are read
    what = kind or f"{controls} byte điều khiển trong {len(head)} byte đầu"
    what_en = kind or f"{controls} control bytes in its first {len(head)}"
    raise FileRefused(path, f"tệp nhị phân ({what}), không phải văn bản CSV / a binary file ({what_en}), not CSV text")


def _utf8_text(head: bytes) -> bool:
    """Whether the bytes decode as UTF-8 (a character cut at the end of the sample allowed)."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.reason == "unexpected end of data"
    return True


def _refuse_mixed(path: Path, bad: int) -> None:
    """``bad``: the offset of the first byte that is not UTF-8. A UTF-8 Vietnamese letter anywhere
    in the file then means two encodings in one file: refused with a line of each, never decoded
    as one of them (as Windows-1258, the UTF-8 part would load as "Mã há»“ sÆ¡")."""
    utf8_at, position, tail = None, 0, b""
    with path.open("rb") as fh:
        while data := fh.read(CHUNK):
            found = UTF8_VIETNAMESE.search(tail + data)
            if found:
                utf8_at = position - len(tail) + found.start()
                break
            position += len(data)
            tail = data[-2:]
    if utf8_at is None:
        return
    utf8_line, other_line = _line_of(path, utf8_at), _line_of(path, bad)
    raise FileRefused(path, f"tệp trộn hai bảng mã: dòng {utf8_line} là UTF-8, dòng {other_line} không phải UTF-8 "
                            f"(Windows-1258?); hãy xuất lại tệp bằng một bảng mã / mixed encodings: line {utf8_line} is "
                            f"UTF-8, line {other_line} is not (Windows-1258?); export the file again in one encoding")


def _line_of(path: Path, offset: int) -> int:
    lines, position = 1, 0
    with path.open("rb") as fh:
        while position < offset and (data := fh.read(min(CHUNK, offset - position))):
            lines += data.count(b"\n")
            position += len(data)
    return lines


def _transcode(path: Path, encoding: str, workdir: Path | None) -> Path:
    """Stream-decode into a UTF-8 temp file (DuckDB's scanner reads UTF-8 only), without NUL
    characters (text never carries one; PostgreSQL refuses them)."""
    fd, name = tempfile.mkstemp(suffix=".csv", dir=workdir)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as src, open(fd, "wb", closefd=True) as dst:
            while chunk := src.read(CHUNK):
                dst.write(decoder.decode(chunk).replace("\x00", "").encode("utf-8"))
            dst.write(decoder.decode(b"", final=True).replace("\x00", "").encode("utf-8"))
    except UnicodeDecodeError as exc:
        Path(name).unlink(missing_ok=True)
        raise FileRefused(path, f"cannot decode as {encoding}: byte {exc.start} ({exc.reason})") from exc
    return Path(name)


def _trim_chars(delim: str, *, quote: bool, tab: bool, nbsp: bool, cr: bool) -> str:
    """The TRIM_CHARS a cell of this file's fast path can start or end with: those present in
    the file at all, the delimiter only inside quotes. A line feed cannot be in a cell there (a
    quoted line break makes DuckDB's record count differ from the line count, and the exact
    path takes over); a carriage return only if one does not end a line (``cr``: DuckDB strips
    the CR of a CRLF line end)."""
    present = ((" ", True), ("\t", tab and (quote or delim != "\t")), ("\r", cr), ("\xa0", nbsp))
    return "".join(c for c, yes in present if yes)


PRESENCE_UTF8 = (b'"', b"\t", b"\r", b"\xc2", b"\xcc", b"\xcd", b"\x00")
PRESENCE_UTF16 = (b'"', b"\t", b"\r", b"\xa0")  # low bytes (little-endian)


def _chunk_stats(piece: bytes, width: int, presence: tuple[bytes, ...]) -> tuple[int, int, int, bool, frozenset]:
    """(line feeds, carriage returns, CR LF pairs, combining marks, bytes present) of one piece of
    the file; ``piece`` carries one unit of the next piece so that a CR LF pair split between two
    reads is seen (counts stop before the extra unit). Its length is a multiple of ``width``."""
    u = np.frombuffer(piece, dtype="<u2" if width == 2 else np.uint8)
    own = u[: CHUNK // width]
    lines = int(np.count_nonzero(own == 0x0A))
    found = frozenset(b for b in presence if b in piece)  # the extra unit is the next piece's too: no harm
    crs = pairs = 0
    if b"\r" in found:
        crs = int(np.count_nonzero(own == 0x0D))
        pairs = int(np.count_nonzero((u[:-1] == 0x0D) & (u[1:] == 0x0A))) if crs else 0
    combining = width == 2 and bool(np.any((own - 0x300) < 0x70))  # U+0300..U+036F (uint16 wraps)
    if width == 2 and bool(np.any(own == 0)):
        found = found | {b"\x00\x00"}  # a NUL character (the low byte alone says nothing in UTF-16)
    return lines, crs, pairs, combining, found


def _scan(path: Path, width: int, presence: tuple[bytes, ...]) -> tuple[int, int, int, bool, frozenset, bool]:
    """Line feeds, carriage returns, CR LF pairs, combining marks (UTF-16 only: UTF-8 finds their
    lead bytes by presence), the presence bytes found, and whether the last line is unterminated:
    CHUNK-sized reads on a thread pool (``pread`` and numpy release the GIL, so a large file is
    scanned on every core)."""
    with path.open("rb") as fh:
        fd = fh.fileno()
        size = os.fstat(fd).st_size // width * width
        offsets = range(0, size, CHUNK)  # CHUNK is even: units never straddle two reads

        def one(offset: int):
            return _chunk_stats(os.pread(fd, min(CHUNK + width, size - offset), offset), width, presence)

        if len(offsets) < 2:
            stats = [one(o) for o in offsets]
        else:
            with ThreadPoolExecutor(min(len(offsets), os.cpu_count() or 1)) as pool:
                stats = list(pool.map(one, offsets))
        lf = b"\n" + b"\x00" * (width - 1)
        last = os.pread(fd, width, size - width) if size else lf  # an empty file has no open line
    return (sum(s[0] for s in stats), sum(s[1] for s in stats), sum(s[2] for s in stats), any(s[3] for s in stats),
            frozenset().union(*(s[4] for s in stats)), last != lf)


def _line_stats(path: Path, delim: str) -> tuple[int, bool, str, bool]:
    """(physical lines, has combining marks, trim characters present, has a NUL) of a UTF-8 file: numpy
    byte comparisons for the counts (several times faster than ``bytes.count``), memchr for
    presence (0xC2: lead byte of U+0080..U+00BF, the no-break space among them; 0xCC/0xCD: of
    the combining marks U+0300..U+036F).

    Empty lines and quoted line breaks need no search here: DuckDB's record count then differs
    from the line count and the loader takes the exact path.
    """
    lines, crs, pairs, _, found, open_end = _scan(path, 1, PRESENCE_UTF8)
    return lines + open_end, b"\xcc" in found or b"\xcd" in found, _trim_chars(
        delim, quote=b'"' in found, tab=b"\t" in found, nbsp=b"\xc2" in found, cr=crs != pairs), b"\x00" in found


def _line_stats_utf16(path: Path, delim: str) -> tuple[int, bool, str, bool]:
    """(physical lines, has combining marks, trim characters present, has a NUL) of a UTF-16-LE file,
    counted on 16-bit units. Presence is tested by memchr on the low byte: a match inside
    another unit only makes the cleaning test one more character (never misses one)."""
    lines, crs, pairs, combining, found, open_end = _scan(path, 2, PRESENCE_UTF16)
    return lines + open_end, combining, _trim_chars(
        delim, quote=b'"' in found, tab=b"\t" in found, nbsp=b"\xa0" in found, cr=crs != pairs), b"\x00\x00" in found


def _sniff(text_head: str, spec: SourceSpec, path: Path, profile) -> tuple[str, int, object]:
    """Pick the delimiter whose split yields the best header match."""
    lines = text_head.replace("\x00", "").splitlines()[:HEADER_SCAN_ROWS]
    best = None
    errors = []
    for delim in DELIMITERS:
        rows = list(csv.reader(lines, delimiter=delim))
        try:
            match = match_header(rows, spec, path, profile)
        except FileRefused as exc:
            errors.append(exc)
            continue
        score = len(match.mapping)
        if best is None or score > best[0]:
            best = (score, delim, match)
    if best is None:
        raise errors[0]
    return best[1], best[2].row_index, best[2]


def read_csv(path: Path, spec: SourceSpec, *, profile=None, workdir: Path | None = None) -> RawData:
    if path.stat().st_size == 0:
        raise FileRefused(path, EMPTY_FILE)
    encoding = detect_encoding(path)
    cleanup: list[Path] = []
    utf8_path = path
    if encoding == "utf-16":
        # DuckDB decodes UTF-16-LE itself; sniff the head here and count lines on 16-bit units.
        # (Its UTF-16 scan runs on one thread, but transcoding to UTF-8 first for the parallel
        # scanner measured slower still: 0.9 s to transcode 1M rows against 0.5 s gained.)
        with path.open("r", encoding="utf-16", newline="") as fh:
            head = fh.read(1 << 16)
        delim, header_index, match = _sniff(head, spec, path, profile)
        lines, has_combining, trim_chars, nul = _line_stats_utf16(path, delim)
        duck_encoding = "utf-16"
        if nul:  # NUL characters: a UTF-8 copy without them
            utf8_path = _transcode(path, encoding, workdir)
            cleanup.append(utf8_path)
            lines, has_combining, trim_chars, _ = _line_stats(utf8_path, delim)
            duck_encoding = "utf-8"
    else:
        if encoding not in ("utf-8", "utf-8-sig"):
            utf8_path = _transcode(path, encoding, workdir)
            cleanup.append(utf8_path)
        with utf8_path.open("r", encoding="utf-8-sig", newline="") as fh:
            head = fh.read(1 << 16)
        delim, header_index, match = _sniff(head, spec, path, profile)
        lines, has_combining, trim_chars, nul = _line_stats(utf8_path, delim)
        if nul:  # NUL bytes (never text; PostgreSQL refuses them): a copy without them
            utf8_path = _transcode(utf8_path, "utf-8-sig", workdir)
            cleanup.append(utf8_path)
            lines, has_combining, trim_chars, _ = _line_stats(utf8_path, delim)
        duck_encoding = "utf-8"
    n_columns = len(match.headers)
    raw = RawData(
        path=path, container="csv", encoding=encoding, header_row=header_index + 1,
        headers=match.headers, mapping=match.mapping, extras=dict(match.extras),
        n_columns=n_columns, rows_physical=0, cleanup=cleanup,
        sheets=[{"sheet": None, "read": True, "header_row": header_index + 1, "header_rows": match.header_rows,
                 "header_choices": match.choices}],
    )
    if n_columns > 0:
        types = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n_columns))
        # DuckDB expands glob characters in a path: a file named ``x-0[1].csv`` must not read ``x-01.csv``
        quoted = str(literal_path(utf8_path, cleanup, workdir)).replace("'", "''")
        delim_sql = delim.replace("'", "''")
        raw.sql = (
            f"read_csv('{quoted}', delim='{delim_sql}', quote='\"', escape='\"', header=false, "
            f"skip={header_index + 1}, columns={{{types}}}, null_padding=true, max_line_size={CELL_LIMIT}, "
            f"auto_detect=false, encoding='{duck_encoding}')"
        )
        # DuckDB drops empty lines and rejects ragged rows: the loader compares its record count
        # with the physical line count and switches to the exact path when they differ
        raw.rows_physical = lines
        raw.first_row_number = header_index + 2
        raw.needs_nfc = has_combining
        raw.trim_chars = trim_chars
        raw.fallback = lambda: _exact(path, utf8_path, delim, header_index, match, encoding, cleanup, duck_encoding)
        return raw
    return _exact(path, utf8_path, delim, header_index, match, encoding, cleanup, duck_encoding)


def _exact(path: Path, text_path: Path, delim: str, header_index: int, match, encoding: str, cleanup: list[Path],
           text_encoding: str = "utf-8") -> RawData:
    n_columns = len(match.headers)
    raw = RawData(
        path=path, container="csv", encoding=encoding, header_row=header_index + 1,
        headers=match.headers, mapping=match.mapping, extras=dict(match.extras),
        n_columns=n_columns, rows_physical=0, cleanup=cleanup,
        sheets=[{"sheet": None, "read": True, "header_row": header_index + 1, "header_rows": match.header_rows,
                 "header_choices": match.choices}],
    )
    # exact path: Python's csv module keeps blank lines and quoted line breaks as records
    csv.field_size_limit(FIELD_LIMIT)
    with text_path.open("r", encoding="utf-8-sig" if text_encoding == "utf-8" else text_encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=delim)
        try:
            records = list(reader)
        except csv.Error as exc:
            raise FileRefused(path, f"không đọc được dòng {reader.line_num} / cannot read line {reader.line_num}: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise FileRefused(path, f"không giải mã được theo {text_encoding} / cannot decode as {text_encoding}: {exc.reason}") from exc
    data = records[header_index + 1 :]
    width = max([n_columns, *(len(r) for r in data)]) if data else n_columns
    for pos in range(n_columns, width):
        raw.extras[pos] = f"column_{pos + 1}"
    raw.n_columns = width
    raw.rows_physical = len(records)
    raw.table = rows_to_arrow(data, header_index + 2, width)
    raw.profile_arrow_text()
    raw.notes.append("exact csv path (blank lines, quoted line breaks or ragged rows)")
    return raw
