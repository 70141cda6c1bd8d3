"""Benchmark suite `reports`: the reports of a 300-unit province for a year.

    python bench/run.py --suite reports [--dossiers 1000000]
    python bench/reports.py [--dossiers 1000000]

Setup (not timed, cached in bench/out/reports_<N>.duckdb): the `scoring` suite's staged year
(300 units under 30 departments, 1,500 procedures; ``bench/scoring.py``) scored once — month-end
facts and ``score_range`` for the 12 months, 4 quarters and the year.

Timed, in a fresh process reading the cached warehouse (read-only, as ``cchc-etl report`` does):
``build_reports`` for the year ``2024`` in both formats — the city's workbook and drafted results
report (docx) and one of each per department (62 files), written to a scratch directory. Then, in
another fresh process, the scorecard site of the year (``html``: a page for the city and each of
the 330 departments and units, with the rows behind each unit's indicators).
Last line: reports_s=… files=… peak_rss_mb=… site_s=… pages=… site_peak_rss_mb=… (wall seconds
and peak RSS of each process, imports included); ``--formats html`` measures the site alone.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(ROOT))

DEFAULT_DOSSIERS = 1_000_000

REPORTS = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    t = time.perf_counter()
    from cchc_etl.reports.output import build_reports
    imported = time.perf_counter() - t
    run = build_reports(Path(sys.argv[1]), "2024", version="vn-2025.1", out=sys.argv[2], formats=["xlsx", "docx"])
    kinds = {s: sum(f.suffix == s for f in run.files) for s in (".xlsx", ".docx")}
    print(f"imports {imported:.2f}s; build_reports {run.seconds:.2f}s: {kinds['.xlsx']} workbooks, {kinds['.docx']} documents, "
          f"{sum(f.stat().st_size for f in run.files) / 2**20:.1f} MB in {run.directory}")
    """
)
SITE = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    t = time.perf_counter()
    from cchc_etl.reports.output import build_reports
    imported = time.perf_counter() - t
    run = build_reports(Path(sys.argv[1]), "2024", version="vn-2025.1", out=sys.argv[2], formats=["html"])
    pages = list(run.files[0].parent.glob("*.html"))
    print(f"imports {imported:.2f}s; build_reports {run.seconds:.2f}s: {len(pages)} pages, "
          f"{sum(f.stat().st_size for f in pages) / 2**20:.1f} MB in {run.files[0].parent}")
    """
)


def ensure_scored(dossiers: int) -> Path:
    """The cached scored warehouse of the `scoring` suite's staged year (built once)."""
    from common import measure
    from scoring import SCORING

    out = ROOT / "bench" / "out"
    path = out / f"reports_{dossiers}.duckdb"
    if path.exists():
        return path
    subprocess.run([sys.executable, str(ROOT / "bench" / "scoring.py"), "--setup-only", "--dossiers", str(dossiers)],
                   check=True, cwd=ROOT)
    partial = out / f"reports_{dossiers}.partial.duckdb"
    shutil.copyfile(out / f"scoring_{dossiers}.duckdb", partial)
    t = time.perf_counter()
    measure([sys.executable, "-c", SCORING, str(partial)])
    partial.rename(path)
    print(f"setup: scored the year in {time.perf_counter() - t:.1f}s -> {path.relative_to(ROOT)}")
    return path


def suite_reports(dossiers: int = DEFAULT_DOSSIERS, keep: bool = False, formats: str = "xlsx,docx,html") -> str:
    from common import measure, scratch_dir

    warehouse = ensure_scored(dossiers)
    wanted = {f.strip() for f in formats.split(",")}
    figures = []
    with scratch_dir("cchc-bench-reports-", keep) as work:
        if wanted & {"xlsx", "docx"}:
            seconds, rss, out = measure([sys.executable, "-c", REPORTS, str(warehouse), str(work)])
            print(f"reports of the year 2024 ({dossiers:,} dossiers, 300 units, 30 departments; fresh process): "
                  f"{seconds:6.2f} s  peak RSS {rss:7.0f} MB")
            print(textwrap.indent(out.strip(), "    "))
            files = len(list(work.rglob("*.xlsx"))) + len(list(work.rglob("*.docx")))
            figures.append(f"reports_s={seconds:.2f} files={files} peak_rss_mb={rss:.0f}")
        if "html" in wanted:
            seconds, rss, out = measure([sys.executable, "-c", SITE, str(warehouse), str(work / "site")])
            print(f"scorecard site of the year 2024 (fresh process): {seconds:6.2f} s  peak RSS {rss:7.0f} MB")
            print(textwrap.indent(out.strip(), "    "))
            pages = len(list((work / "site").rglob("*.html")))
            figures.append(f"site_s={seconds:.2f} pages={pages} site_peak_rss_mb={rss:.0f}")
    return " ".join(figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dossiers", type=int, default=DEFAULT_DOSSIERS)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--formats", default="xlsx,docx,html", help="what to time: xlsx,docx (one process) and html (another)")
    args = parser.parse_args()
    print(suite_reports(args.dossiers, keep=args.keep, formats=args.formats))


if __name__ == "__main__":
    main()
