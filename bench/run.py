"""Benchmarks. Each suite prints its figures and ends with one summary line.

    python bench/run.py [--suite dossiers] [--rows 1000000] [--repeat 5]
    python bench/run.py --suite memory [--sizes 3000000,10000000] [--budget-mb 3000]

Suite `dossiers` (issue: the whole pipeline): a month of N dossiers as one CSV in the national
interface's coded style goes through the real pipeline (`cchc-etl run`: Dagster in-process,
readers, staging SQL with quarantine and PII hashing, the Great Expectations suite, warehouse and
marts) in a fresh process, and through the anchor — a plain DuckDB script doing the same
physical work (read the CSV with declared types, HMAC the three PII columns as the contract
requires of anything that stores them, validate, load, aggregate per unit) — in another fresh
process. The same script without hashing is printed for reference. Wall seconds and peak RSS are
measured per process (os.wait4); the pipeline's peak RSS is that of its whole process tree (the
GX helper and the workbook reader's processes summed with it, see suite `memory`). Anchor
and pipeline alternate --repeat times (default 5: a shared 2-core host moves single runs by up
to +-15%), each on a fresh warehouse; the ratio of each pipeline run to the anchor run just
before it is printed too.
Last line (medians; peak RSS the largest): pipeline_s=… anchor_s=… ratio=… peak_rss_mb=…

Suite `scoring` (issue: scoring a year of a large city, `--dossiers 5000000`; bench/scoring.py): a
warehouse whose staging tables hold a year (2024-01..12) of generated exports — N distinct
dossiers, ~10% exported again by the next month with a newer state, ~300 units under 30
departments, 1,500 procedures, surveys, feedback, documents, e-mail, holidays, no targets — is
built in SQL once and cached in bench/out/ (not timed; the start point is staging only). In a
fresh process, on a copy of it: build_dim_date, the 12 dossier month-end facts and score_period
for the 12 months, 4 quarters and the year (per-stage and per-period seconds printed). The anchor,
in another fresh process on the same staged rows: latest row per dossier (QUALIFY row_number)
and one GROUP BY unit_code, month counting received / resolved / on time. Budget: <= 60 s and
<= 3 GB peak RSS at 5M dossiers.
Last line: scoring_s=… anchor_s=… peak_rss_mb=…

Suite `reports` (issue: the reports of a 300-unit province for a year build in seconds,
`--dossiers 1000000`; bench/reports.py): the `scoring` suite's staged year, scored once and cached
in bench/out/ (not timed); in a fresh process reading it, build_reports for the year 2024 in
xlsx and docx: the city's and every department's (62 files); in another, the scorecard site (html,
331 pages).
Last line: reports_s=… files=… peak_rss_mb=… site_s=… pages=… site_peak_rss_mb=…

Suite `memory` (issue 16, item 11: memory at scale): months of 3M and 10M dossiers, generated as
for `dossiers` and cached in bench/out/memory_<N>/, each through `cchc-etl run` in a fresh process
with the default memory settings (CCHC_DUCKDB_MEMORY_LIMIT, CCHC_GX_SAMPLE_ROWS and
CCHC_WORKBOOK_MEMORY unset), on a fresh warehouse. Measured: wall seconds, and the peak resident
memory of the whole process tree (the CLI, the GX helper process, the workbook reader's server and
worker), sampled from /proc every 50 ms and summed (pages a forked child shares with its parent
count twice: an upper bound), never below os.wait4's largest single process. The first size must
stay under --budget-mb (default 3000); every size must complete. `--sizes` changes the sizes.
Last line: memory_3m_peak_mb=… memory_3m_s=… memory_10m_peak_mb=… memory_10m_s=… budget_mb=3000

Suite `readers` (issue: every source read as real exports arrive): a 100k-row XLSX export (title
rows, Vietnamese headers, a total row) and a 1M-row UTF-16 tab-separated CSV, cached in
bench/out/, go through the real reader (`read_raw`: encoding, header and delimiter detection,
line accounting, the text profile) and have every cell cleaned as loading cleans it (trim,
blank -> NULL, NFC), streamed and counted (`Loader.count_text`) with the record-count check and
fallback of loading, each in a fresh process; beside them the best library read of the same
file: python-calamine for the XLSX, pyarrow and DuckDB for the CSV. Nothing is stored: the
loader writes its only table in its typed pass, measured by the `dossiers` suite. (Until
2026-11-24 the clean text was also copied into a DuckDB temp table, a copy loading never makes:
0.7-1.1 s of 29M cells. That figure is printed once per file for comparison.)
Last line (medians, the worse file decides): readers_ratio=… xlsx_ratio=… csv_ratio=…
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from common import ROOT, measure, scratch_dir  # noqa: E402 - bench/ is on sys.path when run as a script

from cchc_etl import settings

ANCHOR = textwrap.dedent(
    """
    import sys, time, duckdb
    from cchc_etl.pii import hmac_macro_sql
    csv_path, db_path, hash_pii = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
    con = duckdb.connect(db_path)
    con.execute("SET enable_progress_bar = false")
    con.execute(hmac_macro_sql("bench-key"))
    cols = {
        "dossier_id": "VARCHAR", "procedure_code": "VARCHAR", "unit_code": "VARCHAR", "channel": "INTEGER",
        "received_at": "TIMESTAMP", "due_at": "TIMESTAMP", "resolved_at": "TIMESTAMP", "status": "INTEGER",
    }
    # the anchor reads the columns the report needs with declared types, everything else as text
    header = open(csv_path, encoding="utf-8-sig").readline().strip().split(",")
    types = {c: cols.get(c, "VARCHAR") for c in header}
    # the contract forbids clear-text PII in any table: a plain script must hash it too (HMAC-SHA256)
    pii = ("applicant_name", "applicant_id", "applicant_phone")
    select = ", ".join(f"cchc_hmac({c}) AS {c}_hash" if hash_pii and c in pii else c for c in header)
    con.execute(f"CREATE TABLE dossiers AS SELECT {select} FROM read_csv(?, header=true, columns={types!r}, timestampformat='%Y-%m-%dT%H:%M:%S')", [csv_path])
    bad = con.execute(
        "SELECT count(*) FILTER (WHERE dossier_id IS NULL OR unit_code IS NULL OR received_at IS NULL), "
        "count(*) FILTER (WHERE channel NOT IN (1, 2, 3) OR status NOT BETWEEN 1 AND 10), "
        "count(*) FILTER (WHERE resolved_at < received_at OR due_at < received_at) FROM dossiers"
    ).fetchone()
    con.execute(
        "CREATE TABLE report AS SELECT unit_code, "
        "count(*) FILTER (WHERE received_at < DATE '2024-01-01') AS carried_over, "
        "count(*) FILTER (WHERE received_at >= DATE '2024-01-01') AS received, "
        "count(*) FILTER (WHERE status IN (9, 10) AND resolved_at::DATE < due_at::DATE) AS early, "
        "count(*) FILTER (WHERE status IN (9, 10) AND resolved_at::DATE = due_at::DATE) AS on_time, "
        "count(*) FILTER (WHERE status IN (9, 10) AND resolved_at::DATE > due_at::DATE) AS late, "
        "count(*) FILTER (WHERE status IN (3, 7)) AS withdrawn_rejected, "
        "count(*) FILTER (WHERE status IN (2, 4, 5, 6, 8)) AS pending FROM dossiers GROUP BY unit_code"
    )
    print("anchor rows", con.execute("SELECT count(*) FROM dossiers").fetchone()[0], "invalid", bad)
    """
)

class TreeSampler:
    """Peak resident memory of a process and all its descendants together (the CLI, the GX
    helper, the workbook worker...), sampled from /proc every ``interval`` seconds. ``os.wait4``'s
    ru_maxrss is the largest single process of the tree, not their sum. Resident sizes are summed
    as they are (pages a forked child still shares with its parent count twice): an upper bound."""

    def __init__(self, pid: int, interval: float = 0.05):
        import threading

        self.pid, self.interval, self.peak = pid, interval, 0
        self.page = os.sysconf("SC_PAGE_SIZE")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as fh:
                    stat = fh.read()
            except OSError:
                continue
            ppid = int(stat[stat.rindex(b")") + 2:].split()[1])  # the command may hold spaces and parentheses
            children.setdefault(ppid, []).append(int(entry.name))
        out, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            out.append(pid)
            todo += children.get(pid, [])
        return out

    def _rss(self, pid: int) -> int:
        try:
            with open(f"/proc/{pid}/statm", "rb") as fh:
                return int(fh.read().split()[1]) * self.page
        except (OSError, IndexError, ValueError):
            return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, sum(self._rss(p) for p in self._tree()))
            self._stop.wait(self.interval)

    def stop(self) -> float:
        """Stop sampling; the peak in MB."""
        self._stop.set()
        self._thread.join()
        return self.peak / 2**20


def measure_tree(args: list[str], env: dict | None = None) -> tuple[float, float, float, str]:
    """(wall seconds, peak RSS MB of the process tree, peak RSS MB of its largest process, stdout)
    of a fresh process and its descendants; the tree's figure is never below the largest process's
    (a spike shorter than the sampling interval is still seen by os.wait4)."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=ROOT, text=True)
    sampler = TreeSampler(proc.pid)
    out = proc.stdout.read()
    tree_mb = sampler.stop()  # before the reap: the tree's pids are still there
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"benchmark process failed ({proc.returncode}):\n{out}")
    single_mb = usage.ru_maxrss / 1024
    return wall, max(tree_mb, single_mb), single_mb, out


def in_subprocess(code: str) -> str:
    """Run set-up code (file generation) in its own process and return its last stdout line. On
    Linux a child's peak RSS starts at its parent's RSS when it is started, so a parent that
    generated a large file in-process would inflate every figure measured after it."""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return out.strip().splitlines()[-1]


def suite_dossiers(rows: int, keep: bool, repeat: int = 5) -> str:
    with scratch_dir("cchc-bench-", keep) as work:
        month = "2024-01"
        t = time.perf_counter()
        landing = work / "landing"
        csv_path = Path(in_subprocess(
            "from cchc_etl.sample import write_bench_landing; "
            f"print(write_bench_landing({str(landing)!r}, rows={rows}, month={month!r}))"))
        size_mb = csv_path.stat().st_size / 2**20
        print(f"generated {rows:,} dossiers ({size_mb:,.0f} MB CSV) in {time.perf_counter() - t:.1f}s")

        bare_s, bare_rss, _ = measure([sys.executable, "-c", ANCHOR, str(csv_path), str(work / "anchor_bare.duckdb"), "0"])
        print(f"plain DuckDB without PII hashing (for reference):               {bare_s:6.2f} s  peak RSS {bare_rss:7.0f} MB")
        env = settings.child_environment(CCHC_LOG_LEVEL="ERROR", CCHC_PII_KEY="bench-key")
        cli = Path(sys.executable).parent / "cchc-etl"  # the console script users run
        anchors, pipelines = [], []
        # anchor and pipeline alternate, each in a fresh process on a fresh warehouse; the medians
        # are reported (a shared 2-core machine moves single runs by +-10%)
        for i in range(1, repeat + 1):
            for f in work.glob("*.duckdb*"):
                f.unlink()
            anchor_s, anchor_rss, anchor_out = measure([sys.executable, "-c", ANCHOR, str(csv_path), str(work / "anchor.duckdb"), "1"])
            print(f"[{i}/{repeat}] anchor   (plain DuckDB: typed read, HMAC PII, validate, load, aggregate): {anchor_s:6.2f} s  "
                  f"peak RSS {anchor_rss:7.0f} MB  [{anchor_out.strip()}]")
            url = f"duckdb:///{(work / 'pipeline.duckdb').as_posix()}"
            pipe_s, pipe_rss, pipe_single, pipe_out = measure_tree(
                [str(cli), "run", "--landing", str(landing), "--warehouse", url, "--from", month, "--to", month, "--timings"], env=env)
            print(f"[{i}/{repeat}] pipeline (cchc-etl run: Dagster in-process, GX helper process): {pipe_s:6.2f} s  peak RSS {pipe_rss:7.0f} MB "
                  f"(process tree; largest process {pipe_single:.0f} MB)")
            if i == 1:  # the run's own output: the month's line and each step's seconds (--timings)
                print(textwrap.indent(pipe_out.strip(), "    "))
            anchors.append((anchor_s, anchor_rss))
            pipelines.append((pipe_s, pipe_rss))
        anchor_s = statistics.median(a for a, _ in anchors)
        pipe_s = statistics.median(p for p, _ in pipelines)
        pipe_rss = max(r for _, r in pipelines)
        paired = [p / a for (p, _), (a, _) in zip(pipelines, anchors)]
        print("each pipeline run / the anchor run before it: " + " ".join(f"{r:.2f}" for r in paired)
              + f" (median {statistics.median(paired):.2f})")
        print(f"pipeline throughput: {rows / pipe_s:,.0f} rows/s; anchor: {rows / anchor_s:,.0f} rows/s (medians of {repeat}; peak RSS: the largest)")
        return f"pipeline_s={pipe_s:.2f} anchor_s={anchor_s:.2f} ratio={pipe_s / anchor_s:.2f} peak_rss_mb={pipe_rss:.0f}"


MEMORY_BUDGET_MB = 3000
MEMORY_SIZES = (3_000_000, 10_000_000)


def _size_label(rows: int) -> str:
    return f"{rows / 1e6:g}m"


def suite_memory(sizes: tuple[int, ...] = MEMORY_SIZES, keep: bool = False, budget_mb: int = MEMORY_BUDGET_MB) -> str:
    """Months of 3M and 10M dossiers through ``cchc-etl run`` with the default memory settings;
    the first size must stay under ``budget_mb`` for the whole process tree, every size must complete."""
    results, failures = [], []
    for rows in sizes:
        label = _size_label(rows)
        cache = ROOT / "bench" / "out" / f"memory_{rows}"
        t = time.perf_counter()
        csv_path = Path(in_subprocess(
            "import sys; from pathlib import Path; from cchc_etl.sample import write_bench_landing\n"
            f"root = Path({str(cache)!r}); done = root / 'complete'\n"
            f"p = root / 'landing' / 'dossiers' / '2024-01' / 'vnpt__bench.csv'\n"
            "if not done.exists():\n"
            f"    p = write_bench_landing(root / 'landing', rows={rows}, month='2024-01'); done.write_text('ok')\n"
            "print(p)"))
        print(f"{label}: {rows:,} dossiers, {csv_path.stat().st_size / 2**20:,.0f} MB CSV (cached in bench/out/, "
              f"ready in {time.perf_counter() - t:.1f}s)")
        with scratch_dir("cchc-bench-memory-", keep) as work:
            env = settings.child_environment(CCHC_LOG_LEVEL="ERROR", CCHC_PII_KEY="bench-key")
            for name in ("CCHC_DUCKDB_MEMORY_LIMIT", "CCHC_GX_SAMPLE_ROWS", "CCHC_WORKBOOK_MEMORY"):
                env.pop(name, None)  # the defaults are what is measured
            cli = Path(sys.executable).parent / "cchc-etl"
            url = f"duckdb:///{(work / 'pipeline.duckdb').as_posix()}"
            wall, tree_mb, single_mb, out = measure_tree(
                [str(cli), "run", "--landing", str(cache / "landing"), "--warehouse", url, "--from", "2024-01", "--to", "2024-01", "--timings"],
                env=env)
            print(textwrap.indent(out.strip(), "    "))
        verdict = "PASS"
        if rows == sizes[0] and tree_mb >= budget_mb:
            verdict = "FAIL"
            failures.append(f"{label}: {tree_mb:,.0f} MB >= {budget_mb:,} MB")
        print(f"{label}: {wall:7.1f} s  peak RSS of the process tree {tree_mb:7.0f} MB (largest single process {single_mb:7.0f} MB)  "
              f"{verdict}" + (f" (budget {budget_mb:,} MB)" if rows == sizes[0] else " (completes)"))
        results.append(f"memory_{label}_peak_mb={tree_mb:.0f} memory_{label}_s={wall:.1f}")
    line = " ".join(results) + f" budget_mb={budget_mb}"
    if failures:
        print(line)
        sys.exit("over the memory budget: " + "; ".join(failures))
    return line


READER = textwrap.dedent(
    """
    import sys, tempfile, time
    from pathlib import Path
    from cchc_etl.contract import load_source
    from cchc_etl.ingest import Loader
    from cchc_etl.readers import read_raw
    from cchc_etl.warehouse import connect
    path = Path(sys.argv[1])
    spec = load_source("dossiers")
    with tempfile.TemporaryDirectory() as tmp, connect(Path(tmp) / "r.duckdb") as con:
        raw = read_raw(path, spec, workdir=Path(tmp))
        loader = Loader(con, Path(tmp), "bench-key")
        if sys.argv[2:] == ["table"]:  # the measure before 2026-11-24: clean text copied into a DuckDB table
            raw, n = loader.materialize_text(spec, raw)
        else:
            raw, (n, *cells) = loader.count_text(spec, raw)
    print("rows", n, "encoding", raw.encoding, "header_row", raw.header_row)
    """
)

ANCHOR_XLSX = "import sys\nfrom python_calamine import CalamineWorkbook\nrows = CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python(skip_empty_area=False)\nprint('rows', len(rows))"
ANCHOR_PYARROW = "import sys, pyarrow.csv as pc\nt = pc.read_csv(sys.argv[1], read_options=pc.ReadOptions(encoding='utf-16'), parse_options=pc.ParseOptions(delimiter='\\t'))\nprint('rows', t.num_rows)"
# a full read into memory (a bare count(*) would let DuckDB skip parsing the columns)
ANCHOR_DUCKDB = "import sys, duckdb\ncon = duckdb.connect()\ncon.execute('SET enable_progress_bar=false')\ncon.execute(\"CREATE TABLE t AS SELECT * FROM read_csv(?, delim='\\t', encoding='utf-16', header=true, all_varchar=true)\", [sys.argv[1]])\nprint('rows', con.execute('SELECT count(*) FROM t').fetchone()[0])"


def _reader_files(out: Path, xlsx_rows: int, csv_rows: int) -> tuple[Path, Path]:
    """A 100k-row XLSX export (title rows, header, total row) and a 1M-row UTF-16 tab CSV; cached."""
    import codecs

    import duckdb
    import openpyxl

    from cchc_etl.sample import write_bench_csv

    out.mkdir(parents=True, exist_ok=True)
    src = out / f"bench_{csv_rows}.csv"
    if not src.exists():
        write_bench_csv(src, rows=csv_rows)
    xlsx = out / f"export_{xlsx_rows}.xlsx"
    if not xlsx.exists():
        con = duckdb.connect()
        rows = con.execute("SELECT * FROM read_csv(?, all_varchar=true) LIMIT ?", [str(src), xlsx_rows]).fetchall()
        header = [d[0] for d in con.description]
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("Hồ sơ")
        ws.append(["BÁO CÁO DANH SÁCH HỒ SƠ TIẾP NHẬN"])
        ws.append(["Kỳ báo cáo: tháng 01/2024"])
        ws.append(header)
        for row in rows:
            ws.append(list(row))
        ws.append(["Tổng cộng", len(rows)])
        wb.save(xlsx)
    u16 = out / f"export_{csv_rows}_utf16.csv"
    if not u16.exists():
        tab = out / "tab.tmp"
        duckdb.connect().execute(f"COPY (SELECT * FROM read_csv('{src}', all_varchar=true)) TO '{tab}' (HEADER, DELIMITER '\t', QUOTE '')")
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        with tab.open("rb") as fh, u16.open("wb") as dst:
            dst.write(codecs.BOM_UTF16_LE)
            while chunk := fh.read(8 << 20):
                dst.write(decoder.decode(chunk).encode("utf-16-le"))
        tab.unlink()
    return xlsx, u16


def suite_readers(rows: int, keep: bool, repeat: int = 3) -> str:
    xlsx_rows = max(1000, rows // 10)
    t = time.perf_counter()
    xlsx, u16 = (Path(p) for p in in_subprocess(
        "import sys; from pathlib import Path; sys.path.insert(0, 'bench'); from run import _reader_files; "
        f"print('|'.join(map(str, _reader_files(Path({str(ROOT / 'bench' / 'out')!r}), {xlsx_rows}, {rows}))))").split("|"))
    print(f"files ready in {time.perf_counter() - t:.1f}s (cached in bench/out): {xlsx.name} {xlsx.stat().st_size / 2**20:.0f} MB, "
          f"{u16.name} {u16.stat().st_size / 2**20:.0f} MB")
    ratios = []
    for label, path, n, anchors in [
        (f"XLSX, {xlsx_rows:,} rows", xlsx, xlsx_rows, [("python-calamine to_python", ANCHOR_XLSX)]),
        (f"UTF-16 CSV, {rows:,} rows", u16, rows, [("pyarrow.csv (typed inference)", ANCHOR_PYARROW), ("duckdb read_csv utf-16", ANCHOR_DUCKDB)]),
    ]:
        # every side runs `repeat` times, alternating, each in a fresh process; medians compared
        times: dict[str, list[float]] = {}
        for _ in range(repeat):
            for name, script in [*anchors, ("cchc-etl reader (cells cleaned, streamed)", READER)]:
                s, rss, out = measure([sys.executable, "-c", script, str(path)])
                times.setdefault(name, []).append(s)
                times.setdefault(f"{name} rss", []).append(rss)
                times[f"{name} out"] = [out.strip()]
        best = None
        for name, _ in anchors:
            s = statistics.median(times[name])
            print(f"  {label}: anchor {name:32s} {s:6.2f} s  {n / s:10,.0f} rows/s  peak RSS {max(times[name + ' rss']):6.0f} MB")
            best = min(best or s, s)
        name = "cchc-etl reader (cells cleaned, streamed)"
        s = statistics.median(times[name])
        print(f"  {label}: {name}  {s:6.2f} s  {n / s:10,.0f} rows/s  peak RSS {max(times[name + ' rss']):6.0f} MB  [{times[name + ' out'][0]}]")
        copy_s, copy_rss, copy_out = measure([sys.executable, "-c", READER, str(path), "table"])
        if copy_out.split()[:2] != times[name + " out"][0].split()[:2]:  # "rows N": the same rows, or the figure means nothing
            sys.exit(f"{label}: the table-copy comparison read {copy_out.strip()!r}, the reader {times[name + ' out'][0]!r}")
        print(f"  {label}: (for comparison, once: the same plus a copy into a DuckDB table {copy_s:6.2f} s, peak RSS {copy_rss:6.0f} MB)")
        ratios.append(s / best)
    return f"readers_ratio={max(ratios):.2f} xlsx_ratio={ratios[0]:.2f} csv_ratio={ratios[1]:.2f}"


SUITES = {"dossiers": suite_dossiers, "readers": suite_readers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", choices=sorted([*SUITES, "memory", "publish", "reports", "scoring"]), default="dossiers")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dossiers", type=int, default=None,
                        help="dossiers in the year for --suite scoring (default 5000000) and reports (default 1000000)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files and warehouses")
    parser.add_argument("--repeat", type=int, default=None,
                        help="runs of each side for --suite dossiers (default 5) and readers (default 3); medians reported")
    parser.add_argument("--pg", default=settings.test_pg_url(),
                        help="PostgreSQL server for --suite publish (a scratch database is created and dropped)")
    parser.add_argument("--sizes", default=",".join(map(str, MEMORY_SIZES)),
                        help="rows of the months of --suite memory, comma-separated; the first is held to the budget")
    parser.add_argument("--budget-mb", type=int, default=MEMORY_BUDGET_MB, help="--suite memory: peak RSS budget of the first size")
    args = parser.parse_args()
    if args.suite == "memory":
        print(suite_memory(tuple(int(n) for n in args.sizes.split(",")), keep=args.keep, budget_mb=args.budget_mb))
        return
    if args.suite == "publish":
        sys.path.insert(0, str(ROOT / "bench"))
        from publish import suite_publish

        print(suite_publish(args.rows, args.pg, keep=args.keep))
        return
    if args.suite == "scoring":
        sys.path.insert(0, str(ROOT / "bench"))
        from scoring import suite_scoring

        print(suite_scoring(args.dossiers or 5_000_000, keep=args.keep))
        return
    if args.suite == "reports":
        sys.path.insert(0, str(ROOT / "bench"))
        from reports import DEFAULT_DOSSIERS, suite_reports

        print(suite_reports(args.dossiers or DEFAULT_DOSSIERS, keep=args.keep))
        return
    repeat = {} if args.repeat is None else {"repeat": args.repeat}
    print(SUITES[args.suite](args.rows, args.keep, **repeat))


if __name__ == "__main__":
    main()
