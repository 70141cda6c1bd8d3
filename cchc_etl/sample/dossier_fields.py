"""Dossier columns: the canonical field order, the igate export's Vietnamese headers and cell
kinds, the words and codes the two vendors write for enumerations."""

from __future__ import annotations

from cchc_etl.sample.common import _nfc

# canonical field order (assets/sources/dossiers.yaml)
DOSSIER_FIELDS: tuple[str, ...] = (
    "dossier_id", "procedure_code", "procedure_name", "field_name", "unit_code", "channel",
    "online_service_level", "received_at", "due_at", "resolved_at", "returned_at", "status",
    "result_channel", "apology_sent", "fee_required", "paid_online", "digitized_input",
    "digitized_result", "synced_national_portal", "supplement_count", "supplement_requested_at",
    "supplement_completed_at", "e_result", "data_reused", "citizen_store_linked",
    "population_data_used", "applicant_name", "applicant_id", "applicant_phone",
)

# igate: (field, Vietnamese header, cell kind)
#   text | word (enum as Vietnamese word) | bool (Có/Không) | int
#   dt_cell (real Excel datetime cell) | dt_str ("dd/mm/yyyy HH:MM" text) | url (non-empty = yes)
_IGATE_COLUMNS: tuple[tuple[str, str, str], ...] = tuple(
    (f, _nfc(h), k)
    for f, h, k in [
        ("dossier_id", "Mã hồ sơ", "text"),
        ("procedure_code", "Mã thủ tục", "text"),
        ("procedure_name", "Tên thủ tục", "text"),
        ("field_name", "Lĩnh vực", "text"),
        ("unit_code", "Mã đơn vị", "text"),
        ("channel", "Kênh nộp", "word"),
        ("online_service_level", "Mức độ DVC", "word"),
        ("received_at", "Ngày tiếp nhận", "dt_str"),
        ("due_at", "Hạn xử lý", "dt_cell"),
        ("resolved_at", "Ngày có kết quả", "dt_cell"),
        ("returned_at", "Ngày trả kết quả", "dt_str"),
        ("status", "Trạng thái", "word"),
        ("result_channel", "Hình thức trả kết quả", "word"),
        ("apology_sent", "Thư xin lỗi", "bool"),
        ("fee_required", "Có phí/lệ phí", "bool"),
        ("paid_online", "Thanh toán trực tuyến", "bool"),
        ("digitized_input", "Số hóa thành phần hồ sơ", "bool"),
        ("digitized_result", "Số hóa kết quả", "bool"),
        ("synced_national_portal", "Đồng bộ Cổng DVC quốc gia", "bool"),
        ("supplement_count", "Số lần yêu cầu bổ sung", "int"),
        ("supplement_requested_at", "Ngày yêu cầu bổ sung", "dt_cell"),
        ("supplement_completed_at", "Ngày công dân bổ sung", "dt_str"),
        ("e_result", "Đường dẫn tệp kết quả", "url"),
        ("data_reused", "Tái sử dụng dữ liệu số hóa", "bool"),
        ("citizen_store_linked", "Lấy từ kho dữ liệu điện tử của tổ chức, cá nhân", "bool"),
        ("population_data_used", "Xác thực VNeID", "bool"),
        ("applicant_name", "Họ tên người nộp", "text"),
        ("applicant_id", "Số CMND/CCCD", "text"),
        ("applicant_phone", "Số điện thoại", "text"),
    ]
)
IGATE_HEADERS: dict[str, str] = {f: h for f, h, _ in _IGATE_COLUMNS}
IGATE_EXTRA_COLUMN = _nfc("Ghi chú nội bộ")

_WORDS: dict[str, dict[str, str]] = {
    "channel": {"direct": "Trực tiếp", "online": "Trực tuyến", "postal": "Bưu chính công ích"},
    "result_channel": {"direct": "Trực tiếp", "online": "Trực tuyến", "postal": "Bưu chính công ích"},
    "online_service_level": {"full": "Toàn trình", "partial": "Một phần", "none": ""},
    "status": {
        "submitted": "Chờ tiếp nhận",
        "processing": "Đang xử lý",
        "awaiting_supplement": "Chờ bổ sung",
        "suspended": "Tạm dừng",
        "resolved": "Đã có kết quả",
        "returned": "Đã trả kết quả",
        "rejected": "Từ chối",
        "withdrawn": "Công dân rút hồ sơ",
    },
}
_WORDS = {k: {a: _nfc(b) for a, b in v.items()} for k, v in _WORDS.items()}
_CODES: dict[str, dict[str, str]] = {
    "channel": {"direct": "1", "online": "2", "postal": "3"},
    "result_channel": {"direct": "1", "online": "2", "postal": "3"},
    "online_service_level": {"full": "4", "partial": "3", "none": "2"},
}
_OPEN = ("processing", "awaiting_supplement", "suspended")
_TERMINAL = ("resolved", "returned", "rejected", "withdrawn")

_IGATE_NOTES = [_nfc(s) for s in [
    "Đã liên hệ công dân qua điện thoại", "Chuyển phòng chuyên môn", "Hồ sơ liên thông",
    "Chờ ý kiến cơ quan phối hợp", "Đã nhắc hạn", "Kiểm tra lại thành phần hồ sơ",
]]
