"""Scores (methodology §3, §6): ``sql/marts/indicator_scores.sql`` and ``sql/marts/scores.sql``
read the indicators' points from core.dim_indicator; the bands they classify by are the
methodology's, given to the SQL as the temp relation ``_bands`` and its macro ``ratio_band``
(``sql/macros/ratio_band.sql``; also used by the PAR Index)."""

from __future__ import annotations

import duckdb

from cchc_etl.methodology import Methodology
from cchc_etl.sql_text import sql_file


def create_bands(con: duckdb.DuckDBPyConnection, method: Methodology) -> None:
    """``_bands(sort_key, min, label_vi)``: a ratio (rounded to 2 decimals) takes the first band in
    the methodology's order whose minimum it reaches, else the first band without a minimum."""
    con.execute("CREATE OR REPLACE TEMP TABLE _bands (sort_key INTEGER, min DOUBLE, label_vi VARCHAR)")
    rows = [(n if b.min is not None else len(method.bands) + n, None if b.min is None else float(b.min), b.label_vi)
            for n, b in enumerate(method.bands)]
    if rows:
        con.execute("INSERT INTO _bands VALUES " + ", ".join(["(?, ?, ?)"] * len(rows)), [v for r in rows for v in r])
    con.execute(sql_file("macros/ratio_band.sql"))
