"""The scorecard site (``cchc-etl report --format html``) in a real browser: Debian's Chromium
(``/usr/bin/chromium``, or ``CCHC_CHROMIUM``) driven by playwright, on sites built from the
session's sample warehouse (Jan–Feb 2024, copied).

- Every page loads from disk with no console error, no failed request and no request other than
  file:// (nothing from the network), no script, and its stylesheet applied; every link (all
  ``<a href>``) is relative and resolves to a page that exists and loads, or to an anchor on it;
  every page is reachable from ``index.html`` (city → department → unit).
- The figures shown (ratio, band, rank and its change, group scores, trend, indicator numerator /
  denominator / value / score and the rows counted behind them, Biểu 06 totals, late counts,
  target statuses) equal the marts, read here from the DuckDB file with SQL.
- The site works moved elsewhere; an incomplete period says "lũy kế đến hết tháng 02/2024" on
  every page; hostile names and values are shown as text, never run; no personal data appears.
- It prints (A4 landscape, navigation hidden). Screenshots of the city, a department and a unit
  page and of the print view go to ``CCHC_SCREENSHOTS_DIR`` (default: a pytest temporary
  directory), printed at the end of the module.

Without Chromium (or playwright) the browser tests fail when ``CI`` is set and are skipped
otherwise.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from cchc_etl.reports.output import build_reports
from cchc_etl.warehouse import connect

from tests.integration.test_reports_workbook import (
    awaiting_overdue, expected_columns, expected_ranks, period_report, personal_values, rpt_values, run_cli,
)

VERSION = "vn-2025.1"
CITY = "HCM"
FEB, JAN = dt.date(2024, 2, 1), dt.date(2024, 1, 1)
CHROMIUM = os.environ.get("CCHC_CHROMIUM", "/usr/bin/chromium")
# page -> the level its figures are scored and counted at
CHECKED = {CITY: "city", "STNMT": "department", "Q1": "department", "Q1_BN": "unit", "VPDK_Q1": "unit"}
GROUP_VI = {"Sở, ban, ngành": "department", "Quận, huyện, thị xã": "district", "Xã, phường, thị trấn": "commune",
            "Cơ quan, đơn vị khác": "other"}


def missing_browser(reason: str):
    message = (f"{reason}: the scorecard site is tested in a real browser (Debian: apt-get install chromium; "
               "pip install -e '.[test]' for playwright)")
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


# --------------------------------------------------------------------------- numbers as shown


def shown_num(text: str) -> Decimal | None:
    """'1.777' -> 1777, '96,89 %' -> 96.89, '−0,50' -> -0.50, '—' / 'N/A' -> None."""
    t = text.replace("%", "").replace("\u2212", "-").strip()
    if t in ("—", "N/A", ""):
        return None
    assert re.fullmatch(r"-?\d{1,3}(\.\d{3})*(,\d+)?", t), text
    return Decimal(t.replace(".", "").replace(",", "."))


def r2(x) -> Decimal | None:
    if x is None or (isinstance(x, float) and x != x):
        return None
    return Decimal(repr(float(x))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def same(text: str, value) -> bool:
    """The text shows the value (rounded to 2 decimals, as the site shows every rate and score)."""
    got, want = shown_num(text), r2(value)
    return got == want if want is None or got is None else abs(got - want) <= Decimal("0.005")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def wh(sample_warehouse, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("site_wh") / "warehouse.duckdb"
    shutil.copyfile(sample_warehouse, path)
    return path


@pytest.fixture(scope="module")
def sites(wh) -> dict[str, Path]:
    """The site of February (complete) and of the first quarter (to date), both the whole city."""
    out = {}
    for label in ("2024-02", "2024-Q1"):
        run = build_reports(wh, label, version=VERSION, formats=["html"])
        assert run.files == [run.directory / "site" / "index.html"]
        out[label] = run.files[0].parent
    return out


@pytest.fixture(scope="module")
def db(sites, wh):
    with connect(wh, read_only=True) as con:
        yield con


@pytest.fixture(scope="module")
def shots(request, tmp_path_factory) -> Path:
    configured = os.environ.get("CCHC_SCREENSHOTS_DIR")
    path = Path(configured) if configured else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    yield path
    taken = sorted(p.name for p in path.iterdir())
    line = f"scorecard site screenshots / ảnh chụp trang: {path} ({', '.join(taken)})"
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        print(line)
        return
    with capture.global_and_fixture_disabled():  # shown whatever the capture mode
        reporter.write_line("")
        reporter.write_line(line)


class Visitor:
    """One browser tab that records every request, console message, page error and dialog, and
    refuses any request that is not for a local file."""

    def __init__(self, context):
        self.context = context
        self.requests: list[str] = []
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        context.route(re.compile(r"^(?!file:|data:)"), self._refuse)
        self.page = context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning")
                     else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} {r.failure}"))
        self.page.on("dialog", self._dialog)

    def _refuse(self, route):
        self.problems.append(f"network request refused: {route.request.url}")
        route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, path: Path, media: str = "screen"):
        self.requests.clear()
        self.problems.clear()
        self.page.emulate_media(media=media)
        response = self.page.goto(path.resolve().as_uri(), wait_until="load")
        assert response is None or response.ok, path
        assert not self.problems, (path.name, self.problems)
        assert self.requests and all(u.startswith(("file://", "data:")) for u in self.requests), (path.name, self.requests)
        assert not self.dialogs, (path.name, self.dialogs)
        state = self.page.evaluate("""() => ({
            scripts: document.scripts.length,
            font: getComputedStyle(document.body).fontFamily,
            handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
            lang: document.documentElement.lang})""")
        assert state["scripts"] == 0 and state["handlers"] == 0, (path.name, state)
        assert "Noto Sans" in state["font"], f"{path.name}: the site's stylesheet is not applied ({state['font']})"
        assert state["lang"] == "vi"
        return self.page

    def table(self, key: str) -> list[dict]:
        """Rows of the table ``data-table=key``: their data attributes and their ``data-col`` cells."""
        return self.page.evaluate("""(key) => [...document.querySelectorAll(`table[data-table="${key}"] > tbody > tr`)]
            .filter(tr => !tr.classList.contains('sample'))
            .map(tr => Object.assign({}, tr.dataset, {cells: Object.fromEntries(
                [...tr.querySelectorAll(':scope > [data-col]')].map(td => [td.dataset.col, td.innerText.trim()]))}))""", key)

    def figure(self, key: str) -> str | None:
        loc = self.page.locator(f"[data-figure={key}] .value")
        return loc.inner_text().strip() if loc.count() else None


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_browser("playwright is not installed")
    if not Path(CHROMIUM).exists():
        missing_browser(f"no Chromium at {CHROMIUM}")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def visitor(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    try:
        yield Visitor(context)
    finally:
        context.close()


def page_path(site: Path, code: str) -> Path:
    return site / ("index.html" if code == CITY else f"dv-{code}.html")


# --------------------------------------------------------------------------- pages and links


def test_every_page_loads_offline_and_every_link_resolves(visitor, sites, db):
    site = sites["2024-02"]
    seen, queue, links = set(), [site / "index.html"], 0
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        page = visitor.open(path)
        assert page.locator(".to-date").count() == 0, "February is complete: no to-date note"
        hrefs = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => [a.getAttribute('href'), a.href])")
        assert hrefs, path.name
        for raw, resolved in hrefs:
            links += 1
            assert not re.match(r"^([a-z]+:|/)", raw), f"{path.name}: link {raw!r} is not relative"
            target, _, anchor = resolved.partition("#")
            assert target.startswith("file://"), resolved
            file = Path(target.removeprefix("file://"))
            assert file.is_file() and site in file.parents, f"{path.name}: link {raw!r} resolves to nothing"
            if anchor and file == path:
                assert page.locator(f"[id='{anchor}']").count() == 1, f"{path.name}: no element #{anchor}"
            if file != path:
                queue.append(file)
    pages = set(site.glob("*.html"))
    assert seen == pages, f"pages no link leads to: {sorted(p.name for p in pages - seen)}"
    units = {u for (u,) in db.execute("SELECT DISTINCT rollup_code FROM core.org_rollup WHERE period_type = 'month' "
                                      "AND period_start = ? AND rollup_level = 'unit'", [FEB]).fetchall()}
    assert {p.name for p in pages} == {"index.html"} | {f"dv-{u}.html" for u in units}
    assert links > 300


def test_drill_down_city_department_unit_and_moved_elsewhere(visitor, sites, tmp_path):
    """A copy of the site moved to another directory (the original gone) works the same: city →
    department → unit by clicking, breadcrumbs back up."""
    moved = tmp_path / "moved"
    shutil.copytree(sites["2024-02"], tmp_path / "first" / "site")
    shutil.move(tmp_path / "first", moved)
    site = moved / "site"
    page = visitor.open(site / "index.html")
    page.locator("table[data-table=drill] tr[data-code=Q1] a").click()
    page.wait_for_load_state("load")
    assert page.url == (site / "dv-Q1.html").as_uri() and not visitor.problems
    assert page.locator("h1").inner_text().startswith("Quận 1")
    page.locator("table[data-table=drill] tr[data-code=Q1_BN] a").click()
    page.wait_for_load_state("load")
    assert page.url == (site / "dv-Q1_BN.html").as_uri() and not visitor.problems
    crumbs = page.locator(".crumbs li").all_inner_texts()
    assert crumbs == ["Thành phố Hồ Chí Minh", "Quận 1", "Phường Bến Nghé"]
    page.locator(".crumbs a", has_text="Quận 1").click()
    page.wait_for_load_state("load")
    assert page.url == (site / "dv-Q1.html").as_uri()
    visitor.open(site / "dv-Q1_BN.html")  # every check of a fresh load, in the moved copy
    for f in site.glob("*.html"):
        text = f.read_text(encoding="utf-8")
        assert str(sites["2024-02"].parent) not in text and "file:" not in text, f.name
        assert "://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', ""), f"{f.name}: an absolute URL"


def test_a_period_to_date_says_so_on_every_page(visitor, sites):
    site = sites["2024-Q1"]
    pages = sorted(site.glob("*.html"))
    assert len(pages) > 20
    for path in pages:
        text = html.unescape(path.read_text(encoding="utf-8"))
        title = re.search(r"<title>(.*?)</title>", text).group(1)
        note = re.search(r'<p class="to-date" role="note">(.*?)</p>', text)
        assert note and "lũy kế đến hết tháng 02/2024" in note.group(1), path.name
        assert "lũy kế đến hết tháng 02/2024" in title, path.name
    for code in (CITY, "STNMT", "Q1_BN"):
        page = visitor.open(page_path(site, code))
        assert "lũy kế đến hết tháng 02/2024" in page.locator(".to-date").inner_text() and page.locator(".to-date").is_visible()


# --------------------------------------------------------------------------- figures equal the marts


def scores(db, month: dt.date) -> dict[tuple, dict]:
    rows = db.execute("SELECT org_unit_code, org_level, group_code, score, max_score, ratio, classification FROM marts.scores "
                      "WHERE period_type = 'month' AND period_start = ? AND methodology_version = ?", [month, VERSION]).fetchall()
    return {(u, lvl, g): {"score": s, "max": m, "ratio": r, "band": b} for u, lvl, g, s, m, r, b in rows}


def test_figures_shown_equal_the_marts(visitor, sites, db, shots):
    site = sites["2024-02"]
    now = scores(db, FEB)
    ranks, ranks_before = expected_ranks(db, FEB), expected_ranks(db, JAN)
    report = period_report(db, FEB)
    awaiting = awaiting_overdue(db, FEB)
    ind = {(u, lvl, i): (n, d, v, s, a) for u, lvl, i, n, d, v, s, a in db.execute(
        "SELECT org_unit_code, org_level, indicator_code, numerator, denominator, value, score, applicable "
        "FROM marts.indicator_scores WHERE period_type = 'month' AND period_start = ? AND methodology_version = ?",
        [FEB, VERSION]).fetchall()}
    trend = {(u, lvl, m): r for u, lvl, m, r in db.execute(
        "SELECT org_unit_code, org_level, period_start, ratio FROM marts.scores WHERE period_type = 'month' "
        "AND group_code = 'TOTAL' AND methodology_version = ?", [VERSION]).fetchall()}
    samples_checked = 0
    for code, level in CHECKED.items():
        page = visitor.open(page_path(site, code))
        total = now[(code, level, "TOTAL")]
        assert same(visitor.figure("ratio"), total["ratio"]), code
        assert visitor.figure("band") == total["band"], code
        if code != CITY:
            rank_text = visitor.figure("rank")
            group, rank = ranks[code]
            in_group = sum(1 for g, _ in ranks.values() if g == group)
            change = ranks_before[code][1] - rank
            mark = "=" if change == 0 else (f"▲ {change}" if change > 0 else f"▼ {-change}")
            assert rank_text == f"{rank}/{in_group} {mark}", (code, rank_text)
        groups = {r["group"]: r["cells"] for r in visitor.table("groups")}
        assert sorted(groups) == ["G1", "G2", "G3", "G4", "G5", "G6"]
        for g, cells in groups.items():
            want = now.get((code, level, g))
            assert same(cells["score"], want["score"]) and same(cells["max"], want["max"]), (code, g)
            assert same(cells["ratio"], want["ratio"]), (code, g)
        months = {r["month"]: r["cells"]["SERVICE_INDEX_RATIO"] for r in visitor.table("trend")}
        assert months.keys() == {"2024-01", "2024-02"}
        for m, text in months.items():
            assert same(text, trend[(code, level, dt.date.fromisoformat(m + "-01"))]), (code, m)
        # every indicator of the page's own figures, with the rows behind it on a unit's page
        shown = visitor.table("indicators")
        want = {i: v for (u, lvl, i), v in ind.items() if u == code and lvl == level}
        assert {r["indicator"] for r in shown} == set(want), code
        for r in shown:
            n, d, v, s, applicable = want[r["indicator"]]
            c = r["cells"]
            assert same(c["numerator"], n) and same(c["denominator"], d) and same(c["value"], v), (code, r["indicator"], c)
            assert c["score"] == "N/A" if not applicable else same(c["score"], s), (code, r["indicator"], c)
        summaries = page.evaluate("""() => [...document.querySelectorAll('tr.sample[data-sample]')].map(tr => {
            const s = tr.querySelector('summary');
            return {code: tr.dataset.sample, num: s && +s.dataset.rowsNumerator, den: s && +s.dataset.rowsDenominator,
                    rows: tr.querySelectorAll(':scope table > tbody > tr').length}; })""")
        if level == "unit":
            with_rows = [x for x in summaries if x["num"] is not None]
            assert with_rows, code
            for x in with_rows:
                n, d = want[x["code"]][:2]
                assert (x["num"], x["den"]) == (n, d), (code, x)
                assert min(20, d) <= x["rows"] <= 20, (code, x)
                if code == "Q1_BN":  # the rows listed: those in the denominator or the numerator (the drill-down macro)
                    (behind,) = db.execute("SELECT count(*) FROM marts.indicator_rows(?, ?, 'unit', 'month', "
                                           "DATE '2024-02-01')", [x["code"], code]).fetchone()
                    assert x["rows"] == min(20, behind), (code, x, behind)
                samples_checked += 1
        else:
            assert not summaries, f"{code}: rows behind indicators are on the unit pages only"
        # Biểu 06 totals, late counts, Phụ lục I
        form_total = [int(shown_num(t)) for t in page.locator("table#form06 tr.total td[data-col]").all_inner_texts()]
        assert form_total == expected_columns(report[(code, level)], awaiting[(code, level)]), code
        assert int(shown_num(visitor.figure("overdue"))) == report[(code, level)]["pending_overdue"], code
        assert page.locator("table[data-table=late] > tbody > tr[data-dossier]").count() == min(
            200, report[(code, level)]["pending_overdue"]), code
        for r in visitor.table("late-units"):
            v = report[(r["code"], "unit")]
            assert (int(shown_num(r["cells"]["resolved-late"])), int(shown_num(r["cells"]["pending-overdue"]))) == (
                v["resolved_late"], v["pending_overdue"]), (code, r)
        if code == CITY:
            page.screenshot(path=str(shots / "city.png"))
        elif code == "STNMT":
            page.screenshot(path=str(shots / "department.png"))
        elif code == "Q1_BN":
            page.evaluate("document.querySelector('tr.sample details').open = true")
            page.screenshot(path=str(shots / "unit.png"), full_page=True)
    assert samples_checked >= 15


def test_rankings_and_weakest_units_equal_the_marts(visitor, sites, db):
    visitor.open(sites["2024-02"] / "index.html")
    now, before = expected_ranks(db, FEB), expected_ranks(db, JAN)
    ratio = {u: r for u, r in db.execute("""
        SELECT s.org_unit_code, s.ratio FROM marts.scores s JOIN (
            SELECT unit_code, level FROM staging.stg_org_units
            QUALIFY row_number() OVER (PARTITION BY unit_code ORDER BY valid_from DESC) = 1) u ON u.unit_code = s.org_unit_code
        WHERE s.period_type = 'month' AND s.period_start = ? AND s.group_code = 'TOTAL' AND s.methodology_version = ?
          AND s.org_level = CASE WHEN u.level IN ('department', 'district') THEN 'department' ELSE 'unit' END""",
                                                     [FEB, VERSION]).fetchall()}
    seen = set()
    for group in ("department", "district", "commune", "other"):
        rows = visitor.table(f"rank-{group}")
        assert {r["code"] for r in rows} == {u for u, (g, _) in now.items() if g == group}, group
        assert [int(r["cells"]["rank"]) for r in rows] == sorted(now[r["code"]][1] for r in rows), "best first"
        for r in rows:
            u, c = r["code"], r["cells"]
            assert int(c["rank"]) == now[u][1] and same(c["ratio"].split()[0] + " %", ratio[u]), u
            change = before[u][1] - now[u][1]
            assert c["rank-change"] == ("=" if change == 0 else f"▲ {change}" if change > 0 else f"▼ {-change}"), u
            assert int(c["previous-rank"]) == before[u][1], u
            seen.add(u)
    assert len(seen) == len(now) >= 20
    weak = {r["code"] for r in visitor.table("weak-weak")}
    fair = {r["code"] for r in visitor.table("weak-fair")}
    assert weak == {u for u in now if r2(ratio[u]) < 80} and weak
    assert fair == {u for u in now if 80 <= r2(ratio[u]) < 90}


def test_a_half_year_says_the_index_is_not_scored_and_counts_the_rows(visitor, wh, db, tmp_path):
    """The marts score no half year: its pages say so and show no score; Biểu 06 totals are the
    RPT_* counts of the rows over the half year to date (January and February, as the year's)."""
    run = build_reports(wh, "2024-H1", version=VERSION, formats=["html"], out=tmp_path)
    site = run.files[0].parent
    marts, awaiting = rpt_values(db, "year", JAN), awaiting_overdue(db, FEB)
    for code, level in CHECKED.items():
        page = visitor.open(page_path(site, code))
        assert "2024-H1 không có điểm" in page.locator("#nhom-chi-so").inner_text(), code
        assert visitor.figure("ratio") is None and page.locator("table[data-table^=rank-], #chi-so table").count() == 0, code
        assert "lũy kế đến hết tháng 02/2024" in page.locator(".to-date").inner_text(), code
        form_total = [int(shown_num(t)) for t in page.locator("table#form06 tr.total td[data-col]").all_inner_texts()]
        assert form_total == expected_columns(marts[(code, level)], awaiting[(code, level)]), code


def test_targets_equal_target_attainment(visitor, sites, db):
    status = {True: "Đạt", False: "Chưa đạt", None: "Chưa đủ số liệu"}
    marts = db.execute("SELECT indicator_code, org_unit_code, met FROM marts.target_attainment WHERE year = 2024 "
                       "AND methodology_version = ?", [VERSION]).fetchall()
    visitor.open(sites["2024-02"] / "index.html")
    shown = sorted((r["indicator"], r["code"], r["cells"]["status"]) for r in visitor.table("targets"))
    assert shown == sorted((i, u, status[m]) for i, u, m in marts)
    assert {s for _, _, s in shown} == {"Đạt", "Chưa đạt", "Chưa đủ số liệu"}
    visitor.open(sites["2024-02"] / "dv-Q1.html")
    assert {r["code"] for r in visitor.table("targets")} <= {"Q1", "Q1_BN", "Q1_BT", "Q1_DK"}


# --------------------------------------------------------------------------- hostile data, personal data, print


def test_hostile_names_and_values_are_shown_as_text(visitor, wh, tmp_path):
    hostile = tmp_path / "warehouse.duckdb"
    shutil.copyfile(wh, hostile)
    script, attr = "<script>alert(1)</script>", '"><img src=x onerror=alert(2)>=1+1'
    con = duckdb.connect(str(hostile))
    try:
        tables = [f"{s}.{t}" for s, t in con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND "
            "(table_schema, table_name) IN (('staging', 'stg_org_units'), ('core', 'dim_org_unit'))").fetchall()]
        assert "staging.stg_org_units" in tables
        for table in tables:  # the unit dimension (core.dim_org_unit is a view over it where it is not a table)
            con.execute(f"UPDATE {table} SET name = ? WHERE unit_code = 'Q1_BN'", [script])
            con.execute(f"UPDATE {table} SET name = ? WHERE unit_code = 'STP'", [attr])
        con.execute("UPDATE staging.stg_procedures SET name = '<b onmouseover=alert(3)>@SUM(1+1)</b>', "
                    "field_name = '+<i>Lý lịch</i> tư pháp' WHERE procedure_code = '2.001417.000.00.00.H29'")
        overdue = con.execute("SELECT dossier_id FROM core.fct_dossier_month_end WHERE period_start = ? AND is_pending_overdue "
                              "AND unit_code = 'STP' LIMIT 1", [FEB]).fetchone()[0]
        con.execute("UPDATE core.fct_dossier_month_end SET dossier_id = '</td><script>alert(4)</script>' WHERE dossier_id = ?",
                    [overdue])
    finally:
        con.close()
    run = build_reports(hostile, "2024-02", version=VERSION, formats=["html"], out=tmp_path / "out")
    site = run.files[0].parent
    page = visitor.open(site / "dv-Q1_BN.html")
    assert page.locator("h1").inner_text().startswith(script)
    page = visitor.open(site / "dv-STP.html")
    assert page.locator("h1").inner_text().startswith(attr) and page.locator("img").count() == 0
    late = page.locator("table[data-table=late] > tbody > tr[data-dossier]")
    assert "</td><script>alert(4)</script>" in late.locator("th").all_inner_texts()
    assert any("<b onmouseover=alert(3)>@SUM(1+1)</b>" in t for t in late.all_inner_texts())
    page = visitor.open(site / "index.html")
    text = page.locator("body").inner_text()
    assert script in text and attr in text and "+<i>Lý lịch</i> tư pháp" in text
    assert page.locator("b, i, img").count() == 0, "no markup from the data"
    assert not visitor.dialogs


def test_no_personal_data_on_any_page(sites, db, sample_warehouse):
    """No text of any page (each text node and attribute value, unescaped) is a clear or hashed
    personal value of the sample; no full hash is shown (record codes of hashed sources are cut)."""
    needles = personal_values(sample_warehouse.parent / "landing", db)
    assert len(needles) > 500
    pages = sorted(sites["2024-02"].glob("*.html"))
    kv_seen = 0
    for path in pages:
        text = path.read_text(encoding="utf-8")
        values = {html.unescape(t).strip().removeprefix(": ").strip() for t in re.findall(r">([^<]+)<", text)}
        values |= {html.unescape(a) for a in re.findall(r'="([^"]*)"', text)}
        leaked = values & needles
        assert not leaked, (path.name, sorted(leaked)[:3])
        assert not re.search(r"\b[0-9a-f]{64}\b", text), f"{path.name}: a full hash is shown"
        kv_seen += text.count('class="kv"')
    assert kv_seen > 1000, "the rows behind the indicators were checked too"


def test_the_site_prints_on_a4_landscape(visitor, sites, shots):
    page = visitor.open(sites["2024-02"] / "index.html", media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('nav.toc')).display") == "none"
    page.screenshot(path=str(shots / "print.png"), full_page=True)
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert len(boxes) >= 3, "several pages"
    assert all(abs(float(w) - 841.9) < 2 and abs(float(h) - 595.3) < 2 for w, h in boxes), boxes[:2]  # A4 landscape, points
    visitor.open(sites["2024-02"] / "dv-Q1_BN.html", media="print")
    form = page.locator("#bieu-06")
    form.screenshot(path=str(shots / "bieu06-html.png"))


# --------------------------------------------------------------------------- writing the site (no browser)


def test_cli_writes_the_site_and_replaces_it_whole(wh, tmp_path, monkeypatch):
    out = tmp_path / "out"
    url = f"duckdb:///{wh.resolve().as_posix()}"
    rc, stdout, err = run_cli("report", "--period", "2024-02", "--unit", "Q1_BN", "--format", "html", "--warehouse", url,
                              "--out", out)
    site = out / "2024-02" / "site"
    assert rc == 0, err
    assert str(site / "index.html") in stdout
    pages = sorted(p.name for p in site.iterdir())
    assert "index.html" in pages and "site.css" in pages and "dv-STNMT.html" in pages, "the whole city, whatever --unit"
    assert not [p for p in (out / "2024-02").iterdir() if p.name != "site"], "html alone writes no workbook"
    held = (site / "index.html").open("rb")  # a reader of the previous site
    before = held.read()
    (site / "stale.html").write_text("from a previous build")
    try:
        rc, _, err = run_cli("report", "--period", "2024-02", "--unit", "Q1_BN", "--format", "html,xlsx", "--warehouse", url,
                             "--out", out)
        assert rc == 0, err
        held.seek(0)
        assert held.read() == before, "the previous site was swapped out whole, not rewritten in place"
    finally:
        held.close()
    assert not (site / "stale.html").exists(), "the new site replaces the directory, it is not merged into it"
    assert sorted(p.name for p in site.iterdir()) == pages
    assert not [p.name for p in (out / "2024-02").iterdir() if p.name.startswith(".")], "no temporary directory left"
    # a build that fails half way leaves the previous site as it was
    from cchc_etl.reports import site as site_module

    def broken(self, directory):
        (directory / "index.html").write_text("half a site")
        raise RuntimeError("disk full")

    monkeypatch.setattr(site_module.Site, "write", broken)
    with pytest.raises(RuntimeError):
        build_reports(wh, "2024-02", version=VERSION, formats=["html"], out=out)
    assert (site / "index.html").read_bytes() != b"half a site" and sorted(p.name for p in site.iterdir()) == pages
    assert not [p.name for p in (out / "2024-02").iterdir() if p.name.startswith(".")]


def test_page_file_names_are_safe_and_distinct():
    from cchc_etl.reports.site import page_file

    taken: set[str] = set()
    names = [page_file(c, taken) for c in ("STNMT", "Q1_BN", "q1_bn", "../etc/passwd", "<x>", "a b", "dv", "index")]
    assert names[:2] == ["dv-STNMT.html", "dv-Q1_BN.html"]
    assert len({n.lower() for n in names}) == len(names), "distinct even on a case-insensitive file system"
    assert all(re.fullmatch(r"dv-[A-Za-z0-9_-]+\.html", n) for n in names), names
