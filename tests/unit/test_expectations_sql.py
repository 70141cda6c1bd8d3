"""cchc_etl.expectations_sql: each expectation type's SQL count over a real DuckDB table gives
what Great Expectations gives on the same rows (pass or fail, element_count, unexpected_count,
unexpected_percent), with NULLs, NaN, bounds, duplicates and empty tables among them."""

import duckdb
import pytest

from cchc_etl import expectations_sql as xsql
from cchc_etl.validation import ExpectationDef, SuiteDef, all_suites, run_suite, to_frame


# text, whole numbers, floats (NaN as well as NULL), timestamps; values on and beyond the bounds,
# repeated combinations (with a NULL in them too), empty and Vietnamese text
ROWS = """
    ('x',   '1',  0,    0.0,          TIMESTAMP '2024-01-02 08:00', TIMESTAMP '2024-01-01 08:00', 'Quận 1'),
    ('y',   '1',  20,   20.0,         TIMESTAMP '2024-01-01 08:00', TIMESTAMP '2024-01-01 08:00', 'Quận 1'),
    (NULL,  NULL, NULL, NULL,         NULL,                         TIMESTAMP '2024-01-01 08:00', NULL),
    ('z',   '2',  21,   'NaN'::DOUBLE, TIMESTAMP '2024-01-01 07:59', TIMESTAMP '2024-01-01 08:00', 'Phường Bến Nghé'),
    ('x',   '1',  -1,   -0.5,         TIMESTAMP '2024-01-03 00:00', NULL,                         'Quận 1'),
    (NULL,  NULL, 5,    20.5,         NULL,                         NULL,                         ''),
    ('x',   NULL, 7,    'NaN'::DOUBLE, TIMESTAMP '2024-01-05 00:00', TIMESTAMP '2024-01-04 00:00', ''),
    ('x',   NULL, 7,    3.0,          TIMESTAMP '2024-01-04 00:00', TIMESTAMP '2024-01-05 00:00', 'Quận 1'),
    ('',    '3',  NULL, 1.0,          TIMESTAMP '2024-01-06 00:00', TIMESTAMP '2024-01-06 00:00', NULL),
    ('',    '3',  2,    NULL,         TIMESTAMP '2024-01-07 00:00', TIMESTAMP '2024-01-08 00:00', 'Phường Bến Nghé')
"""
COLUMNS = "a VARCHAR, b VARCHAR, n INTEGER, f DOUBLE, t1 TIMESTAMP, t2 TIMESTAMP, unit VARCHAR"

CASES = [
    ("expect_table_row_count_to_be_between", {"min_value": 1}),
    ("expect_table_row_count_to_be_between", {"min_value": 11}),
    ("expect_table_row_count_to_be_between", {"min_value": 2, "max_value": 9}),
    ("expect_table_row_count_to_be_between", {"max_value": 10}),
    ("expect_column_values_to_not_be_null", {"column": "a"}),
    ("expect_column_values_to_not_be_null", {"column": "a", "mostly": 0.8}),
    ("expect_column_values_to_not_be_null", {"column": "a", "mostly": 0.81}),
    ("expect_column_values_to_not_be_null", {"column": "f"}),  # NaN is missing to pandas
    ("expect_column_values_to_not_be_null", {"column": "t2", "mostly": 0.95}),
    ("expect_column_values_to_be_in_set", {"column": "a", "value_set": ["x", "y"]}),
    ("expect_column_values_to_be_in_set", {"column": "a", "value_set": ["x", "y", "z", ""]}),
    ("expect_column_values_to_be_in_set", {"column": "a", "value_set": ["x"], "mostly": 0.5}),
    ("expect_column_values_to_be_in_set", {"column": "unit", "value_set": ["Quận 1", "Phường Bến Nghé"]}),
    ("expect_column_values_to_be_in_set", {"column": "n", "value_set": [0, 2, 5, 7, 20]}),
    ("expect_column_values_to_be_in_set", {"column": "f", "value_set": [0.0, 1.0, 3.0]}),
    ("expect_column_values_to_be_between", {"column": "n", "min_value": 0, "max_value": 20}),
    ("expect_column_values_to_be_between", {"column": "n", "min_value": 0, "max_value": 20, "strict_min": True}),
    ("expect_column_values_to_be_between", {"column": "n", "min_value": 0, "max_value": 20, "strict_max": True}),
    ("expect_column_values_to_be_between", {"column": "n", "min_value": 5}),
    ("expect_column_values_to_be_between", {"column": "n", "max_value": 6, "mostly": 0.5}),
    ("expect_column_values_to_be_between", {"column": "f", "min_value": 0, "max_value": 20}),
    ("expect_column_pair_values_a_to_be_greater_than_b",
     {"column_A": "t1", "column_B": "t2", "or_equal": True, "ignore_row_if": "either_value_is_missing"}),
    ("expect_column_pair_values_a_to_be_greater_than_b",
     {"column_A": "t1", "column_B": "t2", "ignore_row_if": "either_value_is_missing"}),
    ("expect_column_pair_values_a_to_be_greater_than_b", {"column_A": "t1", "column_B": "t2", "or_equal": True}),
    ("expect_column_pair_values_a_to_be_greater_than_b", {"column_A": "t1", "column_B": "t2", "ignore_row_if": "neither"}),
    ("expect_column_pair_values_a_to_be_greater_than_b",
     {"column_A": "n", "column_B": "f", "or_equal": True, "ignore_row_if": "either_value_is_missing", "mostly": 0.5}),
    ("expect_compound_columns_to_be_unique", {"column_list": ["a", "b"]}),
    ("expect_compound_columns_to_be_unique", {"column_list": ["a", "b"], "ignore_row_if": "any_value_is_missing"}),
    ("expect_compound_columns_to_be_unique", {"column_list": ["a", "b"], "ignore_row_if": "never"}),
    ("expect_compound_columns_to_be_unique", {"column_list": ["a", "unit", "n"]}),
    ("expect_compound_columns_to_be_unique", {"column_list": ["b", "f"]}),
]


def _gx(con, relation: str, type_: str, kwargs: dict):
    suite = SuiteDef("sql_vs_gx", "staging/t", relation, None, (ExpectationDef("case", type_, kwargs, "critical", ""),))
    cols = ", ".join(xsql.quote(c) for c in suite.columns)
    table = con.execute(f"SELECT {cols or '*'} FROM {relation}").to_arrow_table()  # as the pipeline hands GX a partition
    (outcome,) = run_suite(suite, to_frame(table))
    assert outcome.error is None, outcome.error
    return outcome


def _sql(con, relation: str, type_: str, kwargs: dict):
    types = {name: t for name, t, *_ in con.execute(f"DESCRIBE {relation}").fetchall()}
    counting = xsql.translate(type_, kwargs, types)
    assert counting is not None, (type_, kwargs)
    rows, missing, unexpected = con.execute(xsql.counts_sql(relation, [counting])).fetchone()
    if counting.kind == "unique":
        missing, unexpected = con.execute(xsql.duplicates_sql(relation, counting)).fetchone()
    return xsql.result(counting, rows, int(missing or 0), int(unexpected or 0))


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    con.execute(f"CREATE TABLE t ({COLUMNS}); INSERT INTO t VALUES {ROWS}")
    con.execute(f"CREATE TABLE empty ({COLUMNS})")
    con.execute("CREATE TABLE all_null AS SELECT * FROM t WHERE false UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM range(3)")
    yield con
    con.close()


@pytest.mark.parametrize("relation", ["t", "all_null", "empty"])
@pytest.mark.parametrize(("type_", "kwargs"), CASES, ids=[f"{t.removeprefix('expect_')}-{i}" for i, (t, _) in enumerate(CASES)])
def test_sql_counts_agree_with_great_expectations(con, relation, type_, kwargs):
    gx = _gx(con, relation, type_, kwargs)
    sql = _sql(con, relation, type_, kwargs)
    assert sql.success == gx.success
    assert sql.element_count == gx.element_count
    assert sql.unexpected_count == gx.unexpected_count
    if gx.unexpected_percent is None:
        assert sql.unexpected_percent is None
    else:
        assert sql.unexpected_percent == pytest.approx(gx.unexpected_percent, rel=1e-12)


def test_the_cases_make_each_translation_count_something(con):
    """Not vacuous: on the table ``t`` every type has a case that fails and one that passes, and
    the map cases count unexpected rows."""
    outcomes = {}
    for type_, kwargs in CASES:
        outcomes.setdefault(type_, set()).add(_sql(con, "t", type_, kwargs).success)
    assert all(v == {True, False} for v in outcomes.values()), outcomes
    assert _sql(con, "t", "expect_compound_columns_to_be_unique", {"column_list": ["a", "b"]}).unexpected_count == 6  # (x, 1), (x, NULL), ("", 3) twice each


def test_every_expectation_of_the_suites_has_a_translation():
    """The suites' checks are all counted over every row of a large month, none left to the sample."""
    seen = set()
    for suite in all_suites():  # the contract's baseline and the files' own rules
        for e in suite.expectations:
            assert xsql.translate(e.type, e.kwargs) is not None, (suite.name, e.type, e.kwargs)
            seen.add(e.type)
    assert seen == {t for t, _ in CASES}


@pytest.mark.parametrize(("type_", "kwargs"), [
    ("expect_column_values_to_match_regex", {"column": "a", "regex": "^x"}),  # no translation: GX's on the sample
    ("expect_column_values_to_be_in_set", {"column": "a", "value_set": ["x"], "row_condition": 'b=="1"'}),  # a kwarg it does not know
    ("expect_column_values_to_be_in_set", {"column": "a", "value_set": [None, "x"]}),
    ("expect_column_values_to_be_between", {"column": "t1", "min_value": "2024-01-01"}),
    ("expect_column_values_to_be_between", {"column": "n"}),
    ("expect_column_pair_values_a_to_be_greater_than_b", {"column_A": "t1", "column_B": "t2", "ignore_row_if": "sometimes"}),
    ("expect_column_values_to_not_be_null", {"column": "a", "mostly": 1.5}),
])
def test_what_has_no_exact_translation_is_left_to_gx(type_, kwargs):
    assert xsql.translate(type_, kwargs) is None


def test_unexpected_values_listed_first_by_value(con):
    counting = xsql.translate("expect_column_values_to_be_in_set", {"column": "a", "value_set": ["x"]})
    assert [r[0] for r in con.execute(xsql.unexpected_rows_sql("t", counting, limit=3)).fetchall()] == ["", "", "y"]
    unique = xsql.translate("expect_compound_columns_to_be_unique", {"column_list": ["a", "b"]})
    assert con.execute(xsql.unexpected_rows_sql("t", unique)).fetchall() == [("", "3"), ("x", "1"), ("x", None)]
    table = xsql.translate("expect_table_row_count_to_be_between", {"min_value": 1})
    assert xsql.unexpected_rows_sql("t", table) is None
