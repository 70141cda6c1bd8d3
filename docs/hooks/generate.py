"""MkDocs hook: the parts of the docs that are data are generated from that data at build time.

A page holds a marker line where generated Markdown goes:

- ``<!-- generated: tables -->``: the table dictionary (``assets/tables/*.yaml``);
- ``<!-- generated: methodology -->``: every methodology version file (``assets/methodology/``);
- ``<!-- generated: sources -->``: the input contract (``assets/sources/*.yaml``).

A marker this hook does not know fails the build, so does a generator's error.
"""

from __future__ import annotations

import re

from mkdocs.exceptions import PluginError

MARKER = re.compile(r"^<!-- generated: ([a-z_]+) -->$", re.M)


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _code(text: object) -> str:
    text = " ".join(str(text).split())
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}".replace(".", ",")


# --------------------------------------------------------------------------- tables


def tables_markdown() -> str:
    from cchc_etl.table_dictionary import NAME_COLUMNS, load_tables

    # the dictionary's order: marts (the publisher's order), quality, core
    tables = load_tables()
    out = []
    for schema in ("marts", "quality", "core"):
        out.append(f"## Schema `{schema}`\n")
        for t in [t for t in tables if t.schema == schema]:
            out.append(f"### `{t.name}` — {t.title_vi} / {t.title_en} {{#{t.name}}}\n")
            if t.publish is None:
                published = "không / no (DuckDB only: the warehouse and its snapshot)"
            elif t.bi is not None:
                published = f"có / yes (PostgreSQL `{t.publish.target}`, view `{t.bi.view}`)"
            else:
                published = f"có / yes (PostgreSQL `{t.publish.target}`)"
            facts = [f"**Hạt / grain**: one row per ({', '.join(f'`{g}`' for g in t.grain)})",
                     f"**Phân vùng / partition**: {f'`{t.partition}`' if t.partition else '—'}",
                     f"**Công bố / published**: {published}"]
            if t.kind == "view":
                facts.insert(0, "**View**")
            out.append(" · ".join(facts) + "\n")
            out.append(f"{t.description_vi}\n\n{t.description_en}\n")
            out.append("| cột / column | kiểu / type | NULL | mô tả | meaning |\n|---|---|---|---|---|")
            for c in t.columns:
                out.append(f"| `{c.name}` | {c.type} | {'có' if c.nullable else 'không'} | "
                           f"{_cell(c.description_vi)} | {_cell(c.description_en)} |")
            out.append("")
            if t.bi is not None and t.bi.names:
                out.append(f"View `{t.bi.view}` shows, after `{t.bi.names_after}`, the human names: "
                           + "; ".join(f"`{n}` ({NAME_COLUMNS[n][1]})" for n in t.bi.names) + ".\n")
            if t.notes_en:
                out.append(t.notes_en + "\n")
    return "\n".join(out)


# --------------------------------------------------------------------------- methodology

SECTIONS = {
    "2": "§2 Báo cáo kỳ / period report",
    "3": "§3 Chỉ số phục vụ người dân, doanh nghiệp / service index",
    "4": "§4 Văn bản điện tử và thư điện tử công vụ / documents and official e-mail",
    "5": "§5 Chỉ số của chỉ tiêu kế hoạch / indicators of the plan targets",
}


def _numerator(ind) -> str:
    if ind.kind == "self_assessed":
        return f"giá trị tự đánh giá / self-assessed value ({ind.value_is})"
    if ind.kind == "derived":
        return f"dẫn xuất / derived, rule {_code(ind.formula)}"
    if ind.kind == "count":
        return f"đếm / count of {_code(ind.numerator)}"
    return _code(ind.numerator)


def _denominator(ind) -> str:
    return _code(ind.denominator)


def methodology_markdown() -> str:
    from cchc_etl.methodology import DEFAULT_VERSION, load_methodology
    from cchc_etl.paths import ASSETS_DIR

    versions = sorted(p.stem for p in (ASSETS_DIR / "methodology").glob("*.yaml"))
    versions.sort(key=lambda v: v != DEFAULT_VERSION)
    out = []
    for version in versions:
        m = load_methodology(version)
        default = " (mặc định / default)" if version == DEFAULT_VERSION else ""
        out.append(f"## `{m.version}`{default} {{#version-{m.version}}}\n\n{m.label_vi}\n")
        if m.parameters:
            out.append("**Tham số / parameters**: " + ", ".join(f"`{k}` = {_number(v) if isinstance(v, (int, float)) else v}"
                                                                for k, v in m.parameters.items()) + "\n")

        out.append("### Nhóm chỉ số / groups\n")
        out.append("| nhóm / group | tên | name | điểm tối đa / max | chỉ số / indicators |\n|---|---|---|---|---|")
        for g in m.groups:
            members = ", ".join(f"`{i.code}`" for i in m.indicators if i.group == g.code)
            out.append(f"| `{g.code}` | {_cell(g.name_vi)} | {_cell(g.name_en)} | {_number(g.max)} | {members} |")
        out.append(f"| **Tổng / total** | | | {_number(sum(g.max for g in m.groups))} | |\n")

        out.append("### Xếp loại / bands\n")
        out.append("| mã / code | xếp loại | band | tỷ lệ từ / ratio from |\n|---|---|---|---|")
        for b in m.bands:
            out.append(f"| `{b.code}` | {_cell(b.label_vi)} | {_cell(b.label_en)} | {_number(b.min) if b.min is not None else 'dưới mức trên / below'} |")
        out.append("")

        out.append("### Chỉ số / indicators\n")
        sections = sorted(dict.fromkeys(i.section for i in m.indicators), key=lambda s: (not s.isdigit(), s.zfill(3)))
        for section in sections:
            out.append(f"#### {SECTIONS.get(section, f'§{section}' if section else 'Khác / other')}\n")
            out.append("| mã / code | tên / name | công thức / formula | chấm điểm / scoring | cấp / levels |\n|---|---|---|---|---|")
            for i in [i for i in m.indicators if i.section == section]:
                direction = "" if i.higher_is_better else "<br>(thấp là tốt / lower is better)"
                formula = (f"{i.fact} · {i.kind}<br>tử số / numerator: {_numerator(i)}"
                           + (f"<br>mẫu số / denominator: {_denominator(i)}" if i.kind == "rate" else ""))
                scoring = "—" if not i.group else (
                    f"`{i.group}` · {_number(i.points)} điểm / points"
                    + (f" · ngưỡng / threshold {_number(i.threshold)} %" if i.threshold is not None else ""))
                out.append(
                    f"| <span id=\"indicator-{i.code}\"></span>`{i.code}` | {_cell(i.name_vi)}<br>*{_cell(i.name_en)}*{direction} "
                    f"| {_cell(formula)} | {scoring} | {', '.join(i.levels)} |")
            out.append("")

        if m.par_areas:
            out.append("### Chỉ số CCHC / PAR Index areas\n")
            out.append("| mã / code | lĩnh vực | area | điểm tối đa / max |\n|---|---|---|---|")
            for a in m.par_areas:
                out.append(f"| `{a.code}` | {_cell(a.name_vi)} | {_cell(a.name_en)} | {_number(a.max)} |")
            out.append(f"| **Tổng / total** | | | {_number(sum(a.max for a in m.par_areas))} |\n")

        if m.default_targets:
            out.append("### Chỉ tiêu mặc định / default targets\n")
            out.append("| phạm vi / scope | chỉ số / indicator | so sánh / comparator | giá trị / value | nhóm thủ tục / procedures "
                       "| nội dung / wording |\n|---|---|---|---|---|---|")
            for t in m.default_targets:
                extra = []
                if t.get("unit_category"):
                    extra.append(f"units `{t['unit_category']}`")
                if t.get("second_value") is not None:
                    extra.append(f"each ≥ {_number(t['second_value'])}")
                value = _number(t.get("value")) + (f" ({', '.join(extra)})" if extra else "")
                out.append(f"| {t.get('scope', '')} | `{t.get('indicator_code', '')}` | {_code(t.get('comparator', ''))} "
                           f"| {value} | {_code(t['target_group']) if t.get('target_group') else '—'} | {_cell(t.get('note', ''))} |")
            out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------- sources

def sources_markdown() -> str:
    from cchc_etl.contract import event_sources, load_source, reference_sources

    out = []
    for title, names, folder in (("Nguồn hằng tháng / monthly sources", event_sources(), "landing/{}/YYYY-MM/<system>__*.ext"),
                                 ("Dữ liệu tham chiếu / reference data", reference_sources(), "landing/reference/{}[__*].ext")):
        out.append(f"### {title}\n")
        for name in names:
            s = load_source(name)
            out.append(f"#### `{s.source}` — {s.label_vi} {{#source-{s.source}}}\n")
            facts = [f"tệp / files: `{folder.format(s.source)}`", f"khóa / key: ({', '.join(f'`{k}`' for k in s.key)})",
                     f"bảng / staged in: `{s.staging_table}`"]
            if s.required_file:
                facts.append("**bắt buộc / required**")
            out.append(" · ".join(facts) + "\n")
            out.append("| trường / field | kiểu / type | bắt buộc / required | tên cột được nhận / headers accepted "
                       "| giá trị / coded values |\n|---|---|---|---|---|")
            for f in s.fields:
                values = "<br>".join(f"`{k}`: {', '.join(v)}" for k, v in f.values.items())
                kind = f.type + (f" → {f.sql_type}" if f.sql_type else "") + (f" (→ `{f.references}`)" if f.references else "")
                out.append(f"| `{f.name}` | {_cell(kind)} | {'có / yes' if f.required else ''} "
                           f"| {_cell(', '.join(f.aliases))} | {_cell(values)} |")
            out.append("")
            if s.rules:
                out.append("Quy tắc dòng / row rules (a row that breaks one is quarantined):\n")
                out.extend(f"- `{r.column}`: {_cell(r.reason)}" for r in s.rules)
                out.append("")
    return "\n".join(out)


GENERATORS = {"tables": tables_markdown, "methodology": methodology_markdown, "sources": sources_markdown}


def on_page_markdown(markdown: str, page, config, files) -> str:
    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in GENERATORS:
            raise PluginError(f"{page.file.src_path}: unknown generated block {name!r} (known: {', '.join(GENERATORS)})")
        try:
            return GENERATORS[name]()
        except Exception as exc:  # the build names the page and the generator, then stops
            raise PluginError(f"{page.file.src_path}: generating {name!r} failed: {exc!r}") from exc

    return MARKER.sub(replace, markdown)
