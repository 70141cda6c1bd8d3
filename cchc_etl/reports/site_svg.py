"""Charts of the scorecard site drawn on the server as inline SVG: no script, nothing to load,
the same on screen, on paper and offline. Each chart has a title and a description for screen
readers; the page puts the data table of every chart right after it."""

from __future__ import annotations

import math

from cchc_etl.reports.site_html import Html, esc, h, join
from cchc_etl.reports.vn_format import fmt_dec_vi, fmt_pct_vi


def _n(x: float) -> str:
    return f"{x:.1f}"


def _svg(width: int, height: int, chart_id: str, title: str, desc: str, *body) -> Html:
    return h("svg", h("title", title, id=f"{chart_id}-t"), h("desc", desc, id=f"{chart_id}-d"), *body,
             xmlns="http://www.w3.org/2000/svg", viewBox=f"0 0 {width} {height}", width=width, height=height,
             role="img", aria_labelledby=f"{chart_id}-t {chart_id}-d", class_="chart", id=chart_id)


def radar(chart_id: str, title: str, desc: str, axes: list[tuple[str, str]],
          series: list[tuple[str, list[float | None]]]) -> Html:
    """A radar of percentages (0-100) on ``axes`` [(code, short name)], one closed shape per
    series [(name, values)]; a value missing (None: the group has no applicable indicator) is
    drawn at the centre and marked N/A on its axis label."""
    width, height, cx, cy, r = 600, 400, 300, 200, 135
    n = len(axes)

    def point(i: int, v: float) -> tuple[float, float]:
        a = -math.pi / 2 + 2 * math.pi * i / n
        return cx + r * v / 100 * math.cos(a), cy + r * v / 100 * math.sin(a)

    body = []
    for ring in (25, 50, 75, 100):
        pts = " ".join(f"{_n(x)},{_n(y)}" for x, y in (point(i, ring) for i in range(n)))
        body.append(h("polygon", points=pts, class_="grid"))
        x, y = point(0, ring)
        body.append(h("text", f"{ring}", x=_n(x + 4), y=_n(y + 4), class_="tick"))
    missing = {i for _, values in series[:1] for i, v in enumerate(values) if v is None}
    for i, (code, name) in enumerate(axes):
        x, y = point(i, 100)
        body.append(h("line", x1=cx, y1=cy, x2=_n(x), y2=_n(y), class_="axis"))
        lx, ly = point(i, 118)
        anchor = "middle" if abs(lx - cx) < 10 else ("start" if lx > cx else "end")
        label = f"{code}{' (N/A)' if i in missing else ''}"
        body.append(h("text", h("tspan", label, x=_n(lx), class_="strong"), h("tspan", name, x=_n(lx), dy="1.15em"),
                      x=_n(lx), y=_n(ly - 4), text_anchor=anchor, class_="label"))
    for k, (name, values) in enumerate(series):
        pts = [point(i, v or 0.0) for i, v in enumerate(values)]
        body.append(h("polygon", points=" ".join(f"{_n(x)},{_n(y)}" for x, y in pts), class_=f"area s{k}"))
        for i, (x, y) in enumerate(pts):
            body.append(h("circle", h("title", f"{name} — {axes[i][0]}: {fmt_pct_vi(values[i])}"), cx=_n(x), cy=_n(y), r=3.5,
                          class_=f"dot s{k}"))
    legend = [h("g", h("rect", x=12, y=14 + 18 * k, width=14, height=10, class_=f"key s{k}"),
                h("text", name, x=32, y=23 + 18 * k, class_="label"))
              for k, (name, _) in enumerate(series)]
    return _svg(width, height, chart_id, title, desc, *body, *legend)


def trend(chart_id: str, title: str, desc: str, months: list[str], series: list[tuple[str, list[float | None]]],
          bands: list[tuple[str, float]]) -> Html:
    """Lines of percentages (0-100) over ``months``, one per series [(name, values)] (the first
    drawn heavier), with a dashed horizontal line at each band threshold [(label, min)]; a missing
    value breaks its line."""
    left, right, top, bottom = 44, 150, 16, 36
    plot_w, plot_h = 560, 240
    width, height = left + plot_w + right, top + plot_h + bottom + 22 * ((len(series) + 1) // 2)
    count = max(len(months), 1)

    def x_at(i: int) -> float:
        return left + (plot_w / 2 if count == 1 else plot_w * (i + 0.5) / count)

    def y_at(v: float) -> float:
        return top + plot_h * (1 - v / 100)

    body = [h("rect", x=left, y=top, width=plot_w, height=plot_h, class_="frame")]
    for v in (0, 20, 40, 60, 80, 100):
        body.append(h("text", v, x=left - 6, y=_n(y_at(v) + 4), text_anchor="end", class_="tick"))
    for label, low in bands:
        y = y_at(low)
        body.append(h("line", x1=left, y1=_n(y), x2=left + plot_w, y2=_n(y), class_="band"))
        body.append(h("text", f"{label} ≥ {fmt_dec_vi(low, 0)}", x=left + plot_w + 6, y=_n(y + 4), class_="label band-label"))
    for i, m in enumerate(months):
        body.append(h("text", m, x=_n(x_at(i)), y=top + plot_h + 18, text_anchor="middle", class_="tick"))
    for k, (name, values) in enumerate(series):
        run: list[tuple[float, float]] = []
        runs = [run]
        for i, v in enumerate(values):
            if v is None:
                run = []
                runs.append(run)
            else:
                run.append((x_at(i), y_at(v)))
        for seg in runs:
            if len(seg) > 1:
                body.append(h("polyline", points=" ".join(f"{_n(x)},{_n(y)}" for x, y in seg), class_=f"line s{k}"))
        for i, v in enumerate(values):
            if v is not None:
                body.append(h("circle", h("title", f"{name} — {months[i]}: {fmt_pct_vi(v)}"), cx=_n(x_at(i)), cy=_n(y_at(v)),
                              r=4 if k == 0 else 3, class_=f"dot s{k}"))
    legend_y = top + plot_h + 40
    for k, (name, _) in enumerate(series):
        x, y = left + (k % 2) * 300, legend_y + 22 * (k // 2)
        body.append(h("line", x1=x, y1=y - 4, x2=x + 26, y2=y - 4, class_=f"line s{k}"))
        body.append(h("text", name, x=x + 32, y=y, class_="label"))
    return _svg(width, height, chart_id, title, desc, *body)


def bar(value: float | None) -> Html:
    """A small horizontal bar (0-100) for a table cell; decorative, the cell holds the number."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return join()
    w = max(0.0, min(100.0, float(value)))
    return h("svg", h("rect", x=0, y=0, width=100, height=8, class_="bar-bg"), h("rect", x=0, y=0, width=_n(w), height=8,
             class_="bar-fg"), viewBox="0 0 100 8", width=80, height=8, class_="bar", aria_hidden="true", focusable="false")


__all__ = ["Html", "bar", "esc", "radar", "trend"]
