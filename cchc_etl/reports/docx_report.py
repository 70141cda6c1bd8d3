"""The drafted results report as a Word document (python-docx): the blocks of
``cchc_etl.reports.results_text`` laid out on A4 portrait, Times New Roman 13 pt as
administrative documents are (Nghị định 30/2020/NĐ-CP), ready for officials to edit."""

from __future__ import annotations

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from cchc_etl.reports.data import ReportData
from cchc_etl.reports.results_text import Block, results_blocks
from cchc_etl.reports.rows import Scope

FONT = "Times New Roman"


def _font(style, size: float) -> None:
    style.font.name = FONT
    style.font.size = Pt(size)
    rpr = style.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def _table(doc, block: Block) -> None:
    """One table, all rows created at once; cells read once from the grid (``row.cells`` walks
    the whole table on every call, quadratic for a ranking of hundreds of units)."""
    ncols = len(block.headers)
    table = doc.add_table(rows=1 + len(block.rows), cols=ncols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    cells = table._cells
    for j, text in enumerate(block.headers):
        para = cells[j].paragraphs[0]
        para.add_run(text).bold = True
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for i, values in enumerate(block.rows):
        bold = i in block.bold_rows
        for j, text in enumerate(values):
            para = cells[(i + 1) * ncols + j].paragraphs[0]
            run = para.add_run(str(text))
            if bold:
                run.bold = True
            if j and text_is_figure(str(text)):
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph()


def text_is_figure(text: str) -> bool:
    return bool(text) and (text[0].isdigit() or text in ("—", "N/A"))


def build_document(data: ReportData, scope: Scope):
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    _font(doc.styles["Normal"], 13)
    _font(doc.styles["Table Grid"], 11)
    for block in results_blocks(data, scope):
        if block.kind == "table":
            _table(doc, block)
            continue
        para = doc.add_paragraph()
        run = para.add_run(block.text)
        if block.kind == "title":
            run.bold = True
            run.font.size = Pt(14)
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif block.kind == "heading":
            run.bold = True
        elif block.kind == "note":
            run.italic = True
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        else:
            para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            para.paragraph_format.first_line_indent = Cm(1)
    props = doc.core_properties
    p = data.period
    props.title = f"Báo cáo kết quả thực hiện công tác cải cách hành chính {p.label} — {scope.name}"
    props.author = "cchc-etl"
    props.language = "vi-VN"
    props.comments = f"Phương pháp / methodology {p.methodology_version}"
    return doc
