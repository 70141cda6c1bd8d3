"""The scorecard site (``--format html``): static pages under ``<period>/site/`` that open from
disk and work offline (no script, no font or file from elsewhere: one stylesheet shipped in the
package, charts drawn here as inline SVG, every link relative).

``index.html`` is the city; every department (sở/ngành, quận/huyện) and every unit under it
(xã/phường, the units of a department) has its own page, ``dv-<CODE>.html``, linked from its
parent's drill-down list, rankings, weakest units and lists. Each page shows:

* the service index (Quyết định 766/QĐ-TTg) of the city, department or unit at the level it is
  ranked on: ratio, band, rank and its change, a radar of the 6 groups (with the city's for
  comparison) and the trend of the months of the year with the band thresholds drawn;
* the rankings of the units under it (sở/ngành, quận/huyện, xã/phường, other units, each ranked
  across the city) with the change in rank, and the weakest of them (ratio < 80, 80–90);
* every indicator's numerator, denominator, value, points, score and the reason for N/A or a
  reduced score; on a unit's page, the first rows behind each (as ``cchc-etl explain`` gives them:
  file, row, record code and the fields that decided it; never personal data);
* the targets of the year (Đạt / Chưa đạt / Chưa đủ số liệu, and the gap), Biểu 06 and the late,
  near-due and awaiting-supplement lists.

Every chart is followed by its data table; figures are formatted as the workbook's
(``vn_format``). Every string taken from the data is escaped (``site_html``). A period not over
yet says "lũy kế đến hết tháng MM/YYYY" at the top of every page.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cchc_etl.methodology import load_methodology
from cchc_etl.reports.data import ReportData
from cchc_etl.reports.rows import (
    RANK_GROUPS, TREND_SERIES, Scope, _round2, awaiting_dossiers, awaiting_undated, form06, form_notes, late_dossiers,
    late_units, near_due_dossiers, scope_for, scorecard, targets, trend,
)
from cchc_etl.reports.site_html import Html, esc, h, join, raw
from cchc_etl.reports.site_svg import bar, radar, trend as trend_chart
from cchc_etl.reports.vn_format import fmt_change_vi, fmt_date_vi, fmt_dec_vi, fmt_int_vi, fmt_pct_vi, vn_sort_key
from cchc_etl.reports.xlsx_style import built_line

STATIC_DIR = Path(__file__).with_name("site_static")
STYLESHEET = "site.css"
SITE_DIR = "site"
SAMPLE_ROWS = 20          # rows behind each indicator shown on a unit's page
LIST_LIMIT = 200          # dossiers listed per list and page (the workbook has them all)
WEAK, FAIR = 80.0, 90.0   # the weakest units: ratio < 80, and 80 to under 90 (as the 766 dashboards list them)
LEVEL_VI = {"city": "Thành phố", "department": "Sở, ban, ngành", "district": "Quận, huyện, thị xã",
            "commune": "Xã, phường, thị trấn"}
SCORE_LEVEL_VI = {"city": "số liệu toàn thành phố", "department": "số liệu của đơn vị và các đơn vị trực thuộc",
                  "unit": "hồ sơ của chính đơn vị"}
NOT_SCORED = ("Bộ chỉ số phục vụ người dân, doanh nghiệp chỉ được tính theo tháng, quý và năm (Quyết định 766/QĐ-TTg); kỳ "
              "{label} không có điểm — xem kỳ quý hoặc năm. / The service index is scored per month, quarter and year only.")
CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'"
_SAFE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,60}")
_HASH = re.compile(r"[0-9a-f]{64}")


def en(text: str) -> Html:
    """English beside the Vietnamese, in a quieter style."""
    return h("span", f" / {text}", class_="en", lang="en")


def page_file(code: str, taken: set[str]) -> str:
    """``dv-<CODE>.html`` for a plain code; anything else (or a name that would clash on a
    case-insensitive file system) gets a safe stem and a hash of the code."""
    stem = code if _SAFE_CODE.fullmatch(code) else re.sub(r"[^A-Za-z0-9_-]+", "_", code)[:40].strip("_") or "x"
    name = f"dv-{stem}.html"
    if stem != code or name.lower() in taken:
        name = f"dv-{stem}-{hashlib.sha1(code.encode()).hexdigest()[:10]}.html"
    taken.add(name.lower())
    return name


def _missing(x) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def _count(x) -> str:
    if _missing(x):
        return "—"
    return fmt_int_vi(x) if float(x).is_integer() else fmt_dec_vi(x)


def _rank_change(change) -> Html:
    if change is None:
        return esc("—")
    if change == 0:
        return h("span", "=", class_="same", title="giữ hạng / same rank")
    if change > 0:
        return h("span", f"▲ {change}", class_="up", title=f"lên {change} hạng / up {change}")
    return h("span", f"▼ {-change}", class_="down", title=f"xuống {-change} hạng / down {-change}")


@dataclass
class Page:
    code: str
    kind: str                  # city | department | unit
    scope: Scope
    file: str
    parent: str | None
    level: str                 # the unit's level in the org structure
    score_level: str           # the figures it is scored on: city | department | unit
    children: list[str] = field(default_factory=list)


def load_samples(con, data: ReportData, per_unit: int = SAMPLE_ROWS) -> pd.DataFrame | None:
    """The rows behind each scored indicator of every unit scored on its own dossiers (the unit
    pages), ``per_unit`` per indicator, read with ``explain.sample_rows``."""
    if data.indicator_scores is None:
        return None
    from cchc_etl.explain import sample_rows

    p = data.period
    s = data.indicator_scores
    codes = sorted(set(s.loc[s["org_level"] == "unit", "indicator_code"]))
    return sample_rows(con, load_methodology(p.methodology_version), codes, start=p.start, end=p.end, asof=p.asof,
                       ptype=p.type, level="unit", per_unit=per_unit)


class Site:
    def __init__(self, data: ReportData, cities: list[str] | None = None):
        self.data = data
        self.period = data.period
        self.method = load_methodology(self.period.methodology_version)
        self.names = dict(zip(data.units["unit_code"], data.units["name"]))
        self.levels = dict(zip(data.units["unit_code"], data.units["level"]))
        self.cities = cities or list(data.cities)
        self.pages: dict[str, Page] = {}
        self.lines: dict[str, dict] = {}
        self._forms: dict[str, list] = {}
        self._late: dict[str, list] = {}
        self._enumerate()
        self._index_scores()

    # ------------------------------------------------------------------ structure

    def _enumerate(self) -> None:
        r = self.data.rollup
        departments = set(r["department_code"].dropna())
        parent_of = dict(r.dropna(subset=["unit_code"]).drop_duplicates("unit_code")[["unit_code", "department_code"]]
                         .itertuples(index=False, name=None))
        taken = {"index.html"}
        for city in self.cities:
            scope = scope_for(self.data, city)
            file = "index.html" if len(self.cities) == 1 else page_file(city, taken)
            self.pages[city] = Page(city, "city", scope, file, None, "city", "city")
            for u in scope.units:
                if u in self.pages:
                    continue
                dept = parent_of.get(u)
                kind = "department" if u in departments else "unit"
                parent = dept if kind == "unit" and isinstance(dept, str) and dept != u else city
                level = self.levels.get(u, "unit")
                self.pages[u] = Page(u, kind, scope_for(self.data, u), page_file(u, taken), parent, level,
                                     "department" if kind == "department" else "unit")
        for code, page in self.pages.items():
            if page.parent in self.pages:
                self.pages[page.parent].children.append(code)
        order = {lvl: i for i, lvl in enumerate(("department", "district", "commune"))}
        for page in self.pages.values():
            page.children.sort(key=lambda c: (order.get(self.levels.get(c), 9), vn_sort_key(self.names.get(c, c))))

    def _index_scores(self) -> None:
        d = self.data
        for city in self.cities:
            for line in scorecard(d, self.pages[city].scope):
                self.lines.setdefault(line["unit_code"], line)
        self.group_scores: dict[tuple, dict] = {}
        if d.scores is not None:
            g = d.scores[d.scores["group_code"] != "TOTAL"]
            for rec in g.itertuples(index=False):
                self.group_scores.setdefault((rec.org_unit_code, rec.org_level), {})[rec.group_code] = rec
        self.indicators: dict[tuple, list[dict]] = {}
        if d.indicator_scores is not None:
            for rec in d.indicator_scores.to_dict("records"):
                self.indicators.setdefault((rec["org_unit_code"], rec["org_level"]), []).append(rec)
        self.samples: dict[tuple, list[dict]] = {}
        samples = getattr(d, "samples", None)
        if samples is not None and len(samples):
            for rec in samples.to_dict("records"):
                self.samples.setdefault((rec["org_unit_code"], rec["indicator_code"]), []).append(rec)
        self.all_targets = {city: targets(d, self.pages[city].scope) for city in self.cities}
        self.band_labels = {b.label_vi: b.label_en for b in self.method.bands}

    def form(self, scope: Scope) -> list:
        """Biểu 06 rows of a scope (a page shows them and its parent's drill-down its totals)."""
        if scope.code not in self._forms:
            self._forms[scope.code] = form06(self.data, scope)
        return self._forms[scope.code]

    def late(self, scope: Scope) -> list[dict]:
        if scope.code not in self._late:
            self._late[scope.code] = late_dossiers(self.data, scope)
        return self._late[scope.code]

    def href(self, code: str | None, text=None) -> Html:
        """A link to the unit's page (text only when it has none)."""
        label = text if text is not None else self.unit_label(code)
        page = self.pages.get(code) if code else None
        return h("a", label, href=page.file) if page else esc(label)

    def unit_label(self, code: str) -> str:
        return f"{self.names.get(code, code)} ({code})"

    # ------------------------------------------------------------------ writing

    def write(self, directory: Path) -> list[Path]:
        directory.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(STATIC_DIR / STYLESHEET, directory / STYLESHEET)
        out = []
        if len(self.cities) > 1:
            (directory / "index.html").write_text(self.cities_index(), encoding="utf-8")
            out.append(directory / "index.html")
        for page in self.pages.values():
            target = directory / page.file
            target.write_text(self.render(page), encoding="utf-8")
            out.append(target)
        return out

    def document(self, title: str, body: Html) -> str:
        return "<!DOCTYPE html>\n" + h(
            "html",
            h("head", h("meta", charset="utf-8"), h("meta", name="viewport", content="width=device-width, initial-scale=1"),
              h("meta", http_equiv="Content-Security-Policy", content=CSP), h("meta", name="generator", content="cchc-etl"),
              h("title", title), h("link", rel="icon", href="data:,"), h("link", rel="stylesheet", href=STYLESHEET)),
            h("body", body), lang="vi")

    def cities_index(self) -> str:
        items = [h("li", self.href(c)) for c in self.cities]
        body = join(self.banner(), h("main", h("h1", "Bộ chỉ số phục vụ người dân, doanh nghiệp", en("Service index")),
                                        h("ul", items), id="noi-dung"))
        return self.document(f"Chỉ số phục vụ — {self.period.title_vi}", body)

    # ------------------------------------------------------------------ page

    def render(self, page: Page) -> str:
        p = self.period
        sections = [
            ("tong-quan", "Tổng quan", self.summary(page)),
            ("don-vi", "Đơn vị trực thuộc", self.drilldown(page)),
            ("nhom-chi-so", "Điểm theo nhóm", self.groups_section(page)),
            ("xu-huong", "Xu hướng", self.trend_section(page)),
            ("xep-hang", "Xếp hạng", self.rankings(page)),
            ("yeu-nhat", "Đơn vị điểm thấp", self.weakest(page)),
            ("chi-so", "Chi tiết chỉ số", self.indicator_section(page)),
            ("chi-tieu", "Chỉ tiêu", self.targets_section(page)),
            ("bieu-06", "Biểu 06", self.form_section(page)),
            ("tre-han", "Trễ hạn", self.late_section(page)),
            ("sap-den-han", "Sắp đến hạn", self.near_due_section(page)),
        ]
        sections = [(sid, label, body) for sid, label, body in sections if body]
        toc = h("nav", h("ul", [h("li", h("a", label, href=f"#{sid}")) for sid, label, _ in sections]),
                class_="toc", aria_label="Mục lục / contents")
        main = h("main", *[h("section", body, id=sid, aria_labelledby=f"{sid}-h") for sid, _, body in sections], id="noi-dung")
        footer = h("footer", h("p", built_line(p)),
                   h("p", "Trang tĩnh do cchc-etl lập từ kho dữ liệu: mở trực tiếp từ thư mục, không cần mạng.",
                     en("Static pages built by cchc-etl from the warehouse; they open from disk and work offline.")))
        body = join(self.banner(page), toc, main, footer)
        return self.document(f"{page.scope.name} — Chỉ số phục vụ, {p.title_vi}", body)

    def banner(self, page: Page | None = None) -> Html:
        p = self.period
        crumbs = []
        code = page.code if page else None
        while code is not None:
            crumbs.append(code)
            code = self.pages[code].parent
        trail = [h("li", self.href(c, self.names.get(c, c)) if c != (page.code if page else None) else
                   h("span", self.names.get(c, c), aria_current="page")) for c in reversed(crumbs)]
        city = self.names.get(page.scope.city_code, page.scope.city_code) if page else ""
        kind = LEVEL_VI.get(page.level, "Đơn vị") if page else ""
        return h(
            "header",
            h("a", "Bỏ qua đến nội dung / skip to content", href="#noi-dung", class_="skip"),
            h("p", f"UBND {city} · " if city else "", "Bộ chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg)",
              class_="org"),
            h("nav", h("ol", trail), class_="crumbs", aria_label="Đường dẫn / breadcrumb") if len(trail) > 1 else None,
            h("h1", page.scope.name if page else "Chỉ số phục vụ", h("span", f" ({page.code})", class_="code") if page else None),
            h("p", kind + (" · " if kind else ""), f"Kỳ báo cáo: {p.title_vi} ({p.dates_vi})", class_="period"),
            h("p", h("strong", f"Số liệu {p.to_date_note}"), " — kỳ báo cáo chưa kết thúc.",
              en(f"to date: {p.asof:%m/%Y}, the period is not over"), class_="to-date", role="note")
            if p.to_date_note else None,
            class_="top")

    # ------------------------------------------------------------------ sections

    def _heading(self, sid: str, vi: str, english: str | None = None) -> Html:
        return h("h2", vi, en(english) if english else None, id=f"{sid}-h")

    def summary(self, page: Page) -> Html:
        line = self.lines.get(page.code)
        total = self.form(page.scope)[-1].columns
        late = self.late(page.scope)
        cards = []

        def card(key: str, label: str, value, note=None) -> None:
            cards.append(h("div", h("dt", label), h("dd", value, class_="value"), h("dd", note, class_="note") if note else None,
                           class_="card", data_figure=key))

        if line:
            card("ratio", "Tỷ lệ điểm Bộ chỉ số", fmt_pct_vi(line["ratio"]),
                 f"{fmt_dec_vi(line['score'])} / {fmt_dec_vi(line['max_score'])} điểm áp dụng")
            card("band", "Xếp loại", line["band"] or "—", self.band_labels.get(line["band"]))
            if line["group"]:
                card("rank", f"Xếp hạng — {dict(RANK_GROUPS)[line['group']].lower()}",
                     join("—" if line["rank"] is None else f"{line['rank']}/{line['ranked_in_group']}", " ",
                          _rank_change(line["rank_change"])),
                     "so với kỳ trước: " + ("—" if line["previous_rank"] is None else f"hạng {line['previous_rank']}"))
        elif self.period.scored:
            card("ratio", "Tỷ lệ điểm Bộ chỉ số", "N/A", "chưa có điểm trong kỳ / not scored")
        card("received", "Hồ sơ nhận giải quyết (3)", fmt_int_vi(total[0]), f"trong đó từ kỳ trước {fmt_int_vi(total[3])}")
        card("resolved", "Đã giải quyết (7)", fmt_int_vi(total[4]), f"quá hạn (10): {fmt_int_vi(total[7])}")
        card("pending", "Đang giải quyết (11)", fmt_int_vi(total[8]), f"quá hạn (13): {fmt_int_vi(total[10])}")
        card("overdue", "Hồ sơ còn quá hạn cuối kỳ", fmt_int_vi(len(late)), "kể cả hồ sơ đang chờ bổ sung (Phụ lục II)")
        level = SCORE_LEVEL_VI.get(page.score_level, "")
        return join(self._heading("tong-quan", "Tổng quan", "Summary"),
                    h("p", f"Điểm tính theo {level}." if line else None, class_="hint"),
                    h("dl", cards, class_="cards"))

    def drilldown(self, page: Page) -> Html:
        if not page.children:
            return join()
        rows = []
        scored = self.period.scored
        for c in page.children:
            line = self.lines.get(c, {})
            child = self.pages[c]
            total = self.form(child.scope)[-1].values
            index = [h("td", fmt_pct_vi(line.get("ratio")) if line else "—", class_="num", data_col="ratio"),
                     h("td", line.get("band") or "—"),
                     h("td", "—" if not line or line.get("rank") is None else line["rank"], class_="num", data_col="rank")]
            rows.append(h("tr", h("th", self.href(c), scope="row"), h("td", LEVEL_VI.get(child.level, "Đơn vị")),
                          index if scored else None,
                          h("td", fmt_int_vi(total["received"] + total["carried_over"]), class_="num", data_col="received"),
                          h("td", fmt_int_vi(total["pending_overdue"]), class_="num", data_col="overdue"),
                          data_code=c))
        head = ["Đơn vị", "Cấp", *(["Tỷ lệ điểm", "Xếp loại", "Hạng trong nhóm"] if scored else []), "Hồ sơ nhận giải quyết",
                "Còn quá hạn"]
        return join(self._heading("don-vi", "Đơn vị trực thuộc", "Drill down"),
                    table(f"{len(page.children)} đơn vị — chọn tên để xem chi tiết", head, rows, "drill"))

    def _own_groups(self, code: str, level: str) -> dict:
        return self.group_scores.get((code, level), {})

    def groups_section(self, page: Page) -> Html:
        head = self._heading("nhom-chi-so", "Điểm theo 6 nhóm chỉ số", "Scores of the 6 groups")
        if not self.period.scored:
            return join(head, h("p", NOT_SCORED.format(label=self.period.label), class_="notice"))
        own = self._own_groups(page.code, page.score_level)
        if not own:
            return join(head, h("p", "Đơn vị không có điểm trong kỳ. / No score for this unit in the period.", class_="notice"))
        city = page.scope.city_code
        compare = page.kind != "city" and self._own_groups(city, "city")

        def ratio(rec) -> float | None:
            return None if rec is None or _missing(rec.ratio) else float(rec.ratio)

        groups = self.method.groups
        series = [(page.scope.name, [ratio(own.get(g.code)) for g in groups])]
        if compare:
            series.append((self.names.get(city, city), [ratio(compare.get(g.code)) for g in groups]))
        chart = radar(f"radar-{page.code}", f"Tỷ lệ điểm theo nhóm — {page.scope.name}",
                      "Biểu đồ radar: tỷ lệ điểm đạt trên điểm tối đa áp dụng của từng nhóm chỉ số (0–100 %)"
                      + (f", so với {self.names.get(city, city)}" if compare else "") + ". Số liệu ở bảng bên dưới.",
                      [(g.code, g.name_vi) for g in groups], series)
        head_cells = ["Nhóm", "Tên nhóm", "Điểm", "Điểm tối đa áp dụng", "Tỷ lệ điểm"]
        if compare:
            head_cells.append(f"Tỷ lệ — {self.names.get(city, city)}")
        rows = []
        for g in groups:
            rec = own.get(g.code)
            cells = [h("th", g.code, scope="row"), h("td", g.name_vi, en(g.name_en)),
                     h("td", fmt_dec_vi(None if rec is None else rec.score), class_="num", data_col="score"),
                     h("td", fmt_dec_vi(None if rec is None else rec.max_score), class_="num", data_col="max"),
                     h("td", fmt_pct_vi(ratio(rec)), class_="num", data_col="ratio")]
            if compare:
                cells.append(h("td", fmt_pct_vi(ratio(compare.get(g.code))), class_="num"))
            rows.append(h("tr", cells, data_group=g.code))
        return join(head, h("div", h("figure", chart, h("figcaption", "Điểm theo nhóm: tỷ lệ trên điểm tối đa áp dụng (%).",
                                                                en("Group scores as a share of the applicable maximum"))),
                            table("Số liệu biểu đồ radar / chart data", head_cells, rows, "groups"), class_="pair"))

    def trend_section(self, page: Page) -> Html:
        months = trend(self.data, page.scope)
        head = self._heading("xu-huong", "Xu hướng các tháng trong năm", "Monthly trend")
        if not months:
            return join(head, h("p", "Chưa có tháng nào của năm trong kho dữ liệu. / No month of the year loaded.", class_="notice"))
        order = ["SERVICE_INDEX_RATIO"] + [c for c, _ in TREND_SERIES if c != "SERVICE_INDEX_RATIO"]
        names = dict(TREND_SERIES)
        labels = [f"T{m.month:%m}/{m.month:%Y}" for m in months]
        series = [(names[c], [m.values.get(c) for m in months]) for c in order]
        bands = [(b.label_vi, float(b.min)) for b in self.method.bands if b.min is not None]
        chart = trend_chart(f"trend-{page.code}", f"Xu hướng theo tháng — {page.scope.name}",
                            "Đường tỷ lệ điểm Bộ chỉ số phục vụ và các tỷ lệ đúng hạn, trực tuyến, hài lòng qua các tháng (%); "
                            "đường đứt nét là ngưỡng xếp loại. Số liệu ở bảng bên dưới.", labels, series, bands)
        rows = [h("tr", h("th", label, scope="row"), h("td", _count(m.received), class_="num"),
                  [h("td", fmt_pct_vi(m.values.get(c)), class_="num", data_col=c) for c in order], data_month=f"{m.month:%Y-%m}")
                for label, m in zip(labels, months)]
        note = "Ngưỡng xếp loại / bands: " + "; ".join(
            f"{b.label_vi} ({b.label_en}) ≥ {fmt_dec_vi(b.min, 0)} %" if b.min is not None else f"{b.label_vi} ({b.label_en}) dưới mức trên"
            for b in self.method.bands) + "."
        return join(head, h("figure", chart, h("figcaption", note)),
                    table("Số liệu biểu đồ xu hướng / chart data", ["Tháng", "Hồ sơ tiếp nhận"] + [names[c] for c in order],
                          rows, "trend"))

    def _members(self, page: Page) -> list[str]:
        return [u for u in page.scope.units if u != page.code and u in self.lines]

    def rankings(self, page: Page) -> Html:
        if not self.period.scored:
            return join()
        members = self._members(page)
        if not members:
            return join()
        prev_type, prev_start = self.period.previous()
        from cchc_etl.reports.period import period_name_vi

        out = [self._heading("xep-hang", "Xếp hạng", "Rankings"),
               h("p", f"Mỗi nhóm xếp hạng riêng trong toàn {self.names.get(page.scope.city_code, '')}, theo tỷ lệ điểm làm tròn "
                      f"2 chữ số (bằng nhau cùng hạng). Thay đổi hạng so với {period_name_vi(prev_type, prev_start)}: "
                      "▲ lên hạng, ▼ xuống hạng, = giữ hạng.", class_="hint")]
        english = {"department": "departments", "district": "districts", "commune": "communes and wards", "other": "other units"}
        for g, label in RANK_GROUPS:
            lines = sorted((self.lines[u] for u in members if self.lines[u]["group"] == g),
                           key=lambda x: (x["rank"] is None, x["rank"] or 0, vn_sort_key(x["unit"])))
            if not lines:
                continue
            rows = [h("tr", h("td", "—" if x["rank"] is None else x["rank"], class_="num", data_col="rank"),
                      h("th", self.href(x["unit_code"]), scope="row"),
                      h("td", fmt_pct_vi(x["ratio"]), " ", bar(x["ratio"]), class_="num", data_col="ratio"),
                      h("td", x["band"] or "—"),
                      h("td", _rank_change(x["rank_change"]), class_="num", data_col="rank-change"),
                      h("td", "—" if x["previous_rank"] is None else x["previous_rank"], class_="num", data_col="previous-rank"),
                      h("td", fmt_change_vi(x["ratio_change"]), class_="num", data_col="ratio-change"),
                      data_code=x["unit_code"])
                    for x in lines]
            out.append(h("h3", f"Xếp hạng {label.lower()}", en(f"ranking of {english[g]}")))
            out.append(table(f"{label}: {len(lines)} đơn vị", ["Hạng", "Đơn vị", "Tỷ lệ điểm", "Xếp loại", "Thay đổi hạng",
                                                             "Hạng kỳ trước", "Thay đổi tỷ lệ (điểm %)"], rows, f"rank-{g}"))
        return join(*out)

    def weakest(self, page: Page) -> Html:
        if not self.period.scored:
            return join()
        members = [self.lines[u] for u in self._members(page) if self.lines[u]["ratio"] is not None]
        if not members:
            return join()
        out = [self._heading("yeu-nhat", "Đơn vị có tỷ lệ điểm thấp", "Weakest units"),
               h("p", "Như các bảng theo dõi Bộ chỉ số 766 của các tỉnh: đơn vị dưới 80 % và từ 80 % đến dưới 90 % (tỷ lệ làm "
                      "tròn 2 chữ số).", class_="hint")]
        bands = (("weak", f"Dưới {fmt_dec_vi(WEAK, 0)} %", lambda r: r < WEAK),
                 ("fair", f"Từ {fmt_dec_vi(WEAK, 0)} % đến dưới {fmt_dec_vi(FAIR, 0)} %", lambda r: WEAK <= r < FAIR))
        groups = dict(RANK_GROUPS)
        for key, label, test in bands:
            chosen = sorted((x for x in members if test(float(_round2(x["ratio"])))), key=lambda x: (x["ratio"], vn_sort_key(x["unit"])))
            rows = [h("tr", h("th", self.href(x["unit_code"]), scope="row"), h("td", groups.get(x["group"], "")),
                      h("td", fmt_pct_vi(x["ratio"]), class_="num", data_col="ratio"), h("td", x["band"] or "—"),
                      h("td", "—" if x["rank"] is None else f"{x['rank']}/{x['ranked_in_group']}", class_="num", data_col="rank"),
                      data_code=x["unit_code"]) for x in chosen]
            out.append(h("h3", label, f" — {len(chosen)} đơn vị"))
            out.append(table(f"{label}: {len(chosen)} đơn vị", ["Đơn vị", "Nhóm", "Tỷ lệ điểm", "Xếp loại", "Hạng"], rows,
                             f"weak-{key}", empty="Không có đơn vị nào. / None."))
        return join(*out)

    def indicator_section(self, page: Page) -> Html:
        head = self._heading("chi-so", "Chi tiết chỉ số", "Indicators")
        if not self.period.scored:
            return join(head, h("p", NOT_SCORED.format(label=self.period.label), class_="notice"))
        recs = sorted(self.indicators.get((page.code, page.score_level), []), key=lambda r: (r["group_code"], r["indicator_code"]))
        if not recs:
            return join(head, h("p", "Không có chỉ số nào được tính cho đơn vị trong kỳ. / No indicator scored.", class_="notice"))
        with_rows = page.kind == "unit" and page.score_level == "unit"
        cols = ["Nhóm", "Mã chỉ số", "Tên chỉ số", "Tử số", "Mẫu số", "Giá trị", "Điểm tối đa (P)", "Ngưỡng (T)", "Điểm",
                "Điểm tối đa áp dụng", "Lý do (không áp dụng, giảm điểm)"]
        rows = []
        for r in recs:
            applicable = bool(r["applicable"])
            rows.append(h("tr", h("td", r["group_code"]), h("th", r["indicator_code"], scope="row"), h("td", r["name_vi"]),
                          h("td", _count(r["numerator"]), class_="num", data_col="numerator"),
                          h("td", _count(r["denominator"]), class_="num", data_col="denominator"),
                          h("td", fmt_pct_vi(None if _missing(r["value"]) else r["value"]), class_="num", data_col="value"),
                          h("td", fmt_dec_vi(r["points"]), class_="num"),
                          h("td", "—" if _missing(r["threshold"]) else fmt_pct_vi(r["threshold"]), class_="num"),
                          h("td", fmt_dec_vi(r["score"]) if applicable else "N/A", class_="num", data_col="score"),
                          h("td", fmt_dec_vi(r["max_score"]), class_="num"), h("td", r["reason"] or "", class_="reason"),
                          data_indicator=r["indicator_code"], class_=None if applicable else "na"))
            if with_rows and applicable:
                rows.append(self.sample_row(page, r, len(cols)))
        hint = (f"Mỗi chỉ số kèm tối đa {SAMPLE_ROWS} dòng dữ liệu đầu tiên (như lệnh cchc-etl explain): tệp nguồn, dòng, mã bản "
                "ghi và các trường quyết định; không có dữ liệu cá nhân." if with_rows else
                "Dòng dữ liệu của từng chỉ số có ở trang của từng đơn vị.")
        return join(head, h("p", f"Điểm tính theo {SCORE_LEVEL_VI.get(page.score_level, '')}. ", hint, class_="hint"),
                    table("Tử số, mẫu số, giá trị, điểm của từng chỉ số / numerator, denominator, value and score", cols, rows,
                          "indicators"))

    def sample_row(self, page: Page, r: dict, span: int) -> Html:
        code = r["indicator_code"]
        rows = self.samples.get((page.code, code), [])
        explain = f"cchc-etl explain --indicator {code} --unit {page.code} --period {self.period.label} --level unit"
        if not rows:
            kind = next((i.kind for i in self.method.indicators if i.code == code), "")
            why = ("chỉ số tự đánh giá hoặc tính từ chỉ số khác: không có dòng dữ liệu riêng" if kind not in ("rate", "count")
                   else "không có dòng dữ liệu nào trong kỳ")
            return h("tr", h("td", h("span", f"Dòng dữ liệu: {why}.", class_="muted"), colspan=span), class_="sample",
                     data_sample=code)
        first = rows[0]
        n_num, n_den = int(first["rows_in_numerator"]), int(first["rows_in_denominator"])
        body = []
        for i, s in enumerate(rows, 1):
            rid = str(s["record_id"])
            if _HASH.fullmatch(rid):
                rid = rid[:12] + "…"
            fields = json.loads(s["fields"]) if s["fields"] else {}
            # tens of thousands of rows on a large site: written as one string, every value through esc
            kv = "".join(f'<span class="kv"><b>{esc(k)}</b>: {esc("—" if v is None else v)}</span>' for k, v in fields.items())
            body.append(raw(
                f'<tr><td class="num">{i}</td><td class="mark">{"✓" if s["in_numerator"] else ""}</td>'
                f'<td class="mark">{"✓" if s["in_denominator"] else ""}</td><td class="path">{esc(s["file_path"] or "—")}</td>'
                f'<td class="num">{esc("—" if _missing(s["row_number"]) else s["row_number"])}</td>'
                f'<td class="id">{esc(rid)}</td><td>{kv}</td></tr>'))
        summary = h("summary", f"Dòng dữ liệu / rows: {fmt_int_vi(n_num)} trong tử số, {fmt_int_vi(n_den)} trong mẫu số",
                    f" — hiển thị {len(rows)} dòng đầu" if n_den > len(rows) or n_num > len(rows) else "",
                    data_rows_numerator=n_num, data_rows_denominator=n_den)
        inner = table(f"Dòng dữ liệu của {code} (đầy đủ: {explain})", ["#", "Tử số", "Mẫu số", "Tệp nguồn", "Dòng", "Mã bản ghi",
                                                                      "Các trường / fields"], body, "rows")
        return h("tr", h("td", h("details", summary, inner), colspan=span), class_="sample", data_sample=code)

    def targets_section(self, page: Page) -> Html:
        head = self._heading("chi-tieu", f"Chỉ tiêu kế hoạch năm {self.period.start.year}", "Targets")
        rows_all = self.all_targets[page.scope.city_code]
        if page.kind != "city":
            keep = set(page.scope.units) | {page.code}
            rows_all = [r for r in rows_all if r["org_unit_code"] in keep]
        if not rows_all:
            return join(head, h("p", "Không có chỉ tiêu nào cho đơn vị trong năm. / No target applies.", class_="notice"))
        status_class = {"Đạt": "met", "Chưa đạt": "missed", "Chưa đủ số liệu": "unknown"}
        counts = {s: sum(r["status"] == s for r in rows_all) for s in status_class}
        rows = [h("tr", h("td", i, class_="num"), h("th", r["indicator_code"], scope="row"), h("td", r.get("note") or r["name_vi"]),
                  h("td", self.href(r["org_unit_code"])), h("td", r["group_vi"]), h("td", r["condition"]),
                  h("td", r["actual"], class_="num"), h("td", h("span", r["status"], class_=f"status {status_class[r['status']]}"),
                                                     data_col="status"),
                  h("td", r["gap"]), data_indicator=r["indicator_code"], data_code=r["org_unit_code"])
                for i, r in enumerate(rows_all, 1)]
        summary = (f"{counts['Đạt']} chỉ tiêu đạt, {counts['Chưa đạt']} chưa đạt, {counts['Chưa đủ số liệu']} chưa đủ số liệu "
                   f"(chỉ tiêu năm, số liệu năm {self.period.start.year} đến hết tháng {self.period.asof:%m/%Y}).")
        return join(head, h("p", summary, class_="hint"),
                    table("Kết quả thực hiện chỉ tiêu / target attainment", ["STT", "Mã chỉ số", "Chỉ tiêu", "Đơn vị", "Nhóm TTHC",
                                                                           "Mức chỉ tiêu", "Thực hiện", "Kết quả", "Chênh lệch"],
                          rows, "targets"))

    def form_section(self, page: Page) -> Html:
        p, scope = self.period, page.scope
        rows = self.form(scope)
        th = lambda text, **a: h("th", text, scope="col", **a)  # noqa: E731
        head = h("thead",
                 h("tr", th("STT", rowspan=3), th("Lĩnh vực, công việc giải quyết theo cấp", rowspan=3),
                   th("Số hồ sơ nhận giải quyết", colspan=4), th("Số hồ sơ đã giải quyết", colspan=4),
                   th("Số lượng hồ sơ đang giải quyết", colspan=3)),
                 h("tr", th("Tổng số", rowspan=2), th("Trong đó", colspan=3), th("Tổng số", rowspan=2), th("Trước hạn", rowspan=2),
                   th("Đúng hạn", rowspan=2), th("Quá hạn", rowspan=2), th("Tổng số", rowspan=2), th("Trong hạn", rowspan=2),
                   th("Quá hạn", rowspan=2)),
                 h("tr", th("Trực tuyến"), th("Trực tiếp, dịch vụ bưu chính"), th("Từ kỳ trước")),
                 h("tr", [h("td", f"({i})") for i in range(1, 14)], class_="colnum"))
        body = []
        for r in rows:
            body.append(h("tr", h("td", "" if r.stt is None else r.stt, class_="num"),
                          h("th", r.label, scope="row"),
                          [h("td", fmt_int_vi(v), class_="num", data_col=f"c{i}") for i, v in enumerate(r.columns, 3)],
                          class_=r.kind))
        notes = form_notes(rows)
        facts = h("dl", h("dt", "Đơn vị báo cáo:"), h("dd", scope.reporting_name), h("dt", "Đơn vị nhận báo cáo:"),
                  h("dd", scope.recipient_name), h("dt", "Kỳ báo cáo:"), h("dd", f"{p.title_vi} ({p.dates_vi})"),
                  h("dt", "Đơn vị tính:"), h("dd", "Số hồ sơ TTHC."), class_="form-head")
        foot = h("ul",
                 h("li", f"(9) Theo quy ước của biểu mẫu, cột Đúng hạn gồm cả {fmt_int_vi(notes['withdrawn_rejected'])} hồ sơ công dân "
                         "rút hoặc bị từ chối giải quyết trong kỳ (RPT_WITHDRAWN_REJECTED)."),
                 h("li", f"(12) Theo quy ước của biểu mẫu, cột Trong hạn gồm cả {fmt_int_vi(notes['pending_overdue_awaiting'])} hồ "
                         "sơ đang chờ công dân bổ sung đã quá hạn xử lý; kho dữ liệu tính các hồ sơ này vào hồ sơ quá hạn "
                         f"(RPT_PENDING_OVERDUE = {fmt_int_vi(notes['pending_overdue'])})."),
                 h("li", "(3) = (4) + (5) + (6) = (7) + (11); (7) = (8) + (9) + (10); (11) = (12) + (13)."),
                 class_="notes")
        return join(self._heading("bieu-06", "Biểu số 06/VPCP/KSTT — Tình hình, kết quả giải quyết TTHC",
                                  "Form 06 (Circular 01/2020/TT-VPCP)"),
                    facts,
                    h("div", h("table", h("caption", "Biểu 06: tình hình, kết quả giải quyết TTHC tại cơ quan, đơn vị trực tiếp "
                                                     "giải quyết TTHC"),
                               h("colgroup", h("col", class_="stt"), h("col", class_="label"), [h("col", class_="n")] * 11),
                               head, h("tbody", body), class_="form06", id="form06"),
                      class_="scroll"),
                    foot)

    def _dossier_table(self, key: str, caption: str, items: list[dict], tail_heads: list[str], tail, empty: str) -> Html:
        shown = items[:LIST_LIMIT]
        rows = [h("tr", h("td", i, class_="num"), h("th", d["dossier_id"], scope="row", class_="id"),
                  h("td", self.href(d["unit_code"], d["unit"]) if isinstance(d.get("unit_code"), str) else d["unit"]),
                  h("td", d["procedure"]), h("td", d["field_name"]), h("td", fmt_date_vi(d["received_date"]), class_="date"),
                  [h("td", v, class_="num") for v in tail(d)], data_dossier=str(d["dossier_id"]))
                for i, d in enumerate(shown, 1)]
        more = (h("p", f"Hiển thị {fmt_int_vi(len(shown))}/{fmt_int_vi(len(items))} hồ sơ; danh sách đầy đủ trong tệp Excel của kỳ.",
                  class_="hint") if len(items) > len(shown) else None)
        return join(table(caption, ["STT", "Mã hồ sơ", "Đơn vị giải quyết", "Thủ tục hành chính", "Lĩnh vực", "Ngày tiếp nhận",
                                    *tail_heads], rows, key, empty=empty), more)

    def late_section(self, page: Page) -> Html:
        d, scope, p = self.data, page.scope, self.period
        units = late_units(d, scope)
        rows = [h("tr", h("td", i, class_="num"), h("th", self.href(u["unit_code"], u["unit"]) if u["unit_code"] else u["unit"], scope="row"),
                  h("td", fmt_int_vi(u["resolved"]), class_="num", data_col="resolved"),
                  h("td", fmt_int_vi(u["resolved_late"]), class_="num", data_col="resolved-late"),
                  h("td", fmt_pct_vi(u["late_rate"]), class_="num"),
                  h("td", fmt_int_vi(u["pending"]), class_="num"),
                  h("td", fmt_int_vi(u["pending_overdue"]), class_="num", data_col="pending-overdue"),
                  h("td", fmt_pct_vi(u["overdue_rate"]), class_="num"),
                  h("td", fmt_int_vi(u["pending_overdue_awaiting"]), class_="num"), data_code=u["unit_code"] or "")
                for i, u in enumerate(units, 1)]
        late = self.late(scope)
        return join(
            self._heading("tre-han", "Hồ sơ trễ hạn", "Late dossiers"),
            h("h3", "Phụ lục I. Các đơn vị có hồ sơ trễ hạn"),
            table(f"Phụ lục I: {len(units)} đơn vị", ["STT", "Đơn vị", "Đã giải quyết (có kết quả)", "Giải quyết quá hạn",
                                                     "Tỷ lệ quá hạn", "Đang giải quyết", "Đang quá hạn", "Tỷ lệ đang quá hạn",
                                                     "Trong đó chờ bổ sung"], rows, "late-units",
                  empty="Không có đơn vị nào có hồ sơ trễ hạn trong kỳ. / No unit had late dossiers."),
            h("h3", f"Phụ lục II. Hồ sơ còn quá hạn đến hết kỳ (ngày {fmt_date_vi(p.last_day)}): {fmt_int_vi(len(late))} hồ sơ"),
            self._dossier_table("late", f"Phụ lục II: {len(late)} hồ sơ", late,
                                ["Hạn xử lý", "Số ngày làm việc quá hạn", "Trạng thái"],
                                lambda x: [fmt_date_vi(x["due_date"]), fmt_int_vi(x["working_days_overdue"]), x["status_vi"]],
                                "Không có hồ sơ quá hạn đến hết kỳ. / No dossier overdue at the period end."))

    def near_due_section(self, page: Page) -> Html:
        d, scope, o = self.data, page.scope, self.data.options
        near, waiting = near_due_dossiers(d, scope), awaiting_dossiers(d, scope)
        undated = awaiting_undated(d, scope)
        return join(
            self._heading("sap-den-han", "Hồ sơ sắp đến hạn và chờ bổ sung", "Due soon, awaiting a supplement"),
            h("p", f"Hồ sơ đang giải quyết theo dữ liệu xuất tháng {self.period.asof:%m/%Y}; ngày tham chiếu "
                   f"{fmt_date_vi(self.period.last_day)} (ngày cuối kỳ); ngày làm việc theo lịch của kho dữ liệu.", class_="hint"),
            h("h3", f"A. Đến hạn trong {o.near_due_days} ngày làm việc: {fmt_int_vi(len(near))} hồ sơ"),
            h("p", "Thông báo, xin lỗi và hẹn lại ngày trả kết quả trước hạn (Nghị định 61/2018/NĐ-CP).", class_="hint"),
            self._dossier_table("near-due", f"Sắp đến hạn: {len(near)} hồ sơ", near,
                                ["Hạn xử lý", "Số ngày làm việc còn lại", "Trạng thái"],
                                lambda x: [fmt_date_vi(x["due_date"]), fmt_int_vi(x["working_days_left"]), x["status_vi"]],
                                "Không có hồ sơ sắp đến hạn. / No dossier due soon."),
            h("h3", f"B. Chờ công dân bổ sung quá {o.supplement_days} ngày làm việc: {fmt_int_vi(len(waiting))} hồ sơ"),
            self._dossier_table("awaiting", f"Chờ bổ sung: {len(waiting)} hồ sơ", waiting,
                                ["Ngày yêu cầu bổ sung", "Số ngày làm việc chờ", "Hạn xử lý"],
                                lambda x: [fmt_date_vi(x["requested_date"]), fmt_int_vi(x["working_days_waiting"]),
                                           fmt_date_vi(x["due_date"])],
                                "Không có hồ sơ chờ bổ sung quá thời hạn trên. / None."),
            h("p", f"Ngoài ra {fmt_int_vi(undated)} hồ sơ đang chờ bổ sung không có ngày yêu cầu bổ sung trong dữ liệu xuất.",
              class_="hint") if undated else None)


def table(caption: str, head: list, rows: list[Html], key: str, empty: str | None = None) -> Html:
    """A data table with its caption and column headers, scrolled sideways on narrow screens."""
    thead = h("thead", h("tr", [h("th", c, scope="col") for c in head]))
    if not rows and empty:
        rows = [h("tr", h("td", empty, colspan=len(head), class_="empty"))]
    return h("div", h("table", h("caption", caption), thead, h("tbody", rows), data_table=key), class_="scroll")


def build_site(data: ReportData, directory: Path, cities: list[str] | None = None) -> list[Path]:
    """Write every page of the site into ``directory`` (a fresh directory; see ``output``)."""
    return Site(data, cities).write(directory)


__all__ = ["SITE_DIR", "Site", "build_site", "load_samples", "page_file", "raw"]
