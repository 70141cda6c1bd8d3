"""Small helpers every part of the sample generator shares: NFC text, the fixed document time,
Vietnamese decimals, ASCII folding, ISO timestamps."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

# Fixed timestamp written into XLSX document properties (and zip entries) so that the same
# seed gives byte-identical files.
FIXED_DOC_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def _yn(b: bool) -> str:
    return _nfc("Có") if b else _nfc("Không")


def _fmt_dt_str(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.strftime("%d/%m/%Y %H:%M")
    return v


def _ascii_fold(s: str) -> str:
    s = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in s if not unicodedata.combining(c))


def _vn_decimal(v: float) -> str:
    """Vietnamese number text: comma decimal, no trailing zeros (``5,5``, ``6``)."""
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _iso(v: Any, sep: str = "T") -> str:
    return v.strftime(f"%Y-%m-%d{sep}%H:%M:%S") if isinstance(v, dt.datetime) else ("" if v is None else str(v))
