"""XLSX and XLS through python-calamine (Rust), with title rows above the header."""

from __future__ import annotations

from pathlib import Path

from python_calamine import CalamineWorkbook

from cchc_etl.contract import SourceSpec
from cchc_etl.readers.base import FileRefused, RawData, cell_text, match_header, rows_to_arrow


def read_excel(path: Path, spec: SourceSpec, *, profile=None) -> RawData:
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
        text_rows = [[cell_text(v) for v in row] for row in rows]
        # calamine pads with "" for empty cells: treat them as missing
        text_rows = [[None if v == "" else v for v in row] for row in text_rows]
        try:
            match = match_header(text_rows, spec, path, profile)
        except FileRefused as exc:
            refusal = refusal or FileRefused(path, f"sheet {sheet_name!r}: {exc.problem}")
            continue
        data = text_rows[match.row_index + 1 :]
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
        if len(workbook.sheet_names) > 1:
            raw.notes.append(f"sheet {sheet_name!r}")
        return raw
    raise refusal or FileRefused(path, "workbook has no sheets")
