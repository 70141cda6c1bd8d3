"""Scoring rules of ../shared/spec/methodology.md, one tiny hand-built fixture per rule.

Rows go straight into a real DuckDB file's staging tables (tests/support/scoring_fixture.py), the real
engine runs (build_dim_date, build_dossier_month_end, score_month / score_period, methodology
vn-2025.1), and the marts are compared with numbers computed BY HAND in the comments next to each
fixture.  No expectation is read back from the engine.

Conventions in the comments: co = carried over, rc = received, E/T/L = resolved early / on the due
date / late (report definition, dates), WR = withdrawn or rejected, PW / PO = open at period end
within / past the deadline, "idx ok" = on time by the IDX_2_1 index definition.
"""

from __future__ import annotations

import pytest

from tests.support.scoring_fixture import Wh

approx = pytest.approx


@pytest.fixture
def wh(tmp_path):
    w = Wh(tmp_path / "wh.duckdb")
    yield w
    w.close()


def _city_with(wh, *departments):
    wh.org("TP", "city")
    for d in departments:
        wh.org(d, "department", "TP")


def _counts(wh, ptype, start, unit, level, codes):
    return {c: wh.value(ptype, start, unit, level, c) for c in codes}


RPT = ("RPT_CARRIED_OVER", "RPT_RECEIVED", "RPT_RESOLVED_EARLY", "RPT_RESOLVED_ON_TIME", "RPT_RESOLVED_LATE",
       "RPT_WITHDRAWN_REJECTED", "RPT_PENDING_WITHIN", "RPT_PENDING_OVERDUE")


def _rpt(co, rc, e, t, late, wr, pw, po):
    return dict(zip(RPT, (co, rc, e, t, late, wr, pw, po)))


# =============================================================================================
# §1 periods: state as of the period end, carried over, quarter from the underlying rows


def _carry_jan(wh):
    _city_with(wh, "D1")
    # JANUARY export
    #   A  rc 01-10, due 02-05 17:00, processing      -> Jan: rc, PW (due 02-05 >= 01-31); idx ok (end 02-01 00:00 <= due)
    #   B  rc 01-05, due 01-20, resolved 01-15        -> Jan: rc, E; idx ok
    #   D  rc 2023-12-28, due 01-10 17:00, returned 01-12 09:00 -> Jan: co, L; idx late
    wh.dossier("2024-01", "A", "D1", "2024-01-10 08:00", "2024-02-05 17:00")
    wh.dossier("2024-01", "B", "D1", "2024-01-05 08:00", "2024-01-20 17:00", "resolved", "2024-01-15 10:00")
    wh.dossier("2024-01", "D", "D1", "2023-12-28 09:00", "2024-01-10 17:00", "returned", "2024-01-12 09:00")


def _carry_feb(wh):
    # FEBRUARY export
    #   A  now resolved 02-03 10:00 (due 02-05)        -> Feb: co, E; idx ok
    #   C  rc 02-10, due 02-20 17:00, processing       -> Feb: rc, PO (02-20 < 02-29); idx late (end 03-01 00:00 > due)
    #   (B and D closed in January: not in February at all)
    wh.dossier("2024-02", "A", "D1", "2024-01-10 08:00", "2024-02-05 17:00", "resolved", "2024-02-03 10:00")
    wh.dossier("2024-02", "C", "D1", "2024-02-10 08:00", "2024-02-20 17:00")


#            co rc  E  T  L WR PW PO
JAN_RPT = _rpt(1, 2, 1, 0, 1, 0, 1, 0)
FEB_RPT = _rpt(1, 1, 1, 0, 0, 0, 0, 1)
# Q1 to date (Jan-Feb, state as of the Feb export): co = D only (received before 01-01);
# rc = A, B, C -- A counts once although it was "carried over" into February; E = A, B; L = D;
# A is resolved by the quarter end, so PW = 0 (the sum of months would give co 2 and PW 1).
Q1_RPT = _rpt(1, 3, 2, 0, 1, 0, 0, 1)
# IDX_2_1 (numerator, denominator): Jan ok A, B / rc 2 + co 1 = 2/3; Feb ok A / rc 1 + co 1 = 1/2;
# Q1 ok A, B / rc 3 + co 1 = 2/4 (not the month sum 3/5).
JAN_IDX, FEB_IDX, Q1_IDX = (2, 3), (1, 2), (2, 4)


def test_periods_opened_by_a_month_share_its_counts_without_changing_values(wh):
    """January, Q1 to date and 2024 to date count the same month-end dossiers: score_month computes
    their dossier counts once. Each period scored alone (no sharing) must publish the same rows."""
    _carry_jan(wh)
    wh.score_month("2024-01", month_end=True)
    marts = ("indicator_values", "indicator_scores", "scores")
    shared = {t: wh.con.execute(f"SELECT * FROM marts.{t} ORDER BY ALL").fetchall() for t in marts}
    assert {r[0] for r in shared["indicator_values"]} == {"month", "quarter", "year"}
    for ptype in ("month", "quarter", "year"):
        wh.score(ptype, "2024-01", "2024-01")
    alone = {t: wh.con.execute(f"SELECT * FROM marts.{t} ORDER BY ALL").fetchall() for t in marts}
    assert alone == shared
    # and the counts behind them are the hand-computed January ones
    assert _counts(wh, "quarter", "2024-01", "TP", "city", RPT) == JAN_RPT


@pytest.mark.parametrize("month_end", [False, True], ids=["period-sql", "month-end-table"])
def test_carried_over_months_stay_published_and_quarter_uses_rows(wh, month_end):
    _carry_jan(wh)
    wh.score_month("2024-01", month_end=month_end)

    def check_jan():
        for unit, level in (("D1", "unit"), ("D1", "department"), ("TP", "city")):
            assert _counts(wh, "month", "2024-01", unit, level, RPT) == JAN_RPT
            n, d, v = wh.iv("month", "2024-01", unit, level, "IDX_2_1")
            assert (n, d) == JAN_IDX and v == approx(200 / 3)
            # ON_TIME_REPORT: resolved B (E) and D (L) -> 1/2
            assert wh.iv("month", "2024-01", unit, level, "ON_TIME_REPORT") == (1, 2, approx(50.0))

    check_jan()

    _carry_feb(wh)
    wh.score_month("2024-02", month_end=month_end)
    check_jan()                                    # February's load did not touch January
    wh.score_month("2024-01", month_end=month_end)  # nor does re-scoring January with February loaded
    check_jan()

    for unit, level in (("D1", "unit"), ("D1", "department"), ("TP", "city")):
        assert _counts(wh, "month", "2024-02", unit, level, RPT) == FEB_RPT
        n, d, v = wh.iv("month", "2024-02", unit, level, "IDX_2_1")
        assert (n, d, v) == (*FEB_IDX, approx(50.0))
        assert wh.iv("month", "2024-02", unit, level, "ON_TIME_REPORT") == (1, 1, approx(100.0))
        for ptype in ("quarter", "year"):
            assert _counts(wh, ptype, "2024-01", unit, level, RPT) == Q1_RPT
            n, d, v = wh.iv(ptype, "2024-01", unit, level, "IDX_2_1")
            assert (n, d, v) == (*Q1_IDX, approx(50.0))
            # resolved in Q1: B (E), D (L), A (E) -> 2/3
            assert wh.iv(ptype, "2024-01", unit, level, "ON_TIME_REPORT") == (2, 3, approx(200 / 3))


def test_awaiting_supplement_month_end_then_resolved_later(wh):
    """A dossier awaiting the citizen at Jan's end is judged at the request (clock stopped) in Jan;
    February's export (resolved after the deadline) does not change January."""
    _city_with(wh, "D1")
    # K: rc 01-20 08:00, due 02-02 17:00; Jan export: awaiting_supplement, requested 01-25 08:00
    #    Jan idx end = 01-25 08:00 <= due -> ok (1/1); report: PW (due 02-02 >= 01-31)
    wh.dossier("2024-01", "K", "D1", "2024-01-20 08:00", "2024-02-02 17:00", "awaiting_supplement",
               supplement_count=1, supplement_requested_at="2024-01-25 08:00")
    wh.score_month("2024-01")
    assert wh.iv("month", "2024-01", "D1", "unit", "IDX_2_1") == (1, 1, approx(100.0))
    # Feb export: resolved 02-12 10:00, supplement completed 02-05 08:00 (11 days deducted):
    #    end 02-12 10:00 - 11 d = 02-01 10:00 <= 02-02 17:00 -> ok; report: L (02-12 > 02-02)
    wh.dossier("2024-02", "K", "D1", "2024-01-20 08:00", "2024-02-02 17:00", "resolved", "2024-02-12 10:00",
               supplement_count=1, supplement_requested_at="2024-01-25 08:00",
               supplement_completed_at="2024-02-05 08:00")
    wh.score_month("2024-02")
    assert wh.iv("month", "2024-02", "D1", "unit", "IDX_2_1") == (1, 1, approx(100.0))
    assert wh.value("month", "2024-02", "D1", "unit", "RPT_RESOLVED_LATE") == 1
    assert wh.value("month", "2024-02", "D1", "unit", "RPT_CARRIED_OVER") == 1
    wh.score_month("2024-01")
    assert wh.iv("month", "2024-01", "D1", "unit", "IDX_2_1") == (1, 1, approx(100.0))
    assert wh.value("month", "2024-01", "D1", "unit", "RPT_PENDING_WITHIN") == 1


# =============================================================================================
# §3 IDX_2_1 index definition, withdrawn / rejected / submitted


def test_idx_2_1_index_definition(wh):
    _city_with(wh, "D1")
    m = "2024-03"   # period [03-01 00:00, 04-01 00:00)
    # S1 resolved 03-12 10:00, due 03-10 17:00, 1 supplement 03-05 09:00 -> 03-08 09:00 (3 d deducted):
    #    03-12 10:00 - 3 d = 03-09 10:00 <= due -> idx ok.   Report: L (03-12 > 03-10)
    wh.dossier(m, "S1", "D1", "2024-03-01 08:00", "2024-03-10 17:00", "resolved", "2024-03-12 10:00",
               supplement_count=1, supplement_requested_at="2024-03-05 09:00", supplement_completed_at="2024-03-08 09:00")
    # S2 resolved 03-08 (before due) but 2 supplement requests -> idx late.  Report: E
    wh.dossier(m, "S2", "D1", "2024-03-01 08:00", "2024-03-10 17:00", "resolved", "2024-03-08 10:00",
               supplement_count=2, supplement_requested_at="2024-03-03 09:00", supplement_completed_at="2024-03-04 09:00")
    # S3 awaiting supplement at period end, requested 03-20 08:00, due 03-25 17:00: clock stops at the
    #    request -> idx ok (the period end 04-01 would be late).  Report: PO (03-25 < 03-31)
    wh.dossier(m, "S3", "D1", "2024-03-15 08:00", "2024-03-25 17:00", "awaiting_supplement",
               supplement_count=1, supplement_requested_at="2024-03-20 08:00")
    # S4 open, due 03-31 23:00: judged at the period end instant 04-01 00:00 > due -> idx late.
    #    Report: PW (date(due) 03-31 >= last day 03-31)
    wh.dossier(m, "S4", "D1", "2024-03-20 08:00", "2024-03-31 23:00")
    # S5 open, due exactly 04-01 00:00: end 04-01 00:00 <= due -> idx ok.  Report: PW
    wh.dossier(m, "S5", "D1", "2024-03-21 08:00", "2024-04-01 00:00")
    # S6 withdrawn 03-15 (due 03-20): received, closed, idx ok.  Report: WR
    wh.dossier(m, "S6", "D1", "2024-03-05 08:00", "2024-03-20 17:00", "withdrawn", "2024-03-15 09:00")
    # S7 rejected 03-25 (due 03-20): received, closed, idx late.  Report: WR
    wh.dossier(m, "S7", "D1", "2024-03-06 08:00", "2024-03-20 17:00", "rejected", "2024-03-25 09:00")
    # S8, S11 submitted (with and without dates): not received, nowhere
    wh.dossier(m, "S8", "D1", None, None, "submitted")
    wh.dossier(m, "S11", "D1", "2024-03-10 08:00", "2024-03-20 17:00", "submitted")
    # S9 open (processing) after a completed supplement 03-10 08:00 -> 03-20 08:00 (10 d deducted):
    #    04-01 00:00 - 10 d = 03-22 00:00 <= due 03-25 17:00 -> idx ok.  Report: PO
    wh.dossier(m, "S9", "D1", "2024-03-08 08:00", "2024-03-25 17:00",
               supplement_count=1, supplement_requested_at="2024-03-10 08:00", supplement_completed_at="2024-03-20 08:00")
    # S10 awaiting supplement, but the 2nd request -> idx late.  Report: PO (03-30 < 03-31)
    wh.dossier(m, "S10", "D1", "2024-03-02 08:00", "2024-03-30 17:00", "awaiting_supplement",
               supplement_count=2, supplement_requested_at="2024-03-25 08:00")
    wh.score_month(m)

    # IDX_2_1: received S1-S7, S9, S10 = 9 (+ 0 carried over); ok S1, S3, S5, S6, S9 = 5 -> 55.56
    assert wh.iv("month", m, "D1", "unit", "IDX_2_1") == (5, 9, approx(500 / 9))
    #                                         co rc E  T  L WR PW PO
    assert _counts(wh, "month", m, "D1", "unit", RPT) == _rpt(0, 9, 1, 0, 1, 2, 2, 3)
    # withdrawn / rejected are not "resolved": ON_TIME_REPORT = S2 (E) / S1, S2 = 1/2
    assert wh.iv("month", m, "D1", "unit", "ON_TIME_REPORT") == (1, 2, approx(50.0))
    # G2 score = 55.56 / 100 * 20 = 11.11
    s = wh.iscore("month", m, "D1", "unit", "IDX_2_1")
    assert s["score"] == approx(500 / 9 / 100 * 20) and s["max_score"] == 20


def test_withdrawn_rejected_submitted_across_months(wh):
    _city_with(wh, "D1")
    # Jan: W1 rc 01-20, due 02-10 17:00, processing (PW); R1 submitted (nowhere)
    wh.dossier("2024-01", "W1", "D1", "2024-01-20 08:00", "2024-02-10 17:00")
    wh.dossier("2024-01", "R1", "D1", None, None, "submitted")
    wh.score_month("2024-01")
    assert _counts(wh, "month", "2024-01", "D1", "unit", RPT) == _rpt(0, 1, 0, 0, 0, 0, 1, 0)
    # Feb: W1 withdrawn 02-02 (co, WR, idx ok: 02-02 <= 02-10); R1 still submitted (nowhere);
    #      R2 rc 02-05, rejected at intake 02-05 10:00, due 02-15 (rc, WR, idx ok)
    wh.dossier("2024-02", "W1", "D1", "2024-01-20 08:00", "2024-02-10 17:00", "withdrawn", "2024-02-02 09:00")
    wh.dossier("2024-02", "R1", "D1", None, None, "submitted")
    wh.dossier("2024-02", "R2", "D1", "2024-02-05 08:00", "2024-02-15 17:00", "rejected", "2024-02-05 10:00")
    wh.score_month("2024-02")
    assert _counts(wh, "month", "2024-02", "D1", "unit", RPT) == _rpt(1, 1, 0, 0, 0, 2, 0, 0)
    assert wh.iv("month", "2024-02", "D1", "unit", "IDX_2_1") == (2, 2, approx(100.0))
    # nothing resolved in February: ON_TIME_REPORT / LATE_RATE are N/A (NULL), not 0 or 100
    assert wh.iv("month", "2024-02", "D1", "unit", "ON_TIME_REPORT") == (0, 0, None)
    assert wh.iv("month", "2024-02", "D1", "unit", "LATE_RATE") == (0, 0, None)
    assert wh.iv("month", "2024-02", "D1", "unit", "APOLOGY_COVERAGE") == (0, 0, None)
    # Q1: W1 and R2 received in the quarter, both withdrawn/rejected in it; co 0
    assert _counts(wh, "quarter", "2024-01", "D1", "unit", RPT) == _rpt(0, 2, 0, 0, 0, 2, 0, 0)
    assert wh.iv("quarter", "2024-01", "D1", "unit", "IDX_2_1") == (2, 2, approx(100.0))
    # January unchanged
    assert _counts(wh, "month", "2024-01", "D1", "unit", RPT) == _rpt(0, 1, 0, 0, 0, 0, 1, 0)


# =============================================================================================
# §1 roll-up: sum numerators and denominators; the city root is not a unit


def test_rollup_sums_numerators_and_denominators(wh):
    _city_with(wh, "D1", "D2")
    wh.org("U1", "unit", "D1")
    wh.org("U2", "unit", "D1")
    wh.org("C1", "commune", "U1")   # a grandchild of D1
    m = "2024-03"
    due = "2024-03-10 17:00"
    rec = "2024-03-01 08:00"
    # ON_TIME_REPORT per unit (own rows):  D1 1/1 (a1 E)   U1 1/3 (b1 E, b2 L, b3 L)   U2 0/1 (c1 L)
    #                                      C1 1/1 (e1 E)   D2 2/2 (f1 E, f2 E)
    wh.dossier(m, "a1", "D1", rec, due, "resolved", "2024-03-05 10:00")
    wh.dossier(m, "b1", "U1", rec, due, "resolved", "2024-03-05 10:00")
    wh.dossier(m, "b2", "U1", rec, due, "resolved", "2024-03-12 10:00")
    wh.dossier(m, "b3", "U1", rec, due, "resolved", "2024-03-15 10:00")
    wh.dossier(m, "c1", "U2", rec, due, "resolved", "2024-03-12 10:00")
    wh.dossier(m, "e1", "C1", rec, due, "resolved", "2024-03-05 10:00")
    wh.dossier(m, "f1", "D2", rec, due, "resolved", "2024-03-05 10:00")
    wh.dossier(m, "f2", "D2", rec, due, "resolved", "2024-03-06 10:00")
    wh.score_month(m)

    expected = {
        ("D1", "unit"): (1, 1, 100.0),
        ("U1", "unit"): (1, 3, 100 / 3),
        ("U2", "unit"): (0, 1, 0.0),
        ("C1", "unit"): (1, 1, 100.0),
        ("D2", "unit"): (2, 2, 100.0),
        # department D1 = own + all descendants: (1+1+0+1)/(1+3+1+1) = 3/6 = 50
        # (the mean of the member rates (100+33.3+0+100)/4 = 58.3 would be wrong)
        ("D1", "department"): (3, 6, 50.0),
        ("D2", "department"): (2, 2, 100.0),
        # city = everything: 5/8 = 62.5
        ("TP", "city"): (5, 8, 62.5),
    }
    # exactly these (unit, level) rows: the city root is not a unit, U1/U2/C1 are not departments
    assert wh.units("month", m, "ON_TIME_REPORT") == set(expected)
    for (unit, level), (n, d, v) in expected.items():
        assert wh.iv("month", m, unit, level, "ON_TIME_REPORT") == (n, d, approx(v)), (unit, level)
    assert wh.value("month", m, "TP", "city", "RPT_RECEIVED") == 8
    assert wh.value("month", m, "D1", "department", "RPT_RECEIVED") == 6
    scored = set(wh.con.execute("SELECT org_unit_code, org_level FROM marts.scores WHERE group_code = 'TOTAL' "
                                "AND period_type = 'month'").fetchall())
    assert ("TP", "unit") not in scored and ("TP", "city") in scored


# =============================================================================================
# §3 scoring: thresholds, no threshold, N/A leaves the maximum, ratio, bands on TOTAL only


def test_scoring_thresholds_na_and_ratio(wh):
    _city_with(wh, "D1")
    wh.org("U1", "unit", "D1")
    wh.org("U2", "unit", "D1")
    # P1: partial online, not full-online eligible, no fee, result required
    wh.procedure("P1", online="partial", full_online_eligible=False, fee_required=False, result_required=True)
    m = "2024-03"
    # U1, two dossiers received and resolved in March (due 03-10 17:00):
    #  X1 resolved 03-05 (ok), online, synced, e_result, digitized_input, data_reused, population_data
    #  X2 resolved 03-12 (late), direct, digitized_input, data_reused, citizen_store_linked
    wh.dossier(m, "X1", "U1", "2024-03-02 08:00", "2024-03-10 17:00", "resolved", "2024-03-05 10:00", channel="online",
               synced_national_portal=True, e_result=True, digitized_input=True, data_reused=True,
               citizen_store_linked=False, population_data_used=True)
    wh.dossier(m, "X2", "U1", "2024-03-03 08:00", "2024-03-10 17:00", "resolved", "2024-03-12 10:00", channel="direct",
               synced_national_portal=False, e_result=False, digitized_input=True, data_reused=True,
               citizen_store_linked=True, population_data_used=False)
    # U2: five open dossiers, four with data_reused -> IDX_4_3 = 80 = T -> full points
    for k in range(5):
        wh.dossier(m, f"Y{k}", "U2", "2024-03-04 08:00", "2024-03-28 17:00", data_reused=k < 4)
    wh.score_month(m)

    # indicator: (value, score, max_score, applicable) for U1 at unit level
    expected = {
        "IDX_1_4": (50.0, 3.0, 6.0, True),            # 1/2, no T: 50/100*6
        "IDX_2_1": (50.0, 10.0, 20.0, True),          # X1 ok, X2 late: 50/100*20
        "IDX_3_3": (50.0, 0.0, 0.0, True),            # monitoring, 0 points
        "IDX_3_4": (None, 0.0, 0.0, False),           # no full-online-eligible dossier: N/A, 12 points leave
        "IDX_3_6": (None, 0.0, 0.0, False),           # no fee dossier: N/A, 6 leave
        "IDX_4_1": (50.0, 3.0, 6.0, True),            # e_result 1 / resolved result_required 2: 50/100*6
        "IDX_4_2": (50.0, 2.5, 4.0, True),            # X1 only (X2 no e_result): 50 < T80: 50/80*4
        "IDX_4_X": (None, 0.0, 0.0, False),           # no self-assessment: N/A, 2 leave
        "IDX_4_3": (100.0, 2.0, 2.0, True),           # >= T80: full 2
        "IDX_4_4": (50.0, 2.0, 4.0, True),            # 50/100*4
        "IDX_4_5B": (50.0, 1.0, 2.0, True),           # 50/100*2
        "IDX_5_2": (None, 0.0, 0.0, False),           # no feedback: N/A
        "IDX_5_3": (None, 0.0, 0.0, False),
        "IDX_5_4": (50.0, 50 / 90 * 6, 6.0, True),    # IDX_2_1 50 - 0 dissatisfied ratings; < T90: 50/90*6
        # city-only indicators are not applicable at unit level
        "IDX_1_1": (None, 0.0, 0.0, False),
        "IDX_3_5A": (None, 0.0, 0.0, False),
        "IDX_4_5A": (None, 0.0, 0.0, False),
    }
    for code, (value, score, max_score, applicable) in expected.items():
        s = wh.iscore("month", m, "U1", "unit", code)
        got = (s["value"], s["score"], s["max_score"], s["applicable"])
        assert got == (None if value is None else approx(value), approx(score), approx(max_score), applicable), code

    # U2: IDX_4_3 = 4/5 = 80 >= T80 -> full 2 points (not 80/100*2)
    s = wh.iscore("month", m, "U2", "unit", "IDX_4_3")
    assert (s["value"], s["score"], s["max_score"]) == (approx(80.0), approx(2.0), approx(2.0))

    # groups: (score, max, ratio)
    total_score = 3 + 10 + 0 + 3 + 2.5 + 2 + 2 + 1 + 50 / 90 * 6      # 26.8333
    groups = {
        "G1": (3.0, 6.0, 50.0),
        "G2": (10.0, 20.0, 50.0),
        "G3": (0.0, 0.0, None),                     # IDX_3_3 0 points + IDX_3_4 N/A
        "G4": (0.0, 0.0, None),                     # all N/A at unit level
        "G5": (10.5, 18.0, 10.5 / 18 * 100),        # 3 + 2.5 + 2 + 2 + 1 of 6 + 4 + 2 + 4 + 2
        "G6": (50 / 90 * 6, 6.0, 50 / 90 * 100),
        "TOTAL": (total_score, 50.0, total_score / 50 * 100),   # 53.67 -> Trung bình
    }
    for g, (score, max_score, ratio) in groups.items():
        r = wh.score_row("month", m, "U1", "unit", g)
        assert (r["score"], r["max_score"]) == (approx(score), approx(max_score)), g
        assert r["ratio"] == (None if ratio is None else approx(ratio)), g
        if g == "TOTAL":
            assert r["classification"] == "Trung bình"
            assert r["rank"] == 1     # U2 has a lower ratio (see below); D1 at unit level has no rows
        else:
            assert r["rank"] is None and r["classification"] is None, g
    # U2's rows carry data_reused only: sync, digitisation, data-store and population-data inputs are
    # unknown (methodology §3 "Data not carried"), so IDX_1_4, IDX_4_2, IDX_4_4, IDX_4_5B are N/A and
    # their points leave the maximum. IDX_2_1 5 open, due 03-28 < 04-01 -> 0 of 20; IDX_4_1 N/A
    # (nothing resolved); IDX_4_3 2 of 2; IDX_5_4 0 of 6 -> 2 / 28 = 7.14 -> Yếu, rank 2
    r = wh.score_row("month", m, "U2", "unit")
    assert (r["score"], r["max_score"], r["ratio"], r["rank"], r["classification"]) == (
        approx(2.0), approx(28.0), approx(200 / 28), 2, "Yếu")
    assert wh.iscore("month", m, "U2", "unit", "IDX_1_4")["applicable"] is False
    # D1 at unit level: no own rows -> every indicator N/A -> max 0, ratio NULL, unranked
    r = wh.score_row("month", m, "D1", "unit")
    assert (r["max_score"], r["ratio"], r["rank"], r["classification"]) == (0, None, None, None)


def test_zero_denominators_are_null(wh):
    _city_with(wh, "D1", "D2")
    # D1: one open dossier, nothing resolved; D2: nothing at all
    wh.dossier("2024-03", "Z1", "D1", "2024-03-04 08:00", "2024-04-20 17:00")
    wh.score_month("2024-03")
    for unit, level in (("D1", "unit"), ("D2", "unit"), ("D2", "department")):
        for code in ("ON_TIME_REPORT", "LATE_RATE", "DIGITIZED_RESULT_RATE", "APOLOGY_COVERAGE",
                     "SATISFACTION_RATE", "IDX_5_2", "DOC_ELECTRONIC_RATE", "EMAIL_ACTIVE_RATE"):
            n, d, v = wh.iv("month", "2024-03", unit, level, code)
            assert (d, v) == (0, None), (unit, level, code)
    # received-based rates of D2 are NULL too, D1's are not
    assert wh.iv("month", "2024-03", "D2", "unit", "POSTAL_SHARE") == (0, 0, None)
    assert wh.iv("month", "2024-03", "D1", "unit", "POSTAL_SHARE") == (0, 1, 0.0)
    # IDX_5_4 of D2: IDX_2_1 is N/A -> N/A
    assert wh.iscore("month", "2024-03", "D2", "unit", "IDX_5_4")["value"] is None


# =============================================================================================
# §6 ranking and bands


def test_competition_ranking_ties_and_bands(wh):
    # IDX_4_X is a self-assessed percentage (P 2, no threshold) at any level: a unit whose only
    # data is an IDX_4_X value v has score v / 100 * 2, max 2, ratio v.
    wh.org("TP", "city")
    wh.org("D", "department", "TP")
    ratios = {          # v      ratio     rounded  rank  band
        "U1": 100.0,    # 100.0    100.00      1    Xuất sắc
        "U2": 89.996,   # 89.996   90.00       2    Xuất sắc (band on the rounded ratio)
        "U3": 90.0,     # 90.0     90.00       2    Xuất sắc (tie)
        "U4": 85.0,     # 85.0     85.00       4    Tốt
        "U5": 72.0,     # 72.0     72.00       5    Khá
        "U6": 50.0,     # 50.0     50.00       6    Trung bình
        "U7": 49.99,    # 49.99    49.99       7    Yếu
    }
    for code, v in ratios.items():
        wh.org(code, "unit", "D")
        wh.self_assessment("2024-03", code, "IDX_4_X", v)
    wh.org("U8", "unit", "D")       # no data: ratio NULL, unranked
    # a second city ranks on its own
    wh.org("TP2", "city")
    wh.org("E", "department", "TP2")
    wh.org("V1", "unit", "E")
    wh.self_assessment("2024-03", "V1", "IDX_4_X", 50.0)
    wh.score("month", "2024-03", "2024-03")

    expected = {
        "U1": (100.0, 1, "Xuất sắc"),
        "U2": (89.996, 2, "Xuất sắc"),
        "U3": (90.0, 2, "Xuất sắc"),
        "U4": (85.0, 4, "Tốt"),
        "U5": (72.0, 5, "Khá"),
        "U6": (50.0, 6, "Trung bình"),
        "U7": (49.99, 7, "Yếu"),
        "U8": (None, None, None),
        "D": (None, None, None),
        "V1": (50.0, 1, "Trung bình"),
    }
    for code, (ratio, rank, band) in expected.items():
        r = wh.score_row("month", "2024-03", code, "unit")
        assert (r["ratio"], r["rank"], r["classification"]) == (
            None if ratio is None else approx(ratio), rank, band), code
    # group rows carry no rank and no classification
    g = wh.score_row("month", "2024-03", "U1", "unit", "G5")
    assert (g["score"], g["max_score"], g["ratio"], g["rank"], g["classification"]) == (
        approx(2.0), approx(2.0), approx(100.0), None, None)
    # a group whose indicators are all N/A: score 0, max 0, ratio NULL
    g = wh.score_row("month", "2024-03", "U1", "unit", "G2")
    assert (g["score"], g["max_score"], g["ratio"]) == (0, 0, None)


def test_par_index_ranking_and_bands(wh):
    _city_with(wh, "A", "B", "C")
    full = {"PAR_DIRECTION": 9, "PAR_INSTITUTIONS": 8.5, "PAR_PROCEDURES": 12, "PAR_ORGANISATION": 8,
            "PAR_CIVIL_SERVICE": 11, "PAR_PUBLIC_FINANCE": 7.5, "PAR_DIGITAL_GOVERNMENT": 11.5, "PAR_IMPACT": 32.5}
    for area, v in full.items():
        wh.self_assessment("2024", "A", area, v)          # 100 / 100 -> 100
    wh.self_assessment("2024", "B", "PAR_DIRECTION", 4.5)  # 4.5 / 9 (other areas N/A) -> 50
    wh.self_assessment("2024", "C", "PAR_DIRECTION", 9)    # (9 + 30) / (9 + 32.5) = 93.98
    wh.self_assessment("2024", "C", "PAR_IMPACT", 30)
    wh.score("year", "2024-01", "2024-12")
    rows = {r[0]: r[1:] for r in wh.con.execute(
        "SELECT org_unit_code, org_level, score, max_score, ratio, rank, classification FROM marts.par_index "
        "WHERE year = 2024 AND area_code = 'TOTAL'").fetchall()}
    assert rows["A"] == ("department", approx(100.0), approx(100.0), approx(100.0), 1, "Xuất sắc")
    assert rows["C"] == ("department", approx(39.0), approx(41.5), approx(3900 / 41.5), 2, "Xuất sắc")
    assert rows["B"] == ("department", approx(4.5), approx(9.0), approx(50.0), 3, "Trung bình")


# =============================================================================================
# §1 merged units "as was"


def test_merged_unit_as_was(wh):
    wh.org("TP", "city")
    # OLD in force until 2024-01-31 (inclusive), then merged into NEW
    wh.org("OLD", "department", "TP", valid_to="2024-01-31", successor="NEW")
    wh.org("NEW", "department", "TP")
    # Jan export: O1 (OLD, E), O3 (OLD, open), N1 (NEW, E)
    wh.dossier("2024-01", "O1", "OLD", "2024-01-10 08:00", "2024-01-20 17:00", "resolved", "2024-01-15 10:00")
    wh.dossier("2024-01", "O3", "OLD", "2024-01-25 08:00", "2024-02-10 17:00")
    wh.dossier("2024-01", "N1", "NEW", "2024-01-12 08:00", "2024-01-20 17:00", "resolved", "2024-01-14 10:00")
    wh.score_month("2024-01")
    # Feb export still carries the old code on O3 (resolved 02-03) and on a new dossier O2
    wh.dossier("2024-02", "O3", "OLD", "2024-01-25 08:00", "2024-02-10 17:00", "resolved", "2024-02-03 10:00")
    wh.dossier("2024-02", "O2", "OLD", "2024-02-05 08:00", "2024-02-10 17:00", "resolved", "2024-02-08 10:00")
    wh.dossier("2024-02", "N2", "NEW", "2024-02-06 08:00", "2024-02-10 17:00", "resolved", "2024-02-07 10:00")
    wh.score_month("2024-02")
    wh.score_month("2024-01")

    # January: OLD in force -> its rows are its own: OLD rc O1, O3 = 2; NEW rc 1; city 3
    for level in ("unit", "department"):
        assert wh.value("month", "2024-01", "OLD", level, "RPT_RECEIVED") == 2
        assert wh.value("month", "2024-01", "NEW", level, "RPT_RECEIVED") == 1
    assert wh.value("month", "2024-01", "TP", "city", "RPT_RECEIVED") == 3
    # February: OLD not in force -> no OLD rows; its code follows successor_code to NEW:
    # NEW co 1 (O3), rc 2 (O2, N2), resolved O3 E, O2 E, N2 E -> ON_TIME_REPORT 3/3
    assert {u for u, _ in wh.units("month", "2024-02", "RPT_RECEIVED")} == {"NEW", "TP"}
    for level in ("unit", "department"):
        assert wh.value("month", "2024-02", "NEW", level, "RPT_CARRIED_OVER") == 1
        assert wh.value("month", "2024-02", "NEW", level, "RPT_RECEIVED") == 2
        assert wh.iv("month", "2024-02", "NEW", level, "ON_TIME_REPORT") == (3, 3, approx(100.0))
    assert wh.value("month", "2024-02", "TP", "city", "RPT_RECEIVED") == 2
    # Q1 to date (Jan-Feb): OLD is in force in the quarter (valid_to 01-31 >= 01-01), so rows with
    # its code stay its own for the whole quarter: OLD rc O1, O2, O3 = 3; NEW rc N1, N2 = 2
    assert wh.value("quarter", "2024-01", "OLD", "unit", "RPT_RECEIVED") == 3
    assert wh.value("quarter", "2024-01", "NEW", "unit", "RPT_RECEIVED") == 2
    assert wh.value("quarter", "2024-01", "TP", "city", "RPT_RECEIVED") == 5


# =============================================================================================
# §5 targets


def _targets_fixture(wh, land_2023=False):
    wh.org("TP", "city")
    wh.org("DL", "department", "TP")
    wh.org("B1", "unit", "DL", category="land_registry_branch")
    wh.org("B2", "unit", "DL", category="land_registry_branch")
    wh.org("G1", "department", "TP")
    wh.procedure("PL", online="partial", target_group="land")
    wh.procedure("PG", online="partial")          # no target group
    # 2023 (export 2023-06): G1 two PG dossiers, one online -> city ONLINE_SHARE_ELIGIBLE 1/2 = 50
    wh.dossier("2023-06", "Y1", "G1", "2023-06-05 08:00", "2023-06-20 17:00", "resolved", "2023-06-10 10:00",
               procedure="PG", channel="online")
    wh.dossier("2023-06", "Y2", "G1", "2023-06-06 08:00", "2023-06-20 17:00", "resolved", "2023-06-10 10:00",
               procedure="PG", channel="direct")
    if land_2023:
        # Y3 B1 PL online: 2023 unfiltered 2/3 = 66.67, excluding land 1/2 = 50
        wh.dossier("2023-06", "Y3", "B1", "2023-06-07 08:00", "2023-06-20 17:00", "resolved", "2023-06-10 10:00",
                   procedure="PL", channel="online")
    wh.score_month("2023-06")      # year 2023 to date (Jan-Jun) is scored first
    # 2024 (export 2024-03):
    #   L1 B1 PL online  due 03-10, resolved 03-05 -> E
    #   L2 B2 PL online  due 03-05, resolved 03-08 -> L
    #   Ga G1 PG online  due 03-10, resolved 03-04 -> E, digitized_result
    #   Gb G1 PG direct  due 03-10, resolved 03-10 -> T (same date)
    # (the export carries digitized_result: a blank cell is FALSE, as staging stores it)
    wh.dossier("2024-03", "L1", "B1", "2024-03-01 08:00", "2024-03-10 17:00", "resolved", "2024-03-05 10:00",
               procedure="PL", channel="online", digitized_result=False)
    wh.dossier("2024-03", "L2", "B2", "2024-03-02 08:00", "2024-03-05 17:00", "resolved", "2024-03-08 10:00",
               procedure="PL", channel="online", digitized_result=False)
    wh.dossier("2024-03", "Ga", "G1", "2024-03-03 08:00", "2024-03-10 17:00", "resolved", "2024-03-04 10:00",
               procedure="PG", channel="online", digitized_result=True)
    wh.dossier("2024-03", "Gb", "G1", "2024-03-04 08:00", "2024-03-10 17:00", "resolved", "2024-03-10 10:00",
               procedure="PG", channel="direct", digitized_result=False)


def test_targets_defaults_yoy_share_and_target_group(wh):
    _targets_fixture(wh)
    wh.score_month("2024-03")

    # increase_pp: city ONLINE_SHARE_ELIGIBLE 2024 = 3/4 = 75; 2023 = 50 -> +25 pp >= 10 -> met
    (r,) = wh.targets(2024, "ONLINE_SHARE_ELIGIBLE", "increase_pp")
    assert (r["org_unit_code"], r["previous_value"], r["actual_value"], r["target_value"], r["met"], r["target_source"]) == (
        "TP", approx(50.0), approx(25.0), 10, True, "methodology")
    # ON_TIME_REPORT >= 98 on "!land,investment,complaints": Ga E + Gb T / Ga, Gb = 2/2 = 100 -> met
    # (unfiltered it would be 3/4 = 75 and not met)
    (r,) = wh.targets(2024, "ON_TIME_REPORT", ">=")
    assert (r["org_unit_code"], r["target_group"], r["numerator"], r["denominator"], r["actual_value"], r["met"]) == (
        "TP", "!land,investment,complaints", 2, 2, approx(100.0), True)
    # LATE_RATE < 4 on "land,investment,complaints": L2 / L1, L2 = 50 -> not met
    (r,) = wh.targets(2024, "LATE_RATE", "<")
    assert (r["numerator"], r["denominator"], r["actual_value"], r["met"]) == (1, 2, approx(50.0), False)
    # share_of_units: land-registry branches with ON_TIME_REPORT >= 97: B1 100 yes, B2 0 no
    # (G1, DL are not land_registry_branch) -> 1/2 = 50% < 80 -> not met; one row, for the city
    (r,) = wh.targets(2024, "ON_TIME_REPORT", "share_of_units")
    assert (r["org_unit_code"], r["unit_category"], r["second_value"], r["numerator"], r["denominator"],
            r["actual_value"], r["met"]) == ("TP", "land_registry_branch", 97, 1, 2, approx(50.0), False)
    # scope "department" (org_units.level): DIGITIZED_RESULT_RATE >= 30 for DL (B1+B2: 0/2 = 0, not met)
    # and G1 (Ga / Ga, Gb = 50, met); B1, B2 are level "unit": out of scope
    rows = [(r["org_unit_code"], r["numerator"], r["denominator"], r["actual_value"], r["met"])
            for r in wh.targets(2024, "DIGITIZED_RESULT_RATE") if r["target_value"] == 30]
    assert rows == [("DL", 0, 2, approx(0.0), False), ("G1", 1, 2, approx(50.0), True)]


def test_targets_without_previous_year_are_not_judged(wh):
    _targets_fixture(wh)
    wh.con.execute("DELETE FROM marts.indicator_values WHERE period_type = 'year' AND period_start = DATE '2023-01-01'")
    wh.score_month("2024-03")
    (r,) = wh.targets(2024, "ONLINE_SHARE_ELIGIBLE", "increase_pp")
    assert (r["previous_value"], r["actual_value"], r["met"]) == (None, None, None)


def test_landing_targets_replace_defaults_for_their_year(wh):
    _targets_fixture(wh)
    wh.target(2024, "city", "ONLINE_SHARE_ELIGIBLE", "increase_pp", 30)
    wh.target(2024, "city", "ONLINE_SHARE_ELIGIBLE", "increase_rel", 40)
    wh.target(2024, "city", "ON_TIME_REPORT", ">=", 99, target_group="!land,investment,complaints")
    wh.target(2024, "B1", "ON_TIME_REPORT", ">=", 97)      # scope = one unit_code
    wh.score_month("2024-03")
    rows = wh.con.execute("SELECT indicator_code, org_unit_code, comparator, target_value, actual_value, met, target_source "
                          "FROM marts.target_attainment WHERE year = 2024 ORDER BY indicator_code, comparator, org_unit_code").fetchall()
    # only the landing rows for 2024:
    #   ONLINE_SHARE_ELIGIBLE +25 pp < 30 -> not met; relative +25/50 = +50% >= 40 -> met
    #   on time (excl. land) at the city 2/2 = 100 >= 99 -> met; B1 alone 1/1 = 100 >= 97 -> met
    assert rows == [("ONLINE_SHARE_ELIGIBLE", "TP", "increase_pp", 30, approx(25.0), False, "landing"),
                    ("ONLINE_SHARE_ELIGIBLE", "TP", "increase_rel", 40, approx(50.0), True, "landing"),
                    ("ON_TIME_REPORT", "B1", ">=", 97, approx(100.0), True, "landing"),
                    ("ON_TIME_REPORT", "TP", ">=", 99, approx(100.0), True, "landing")]
    # 2023 (scored before, no landing rows for 2023) keeps the methodology defaults
    src = wh.con.execute("SELECT DISTINCT target_source FROM marts.target_attainment WHERE year = 2023").fetchall()
    assert src == [("methodology",)]
    assert wh.targets(2023, "SATISFACTION_RATE")


def test_increase_pp_with_target_group_compares_filtered_previous_year(wh):
    """A year-over-year target on a target_group-filtered rate compares the filtered rates of both years."""
    _targets_fixture(wh, land_2023=True)
    wh.target(2024, "city", "ONLINE_SHARE_ELIGIBLE", "increase_pp", 10, target_group="!land,investment,complaints")
    wh.score_month("2024-03")
    # excluding land: 2023 Y1 online / Y1, Y2 = 50; 2024 Ga online / Ga, Gb = 50 -> +0 pp < 10 -> not met
    # (the unfiltered 2023 value 66.67 must not be used: that would give -16.67)
    (r,) = wh.targets(2024, "ONLINE_SHARE_ELIGIBLE", "increase_pp")
    assert (r["previous_value"], r["actual_value"], r["met"]) == (approx(50.0), approx(0.0), False)


# =============================================================================================
# §4 e-mail regularity: working days from the holidays calendar


def test_email_regular_uses_working_days_with_holidays(wh):
    _city_with(wh, "D1")
    # April 2024: 22 weekdays (Mon 04-01 .. Tue 04-30); holiday Thu 04-18, compensatory day off
    # Mon 04-29, make-up working Saturday 04-13 -> 22 - 2 + 1 = 21 working days;
    # regular = active >= ceil(21 * 50%) = 11.
    # (ignoring the make-up day: 20 -> 10; ignoring the days off: 23 -> 12)
    wh.holiday("2024-04-18", "holiday")
    wh.holiday("2024-04-29", "compensatory_day_off")
    wh.holiday("2024-04-13", "makeup_working_day")
    m = "2024-04"
    wh.email(m, "L1", "D1", "leader", 11)   # regular
    wh.email(m, "L2", "D1", "leader", 10)   # not
    wh.email(m, "S1", "D1", "staff", 21)    # regular
    wh.email(m, "S2", "D1", "staff", 10)    # not
    wh.email(m, "S3", "D1", "staff", 11)    # regular
    wh.score_month(m)
    assert wh.iv("month", m, "D1", "unit", "EMAIL_LEADER_REGULAR") == (1, 2, approx(50.0))
    assert wh.iv("month", m, "D1", "unit", "EMAIL_ACTIVE_RATE") == (3, 5, approx(60.0))
    assert wh.iv("month", m, "TP", "city", "EMAIL_ACTIVE_RATE") == (3, 5, approx(60.0))


# =============================================================================================
# feedback (IDX_5_2, IDX_5_3), surveys (SATISFACTION_RATE, IDX_5_4), documents (secret excluded)


def test_feedback_idx_5_2_and_5_3(wh):
    _city_with(wh, "D1")
    # February export
    #   F0 rc 02-20, due 03-05 17:00, open            Feb: open, due >= 03-01 -> 5_2 yes; 5_3 yes
    #   F8 rc 02-10, due 02-28, answered 02-25       Feb: 5_2 yes; 5_3 yes; not in March (closed before)
    wh.feedback("2024-02", "F0", "D1", "2024-02-20 08:00", "2024-03-05 17:00")
    wh.feedback("2024-02", "F8", "D1", "2024-02-10 08:00", "2024-02-28 17:00", "answered", "2024-02-25 10:00")
    wh.score_month("2024-02")
    assert wh.iv("month", "2024-02", "D1", "unit", "IDX_5_2") == (2, 2, approx(100.0))
    assert wh.iv("month", "2024-02", "D1", "unit", "IDX_5_3") == (2, 2, approx(100.0))
    # March export                                                        5_2     5_3
    #   F0 carried over, answered 03-04 <= due 03-05                      yes     (not received in March)
    #   F1 rc 03-02 due 03-10 answered 03-08                              yes     yes
    #   F2 rc 03-03 due 03-10 answered 03-12 (late)                       no      no
    #   F3 rc 03-05 due 03-15 answered 03-10, dissatisfied                yes     no
    #   F4 rc 03-06 due 03-20 answered 03-09, follow-up complaint         yes     no
    #   F5 rc 03-20 due 04-05, open (due >= period end)                   yes     yes
    #   F6 rc 03-10 due 03-25, open, past due at period end               no      no
    #   F7 rc 03-11 due 03-20 rejected 03-15 (closed, not "answered")     no      yes
    #   F9 rc 03-12 due 03-14 answered 03-16, dissatisfied (counted once) no      no
    m = "2024-03"
    wh.feedback(m, "F0", "D1", "2024-02-20 08:00", "2024-03-05 17:00", "answered", "2024-03-04 10:00")
    wh.feedback(m, "F1", "D1", "2024-03-02 08:00", "2024-03-10 17:00", "answered", "2024-03-08 10:00")
    wh.feedback(m, "F2", "D1", "2024-03-03 08:00", "2024-03-10 17:00", "answered", "2024-03-12 10:00")
    wh.feedback(m, "F3", "D1", "2024-03-05 08:00", "2024-03-15 17:00", "answered", "2024-03-10 10:00", dissatisfied=True)
    wh.feedback(m, "F4", "D1", "2024-03-06 08:00", "2024-03-20 17:00", "answered", "2024-03-09 10:00",
                follow_up_complaint=True)
    wh.feedback(m, "F5", "D1", "2024-03-20 08:00", "2024-04-05 17:00")
    wh.feedback(m, "F6", "D1", "2024-03-10 08:00", "2024-03-25 17:00")
    wh.feedback(m, "F7", "D1", "2024-03-11 08:00", "2024-03-20 17:00", "rejected", "2024-03-15 10:00")
    wh.feedback(m, "F9", "D1", "2024-03-12 08:00", "2024-03-14 17:00", "answered", "2024-03-16 10:00", dissatisfied=True)
    wh.score_month(m)
    # IDX_5_2: F0 F1 F3 F4 F5 = 5 / (received 8 + open carried over F0) 9 = 55.56 -> 55.56/100*6 = 3.33
    assert wh.iv("month", m, "D1", "unit", "IDX_5_2") == (5, 9, approx(500 / 9))
    assert wh.iscore("month", m, "D1", "unit", "IDX_5_2")["score"] == approx(500 / 9 / 100 * 6)
    # IDX_5_3: F1 F5 F7 = 3 / received 8 = 37.5 -> 37.5/100*6 = 2.25
    assert wh.iv("month", m, "D1", "unit", "IDX_5_3") == (3, 8, approx(37.5))
    assert wh.iscore("month", m, "D1", "unit", "IDX_5_3")["score"] == approx(2.25)
    assert wh.iv("month", m, "TP", "city", "IDX_5_3") == (3, 8, approx(37.5))
    # February as published
    wh.score_month("2024-02")
    assert wh.iv("month", "2024-02", "D1", "unit", "IDX_5_2") == (2, 2, approx(100.0))
    assert wh.iv("month", "2024-02", "D1", "unit", "IDX_5_3") == (2, 2, approx(100.0))


def test_survey_satisfaction_rate(wh):
    _city_with(wh, "D1")
    m = "2024-03"
    for rid, rating in (("R1", 5), ("R2", 4), ("R3", 3), ("R4", 2), ("R5", 1)):
        wh.survey(m, rid, "D1", "2024-03-10 09:00", rating)
    wh.survey(m, "R2", "D1", "2024-03-10 09:00", 4, file="again")   # exported twice: counts once
    wh.survey(m, "R0", "D1", "2024-02-28 09:00", 5)                  # rated in February: not March
    wh.score_month(m)
    # ratings >= 4: R1, R2 / R1..R5 = 2/5 = 40
    assert wh.iv("month", m, "D1", "unit", "SATISFACTION_RATE") == (2, 5, approx(40.0))


def test_idx_5_4_dossier_satisfaction(wh):
    _city_with(wh, "D1", "D2", "D3", "D4")
    m = "2024-03"
    due = "2024-03-10 17:00"
    # D1: 4 received, 3 on time + 1 late -> IDX_2_1 75; ratings 1, 2, 5 -> 2 dissatisfied
    #     IDX_5_4 = max(0, 75 - 2/4*100) = 25 -> < T90: 25/90*6 = 1.67
    for k, res in enumerate(("2024-03-05 10:00", "2024-03-06 10:00", "2024-03-07 10:00", "2024-03-12 10:00")):
        wh.dossier(m, f"a{k}", "D1", "2024-03-01 08:00", due, "resolved", res)
    for rid, rating in (("r1", 1), ("r2", 2), ("r3", 5)):
        wh.survey(m, rid, "D1", "2024-03-15 09:00", rating)
    # D2: 1 received, late -> IDX_2_1 0; one rating 1 -> 0 - 100 -> floored at 0 (a value, applicable)
    wh.dossier(m, "b1", "D2", "2024-03-01 08:00", due, "resolved", "2024-03-12 10:00")
    wh.survey(m, "r4", "D2", "2024-03-15 09:00", 1)
    # D3: ratings only, no dossier -> IDX_2_1 N/A -> IDX_5_4 N/A
    wh.survey(m, "r5", "D3", "2024-03-15 09:00", 5)
    # D4: only a dossier carried over from February (IDX_2_1 has a value) but nothing received -> N/A
    wh.dossier("2024-02", "c1", "D4", "2024-02-20 08:00", "2024-03-20 17:00")
    wh.score_month(m)
    s = wh.iscore("month", m, "D1", "unit", "IDX_5_4")
    assert (s["value"], s["score"], s["max_score"]) == (approx(25.0), approx(25 / 90 * 6), 6)
    s = wh.iscore("month", m, "D2", "unit", "IDX_5_4")
    assert (s["value"], s["score"], s["max_score"], s["applicable"]) == (approx(0.0), 0, 6, True)
    for unit in ("D3", "D4"):
        s = wh.iscore("month", m, unit, "unit", "IDX_5_4")
        assert (s["value"], s["score"], s["max_score"], s["applicable"]) == (None, 0, 0, False), unit
    assert wh.iv("month", m, "D4", "unit", "IDX_2_1") == (0, 1, 0.0)   # open, due 03-20 < 04-01: late
    # city: IDX_2_1 = 3 / (4 + 1 + 1) = 50; ratings <= 2: r1 r2 r4 = 3; received 5
    #       -> max(0, 50 - 3/5*100) = 0
    assert wh.iscore("month", m, "TP", "city", "IDX_5_4")["value"] == approx(0.0)


def test_documents_secret_excluded(wh):
    _city_with(wh, "D1")
    m = "2024-03"
    r = "2024-03-05 09:00"
    wh.document(m, "d1", "D1", "outgoing", r, "electronic", digitally_signed=True, secrecy="normal", via_interconnect=False)
    wh.document(m, "d2", "D1", "outgoing", r, "paper")                                   # secrecy blank = normal
    wh.document(m, "d3", "D1", "incoming", r, "electronic", processed_online=True, via_interconnect=True, secrecy="normal")
    wh.document(m, "d4", "D1", "incoming", r, "paper", secrecy="secret", processed_online=False)   # excluded
    wh.document(m, "d5", "D1", "outgoing", r, "electronic", secrecy="confidential", digitally_signed=True,
                via_interconnect=True)                                                 # excluded
    wh.document(m, "d6", "D1", "incoming", r, "electronic", processed_online=True)
    wh.score_month(m)
    # non-secret: d1 d2 d3 d6
    assert wh.iv("month", m, "D1", "unit", "DOC_ELECTRONIC_RATE") == (3, 4, approx(75.0))      # d1 d3 d6
    assert wh.iv("month", m, "D1", "unit", "DOC_OUT_SIGNED_SENT") == (1, 2, approx(50.0))      # d1 / d1 d2
    assert wh.iv("month", m, "D1", "unit", "DOC_IN_PROCESSED_ONLINE") == (2, 2, approx(100.0)) # d3 d6
    assert wh.iv("month", m, "D1", "unit", "DOC_INTERCONNECT_RATE") == (1, 4, approx(25.0))    # d3


# =============================================================================================
# city-level procedure indicators (IDX_3_1, IDX_3_5A, IDX_3_5B, IDX_4_5A)


def test_city_level_procedure_indicators(wh):
    _city_with(wh, "D1")
    wh.procedure("P1", online="partial", fee_required=True)
    wh.procedure("P2", online="none", fee_required=True)
    wh.procedure("P3", online="full", fee_required=False)
    wh.procedure("P4", online="none", fee_required=False)
    wh.procedure("P5", online="partial", fee_required=True, valid_to="2023-12-31")   # not in force in 2024
    m = "2024-03"
    a = ("2024-03-04 08:00", "2024-03-20 17:00")
    # one export carrying all three flags: a blank cell is FALSE, as staging stores it
    flags = {"fee_required": False, "paid_online": False, "population_data_used": False}
    wh.dossier(m, "p1a", "D1", *a, procedure="P1", **flags | {"fee_required": True, "paid_online": True})
    wh.dossier(m, "p1b", "D1", *a, procedure="P1", **flags | {"fee_required": True})
    wh.dossier(m, "p2a", "D1", *a, procedure="P2", **flags | {"fee_required": True})
    wh.dossier(m, "p3a", "D1", *a, procedure="P3", **flags | {"population_data_used": True})
    wh.score_month(m)
    city = {c: wh.iscore("month", m, "TP", "city", c) for c in ("IDX_3_1", "IDX_3_5A", "IDX_3_5B", "IDX_4_5A")}
    got = {c: (s["numerator"], s["denominator"], s["value"], s["score"], s["max_score"]) for c, s in city.items()}
    assert got == {
        # catalogue in force P1-P4; offered online P1 (partial), P3 (full): 2/4 = 50, monitoring (0 points)
        "IDX_3_1": (2, 4, approx(50.0), 0, 0),
        # fee procedures in force P1, P2; both have a fee dossier: 2/2 = 100 >= T80 -> 2
        "IDX_3_5A": (2, 2, approx(100.0), approx(2.0), 2),
        # fee procedures with dossiers P1, P2; with a paid-online dossier P1: 1/2 = 50 < T80 -> 50/80*2 = 1.25
        "IDX_3_5B": (1, 2, approx(50.0), approx(1.25), 2),
        # procedures with dossiers P1, P2, P3; using population data P3: 1/3 -> 33.33/100*2 = 0.67
        "IDX_4_5A": (1, 3, approx(100 / 3), approx(2 / 3), 2),
    }
    # city-only: not applicable at the department / unit rows
    for level in ("unit", "department"):
        s = wh.iscore("month", m, "D1", level, "IDX_3_5A")
        assert (s["applicable"], s["max_score"]) == (False, 0)
    # IDX_3_6 (all levels): paid online p1a / fee-required received p1a p1b p2a = 33.33
    assert wh.iv("month", m, "D1", "unit", "IDX_3_6") == (1, 3, approx(100 / 3))


# =============================================================================================
# more snapshot / attribution edges


def test_same_dossier_id_in_two_systems_counts_twice(wh):
    _city_with(wh, "D1")
    m = "2024-03"
    wh.dossier(m, "X", "D1", "2024-03-01 08:00", "2024-03-10 17:00", "resolved", "2024-03-05 10:00", system="igate")
    wh.dossier(m, "X", "D1", "2024-03-02 08:00", "2024-04-10 17:00", system="vnpt")
    wh.score_month(m)
    #                                           co rc E  T  L WR PW PO
    assert _counts(wh, "month", m, "D1", "unit", RPT) == _rpt(0, 2, 1, 0, 0, 0, 1, 0)


def test_late_information_does_not_rewrite_a_published_month(wh):
    _city_with(wh, "D1")
    # Jan export: H1 rc 01-10 open (due 02-15) -> Jan PW 1
    wh.dossier("2024-01", "H1", "D1", "2024-01-10 08:00", "2024-02-15 17:00")
    # Feb export: H1 now shows resolved on 01-28 (closed before February); H2 received 01-25 shows up
    # only in February's export (open, due 02-20)
    wh.dossier("2024-02", "H1", "D1", "2024-01-10 08:00", "2024-02-15 17:00", "resolved", "2024-01-28 10:00")
    wh.dossier("2024-02", "H2", "D1", "2024-01-25 08:00", "2024-02-20 17:00")
    wh.score_month("2024-02")
    wh.score_month("2024-01")
    # January as published from January's export: rc H1, PW H1
    assert _counts(wh, "month", "2024-01", "D1", "unit", RPT) == _rpt(0, 1, 0, 0, 0, 0, 1, 0)
    # February: H1 closed before the start -> absent; H2 co, open at end, due 02-20 < 02-29 -> PO
    assert _counts(wh, "month", "2024-02", "D1", "unit", RPT) == _rpt(1, 0, 0, 0, 0, 0, 0, 1)
    # Q1 to date: rc H1, H2; H1 resolved E (01-28 < 02-15); H2 PO
    assert _counts(wh, "quarter", "2024-01", "D1", "unit", RPT) == _rpt(0, 2, 1, 0, 0, 0, 0, 1)


def test_successor_chain_into_another_department(wh):
    wh.org("TP", "city")
    wh.org("DA", "department", "TP")
    wh.org("DB", "department", "TP")
    # OLDU (under DA) -> MID (under DB) -> NEWU (under DB); OLDU and MID end on 2024-01-31
    wh.org("OLDU", "unit", "DA", valid_to="2024-01-31", successor="MID")
    wh.org("MID", "unit", "DB", valid_to="2024-01-31", successor="NEWU")
    wh.org("NEWU", "unit", "DB")
    wh.dossier("2024-01", "J1", "OLDU", "2024-01-10 08:00", "2024-01-20 17:00", "resolved", "2024-01-15 10:00")
    wh.dossier("2024-02", "J2", "OLDU", "2024-02-10 08:00", "2024-02-20 17:00", "resolved", "2024-02-15 10:00")
    wh.score_month("2024-01")
    wh.score_month("2024-02")
    # January (as was): J1 is OLDU's and DA's
    assert wh.value("month", "2024-01", "OLDU", "unit", "RPT_RECEIVED") == 1
    assert wh.value("month", "2024-01", "DA", "department", "RPT_RECEIVED") == 1
    assert wh.value("month", "2024-01", "DB", "department", "RPT_RECEIVED") == 0
    # February: OLDU -> MID (not in force either) -> NEWU, which rolls up to DB
    assert wh.value("month", "2024-02", "NEWU", "unit", "RPT_RECEIVED") == 1
    assert wh.value("month", "2024-02", "DB", "department", "RPT_RECEIVED") == 1
    assert wh.value("month", "2024-02", "DA", "department", "RPT_RECEIVED") == 0
    assert wh.value("month", "2024-02", "TP", "city", "RPT_RECEIVED") == 1


def test_feedback_forwarded_and_published(wh):
    _city_with(wh, "D1")
    m = "2024-03"
    #       answered on time, published       5_2 yes  5_3 yes  published 1 of answered
    wh.feedback(m, "G1", "D1", "2024-03-02 08:00", "2024-03-10 17:00", "answered", "2024-03-05 10:00", published=True)
    #       answered on time, not published   5_2 yes  5_3 yes  0
    wh.feedback(m, "G2", "D1", "2024-03-02 08:00", "2024-03-10 17:00", "answered", "2024-03-06 10:00", published=False)
    #       forwarded (closed, not handled)   5_2 no   5_3 yes  not in FEEDBACK_PUBLISHED's denominator
    wh.feedback(m, "G3", "D1", "2024-03-02 08:00", "2024-03-10 17:00", "forwarded", "2024-03-04 10:00", published=True)
    wh.score_month(m)
    assert wh.iv("month", m, "D1", "unit", "IDX_5_2") == (2, 3, approx(200 / 3))
    assert wh.iv("month", m, "D1", "unit", "IDX_5_3") == (3, 3, approx(100.0))
    assert wh.iv("month", m, "D1", "unit", "FEEDBACK_PUBLISHED") == (1, 2, approx(50.0))


def test_self_assessed_city_indicators_by_period_label(wh):
    _city_with(wh, "D1")
    # quarter-labelled values apply to the quarter only; month-labelled ones to that month only.
    # They are percentages scored value / 100 x P (methodology §3, self-assessment paragraph).
    wh.self_assessment("2024-Q1", "TP", "IDX_1_1", 250 / 3)  # 83.33 % of 6 points = 5
    wh.self_assessment("2024-Q1", "TP", "IDX_1_3", 100)      # 100 % of 2 = 2
    wh.self_assessment("2024-01", "TP", "IDX_1_2", 75)       # 75 % of 4 = 3, January only
    wh.score("quarter", "2024-01", "2024-03")
    wh.score("month", "2024-01", "2024-01")
    # Q1 city G1: IDX_1_1 5 + IDX_1_3 2 (IDX_1_2 no Q1 value, IDX_1_4 no dossiers: N/A) = 7 of 8 = 87.5
    g = wh.score_row("quarter", "2024-01", "TP", "city", "G1")
    assert (g["score"], g["max_score"], g["ratio"]) == (approx(7.0), approx(8.0), approx(87.5))
    t = wh.score_row("quarter", "2024-01", "TP", "city")
    assert (t["ratio"], t["rank"], t["classification"]) == (approx(87.5), 1, "Tốt")
    # January city G1: only IDX_1_2 = 3 of 4 = 75
    g = wh.score_row("month", "2024-01", "TP", "city", "G1")
    assert (g["score"], g["max_score"], g["ratio"]) == (approx(3.0), approx(4.0), approx(75.0))
    # city-only indicators have no value at the department
    assert wh.iscore("quarter", "2024-01", "D1", "department", "IDX_1_1")["applicable"] is False


# =============================================================================================
# reference rows scoring cannot use are named, not silently ignored


def test_unusable_reference_rows_are_named_by_file_row_and_column(wh):
    from cchc_etl.scoring import unusable_reference_rows

    _city_with(wh, "D1")
    wh.target(2024, "city", "ON_TIME_REPORT", ">=", 98)            # fine
    wh.target(2024, "city", "ON_TIME", ">=", 98)                   # no such indicator
    wh.target(2024, "provincial", "LATE_RATE", "<", 4)             # no such scope or unit
    wh.self_assessment("2024-Q1", "TP", "IDX_1_1", 6)              # fine
    wh.self_assessment("2024", "D1", "PAR_DIRECTION", 8)           # fine (PAR Index area)
    wh.self_assessment("2024-01", "TP", "ON_TIME_REPORT", 99)      # computed from exports, not self-assessed
    wh.self_assessment("2024", "NOPE", "PAR_IMPACT", 30)           # unknown unit
    found = unusable_reference_rows(wh.con, "vn-2025.1")
    assert len(found) == 4, found
    assert any("reference/targets.csv" in f and "cột/column indicator_code: 'ON_TIME'" in f for f in found)
    assert any("cột/column scope: 'provincial'" in f for f in found)
    assert any("reference/self_assessment.csv" in f and "'ON_TIME_REPORT'" in f for f in found)
    assert any("cột/column unit_code: 'NOPE'" in f for f in found)
    assert all("dòng/row " in f for f in found)
    # nothing dropped: the rows stay staged
    assert wh.con.execute("SELECT count(*) FROM staging.stg_targets").fetchone()[0] == 3
