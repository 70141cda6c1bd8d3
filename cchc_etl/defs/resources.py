"""Configuration through resources; values come from the environment (CCHC_*), never code."""


import contextlib
import os
from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from cchc_etl import warehouse
from cchc_etl.pii import resolve_key


class WarehouseResource(ConfigurableResource):
    """The DuckDB warehouse file (duckdb:///relative/path or duckdb:////absolute/path)."""

    url: str = warehouse.DEFAULT_URL
    # One idle connection held while a run's steps execute in this process (the in-process
    # executor of `cchc-etl run`): DuckDB keeps the database open between steps instead of
    # checkpointing it when a step closes its connection and re-reading it when the next opens
    # one (~30 ms a step, and the first checkpoint after a large load). Per step process under the
    # multiprocess executor it is released when the step ends.
    _keepalive = PrivateAttr(default=None)
    _in_execution = PrivateAttr(default=False)  # only a run's steps keep it: a script's use does not hold the file

    @contextlib.contextmanager
    def connect(self, *, read_only: bool = False):
        if read_only:
            self.release()  # DuckDB refuses a read-only connection beside a read-write one in one process
        with warehouse.connect(self.url, read_only=read_only) as con:
            if not read_only:
                warehouse.ensure_schema(con)
                if self._keepalive is None and self._in_execution:
                    import duckdb

                    self._keepalive = duckdb.connect(str(warehouse.duckdb_path(self.url)))
            yield con

    def release(self) -> None:
        """Close the idle connection, so that the database is closed (and checkpointed) once this
        process's last connection closes: before code that opens the file by itself."""
        keepalive, self._keepalive = self._keepalive, None
        if keepalive is not None:
            keepalive.close()

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._in_execution = True

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        self._in_execution = False
        self.release()


class LandingResource(ConfigurableResource):
    """Root of the landing area: <root>/<source>/<YYYY-MM>/<system>__*.ext and <root>/reference/."""

    path: str = "landing"

    @property
    def root(self) -> Path:
        return Path(self.path)


class PiiKeyResource(ConfigurableResource):
    """HMAC key for PII columns. Empty means: read CCHC_PII_KEY at run time.

    A key other than the warehouse's is refused unless ``rotate`` is set (run config
    ``resources: {pii: {config: {rotate: true}}}``, ``cchc-etl run --rotate-pii-key``): every
    loaded month must then be reloaded with it (see ``cchc_etl.pii_key``)."""

    key: str = ""
    allow_demo_key: bool = False
    rotate: bool = False

    def resolve(self) -> str:
        return resolve_key(self.key or None, allow_demo=self.allow_demo_key)


class MethodologyResource(ConfigurableResource):
    version: str = os.environ.get("CCHC_METHODOLOGY", "vn-2025.1")
