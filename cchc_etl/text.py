"""Text normalisation shared by readers, header matching and value parsing."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")  # ASCII camel case only: MaHoSo


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def fold(value: object) -> str:
    """Match key: no diacritics, no case, single spaces; NFC/NFD and tone placement fold alike.

    "Mã hồ sơ", "MA HO SO", "ma_ho_so" and "MaHoSo"-style camel case (split on case change
    before lowering) all fold to "ma ho so".
    """
    text = str(value)
    text = _CAMEL.sub(" ", unicodedata.normalize("NFC", text))
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D").lower()
    return _NON_ALNUM.sub(" ", stripped).strip()


def enum_key(value: object) -> str:
    """Match key of a coded value: the fold without spaces, so that case, spaces, ``_`` and ``-``
    do not matter ("makeup_working_saturday", "Make-up working Saturday"; "Nghỉbù", "Nghỉ bù").
    The same as the SQL macro cchc_enum_key."""
    return fold(value).replace(" ", "")


def header_key(value: object) -> str:
    """Match key of a column header: like ``enum_key``, so that a header's match does not depend on
    its case where camel case splits it ("Xác thực VNeID" = "XÁC THỰC VNEID"; "MaHoSo" = "MAHOSO")."""
    return enum_key(value)
