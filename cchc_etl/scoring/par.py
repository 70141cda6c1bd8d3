"""The PAR Index (methodology §6), year periods: ``sql/marts/par_index.sql`` reads the
methodology's areas and their maxima as the temp relation ``_par_areas``."""

from __future__ import annotations

import duckdb

from cchc_etl.methodology import Methodology


def create_par_areas(con: duckdb.DuckDBPyConnection, method: Methodology) -> None:
    con.execute("CREATE OR REPLACE TEMP TABLE _par_areas (area_code VARCHAR, max_score DOUBLE)")
    rows = [(a.code, float(a.max)) for a in method.par_areas]
    if rows:
        con.execute("INSERT INTO _par_areas VALUES " + ", ".join(["(?, ?)"] * len(rows)), [v for r in rows for v in r])
