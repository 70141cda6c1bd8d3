"""The README's two pictures, from the demo's warehouse (``make demo``):

* ``docs/img/scorecard-site.png``: the city page of the quarter's scorecard site, in Chromium;
* ``docs/img/bieu06.png``: sheet "Biểu 06" of the city's workbook as LibreOffice prints it.

    .venv/bin/python docs/make_images.py [DEMO_DIR]      # default data/demo

Needs /usr/bin/chromium (playwright drives it), libreoffice and pdftoppm (poppler-utils).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PERIOD, CITY = "2024-Q1", "HCM"


def main() -> None:
    from playwright.sync_api import sync_playwright

    from cchc_etl.methodology import current_version
    from cchc_etl.reports.output import build_reports, file_name

    demo = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "data" / "demo"
    img = ROOT / "docs" / "img"
    img.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        run = build_reports(demo / "warehouse.duckdb", PERIOD, version=current_version(), units=[CITY],
                            out=tmp, formats=["xlsx", "html"])
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium")
            page = browser.new_page(viewport={"width": 1200, "height": 1450})
            page.goto((run.directory / "site" / "index.html").as_uri())
            page.screenshot(path=str(img / "scorecard-site.png"))
            browser.close()
        workbook = run.directory / file_name(PERIOD, CITY)
        subprocess.run(["libreoffice", "--headless", "--convert-to", "pdf", "--outdir", tmp, str(workbook)], check=True,
                       capture_output=True)
        pdf = Path(tmp) / (workbook.stem + ".pdf")
        # the first printed page is sheet "Biểu 06" (A4 landscape at 110 dpi: 1286 x 909 px), its bottom margin cut
        subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "110", "-png", "-singlefile", "-x", "0", "-y", "0",
                        "-W", "1286", "-H", "860", str(pdf), str(img / "bieu06")], check=True)
    print(img / "scorecard-site.png", img / "bieu06.png")


if __name__ == "__main__":
    main()
