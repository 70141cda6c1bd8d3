"""Dagster definitions, one module per domain; ``cchc_etl.definitions`` assembles them."""
