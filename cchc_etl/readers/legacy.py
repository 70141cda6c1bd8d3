"""Legacy 8-bit Vietnamese font encodings (TCVN3/ABC and VNI Windows) to Unicode NFC.

Vietnamese government spreadsheets are often typed with pre-Unicode "font encodings": the
cell holds Latin-1 characters that only look Vietnamese when drawn with a special font.
Which encoding a cell uses is a property of its FONT, so the decision is made from the cell
font (``legacy_encoding_for_font``), never by guessing on the text itself.

TCVN3 (TCVN 5712:1993 VN3, "ABC"; fonts ``.VnTime``, ``.VnArial``, ...)
    One byte per letter.  It defines the 67 lower-case toned/modified letters and the 7
    upper-case letters without tone (Ă Â Ê Ô Ơ Ư Đ) in 0xA1-0xFE; code points 0x80-0x9F are
    not used, so the cp1252 and latin-1 readings of the bytes coincide and a byte ``b`` is
    stored in XLSX as ``chr(b)`` (e.g. ``"Thµnh phè"`` = "Thành phố").
    Upper-case letters WITH tone do not exist in the normal fonts: documents switch to the
    all-capital companion font whose name ends in ``H`` (``.VnTimeH``, ``.VnArialH``), which
    draws every code as a capital: the lower-case TCVN3 codes show as the corresponding
    upper-case Vietnamese letters and plain ASCII ``a-z`` show as ``A-Z``.  That is the
    ``"tcvn3_upper"`` encoding.  The extra upper-case positions of the larger VN1/VN2
    variants (e.g. 0xC0 = Ắ) are NOT part of VN3 and pass through unchanged.

VNI Windows (fonts ``VNI-Times``, ``VNI-Helve``, ...)
    A vowel is its ASCII base letter followed by ONE mark character that carries the
    modifier and/or tone (``"aø"`` = à, ``"aá"`` = ấ, ``"aë"`` = ặ); ơ, ư, đ and the toned
    i / ỵ have their own single characters (``"ô"`` = ơ, ``"ö"`` = ư, ``"ñ"`` = đ,
    ``"ó"`` = ĩ ...), and ơ/ư take a tone mark after them (``"ôù"`` = ớ).  Upper-case
    letters use the upper-case forms of the same characters (``"AØ"`` = À, ``"Ñ"`` = Đ).

Characters that are not part of a table pass through unchanged (ASCII, digits,
punctuation).  Every function returns Unicode NFC.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

TCVN3 = "tcvn3"
TCVN3_UPPER = "tcvn3_upper"
VNI = "vni"
ENCODINGS: tuple[str, ...] = (TCVN3, TCVN3_UPPER, VNI)

# Combining tone marks in the TCVN order used by both tables below:
# none, huyền (grave), hỏi (hook above), ngã (tilde), sắc (acute), nặng (dot below).
_GRAVE, _HOOK, _TILDE, _ACUTE, _DOT = "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"
_TONES: tuple[str, ...] = ("", _GRAVE, _HOOK, _TILDE, _ACUTE, _DOT)

# The 12 Vietnamese vowels (plus đ) as Unicode base letters.
VOWELS: tuple[str, ...] = ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def vietnamese_letters() -> list[str]:
    """The 134 Vietnamese letters beyond ASCII, NFC: 12 vowels x 6 tones + đ = 73 per case,
    minus the 6 plain ASCII vowels a e i o u y, in lower (67) and upper case (67)."""
    lower = [_nfc(v + t) for v in VOWELS for t in _TONES] + ["đ"]
    lower = [ch for ch in lower if not ch.isascii()]
    return lower + [ch.upper() for ch in lower]


# --------------------------------------------------------------------------- TCVN3 (VN3)

# TCVN3 byte codes per vowel, in _TONES order; None = the plain ASCII letter.
# Cross-checked against glibc iconv TCVN5712-1 (all 74 codes) and three converter tables,
# see tests/unit/test_legacy_text.py.
_TCVN3_VOWEL_CODES: dict[str, tuple[int | None, ...]] = {
    "a": (None, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9),
    "ă": (0xA8, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
    "â": (0xA9, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB),
    "e": (None, 0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    "ê": (0xAA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6),
    "i": (None, 0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    "o": (None, 0xDF, 0xE1, 0xE2, 0xE3, 0xE4),
    "ô": (0xAB, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
    "ơ": (0xAC, 0xEA, 0xEB, 0xEC, 0xED, 0xEE),
    "u": (None, 0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    "ư": (0xAD, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9),
    "y": (None, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
}
_TCVN3_OTHER_CODES: dict[int, str] = {
    0xAE: "đ",
    # the 7 upper-case letters without tone that VN3 has in its normal fonts
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
}


def _build_tcvn3() -> dict[str, str]:
    table: dict[str, str] = {}
    for vowel, codes in _TCVN3_VOWEL_CODES.items():
        for code, tone in zip(codes, _TONES):
            if code is not None:
                table[chr(code)] = _nfc(vowel + tone)
    for code, letter in _TCVN3_OTHER_CODES.items():
        table[chr(code)] = letter
    return table


#: stored character (latin-1 reading of the TCVN3 byte) -> Unicode letter, normal fonts
TCVN3_TABLE: dict[str, str] = _build_tcvn3()
#: the same for the all-capital ``...H`` fonts: every letter is drawn upper case,
#: including plain ASCII a-z
TCVN3_UPPER_TABLE: dict[str, str] = {
    **{chr(c): chr(c).upper() for c in range(ord("a"), ord("z") + 1)},
    **{k: v.upper() for k, v in TCVN3_TABLE.items()},
}
_TCVN3_TRANS = str.maketrans(TCVN3_TABLE)
_TCVN3_UPPER_TRANS = str.maketrans(TCVN3_UPPER_TABLE)


def tcvn3_to_unicode(text: str, upper: bool = False) -> str:
    """Decode TCVN3 (ABC) text as stored in XLSX; ``upper=True`` for the ``...H`` fonts."""
    return _nfc(text.translate(_TCVN3_UPPER_TRANS if upper else _TCVN3_TRANS))


# --------------------------------------------------------------------------- VNI Windows

# Mark characters (lower-case form; the upper-case letters use ch.upper()).
_VNI_TONE_MARKS = {"ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ù": _ACUTE, "ï": _DOT}
_VNI_CIRCUMFLEX_MARKS = {"â": "", "à": _GRAVE, "å": _HOOK, "ã": _TILDE, "á": _ACUTE, "ä": _DOT}
_VNI_BREVE_MARKS = {"ê": "", "è": _GRAVE, "ú": _HOOK, "ü": _TILDE, "é": _ACUTE, "ë": _DOT}
# Single characters standing for a whole letter.
_VNI_SINGLES = {
    "ñ": "đ", "ô": "ơ", "ö": "ư",
    "ì": "ì", "í": "í", "æ": "ỉ", "ó": "ĩ", "ò": "ị",
    "î": "ỵ",
}


def _build_vni() -> tuple[dict[str, str], dict[str, str]]:
    """(two-character sequences, single characters) -> Unicode letter."""
    pairs: dict[str, str] = {}

    def add(base_vni: str, base_uni: str, marks: dict[str, str], modifier: str = "") -> None:
        for mark, tone in marks.items():
            # canonical: base and mark in the same case.  Leniently also accept a mark of
            # the other case; the base letter decides the case of the result.
            for b_vni, b_uni in ((base_vni, base_uni), (base_vni.upper(), base_uni.upper())):
                letter = _nfc(b_uni + modifier + tone)
                for m in (mark, mark.upper()):
                    pairs[b_vni + m] = letter

    for base in ("a", "e", "o", "u", "y"):
        add(base, base, _VNI_TONE_MARKS)
    add("ô", "ơ", _VNI_TONE_MARKS)
    add("ö", "ư", _VNI_TONE_MARKS)
    for base in ("a", "e", "o"):
        add(base, base, _VNI_CIRCUMFLEX_MARKS, "\u0302")
    add("a", "a", _VNI_BREVE_MARKS, "\u0306")

    singles: dict[str, str] = {}
    for vni, uni in _VNI_SINGLES.items():
        singles[vni] = uni
        singles[vni.upper()] = uni.upper()
    return pairs, singles


VNI_PAIRS, VNI_SINGLES = _build_vni()


def vni_to_unicode(text: str) -> str:
    """Decode VNI Windows text (base letter + mark character) as stored in XLSX."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        pair = text[i : i + 2]
        if len(pair) == 2 and pair in VNI_PAIRS:
            out.append(VNI_PAIRS[pair])
            i += 2
            continue
        ch = text[i]
        out.append(VNI_SINGLES.get(ch, ch))
        i += 1
    return _nfc("".join(out))


# --------------------------------------------------------------------------- dispatch

# Letters that only exist above U+00FF: their presence proves the text is already Unicode
# (legacy TCVN3/VNI text as stored in XLSX never contains them).
_UNICODE_ONLY_VIETNAMESE = frozenset(ch for ch in vietnamese_letters() if ord(ch) > 0xFF)


def is_already_unicode(text: str) -> bool:
    """True when ``text`` contains a Vietnamese letter that legacy encodings cannot produce."""
    return any(ch in _UNICODE_ONLY_VIETNAMESE for ch in text)


def convert(text: str, encoding: str | None) -> str:
    """Decode ``text`` written in ``encoding`` (a value of ``legacy_encoding_for_font``).

    ``None`` means "not a legacy font" and returns the text (NFC).  Text that already holds
    Unicode-only Vietnamese letters (e.g. a cell retyped in Unicode but left in .VnTime) is
    returned unchanged (NFC) instead of being decoded a second time.
    """
    if encoding is None:
        return _nfc(text)
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown legacy Vietnamese encoding {encoding!r} (expected one of {ENCODINGS})")
    if is_already_unicode(text):
        return _nfc(text)
    if encoding == VNI:
        return vni_to_unicode(text)
    return tcvn3_to_unicode(text, upper=encoding == TCVN3_UPPER)


def legacy_encoding_for_font(font_name: str | None) -> str | None:
    """"tcvn3", "tcvn3_upper", "vni" or None for a font name (case-insensitive).

    TCVN3/ABC fonts are named ``.Vn...``; the all-capital companions end in ``H``
    (``.VnTimeH``, ``.VnArial NarrowH``).  VNI Windows fonts are named ``VNI-...``.
    """
    if not font_name:
        return None
    name = font_name.strip()
    lowered = name.lower()
    if lowered.startswith(".vn"):
        return TCVN3_UPPER if lowered.endswith("h") else TCVN3
    if lowered.startswith("vni-"):
        return VNI
    return None


# --------------------------------------------------------------------------- XLSX cells


def _rich_text_types():
    try:
        from openpyxl.cell.rich_text import CellRichText, TextBlock
    except ImportError:  # pragma: no cover - openpyxl < 3.1
        return None, None
    return CellRichText, TextBlock


def _cell_font_name(cell) -> str | None:
    font = getattr(cell, "font", None)
    return getattr(font, "name", None) if font is not None else None


def _runs(cell) -> list[tuple[str, str | None]]:
    """(text, font name) runs of a string cell; [] for non-text cells."""
    value = getattr(cell, "value", None)
    cell_font = _cell_font_name(cell)
    if isinstance(value, str):
        return [(value, cell_font)]
    CellRichText, TextBlock = _rich_text_types()
    if CellRichText is not None and isinstance(value, CellRichText):
        runs: list[tuple[str, str | None]] = []
        for part in value:
            if isinstance(part, TextBlock):
                run_font = getattr(part.font, "rFont", None) if part.font is not None else None
                runs.append((part.text, run_font or cell_font))
            else:
                runs.append((str(part), cell_font))
        return runs
    return []


def cell_encoding(cell) -> str | None | bool:
    """Legacy encoding of a cell's text from its font (rich text: font of most characters).

    Returns False for cells without non-blank text (they do not vote), else the encoding
    or None for a normal font.
    """
    weights: Counter = Counter()
    for text, font in _runs(cell):
        stripped = len(text.strip())
        if stripped:
            weights[legacy_encoding_for_font(font)] += stripped
    if not weights:
        return False
    return max(weights.items(), key=lambda kv: (kv[1], kv[0] is not None))[0]


def cell_to_unicode(cell):
    """The cell value with legacy-font text decoded (rich text run by run); non-text as is."""
    runs = _runs(cell)
    if not runs:
        return getattr(cell, "value", None)
    return _nfc("".join(convert(text, legacy_encoding_for_font(font)) for text, font in runs))


def _majority(encodings: Iterable[str | None]) -> str | None:
    """The legacy encoding when more than half of the text cells use a legacy font."""
    votes = Counter(encodings)
    total = sum(votes.values())
    legacy = {enc: n for enc, n in votes.items() if enc is not None}
    if not total or sum(legacy.values()) * 2 <= total:
        return None
    return min(legacy, key=lambda enc: (-legacy[enc], ENCODINGS.index(enc)))


def _open_sheet(path, sheet_name: str | None, read_only: bool):
    import openpyxl

    # Read-only mode exposes cell fonts (ReadOnlyCell.font; EmptyCell.font is None) and, with
    # rich_text=True, the run fonts of rich text kept in the shared-strings table (where
    # Excel writes it).  openpyxl 3.1 does NOT pass rich_text to the read-only sheet parser,
    # so run fonts of *inline* rich strings (t="inlineStr", e.g. files written by openpyxl)
    # are only seen with read_only=False, which loads the whole sheet.
    wb = openpyxl.load_workbook(Path(path), read_only=read_only, data_only=True, rich_text=True)
    ws = wb[sheet_name] if sheet_name is not None else wb.worksheets[0]
    return wb, ws


def _scan(
    path, sheet_name: str | None, first_row: int, last_row: int, n_columns: int, read_only: bool
) -> dict[int, str]:
    first_row = max(first_row, 1)
    if n_columns <= 0 or last_row < first_row:
        return {}
    wb, ws = _open_sheet(path, sheet_name, read_only)
    try:
        votes: list[list[str | None]] = [[] for _ in range(n_columns)]
        for row in ws.iter_rows(min_row=first_row, max_row=last_row, min_col=1, max_col=n_columns):
            for idx, cell in enumerate(row[:n_columns]):
                enc = cell_encoding(cell)
                if enc is not False:
                    votes[idx].append(enc)
    finally:
        wb.close()
    result: dict[int, str] = {}
    for idx, column_votes in enumerate(votes):
        enc = _majority(column_votes)
        if enc is not None:
            result[idx] = enc
    return result


def column_encodings_from_xlsx(
    path,
    sheet_name: str | None,
    header_row: int,
    n_columns: int,
    sample_rows: int = 200,
    *,
    read_only: bool = True,
) -> dict[int, str]:
    """{0-based column: encoding} for columns whose data text is mostly in a legacy font.

    Looks at the cells of rows ``header_row + 1 .. header_row + sample_rows`` (``header_row``
    is 1-based, as a spreadsheet shows it) and columns ``A ..`` (``n_columns`` of them).
    Only non-blank text cells vote (numbers, dates, empty cells do not); a column is legacy
    when more than 50 % of its voting cells are in a legacy font, and gets the most common
    legacy encoding among them.  ``sheet_name=None`` means the first worksheet.
    ``read_only=False`` loads the whole workbook; needed only to see the run fonts of inline
    rich-text strings (see ``_open_sheet``).
    """
    return _scan(path, sheet_name, header_row + 1, header_row + sample_rows, n_columns, read_only)


def header_encodings(
    path, sheet_name: str | None, header_row: int, n_columns: int, *, read_only: bool = True
) -> dict[int, str]:
    """{0-based column: encoding} for the header cells in row ``header_row`` (1-based)."""
    return _scan(path, sheet_name, header_row, header_row, n_columns, read_only)


__all__ = [
    "ENCODINGS", "TCVN3", "TCVN3_UPPER", "VNI", "TCVN3_TABLE", "TCVN3_UPPER_TABLE",
    "VNI_PAIRS", "VNI_SINGLES", "cell_encoding", "cell_to_unicode", "column_encodings_from_xlsx",
    "convert", "header_encodings", "is_already_unicode", "legacy_encoding_for_font",
    "tcvn3_to_unicode", "vietnamese_letters", "vni_to_unicode",
]
