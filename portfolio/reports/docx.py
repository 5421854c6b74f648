"""The quarterly report as a Word document (.docx), for the office to edit in Word or WPS before it
is issued: the same data and the same tables as the PDF (`reports/tables.py`), laid out as a
government report — the title in a 小标宋-style face, the body in 仿宋, headings 一、in 黑体, page
numbers in the footer, tables whose header row repeats on every page and whose figures are
right-aligned, and the two charts as pictures.

Fonts are named, not embedded: Word and WPS use the office PC's fonts. Each style names the usual
GB fonts (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312) and the document's font table gives each a
fallback every Chinese Windows has (宋体, 仿宋, 黑体, 楷体), so a PC without the GB fonts still shows
the right kind of face."""
from collections.abc import Sequence
from io import BytesIO

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from portfolio.core.formatting import format_date, format_datetime
from portfolio.dashboard.charts import grouped_bar_chart, trend_chart
from portfolio.dashboard.queries import trend_note, with_annual_plans
from portfolio.reports.data import QuarterlyReport
from portfolio.reports.fonts import PdfFont
from portfolio.reports.pictures import chart_png, map_png, timeline_png
from portfolio.reports.tables import (
    ReportTable,
    cancelled_table,
    column_widths,
    details_table,
    facts_table,
    funding_excess,
    funding_table,
    group_table,
    milestones_table,
    open_problems_table,
    problem_count_tables,
    red_timeline_note,
    red_timelines,
    trend_table,
    warnings_table,
)
from portfolio.rules import Light

TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"
FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING_FONT: "黑体", SUBHEADING_FONT: "楷体"}
"""Each face the report names, and the one Word or WPS uses where the office PC lacks it."""
LIGHT_COLOURS = {Light.RED: RGBColor(0xC5, 0x30, 0x30), Light.YELLOW: RGBColor(0xB7, 0x79, 0x1F)}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def render_quarterly_docx(report: QuarterlyReport, font: PdfFont) -> bytes:
    """The report as .docx bytes; `font` (the PDF's) draws the charts' labels."""
    document = Document()
    _page_setup(document)
    _styles(document)
    _fallback_fonts(document)
    _footer_page_numbers(document)
    document.core_properties.title = report.title
    document.core_properties.author = report.issuer
    document.core_properties.subject = "季度进展情况报告"

    title = document.add_paragraph(report.title, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    scope = "；".join(report.filters) if report.filters else "全部项目"
    for line in (f"截至{format_date(report.as_of)}（报告期：{report.reporting_year}年第{report.reporting_quarter}季度）"
                 f"　{report.issuer}", f"生成时间{format_datetime(report.generated_at)}（北京时间）　范围：{scope}"):
        document.add_paragraph(line, style="Subtitle").alignment = WD_ALIGN_PARAGRAPH.CENTER

    document.add_heading("一、总体情况", level=1)
    _table(document, facts_table(report), header=False)
    for sentence in report.summary:
        document.add_paragraph(sentence)
    document.add_heading("（一）资金来源（计划投资构成）", level=2)
    _table(document, funding_table(report.total))
    if excess := funding_excess(report.total):
        document.add_paragraph(excess)
    if report.trends:
        document.add_heading(f"（二）近{len(report.trends)}个季度走势", level=2)
        _table(document, trend_table(report))
        document.add_paragraph(trend_note(report.trends))
        _picture(document, chart_png(trend_chart(report.trends, with_annual_plans(report.trends)), font), Cm(24))

    for heading, first_column, groups in (("二、分县区情况", "县(市、区)", report.by_region),
                                          ("三、分领域情况", "领域", report.by_sector)):
        document.add_heading(heading, level=1)
        _table(document, group_table(first_column, groups, report.total))
        chart = grouped_bar_chart([(row.label, (row.planned_investment, row.cumulative_investment)) for row in groups],
                                  series=("计划投资(万元)", "累计完成(万元)"))
        _picture(document, chart_png(chart, font), Cm(24))
        if groups is report.by_region:
            for county_map in report.maps:
                document.add_paragraph(f"{county_map.city}各县(市、区)计划投资分布：")
                _picture(document, map_png(county_map, font), Cm(22))

    document.add_heading("四、预警项目", level=1)
    if report.warnings:
        _table(document, warnings_table(report))
    else:
        document.add_paragraph("本季度无红灯、黄灯项目。")

    document.add_heading("五、存在问题及协调解决情况", level=1)
    document.add_paragraph(report.problems.summary())
    if not report.problems.is_empty:
        for table in problem_count_tables(report.problems):
            _table(document, table)
        if report.problems.open_problems:
            document.add_paragraph(f"截至{format_date(report.problems.end)}尚未解决的问题：")
            _table(document, open_problems_table(report.problems))

    document.add_heading("六、项目进展明细", level=1)
    if report.projects:
        _table(document, details_table(report))
    else:
        document.add_paragraph("没有符合条件的项目。")
    if report.cancelled:
        document.add_heading("附：已取消项目（不计入以上统计）", level=1)
        _table(document, cancelled_table(report))

    document.add_heading("附：本季度完成的节点", level=1)
    if report.milestones_reached:
        _table(document, milestones_table(report))
    else:
        document.add_paragraph("本季度没有完成的节点。")

    if report.red_timeline:
        document.add_heading("附：红灯项目时间轴", level=1)
        document.add_paragraph(red_timeline_note(report))
        for timeline in red_timelines(report):
            _picture(document, timeline_png(timeline, font), Cm(24))

    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _page_setup(document) -> None:
    """A4 landscape (the detail table has eleven columns), the usual official margins."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.left_margin = section.right_margin = Cm(2.2)


def _east_asian(style_or_run, name: str) -> None:
    """Word picks a Chinese run's face from w:eastAsia, not from the Latin name."""
    fonts = style_or_run.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _styles(document) -> None:
    styles = document.styles
    body = styles["Normal"]
    body.font.name, body.font.size = "Times New Roman", Pt(14)
    _east_asian(body, BODY_FONT)
    body.paragraph_format.first_line_indent = Pt(28)
    body.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    body.paragraph_format.line_spacing = Pt(26)
    body.paragraph_format.space_after = Pt(0)
    for name, face, size in (("Title", TITLE_FONT, 22), ("Subtitle", BODY_FONT, 12), ("Heading 1", HEADING_FONT, 16),
                             ("Heading 2", SUBHEADING_FONT, 16)):
        style = styles[name]  # the faces carry the weight: none is bold or italic
        style.font.name, style.font.size, style.font.bold, style.font.italic = face, Pt(size), False, False
        style.font.color.rgb = RGBColor(0, 0, 0)
        _east_asian(style, face)
        style.paragraph_format.first_line_indent = Pt(0) if name in ("Title", "Subtitle") else Pt(28)
        style.paragraph_format.space_before = Pt(12 if name.startswith("Heading") else 0)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    title_element = styles["Title"].element  # python-docx's Title has a blue bottom border: an official title has none
    for border in title_element.findall(".//" + qn("w:pBdr")):
        border.getparent().remove(border)
    table_text = styles.add_style("Table Text", 1)
    table_text.base_style = body
    table_text.font.size = Pt(TABLE_TEXT_SIZE)
    table_text.paragraph_format.first_line_indent = Pt(0)
    table_text.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    picture = styles.add_style("Picture", 1)
    picture.base_style = body
    picture.paragraph_format.first_line_indent = Pt(0)
    picture.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    picture.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.space_before = picture.paragraph_format.space_after = Pt(6)


def _fallback_fonts(document) -> None:
    """The font table's w:altName for each face: the one to use where the named face is not installed."""
    part = next(relationship.target_part for relationship in document.part.rels.values()
                if relationship.reltype.endswith("/fontTable"))
    table = parse_xml(part.blob)
    for name, fallback in FALLBACKS.items():
        entry = OxmlElement("w:font")
        entry.set(qn("w:name"), name)
        alternative = OxmlElement("w:altName")
        alternative.set(qn("w:val"), fallback)
        charset = OxmlElement("w:charset")
        charset.set(qn("w:val"), "86")  # GB2312
        entry.extend([alternative, charset])
        table.append(entry)
    part._blob = serialize_part_xml(table)


def _footer_page_numbers(document) -> None:
    """— 1 — centred in the footer, the number a PAGE field Word and WPS fill in."""
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Pt(0)
    paragraph.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    number = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    number.append(text)
    field.append(number)
    paragraph._p.append(field)
    paragraph.add_run(" —")


def _picture(document, png: bytes, width: Cm) -> None:
    """A chart, map or timeline as a picture in a paragraph of its own whose line grows with it (in the
    body's exactly-26-point lines LibreOffice, Word and WPS show only a strip of a picture)."""
    paragraph = document.add_paragraph(style="Picture")
    paragraph.add_run().add_picture(BytesIO(png), width=width)


TABLE_TEXT_SIZE, CELL_MARGINS = 10.5, 11.0
"""Points: the table text, and a cell's left and right margins together (Word's 0.19 cm each)."""


def _table(document, table: ReportTable, header: bool = True) -> None:
    """A bordered table with columns sized to their content (`tables.column_widths`, as in the PDF)
    and fixed, so that LibreOffice, Word and WPS keep them: its header row repeats on every page and
    is not split, figures right-aligned, the total row bold, each light in its colour."""
    columns = len(table.header) if header else len(table.rows[0])
    rows = list(table.rows)
    word = document.add_table(rows=len(rows) + int(header), cols=columns)
    word.style = document.styles["Table Grid"]
    word.alignment = WD_TABLE_ALIGNMENT.CENTER
    word.autofit = False
    section = document.sections[0]
    room = (section.page_width - section.left_margin - section.right_margin) / Pt(1)
    widths = [Pt(width) for width in column_widths(table, room, TABLE_TEXT_SIZE, CELL_MARGINS)]
    for column, width in zip(word.columns, widths, strict=True):
        column.width = width  # the grid, which LibreOffice reads
    # python-docx looks a style up among every style on each assignment (about 1 ms a cell): the cells'
    # paragraphs get the style's id written directly instead
    text_style = document.styles["Table Text"].style_id
    word_rows = list(word.rows)  # `word.rows[i]` would search the table's rows again for every row
    if header:
        _fill_row(word_rows[0], table.header, table, text_style, bold=True)
        header_row = word_rows[0]._tr.get_or_add_trPr()
        for flag in ("w:tblHeader", "w:cantSplit"):
            element = OxmlElement(flag)
            element.set(qn("w:val"), "true")
            header_row.append(element)
    offset = int(header)
    for index, values in enumerate(rows):
        light = table.lights[index] if index < len(table.lights) else None
        bold = table.total_row and index == len(rows) - 1
        _fill_row(word_rows[index + offset], values, table, text_style, bold=bold, light=light)
    for row in word_rows:  # and each cell, which Word reads
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _fill_row(row, values: Sequence[str], table: ReportTable, text_style: str, bold: bool = False,
              light: Light | None = None) -> None:
    for column, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
        paragraph = cell.paragraphs[0]
        paragraph._p.style = text_style
        lines = str(value).split("\n")
        for number, line in enumerate(lines):
            run = paragraph.add_run(line)
            run.bold = bold
            if light in LIGHT_COLOURS and column == len(values) - 1:
                run.font.color.rgb = LIGHT_COLOURS[light]
            if number < len(lines) - 1:
                run.add_break()
        if column in table.numeric:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
