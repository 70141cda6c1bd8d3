"""The publisher's error and the constants every part of it shares."""

from __future__ import annotations

#: env var with the publish target (Dagster resource default, CLI default)
PUBLISH_URL_ENV = "CCHC_PUBLISH_URL"

# every publish (DDL and data) holds this transaction-level advisory lock: publishes queue
ADVISORY_LOCK_KEY = 0x63636863_7075  # "cchc" "pu"


class PublishError(RuntimeError):
    """A publish that could not be done (nothing was changed in PostgreSQL)."""
