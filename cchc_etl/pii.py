"""PII never lands in clear text: a keyed hash (HMAC-SHA256) replaces it at the ingest boundary.

The hash is computed inside DuckDB (vectorised ``sha256`` over the HMAC construction) so a
million rows cost no Python loop; ``hmac_hex`` is the reference implementation tests compare
against. Values are normalised first (case, spaces, dots, dashes) so the same ID number
written two ways hashes alike.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from cchc_etl import settings

DEMO_KEY = "cchc-etl-demo-key-NOT-SECRET"
DEMO_KEY_WARNING = (f"CHÚ Ý / NOTE: CCHC_PII_KEY chưa đặt; dữ liệu cá nhân được băm bằng khóa demo công khai, không bao giờ "
                    f"dùng cho dữ liệu thật / CCHC_PII_KEY is not set; PII is hashed with the public demo key {DEMO_KEY!r}. "
                    "Never use it for real data.")
# the Dagster code location may use the demo key (make dev on the demo data); CCHC_PII_KEY still wins
ALLOW_DEMO_KEY_ENV = settings.ALLOW_DEMO_KEY.name
# the same as ``normalise``; translate() costs DuckDB about 3x a replace() and most values hold
# no dot, dash, bracket or tab (the characters are literal: DuckDB evaluates chr(9) per row)
PII_NORMALISE_SQL = (
    "lower(CASE WHEN contains({0}, '.') OR contains({0}, '-') OR contains({0}, '(') OR contains({0}, ')') "
    "OR contains({0}, '\t') THEN translate({0}, ' .-()\t', '') ELSE replace({0}, ' ', '') END)"
)
_NORMALISE = re.compile(r"[ \t.\-()]")


class MissingPiiKey(RuntimeError):
    pass


def resolve_key(explicit: str | None = None, *, allow_demo: bool = False) -> str:
    key = explicit or settings.pii_key()
    if key:
        return key
    if allow_demo:
        return DEMO_KEY
    raise MissingPiiKey(
        "CCHC_PII_KEY is not set: applicant names, ID numbers, phones and e-mail accounts are "
        "hashed with this key before they are stored (set it, e.g. export CCHC_PII_KEY=...)"
    )


def normalise(value: str) -> str:
    return _NORMALISE.sub("", value).lower()


def hmac_hex(key: str, value: str) -> str:
    return hmac.new(key.encode("utf-8"), normalise(value).encode("utf-8"), hashlib.sha256).hexdigest()


def key_fingerprint(key: str) -> str:
    """Identifies the key in the file log without revealing it."""
    return hmac.new(key.encode("utf-8"), b"cchc-etl key fingerprint", hashlib.sha256).hexdigest()[:16]


def _varchar_literal(data: bytes) -> str:
    """SQL VARCHAR expression for ASCII bytes (control bytes via chr(), which keeps NULs)."""
    parts, run = [], ""
    for b in data:
        if 32 <= b < 127 and b != 39:
            run += chr(b)
        else:
            if run:
                parts.append(f"'{run}'")
                run = ""
            parts.append(f"chr({b})")
    if run:
        parts.append(f"'{run}'")
    return " || ".join(parts)


def hmac_macro_sql(key: str) -> str:
    """A TEMP macro (connection-local, never persisted) computing HMAC-SHA256 in SQL.

    With an ASCII key the inner pad is ASCII too and is hashed as VARCHAR together with the
    value, which saves DuckDB a BLOB conversion and concatenation per row (~35% faster).
    """
    block = key.encode("utf-8")
    if len(block) > 64:
        block = hashlib.sha256(block).digest()
    block = block.ljust(64, b"\0")
    ipad = bytes(b ^ 0x36 for b in block)
    opad = bytes(b ^ 0x5C for b in block).hex()
    if all(b < 0x80 for b in ipad):
        inner = f"sha256(({_varchar_literal(ipad)}) || x)"
    else:
        inner = f"sha256(unhex('{ipad.hex()}') || encode(x))"
    return (
        "CREATE OR REPLACE TEMP MACRO cchc_hmac(x) AS CASE WHEN x IS NULL OR x = '' THEN NULL ELSE "
        f"sha256(unhex('{opad}') || unhex({inner})) END;\n" + personal_value_macro_sql()
    )


# -- personal data the contract does not name ------------------------------------------------
#
# A vendor column the contract does not list is kept in ``extra`` (and a quarantined row's cells
# in ``raw_values``). Such a cell is replaced by its keyed hash (``cchc_hmac``, as PII fields) when
#  - its HEADER names personal data (``personal_header``): a spelling of a PII field of the
#    contract (a second "Người nộp" beside "Họ tên người nộp"), or a name, ID, phone, e-mail or
#    address header; the whole column is hashed;
#  - else, cell by cell, its VALUE looks personal (``cchc_personal``, regular expressions in
#    DuckDB): an e-mail address; a 9-13 digit number (CMND 9, CCCD 12, tax code 10 or 10-3,
#    phone 10-11 with 0 / +84) as the whole cell once spaces, dots, dashes and brackets are
#    removed, or a phone / ID-length digit run inside text; a Vietnamese personal name (a common
#    family name, or a common middle name such as Văn / Thị in second place, followed by 1-4
#    capitalised words, in title or upper case); a street address (a house number and a
#    capitalised street name in a comma list, a house number followed by a street word, or a
#    street / hamlet word and a ward / district word in a comma list).
# The decision is per cell: it needs no pass over the file before the rows are typed, and a cell
# shifted by an unquoted comma (a ragged row whose last cells land in ``column_N``) is judged on
# its own value. A value that merely resembles these (a 9-digit amount, a street named after a
# person) is hashed too: for vendor columns a false alarm costs readability, a miss costs privacy.

# the headers: folded (cchc_etl.text.fold), spaces removed, searched as substrings
_PERSONAL_HEADER_WORDS = (
    # names
    "hoten", "hovaten", "tennguoi", "chuhoso", "nguoinop", "nguoidaidien", "tencongdan", "tencanhan",
    "fullname", "hotennguoi",
    # identity numbers
    "cmnd", "cccd", "sodinhdanh", "madinhdanh", "dinhdanhcanhan", "hochieu", "passport", "masothue",
    "chungminhnhandan", "cancuoc",
    # phones
    "dienthoai", "didong", "sdt", "phone", "mobile",
    # e-mail
    "email", "thudientu",
    # addresses
    "diachi", "address", "noio", "thuongtru", "tamtru", "hokhau", "noicutru",
)
_PERSONAL_HEADER_TOKENS = ("mst", "tel", "mail", "dc")  # only as whole words of the folded header

VN_FAMILY_NAMES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
    "Dương", "Lý", "Đinh", "Trương", "Lâm", "Mai", "Trịnh", "Đoàn", "Lương", "Cao", "Hà", "Tạ", "Quách",
    "Châu", "Thái", "La", "Lưu", "Tô", "Kiều", "Vương", "Tống", "Hứa", "Thân", "Triệu", "Phùng", "Giang",
    "Diệp", "Khúc", "Lại", "Mạc", "Ông", "Quan", "Thạch", "Tăng", "Tiêu", "Nghiêm", "Đào", "Lục", "Âu",
    "Đồng", "Hầu", "Khổng", "Đàm", "Lã", "Ninh", "Từ", "Nông", "Lò", "Văn", "Chu", "Đoàn", "Kim", "Doãn",
)
VN_MIDDLE_NAMES = (
    "Văn", "Thị", "Hữu", "Đức", "Ngọc", "Thanh", "Minh", "Quốc", "Xuân", "Công", "Đình", "Kim", "Bảo",
    "Gia", "Thu", "Mỹ", "Anh", "Quang", "Thế", "Trọng", "Tuấn", "Hoài", "Phương", "Thúy", "Thùy", "Khánh",
)


def personal_header(header: str, pii_aliases: set[str] | frozenset[str] = frozenset()) -> bool:
    """Whether a column header names personal data. ``pii_aliases``: the folded spellings of the
    contract's PII fields (a duplicate match of one of them is personal whatever it says)."""
    from cchc_etl.text import fold

    folded = fold(header)
    if not folded:
        return False
    if folded in pii_aliases:
        return True
    compact = folded.replace(" ", "")
    if any(word in compact for word in _PERSONAL_HEADER_WORDS):
        return True
    return any(token in folded.split() for token in _PERSONAL_HEADER_TOKENS)


def _alternation(words) -> str:
    return "|".join(dict.fromkeys(words))


def personal_value_macro_sql() -> str:
    """``cchc_personal(x)``: TRUE when a (cleaned, NFC) cell looks like personal data (see above).

    One CASE: each test runs only on the cells no earlier test decided, and the costly regular
    expressions only behind a cheap guard (a family or middle name as first or second word, a
    comma, a digit), so that an ordinary note costs about a microsecond."""
    family_title = _alternation(VN_FAMILY_NAMES)
    family_upper = _alternation(w.upper() for w in VN_FAMILY_NAMES)
    middle_title = _alternation(VN_MIDDLE_NAMES)
    middle_upper = _alternation(w.upper() for w in VN_MIDDLE_NAMES)
    first_words = _alternation([*VN_FAMILY_NAMES, *(w.upper() for w in VN_FAMILY_NAMES)])
    second_words = _alternation([*VN_MIDDLE_NAMES, *(w.upper() for w in VN_MIDDLE_NAMES)])
    word, upper_word = r"\p{Lu}\p{Ll}*", r"\p{Lu}+"
    names = (
        f"(({family_title})( {word}){{1,4}})|({word} ({middle_title})( {word}){{1,3}})"
        f"|(({family_upper})( {upper_word}){{1,4}})|({upper_word} ({middle_upper})( {upper_word}){{1,3}})"
    )
    street = ("(số nhà|đường|phố|ngõ|ngách|hẻm|kiệt|thôn|ấp|xóm|bản|tổ dân phố|tổ|khu phố|kp|khu vực|khóm|lô|"
              "căn hộ|chung cư)")
    area = "(phường|xã|quận|huyện|thị trấn|thị xã|tỉnh|thành phố|tp|p|q)"
    street_area = (f"regexp_matches(x, '(?i)(^|[ ,]){street}[ .][^ ]') AND regexp_matches(x, '(?i)(^|[ ,]){area}[ .][^ ]')")
    return (
        "CREATE OR REPLACE TEMP MACRO cchc_personal(x) AS CASE\n"
        "    WHEN x IS NULL THEN FALSE\n"
        # e-mail
        "    WHEN contains(x, '@') AND regexp_matches(x, '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}') THEN TRUE\n"
        # personal names
        f"    WHEN regexp_matches(x, '^({first_words}) |^[^ ]+ ({second_words})( |$)') AND regexp_full_match(x, '{names}') THEN TRUE\n"
        "    WHEN regexp_matches(x, '[0-9]') THEN\n"
        # identity numbers, tax codes and phones: the whole cell, or a run of digits inside text
        "        regexp_full_match(translate(x, ' .-()', ''), '\\+?[0-9]{9,13}')\n"
        "        OR regexp_matches(x, '(^|[^0-9.,])(\\+84|84|0)[1-9][0-9]{8,9}([^0-9.,]|$)')\n"
        "        OR regexp_matches(x, '(^|[^0-9.,/-])[0-9]{9,12}([^0-9.,/-]|$)')\n"
        # street addresses: a house number and a capitalised street name in a comma list; a
        # house number and a street word; a street word and a ward / district word in a comma list
        "        OR (contains(x, ',') AND regexp_matches(x, '^([Ss]ố |SỐ )?[0-9]+[A-Za-z]?(/[0-9]+[A-Za-z]?)* \\p{Lu}'))\n"
        f"        OR regexp_matches(x, '(?i)^(số )?[0-9]+[a-z]?(/[0-9]+[a-z]?)* {street}[ .][^ ]')\n"
        f"        OR (contains(x, ',') AND {street_area})\n"
        f"    WHEN contains(x, ',') THEN {street_area}\n"
        "    ELSE FALSE END"
    )


def masked_sql(cell: str, *, always: bool = False) -> str:
    """A vendor cell as it may be stored: its keyed hash when it is personal (``always``: the
    header says so), else as written."""
    hashed = f"cchc_hmac({PII_NORMALISE_SQL.format(cell)})"
    return hashed if always else f"CASE WHEN cchc_personal({cell}) THEN {hashed} ELSE {cell} END"


def masked_list_sql(cells: list[str]) -> str:
    """``masked_sql`` of several cells as one list, in order. DuckDB compiles the regular
    expressions of every ``cchc_personal`` it binds (~50 ms each): one lambda for all the cells of
    a row binds them once, where one call per column made a 30-column file cost seconds to plan."""
    return f"list_transform([{', '.join(cells)}], lambda x: {masked_sql('x')})"
