"""Which PII key hashed the warehouse, and changing it (rotation).

Hashes made under two keys cannot be compared: the same applicant hashes differently, so
distinct counts and joins across months would be wrong without any error. The warehouse
therefore records the fingerprint of its key (``cchc_etl.pii.key_fingerprint``: an HMAC of a
fixed label under the key, truncated to 64 bits; it names the key without revealing anything a
stored hash does not) in ``core.warehouse_meta``, and every file log row carries the fingerprint
of the key its rows were hashed with (``quality.file_log.pii_key_fingerprint``).

Every load (``cchc_etl.ingest.Loader``) is admitted here first. A key other than the warehouse's
is refused unless the run rotates (``cchc-etl run --rotate-pii-key``; in Dagster the ``pii``
resource's ``rotate``): the rotation is recorded (``pii_key_rotating_to``) and, since a hash
cannot be re-keyed without the clear value, every loaded month is reloaded from its landing
files. Runs without the option are refused until no file log row carries another key; then the
new key becomes the warehouse's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

KEY = "pii_key_fingerprint"
ROTATING_TO = "pii_key_rotating_to"
META_DDL = "CREATE SCHEMA IF NOT EXISTS core; CREATE TABLE IF NOT EXISTS core.warehouse_meta (key VARCHAR PRIMARY KEY, value VARCHAR)"


class KeyRefused(ValueError):
    """A load or run whose PII key would mix two keys in the warehouse."""


@dataclass(frozen=True)
class KeyState:
    recorded: str | None  # the warehouse's key (core.warehouse_meta)
    rotating_to: str | None  # the key of a rotation under way
    in_file_log: frozenset[str]  # the keys the file log rows name (rows of an earlier release name none)
    files: int = 0  # file log rows


def read_state(con: duckdb.DuckDBPyConnection) -> KeyState:
    """The key state of a warehouse (any schema age: missing tables or columns read as empty)."""
    meta: dict[str, str] = {}
    if _has_table(con, "core", "warehouse_meta"):
        meta = dict(con.execute("SELECT key, value FROM core.warehouse_meta WHERE key IN (?, ?)", [KEY, ROTATING_TO]).fetchall())
    keys: frozenset[str] = frozenset()
    files = 0
    if _has_column(con, "quality", "file_log", "pii_key_fingerprint"):
        rows = con.execute("SELECT pii_key_fingerprint, count(*) FROM quality.file_log GROUP BY ALL").fetchall()
        keys = frozenset(k for k, _ in rows if k is not None)
        files = sum(n for _, n in rows)
    return KeyState(meta.get(KEY), meta.get(ROTATING_TO), keys, files)


def decide(state: KeyState, fingerprint: str, *, rotate: bool) -> str:
    """What a load with key ``fingerprint`` does: ``use`` (the warehouse's key), ``record`` (the
    first key of a warehouse), ``rotate`` (reload under a rotation to this key), ``finish`` (a
    rotation to this key is complete: no row carries another key). Raises ``KeyRefused``."""
    others = state.in_file_log - {fingerprint}
    if state.rotating_to is None:
        if not others and state.recorded in (None, fingerprint):
            return "use" if state.recorded == fingerprint else "record"
        if rotate:
            return "rotate"
        raise KeyRefused(mismatch_message(state, fingerprint))
    if state.rotating_to == fingerprint and not others:
        return "finish"
    if rotate:
        return "rotate"
    raise KeyRefused(unfinished_message(state, fingerprint))


def admit(con: duckdb.DuckDBPyConnection, fingerprint: str, *, rotate: bool = False) -> str:
    """Check a load's key against the warehouse's and record what follows (see ``decide``)."""
    con.execute(META_DDL)
    action = decide(read_state(con), fingerprint, rotate=rotate)
    if action == "record":
        con.execute("INSERT OR REPLACE INTO core.warehouse_meta VALUES (?, ?)", [KEY, fingerprint])
    elif action == "rotate":
        con.execute("INSERT OR REPLACE INTO core.warehouse_meta VALUES (?, ?)", [ROTATING_TO, fingerprint])
    elif action == "finish":
        _finish(con, fingerprint)
    return action


def finish_rotation(con: duckdb.DuckDBPyConnection, fingerprint: str) -> list[str]:
    """After a rotating run: make ``fingerprint`` the warehouse's key if every file log row carries
    it. Returns the files still hashed with another key (the rotation then stays under way)."""
    con.execute(META_DDL)
    remaining = [r[0] for r in con.execute(
        "SELECT file_path FROM quality.file_log WHERE pii_key_fingerprint IS DISTINCT FROM ? ORDER BY month NULLS FIRST, file_path",
        [fingerprint]).fetchall()]
    if not remaining:
        _finish(con, fingerprint)
    return remaining


def _finish(con: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    con.execute("BEGIN TRANSACTION")
    con.execute("INSERT OR REPLACE INTO core.warehouse_meta VALUES (?, ?)", [KEY, fingerprint])
    con.execute("DELETE FROM core.warehouse_meta WHERE key = ?", [ROTATING_TO])
    con.execute("COMMIT")


@dataclass(frozen=True)
class RunPlan:
    """What a command-line run does about the key: ``rotate`` and the months to run (the asked
    months, plus every loaded month when rotating)."""

    rotate: bool
    months: list[str]
    reloaded: list[str]  # loaded months outside the asked range, reloaded by the rotation


def plan_run(warehouse_file: Path, landing: Path, months: list[str], fingerprint: str, *, rotate: bool) -> RunPlan:
    """Refuse a run with another key before it starts (``KeyRefused``), and for a rotation list the
    months to reload; a rotation whose loaded months' landing files are gone is refused, naming them."""
    if not Path(warehouse_file).is_file():
        return RunPlan(False, months, [])
    try:
        con = duckdb.connect(str(warehouse_file), read_only=True)
    except duckdb.IOException:  # another process writes it: the loaders admit the key when the run gets the file
        if rotate:
            raise
        return RunPlan(False, months, [])
    try:
        action = decide(read_state(con), fingerprint, rotate=rotate)
        if action != "rotate":
            return RunPlan(False, months, [])
        loaded = con.execute(
            "SELECT file_path, strftime(month, '%Y-%m') FROM quality.file_log WHERE month IS NOT NULL AND status = 'loaded' ORDER BY ALL"
        ).fetchall() if _has_table(con, "quality", "file_log") else []
    finally:
        con.close()
    gone = [path for path, _ in loaded if not (Path(landing) / path).is_file()]
    if gone:
        shown = ", ".join(gone[:10]) + (f" … (+{len(gone) - 10})" if len(gone) > 10 else "")
        raise KeyRefused(
            f"không thể đổi khoá PII: thiếu tệp gốc của tháng đã nạp trong {landing}, dữ liệu của chúng không băm lại được / "
            f"cannot rotate the PII key: {len(gone)} landing file(s) of loaded months are gone from {landing}, so their rows "
            f"cannot be hashed again: {shown} — restore them, then rerun with --rotate-pii-key")
    loaded_months = sorted({m for _, m in loaded})
    return RunPlan(True, sorted(set(months) | set(loaded_months)), [m for m in loaded_months if m not in months])


def mismatch_message(state: KeyState, fingerprint: str) -> str:
    if len(state.in_file_log) > 1:
        keys = ", ".join(sorted(state.in_file_log))
        vi, en = f"dữ liệu của kho đã băm bằng nhiều khoá ({keys})", f"the warehouse's rows were hashed with several keys ({keys})"
    else:
        warehouse = next(iter(state.in_file_log)) if state.in_file_log else state.recorded
        vi = f"khoá PII khác khoá của kho (dấu vân tay {fingerprint} ≠ {warehouse})"
        en = f"the PII key (CCHC_PII_KEY, fingerprint {fingerprint}) differs from the key that hashed the warehouse ({warehouse})"
    return (f"{vi}: chạy tiếp sẽ trộn hai khoá; dùng lại khoá của kho, hoặc thêm --rotate-pii-key để nạp lại mọi tháng đã nạp "
            f"bằng khoá mới / {en}: a run would mix two keys; use the warehouse's key, or add --rotate-pii-key to reload every "
            "loaded month with the new key (Dagster: run config resources.pii.config.rotate: true)")


def unfinished_message(state: KeyState, fingerprint: str) -> str:
    old = ", ".join(sorted(state.in_file_log - {state.rotating_to})) or "?"
    return (f"việc đổi khoá PII sang khoá {state.rotating_to} chưa xong (còn tệp băm bằng khoá {old}); hoàn tất bằng khoá mới và "
            f"--rotate-pii-key / a PII key rotation to {state.rotating_to} has not finished (files are still hashed with {old}; "
            f"this run's key is {fingerprint}): finish it with the new key and --rotate-pii-key (Dagster: run config "
            "resources.pii.config.rotate: true)")


def rotation_unfinished(remaining: list[str], fingerprint: str) -> str:
    shown = ", ".join(remaining[:5]) + (f" … (+{len(remaining) - 5})" if len(remaining) > 5 else "")
    return (f"đổi khoá PII chưa xong: {len(remaining)} tệp còn băm bằng khoá cũ; sửa lỗi rồi chạy lại với --rotate-pii-key / "
            f"the PII key rotation to {fingerprint} has not finished: {len(remaining)} file(s) are still hashed with the "
            f"previous key ({shown}); fix the failure and rerun with --rotate-pii-key")


def months_label(months: list[str]) -> str:
    return f"{months[0]}..{months[-1]}" if len(months) > 2 else ", ".join(months)


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = ? AND table_name = ?",
        [schema, table]).fetchone()[0])


def _has_column(con: duckdb.DuckDBPyConnection, schema: str, table: str, column: str) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = ? AND table_name = ? "
        "AND column_name = ?", [schema, table, column]).fetchone()[0])

