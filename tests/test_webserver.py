"""The Dagster webserver serves this code location: start it on loopback, ask GraphQL, stop it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from dagster import __version__ as dagster_version

REPO = Path(__file__).resolve().parent.parent
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


@pytest.fixture
def webserver(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "CCHC_LANDING_DIR": str(tmp_path / "landing"),
           "CCHC_WAREHOUSE_URL": f"duckdb:///{tmp_path / 'warehouse.duckdb'}"}
    log = (tmp_path / "webserver.log").open("w+")
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


def test_webserver_loads_the_code_location_and_serves_the_asset_graph(webserver):
    base, proc = webserver
    with urllib.request.urlopen(f"{base}/server_info", timeout=5) as response:
        info = json.load(response)
    assert info.get("dagster_version") == dagster_version

    deadline = time.monotonic() + 60
    while True:  # the location may still be loading just after start-up
        workspace = _graphql(base, LOCATIONS)["workspaceOrError"]
        assert workspace["__typename"] == "Workspace", workspace
        entries = {e["name"]: e for e in workspace["locationEntries"]}
        assert "cchc_etl" in entries, entries
        if entries["cchc_etl"]["loadStatus"] == "LOADED" or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    location = entries["cchc_etl"]["locationOrLoadError"]
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
