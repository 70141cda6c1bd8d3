"""What a Great Expectations expectation checks, in Vietnamese and English, from its type, its
arguments and the contract's name of each column (the first header spelling the contract lists
for the field, e.g. "Mã hồ sơ" for dossier_id). A suite's own ``meta.description`` takes
precedence; an expectation type not described here needs one."""

from __future__ import annotations

from cchc_etl.contract import SourceSpec

# staged columns that are not fields of the contract
OTHER_COLUMNS_VI = {"system": "Hệ thống xuất dữ liệu", "month": "Tháng báo cáo"}


def column_label(spec: SourceSpec, column: str) -> str:
    for f in spec.fields:
        if column in (f.name, f.staged_name) and f.aliases:
            return f"{f.aliases[0]} ({column})"
    return f"{OTHER_COLUMNS_VI[column]} ({column})" if column in OTHER_COLUMNS_VI else column


def _number(value, *, vi: bool) -> str:
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return text.replace(".", ",") if vi else text


def describe(type_: str, kwargs: dict, spec: SourceSpec) -> tuple[str, str] | None:
    """(Vietnamese, English) for the expectation, or None for a type this module does not know."""
    col = kwargs.get("column")
    label = column_label(spec, col) if col else ""
    if type_ == "expect_column_values_to_not_be_null":
        mostly = kwargs.get("mostly")
        if mostly is None:
            return f"{label} không được để trống", f"{col} is never empty"
        pct = round(100 * mostly, 2)
        return (f"Ít nhất {_number(pct, vi=True)} % số dòng có {label}", f"at least {_number(pct, vi=False)}% of rows have {col}")
    if type_ == "expect_column_values_to_be_in_set":
        values = ", ".join(str(v) for v in kwargs["value_set"])
        return f"{label} chỉ nhận một trong các giá trị: {values}", f"{col} is one of: {values}"
    if type_ == "expect_compound_columns_to_be_unique":
        cols = kwargs["column_list"]
        return (f"Mỗi tổ hợp {' + '.join(column_label(spec, c) for c in cols)} chỉ có một dòng trong tháng",
                f"one row per ({', '.join(cols)}) in the month")
    if type_ == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = kwargs["column_A"], kwargs["column_B"]
        vi_rel, en_rel = ("không sớm hơn", "is not before") if kwargs.get("or_equal") else ("muộn hơn", "is after")
        return (f"{column_label(spec, a)} {vi_rel} {column_label(spec, b)} (khi có cả hai)",
                f"{a} {en_rel} {b} (when both are present)")
    if type_ in ("expect_column_values_to_be_between", "expect_table_row_count_to_be_between"):
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        if type_ == "expect_table_row_count_to_be_between":
            subject_vi, subject_en = "Số dòng của tháng", "the month's row count"
        else:
            subject_vi, subject_en = label, col
        if low is not None and high is not None:
            return (f"{subject_vi} trong khoảng {_number(low, vi=True)}–{_number(high, vi=True)}",
                    f"{subject_en} is between {low} and {high}")
        if low is not None:
            return f"{subject_vi} ≥ {_number(low, vi=True)}", f"{subject_en} is at least {low}"
        if high is not None:
            return f"{subject_vi} ≤ {_number(high, vi=True)}", f"{subject_en} is at most {high}"
    return None
