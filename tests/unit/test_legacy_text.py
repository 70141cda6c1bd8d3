"""Legacy Vietnamese font encodings (TCVN3/ABC, VNI Windows) -> Unicode NFC.

The expected tables below are written out literally (not derived from the module) from the
published tables the module was checked against: glibc iconv TCVN5712-1 (VN3 is its
0xA1-0xFE lower-case subset), lamdao/xvnkb tcvn.h + vni.h, duydev/vietnamese-conversion
charsets.ts and khiemdoan/VBKey mdlCodeTable.bas.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_etl.readers import legacy
from cchc_etl.readers.legacy import (
    cell_to_unicode,
    column_encodings_from_xlsx,
    convert,
    header_encodings,
    legacy_encoding_for_font,
    tcvn3_to_unicode,
    vietnamese_letters,
    vni_to_unicode,
)

# --------------------------------------------------------------------------- expected tables

# TCVN3 (VN3) byte -> letter: the 67 lower-case letters and the 7 capitals without tone.
_TCVN3_LITERAL = """
A1 Ă  A2 Â  A3 Ê  A4 Ô  A5 Ơ  A6 Ư  A7 Đ
A8 ă  A9 â  AA ê  AB ô  AC ơ  AD ư  AE đ
B5 à  B6 ả  B7 ã  B8 á  B9 ạ
BB ằ  BC ẳ  BD ẵ  BE ắ  C6 ặ
C7 ầ  C8 ẩ  C9 ẫ  CA ấ  CB ậ
CC è  CE ẻ  CF ẽ  D0 é  D1 ẹ
D2 ề  D3 ể  D4 ễ  D5 ế  D6 ệ
D7 ì  D8 ỉ  DC ĩ  DD í  DE ị
DF ò  E1 ỏ  E2 õ  E3 ó  E4 ọ
E5 ồ  E6 ổ  E7 ỗ  E8 ố  E9 ộ
EA ờ  EB ở  EC ỡ  ED ớ  EE ợ
EF ù  F1 ủ  F2 ũ  F3 ú  F4 ụ
F5 ừ  F6 ử  F7 ữ  F8 ứ  F9 ự
FA ỳ  FB ỷ  FC ỹ  FD ý  FE ỵ
"""
_tokens = _TCVN3_LITERAL.split()
TCVN3_EXPECTED = {chr(int(code, 16)): letter for code, letter in zip(_tokens[::2], _tokens[1::2])}

# VNI Windows: letter=sequence, lower case (67 letters).  VNI_* dicts map letter -> sequence.
_VNI_LITERAL = """
à=aø ả=aû ã=aõ á=aù ạ=aï
ă=aê ằ=aè ẳ=aú ẵ=aü ắ=aé ặ=aë
â=aâ ầ=aà ẩ=aå ẫ=aã ấ=aá ậ=aä
è=eø ẻ=eû ẽ=eõ é=eù ẹ=eï
ê=eâ ề=eà ể=eå ễ=eã ế=eá ệ=eä
ì=ì ỉ=æ ĩ=ó í=í ị=ò
ò=oø ỏ=oû õ=oõ ó=où ọ=oï
ô=oâ ồ=oà ổ=oå ỗ=oã ố=oá ộ=oä
ơ=ô ờ=ôø ở=ôû ỡ=ôõ ớ=ôù ợ=ôï
ù=uø ủ=uû ũ=uõ ú=uù ụ=uï
ư=ö ừ=öø ử=öû ữ=öõ ứ=öù ự=öï
ỳ=yø ỷ=yû ỹ=yõ ý=yù ỵ=î
đ=ñ
"""
VNI_LOWER = dict(item.split("=") for item in _VNI_LITERAL.split())
# VNI capitals are the upper-case forms of the same characters.
VNI_EXPECTED = {**VNI_LOWER, **{k.upper(): v.upper() for k, v in VNI_LOWER.items()}}
VNI_UPPER_SPOT_CHECKS = {"Đ": "Ñ", "Ớ": "ÔÙ", "Ă": "AÊ", "Ỵ": "Î", "Ĩ": "Ó", "Ự": "ÖÏ", "Ầ": "AÀ", "Ẻ": "EÛ"}

ALL_LETTERS_LOWER = sorted(VNI_LOWER)


# --------------------------------------------------------------------------- tables


def test_there_are_134_letters_and_the_literal_tables_cover_them():
    letters = vietnamese_letters()
    assert len(letters) == len(set(letters)) == 134
    assert sorted(letters) == sorted(ALL_LETTERS_LOWER + [ch.upper() for ch in ALL_LETTERS_LOWER])
    assert len(TCVN3_EXPECTED) == 74 and len(VNI_EXPECTED) == 134


def test_tcvn3_table_is_exactly_the_published_one():
    assert legacy.TCVN3_TABLE == TCVN3_EXPECTED


@pytest.mark.parametrize("code,letter", sorted(TCVN3_EXPECTED.items()))
def test_tcvn3_every_code_decodes(code, letter):
    assert tcvn3_to_unicode(code) == letter
    assert tcvn3_to_unicode(f"x{code}y") == f"x{letter}y"


def test_tcvn3_all_lower_case_letters_in_normal_font_and_all_capitals_in_h_font():
    by_letter = {letter: code for code, letter in TCVN3_EXPECTED.items()}
    lower = [ch for ch in vietnamese_letters() if ch.islower()]
    upper = [ch for ch in vietnamese_letters() if ch.isupper()]
    assert len(lower) == len(upper) == 67
    for letter in lower:
        assert tcvn3_to_unicode(by_letter[letter]) == letter
        # the H font draws the very same code as the capital
        assert tcvn3_to_unicode(by_letter[letter], upper=True) == letter.upper()
    decoded_upper = {tcvn3_to_unicode(by_letter[ch], upper=True) for ch in lower}
    assert decoded_upper == set(upper)


def test_tcvn3_h_font_is_all_capital_including_ascii():
    assert tcvn3_to_unicode("abc xyz 123", upper=True) == "ABC XYZ 123"
    assert tcvn3_to_unicode("§éc lËp", upper=True) == "ĐỘC LẬP"
    assert tcvn3_to_unicode("¡¢£¤¥¦§", upper=True) == "ĂÂÊÔƠƯĐ"


@pytest.mark.skipif(shutil.which("iconv") is None, reason="iconv not installed")
def test_tcvn3_table_agrees_with_glibc_iconv():
    probe = subprocess.run(["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=b"a", capture_output=True)
    if probe.returncode != 0:
        pytest.skip("iconv has no TCVN5712-1")
    codes = bytes(range(0xA1, 0xFF))
    out = subprocess.run(["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=codes, capture_output=True, check=True)
    iconv_chars = unicodedata.normalize("NFC", out.stdout.decode("utf-8"))
    # VN1 places extra capitals and combining marks in the holes of VN3: compare VN3's codes
    iconv_map = dict(zip(codes.decode("latin-1"), iconv_chars))
    assert len(iconv_map) == len(codes)
    for stored, letter in legacy.TCVN3_TABLE.items():
        assert iconv_map[stored] == letter, hex(ord(stored))


def test_vni_every_letter_decodes():
    for letter, seq in VNI_EXPECTED.items():
        assert vni_to_unicode(seq) == letter, (seq, letter)
        assert vni_to_unicode(f"x{seq}y") == f"x{letter}y", (seq, letter)
    for letter, seq in VNI_UPPER_SPOT_CHECKS.items():
        assert vni_to_unicode(seq) == letter


def test_vni_decodes_all_134_letters():
    decoded = {vni_to_unicode(seq) for seq in VNI_EXPECTED.values()}
    assert decoded == set(vietnamese_letters())


def test_vni_base_letter_decides_case_when_mark_case_differs():
    assert vni_to_unicode("Aù") == "Á"
    assert vni_to_unicode("aÙ") == "á"
    assert vni_to_unicode("Ôù") == "Ớ"


def test_outputs_are_nfc_single_code_points():
    for seq in VNI_EXPECTED.values():
        out = vni_to_unicode(seq)
        assert len(out) == 1 and unicodedata.is_normalized("NFC", out)
    for code in TCVN3_EXPECTED:
        for upper in (False, True):
            out = tcvn3_to_unicode(code, upper=upper)
            assert len(out) == 1 and unicodedata.is_normalized("NFC", out)
    # combining marks already in the input are composed too
    assert tcvn3_to_unicode("a\u0301") == "á"
    assert vni_to_unicode("e\u0302\u0301") == "ế"


# --------------------------------------------------------------------------- phrases


@pytest.mark.parametrize(
    "stored,expected",
    [
        ("Thµnh phè Hå ChÝ Minh", "Thành phố Hồ Chí Minh"),
        ("Céng hoµ x· héi chñ nghÜa ViÖt Nam", "Cộng hoà xã hội chủ nghĩa Việt Nam"),
        ("Tr\u00ad\u00eang", "Trường"),
        ("§éc lËp - Tù do - H¹nh phóc", "Độc lập - Tự do - Hạnh phúc"),
        ("Uû ban nh©n d©n tØnh Qu¶ng Ninh", "Uỷ ban nhân dân tỉnh Quảng Ninh"),
    ],
)
def test_tcvn3_phrases(stored, expected):
    assert tcvn3_to_unicode(stored) == expected
    assert convert(stored, "tcvn3") == expected


def test_tcvn3_h_font_phrase():
    stored = "Céng hoµ x· héi chñ nghÜa ViÖt Nam"
    assert tcvn3_to_unicode(stored, upper=True) == "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert convert(stored, "tcvn3_upper") == "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"


@pytest.mark.parametrize(
    "stored,expected",
    [
        ("Thaønh phoá Hoà Chí Minh", "Thành phố Hồ Chí Minh"),
        ("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
        ("Ñoäc laäp - Töï do - Haïnh phuùc", "Độc lập - Tự do - Hạnh phúc"),
        ("Tröôøng", "Trường"),
        ("ÑÖÔØNG", "ĐƯỜNG"),
        ("UÛY BAN NHAÂN DAÂN", "ỦY BAN NHÂN DÂN"),
        ("Khuyù", "Khuý"),
        ("Yeân Baùi", "Yên Bái"),
    ],
)
def test_vni_phrases(stored, expected):
    assert vni_to_unicode(stored) == expected
    assert convert(stored, "vni") == expected


# --------------------------------------------------------------------------- pass-through

ASCII_TEXT = "Report 2024: ID-0042 / rows=17, ok? (yes) [A-Z] {x} #@$%&*+_~|\\'\""


def test_ascii_passes_through():
    assert tcvn3_to_unicode(ASCII_TEXT) == ASCII_TEXT
    assert vni_to_unicode(ASCII_TEXT) == ASCII_TEXT
    assert tcvn3_to_unicode("0123456789 .,;:-") == "0123456789 .,;:-"
    # the H font only capitalises letters
    assert tcvn3_to_unicode(ASCII_TEXT, upper=True) == ASCII_TEXT.upper()


def test_characters_outside_the_tables_pass_through():
    # NBSP, VN1-only capital code 0xC0, cp1252 punctuation, a VNI mark with no base
    for text in ("\u00a0", "\u00c0", "€ “x” – …", "\u00b0C"):
        assert tcvn3_to_unicode(text) == text
    for text in ("\u00a0", "ù", "1ø", "€ “x”"):
        assert vni_to_unicode(text) == text


def test_empty_strings():
    assert tcvn3_to_unicode("") == "" and vni_to_unicode("") == "" and convert("", "vni") == ""


# --------------------------------------------------------------------------- round trips


def _encode_tcvn3(text: str) -> str:
    inverse = {letter: code for code, letter in TCVN3_EXPECTED.items()}
    return "".join(inverse.get(ch, ch) for ch in text)


def _encode_vni(text: str) -> str:
    return "".join(VNI_EXPECTED.get(ch, ch) for ch in text)


_ascii = st.sampled_from(list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-/()"))
_viet_lower = st.sampled_from(ALL_LETTERS_LOWER)
_viet_any = st.sampled_from(vietnamese_letters())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_ascii, _viet_any), max_size=40).map("".join))
def test_vni_round_trip(text):
    assert vni_to_unicode(_encode_vni(text)) == text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_ascii, _viet_lower, st.sampled_from(list("ĂÂÊÔƠƯĐ"))), max_size=40).map("".join))
def test_tcvn3_round_trip_normal_font(text):
    assert tcvn3_to_unicode(_encode_tcvn3(text)) == text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_ascii, _viet_lower), max_size=40).map("".join))
def test_tcvn3_round_trip_h_font(text):
    # in the H font the lower-case codes (and ASCII) are drawn as capitals
    assert tcvn3_to_unicode(_encode_tcvn3(text), upper=True) == text.upper()


# --------------------------------------------------------------------------- dispatch


def test_convert_dispatch_and_guards():
    assert convert("Thµnh", None) == "Thµnh"
    assert convert("Thµnh", "tcvn3") == "Thành"
    assert convert("Thµnh", "tcvn3_upper") == "THÀNH"
    assert convert("Thaønh", "vni") == "Thành"
    with pytest.raises(ValueError):
        convert("x", "viscii")
    # text already in Unicode (letters legacy bytes cannot produce) is not decoded again
    assert convert("Thành phố Hồ Chí Minh", "tcvn3") == "Thành phố Hồ Chí Minh"
    assert convert("Cộng hòa", "vni") == "Cộng hòa"
    assert convert("Cô\u0323ng", None) == "Cộng"


@pytest.mark.parametrize(
    "font,expected",
    [
        (".VnTime", "tcvn3"),
        (".VnArial", "tcvn3"),
        (".VnCentury Schoolbook", "tcvn3"),
        (".vntime", "tcvn3"),
        (" .VnTime ", "tcvn3"),
        (".VnTimeH", "tcvn3_upper"),
        (".VnArialH", "tcvn3_upper"),
        (".VnArial NarrowH", "tcvn3_upper"),
        (".VNTIMEH", "tcvn3_upper"),
        ("VNI-Times", "vni"),
        ("VNI-Helve", "vni"),
        ("VNI-Arial", "vni"),
        ("vni-times", "vni"),
        ("VNI-Helve-Condense", "vni"),
        ("Times New Roman", None),
        ("Arial", None),
        ("Calibri", None),
        ("VnTime", None),
        ("VNI", None),
        ("", None),
        (None, None),
    ],
)
def test_legacy_encoding_for_font(font, expected):
    assert legacy_encoding_for_font(font) == expected


# --------------------------------------------------------------------------- XLSX


@pytest.fixture
def legacy_workbook(tmp_path):
    from openpyxl import Workbook
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont
    from openpyxl.styles import Font

    vntime, vntime_h = Font(name=".VnTime"), Font(name=".VnTimeH")
    vni, normal = Font(name="VNI-Times"), Font(name="Times New Roman")
    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["UBND TINH"])  # title rows above the header
    ws.append([])
    header = ["Tªn ®¬n vÞ", "Ñòa chæ", "Ghi chú", "Sè l­îng", "Hçn hîp", "Lo¹i", "Muén"]
    ws.append(header)
    for col, font in enumerate([vntime, vni, vntime_h, vntime, normal, vntime, normal], start=1):
        ws.cell(row=3, column=col).font = font
    rows = [
        # A TCVN3          B VNI                     C Unicode      D numbers  E mixed      F H font     G late legacy
        ["Thµnh phè Hå ChÝ Minh", "Thaønh phoá Hoà Chí Minh", "Hà Nội", 1, "Đà Nẵng", "®¹i häc", "Huế"],
        ["Céng hoµ", "Coäng hoøa", "Cần Thơ", 2, "Tr\u00ad\u00eang", "cao ®¼ng", "Vinh"],
        ["ViÖt Nam", "Vieät Nam", "Hải Phòng", 3, "Quảng Ninh", "trung cÊp", "Sè 1"],
        ["", "   ", None, 4, "ViÖt", "Tr\u00ad\u00eang", "Sè 2"],
        ["Tr\u00ad\u00eang", "Tröôøng", "Huế", 5, None, None, "Sè 3"],
    ]
    for r, values in enumerate(rows, start=4):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            cell.font = normal
    for r in range(4, 9):
        ws.cell(row=r, column=1).font = vntime
        ws.cell(row=r, column=2).font = vni
        ws.cell(row=r, column=4).font = vntime  # numbers in a legacy font: no vote
        ws.cell(row=r, column=6).font = vntime_h
    # E: 2 of 4 text cells legacy -> exactly 50 %, not legacy
    ws.cell(row=5, column=5).font = vntime
    ws.cell(row=7, column=5).font = vntime
    # G: the first two data rows are Unicode, the next three .VnTime
    for r in (6, 7, 8):
        ws.cell(row=r, column=7).font = vntime
    # H: one Unicode text cell and two blank-but-not-empty cells in .VnTime: blanks do not vote
    ws.cell(row=4, column=8, value="Hà Nội").font = normal
    ws.cell(row=5, column=8, value="  ").font = vntime
    ws.cell(row=6, column=8, value=" ").font = vntime
    # a second sheet with rich text: the cell font is normal, the runs carry legacy fonts
    ws2 = wb.create_sheet("Rich")
    ws2.append(["Ten", "Ghi chu"])
    ws2["A2"] = CellRichText(
        [TextBlock(InlineFont(rFont=".VnTimeH"), "céng hoµ"), TextBlock(InlineFont(rFont=".VnTime"), " x· héi")]
    )
    ws2["A3"] = CellRichText([TextBlock(InlineFont(rFont=".VnTime", b=True), "Thµnh phè")])
    ws2["A4"] = CellRichText(["Tr", TextBlock(InlineFont(rFont=".VnTime"), "\u00ad\u00eang")])
    ws2["B2"], ws2["B3"], ws2["B4"] = "plain", "text", "here"
    for row in ws2.iter_rows(min_row=2, max_row=4, max_col=2):
        for cell in row:
            cell.font = normal
    path = tmp_path / "legacy.xlsx"
    wb.save(path)
    return path


def test_column_encodings_from_xlsx(legacy_workbook):
    found = column_encodings_from_xlsx(legacy_workbook, "Data", header_row=3, n_columns=8)
    assert found == {0: "tcvn3", 1: "vni", 5: "tcvn3_upper", 6: "tcvn3"}


def _inline_strings_to_shared(path, out):
    """Rewrite an openpyxl file (all strings inline) the way Excel stores strings: in a
    shared-strings part, rich text runs included."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        files = {name: z.read(name) for name in z.namelist()}
    assert "xl/sharedStrings.xml" not in files
    moved: list[str] = []

    def to_shared(match):
        moved.append(match.group(2))
        return f'<c{match.group(1)} t="s"><v>{len(moved) - 1}</v></c>'

    for name in [n for n in files if n.startswith("xl/worksheets/sheet")]:
        files[name] = re.sub(r'<c([^>]*?) t="inlineStr"><is>(.*?)</is></c>', to_shared, files[name].decode()).encode()
    assert any("<r>" in body for body in moved), "no rich text moved"
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    files["xl/sharedStrings.xml"] = (
        f'<sst xmlns="{ns}" count="{len(moved)}" uniqueCount="{len(moved)}">'
        + "".join(f"<si>{body}</si>" for body in moved)
        + "</sst>"
    ).encode()
    ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    files["[Content_Types].xml"] = files["[Content_Types].xml"].replace(
        b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ctype}" /></Types>'.encode()
    )
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    files["xl/_rels/workbook.xml.rels"] = files["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        f'<Relationship Type="{rel}" Target="sharedStrings.xml" Id="rIdSst" /></Relationships>'.encode(),
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out


def test_column_encodings_reads_rich_text_run_fonts(legacy_workbook, tmp_path):
    # the cells' own font is normal: only the run fonts make column A legacy
    # rich text as Excel stores it (shared strings): seen in the default read-only mode
    excel_like = _inline_strings_to_shared(legacy_workbook, tmp_path / "shared.xlsx")
    assert column_encodings_from_xlsx(excel_like, "Rich", header_row=1, n_columns=2) == {0: "tcvn3"}
    # inline rich strings (as openpyxl writes them) need the full load
    assert column_encodings_from_xlsx(legacy_workbook, "Rich", header_row=1, n_columns=2, read_only=False) == {
        0: "tcvn3"
    }
    # the other sheet gives the same answer in both modes
    assert column_encodings_from_xlsx(excel_like, "Data", header_row=3, n_columns=8) == column_encodings_from_xlsx(
        legacy_workbook, "Data", header_row=3, n_columns=8, read_only=False
    )


def test_column_encodings_defaults_to_first_sheet_and_respects_sample_window(legacy_workbook):
    assert column_encodings_from_xlsx(legacy_workbook, None, header_row=3, n_columns=7) == {
        0: "tcvn3", 1: "vni", 5: "tcvn3_upper", 6: "tcvn3",
    }
    # only the first two data rows: column G is still Unicode there
    assert column_encodings_from_xlsx(legacy_workbook, "Data", header_row=3, n_columns=7, sample_rows=2) == {
        0: "tcvn3", 1: "vni", 5: "tcvn3_upper",
    }
    # fewer columns asked for -> only those reported
    assert column_encodings_from_xlsx(legacy_workbook, "Data", header_row=3, n_columns=2) == {0: "tcvn3", 1: "vni"}
    # the header row is not data: starting below the data finds nothing
    assert column_encodings_from_xlsx(legacy_workbook, "Data", header_row=8, n_columns=7) == {}


def test_header_encodings(legacy_workbook):
    found = header_encodings(legacy_workbook, "Data", header_row=3, n_columns=7)
    assert found == {0: "tcvn3", 1: "vni", 2: "tcvn3_upper", 3: "tcvn3", 5: "tcvn3"}


def test_converting_detected_columns_yields_unicode(legacy_workbook):
    from openpyxl import load_workbook

    encodings = column_encodings_from_xlsx(legacy_workbook, "Data", header_row=3, n_columns=7)
    ws = load_workbook(legacy_workbook)["Data"]
    converted = [
        [convert(v, encodings.get(c)) if isinstance(v, str) else v for c, v in enumerate(row)]
        for row in ws.iter_rows(min_row=4, max_row=6, max_col=3, values_only=True)
    ]
    assert converted == [
        ["Thành phố Hồ Chí Minh", "Thành phố Hồ Chí Minh", "Hà Nội"],
        ["Cộng hoà", "Cộng hòa", "Cần Thơ"],
        ["Việt Nam", "Việt Nam", "Hải Phòng"],
    ]
    assert convert("®¹i häc", encodings[5]) == "ĐẠI HỌC"


def test_cell_to_unicode_uses_each_cell_and_run_font(legacy_workbook):
    from openpyxl import load_workbook

    wb = load_workbook(legacy_workbook, rich_text=True)
    data = wb["Data"]
    assert cell_to_unicode(data["A4"]) == "Thành phố Hồ Chí Minh"
    assert cell_to_unicode(data["B8"]) == "Trường"
    assert cell_to_unicode(data["C4"]) == "Hà Nội"
    assert cell_to_unicode(data["E5"]) == "Trường"  # legacy font in a non-legacy column
    assert cell_to_unicode(data["E4"]) == "Đà Nẵng"
    assert cell_to_unicode(data["D4"]) == 1
    rich = wb["Rich"]
    assert cell_to_unicode(rich["A2"]) == "CỘNG HOÀ xã hội"
    assert cell_to_unicode(rich["A3"]) == "Thành phố"
    assert cell_to_unicode(rich["A4"]) == "Trường"
    # the cell's dominant font (by non-blank characters): 8 in .VnTimeH against 6 in .VnTime
    assert legacy.cell_encoding(rich["A2"]) == "tcvn3_upper"
    assert legacy.cell_encoding(rich["B2"]) is None
    assert legacy.cell_encoding(data["B7"]) is False  # blank text does not vote
    assert legacy.cell_encoding(data["D4"]) is False  # neither do numbers
