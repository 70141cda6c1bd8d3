"""Months build on each other: the asset graph says so, and the command line and a backfill stop
at a failed month. Checks record their month; materializations carry table metadata and the
month's headline figures.

One small sample landing tree (3 months) is run twice: with January's e-mail file moved to
December (the blocking check ``sources_present`` fails January) through ``run_months``, the code
path of ``cchc-etl run``; and as it is, January's dossiers up to the period report, through
``dagster.materialize``. The month's headline figures (scoring) are asserted on the demo's run in
tests/dagster/test_webserver.py.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import duckdb
import pytest
from dagster import AssetCheckKey, AssetKey, DagsterInstance, materialize

from cchc_etl import cli
from cchc_etl.contract import event_sources
from cchc_etl.definitions import ASSETS, build_definitions, defs
from cchc_etl.defs.month_gate import checks_not_passed, gating_checks
from cchc_etl.defs.partitions import monthly_partitions
from cchc_etl.sample import write_sample_landing

MONTHS = ["2024-01", "2024-02", "2024-03"]
MONTH_END = AssetKey(["core", "fct_dossier_month_end"])
STG_DOSSIERS = AssetKey(["staging", "stg_dossiers"])
PII_KEY = "test-month-order-key"
VIETNAMESE_LETTER = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE)


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("month_order") / "landing"
    write_sample_landing(root, MONTHS[0], MONTHS[-1], rows_per_month=40, seed=11)
    return root


def url_of(path: Path) -> str:
    return f"duckdb:///{path.resolve().as_posix()}"


def query(wh: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


# --------------------------------------------------------------------------- the asset graph


def test_month_end_depends_on_its_previous_month():
    graph = defs.resolve_asset_graph()
    assert MONTH_END in graph.get(MONTH_END).parent_keys
    parents = graph.get_parents_partitions(MONTH_END, "2024-02-01")
    assert (MONTH_END, "2024-01-01") in {(p.asset_key, p.partition_key) for p in parents.parent_partitions}
    assert not parents.required_but_nonexistent_parents_partitions
    # the first month has no previous month: nothing is required that does not exist
    first = monthly_partitions.get_first_partition_key()
    parents = graph.get_parents_partitions(MONTH_END, first)
    assert not {p for p in parents.parent_partitions if p.asset_key == MONTH_END}
    assert not parents.required_but_nonexistent_parents_partitions


def _downstream(graph, start: set) -> set:
    """Every asset partition downstream of ``start``: what a backfill marks as not to run when
    ``start`` failed (dagster's asset backfill walks the same partition mappings)."""
    seen, todo = set(start), list(start)
    while todo:
        key, partition = todo.pop()
        for child in graph.get_children_partitions(key, partition):
            item = (child.asset_key, child.partition_key)
            if item not in seen and (item[1] is None or item[1] <= "2024-03-01"):
                seen.add(item)
                todo.append(item)
    return seen


def test_a_failed_month_stops_the_later_months_of_a_backfill():
    """A blocking check failing on January's staged dossiers leaves January's month-end state
    unbuilt: in a backfill of January-March, every later month's state, marts, exports and
    publish are downstream of it, while the later months' own loads are not (they change no
    figure)."""
    graph = defs.resolve_asset_graph()
    failed = {(MONTH_END, "2024-01-01")}
    downstream = _downstream(graph, failed)
    for month in ("2024-02-01", "2024-03-01"):
        for key in (MONTH_END, AssetKey(["marts", "period_report"]), AssetKey(["marts", "indicator_values"]),
                    AssetKey(["exports", "parquet"]), AssetKey(["publish", "postgres"])):
            assert (key, month) in downstream, (key, month)
        assert (STG_DOSSIERS, month) not in downstream
    assert (AssetKey(["core", "org_rollup"]), "2024-02-01") not in downstream


# --------------------------------------------------------------------------- the command line's path


@pytest.fixture(scope="module")
def failed_january(landing, tmp_path_factory):
    """E-mail statistics have a file for December 2023 and none for January: the blocking check
    ``raw/landing_files:sources_present`` fails January (a vendor's late export)."""
    root = tmp_path_factory.mktemp("failed_january")
    bad = root / "landing"
    shutil.copytree(landing, bad)
    (bad / "email" / "2024-01").rename(bad / "email" / "2023-12")
    wh = root / "wh.duckdb"
    outcomes = cli.run_months(bad, url_of(wh), MONTHS, pii_key=PII_KEY, allow_demo_key=False, quiet=True)
    return outcomes, wh


def test_cli_stops_at_the_first_failed_month(failed_january):
    outcomes, wh = failed_january
    assert [o.month for o in outcomes] == ["2024-01"]
    january = outcomes[0]
    assert not january.success
    assert any("sources_present" in c for c in january.checks_failed), january.checks_failed
    assert january.not_run == ["2024-02", "2024-03"]
    inventoried = {m for (m,) in query(wh, "SELECT DISTINCT strftime(month, '%Y-%m') FROM raw.landing_files")}
    assert inventoried == {"2024-01"}, inventoried
    assert not query(wh, "SELECT * FROM quality.file_log WHERE month IS NOT NULL")
    assert not query(wh, "SELECT * FROM core.fct_dossier_month_end")


def test_cli_error_names_the_months_not_run(failed_january):
    outcomes, _wh = failed_january
    with pytest.raises(cli.CliError) as raised:
        cli._raise_for(outcomes)
    message = str(raised.value)
    assert message.startswith("2024-01:") and "sources_present" in message, message
    assert "các tháng chưa chạy / months not run: 2024-02, 2024-03" in message, message



@pytest.fixture(scope="module")
def failed_february(landing, tmp_path_factory):
    """January runs; February's e-mail export is late (filed under December): February fails."""
    root = tmp_path_factory.mktemp("failed_february")
    bad = root / "landing"
    shutil.copytree(landing, bad)
    (bad / "email" / "2024-02").rename(bad / "email" / "2023-12")
    wh = root / "wh.duckdb"
    outcomes = cli.run_months(bad, url_of(wh), MONTHS, pii_key=PII_KEY, allow_demo_key=False, quiet=True)
    return outcomes, wh


def test_score_stops_at_a_month_not_run_and_names_the_months_not_scored(failed_february, capsys, monkeypatch):
    outcomes, wh = failed_february
    assert [(o.month, o.success) for o in outcomes] == [("2024-01", True), ("2024-02", False)]
    monkeypatch.setenv("CCHC_PII_KEY", PII_KEY)
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    before = query(wh, "SELECT * FROM marts.scores ORDER BY ALL")
    assert cli.main(["score", "--from", "2024-01", "--to", "2024-03", "--warehouse", url_of(wh)]) == 1
    printed = capsys.readouterr()
    assert "2024-01 … xong / done" in printed.out, printed.out
    error = " ".join(printed.err.split())
    assert "2024-02: tháng chưa chạy" in error and "the month has not been run" in error, error
    assert "các tháng chưa chấm điểm / months not scored: 2024-02, 2024-03" in error, error
    # January re-scored to the same figures; February and March have no month scores
    assert query(wh, "SELECT * FROM marts.scores ORDER BY ALL") == before
    scored = {m for (m,) in query(wh, "SELECT DISTINCT strftime(period_start, '%Y-%m') FROM marts.scores WHERE period_type = 'month'")}
    assert scored == {"2024-01"}, scored

def test_a_failed_blocking_check_stops_the_month_in_a_later_run(failed_january, tmp_path):
    """A backfill may give a month's inventory and its state separate runs, and Dagster skips
    the steps downstream of a failed blocking check only within its own run: the month-end
    state looks up the month's blocking checks of earlier runs and refuses the month."""
    _outcomes, bad_wh = failed_january
    bad_landing = bad_wh.parent / "landing"
    resources = build_definitions(landing=str(bad_landing), warehouse_url=url_of(tmp_path / "wh.duckdb"),
                                  pii_key=PII_KEY).resources
    instance = DagsterInstance.ephemeral()
    by_name = {a.node_def.name: a for a in ASSETS}
    inventory = materialize([by_name["raw__landing_files"]], partition_key="2024-01-01", resources=resources,
                            instance=instance, raise_on_error=False)
    assert not inventory.success  # sources_present failed, raw/landing_files was materialized
    state = materialize([by_name["core__fct_dossier_month_end"]], partition_key="2024-01-01", resources=resources,
                        instance=instance, raise_on_error=False)
    assert not state.success
    assert not [e for e in state.all_events if e.event_type_value == "ASSET_MATERIALIZATION"]
    failure = next(e for e in state.all_events if e.event_type_value == "STEP_FAILURE")
    assert "raw/landing_files:sources_present" in failure.event_specific_data.error.message
    # a month never checked (history from before partitioned checks) is not stopped by it
    assert checks_not_passed(instance, "2024-02-01", [AssetCheckKey(AssetKey(["raw", "landing_files"]), "sources_present")]) == []


def test_the_gate_covers_every_blocking_check_before_the_state():
    graph = defs.resolve_asset_graph()
    gate = set(gating_checks(graph, MONTH_END))
    blocking = {c for c in graph.asset_check_keys if graph.get_check_spec(c).blocking}
    assert AssetCheckKey(AssetKey(["raw", "landing_files"]), "sources_present") in gate
    assert AssetCheckKey(STG_DOSSIERS, "status_in_set") in gate and AssetCheckKey(AssetKey(["staging", "stg_surveys"]), "rating_in_set") in gate
    assert blocking - gate == {AssetCheckKey(AssetKey(["marts", "indicator_values"]), "received_balanced")}
    # every source's staging is upstream of the state, so within a run its checks come first
    assert {AssetKey(["staging", f"stg_{s}"]) for s in event_sources()} <= graph.get(MONTH_END).parent_keys


# --------------------------------------------------------------------------- descriptions


def _check_specs():
    repo = defs.get_repository_def()
    specs = {}
    for definition in [*repo.assets_defs_by_key.values(), *repo.asset_checks_defs_by_key.values()]:
        for spec in definition.check_specs:
            specs[spec.key] = spec
    return specs


def test_every_check_is_described_in_vietnamese_and_english():
    specs = _check_specs()
    assert len(specs) > 70
    problems = []
    for key, spec in sorted(specs.items(), key=lambda kv: kv[0].to_user_string()):
        text = spec.description or ""
        vi, _, en = text.partition(" / ")
        name = f"{key.asset_key.to_user_string()}:{key.name}"
        if text != unicodedata.normalize("NFC", text) or not vi.strip() or not en.strip():
            problems.append(f"{name}: {text!r}")
        elif not VIETNAMESE_LETTER.search(vi) or VIETNAMESE_LETTER.search(en) or len(re.findall(r"[A-Za-z]{2,}", en)) < 3:
            problems.append(f"{name}: not 'Vietnamese / English': {text!r}")
    assert not problems, "\n".join(problems)


def test_checks_of_monthly_assets_are_partitioned_by_month():
    graph = defs.resolve_asset_graph()
    for key, spec in _check_specs().items():
        if graph.get(key.asset_key).partitions_def is not None:
            assert spec.partitions_def == monthly_partitions, key


# --------------------------------------------------------------------------- metadata


@pytest.fixture(scope="module")
def materialized_january(landing, tmp_path_factory):
    """January's dossiers to the period report (units and procedures, the inventory, the dossier
    loader, the roll-up, the month-end state, the report); the rest of the job, scoring and its
    headline figures included, runs in tests/dagster/test_webserver.py's demo."""
    wh = tmp_path_factory.mktemp("materialized") / "wh.duckdb"
    resources = build_definitions(landing=str(landing), warehouse_url=url_of(wh), pii_key=PII_KEY).resources
    wanted = {"staging__stg_org_units", "staging__stg_procedures", "raw__landing_files", "load_dossiers", "core__org_rollup",
              "core__fct_dossier_month_end", "marts__period_report"}
    assets = [a for a in ASSETS if a.node_def.name in wanted]
    assert len(assets) == len(wanted)
    result = materialize(assets, partition_key="2024-01-01", resources=resources)  # an ephemeral instance
    checks = {e.event_specific_data.check_name: e.event_specific_data
              for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"}
    return result, checks, wh


def _metadata(result, key: AssetKey) -> dict:
    mats = [e.event_specific_data.materialization for e in result.all_events
            if e.event_type_value == "ASSET_MATERIALIZATION" and e.event_specific_data.materialization.asset_key == key]
    assert len(mats) == 1, key
    assert mats[0].partition == "2024-01-01"
    return {k: v.value for k, v in mats[0].metadata.items()}


def test_materializations_carry_row_count_and_column_schema(materialized_january):
    result, _checks, wh = materialized_january
    assert result.success
    for key, table, where in [
        (STG_DOSSIERS, "staging.stg_dossiers", "month = DATE '2024-01-01'"),
        (AssetKey(["quality", "dossiers_quarantine"]), "quality.quarantine", "source = 'dossiers' AND month = DATE '2024-01-01'"),
        (MONTH_END, "core.fct_dossier_month_end", "period_start = DATE '2024-01-01'"),
        (AssetKey(["marts", "period_report"]), "marts.period_report", "period_start = DATE '2024-01-01'"),
    ]:
        meta = _metadata(result, key)
        columns = [c for (c,) in query(wh, f"SELECT column_name FROM (DESCRIBE {table})")]
        assert [c.name for c in meta["dagster/column_schema"].columns] == columns, key
        assert meta["dagster/partition_row_count"] == query(wh, f"SELECT count(*) FROM {table} WHERE {where}")[0][0] > 0, key
        assert meta["dagster/row_count"] >= meta["dagster/partition_row_count"], key


def test_checks_of_a_partitioned_run_record_the_month(materialized_january):
    _result, checks, _wh = materialized_january
    for name in ("sources_present", "keys_in_one_file", "rows_accounted", "procedures_in_catalogue"):
        assert checks[name].partition == "2024-01-01", name
