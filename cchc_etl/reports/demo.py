"""The reports ``cchc-etl demo`` builds for its last quarter."""

from __future__ import annotations


def demo_reports(warehouse_url: str, month: str) -> None:
    """The city's reports (workbook, drafted results report and scorecard site) for the demo's
    quarter, one line each: where they are."""
    from cchc_etl.methodology import current_version
    from cchc_etl.reports.output import build_reports
    from cchc_etl.warehouse import connect, duckdb_path

    year, mon = (int(x) for x in month.split("-"))
    label = f"{year}-Q{(mon - 1) // 3 + 1}"
    path = duckdb_path(warehouse_url)
    with connect(path, read_only=True) as con:
        cities = [r[0] for r in con.execute("SELECT DISTINCT city_code FROM core.org_rollup ORDER BY 1").fetchall()]
    run = build_reports(path, label, version=current_version(), units=cities, formats=["xlsx", "docx", "html"])
    names = {".xlsx": "Biểu 06, chỉ số, chỉ tiêu, trễ hạn / workbook", ".docx": "báo cáo kết quả CCHC / drafted results report",
             ".html": "trang chỉ số phục vụ, mở bằng trình duyệt / scorecard site, open in a browser"}
    for f in run.files:
        print(f"Báo cáo {run.period_label} — {names[f.suffix]}: {f}")
