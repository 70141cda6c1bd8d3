"""CSV tables and the conventions the monthly exports of the other sources share (period titles,
planted raw text winning over the rendered value)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Sequence

from cchc_etl.sample.months import _month_bounds, _parse_month


def _cell(row: dict[str, Any], f: str, render) -> Any:
    """Planted raw text (``row['_raw']``) wins over the rendered canonical value."""
    if f in row["_raw"]:
        return row["_raw"][f]
    return render(row[f])


def _write_csv_table(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]], *, bom: bool = True,
                     terminator: str = "\r\n") -> tuple[list[int], dict[str, int]]:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator=terminator)
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode("utf-8-sig" if bom else "utf-8"))
    return [i + 2 for i in range(len(rows))], {"header": 1}


def _period_titles(title: str, system_line: str, month: str) -> list[str]:
    y, m = _parse_month(month)
    m0, m1 = _month_bounds(month)
    return [title, system_line, f"Kỳ báo cáo: tháng {m:02d}/{y} (từ ngày {m0:%d/%m/%Y} đến ngày {m1:%d/%m/%Y})"]
