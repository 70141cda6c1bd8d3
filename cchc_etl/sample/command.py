"""Realistic sample landing tree for the CCHC warehouse (no Dagster import).

The command line of ``python -m cchc_etl.sample``."""

from __future__ import annotations

from typing import Sequence

from cchc_etl.sample.bench import write_bench_landing
from cchc_etl.sample.landing import write_sample_landing


def main(argv: Sequence[str] | None = None) -> int:
    import argparse
    import json
    import time

    ap = argparse.ArgumentParser(prog="python -m cchc_etl.sample", description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("start_month", nargs="?")
    ap.add_argument("end_month", nargs="?")
    ap.add_argument("--rows", type=int, default=None, help="rows per month (sample) or total rows (bench)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--bench", action="store_true", help="write a bench landing (reference + one big CSV)")
    ap.add_argument("--month", default="2024-01", help="bench month")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    if a.bench:
        p = write_bench_landing(a.out_dir, rows=a.rows or 1_000_000, month=a.month,
                                seed=11 if a.seed is None else a.seed)
        print(f"wrote {p} in {time.perf_counter() - t0:.1f}s")
        return 0
    if not a.start_month:
        ap.error("start_month is required (YYYY-MM)")
    m = write_sample_landing(a.out_dir, a.start_month, a.end_month or a.start_month,
                             rows_per_month=a.rows or 2000, seed=7 if a.seed is None else a.seed)
    print(json.dumps({"files": m.files, "data_rows": m.data_rows,
                      "bad_rows": {k: v for k, v in m.bad_rows.items() if v}}, ensure_ascii=False, indent=1))
    print(f"done in {time.perf_counter() - t0:.1f}s")
    return 0
