"""The Unicode NFC check a publish runs before it commits."""

from __future__ import annotations

from collections.abc import Sequence

import psycopg
from psycopg import sql

from cchc_etl.publish.connection import pg_columns

_TEXT_TYPES = ("text", "varchar", "jsonb", "json", "bpchar")


def _nfc_condition(value: sql.Composable) -> sql.Composable:
    """TRUE when a value is not NFC: ``normalize(x, NFC) <> x``; pure-ASCII values (the vast
    majority: codes, ids, paths) are NFC by definition and skip the normalisation."""
    return sql.SQL("CASE WHEN octet_length({v}) = char_length({v}) THEN false ELSE normalize({v}, NFC) <> {v} END").format(v=value)


def _text_values(cur: psycopg.Cursor, table: str, columns: Sequence[str] | None) -> dict[str, sql.Composable]:
    out = {}
    for c, ty in pg_columns(cur, table):
        if ty in _TEXT_TYPES and (columns is None or c in columns):
            out[c] = sql.SQL("{}::text").format(sql.Identifier(c)) if ty in ("jsonb", "json") else sql.Identifier(c)
    return out


def _where(query: sql.Composable, where: sql.Composable | None) -> sql.Composable:
    return query if where is None else query + sql.SQL(" WHERE ") + where


def nfc_violations(conn: psycopg.Connection, table: str, *, where: sql.Composable | None = None,
                   params: Sequence | None = None, columns: Sequence[str] | None = None) -> dict[str, int]:
    """Per text/jsonb column of ``table`` (rows matching ``where``), the number of values that are
    not NFC (``normalize(x, NFC) <> x``); columns without any are left out, so ``{}`` means all NFC.

    One ``count(*)`` with a short-circuit OR answers "all NFC?" (not EXISTS: its plan expects an
    early hit and walks the index); only a table with violations gets the per-column counts.
    """
    schema, name = table.split(".", 1)
    ident = sql.Identifier(schema, name)
    with conn.cursor() as cur:
        values = _text_values(cur, table, columns)
        if not values:
            return {}
        any_bad = sql.SQL(" OR ").join(_nfc_condition(v) for v in values.values())
        probe = sql.SQL("SELECT count(*) FROM {} WHERE ({})").format(ident, any_bad)
        if where is not None:
            probe = probe + sql.SQL(" AND (") + where + sql.SQL(")")
        if not cur.execute(probe, params).fetchone()[0]:
            return {}
        counts = sql.SQL(", ").join(sql.SQL("count(*) FILTER (WHERE {})").format(_nfc_condition(v)) for v in values.values())
        row = cur.execute(_where(sql.SQL("SELECT {} FROM {}").format(counts, ident), where), params).fetchone()
    return {c: n for c, n in zip(values, row) if n}
