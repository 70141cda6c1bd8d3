"""XLSX and XLS through python-calamine (Rust), with title rows above the header.

A workbook is inspected before any parser touches it (``workbook_guard``) and parsed in a worker
process under a memory budget (``sandbox``); the worker hands its Arrow table back as an IPC file
that this process maps without copying.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import sys
import tempfile
import threading
import zipfile
from pathlib import Path

from python_calamine import CalamineWorkbook

import cchc_etl.readers.sandbox as sandbox
from cchc_etl import settings
from cchc_etl.contract import SourceSpec
from cchc_etl.readers.base import (
    EMPTY_FILE,
    HEADER_SCAN_ROWS,
    FileRefused,
    Percent,
    RawData,
    cell_text,
    match_header,
    numeric_positions,
    rows_to_arrow,
)
from cchc_etl.readers.legacy import cell_to_unicode, column_encodings_from_xlsx, convert, legacy_encoding_for_font
from cchc_etl.readers.workbook_guard import column_letters, far_cells, inspect_workbook, size_text
from cchc_etl.text import nfc


def _has_legacy_fonts(path: Path) -> bool:
    """Cheap guard: does the workbook's style sheet name any TCVN3 or VNI font at all?"""
    try:
        with zipfile.ZipFile(path) as archive:
            styles = archive.read("xl/styles.xml").decode("utf-8", errors="replace")
    except (KeyError, zipfile.BadZipFile, OSError):
        return False
    return any(legacy_encoding_for_font(name) for name in re.findall(r'<(?:\w+:)?name val="([^"]*)"', styles))


def _decode_head(path: Path, sheet_name: str, head: list[list]) -> list[list]:
    """Title and header rows with legacy-font cells decoded cell by cell (openpyxl sees fonts)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        ws = wb[sheet_name]
        for r, row in enumerate(ws.iter_rows(min_row=1, max_row=len(head))):
            for c, cell in enumerate(row):
                if c < len(head[r]) and isinstance(cell.value, str):
                    head[r][c] = cell_to_unicode(cell) or None
    finally:
        wb.close()
    return head


def _row_text(row: list) -> list:
    # most cells are non-empty text: keep them as they are; calamine's "" is a missing cell
    return [v if type(v) is str and v else (None if type(v) is str else cell_text(v)) for v in row]


def _warm_pandas() -> None:
    """pyarrow imports pandas (0.3-0.4 s) on its first conversion of Python values, which
    ``rows_to_arrow`` will make; start that import now, on a thread, while calamine parses."""
    if "pandas" not in sys.modules:
        threading.Thread(target=importlib.import_module, args=("pandas",), daemon=True, name="pandas-import").start()


def _percent_styles_xlsx(path: Path) -> bool:
    """Does the style sheet hold a percent number format that a cell style uses (built-in ids 9
    and 10, or a custom format with ``%`` outside quotes)? Only then are cell formats read."""
    try:
        with zipfile.ZipFile(path) as archive:
            styles = archive.read("xl/styles.xml").decode("utf-8", errors="replace")
    except (KeyError, zipfile.BadZipFile, OSError):
        return False
    percent_ids = {9, 10}
    for num_id, code in re.findall(r'<(?:\w+:)?numFmt\b[^>]*?numFmtId="(\d+)"[^>]*?formatCode="([^"]*)"', styles):
        if "%" in re.sub(r'&quot;.*?&quot;|"[^"]*"|\\.', "", code):
            percent_ids.add(int(num_id))
    xfs = re.search(r"<(?:\w+:)?cellXfs\b.*?</(?:\w+:)?cellXfs>", styles, re.S)
    used = {int(i) for i in re.findall(r'numFmtId="(\d+)"', xfs.group(0))} if xfs else set()
    return bool(used & percent_ids)


def _percent_cells_xlsx(path: Path, sheet_name: str, first_row: int) -> list[tuple[int, int]]:
    """(0-based row, 0-based column) of numeric cells with a percent format, from ``first_row``
    (1-based) down: openpyxl in read-only mode sees each cell's number format."""
    import openpyxl

    found = []
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        ws = wb[sheet_name]
        for row in ws.iter_rows(min_row=first_row):
            for cell in row:
                value = getattr(cell, "value", None)
                if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in (cell.number_format or ""):
                    found.append((cell.row - 1, cell.column - 1))
    finally:
        wb.close()
    return found


def _percent_cells_xls(path: Path, sheet_name: str, first_row: int) -> list[tuple[int, int]]:
    """The same for a legacy .xls workbook, through xlrd's formatting information."""
    try:
        import xlrd
    except ImportError:  # pragma: no cover - xlrd is a dependency
        return []
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except Exception:
        return []
    try:
        percent_keys = {k for k, f in book.format_map.items() if "%" in re.sub(r'"[^"]*"|\\.', "", f.format_str or "")}
        percent_xf = {i for i, xf in enumerate(book.xf_list) if xf.format_key in percent_keys and not xf.is_style}
        if not percent_xf:
            return []
        sheet = book.sheet_by_name(sheet_name)
        found = []
        for r in range(first_row - 1, sheet.nrows):
            for c in range(sheet.row_len(r)):
                if sheet.cell_type(r, c) == xlrd.XL_CELL_NUMBER and sheet.cell_xf_index(r, c) in percent_xf:
                    found.append((r, c))
        return found
    finally:
        book.release_resources()


def _sheet_entry(name: str, read: bool, **info) -> dict:
    return {"sheet": nfc(name.replace("\x00", "")), "read": read, **info}


def read_excel(path: Path, spec: SourceSpec, *, profile=None, workdir: Path | None = None) -> RawData:
    """Every sheet whose header matches the source is read; the sheets are brought to the first
    read sheet's column layout and carry ``_sheet``; row numbers are per sheet. The package is
    inspected first, then parsed in the worker process under the memory budget."""
    import pyarrow as pa

    if path.stat().st_size == 0:
        raise FileRefused(path, EMPTY_FILE)
    inspect_workbook(path)
    outdir = Path(tempfile.mkdtemp(prefix="workbook-", dir=workdir))
    try:
        budget = sandbox.memory_budget()
        outcome = sandbox.call(f"{__name__}:_read_into", (str(path), spec, profile, str(outdir)), outdir, budget)
        if outcome.kind == "ok":
            raw = outcome.value
            raw.path = path
            # mapped, not read: the file may go, the mapping stays while the table lives
            raw.table = pa.ipc.open_file(pa.memory_map(str(outdir / "table.arrow"))).read_all()
            return raw
        if settings.debug() and (outdir / "stderr").exists():
            sys.stderr.write((outdir / "stderr").read_text("utf-8", "replace"))
        raise FileRefused(path, _failure(path, outcome, budget))
    finally:
        shutil.rmtree(outdir, ignore_errors=True)


def _failure(path: Path, outcome: sandbox.Outcome, budget: int) -> str:
    """The worker's failed read as the file's refusal reason."""
    if outcome.kind == "refused":
        return outcome.value
    if outcome.kind == "memory":
        vi = f"không đọc được trong giới hạn bộ nhớ {size_text(budget, True)} ({sandbox.MEMORY_ENV})"
        en = f"cannot be read within the memory budget of {size_text(budget, False)} ({sandbox.MEMORY_ENV})"
        if isinstance(outcome.value, int) and outcome.value > budget:  # one allocation past the budget: say so
            vi += f"; trình đọc xin {size_text(outcome.value, True)} một lần"
            en += f"; the parser asked for {size_text(outcome.value, False)} at once"
        text = f"{vi} / {en}"
        far = far_cells(path)
        return f"{text}; {far}" if far else text
    if outcome.kind == "died":
        return (f"trình đọc bảng tính dừng bất thường ({outcome.value}) / "
                f"the spreadsheet parser stopped abnormally ({outcome.value})")
    return f"không đọc được tệp / cannot read the file: {outcome.value}"


def _read_into(path: str, spec: SourceSpec, profile, outdir: str) -> RawData:
    """In the worker: the workbook read, its table written to ``outdir/table.arrow``."""
    import pyarrow as pa

    raw = read_excel_here(Path(path), spec, profile=profile)
    with pa.OSFile(os.path.join(outdir, "table.arrow"), "wb") as sink, pa.ipc.new_file(sink, raw.table.schema) as writer:
        writer.write_table(raw.table)
    raw.table = None
    return raw


_PACKAGE = {
    "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
    "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="warm" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>',
    "xl/styles.xml": '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2">'
    '<font><name val="Calibri"/></font><font><name val=".VnTime"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="3"><xf/>'
    '<xf numFmtId="10" applyNumberFormat="1"/><xf fontId="1" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
}


def warm_up() -> None:
    """Read a tiny workbook once (calamine, header matching, legacy fonts and percent formats
    through openpyxl, Arrow conversion and IPC): what a process initialises on its first read,
    done before the sandbox's server forks, so that no worker pays it (about 1 s each)."""
    from xml.sax.saxutils import escape

    from cchc_etl.contract import load_source

    spec = load_source("dossiers")
    header = [f.name for f in spec.fields]

    def row(r: int, values: list[str], style: str = "") -> str:
        cells = "".join(f'<c r="{column_letters(i)}{r}" t="inlineStr"{style}><is><t>{escape(v)}</t></is></c>'
                        for i, v in enumerate(values, 1))
        return f'<row r="{r}">{cells}</row>'

    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             + row(1, header) + row(2, ["x"] * len(header), ' s="2"')
             + '<row r="3"><c r="A3" s="1"><v>0.5</v></c></row></sheetData></worksheet>')
    with tempfile.TemporaryDirectory(prefix="cchc-warm-") as tmp:
        path = Path(tmp) / "warm.xlsx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, text in {**_PACKAGE, "xl/worksheets/sheet1.xml": sheet}.items():
                z.writestr(name, text)
        _read_into(str(path), spec, None, tmp)


def read_excel_here(path: Path, spec: SourceSpec, *, profile=None) -> RawData:
    """``read_excel`` in this process, with no inspection and no memory budget."""
    import pyarrow as pa

    _warm_pandas()
    if path.stat().st_size == 0:
        raise FileRefused(path, EMPTY_FILE)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for corrupt files
        raise FileRefused(path, f"cannot open workbook: {exc}") from exc
    xls = path.suffix.lower() == ".xls"
    legacy = not xls and _has_legacy_fonts(path)
    percent = (not xls and _percent_styles_xlsx(path)) or xls
    sheets: list[dict] = []
    parts: list[tuple[str, object, int, pa.Table, list[str]]] = []  # name, match, physical rows, table, notes
    for sheet_name in workbook.sheet_names:
        try:
            rows = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        except Exception as exc:
            sheets.append(_sheet_entry(sheet_name, False, reason=f"không đọc được trang / cannot read the sheet: {exc}"))
            continue
        if not any(v not in (None, "") for r in rows for v in r):
            sheets.append(_sheet_entry(sheet_name, False, reason="trang trống / empty sheet"))
            continue
        head = [_row_text(r) for r in rows[:HEADER_SCAN_ROWS]]
        if legacy:
            head = _decode_head(path, sheet_name, head)
        try:
            match = match_header(head, spec, path, profile)
        except FileRefused as exc:
            sheets.append(_sheet_entry(sheet_name, False, reason=f"tiêu đề không khớp / header does not match: {exc.problem}"))
            continue
        data = rows[match.row_index + 1 :]  # typed cells: rows_to_arrow converts them per column
        notes = []
        if legacy:
            # TCVN3 (.VnTime…) / VNI (VNI-Times…) text, decided per column from the cells' font
            encodings = column_encodings_from_xlsx(path, sheet_name, match.row_index + 1, len(match.headers))
            for pos, encoding in encodings.items():
                for row in data:
                    if pos < len(row) and type(row[pos]) is str and row[pos]:
                        row[pos] = convert(row[pos], encoding)
            notes = [f"legacy font text converted: {', '.join(f'{match.headers[p]} ({e})' for p, e in sorted(encodings.items()))}"] if encodings else []
        if percent and data:
            finder = _percent_cells_xls if xls else _percent_cells_xlsx
            first = match.row_index + 2
            for r, c in finder(path, sheet_name, first):
                i = r - (first - 1)
                if 0 <= i < len(data) and c < len(data[i]) and isinstance(data[i][c], (int, float)):
                    data[i][c] = Percent(data[i][c])
        width = max([len(match.headers), *(len(r) for r in data)]) if data else len(match.headers)
        table = rows_to_arrow(data, match.row_index + 2, width, numeric_positions(spec, match.mapping))
        parts.append((sheet_name, match, len(rows), table, notes))
        sheets.append(_sheet_entry(sheet_name, True, header_row=match.row_index + 1, header_rows=match.header_rows,
                                   rows=len(rows), header_choices=match.choices))
    if not parts:
        reasons = "; ".join(f"sheet {s['sheet']!r}: {s['reason']}" for s in sheets)
        raise FileRefused(path, reasons or "workbook has no sheets")
    raw = _combine_sheets(path, parts)
    raw.sheets = sheets
    raw.profile_arrow_text()
    return raw


def _combine_sheets(path: Path, parts) -> RawData:
    """One layout for all sheets read: the first sheet's columns, then any field or vendor column
    only a later sheet has; each sheet's columns are moved to their place (Arrow, no row loop)."""
    import pyarrow as pa

    _, first, _, first_table, _ = parts[0]
    layout: list[tuple[str, str]] = []  # per position: ("field", name) or ("extra", header)
    headers: list[str] = []
    placed_tables = []
    for sheet_name, match, _, table, _ in parts:
        width = table.num_columns - 1  # without _row_number
        used: set[int] = set()
        source_of: dict[int, int] = {}
        for pos in range(width):
            if pos in match.mapping:
                key = ("field", match.mapping[pos])
            else:
                header = match.headers[pos] if pos < len(match.headers) and match.headers[pos] else f"column_{pos + 1}"
                key = ("extra", header)
            target = next((j for j, k in enumerate(layout) if k == key and j not in used), None)
            if target is None:
                layout.append(key)
                headers.append(match.headers[pos] if pos < len(match.headers) else "")
                target = len(layout) - 1
            used.add(target)
            source_of[target] = pos
        placed_tables.append((sheet_name, table, source_of))
    n = len(layout)
    tables = []
    for sheet_name, table, source_of in placed_tables:
        columns = {
            f"c{j}": table.column(f"c{source_of[j]}") if j in source_of else pa.nulls(table.num_rows, pa.string())
            for j in range(n)
        }
        columns["_row_number"] = table.column("_row_number")
        columns["_sheet"] = pa.array([nfc(sheet_name.replace("\x00", ""))] * table.num_rows, pa.string())
        tables.append(pa.table(columns))
    combined = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
    mapping = {j: name for j, (kind, name) in enumerate(layout) if kind == "field"}
    extras = {j: name for j, (kind, name) in enumerate(layout) if kind == "extra"}
    raw = RawData(
        path=path, container=path.suffix.lower().lstrip("."), encoding=None,
        header_row=first.row_index + 1, headers=headers, mapping=mapping, extras=extras, n_columns=n,
        rows_physical=sum(p[2] for p in parts), table=combined,
        head_rows=sum(p[1].row_index + 1 for p in parts), sheet_column=True,
    )
    for sheet_name, _, _, _, notes in parts:
        raw.notes.extend(notes)
        if len(parts) > 1:
            raw.notes.append(f"sheet {sheet_name!r}")
    return raw
