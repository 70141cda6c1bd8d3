"""The fixed unit and procedure catalogue of the samples (``ORG_UNITS``, ``PROCEDURES``) and the
receiving units per exporting system."""

from __future__ import annotations

from dataclasses import dataclass

from cchc_etl.sample.common import _nfc


@dataclass(frozen=True)
class OrgUnit:
    unit_code: str
    name: str
    level: str  # city, department, district, commune, unit
    parent_code: str
    valid_from: str
    valid_to: str = ""
    successor_code: str = ""
    category: str = ""


_VF = "2015-01-01"

ORG_UNITS: tuple[OrgUnit, ...] = tuple(
    OrgUnit(*(_nfc(x) for x in row))
    for row in [
        ("HCM", "Thành phố Hồ Chí Minh", "city", "", _VF, "", "", ""),
        # departments (Sở)
        ("STP", "Sở Tư pháp", "department", "HCM", _VF, "", "", ""),
        ("STNMT", "Sở Tài nguyên và Môi trường", "department", "HCM", _VF, "", "", ""),
        ("SKHDT", "Sở Kế hoạch và Đầu tư", "department", "HCM", _VF, "", "", ""),
        ("SXD", "Sở Xây dựng", "department", "HCM", _VF, "", "", ""),
        ("SCT", "Sở Công Thương", "department", "HCM", _VF, "", "", ""),
        ("SGTVT", "Sở Giao thông vận tải", "department", "HCM", _VF, "", "", ""),
        ("SLDTBXH", "Sở Lao động - Thương binh và Xã hội", "department", "HCM", _VF, "", "", ""),
        ("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn", "department", "HCM", _VF, "", "", ""),
        # land-registry branches under the natural-resources department
        ("VPDK_Q1", "Chi nhánh Văn phòng Đăng ký đất đai Quận 1", "unit", "STNMT", _VF, "", "",
         "land_registry_branch"),
        ("VPDK_Q3", "Chi nhánh Văn phòng Đăng ký đất đai Quận 3", "unit", "STNMT", _VF, "", "",
         "land_registry_branch"),
        ("VPDK_CC", "Chi nhánh Văn phòng Đăng ký đất đai huyện Củ Chi", "unit", "STNMT", _VF, "",
         "", "land_registry_branch"),
        # districts and their communes / wards
        ("Q1", "Quận 1", "district", "HCM", _VF, "", "", "urban_district"),
        ("Q1_BN", "Phường Bến Nghé", "commune", "Q1", _VF, "", "", "ward"),
        ("Q1_BT", "Phường Bến Thành", "commune", "Q1", _VF, "", "", "ward"),
        ("Q1_DK", "Phường Đa Kao", "commune", "Q1", _VF, "", "", "ward"),
        ("Q3", "Quận 3", "district", "HCM", _VF, "", "", "urban_district"),
        ("Q3_VTS", "Phường Võ Thị Sáu", "commune", "Q3", _VF, "", "", "ward"),
        ("Q3_P9", "Phường 9", "commune", "Q3", _VF, "", "", "ward"),
        # historic ward, merged into Phường 9 at the end of 2023 (no dossier references it)
        ("Q3_P12", "Phường 12", "commune", "Q3", _VF, "2023-12-31", "Q3_P9", "ward"),
        ("CC", "Huyện Củ Chi", "district", "HCM", _VF, "", "", "rural_district"),
        ("CC_TT", "Thị trấn Củ Chi", "commune", "CC", _VF, "", "", "town"),
        ("CC_TTD", "Xã Tân Thạnh Đông", "commune", "CC", _VF, "", "", "commune"),
        ("CC_PVA", "Xã Phước Vĩnh An", "commune", "CC", _VF, "", "", "commune"),
    ]
)

_ORG_BY_CODE = {u.unit_code: u for u in ORG_UNITS}
_DEPARTMENTS = [u.unit_code for u in ORG_UNITS if u.level == "department"]
_DISTRICTS = [u.unit_code for u in ORG_UNITS if u.level == "district"]
_COMMUNES = [u.unit_code for u in ORG_UNITS if u.level == "commune" and not u.valid_to]
_LAND_BRANCHES = [u.unit_code for u in ORG_UNITS if u.category == "land_registry_branch"]


@dataclass(frozen=True)
class Procedure:
    procedure_code: str
    name: str
    field_name: str
    level: str  # province / district / commune
    online_service_level: str  # full / partial / none
    full_online_eligible: bool
    fee_required: bool
    result_required: bool
    statutory_days: float
    statutory_unit: str  # working_days / days / hours / months
    target_group: str
    weight: float  # relative monthly volume (generator only, not written)
    owners: tuple[str, ...]  # receiving units (generator only, not written)
    org_applicant: float = 0.0  # share of organisations among applicants
    valid_from: str = _VF
    valid_to: str = ""


def _code(a: int, b: int) -> str:
    return f"{a}.{b:06d}.000.00.00.H29"


_P, _D, _C = "province", "district", "commune"
_F, _PA, _N = "full", "partial", "none"
_WD, _DAYS, _H, _M = "working_days", "days", "hours", "months"
_LB = tuple(_LAND_BRANCHES)
_DI = tuple(_DISTRICTS)
_CO = tuple(_COMMUNES)

PROCEDURES: tuple[Procedure, ...] = tuple(
    Procedure(row[0], _nfc(row[1]), _nfc(row[2]), *row[3:])
    for row in [
        # --- Tư pháp
        (_code(2, 1417), "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam",
         "Lý lịch tư pháp", _P, _F, True, True, True, 10, _WD, "", 6.0, ("STP",)),
        (_code(1, 1193), "Đăng ký khai sinh", "Hộ tịch", _C, _F, True, False, True, 1, _WD, "", 6.0, _CO),
        (_code(1, 894), "Đăng ký kết hôn", "Hộ tịch", _C, _PA, False, False, True, 3, _WD, "", 2.0, _CO),
        (_code(1, 656), "Đăng ký khai tử", "Hộ tịch", _C, _F, True, False, True, 1, _WD, "", 1.5, _CO),
        (_code(2, 908), "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp",
         "Chứng thực", _C, _PA, False, True, True, 8, _H, "", 12.0, _CO),
        (_code(1, 1022), "Cấp bản sao trích lục hộ tịch", "Hộ tịch", _C, _F, True, True, True, 1, _WD, "", 3.0, _CO),
        (_code(1, 1695), "Đăng ký khai sinh có yếu tố nước ngoài", "Hộ tịch", _D, _PA, False, True, True, 15, _WD,
         "", 0.5, _DI),
        (_code(2, 815), "Chứng thực chữ ký trong các giấy tờ, văn bản", "Chứng thực", _D, _N, False, True, True, 1,
         _WD, "", 4.0, _DI),
        # --- Đất đai (land)
        (_code(1, 4227), "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
         "Đất đai", _P, _PA, False, True, True, 10, _WD, "land", 10.0, _LB),
        (_code(1, 3003), "Cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất lần đầu",
         "Đất đai", _P, _PA, False, True, True, 20, _WD, "land", 3.0, _LB),
        (_code(1, 1990), "Đăng ký thế chấp quyền sử dụng đất, tài sản gắn liền với đất",
         "Đăng ký biện pháp bảo đảm", _P, _F, True, True, True, 3, _WD, "land", 8.0, _LB, 0.3),
        (_code(1, 2273), "Xóa đăng ký thế chấp quyền sử dụng đất, tài sản gắn liền với đất",
         "Đăng ký biện pháp bảo đảm", _P, _F, True, True, False, 3, _WD, "land", 5.0, _LB, 0.3),
        (_code(1, 4238), "Cấp đổi Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất",
         "Đất đai", _P, _PA, False, True, True, 7, _WD, "land", 4.0, _LB),
        (_code(1, 4269), "Thẩm định nhu cầu sử dụng đất để xem xét giao đất, cho thuê đất cho tổ chức",
         "Đất đai", _P, _PA, False, False, True, 30, _DAYS, "land", 0.3, ("STNMT",), 1.0),
        (_code(1, 5399), "Cấp giấy phép khai thác, sử dụng nước dưới đất", "Tài nguyên nước", _P, _PA, False, True,
         True, 25, _WD, "", 0.3, ("STNMT",), 0.8),
        (_code(2, 381), "Giao đất, cho thuê đất cho hộ gia đình, cá nhân", "Đất đai", _D, _PA, False, True, True,
         20, _WD, "land", 0.3, _DI),
        # --- Đầu tư / doanh nghiệp (investment)
        (_code(2, 1610), "Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên",
         "Thành lập và hoạt động của doanh nghiệp", _P, _F, True, True, True, 3, _WD, "investment", 6.0,
         ("SKHDT",), 0.9),
        (_code(2, 2017), "Đăng ký thành lập doanh nghiệp tư nhân", "Thành lập và hoạt động của doanh nghiệp", _P,
         _F, True, True, True, 3, _WD, "investment", 1.5, ("SKHDT",)),
        (_code(1, 5077), "Đăng ký thay đổi nội dung đăng ký doanh nghiệp",
         "Thành lập và hoạt động của doanh nghiệp", _P, _F, True, True, True, 3, _WD, "investment", 7.0,
         ("SKHDT",), 0.95),
        (_code(1, 9645), "Cấp Giấy chứng nhận đăng ký đầu tư đối với dự án không thuộc diện chấp thuận chủ trương đầu tư",
         "Đầu tư tại Việt Nam", _P, _PA, False, False, True, 15, _WD, "investment", 0.8, ("SKHDT",), 1.0),
        (_code(1, 9644), "Chấp thuận chủ trương đầu tư của Ủy ban nhân dân cấp tỉnh", "Đầu tư tại Việt Nam", _P,
         _PA, False, False, True, 35, _DAYS, "investment", 0.2, ("SKHDT",), 1.0),
        (_code(2, 575), "Đăng ký thành lập hộ kinh doanh", "Thành lập và hoạt động của hộ kinh doanh", _D, _F,
         True, True, True, 3, _WD, "investment", 6.0, _DI),
        # --- Xây dựng
        (_code(1, 9972), "Cấp giấy phép xây dựng mới đối với công trình cấp I, II", "Hoạt động xây dựng", _P, _PA,
         False, True, True, 20, _WD, "", 0.5, ("SXD",), 0.9),
        (_code(1, 9974), "Thẩm định Báo cáo nghiên cứu khả thi đầu tư xây dựng", "Hoạt động xây dựng", _P, _PA,
         False, True, True, 25, _WD, "investment", 0.3, ("SXD",), 1.0),
        (_code(1, 9994), "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ", "Hoạt động xây dựng", _D, _PA,
         False, True, True, 15, _WD, "", 4.0, _DI),
        # --- Công Thương
        (_code(2, 633), "Cấp Giấy phép bán lẻ sản phẩm rượu", "Lưu thông hàng hóa trong nước", _D, _F, True,
         True, True, 10, _WD, "", 0.5, _DI, 0.5),
        (_code(2, 162), "Cấp Giấy chứng nhận cửa hàng đủ điều kiện bán lẻ xăng dầu", "Kinh doanh khí", _P, _PA,
         False, True, True, 15, _WD, "", 0.3, ("SCT",), 1.0),
        (_code(2, 591), "Cấp Giấy phép kinh doanh bán buôn sản phẩm thuốc lá", "Lưu thông hàng hóa trong nước",
         _P, _F, True, True, True, 15, _WD, "", 0.3, ("SCT",), 1.0),
        # --- Giao thông vận tải
        (_code(1, 2804), "Đổi giấy phép lái xe do ngành Giao thông vận tải cấp", "Đường bộ", _P, _F, True, True,
         True, 5, _WD, "", 12.0, ("SGTVT",)),
        (_code(1, 2820), "Cấp giấy phép lái xe quốc tế", "Đường bộ", _P, _F, True, True, True, 5, _WD, "", 1.5,
         ("SGTVT",)),
        (_code(1, 2861), "Cấp phù hiệu xe ô tô kinh doanh vận tải", "Đường bộ", _P, _F, True, False, True, 2, _WD,
         "", 3.0, ("SGTVT",), 0.8),
        # --- Lao động - Thương binh và Xã hội
        (_code(1, 459), "Cấp giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam", "Việc làm",
         _P, _F, True, True, True, 5, _WD, "investment", 2.0, ("SLDTBXH",), 0.9),
        (_code(1, 1758), "Giải quyết chế độ trợ cấp ưu đãi đối với thân nhân người có công", "Người có công", _P,
         _PA, False, False, True, 12, _WD, "", 0.8, ("SLDTBXH",)),
        (_code(1, 1776), "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hàng tháng", "Bảo trợ xã hội", _C, _PA,
         False, False, True, 15, _WD, "", 1.0, _CO),
        # --- Nông nghiệp và Phát triển nông thôn
        (_code(2, 1827), "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm nông, lâm, thủy sản",
         "Quản lý chất lượng nông lâm sản và thủy sản", _P, _PA, False, True, True, 15, _WD, "", 0.6,
         ("SNNPTNT",), 0.9),
        (_code(1, 3619), "Cấp chứng chỉ hành nghề thú y", "Thú y", _P, _F, True, True, True, 5, _WD, "", 0.3,
         ("SNNPTNT",)),
        # --- Khiếu nại, tố cáo (complaints)
        (_code(2, 2409), "Giải quyết khiếu nại lần đầu tại cấp huyện", "Giải quyết khiếu nại", _D, _N, False,
         False, True, 30, _DAYS, "complaints", 0.3, _DI),
        (_code(2, 2410), "Giải quyết khiếu nại lần đầu tại cấp xã", "Giải quyết khiếu nại", _C, _N, False, False,
         True, 30, _DAYS, "complaints", 0.2, _CO),
        (_code(2, 2411), "Giải quyết tố cáo tại cấp huyện", "Giải quyết tố cáo", _D, _N, False, False, True, 2,
         _M, "complaints", 0.1, _DI),
        (_code(2, 2412), "Giải quyết khiếu nại lần đầu của Giám đốc Sở Tài nguyên và Môi trường",
         "Giải quyết khiếu nại", _P, _N, False, False, True, 30, _DAYS, "complaints", 0.2, ("STNMT",)),
        # --- abolished procedure (history only, no dossier uses it)
        (_code(1, 999), "Cấp Giấy xác nhận tình trạng hôn nhân (mẫu cũ)", "Hộ tịch", _C, _PA, False, False,
         True, 3, _WD, "", 0.0, _CO, 0.0, _VF, "2023-06-30"),
    ]
)

_ACTIVE_PROCS = [p for p in PROCEDURES if p.weight > 0 and not p.valid_to]


def receiving_unit_codes() -> list[str]:
    """Unit codes that receive dossiers in the samples (departments, branches, districts, communes)."""
    return _DEPARTMENTS + _LAND_BRANCHES + _DISTRICTS + _COMMUNES


def active_procedure_codes() -> list[str]:
    """Procedure codes used by the sample dossiers (in force, non-zero volume)."""
    return [p.procedure_code for p in _ACTIVE_PROCS]


_UNIT_NUM = {code: 10 + i for i, code in enumerate(receiving_unit_codes())}


# receiving units per exporting system (surveys and feedback follow the dossier split)
_PROVINCE_UNITS = tuple(_DEPARTMENTS + _LAND_BRANCHES)
_LOCAL_UNITS = tuple(_DISTRICTS + _COMMUNES)
