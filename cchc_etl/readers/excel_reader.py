"""XLSX and XLS through python-calamine (Rust), with title rows above the header."""

from __future__ import annotations

from pathlib import Path

import importlib
import re
import sys
import threading
import zipfile

from python_calamine import CalamineWorkbook

from cchc_etl.contract import SourceSpec
from cchc_etl.readers.legacy import cell_to_unicode, column_encodings_from_xlsx, convert, legacy_encoding_for_font
from cchc_etl.readers.base import HEADER_SCAN_ROWS, FileRefused, RawData, cell_text, match_header, rows_to_arrow


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


def read_excel(path: Path, spec: SourceSpec, *, profile=None) -> RawData:
    _warm_pandas()
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for corrupt files
        raise FileRefused(path, f"cannot open workbook: {exc}") from exc
    refusal: FileRefused | None = None
    for sheet_name in workbook.sheet_names:
        try:
            rows = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        except Exception as exc:
            refusal = FileRefused(path, f"sheet {sheet_name!r}: cannot read: {exc}")
            continue
        legacy = path.suffix.lower() != ".xls" and _has_legacy_fonts(path)
        head = [_row_text(r) for r in rows[:HEADER_SCAN_ROWS]]
        if legacy:
            head = _decode_head(path, sheet_name, head)
        try:
            match = match_header(head, spec, path, profile)
        except FileRefused as exc:
            refusal = refusal or FileRefused(path, f"sheet {sheet_name!r}: {exc.problem}")
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
        text_rows = rows
        width = max([len(match.headers), *(len(r) for r in data)]) if data else len(match.headers)
        extras = dict(match.extras)
        for pos in range(len(match.headers), width):
            extras[pos] = f"column_{pos + 1}"
        raw = RawData(
            path=path, container=path.suffix.lower().lstrip("."), encoding=None,
            header_row=match.row_index + 1, headers=match.headers, mapping=match.mapping,
            extras=extras, n_columns=width, rows_physical=len(text_rows),
            table=rows_to_arrow(data, match.row_index + 2, width),
        )
        raw.profile_arrow_text()
        raw.notes.extend(notes)
        if len(workbook.sheet_names) > 1:
            raw.notes.append(f"sheet {sheet_name!r}")
        return raw
    raise refusal or FileRefused(path, "workbook has no sheets")
