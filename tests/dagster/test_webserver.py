"""The Dagster webserver serves this code location: start it on loopback, ask GraphQL, stop it.

It is started as ``make dev`` starts it after ``make demo``: on the demo's Dagster instance,
landing tree, warehouse and key, while a small demo runs; the UI then shows the demo's run, its
partitioned materializations with their metadata and its checks per month."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import duckdb
import pytest
from dagster import __version__ as dagster_version

REPO = Path(__file__).resolve().parents[2]
WEBSERVER = Path(sys.executable).parent / "dagster-webserver"
STARTUP_TIMEOUT_S = 90

LOCATIONS = """
{ workspaceOrError { __typename
    ... on Workspace { locationEntries { name loadStatus
        locationOrLoadError { __typename
          ... on RepositoryLocation { name repositories { name jobs { name } } }
          ... on PythonError { message } } } }
    ... on PythonError { message } } }
"""
ASSET_NODES = "{ assetNodes { assetKey { path } isPartitioned groupName } }"


def _loaded_location(base: str) -> dict:
    deadline = time.monotonic() + 60
    while True:  # the location may still be loading just after start-up
        workspace = _graphql(base, LOCATIONS)["workspaceOrError"]
        assert workspace["__typename"] == "Workspace", workspace
        entries = {e["name"]: e for e in workspace["locationEntries"]}
        assert "cchc_etl" in entries, entries
        if entries["cchc_etl"]["loadStatus"] == "LOADED" or time.monotonic() > deadline:
            return entries["cchc_etl"]["locationOrLoadError"]
        time.sleep(0.5)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(base: str, query: str) -> dict:
    request = urllib.request.Request(f"{base}/graphql", data=json.dumps({"query": query}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.load(response)
    assert "errors" not in body, body.get("errors")
    return body["data"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """``make demo`` in miniature (one month, few rows), recording into a Dagster home as the
    Makefile's does; it runs while the webserver starts."""
    root = tmp_path_factory.mktemp("demo")
    home = root / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((REPO / "deploy" / "dagster.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("CCHC_PII_KEY", "CCHC_LANDING_DIR", "CCHC_WAREHOUSE_URL")}
    env["DAGSTER_HOME"] = str(home)
    out = (root / "demo.log").open("w+")
    proc = subprocess.Popen([sys.executable, "-m", "cchc_etl.cli", "demo", "--dir", str(root / "demo"), "--from", "2024-01",
                             "--to", "2024-01", "--rows", "30"], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield home, root / "demo", proc, out
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        out.close()


@pytest.fixture(scope="module")
def webserver(demo):
    """The UI as ``make dev`` starts it after ``make demo``: the demo's instance, landing tree,
    warehouse and key."""
    home, demo_dir, _proc, _out = demo
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "CCHC_LANDING_DIR": str(demo_dir / "landing"),
           "CCHC_WAREHOUSE_URL": f"duckdb:///{demo_dir / 'warehouse.duckdb'}", "CCHC_ALLOW_DEMO_KEY": "1"}
    env.pop("CCHC_PII_KEY", None)
    log = (home.parent / "webserver.log").open("w+")
    proc = subprocess.Popen(
        [str(WEBSERVER), "-w", str(REPO / "workspace.yaml"), "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"dagster-webserver exited with {proc.returncode}:\n{log.read()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base}/server_info", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"dagster-webserver not up after {STARTUP_TIMEOUT_S}s:\n{log.read()[-3000:]}")
            time.sleep(0.5)
        yield base, proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the webserver and the code server it started
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log.close()


DEMO_IN_UI = """
{ runsOrError { ... on Runs { results { runId status tags { key value }
    eventConnection(limit: 2000) { events { __typename ... on MessageEvent { level message } } } } } }
  staged: assetOrError(assetKey: {path: ["staging", "stg_dossiers"]}) {
    ... on Asset { assetMaterializations(limit: 1) { metadataEntries { label } } } }
  assetOrError(assetKey: {path: ["marts", "indicator_values"]}) { __typename
    ... on Asset { assetMaterializations(limit: 5) { partition metadataEntries { label __typename
        ... on IntMetadataEntry { intValue } ... on FloatMetadataEntry { floatValue }
        ... on TableSchemaMetadataEntry { schema { columns { name type } } } } } } }
  assetCheckExecutions(assetKey: {path: ["staging", "stg_dossiers"]}, checkName: "status_in_set", limit: 5) {
    partition evaluation { partition success } }
  assetNodes(assetKeys: [{path: ["staging", "stg_dossiers"]}]) {
    assetChecksOrError { ... on AssetChecks { checks { name description } } } }
  topLevelResourceDetailsOrError(resourceSelector: {repositoryLocationName: "cchc_etl", repositoryName: "__repository__",
                                                    resourceName: "pii"}) {
    __typename ... on ResourceDetails { configuredValues { key value } } }
}
"""


def test_ui_shows_the_demos_runs_and_materializations(demo, webserver):
    _home, demo_dir, proc, out = demo
    base, _server = webserver
    rc = proc.wait(timeout=600)
    out.seek(0)
    printed = out.read()
    assert rc == 0, printed[-3000:]
    assert "CHÚ Ý / NOTE" in printed  # the demo key's warning
    assert _loaded_location(base)["__typename"] == "RepositoryLocation"
    data = _graphql(base, DEMO_IN_UI)

    runs = data["runsOrError"]["results"]
    assert [r["status"] for r in runs] == ["SUCCESS"], runs
    assert {t["key"]: t["value"] for t in runs[0]["tags"]}.get("dagster/partition") == "2024-01-01"
    # the demo key is announced in the run's log and on the staged rows
    warnings = [e["message"] for e in runs[0]["eventConnection"]["events"] if e.get("level") == "WARNING"]
    assert any(m.startswith("CHÚ Ý / NOTE: CCHC_PII_KEY chưa đặt") and "CCHC_PII_KEY is not set" in m for m in warnings), warnings
    assert "pii_key" in {e["label"] for e in data["staged"]["assetMaterializations"][0]["metadataEntries"]}

    mats = data["assetOrError"]["assetMaterializations"]
    assert [m["partition"] for m in mats] == ["2024-01-01"], mats
    meta = {e["label"]: e for e in mats[0]["metadataEntries"]}
    assert meta["dagster/row_count"]["intValue"] > 0
    assert meta["dagster/partition_row_count"]["intValue"] > 0
    columns = [c["name"] for c in meta["dagster/column_schema"]["schema"]["columns"]]
    assert columns[:2] == ["period_type", "period_start"] and "value" in columns, columns
    con = duckdb.connect(str(demo_dir / "warehouse.duckdb"), read_only=True)
    try:
        received, = con.execute("SELECT sum(rpt_received) FROM marts.period_report WHERE period_start = DATE '2024-01-01' "
                                "AND org_level = 'city'").fetchone()
        num, den = con.execute("SELECT sum(numerator), sum(denominator) FROM marts.indicator_values WHERE period_type = 'month' "
                               "AND period_start = DATE '2024-01-01' AND org_level = 'city' AND indicator_code = 'ON_TIME_REPORT'").fetchone()
        quarantined, = con.execute("SELECT count(*) FROM quality.quarantine WHERE month = DATE '2024-01-01'").fetchone()
    finally:
        con.close()
    assert meta["city_received"]["intValue"] == received > 0
    assert meta["city_on_time_percent"]["floatValue"] == pytest.approx(round(100 * num / den, 2))
    assert meta["rows_quarantined"]["intValue"] == quarantined
    assert "city_service_index_percent" in meta

    executions = data["assetCheckExecutions"]
    assert executions and executions[0]["partition"] == "2024-01-01" and executions[0]["evaluation"]["success"], executions
    checks = {c["name"]: c["description"] for c in data["assetNodes"][0]["assetChecksOrError"]["checks"]}
    assert checks["status_in_set"].startswith("Trạng thái (status)") and " / status is one of" in checks["status_in_set"]

    # the code location the UI runs uses the demo key (CCHC_ALLOW_DEMO_KEY=1, as make dev sets)
    pii = data["topLevelResourceDetailsOrError"]
    assert pii["__typename"] == "ResourceDetails", pii
    assert {v["key"]: v["value"] for v in pii["configuredValues"]}.get("allow_demo_key") == "true", pii


FEEDBACK_IN_UI = """
{ assetOrError(assetKey: {path: ["quality", "%s_quarantine"]}) { __typename
    ... on Asset {
      assetMaterializations(partitions: ["2024-01-01"], limit: 1) { metadataEntries { label ... on TextMetadataEntry { text } } }
      assetObservations(partitions: ["2024-01-01"], limit: 5) { partition description metadataEntries { label __typename
        ... on PathMetadataEntry { path } ... on UrlMetadataEntry { url } ... on IntMetadataEntry { intValue }
        ... on JsonMetadataEntry { jsonString } } } } } }
"""


def test_ui_links_the_feedback_workbooks_of_quarantined_rows(demo, webserver, tmp_path):
    """``cchc-etl quarantine`` on the demo warehouse, recording into the UI's instance: the month's
    quarantine asset shows how to get the workbooks, then an observation linking each one."""
    home, demo_dir, proc, _out = demo
    base, _server = webserver
    assert proc.wait(timeout=600) == 0
    wh = demo_dir / "warehouse.duckdb"
    con = duckdb.connect(str(wh), read_only=True)
    try:
        per_source = dict(con.execute("SELECT source, count(*) FROM quality.quarantine WHERE month = DATE '2024-01-01' "
                                      "GROUP BY source").fetchall())
    finally:
        con.close()
    assert per_source, "the demo month has quarantined rows"
    env = {**os.environ, "DAGSTER_HOME": str(home), "CCHC_ALLOW_DEMO_KEY": "1"}
    out = tmp_path / "feedback"
    done = subprocess.run([sys.executable, "-m", "cchc_etl.cli", "quarantine", "--month", "2024-01", "--out", str(out),
                           "--warehouse", f"duckdb:///{wh}"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Giao diện Dagster / Dagster UI" in done.stdout
    books = sorted(str(p.resolve()) for p in out.glob("*.xlsx"))
    assert books
    for source, rows in per_source.items():
        asset = _graphql(base, FEEDBACK_IN_UI % source)["assetOrError"]
        assert asset["__typename"] == "Asset", asset
        mat = {e["label"]: e for e in asset["assetMaterializations"][0]["metadataEntries"]}
        assert f"cchc-etl quarantine --month 2024-01 --source {source}" in mat["feedback_command"]["text"]
        observations = asset["assetObservations"]
        assert [o["partition"] for o in observations] == ["2024-01-01"], observations
        meta = {e["label"]: e for e in observations[0]["metadataEntries"]}
        listed = json.loads(meta["feedback_workbooks"]["jsonString"])
        assert listed and set(listed) <= set(books), (listed, books)
        assert meta["rows_in_feedback"]["intValue"] == rows
        linked = Path(meta["feedback_workbook"]["path"])
        assert linked.exists() and (str(linked) in listed or linked == out.resolve())
        assert meta["feedback_url"]["url"] == linked.as_uri()
    # quality.file_log names the same workbooks
    con = duckdb.connect(str(wh), read_only=True)
    try:
        recorded = {r[0] for r in con.execute("SELECT feedback_path FROM quality.file_log WHERE feedback_path IS NOT NULL").fetchall()}
    finally:
        con.close()
    assert recorded and recorded <= set(books) | {str(out.resolve())}



def test_webserver_loads_the_code_location_and_serves_the_asset_graph(webserver):
    base, proc = webserver
    with urllib.request.urlopen(f"{base}/server_info", timeout=5) as response:
        info = json.load(response)
    assert info.get("dagster_version") == dagster_version

    location = _loaded_location(base)
    assert location["__typename"] == "RepositoryLocation", location  # a PythonError here = the code failed to load
    jobs = {j["name"] for repo in location["repositories"] for j in repo["jobs"]}
    assert "cchc_monthly" in jobs

    nodes = {"/".join(n["assetKey"]["path"]): n for n in _graphql(base, ASSET_NODES)["assetNodes"]}
    for key in ("marts/period_report", "marts/indicator_values", "raw/landing_files", "staging/stg_dossiers"):
        assert key in nodes, sorted(nodes)
    assert nodes["marts/period_report"]["isPartitioned"] and nodes["marts/period_report"]["groupName"] == "marts"

    os.killpg(proc.pid, signal.SIGTERM)
    assert proc.wait(timeout=30) is not None
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{base}/server_info", timeout=2)


def _make_dry_run(*targets: str, **env_vars: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CCHC_LANDING_DIR", "CCHC_WAREHOUSE_URL", "DAGSTER_HOME", "MAKEFLAGS")}
    env.update(env_vars)
    venv = "/nonexistent-venv"
    proc = subprocess.run(["make", "-n", *targets, f"VENV={venv}", "-o", f"{venv}/bin/.installed", "-o", "data/demo/warehouse.duckdb"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_dev_serves_what_make_demo_recorded():
    home = f"DAGSTER_HOME={REPO}/.dagster_home"
    demo = next(line for line in _make_dry_run("demo") if "cchc-etl demo" in line)
    assert home in demo and "--dir data/demo" in demo, demo
    dev = next(line for line in _make_dry_run("dev") if "dg dev" in line)
    for part in (home, f"CCHC_LANDING_DIR={REPO}/data/demo/landing", f"CCHC_WAREHOUSE_URL=duckdb:///{REPO}/data/demo/warehouse.duckdb",
                 "CCHC_ALLOW_DEMO_KEY=1"):
        assert part in dev, (part, dev)
    # pointed at real data, it leaves the demo's landing tree, warehouse and key alone
    real = next(line for line in _make_dry_run("dev", CCHC_LANDING_DIR="/srv/landing") if "dg dev" in line)
    assert "CCHC_ALLOW_DEMO_KEY" not in real and "data/demo" not in real and home in real, real

