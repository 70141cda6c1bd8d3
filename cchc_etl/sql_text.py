"""SQL text of the project's files and the parameters it uses."""

from __future__ import annotations

import re

from cchc_etl.paths import SQL_DIR


def sql_file(relative: str) -> str:
    return (SQL_DIR / relative).read_text(encoding="utf-8")


def used_params(sql: str, params: dict) -> dict:
    """The named parameters the SQL uses (DuckDB refuses unused ones); comments do not count."""
    code = re.sub(r"--[^\n]*", "", sql)
    return {k: v for k, v in params.items() if re.search(rf"\${k}\b", code)}
