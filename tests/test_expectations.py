"""The GX suites in expectations/ stay in step with the contracts and run on real frames."""

import json
from pathlib import Path

import pandas as pd
import pytest

from cchc_etl.contract import event_sources, load_source
from cchc_etl.validation import all_suites, baseline_expectations, run_suite

EXPECTATIONS = Path(__file__).resolve().parent.parent / "expectations"


@pytest.mark.parametrize("source", event_sources())
def test_every_event_source_has_a_suite_covering_its_contract(source):
    path = EXPECTATIONS / f"stg_{source}.json"
    assert path.exists(), f"missing {path}"
    suite = json.loads(path.read_text(encoding="utf-8"))
    by_name = {e["meta"]["check_name"]: e for e in suite["expectations"]}
    for expected in baseline_expectations(load_source(source)):
        name = expected["meta"]["check_name"]
        assert name in by_name, f"{path.name}: missing {name}"
        assert by_name[name]["type"] == expected["type"]
        assert by_name[name]["kwargs"] == expected["kwargs"], name
        assert by_name[name]["severity"] == expected["severity"], name
    staged = {f.staged_name for f in load_source(source).fields} | {"system", "month", "file_path", "row_number"}
    for e in suite["expectations"]:
        for key in ("column", "column_A", "column_B"):
            if key in e["kwargs"]:
                assert e["kwargs"][key] in staged, f"{path.name}: unknown column {e['kwargs'][key]}"


def test_suite_fails_on_bad_values_and_reports_counts():
    suite = next(s for s in all_suites() if s.name == "stg_dossiers")
    good = {
        "system": "igate", "dossier_id": "A", "unit_code": "U", "procedure_code": "P", "channel": "online",
        "status": "resolved", "online_service_level": "full", "result_channel": None,
        "received_at": pd.Timestamp("2024-01-02"), "due_at": pd.Timestamp("2024-01-05"),
        "resolved_at": pd.Timestamp("2024-01-04"), "supplement_count": 0,
    }
    rows = [dict(good, dossier_id=f"A{i}") for i in range(9)] + [dict(good, dossier_id="B", channel="fax", resolved_at=pd.Timestamp("2024-01-01"))]
    frame = pd.DataFrame(rows)[suite.columns].astype({"channel": "category"})
    outcomes = {o.check_name: o for o in run_suite(suite, frame)}
    assert not outcomes["channel_in_set"].success and outcomes["channel_in_set"].unexpected_count == 1
    assert "fax" in outcomes["channel_in_set"].sample
    assert not outcomes["resolved_after_received"].success
    assert outcomes["status_in_set"].success and outcomes["dossier_id_not_null"].success
    assert outcomes["channel_in_set"].severity == "critical"
    assert outcomes["dossier_unique_per_system"].severity == "warning"
