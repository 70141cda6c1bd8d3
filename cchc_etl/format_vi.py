"""Numbers and counts in user-facing text: Vietnamese number formatting (``1.777``; ``96,89 %``)
and English plurals, for every message the command line prints."""

from __future__ import annotations


def number(value: float | int | None, decimals: int = 0) -> str:
    """``1777`` -> ``1.777``; ``1234.5, 1`` -> ``1.234,5``; ``None`` -> ``N/A``."""
    if value is None:
        return "N/A"
    text = f"{float(value):,.{decimals}f}" if decimals else f"{round(float(value)):,d}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def percent(value: float | None, decimals: int = 2) -> str:
    """``96.8889`` -> ``96,89 %``; ``None`` (no denominator) -> ``N/A``."""
    return "N/A" if value is None else f"{number(value, decimals)} %"


def fraction(numerator: float | None, denominator: float | None) -> str:
    """``(1.777/1.834)``: the counts behind a rate."""
    return f"({number(numerator)}/{number(denominator)})"


def seconds(value: float) -> str:
    """``12.345`` -> ``12,3 s``."""
    return f"{number(value, 1)} s"


def noun(n: int, singular: str, plural_form: str | None = None) -> str:
    """The English noun for ``n`` things: ``check`` for 1, ``checks`` otherwise."""
    return singular if n == 1 else (plural_form or singular + "s")


def counted(n: int, singular: str, plural_form: str | None = None) -> str:
    """``1 check``, ``2 checks``, ``1.024 rows``: the count in Vietnamese formatting, the noun in English."""
    return f"{number(n)} {noun(n, singular, plural_form)}"


__all__ = ["counted", "fraction", "noun", "number", "percent", "seconds"]
