"""Parquet: typed columns are turned into the same text shape as the other containers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cchc_etl.contract import SourceSpec
from cchc_etl.readers.base import EMPTY_FILE, FileRefused, RawData, match_header, numeric_positions

VN_TZ = "Asia/Ho_Chi_Minh"

if TYPE_CHECKING:  # imported where used (see readers.base)
    import pyarrow as pa


def _exponent_form(text: pa.ChunkedArray) -> pa.ChunkedArray:
    """Non-integral numbers of a number field as ``1.125e0`` (see readers.base._number_text)."""
    import pyarrow.compute as pc

    plain = pc.invert(pc.match_substring(text, "e", ignore_case=True))
    return pc.if_else(pc.and_(plain, pc.match_substring(text, ".")), pc.binary_join_element_wise(text, "e0", ""), text)


def _as_text(column: pa.ChunkedArray, numeric: bool = False) -> pa.ChunkedArray:
    import pyarrow as pa
    import pyarrow.compute as pc

    if numeric and (pa.types.is_floating(column.type) or pa.types.is_decimal(column.type)):
        return _exponent_form(_as_text(column))
    if pa.types.is_timestamp(column.type):
        if column.type.tz is not None:
            # a zoned timestamp is an instant: Vietnam wall time; a naive one is already local
            column = column.cast(pa.timestamp(column.type.unit, tz=VN_TZ))
        return pc.strftime(column, format="%Y-%m-%dT%H:%M:%S")
    if pa.types.is_date(column.type):
        return pc.strftime(column, format="%Y-%m-%d")
    if pa.types.is_floating(column.type):
        # 12.0 -> "12" like a spreadsheet cell, other floats keep their decimals
        as_int = pc.cast(column, pa.int64(), safe=False)
        whole = pc.equal(pc.cast(as_int, column.type), column)
        return pc.if_else(whole, pc.cast(as_int, pa.string()), pc.cast(column, pa.string()))
    return pc.cast(column, pa.string())


def read_parquet(path: Path, spec: SourceSpec, *, profile=None) -> RawData:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if path.stat().st_size == 0:
        raise FileRefused(path, EMPTY_FILE)
    try:
        table = pq.read_table(path)
    except Exception as exc:
        raise FileRefused(path, f"cannot read parquet: {exc}") from exc
    names = list(table.column_names)
    match = match_header([names], spec, path, profile)  # no physical header row: rows are 1..n
    numeric = numeric_positions(spec, match.mapping)
    columns = {f"c{i}": _as_text(table.column(i), i in numeric) for i in range(len(names))}
    columns["_row_number"] = pa.array(range(1, table.num_rows + 1), pa.int64())
    raw = RawData(
        path=path, container="parquet", encoding=None, header_row=0, headers=match.headers,
        mapping=match.mapping, extras=match.extras, n_columns=len(names),
        rows_physical=table.num_rows, table=pa.table(columns),
    )
    raw.sheets = [{"sheet": None, "read": True, "header_row": 0, "header_choices": match.choices}]
    raw.profile_arrow_text()
    return raw
