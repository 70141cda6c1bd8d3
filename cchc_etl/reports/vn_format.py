"""Vietnamese display of numbers and dates (1.777; 96,89 %; 29/02/2024) and safe text cells.

How the workbook shows numbers, whatever the reader's Excel or LibreOffice locale:

* Counts stay numeric cells (they can be summed and filtered) with ``COUNT_FORMAT``, whose
  thousands separators are literal dots inside conditional sections: ``1777`` shows ``1.777``
  on every machine. A plain ``#,##0`` would show the separator of the reader's regional
  settings, which in many offices is en-US (``1,777``).
* Rates, scores and ratios are text cells formatted here (``96,89 %``), right-aligned: no number
  format can force a decimal comma, since the decimal separator always comes from the reader's
  locale. They are the published figures rounded to 2 decimals for display (methodology §1);
  the unrounded values stay in the marts and their Parquet exports. Chart data (sheet
  "Xu hướng") is numeric, in hidden columns.
* Dates are date cells with ``DATE_FORMAT``: literal slashes, so ``dd/mm/yyyy`` everywhere.

Text taken from the data (unit, procedure and field names, dossier codes) goes through
``safe_text``: no cell begins with ``=``, ``+``, ``-`` or ``@`` (nor a tab or carriage return),
so a spreadsheet never reads it as a formula, even after the cell is edited.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

COUNT_FORMAT = '[>=1000000]#"."###"."##0;[>=1000]#"."##0;0'
DATE_FORMAT = 'dd"/"mm"/"yyyy'
# rank changes: ▲ 2 (moved up), ▼ 1 (moved down), = (same); the cell stays a number
RANK_CHANGE_FORMAT = '"▲ "0;"▼ "0;"="'
MINUS = "\u2212"  # a minus sign, not a hyphen: text never starts with "-"
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # characters XLSX cannot hold
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def _rounded(x: float, digits: int) -> Decimal:
    return Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def fmt_int_vi(n) -> str:
    """1777 -> '1.777'; None -> '—'."""
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return "—"
    v = int(round(float(n)))
    text = f"{abs(v):,}".replace(",", ".")
    return (MINUS if v < 0 else "") + text


def fmt_dec_vi(x, digits: int = 2) -> str:
    """96.8912 -> '96,89'; 1234.5 -> '1.234,50'; None / NaN -> '—'."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    d = _rounded(x, digits)
    sign = MINUS if d < 0 else ""
    whole, _, frac = f"{abs(d):.{digits}f}".partition(".")
    text = f"{int(whole):,}".replace(",", ".")
    return sign + text + ("," + frac if digits else "")


def fmt_pct_vi(x, digits: int = 2) -> str:
    """A percentage 0-100 (as the marts hold it): 96.89 -> '96,89 %'; None -> 'N/A'."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "N/A"
    return f"{fmt_dec_vi(x, digits)} %"


def fmt_change_vi(x, digits: int = 2) -> str:
    """A change: '▲ 1,23', '▼ 0,50', '0,00'; None -> '—' (no previous figure)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    d = _rounded(x, digits)
    if d == 0:
        return fmt_dec_vi(0, digits)
    return ("▲ " if d > 0 else "▼ ") + fmt_dec_vi(abs(float(d)), digits)


def fmt_date_vi(d) -> str:
    """A date or timestamp -> '29/02/2024'; None -> ''."""
    if d is None:
        return ""
    return f"{d:%d/%m/%Y}"


def month_year_vi(d: dt.date) -> str:
    """2024-02-01 -> '02/2024'."""
    return f"{d:%m/%Y}"


def safe_text(value) -> str:
    """Text from the data as a cell can hold it: NFC, no control characters, and never read as
    a formula (a leading = + - @ tab or CR is preceded by an apostrophe, shown as written)."""
    text = _ILLEGAL.sub("", unicodedata.normalize("NFC", str(value)))
    if text.startswith(FORMULA_LEADS):
        text = "'" + text
    return text


@functools.lru_cache(maxsize=1 << 16)  # unit, lĩnh vực and procedure names are sorted again in every scope
def vn_sort_key(text) -> tuple:
    """Alphabetical order as Vietnamese readers expect it: letters before their accented forms
    only as a tie-break (Đ after D, not after Z)."""
    s = "" if text is None else str(text)
    base = unicodedata.normalize("NFD", s.replace("Đ", "D").replace("đ", "d"))
    folded = "".join(ch for ch in base if not unicodedata.combining(ch)).casefold()
    return folded, s
