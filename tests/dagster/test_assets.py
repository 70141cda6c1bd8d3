"""The assets themselves, materialized with ``dagster.materialize`` on the hand-made landing tree
(tests/support/handmade_landing.py) for January 2024: a loader, the month-end state and the
scoring, each asserted on its check evaluations (passed, severity) and its materialization
metadata. The expected figures are the hand-derived ones of tests/integration/test_e2e_handmade.py.

One Dagster instance serves the three steps, as one deployment would: the month-end state reads
the loader's blocking checks of the month from it (cchc_etl.defs.month_gate).
"""

from __future__ import annotations

import duckdb
import pytest
from dagster import AssetCheckSeverity, AssetKey, DagsterInstance, materialize

from cchc_etl.definitions import ASSETS, build_definitions
from cchc_etl.defs.checks import gx_checks
from tests.integration.test_e2e_handmade import _JAN_CITY, EXPECTED_FILE_LOG, EXPECTED_QUARANTINE, JAN, RPT_COLUMNS
from tests.support import handmade_landing as hl

PARTITION = JAN.isoformat()
VERSION = "vn-2025.1"
STG_DOSSIERS = AssetKey(["staging", "stg_dossiers"])
MONTH_END = AssetKey(["core", "fct_dossier_month_end"])
INDICATOR_VALUES = AssetKey(["marts", "indicator_values"])
BY_NAME = {a.node_def.name: a for a in ASSETS}
ERROR, WARN = AssetCheckSeverity.ERROR, AssetCheckSeverity.WARN

# the hand counts of January's two dossier exports
JAN_FILES = {path: row for path, row in EXPECTED_FILE_LOG.items() if row[2] == JAN}
JAN_LOADED = sum(row[4] for row in JAN_FILES.values())
JAN_QUARANTINED = sum(row[5] for row in JAN_FILES.values())


class Month:
    """The warehouse file, the resources and the instance the three steps share."""

    def __init__(self, root):
        self.warehouse = root / "wh.duckdb"
        self.instance = DagsterInstance.ephemeral()
        self.resources = build_definitions(landing=str(hl.build_landing(root / "landing")), pii_key="test-assets-key",
                                           warehouse_url=f"duckdb:///{self.warehouse.resolve().as_posix()}",
                                           methodology=VERSION).resources

    def materialize(self, names: list[str], checks: list = ()):
        return materialize([BY_NAME[n] for n in names] + list(checks), partition_key=PARTITION, resources=self.resources,
                           instance=self.instance, raise_on_error=False)

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


def evaluations(result) -> dict[tuple[str, str], tuple[bool, AssetCheckSeverity]]:
    return {(e.asset_key.to_user_string(), e.check_name): (e.passed, e.severity) for e in result.get_asset_check_evaluations()}


def metadata(result, key: AssetKey) -> dict:
    [mat] = [m for m in result.asset_materializations_for_node(_node_of(result, key)) if m.asset_key == key]
    assert mat.partition == PARTITION, key
    return {k: v.value for k, v in mat.metadata.items()}


def _node_of(result, key: AssetKey) -> str:
    return next(e.node_name for e in result.all_events if e.event_type_value == "ASSET_MATERIALIZATION"
                and e.event_specific_data.materialization.asset_key == key)


@pytest.fixture(scope="module")
def month(tmp_path_factory) -> Month:
    return Month(tmp_path_factory.mktemp("assets"))


@pytest.fixture(scope="module")
def loaded(month):
    """The reference files, the month's inventory, and the dossier loader with its GX suite."""
    suite = [c for c in gx_checks if any(k.asset_key == STG_DOSSIERS for k in c.check_keys)]
    return month.materialize(["staging__stg_org_units", "staging__stg_procedures", "raw__landing_files", "load_dossiers"], suite)


@pytest.fixture(scope="module")
def month_end(month, loaded):
    return month.materialize(["core__fct_dossier_month_end"])


@pytest.fixture(scope="module")
def scored(month, month_end):
    return month.materialize(["core__dim_date", "core__dim_indicator", "core__org_rollup", "marts__period_report", "score_month"])


def test_the_dossier_loader_reports_its_checks_and_the_hand_counted_rows(loaded, month):
    assert loaded.success
    checks = evaluations(loaded)
    assert checks[("quality/dossiers_file_log", "rows_accounted")] == (True, ERROR)
    assert checks[("quality/dossiers_file_log", "files_readable")] == (True, ERROR)
    assert checks[("staging/stg_dossiers", "keys_in_one_file")] == (True, ERROR)
    # 3 of January's 33 data rows quarantined: 9.1 %, above the 5 % the warning allows
    assert (JAN_LOADED, JAN_QUARANTINED) == (30, 3)
    assert checks[("quality/dossiers_quarantine", "quarantine_rate")] == (False, WARN)
    # the GX suite: the contract's baseline (blocking) and the file's own rules
    for name in ("has_rows", "dossier_id_not_null", "channel_in_set", "status_in_set"):
        assert checks[("staging/stg_dossiers", name)][0], name
    assert checks[("staging/stg_dossiers", "channel_in_set")][1] == ERROR
    assert checks[("staging/stg_dossiers", "dossier_unique_per_system")][1] == WARN
    assert checks[("raw/landing_files", "sources_present")] == (True, ERROR)

    stg = metadata(loaded, STG_DOSSIERS)
    assert stg["rows_loaded"] == JAN_LOADED == stg["dagster/partition_row_count"]
    assert [c.name for c in stg["dagster/column_schema"].columns] == [
        c for (c,) in month.query("SELECT column_name FROM (DESCRIBE staging.stg_dossiers)")]
    quarantine = metadata(loaded, AssetKey(["quality", "dossiers_quarantine"]))
    assert quarantine["rows_quarantined"] == JAN_QUARANTINED == quarantine["dagster/partition_row_count"]
    assert "cchc-etl quarantine --month 2024-01 --source dossiers" in quarantine["feedback_command"]
    assert metadata(loaded, AssetKey(["quality", "dossiers_file_log"]))["dagster/partition_row_count"] == len(JAN_FILES)
    quarantined = {(p, r) for p, r in month.query("SELECT file_path, row_number FROM quality.quarantine WHERE month = ?", [JAN])}
    assert quarantined == {k for k in EXPECTED_QUARANTINE if k[0] in JAN_FILES}


def test_the_month_end_state_names_the_dossier_outside_the_catalogue(month_end, month):
    assert month_end.success
    # G16 (procedure PX, received 31 January) is the month's one dossier of a procedure no catalogue lists
    assert evaluations(month_end) == {("core/fct_dossier_month_end", "procedures_in_catalogue"): (False, WARN)}
    [check] = month_end.get_asset_check_evaluations()
    assert check.metadata["dossiers"].value == 1
    assert check.metadata["procedures"].value == {hl.PX: 1}
    meta = metadata(month_end, MONTH_END)
    rows = month.query("SELECT count(*) FROM core.fct_dossier_month_end WHERE period_start = ?", [JAN])[0][0]
    assert meta["rows"] == meta["dagster/partition_row_count"] == rows > 0


def test_the_scoring_checks_pass_and_its_metadata_carries_the_hand_counted_headline(scored, month):
    assert scored.success
    checks = evaluations(scored)
    assert checks[("marts/indicator_values", "received_balanced")] == (True, ERROR)
    assert checks[("marts/target_attainment", "reference_rows_usable")] == (True, WARN)
    city = dict(zip(RPT_COLUMNS, _JAN_CITY["TP"]))
    report = metadata(scored, AssetKey(["marts", "period_report"]))
    assert report["city_received"] == city["rpt_received"] == 25
    values = metadata(scored, INDICATOR_VALUES)
    assert values["city_received"] == 25
    assert values["city_resolved"] == city["rpt_resolved_early"] + city["rpt_resolved_on_time"] + city["rpt_resolved_late"]
    assert (values["rows_loaded"], values["rows_quarantined"], values["files_refused"]) == (JAN_LOADED, JAN_QUARANTINED, 0)
    assert values["methodology_version"] == VERSION
    assert "year to date" in values["periods"]  # the month, its quarter and its year so far
    assert values["rows"] == values["dagster/partition_row_count"] == month.query(
        "SELECT count(*) FROM marts.indicator_values WHERE methodology_version = ?", [VERSION])[0][0] > 0
    for name in ("indicator_scores", "scores", "periods"):
        assert metadata(scored, AssetKey(["marts", name]))["dagster/partition_row_count"] > 0, name
