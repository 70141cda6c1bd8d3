"""Who holds the warehouse, in words an operator can act on: the run lock and DuckDB's file lock.

Run lock: ``<warehouse file>.run.lock``, an ``flock`` taken at the start of ``cchc-etl run`` /
``score`` / ``demo`` and by the job's warehouse resource for a Dagster run, so that a second run
is refused before it does anything (never midway through a month or a range). The file holds the
holder's pid, host, start time and command as text, for the refusal message. ``flock`` belongs to
the open file: the kernel releases it when the holder exits, kill -9 included, so a crashed run
never leaves a lock behind (the file stays; only the lock counts). Within one process the lock is
re-entrant: the CLI takes it, the job it runs in-process takes it again.

DuckDB's file lock: one process may write the warehouse file, and while it does no other process
can open it; a process reading it (a BI tool, DBeaver, ``duckdb -readonly``) keeps every writer
out. Opening the warehouse waits up to ``CCHC_LOCK_WAIT`` seconds (default 30) for such a holder
to let go, then fails with one message naming it (PID and command line, from ``/proc``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import re
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from cchc_etl import settings
from cchc_etl.redaction import redact

LOCK_WAIT_ENV = settings.LOCK_WAIT.name
DEFAULT_LOCK_WAIT = settings.LOCK_WAIT.default
RUN_LOCK_SUFFIX = ".run.lock"
ANALYSTS_ADVICE = ("Người phân tích dùng bản sao chỉ đọc (snapshot), tệp Parquet hoặc PostgreSQL, không mở tệp kho đang chạy. / "
                   "Analysts use the read-only snapshot, the Parquet files or PostgreSQL, never the live warehouse file.")

# DuckDB 1.x: Could not set lock on file "<path>": Conflicting lock is held in <exe> (PID <n>) [by user <u>]. ...
_DUCKDB_LOCK = re.compile(r'Could not set lock on file "(?P<file>[^"]*)"(?::\s*Conflicting lock is held in (?P<exe>.*?) \(PID (?P<pid>\d+)\))?')


class WarehouseBusy(RuntimeError):
    """The warehouse is held by another run or process; the message is for the operator."""


def lock_wait() -> float:
    return settings.lock_wait()


def _seconds(value: float) -> str:
    return f"{value:g}".replace(".", ",")


# --------------------------------------------------------------------------- DuckDB's file lock


def process_label(pid: int, fallback: str = "") -> str:
    """The command line of ``pid`` (from /proc, credentials masked), else ``fallback``."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        raw = b""
    args = [a for a in raw.decode("utf-8", "replace").split("\0") if a]
    if args:
        args[0] = os.path.basename(args[0])
        text = " ".join(args)
    else:
        text = os.path.basename(fallback) if fallback else ""
    text = " ".join(redact(text).split())  # one line: a `python -c` script spans several
    return text if len(text) <= 160 else text[:157] + "…"


def busy_message(path: Path | str, error_text: str, waited: float) -> str | None:
    """The operator's message for DuckDB's lock conflict ``error_text`` on ``path``; None when the
    error is something else."""
    found = _DUCKDB_LOCK.search(error_text)
    if not found:
        return None
    if found["pid"]:
        label = process_label(int(found["pid"]), found["exe"] or "")
        holder_vi = f"PID {found['pid']}" + (f" ({label})" if label else "")
        holder_en = holder_vi
    else:
        holder_vi, holder_en = "một tiến trình khác", "another process"
    return (f"Tệp kho dữ liệu {path} đang bị tiến trình khác giữ: {holder_vi}; đã chờ {_seconds(waited)} giây. "
            f"Đóng tiến trình đó rồi chạy lại. / The warehouse file {path} is held by another process: {holder_en}; "
            f"waited {_seconds(waited)} s. Close it and run again. {ANALYSTS_ADVICE}")


def connect_duckdb(path: Path | str, *, read_only: bool = False, wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect`` that waits up to ``wait`` seconds (default ``CCHC_LOCK_WAIT``) while
    another process holds the file, retrying, then raises :class:`WarehouseBusy` naming it. The
    connection works within the memory budget (``cchc_etl.memory``)."""
    from cchc_etl import memory

    wait = lock_wait() if wait is None else wait
    memory.memory_limit()  # a bad CCHC_DUCKDB_MEMORY_LIMIT is refused before the file is opened
    started = time.monotonic()
    delay = 0.1
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            text = str(exc)
            if _DUCKDB_LOCK.search(text) is None:
                raise
        else:
            try:
                memory.apply(con, path, read_only=read_only)  # the memory budget (cchc_etl.memory)
            except BaseException:
                con.close()
                raise
            return con
        elapsed = time.monotonic() - started
        if elapsed >= wait:
            raise WarehouseBusy(busy_message(path, text, wait))
        time.sleep(min(delay, wait - elapsed))
        delay = min(delay * 2, 1.0)


# --------------------------------------------------------------------------- the run lock


def run_lock_path(warehouse_file: Path | str) -> Path:
    return Path(f"{warehouse_file}{RUN_LOCK_SUFFIX}")


_held: dict[str, list] = {}  # lock file (absolute) -> [fd, depth]
_held_guard = threading.Lock()


def _holder_text(fd: int) -> str:
    """What the holder wrote; it writes right after taking the lock, so wait a moment for it."""
    for _ in range(10):
        text = os.pread(fd, 4096, 0).decode("utf-8", "replace")
        if text.strip():
            return text
        time.sleep(0.05)
    return ""


def _refusal(lock_file: Path, warehouse_file: Path, holder: str) -> str:
    info = dict(line.split("=", 1) for line in holder.splitlines() if "=" in line)
    pid = info.get("pid", "")
    if pid.isdigit():
        local = info.get("host") == socket.gethostname()
        command = (process_label(int(pid)) if local else "") or info.get("command", "")
        who = f"PID {pid}" + (f" ({command})" if command else "")
        vi = who + (f", máy {info['host']}" if info.get("host") else "") + (f", bắt đầu lúc {info['started']}" if info.get("started") else "")
        en = who + (f", host {info['host']}" if info.get("host") else "") + (f", started {info['started']}" if info.get("started") else "")
    else:
        vi, en = "một tiến trình khác", "another process"
    return (f"Một lượt chạy khác đang dùng kho dữ liệu {warehouse_file}: {vi}. Lượt này không chạy; chạy lại khi lượt kia xong. / "
            f"Another run is using the warehouse {warehouse_file}: {en}. This run did not start; run it again when that one "
            f"has finished. (khóa / lock: {lock_file})")


def _acquire(lock_file: Path, warehouse_file: Path, command: str) -> None:
    key = os.path.abspath(lock_file)
    with _held_guard:
        if key in _held:
            _held[key][1] += 1
            return
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder_text(fd)
            os.close(fd)
            raise WarehouseBusy(_refusal(lock_file, warehouse_file, holder)) from None
        except BaseException:
            os.close(fd)
            raise
        started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        text = f"pid={os.getpid()}\nhost={socket.gethostname()}\nstarted={started}\ncommand={redact(command)}\n"
        os.ftruncate(fd, 0)
        os.pwrite(fd, text.encode("utf-8"), 0)
        _held[key] = [fd, 1]


def _release(lock_file: Path) -> None:
    key = os.path.abspath(lock_file)
    with _held_guard:
        entry = _held.get(key)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] > 0:
            return
        del _held[key]
        fd = entry[0]
        try:
            os.ftruncate(fd, 0)  # no stale holder text once the run is over
        finally:
            os.close(fd)  # releases the flock


def command_line() -> str:
    """This process's command line (from /proc, else sys.argv), credentials masked."""
    return process_label(os.getpid()) or " ".join(redact(" ".join(sys.argv)).split())


@contextlib.contextmanager
def run_lock(warehouse_file: Path | str, command: str | None = None) -> Iterator[Path]:
    """Hold the run lock of ``warehouse_file`` (re-entrant within this process); raises
    :class:`WarehouseBusy` at once, naming the holder, if another process holds it."""
    lock_file = run_lock_path(warehouse_file)
    _acquire(lock_file, Path(warehouse_file), command or command_line())
    try:
        yield lock_file
    finally:
        _release(lock_file)


@contextlib.contextmanager
def exclusive_run(warehouse_file: Path | str, command: str | None = None) -> Iterator[Path]:
    """The start of a run: the run lock (refused at once if another run holds it), then one open
    of the file itself, waiting ``CCHC_LOCK_WAIT`` s for a reader (BI tool, DBeaver) to let go;
    both before any of the run's work."""
    with run_lock(warehouse_file, command) as lock_file:
        path = Path(warehouse_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        connect_duckdb(path).close()
        yield lock_file


def acquire_run_lock(warehouse_file: Path | str, command: str | None = None) -> Path:
    """:func:`run_lock` without the context manager (for a resource's set-up / tear-down)."""
    lock_file = run_lock_path(warehouse_file)
    _acquire(lock_file, Path(warehouse_file), command or command_line())
    return lock_file


def release_run_lock(lock_file: Path) -> None:
    _release(lock_file)
