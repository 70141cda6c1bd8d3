"""Configuration through resources; values come from the environment (CCHC_*), never code."""


import contextlib
from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from cchc_etl import settings, warehouse
from cchc_etl.pii import DEMO_KEY_WARNING, resolve_key


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
    # The run lock (cchc_etl.locks) for as long as a run executes: the job's in-process executor
    # sets this resource up once per run, so a second run is refused before its first step (under
    # `cchc-etl run` the CLI already holds it and this is a no-op)
    _run_lock = PrivateAttr(default=None)

    @contextlib.contextmanager
    def connect(self, *, read_only: bool = False):
        if read_only:
            self.release()  # DuckDB refuses a read-only connection beside a read-write one in one process
        with warehouse.connect(self.url, read_only=read_only) as con:
            if not read_only:
                warehouse.ensure_schema(con)
                if self._keepalive is None and self._in_execution:
                    from cchc_etl.locks import connect_duckdb

                    self._keepalive = connect_duckdb(warehouse.duckdb_path(self.url))
            yield con

    def release(self) -> None:
        """Close the idle connection, so that the database is closed (and checkpointed) once this
        process's last connection closes: before code that opens the file by itself."""
        keepalive, self._keepalive = self._keepalive, None
        if keepalive is not None:
            keepalive.close()

    def setup_for_execution(self, context: InitResourceContext) -> None:
        from cchc_etl.locks import acquire_run_lock, command_line, connect_duckdb, release_run_lock

        path = warehouse.duckdb_path(self.url)
        run_id = getattr(context, "run_id", None)
        self._run_lock = acquire_run_lock(path, command_line() + (f" (Dagster run {run_id})" if run_id else ""))
        try:
            # the file from the start of the run: a reader that holds it (BI tool, DBeaver) is
            # waited for here, once, and then cannot take it between two steps
            path.parent.mkdir(parents=True, exist_ok=True)
            self._keepalive = connect_duckdb(path)
        except BaseException:
            lock, self._run_lock = self._run_lock, None
            release_run_lock(lock)
            raise
        self._in_execution = True

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        from cchc_etl.locks import release_run_lock

        self._in_execution = False
        try:
            self.release()
        finally:
            lock, self._run_lock = self._run_lock, None
            if lock is not None:
                release_run_lock(lock)


class LandingResource(ConfigurableResource):
    """Root of the landing area: <root>/<source>/<YYYY-MM>/<system>__*.ext and <root>/reference/."""

    path: str = "landing"

    @property
    def root(self) -> Path:
        return Path(self.path)


class PiiKeyResource(ConfigurableResource):
    """HMAC key for PII columns. Empty means: read CCHC_PII_KEY at run time; without it, the public
    demo key only when ``allow_demo_key`` (the demo, and ``make dev`` on the demo data).

    A key other than the warehouse's is refused unless ``rotate`` is set (run config
    ``resources: {pii: {config: {rotate: true}}}``, ``cchc-etl run --rotate-pii-key``): every
    loaded month must then be reloaded with it (see ``cchc_etl.pii_key``)."""

    key: str = ""
    allow_demo_key: bool = False
    rotate: bool = False

    def resolve(self) -> str:
        return resolve_key(self.key or None, allow_demo=self.allow_demo_key)

    @property
    def uses_demo_key(self) -> bool:
        return self.allow_demo_key and not (self.key or settings.pii_key())

    def setup_for_execution(self, context: InitResourceContext) -> None:
        if self.uses_demo_key:  # in the run's log, as loud as the demo's own warning
            context.log.warning(DEMO_KEY_WARNING)


class MethodologyResource(ConfigurableResource):
    version: str = settings.methodology()
