"""Configuration through resources; values come from the environment (CCHC_*), never code."""


import contextlib
import os
from pathlib import Path

from dagster import ConfigurableResource

from cchc_etl import warehouse
from cchc_etl.pii import resolve_key


class WarehouseResource(ConfigurableResource):
    """The DuckDB warehouse file (duckdb:///relative/path or duckdb:////absolute/path)."""

    url: str = warehouse.DEFAULT_URL

    @contextlib.contextmanager
    def connect(self, *, read_only: bool = False):
        with warehouse.connect(self.url, read_only=read_only) as con:
            if not read_only:
                warehouse.ensure_schema(con)
            yield con


class LandingResource(ConfigurableResource):
    """Root of the landing area: <root>/<source>/<YYYY-MM>/<system>__*.ext and <root>/reference/."""

    path: str = "landing"

    @property
    def root(self) -> Path:
        return Path(self.path)


class PiiKeyResource(ConfigurableResource):
    """HMAC key for PII columns. Empty means: read CCHC_PII_KEY at run time."""

    key: str = ""
    allow_demo_key: bool = False

    def resolve(self) -> str:
        return resolve_key(self.key or None, allow_demo=self.allow_demo_key)


class MethodologyResource(ConfigurableResource):
    version: str = os.environ.get("CCHC_METHODOLOGY", "vn-2025.1")
