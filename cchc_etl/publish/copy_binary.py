"""Arrow batches encoded to PostgreSQL's binary COPY format with numpy and pyarrow (no row-by-row
Python), and to CSV for column types the binary encoder does not cover."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# PostgreSQL type -> the DuckDB type the exported column is cast to (canonical Arrow type)
EXPORT_CAST = {
    "text": "VARCHAR", "varchar": "VARCHAR", "jsonb": "VARCHAR", "json": "VARCHAR", "int8": "BIGINT", "int4": "INTEGER",
    "int2": "SMALLINT", "float8": "DOUBLE", "date": "DATE", "timestamp": "TIMESTAMP", "timestamptz": "TIMESTAMPTZ",
    "bool": "BOOLEAN",
}

_PG_EPOCH_DAYS = 10_957  # 2000-01-01 - 1970-01-01
_PG_EPOCH_US = 946_684_800_000_000
_FIXED = {"date": (4, ">i4"), "int2": (2, ">i2"), "int4": (4, ">i4"), "int8": (8, ">i8"), "float8": (8, ">f8"),
          "bool": (1, "u1"), "timestamp": (8, ">i8"), "timestamptz": (8, ">i8")}
_VARLEN = ("text", "varchar", "jsonb", "json")
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
COPY_TRAILER = b"\xff\xff"


def binary_supported(pg_types: Sequence[str]) -> bool:
    return all(t in _FIXED or t in _VARLEN for t in pg_types)


def _binary_array(n: int, offsets: np.ndarray, data: np.ndarray) -> pa.Array:
    return pa.Array.from_buffers(pa.binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def _fixed_values(col: pa.Array, pg_type: str) -> np.ndarray:
    if pg_type == "date":
        return pc.cast(col, pa.date32()).cast(pa.int32()).fill_null(0).to_numpy() - np.int32(_PG_EPOCH_DAYS)
    if pg_type in ("timestamp", "timestamptz"):  # timestamptz: Arrow values are UTC already
        return pc.cast(col, pa.timestamp("us", tz=col.type.tz)).cast(pa.int64()).fill_null(0).to_numpy() - np.int64(_PG_EPOCH_US)
    if pg_type == "bool":
        return col.fill_null(False).to_numpy(zero_copy_only=False).astype(np.uint8)
    arrow_type = {"int2": pa.int16(), "int4": pa.int32(), "int8": pa.int64(), "float8": pa.float64()}[pg_type]
    return pc.cast(col, arrow_type).fill_null(0).to_numpy()


def _fixed_field(col: pa.Array, pg_type: str) -> pa.Array:
    """Per row: int32 length + big-endian value, or length -1 for NULL."""
    n = len(col)
    width, dtype = _FIXED[pg_type]
    values = np.ascontiguousarray(_fixed_values(col, pg_type).astype(dtype, copy=False)).view(np.uint8).reshape(n, width)
    if col.null_count == 0:
        buf = np.empty((n, 4 + width), np.uint8)
        buf[:, :4] = np.frombuffer(np.array([width], ">i4").tobytes(), np.uint8)
        buf[:, 4:] = values
        return _binary_array(n, np.arange(0, (n + 1) * (4 + width), 4 + width, dtype=np.int32), buf.reshape(-1))
    valid = col.is_valid().to_numpy(zero_copy_only=False)
    offsets = np.zeros(n + 1, np.int32)
    np.cumsum(np.where(valid, 4 + width, 4), out=offsets[1:])
    buf = np.empty(int(offsets[-1]), np.uint8)
    starts = offsets[:-1].astype(np.int64)
    buf[starts[:, None] + np.arange(4)] = np.where(valid, width, -1).astype(">i4").view(np.uint8).reshape(n, 4)
    at = starts[valid] + 4
    buf[at[:, None] + np.arange(width)] = values[valid]
    return _binary_array(n, offsets, buf)


def _length_words(lengths: np.ndarray) -> pa.Array:
    n = len(lengths)
    return _binary_array(n, np.arange(0, 4 * (n + 1), 4, dtype=np.int32), lengths.astype(">i4").view(np.uint8))


def _text_field(col: pa.Array, pg_type: str) -> pa.Array:
    """Per row: int32 length + UTF-8 bytes (jsonb: version byte 1 first), or -1 for NULL."""
    data = pc.cast(col, pa.binary())
    lengths = pc.binary_length(data).fill_null(-1).to_numpy().astype(np.int64)
    if pg_type == "jsonb":
        lengths = np.where(lengths >= 0, lengths + 1, -1)
        data = pc.binary_join_element_wise(pa.scalar(b"\x01", pa.binary()), data, b"")
    return pc.binary_join_element_wise(_length_words(lengths), data.fill_null(b""), b"")


def encode_binary(batch: pa.RecordBatch, pg_types: Sequence[str]) -> memoryview:
    """An Arrow batch as rows of PostgreSQL's binary COPY format (without file header/trailer).

    Columns must already have the Arrow type matching each PostgreSQL type (the export casts
    them in DuckDB). Vectorised: each field becomes a binary array (length word + value), and
    pyarrow joins the fields of each row; the joined array's data buffer is the COPY payload.
    """
    n = batch.num_rows
    if n == 0:
        return memoryview(b"")
    field_count = np.frombuffer(np.array([len(pg_types)], ">i2").tobytes(), np.uint8)
    fields = [_binary_array(n, np.arange(0, 2 * (n + 1), 2, dtype=np.int32), np.tile(field_count, n))]
    for col, pg_type in zip(batch.columns, pg_types):
        fields.append(_fixed_field(col, pg_type) if pg_type in _FIXED else _text_field(col, pg_type))
    rows = pc.binary_join_element_wise(*fields, b"")
    _, offsets, data = rows.buffers()
    bounds = np.frombuffer(offsets, np.int32, count=n + 1, offset=rows.offset * 4)
    return memoryview(data)[int(bounds[0]):int(bounds[-1])]


def encode_csv(batch: pa.RecordBatch) -> bytes:
    import io

    import pyarrow.csv as pacsv

    out = io.BytesIO()
    pacsv.write_csv(batch, out, pacsv.WriteOptions(include_header=False))
    return out.getvalue()
