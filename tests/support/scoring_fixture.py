"""Tiny hand-built warehouse fixtures for the scoring-rule tests (tests/integration/test_scoring_rules.py).

Rows are inserted straight into a real DuckDB file's staging tables (as the ingest layer would
leave them: canonical enum codes, parsed timestamps, PII already hashed), then the real engine is
run (``build_dim_date``, optionally ``build_dossier_month_end``, ``score_month`` / ``score_period``).
Nothing here computes an expected value: the tests hold hand-computed literals.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cchc_etl import build, scoring, warehouse
from cchc_etl.periods import period

VERSION = "vn-2025.1"


def ts(text: str | None) -> dt.datetime | None:
    """'2024-01-10 08:00' -> datetime (local time, as staged); None stays None."""
    if text is None:
        return None
    return dt.datetime.fromisoformat(text)


def day(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def month(text: str) -> dt.date:
    """'2024-01' -> date(2024, 1, 1)."""
    return dt.date.fromisoformat(text + "-01")


CARRIED_FEEDBACK = {"published": False, "dissatisfied": False, "follow_up_complaint": False}
CARRIED_DOCUMENT = {"digitally_signed": False, "processed_online": False, "via_interconnect": False}


class Wh:
    """A warehouse file with helpers to stage rows and read the marts back."""

    def __init__(self, path: Path):
        self._cm = warehouse.connect(path)
        self.con = self._cm.__enter__()
        warehouse.ensure_schema(self.con)
        self._row = 0

    def close(self) -> None:
        self._cm.__exit__(None, None, None)

    # ------------------------------------------------------------------ staging inserts

    def _insert(self, table: str, values: dict) -> None:
        self._row += 1
        values = {"row_number": self._row} | values
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        self.con.execute(f"INSERT INTO staging.{table} ({cols}) VALUES ({marks})", list(values.values()))

    def _event(self, table: str, source: str, m: str, system: str, file: str | None, values: dict) -> None:
        fp = f"{source}/{m}/{system}__{file or 'export'}.csv"
        self._insert(table, {"month": month(m), "system": system, "file_path": fp} | values)

    def org(self, code, level, parent=None, valid_from="2000-01-01", valid_to=None, successor=None, category=None):
        self._insert("stg_org_units", {
            "file_path": "reference/org_units.csv", "unit_code": code, "name": code, "level": level,
            "parent_code": parent, "valid_from": day(valid_from), "valid_to": day(valid_to),
            "successor_code": successor, "category": category})

    def procedure(self, code, online="none", full_online_eligible=False, fee_required=False, result_required=True,
                  target_group=None, valid_from="2000-01-01", valid_to=None):
        self._insert("stg_procedures", {
            "file_path": "reference/procedures.csv", "procedure_code": code, "name": code, "level": "province",
            "online_service_level": online, "full_online_eligible": full_online_eligible, "fee_required": fee_required,
            "result_required": result_required, "target_group": target_group,
            "valid_from": day(valid_from), "valid_to": day(valid_to)})

    def holiday(self, date, kind, name="h"):
        self._insert("stg_holidays", {"file_path": "reference/holidays.csv", "date": day(date), "name": name, "kind": kind})

    def target(self, year, scope, indicator_code, comparator, value, target_group=None, unit_category=None,
               second_value=None, note="test"):
        self._insert("stg_targets", {
            "file_path": "reference/targets.csv", "year": year, "scope": scope, "indicator_code": indicator_code,
            "comparator": comparator, "value": value, "target_group": target_group, "unit_category": unit_category,
            "second_value": second_value, "note": note})

    def self_assessment(self, period_label, unit, indicator_code, value):
        self._insert("stg_self_assessment", {
            "file_path": "reference/self_assessment.csv", "year": int(period_label[:4]), "period": period_label,
            "unit_code": unit, "indicator_code": indicator_code, "value": value})

    def dossier(self, m, dossier_id, unit, received, due, status="processing", resolved=None, *, procedure="P1",
                channel="direct", system="sys", file=None, **flags):
        """flags: any other stg_dossiers column (booleans, supplement_*, online_service_level, ...);
        supplement_requested_at / supplement_completed_at may be given as strings."""
        for k in ("supplement_requested_at", "supplement_completed_at", "returned_at"):
            if isinstance(flags.get(k), str):
                flags[k] = ts(flags[k])
        self._event("stg_dossiers", "dossiers", m, system, file, {
            "dossier_id": dossier_id, "procedure_code": procedure, "unit_code": unit, "channel": channel,
            "received_at": ts(received), "due_at": ts(due), "resolved_at": ts(resolved), "status": status} | flags)

    def survey(self, m, response_id, unit, rated_at, rating, system="sys", file=None):
        self._event("stg_surveys", "surveys", m, system, file, {
            "response_id": response_id, "unit_code": unit, "rated_at": ts(rated_at), "rating": rating})

    # rows as an export that carries every optional yes/no column stages them (a blank cell = no);
    # a test of data not carried passes None for the column
    def feedback(self, m, feedback_id, unit, received, due, status="open", answered=None, system="sys", file=None, **flags):
        self._event("stg_feedback", "feedback", m, system, file, {
            "feedback_id": feedback_id, "unit_code": unit, "received_at": ts(received), "due_at": ts(due),
            "answered_at": ts(answered), "status": status} | CARRIED_FEEDBACK | flags)

    def document(self, m, document_id, unit, direction, registered, form, system="sys", file=None, **flags):
        self._event("stg_documents", "documents", m, system, file, {
            "document_id": document_id, "unit_code": unit, "direction": direction, "registered_at": ts(registered),
            "form": form} | CARRIED_DOCUMENT | flags)

    def email(self, m, account, unit, role, active_days, system="sys", file=None):
        self._event("stg_email", "email", m, system, file, {
            "account_hash": account, "unit_code": unit, "role": role, "active_days": active_days})

    # ------------------------------------------------------------------ engine

    def score_month(self, m: str, month_end: bool = False):
        build.build_dim_date(self.con)
        if month_end:
            build.build_dossier_month_end(self.con, month(m))
        return scoring.score_month(self.con, month(m), VERSION)

    def score(self, ptype: str, start: str, last: str):
        build.build_dim_date(self.con)
        return scoring.score_period(self.con, period(ptype, month(start), month(last)), VERSION)

    # ------------------------------------------------------------------ reading marts

    def iv(self, ptype, start, unit, level, code):
        """(numerator, denominator, value) of marts.indicator_values, or None when there is no row."""
        return self.con.execute(
            "SELECT numerator, denominator, value FROM marts.indicator_values WHERE period_type = ? AND period_start = ? "
            "AND org_unit_code = ? AND org_level = ? AND indicator_code = ? AND methodology_version = ?",
            [ptype, month(start), unit, level, code, VERSION]).fetchone()

    def value(self, ptype, start, unit, level, code):
        row = self.iv(ptype, start, unit, level, code)
        assert row is not None, f"no indicator_values row for {ptype} {start} {unit} {level} {code}"
        return row[2]

    def iscore(self, ptype, start, unit, level, code):
        """dict of marts.indicator_scores columns for one indicator."""
        cur = self.con.execute(
            "SELECT * FROM marts.indicator_scores WHERE period_type = ? AND period_start = ? AND org_unit_code = ? "
            "AND org_level = ? AND indicator_code = ? AND methodology_version = ?",
            [ptype, month(start), unit, level, code, VERSION])
        row = cur.fetchone()
        assert row is not None, f"no indicator_scores row for {ptype} {start} {unit} {level} {code}"
        return dict(zip([d[0] for d in cur.description], row))

    def score_row(self, ptype, start, unit, level, group="TOTAL"):
        cur = self.con.execute(
            "SELECT * FROM marts.scores WHERE period_type = ? AND period_start = ? AND org_unit_code = ? "
            "AND org_level = ? AND group_code = ? AND methodology_version = ?",
            [ptype, month(start), unit, level, group, VERSION])
        row = cur.fetchone()
        assert row is not None, f"no scores row for {ptype} {start} {unit} {level} {group}"
        return dict(zip([d[0] for d in cur.description], row))

    def units(self, ptype, start, code):
        """{(org_unit_code, org_level)} having a row for indicator `code`."""
        return set(self.con.execute(
            "SELECT org_unit_code, org_level FROM marts.indicator_values WHERE period_type = ? AND period_start = ? "
            "AND indicator_code = ? AND methodology_version = ?", [ptype, month(start), code, VERSION]).fetchall())

    def targets(self, year, code, comparator=None):
        sql = ("SELECT * FROM marts.target_attainment WHERE year = ? AND indicator_code = ? AND methodology_version = ?")
        params = [year, code, VERSION]
        if comparator:
            sql += " AND comparator = ?"
            params.append(comparator)
        cur = self.con.execute(sql + " ORDER BY org_unit_code, target_group NULLS FIRST", params)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]
