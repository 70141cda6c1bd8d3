"""Synthetic but realistic applicants (PII in clear text, as in a raw landing): names, tax codes,
phone numbers."""

from __future__ import annotations

import random

from cchc_etl.sample.common import _nfc

_FAMILY = [_nfc(s) for s in [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
    "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh", "Lâm", "Mai",
]]
_FAMILY_W = [38, 11, 9, 7, 4, 5, 4, 3, 4, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1]
_MIDDLE_M = [_nfc(s) for s in ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Hoàng", "Gia", "Tuấn"]]
_MIDDLE_F = [_nfc(s) for s in ["Thị", "Ngọc", "Thị Thu", "Thị Kim", "Thanh", "Minh", "Thị Mỹ", "Bảo", "Thùy", "Hoài"]]
_GIVEN_M = [_nfc(s) for s in [
    "An", "Bình", "Cường", "Dũng", "Hải", "Hiếu", "Hùng", "Khánh", "Long", "Nam", "Phong",
    "Phúc", "Quân", "Quang", "Sơn", "Tâm", "Thắng", "Trung", "Tuấn", "Vinh", "Khoa", "Đạt",
]]
_GIVEN_F = [_nfc(s) for s in [
    "Anh", "Châu", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Ngân", "Nhung",
    "Oanh", "Phương", "Quyên", "Thảo", "Trang", "Tuyết", "Vy", "Yến", "Hằng", "Thủy",
]]
_ORG_FORMS = [_nfc(s) for s in ["Công ty TNHH", "Công ty Cổ phần", "Công ty TNHH MTV", "Doanh nghiệp tư nhân"]]
_ORG_WORDS = [_nfc(s) for s in [
    "Thương mại Dịch vụ", "Xây dựng", "Đầu tư", "Sản xuất", "Công nghệ", "Xuất nhập khẩu",
    "Vận tải", "Thực phẩm", "Bất động sản", "Tư vấn",
]]
_ORG_NAMES = [_nfc(s) for s in [
    "Phú Thịnh", "Sài Gòn Xanh", "Hưng Phát", "Minh Long", "Đại Nam", "Tân Tiến", "Bến Thành",
    "An Khang", "Việt Hưng", "Phương Đông", "Hòa Bình", "Nam Việt", "Thành Công", "Kim Ngân",
]]


def _person(rng: random.Random) -> tuple[str, str, str]:
    female = rng.random() < 0.5
    fam = rng.choices(_FAMILY, _FAMILY_W)[0]
    mid = rng.choice(_MIDDLE_F if female else _MIDDLE_M)
    giv = rng.choice(_GIVEN_F if female else _GIVEN_M)
    year = rng.randint(1950, 2005)
    century_gender = (0 if year < 2000 else 2) + (1 if female else 0)
    province = "079" if rng.random() < 0.75 else rng.choice(["001", "031", "048", "052", "074", "075", "080", "083"])
    cccd = f"{province}{century_gender}{year % 100:02d}{rng.randrange(10**6):06d}"
    return f"{fam} {mid} {giv}", cccd, _phone(rng)


def _organisation(rng: random.Random) -> tuple[str, str, str]:
    name = f"{rng.choice(_ORG_FORMS)} {rng.choice(_ORG_WORDS)} {rng.choice(_ORG_NAMES)}"
    tax = f"03{rng.randrange(10**8):08d}"
    return name, tax, _phone(rng)


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.04:
        return ""
    return f"09{rng.randrange(10**8):08d}"
