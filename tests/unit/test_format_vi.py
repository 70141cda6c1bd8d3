"""Vietnamese number formatting and English plurals of user-facing text (cchc_etl/format_vi.py)."""

import pytest

from cchc_etl.format_vi import counted, fraction, noun, number, percent, seconds


@pytest.mark.parametrize("value, decimals, text", [
    (0, 0, "0"), (7, 0, "7"), (1777, 0, "1.777"), (1234567, 0, "1.234.567"), (-1777, 0, "-1.777"),
    (1777.0, 0, "1.777"), (2.5, 0, "2"), (3.5, 0, "4"),  # whole numbers round half to even, like Python
    (96.8889, 2, "96,89"), (1234.5, 1, "1.234,5"), (0.05, 2, "0,05"), (1e6, 2, "1.000.000,00"),
])
def test_number(value, decimals, text):
    assert number(value, decimals) == text


def test_percent_fraction_seconds():
    assert percent(96.8889) == "96,89 %"
    assert percent(100) == "100,00 %"
    assert percent(None) == "N/A"
    assert percent(12.345, 1) == "12,3 %"
    assert fraction(1777, 1834.0) == "(1.777/1.834)"
    assert seconds(45.04) == "45,0 s"


def test_plurals():
    assert [noun(n, "check") for n in (0, 1, 2)] == ["checks", "check", "checks"]
    assert counted(1, "check") == "1 check" and counted(1024, "row") == "1.024 rows"
    assert counted(2, "workbook", "workbooks") == "2 workbooks" and noun(3, "entry", "entries") == "entries"
