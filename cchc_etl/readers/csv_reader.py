"""CSV in UTF-8 (with or without BOM), UTF-16 (Excel "Unicode text") or Windows-1258.

Fast path: DuckDB's parallel CSV scanner reads the (UTF-8) file with the header row and
delimiter we detected. DuckDB drops empty lines, which would shift row numbers, so the fast
path is used only when the scanner's record count matches the physical line count; otherwise
(blank lines, quoted line breaks, ragged rows) the exact Python ``csv`` path takes over.
"""

from __future__ import annotations

import codecs
import csv

import numpy as np
import tempfile
from pathlib import Path

from cchc_etl.contract import SourceSpec
from cchc_etl.readers.base import HEADER_SCAN_ROWS, FileRefused, RawData, match_header, rows_to_arrow

CHUNK = 8 << 20
DELIMITERS = [",", ";", "\t", "|"]


def detect_encoding(path: Path) -> str:
    """BOM, then UTF-16 by NUL bytes, then strict UTF-8 over the whole file, else Windows-1258."""
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
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1258"
    return "utf-8"


def _transcode(path: Path, encoding: str, workdir: Path | None) -> Path:
    """Stream-decode into a UTF-8 temp file (DuckDB's scanner reads UTF-8 only)."""
    fd, name = tempfile.mkstemp(suffix=".csv", dir=workdir)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as src, open(fd, "wb", closefd=True) as dst:
            while chunk := src.read(CHUNK):
                dst.write(decoder.decode(chunk).encode("utf-8"))
            dst.write(decoder.decode(b"", final=True).encode("utf-8"))
    except UnicodeDecodeError as exc:
        Path(name).unlink(missing_ok=True)
        raise FileRefused(path, f"cannot decode as {encoding}: byte {exc.start} ({exc.reason})") from exc
    return Path(name)


def _has_combining(buf: bytes) -> bool:
    """Any combining diacritical mark U+0300..U+036F (UTF-8 lead bytes 0xCC, 0xCD): text NFC would change.

    memchr-speed ``find`` instead of a regex: neither lead byte occurs in precomposed Vietnamese.
    """
    return b"\xcc" in buf or b"\xcd" in buf


def _trim_chars(delim: str, *, quote: bool, tab: bool, nbsp: bool, cr: bool) -> str:
    """The TRIM_CHARS a cell of this file's fast path can start or end with: those present in
    the file at all, the delimiter only inside quotes. A line feed cannot be in a cell there (a
    quoted line break makes DuckDB's record count differ from the line count, and the exact
    path takes over); a carriage return only if one does not end a line (``cr``: DuckDB strips
    the CR of a CRLF line end)."""
    present = ((" ", True), ("\t", tab and (quote or delim != "\t")), ("\r", cr), ("\xa0", nbsp))
    return "".join(c for c, yes in present if yes)


def _line_stats(path: Path, delim: str) -> tuple[int, bool, str]:
    """(physical lines, has combining marks, trim characters present) of a UTF-8 file, in one
    streaming pass of numpy byte comparisons (several times faster than ``bytes.count``).

    Empty lines and quoted line breaks need no search here: DuckDB's record count then differs
    from the line count and the loader takes the exact path.
    """
    lines = 0
    combining = quote = tab = nbsp = cr = False
    last = b"\n"
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            u = np.frombuffer(chunk, dtype=np.uint8)
            lines += int(np.count_nonzero(u == 0x0A))
            combining = combining or _has_combining(chunk)
            quote = quote or b'"' in chunk
            tab = tab or b"\t" in chunk
            nbsp = nbsp or b"\xc2" in chunk  # lead byte of U+0080..U+00BF, the no-break space among them
            if not cr and b"\r" in chunk:  # a carriage return that does not end a line (or straddles two reads)
                cr = int(np.count_nonzero(u == 0x0D)) != int(np.count_nonzero((u[:-1] == 0x0D) & (u[1:] == 0x0A)))
            last = chunk
    if last and not last.endswith(b"\n"):
        lines += 1
    return lines, combining, _trim_chars(delim, quote=quote, tab=tab, nbsp=nbsp, cr=cr)


def _line_stats_utf16(path: Path, delim: str) -> tuple[int, bool, str]:
    """(physical lines, has combining marks, trim characters present) of a UTF-16-LE file,
    counted on 16-bit units."""
    lines = 0
    combining = quote = tab = nbsp = cr = False
    last_unit = 10
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):  # CHUNK is even: units never straddle two reads
            units = np.frombuffer(chunk[: len(chunk) // 2 * 2], dtype="<u2")
            lines += int(np.count_nonzero(units == 10))
            combining = combining or bool(np.any((units - 0x300) < 0x70))  # U+0300..U+036F (uint16 wraps)
            # presence by memchr on the low byte: a match inside another unit only makes the
            # cleaning test one more character (never misses one)
            quote = quote or b'"' in chunk
            tab = tab or b"\t" in chunk
            nbsp = nbsp or b"\xa0" in chunk
            if not cr and b"\r" in chunk and np.any(units == 0x0D):  # a carriage return that does not end a line
                cr = int(np.count_nonzero(units == 0x0D)) != int(np.count_nonzero((units[:-1] == 0x0D) & (units[1:] == 0x0A)))
            if len(units):
                last_unit = int(units[-1])
    if last_unit != 10:
        lines += 1
    return lines, combining, _trim_chars(delim, quote=quote, tab=tab, nbsp=nbsp, cr=cr)


def _sniff(text_head: str, spec: SourceSpec, path: Path, profile) -> tuple[str, int, object]:
    """Pick the delimiter whose split yields the best header match."""
    lines = text_head.splitlines()[:HEADER_SCAN_ROWS]
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
        raise FileRefused(path, "empty file")
    encoding = detect_encoding(path)
    cleanup: list[Path] = []
    utf8_path = path
    if encoding == "utf-16":
        # DuckDB decodes UTF-16-LE itself; sniff the head here and count lines on 16-bit units
        with path.open("r", encoding="utf-16", newline="") as fh:
            head = fh.read(1 << 16)
        delim, header_index, match = _sniff(head, spec, path, profile)
        lines, has_combining, trim_chars = _line_stats_utf16(path, delim)
        duck_encoding = "utf-16"
    else:
        if encoding not in ("utf-8", "utf-8-sig"):
            utf8_path = _transcode(path, encoding, workdir)
            cleanup.append(utf8_path)
        with utf8_path.open("r", encoding="utf-8-sig", newline="") as fh:
            head = fh.read(1 << 16)
        delim, header_index, match = _sniff(head, spec, path, profile)
        lines, has_combining, trim_chars = _line_stats(utf8_path, delim)
        duck_encoding = "utf-8"
    n_columns = len(match.headers)
    raw = RawData(
        path=path, container="csv", encoding=encoding, header_row=header_index + 1,
        headers=match.headers, mapping=match.mapping, extras=dict(match.extras),
        n_columns=n_columns, rows_physical=0, cleanup=cleanup,
    )
    if n_columns > 0:
        types = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n_columns))
        quoted = str(utf8_path).replace("'", "''")
        delim_sql = delim.replace("'", "''")
        raw.sql = (
            f"read_csv('{quoted}', delim='{delim_sql}', quote='\"', escape='\"', header=false, "
            f"skip={header_index + 1}, columns={{{types}}}, null_padding=true, "
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
    )
    # exact path: Python's csv module keeps blank lines and quoted line breaks as records
    with text_path.open("r", encoding="utf-8-sig" if text_encoding == "utf-8" else text_encoding, newline="") as fh:
        records = list(csv.reader(fh, delimiter=delim))
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
