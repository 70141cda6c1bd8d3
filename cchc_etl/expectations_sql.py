"""The suites' row-level expectations as DuckDB SQL, counted over every row of a partition.

Great Expectations validates a bounded sample of a large month (``cchc_etl.validation``); the
counts each check reports (element_count, unexpected_count, unexpected_percent) and its pass or
fail come from these expressions over all rows, with GX's own rules:

- a *map* expectation (one value or one pair of values per row) has a domain: the rows it does
  not ignore (``missing``, e.g. NULL for ``expect_column_values_to_be_in_set``); among them the
  ``unexpected`` ones count. ``unexpected_percent`` = unexpected / rows in the domain (None when
  the domain is empty, which passes); ``mostly`` = the share of the domain that must be expected;
- ``expect_compound_columns_to_be_unique``: the rows whose combination occurs more than once
  among the rows not ignored (NULLs equal to each other, as pandas ``duplicated`` has them);
- ``expect_table_row_count_to_be_between``: the row count within the bounds.

Pure functions: an expectation's type and kwargs (and the columns' DuckDB types, for the NaN
pandas treats as missing) -> SQL text. An expectation this module has no translation for
(another type, or a kwarg it does not know) gives None: its result is GX's on the sample, and the
check says so (``gx_sampled``). ``tests/unit/test_expectations_sql.py`` holds each translation to GX's
result on the same rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

_FLOAT_TYPES = ("FLOAT", "DOUBLE", "REAL", "FLOAT4", "FLOAT8")
# kwargs any expectation may carry without changing what is counted
_NEUTRAL = frozenset({"result_format", "catch_exceptions", "meta", "batch_id", "include_config"})


@dataclass(frozen=True)
class Counting:
    """How one expectation is counted. ``kind``: ``map`` (``unexpected`` among the rows not
    ``missing``), ``unique`` (``columns`` duplicated among the rows not ``missing``) or ``table``
    (the row count between ``min_value`` and ``max_value``)."""

    kind: str
    columns: tuple[str, ...] = ()
    missing: str = "false"  # SQL: the row is outside the expectation's domain
    unexpected: str = "false"  # SQL: the row (in the domain) is unexpected; map only
    mostly: float = 1.0
    min_value: float | None = None
    max_value: float | None = None


def quote(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def literal(value) -> str | None:
    """A Python value as a DuckDB literal; None for a value this module does not translate."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else None
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return None


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def is_missing(column: str, types: dict[str, str] | None = None) -> str:
    """SQL: the column's value is missing as pandas sees it (NULL, and NaN in a float column)."""
    col = quote(column)
    kind = (types or {}).get(column, "").upper()
    return f"({col} IS NULL OR isnan({col}))" if kind in _FLOAT_TYPES else f"{col} IS NULL"


def translate(type_: str, kwargs: dict, types: dict[str, str] | None = None) -> Counting | None:
    """The SQL counting of one expectation (``type_``, ``kwargs`` as in expectations/*.json);
    None if there is no exact translation."""
    kwargs = {k: v for k, v in kwargs.items() if k not in _NEUTRAL}
    mostly = kwargs.pop("mostly", 1.0)
    if not _number(mostly) or not 0 <= mostly <= 1:
        return None

    def allowed(*names: str) -> bool:
        return set(kwargs) <= set(names)

    if type_ == "expect_table_row_count_to_be_between":
        lo, hi = kwargs.get("min_value"), kwargs.get("max_value")
        if not allowed("min_value", "max_value") or any(v is not None and not _number(v) for v in (lo, hi)):
            return None
        return Counting("table", min_value=lo, max_value=hi)

    if type_ == "expect_column_values_to_not_be_null":
        if not allowed("column"):
            return None
        return Counting("map", (kwargs["column"],), missing="false", unexpected=is_missing(kwargs["column"], types), mostly=mostly)

    if type_ == "expect_column_values_to_be_in_set":
        if not allowed("column", "value_set") or not isinstance(kwargs.get("value_set"), (list, tuple, set, frozenset)):
            return None
        values = [literal(v) for v in kwargs["value_set"]]
        if any(v is None for v in values):
            return None
        column = kwargs["column"]
        test = f"{quote(column)} NOT IN ({', '.join(values)})" if values else "true"
        return Counting("map", (column,), missing=is_missing(column, types), unexpected=test, mostly=mostly)

    if type_ == "expect_column_values_to_be_between":
        if not allowed("column", "min_value", "max_value", "strict_min", "strict_max"):
            return None
        lo, hi = kwargs.get("min_value"), kwargs.get("max_value")
        if (lo is None and hi is None) or any(v is not None and not _number(v) for v in (lo, hi)):
            return None
        column = kwargs["column"]
        col = quote(column)
        outside = []
        if lo is not None:
            outside.append(f"{col} {'<=' if kwargs.get('strict_min') else '<'} {literal(lo)}")
        if hi is not None:
            outside.append(f"{col} {'>=' if kwargs.get('strict_max') else '>'} {literal(hi)}")
        return Counting("map", (column,), missing=is_missing(column, types), unexpected=" OR ".join(outside), mostly=mostly)

    if type_ == "expect_column_pair_values_a_to_be_greater_than_b":
        if not allowed("column_A", "column_B", "or_equal", "ignore_row_if"):
            return None
        a, b = kwargs["column_A"], kwargs["column_B"]
        ignore = kwargs.get("ignore_row_if", "both_values_are_missing")
        missing_a, missing_b = is_missing(a, types), is_missing(b, types)
        missing = {"both_values_are_missing": f"({missing_a} AND {missing_b})",
                   "either_value_is_missing": f"({missing_a} OR {missing_b})", "neither": "false"}.get(ignore)
        if missing is None:
            return None
        # a row with one value missing, when not ignored, compares false in pandas: unexpected
        test = f"NOT coalesce({quote(a)} {'>=' if kwargs.get('or_equal') else '>'} {quote(b)}, false)"
        return Counting("map", (a, b), missing=missing, unexpected=test, mostly=mostly)

    if type_ == "expect_compound_columns_to_be_unique":
        if not allowed("column_list", "ignore_row_if") or not kwargs.get("column_list"):
            return None
        columns = tuple(kwargs["column_list"])
        missing_each = [is_missing(c, types) for c in columns]
        ignore = kwargs.get("ignore_row_if", "all_values_are_missing")
        missing = {"all_values_are_missing": "(" + " AND ".join(missing_each) + ")",
                   "any_value_is_missing": "(" + " OR ".join(missing_each) + ")", "never": "false"}.get(ignore)
        if missing is None:
            return None
        return Counting("unique", columns, missing=missing, mostly=mostly)

    return None


def counts_sql(relation: str, countings: list[Counting]) -> str:
    """One row: the relation's row count, then per ``map`` counting its missing and unexpected
    counts (a ``unique`` or ``table`` counting adds NULL, NULL: see ``duplicates_sql``)."""
    cols = ["count(*)"]
    for c in countings:
        if c.kind == "map":
            cols += [f"count(*) FILTER (WHERE {c.missing})", f"count(*) FILTER (WHERE NOT ({c.missing}) AND ({c.unexpected}))"]
        else:
            cols += ["NULL", "NULL"]
    return f"SELECT {', '.join(cols)} FROM {relation}"


def duplicates_sql(relation: str, counting: Counting) -> str:
    """One row for a ``unique`` counting: rows ignored, rows whose combination repeats."""
    keys = ", ".join(quote(c) for c in counting.columns)
    return (f"SELECT (SELECT count(*) FROM {relation} WHERE {counting.missing}), "
            f"(SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM {relation} WHERE NOT ({counting.missing}) "
            f"GROUP BY {keys} HAVING count(*) > 1))")


def unexpected_rows_sql(relation: str, counting: Counting, limit: int = 10) -> str | None:
    """Up to ``limit`` unexpected values (first by value: the same on every run), for the check's
    sample list; None for a table counting."""
    keys = ", ".join(quote(c) for c in counting.columns)
    if counting.kind == "map":
        return f"SELECT {keys} FROM {relation} WHERE NOT ({counting.missing}) AND ({counting.unexpected}) ORDER BY ALL LIMIT {int(limit)}"
    if counting.kind == "unique":
        return (f"SELECT {keys} FROM {relation} WHERE NOT ({counting.missing}) GROUP BY ALL HAVING count(*) > 1 "
                f"ORDER BY ALL LIMIT {int(limit)}")
    return None


@dataclass(frozen=True)
class Counts:
    success: bool
    element_count: int
    unexpected_count: int | None
    unexpected_percent: float | None


def result(counting: Counting, rows: int, missing: int = 0, unexpected: int = 0) -> Counts:
    """Pass or fail and the counts, by GX's rules, from the SQL counts over ``rows`` rows."""
    if counting.kind == "table":
        ok = (counting.min_value is None or rows >= counting.min_value) and (counting.max_value is None or rows <= counting.max_value)
        return Counts(ok, rows, None, None)
    considered = rows - missing
    if considered <= 0:
        return Counts(True, rows, unexpected, None)
    percent = 100.0 * unexpected / considered
    return Counts((considered - unexpected) / considered >= counting.mostly, rows, unexpected, percent)
