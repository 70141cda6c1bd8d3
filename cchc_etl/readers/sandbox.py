"""Workbooks are parsed in another process under a memory budget.

A parser's memory follows what a file declares, not its size, and calamine (Rust) aborts the
whole process when an allocation fails: a 56 KB workbook whose cells share one long string asks
for 16 GiB. So a workbook is read by a worker process whose address space is limited
(``RLIMIT_AS``): a file that needs more than the budget ends the worker, never the pipeline, and
the caller gets a description of how it ended.

The worker is forked by a small server process, started once per process with the parsers
imported and warmed up by a first read (about 1 s, once; ``prestart`` overlaps it with other
work). The server is single-threaded, so the fork is safe; the worker reads workbook after
workbook (a few milliseconds per file beyond the read itself) until a read leaves it large or
ends it, and the server forks the next. The parent talks to the server over a pipe; the server
exits when the parent closes the pipe (or dies), the worker when the server dies. A server left
without a request for ``IDLE_EXIT_SECONDS`` exits too, handing its memory back while the run
does other work (a large month's load in DuckDB); the next workbook starts a new one.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import pickle
import re
import select
import signal
import struct
import subprocess
import sys
import threading
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

from cchc_etl import settings

MEMORY_ENV = settings.WORKBOOK_MEMORY.name
MEMORY_CAP = 8 << 30  # default budget: this, or three quarters of the machine's memory if less
MEMORY_EXIT = 75  # a worker's exit code after a MemoryError it could not report
IDLE_EXIT_SECONDS = 10.0  # a server without a request for this long exits (a new one starts in about 1 s)
# what the server imports before it forks: every worker has them without paying for them
PRELOAD = ("python_calamine", "numpy", "pyarrow", "pandas", "openpyxl", "xlrd", "cchc_etl.readers.excel_reader")
WARM_UP = "cchc_etl.readers.excel_reader:warm_up"  # and a first read: lazy initialisations, done once
_SERVER_ENV = {
    "RUST_BACKTRACE": "0",  # calamine's abort message without a backtrace
    "ARROW_DEFAULT_MEMORY_POOL": "system",  # malloc: fails cleanly under RLIMIT_AS
    "MALLOC_ARENA_MAX": "2",  # glibc reserves 64 MiB of address space per arena
    # no thread in a process that forks: OpenBLAS's pool (numpy), jemalloc's purging thread (pyarrow)
    "OPENBLAS_NUM_THREADS": "1",
    "JE_ARROW_MALLOC_CONF": "background_thread:false",
}


def memory_budget() -> int:
    """Bytes a workbook's reading may take beyond the reader's own (``CCHC_WORKBOOK_MEMORY``,
    e.g. ``4GiB``); default 8 GiB or three quarters of the machine's memory, whichever is less."""
    value = settings.workbook_memory()
    if value is not None:
        return value
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return MEMORY_CAP
    return min(MEMORY_CAP, physical * 3 // 4)


@dataclass(frozen=True)
class Outcome:
    """How a call in the worker ended. ``kind``: ``ok`` (``value`` is what the call returned),
    ``refused`` (a ``FileRefused``: ``value`` is its problem), ``error`` (another exception:
    ``value`` is its text), ``memory`` (over the budget: ``value`` says what was asked for, if
    known) or ``died`` (ended by a signal: ``value`` names it)."""

    kind: str
    value: object


# --------------------------------------------------------------------------- parent side

_lock = threading.Lock()
_server: subprocess.Popen | None = None


def _start() -> subprocess.Popen:
    root = str(Path(__file__).resolve().parents[2])  # the directory holding this cchc_etl package
    code = "import sys; sys.path.insert(0, sys.argv[1]); from cchc_etl.readers.sandbox import serve; serve(float(sys.argv[2]))"
    return subprocess.Popen([sys.executable, "-c", code, root, repr(IDLE_EXIT_SECONDS)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            env=settings.child_environment(**_SERVER_ENV), close_fds=True)


def _stop(kill: bool = False) -> None:
    global _server
    server, _server = _server, None
    if server is None:
        return
    if kill:
        server.kill()
    try:
        server.stdin.close()
    except OSError:
        pass
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    server.stdout.close()


atexit.register(_stop)


def _send(stream, payload: bytes) -> None:
    stream.write(struct.pack("<Q", len(payload)) + payload)
    stream.flush()


def _receive(stream) -> bytes | None:
    head = stream.read(8)
    if len(head) < 8:
        return None
    (n,) = struct.unpack("<Q", head)
    body = stream.read(n)
    return body if len(body) == n else None


def prestart() -> None:
    """Start the server now, if it is not running: its imports and first read (about a second)
    then overlap with whatever the caller does before its first workbook."""
    global _server
    with _lock:
        if _server is None or _server.poll() is not None:
            _stop()
            _server = _start()


def call(target: str, args: tuple, outdir: Path, budget: int | None = None) -> Outcome:
    """``module:function(*args)`` in the worker, limited to ``budget`` bytes (``memory_budget()``)
    of memory beyond its own at its start. ``outdir`` (existing, empty) receives the result and
    the worker's error output; what the function writes there stays for the caller."""
    global _server
    budget = memory_budget() if budget is None else budget
    # the worker was forked where the server started: relative paths are the caller's
    payload = pickle.dumps((target, args, budget, str(outdir), os.getcwd()))
    with _lock:
        status = None
        for _attempt in range(2):  # a server that died (killed from outside) is started again once
            if _server is None or _server.poll() is not None:
                _stop()
                _server = _start()
            try:
                _send(_server.stdin, payload)
                answer = _receive(_server.stdout)
            except BaseException as exc:
                _stop(kill=True)  # interrupted: the worker goes with the server
                if isinstance(exc, (BrokenPipeError, ConnectionError)):
                    continue
                raise
            if answer is not None:
                status = struct.unpack("<i", answer)[0]
                break
            _stop(kill=True)
        if status is None:
            raise RuntimeError("the workbook reader process could not be started")
    return _outcome(status, outdir)


def _outcome(status: int, outdir: Path) -> Outcome:
    result = outdir / "result.pickle"
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and result.exists():
        kind, value = pickle.loads(result.read_bytes())
        return Outcome(kind, value)
    try:
        with (outdir / "stderr").open("rb") as fh:
            fh.seek(max(0, fh.seek(0, os.SEEK_END) - 8192))
            tail = fh.read().decode("utf-8", "replace")
    except OSError:
        tail = ""
    asked = re.search(r"memory allocation of ([0-9]+) bytes failed", tail)
    if asked:
        return Outcome("memory", int(asked.group(1)))
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == MEMORY_EXIT:
        return Outcome("memory", None)
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
        return Outcome("memory", None)  # the kernel's out-of-memory killer (the worker is its first choice)
    if os.WIFSIGNALED(status):
        return Outcome("died", signal.Signals(os.WTERMSIG(status)).name)
    return Outcome("died", f"exit {os.WEXITSTATUS(status)}: {tail.strip().splitlines()[-1] if tail.strip() else ''}")


# --------------------------------------------------------------------------- server and worker


def serve(idle_exit: float = IDLE_EXIT_SECONDS) -> None:
    """The server's loop: each request goes to the worker (a forked child); the answer is 0 once
    the worker has written its result, else the worker's wait status, and a new worker is forked.
    Returns when the parent closes the pipe, or after ``idle_exit`` seconds without a request."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    _warm_up(report=True)
    gc.freeze()  # the workers share these objects' pages instead of copying them
    requests = sys.stdin.buffer
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # nothing else may write on the answer pipe
    worker = _fork_worker(answers.fileno())
    while True:
        # requests and answers alternate, so nothing waits in the reader's buffer between two
        if not select.select([requests], [], [], idle_exit)[0]:
            return  # idle: the worker dies with the server; a request racing this exit is retried by ``call``
        payload = _receive(requests)
        if payload is None:
            return
        pid, request, done = worker
        try:
            _send(request, payload)
        except BrokenPipeError:
            pass  # the worker is gone: its status says how
        marker = os.read(done.fileno(), 1)
        status = 0 if marker else os.waitpid(pid, 0)[1]
        try:
            _send(answers, struct.pack("<i", status))
        except BrokenPipeError:
            return
        if marker != READY:  # the worker ended (it died, or retired after a large read): a new one
            if marker:
                os.waitpid(pid, 0)
            request.close()
            done.close()
            worker = _fork_worker(answers.fileno())


READY, RETIRED = b"r", b"x"  # what a worker says after a request: ready for the next, or exiting


def _fork_worker(answers: int):
    """A worker process forked from the server: (pid, request pipe, done pipe)."""
    request_r, request_w = os.pipe()
    done_r, done_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            for fd in (request_w, done_r, answers):
                os.close(fd)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)  # the server's requests are not the worker's to read
            os.close(null)
            _worker(os.fdopen(request_r, "rb"), done_w)
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(request_r)
    os.close(done_w)
    return pid, os.fdopen(request_w, "wb"), os.fdopen(done_r, "rb", buffering=0)


def _warm_up(report: bool) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _target(WARM_UP)()
    except Exception:
        if report:
            traceback.print_exc()  # the worker will meet the same problem and report it


def _target(target: str):
    module, function = target.split(":")
    return getattr(importlib.import_module(module), function)


def _vm_size() -> int | None:
    try:
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _limit_memory(base: int | None, budget: int) -> None:
    import resource

    if base is None:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = base + budget if hard == resource.RLIM_INFINITY else min(base + budget, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _tie_to_server() -> None:
    """Die with the server (Linux), and be the out-of-memory killer's first choice."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    try:
        with open("/proc/self/oom_score_adj", "w") as fh:
            fh.write("1000")
    except OSError:
        pass


def _worker(requests, done: int) -> None:
    """Serve requests until the server goes, or until a read leaves the worker holding more than
    half of its budget (a fresh worker starts from the server's pages). A read over the budget
    ends the worker: the server sees the done pipe close and reports its status."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    _tie_to_server()
    base = _vm_size()
    while (payload := _receive(requests)) is not None:
        target, args, budget, outdir, cwd = pickle.loads(payload)
        os.chdir(cwd)
        err = os.open(os.path.join(outdir, "stderr"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(err, 1)
        os.dup2(err, 2)
        os.close(err)
        _limit_memory(base, budget)
        try:
            outcome = ("ok", _target(target)(*args))
        except MemoryError as exc:
            outcome = ("memory", str(exc) or None)
        except Exception as exc:
            from cchc_etl.readers.base import FileRefused

            if isinstance(exc, FileRefused):
                outcome = ("refused", exc.problem)
            else:
                traceback.print_exc()
                outcome = ("error", str(exc).strip() or type(exc).__name__)
        try:
            with open(os.path.join(outdir, "result.pickle"), "wb") as fh:
                pickle.dump(outcome, fh)
        except MemoryError:
            os._exit(MEMORY_EXIT)
        over = outcome[0] == "memory"
        outcome = None  # the result goes before the worker's size is taken
        now = _vm_size()
        retire = over or base is None or now is None or now - base > budget // 2
        os.write(done, RETIRED if retire else READY)
        if retire:
            return
