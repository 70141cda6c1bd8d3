"""The GX suites in expectations/ stay in step with the contracts and run on real frames."""

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from cchc_etl.contract import event_sources, load_source
from cchc_etl.validation import all_suites, baseline_expectations, load_suite, run_suite, suite_for_table

EXPECTATIONS = Path(__file__).resolve().parents[2] / "expectations"


@pytest.mark.parametrize("source", event_sources())
def test_every_event_source_has_a_suite_of_its_contract_baseline_and_its_own_rules(source):
    path = EXPECTATIONS / f"stg_{source}.json"
    assert path.exists(), f"missing {path}"
    own = json.loads(path.read_text(encoding="utf-8"))["expectations"]
    baseline = baseline_expectations(load_source(source))
    suite = suite_for_table(load_source(source).staging_table)
    assert [e.check_name for e in suite.expectations] == [e["meta"]["check_name"] for e in [*baseline, *own]]
    # the file keeps only what the contract cannot express: no rule of the baseline, by name or by content
    assert not {e["meta"]["check_name"] for e in own} & {e["meta"]["check_name"] for e in baseline}, path.name
    assert not {_rule(e) for e in own} & {_rule(e) for e in baseline}, path.name
    for e, expected in zip(suite.expectations, baseline):
        assert (e.type, e.kwargs, e.severity) == (expected["type"], expected["kwargs"], expected["severity"]), e.check_name
    staged = {f.staged_name for f in load_source(source).fields} | {"system", "month", "file_path", "row_number"}
    for e in suite.expectations:
        for key in ("column", "column_A", "column_B"):
            if key in e.kwargs:
                assert e.kwargs[key] in staged, f"{path.name}: unknown column {e.kwargs[key]}"


def _rule(e: dict) -> str:
    return json.dumps([e["type"], e["kwargs"]], sort_keys=True)


def test_the_baseline_holds_not_null_and_value_sets_from_the_contract():
    spec = load_source("dossiers")
    by_name = {e["meta"]["check_name"]: e for e in baseline_expectations(spec)}
    for f in spec.fields:
        assert (f"{f.name}_not_null" in by_name) == f.required, f.name
    assert by_name["channel_in_set"]["kwargs"] == {"column": "channel", "value_set": sorted(spec.field("channel").values)}
    assert by_name["channel_in_set"]["severity"] == "critical"
    assert by_name["has_rows"]["meta"]["description"] == "Tháng có dữ liệu hồ sơ thủ tục hành chính / the month has staged dossiers"


@pytest.mark.parametrize("rule", [
    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "dossier_id"}, "meta": {"check_name": "dossier_id_present"}},
    {"type": "expect_column_values_to_be_between", "kwargs": {"column": "supplement_count", "min_value": 0},
     "meta": {"check_name": "channel_in_set"}},
], ids=["same-rule-other-name", "same-name-other-rule"])
def test_a_suite_file_repeating_the_baseline_is_refused(rule, tmp_path):
    raw = json.loads((EXPECTATIONS / "stg_dossiers.json").read_text(encoding="utf-8"))
    raw["expectations"].append(rule)
    path = tmp_path / "stg_dossiers.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match="implied by the contract"):
        load_suite(path)


def test_suite_fails_on_bad_values_and_reports_counts():
    suite = next(s for s in all_suites() if s.name == "stg_dossiers")
    frame = _bad_dossier_frame(suite).astype({"channel": "category"})
    outcomes = {o.check_name: o for o in run_suite(suite, frame)}
    assert not outcomes["channel_in_set"].success and outcomes["channel_in_set"].unexpected_count == 1
    assert "fax" in outcomes["channel_in_set"].sample
    assert not outcomes["resolved_after_received"].success
    assert outcomes["status_in_set"].success and outcomes["dossier_id_not_null"].success
    assert outcomes["channel_in_set"].severity == "critical"
    assert outcomes["dossier_unique_per_system"].severity == "warning"


def test_narrow_batches_give_the_outcomes_of_one_whole_frame_batch():
    """run_suite validates each multi-column expectation on a frame of its own columns; every
    outcome (success, counts, unexpected sample) equals validating the suite on the whole frame
    in one batch, with missing values, violations and duplicates present."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    from cchc_etl.validation import _batches, to_frame

    suite = next(s for s in all_suites() if s.name == "stg_dossiers")
    assert any(columns for columns, _ in _batches(suite))  # the suite has narrow batches
    n = 500
    day = pd.Timestamp("2024-01-02")
    frame = pd.DataFrame({
        "system": ["igate"] * n,
        "dossier_id": [f"D{i % 480}" for i in range(n)],  # 20 duplicates
        "unit_code": ["U"] * n, "procedure_code": ["P"] * n,
        "channel": ["online" if i % 50 else "fax" for i in range(n)],
        "status": ["resolved"] * n, "online_service_level": ["full"] * n, "result_channel": [None] * n,
        "received_at": [None if i % 97 == 0 else day for i in range(n)],
        "due_at": [day + pd.Timedelta(days=3 if i % 40 else -1) for i in range(n)],
        "resolved_at": [None if i % 3 == 0 else day + pd.Timedelta(days=1 if i % 7 else -2) for i in range(n)],
        "supplement_count": [i % 5 for i in range(n)],
    })[suite.columns]
    import pyarrow as pa

    frame = to_frame(pa.Table.from_pandas(frame, preserve_index=False))
    narrow = {o.check_name: o for o in run_suite(suite, frame)}

    context = gx.get_context(mode="ephemeral")
    definition = context.data_sources.add_pandas(name="whole").add_dataframe_asset(name="whole").add_batch_definition_whole_dataframe("all")
    whole_suite = gx.ExpectationSuite(name="whole")
    for e in suite.expectations:
        whole_suite.add_expectation(ExpectationConfiguration(type=e.type, kwargs=e.kwargs, meta={"check_name": e.check_name}).to_domain_obj())
    whole = {r.expectation_config.meta["check_name"]: r for r in
             definition.get_batch(batch_parameters={"dataframe": frame}).validate(whole_suite, result_format="SUMMARY").results}
    assert set(narrow) == set(whole)
    for name, outcome in narrow.items():
        res = whole[name].result or {}
        assert outcome.success == whole[name].success, name
        assert outcome.unexpected_count == res.get("unexpected_count"), name
        assert outcome.unexpected_percent == res.get("unexpected_percent"), name
        assert outcome.element_count == res.get("element_count", res.get("observed_value")), name
        assert outcome.sample == [str(v) for v in (res.get("partial_unexpected_list") or [])[:10]], name
    assert not narrow["resolved_after_received"].success and not narrow["due_after_received"].success
    assert not narrow["dossier_unique_per_system"].success


def _bad_dossier_frame(suite):
    good = {
        "system": "igate", "dossier_id": "A", "unit_code": "U", "procedure_code": "P", "channel": "online",
        "status": "resolved", "online_service_level": "full", "result_channel": None,
        "received_at": pd.Timestamp("2024-01-02"), "due_at": pd.Timestamp("2024-01-05"),
        "resolved_at": pd.Timestamp("2024-01-04"), "supplement_count": 0,
    }
    rows = [dict(good, dossier_id=f"A{i}") for i in range(9)] + [dict(good, dossier_id="B", channel="fax", resolved_at=pd.Timestamp("2024-01-01"))]
    return pd.DataFrame(rows)[suite.columns]


def test_helper_process_gives_the_outcomes_of_an_in_process_run(monkeypatch):
    """The command line validates in a helper process (GX imported there, scipy and altair deferred):
    the outcomes it returns are those of running the suite here."""
    import pyarrow as pa

    from cchc_etl import validation

    # an earlier in-process Dagster run of this pytest process may have imported GX here instead
    monkeypatch.setattr(validation, "_prewarmed", False)

    suite = next(s for s in all_suites() if s.name == "stg_dossiers")
    table = pa.Table.from_pandas(_bad_dossier_frame(suite), preserve_index=False)
    validation.start_worker()
    try:
        worker = validation._worker
        assert worker is not None
        remote = validation.validate(suite, table)
        assert validation._worker is worker and worker.process.poll() is None  # served by the helper, still alive
    finally:
        validation.stop_worker()
    # validate adds what was validated: the partition's 10 rows, all of them (no sample)
    assert {(o.rows, o.sample_rows, o.sampled) for o in remote} == {(10, 10, False)}
    assert [replace(o, rows=None, sample_rows=None) for o in remote] == run_suite(suite, validation.to_frame(table))
    assert not {o.check_name: o for o in remote}["channel_in_set"].success


def test_deferred_imports_run_a_module_on_first_use_only():
    import subprocess
    import sys

    code = (
        "import sys, types\n"
        "from cchc_etl.validation import defer_imports\n"
        "defer_imports(('altair',))\n"
        "import altair\n"
        "assert type(sys.modules['altair']) is not types.ModuleType, 'altair ran at import'\n"
        "assert 'altair.vegalite' not in sys.modules\n"
        "chart = altair.Chart\n"  # first use runs the module
        "assert type(sys.modules['altair']) is types.ModuleType and 'altair.vegalite' in sys.modules\n"
        "import json; assert type(sys.modules['json']) is types.ModuleType\n"  # other packages untouched
        "print('ok', chart.__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["ok", "Chart"]
